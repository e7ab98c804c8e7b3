//! `xfrm`: the IPsec state a packet went through (`ipsec in ...`).

use super::attr::{attributes, be32, byte, kernel_enum};
use super::data::Register;

// enum nft_xfrm_attributes
const NFTA_XFRM_DREG: u16 = 1;
const NFTA_XFRM_KEY: u16 = 2;
const NFTA_XFRM_DIR: u16 = 3;
const NFTA_XFRM_SPNUM: u16 = 4;

attributes! {
    /// `xfrm`.
    pub enum Xfrm {
        NFTA_XFRM_DREG => DestinationRegister(Register) = be32,
        NFTA_XFRM_KEY => Key(XfrmKey) = be32,
        NFTA_XFRM_DIR => Direction(XfrmDirection) = byte,
        /// Which state of the packet's security path.
        NFTA_XFRM_SPNUM => Spnum(u32) = be32,
    }
}

// enum nft_xfrm_keys
const NFT_XFRM_KEY_UNSPEC: u32 = 0;
const NFT_XFRM_KEY_DADDR_IP4: u32 = 1;
const NFT_XFRM_KEY_DADDR_IP6: u32 = 2;
const NFT_XFRM_KEY_SADDR_IP4: u32 = 3;
const NFT_XFRM_KEY_SADDR_IP6: u32 = 4;
const NFT_XFRM_KEY_REQID: u32 = 5;
const NFT_XFRM_KEY_SPI: u32 = 6;

kernel_enum! {
    /// `enum nft_xfrm_keys`.
    pub enum XfrmKey: u32 {
        Unspec = NFT_XFRM_KEY_UNSPEC,
        DaddrIp4 = NFT_XFRM_KEY_DADDR_IP4,
        DaddrIp6 = NFT_XFRM_KEY_DADDR_IP6,
        SaddrIp4 = NFT_XFRM_KEY_SADDR_IP4,
        SaddrIp6 = NFT_XFRM_KEY_SADDR_IP6,
        Reqid = NFT_XFRM_KEY_REQID,
        Spi = NFT_XFRM_KEY_SPI,
    }
}

// XFRM_POLICY_IN / _OUT (linux/xfrm.h)
const XFRM_POLICY_IN: u8 = 0;
const XFRM_POLICY_OUT: u8 = 1;

kernel_enum! {
    /// The direction of the policy: decapsulated (`in`) or to be
    /// encapsulated (`out`).
    pub enum XfrmDirection: u8 {
        In = XFRM_POLICY_IN,
        Out = XFRM_POLICY_OUT,
    }
}
