//! `payload` and `exthdr`: read or write packet bytes, at an offset from
//! a header or inside an IPv6 extension header, an IPv4 or TCP option,
//! or an SCTP chunk.

use super::attr::{attributes, be32, byte, kernel_enum};
use super::data::Register;

/// `enum nft_payload_csum_types`. The netfilter crate's type is right.
pub use netlink_packet_netfilter::nftables::ChecksumType;

// enum nft_payload_attributes
const NFTA_PAYLOAD_DREG: u16 = 1;
const NFTA_PAYLOAD_BASE: u16 = 2;
const NFTA_PAYLOAD_OFFSET: u16 = 3;
const NFTA_PAYLOAD_LEN: u16 = 4;
const NFTA_PAYLOAD_SREG: u16 = 5;
const NFTA_PAYLOAD_CSUM_TYPE: u16 = 6;
const NFTA_PAYLOAD_CSUM_OFFSET: u16 = 7;
const NFTA_PAYLOAD_CSUM_FLAGS: u16 = 8;

/// `NFTA_PAYLOAD_CSUM_FLAGS`: the layer 4 checksum covers a
/// pseudo-header, so rewriting an address updates it too.
pub const NFT_PAYLOAD_L4CSUM_PSEUDOHDR: u32 = 1 << 0;

attributes! {
    /// `payload`: a load when it has a destination register, a write
    /// (with checksum fix-up) when it has a source register. Own type:
    /// the netfilter crate leaves the base a bare number.
    pub enum Payload {
        NFTA_PAYLOAD_DREG => DestinationRegister(Register) = be32,
        NFTA_PAYLOAD_BASE => Base(PayloadBase) = be32,
        NFTA_PAYLOAD_OFFSET => Offset(u32) = be32,
        NFTA_PAYLOAD_LEN => Length(u32) = be32,
        NFTA_PAYLOAD_SREG => SourceRegister(Register) = be32,
        NFTA_PAYLOAD_CSUM_TYPE => CsumType(ChecksumType) = be32,
        /// Offset of the checksum field from the base.
        NFTA_PAYLOAD_CSUM_OFFSET => CsumOffset(u32) = be32,
        /// `NFT_PAYLOAD_L4CSUM_*` bits.
        NFTA_PAYLOAD_CSUM_FLAGS => CsumFlags(u32) = be32,
    }
}

// enum nft_payload_bases
const NFT_PAYLOAD_LL_HEADER: u32 = 0;
const NFT_PAYLOAD_NETWORK_HEADER: u32 = 1;
const NFT_PAYLOAD_TRANSPORT_HEADER: u32 = 2;
const NFT_PAYLOAD_INNER_HEADER: u32 = 3;
const NFT_PAYLOAD_TUN_HEADER: u32 = 4;

kernel_enum! {
    /// `enum nft_payload_bases`: which header the offset counts from.
    pub enum PayloadBase: u32 {
        LinkLayer = NFT_PAYLOAD_LL_HEADER,
        Network = NFT_PAYLOAD_NETWORK_HEADER,
        Transport = NFT_PAYLOAD_TRANSPORT_HEADER,
        /// What follows the transport header (`@ih`).
        Inner = NFT_PAYLOAD_INNER_HEADER,
        /// The tunnel header, inside an `inner` expression.
        Tunnel = NFT_PAYLOAD_TUN_HEADER,
    }
}

// enum nft_exthdr_attributes
const NFTA_EXTHDR_DREG: u16 = 1;
const NFTA_EXTHDR_TYPE: u16 = 2;
const NFTA_EXTHDR_OFFSET: u16 = 3;
const NFTA_EXTHDR_LEN: u16 = 4;
const NFTA_EXTHDR_FLAGS: u16 = 5;
const NFTA_EXTHDR_OP: u16 = 6;
const NFTA_EXTHDR_SREG: u16 = 7;

/// `NFTA_EXTHDR_FLAGS`: load whether the header or option exists (one
/// byte, 0 or 1) instead of its bytes.
pub const NFT_EXTHDR_F_PRESENT: u32 = 1 << 0;

attributes! {
    /// `exthdr`: `len` bytes at `offset` inside the extension header,
    /// option or chunk of the given type.
    pub enum Exthdr {
        NFTA_EXTHDR_DREG => DestinationRegister(Register) = be32,
        /// The IPv6 next-header number, IPv4 or TCP option kind, or
        /// SCTP chunk type.
        NFTA_EXTHDR_TYPE => Type(u8) = byte,
        NFTA_EXTHDR_OFFSET => Offset(u32) = be32,
        NFTA_EXTHDR_LEN => Length(u32) = be32,
        /// `NFT_EXTHDR_F_*` bits.
        NFTA_EXTHDR_FLAGS => Flags(u32) = be32,
        NFTA_EXTHDR_OP => Op(ExthdrOp) = be32,
        NFTA_EXTHDR_SREG => SourceRegister(Register) = be32,
    }
}

// enum nft_exthdr_op
const NFT_EXTHDR_OP_IPV6: u32 = 0;
const NFT_EXTHDR_OP_TCPOPT: u32 = 1;
const NFT_EXTHDR_OP_IPV4: u32 = 2;
const NFT_EXTHDR_OP_SCTP: u32 = 3;
const NFT_EXTHDR_OP_DCCP: u32 = 4;

kernel_enum! {
    /// `enum nft_exthdr_op`: what `NFTA_EXTHDR_TYPE` names. An
    /// `exthdr` without `NFTA_EXTHDR_OP` is `Ipv6`.
    pub enum ExthdrOp: u32 {
        Ipv6 = NFT_EXTHDR_OP_IPV6,
        TcpOpt = NFT_EXTHDR_OP_TCPOPT,
        Ipv4 = NFT_EXTHDR_OP_IPV4,
        Sctp = NFT_EXTHDR_OP_SCTP,
        Dccp = NFT_EXTHDR_OP_DCCP,
    }
}
