//! `reject`: drops the packet and answers with an ICMP error or a TCP
//! reset.

use super::attr::{attributes, be32, byte, kernel_enum};

// enum nft_reject_attributes
const NFTA_REJECT_TYPE: u16 = 1;
const NFTA_REJECT_ICMP_CODE: u16 = 2;

attributes! {
    /// `reject`.
    pub enum Reject {
        NFTA_REJECT_TYPE => Type(RejectType) = be32,
        /// An ICMP or ICMPv6 code for `IcmpUnreach`, one of
        /// `enum nft_reject_inet_code` for `IcmpxUnreach`.
        NFTA_REJECT_ICMP_CODE => IcmpCode(u8) = byte,
    }
}

// enum nft_reject_types
const NFT_REJECT_ICMP_UNREACH: u32 = 0;
const NFT_REJECT_TCP_RST: u32 = 1;
const NFT_REJECT_ICMPX_UNREACH: u32 = 2;

kernel_enum! {
    /// `enum nft_reject_types`.
    pub enum RejectType: u32 {
        IcmpUnreach = NFT_REJECT_ICMP_UNREACH,
        TcpRst = NFT_REJECT_TCP_RST,
        /// An ICMP error of the packet's own family (inet, bridge and
        /// netdev tables).
        IcmpxUnreach = NFT_REJECT_ICMPX_UNREACH,
    }
}

// enum nft_reject_inet_code
const NFT_REJECT_ICMPX_NO_ROUTE: u8 = 0;
const NFT_REJECT_ICMPX_PORT_UNREACH: u8 = 1;
const NFT_REJECT_ICMPX_HOST_UNREACH: u8 = 2;
const NFT_REJECT_ICMPX_ADMIN_PROHIBITED: u8 = 3;

kernel_enum! {
    /// `enum nft_reject_inet_code`: the code of an `IcmpxUnreach`,
    /// which the kernel maps to ICMP or ICMPv6.
    pub enum IcmpxCode: u8 {
        NoRoute = NFT_REJECT_ICMPX_NO_ROUTE,
        PortUnreach = NFT_REJECT_ICMPX_PORT_UNREACH,
        HostUnreach = NFT_REJECT_ICMPX_HOST_UNREACH,
        AdminProhibited = NFT_REJECT_ICMPX_ADMIN_PROHIBITED,
    }
}
