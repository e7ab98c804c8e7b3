//! `meta` and `rt`: what the kernel knows about a packet besides its
//! bytes (interfaces, marks, lengths, its route).

use super::attr::{attributes, be32, kernel_enum};
use super::data::Register;

/// `meta` as the netfilter crate decodes it: its keys match
/// `enum nft_meta_keys` of Linux 6.18 (`NFT_META_BRI_IIFHWADDR`
/// included) and it reads only be32 values, so it is used as it is.
pub use netlink_packet_netfilter::nftables::{Meta, MetaKey};

// enum nft_rt_attributes
const NFTA_RT_DREG: u16 = 1;
const NFTA_RT_KEY: u16 = 2;

attributes! {
    /// `rt`: a property of the packet's route.
    pub enum Rt {
        NFTA_RT_DREG => DestinationRegister(Register) = be32,
        NFTA_RT_KEY => Key(RtKey) = be32,
    }
}

// enum nft_rt_keys
const NFT_RT_CLASSID: u32 = 0;
const NFT_RT_NEXTHOP4: u32 = 1;
const NFT_RT_NEXTHOP6: u32 = 2;
const NFT_RT_TCPMSS: u32 = 3;
const NFT_RT_XFRM: u32 = 4;

kernel_enum! {
    /// `enum nft_rt_keys`.
    pub enum RtKey: u32 {
        /// The route's realm.
        Classid = NFT_RT_CLASSID,
        Nexthop4 = NFT_RT_NEXTHOP4,
        Nexthop6 = NFT_RT_NEXTHOP6,
        /// The MSS the route's MTU allows.
        Tcpmss = NFT_RT_TCPMSS,
        /// Whether the route goes through IPsec.
        Xfrm = NFT_RT_XFRM,
    }
}
