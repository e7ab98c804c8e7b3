//! `nat`, `masq`, `redir` and `tproxy`: rewrite or steer a connection's
//! addresses and ports. The addresses and ports themselves are in
//! registers, loaded by the `immediate` expressions before.

use super::attr::{attributes, be32, kernel_enum};
use super::data::{Nfproto, Register};

// NFTA_NAT_FLAGS, NFTA_MASQ_FLAGS and NFTA_REDIR_FLAGS bits
// (linux/netfilter/nf_nat.h).
/// An address range is given.
pub const NF_NAT_RANGE_MAP_IPS: u32 = 1 << 0;
/// A port range is given.
pub const NF_NAT_RANGE_PROTO_SPECIFIED: u32 = 1 << 1;
/// Pick the port at random (`random`).
pub const NF_NAT_RANGE_PROTO_RANDOM: u32 = 1 << 2;
/// Give a client the same address each time (`persistent`).
pub const NF_NAT_RANGE_PERSISTENT: u32 = 1 << 3;
/// Pick the port at random, fully (`fully-random`).
pub const NF_NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 1 << 4;
/// The port range is an offset to add.
pub const NF_NAT_RANGE_PROTO_OFFSET: u32 = 1 << 5;
/// Map a prefix onto another one (`prefix`).
pub const NF_NAT_RANGE_NETMAP: u32 = 1 << 6;

// enum nft_nat_attributes
const NFTA_NAT_TYPE: u16 = 1;
const NFTA_NAT_FAMILY: u16 = 2;
const NFTA_NAT_REG_ADDR_MIN: u16 = 3;
const NFTA_NAT_REG_ADDR_MAX: u16 = 4;
const NFTA_NAT_REG_PROTO_MIN: u16 = 5;
const NFTA_NAT_REG_PROTO_MAX: u16 = 6;
const NFTA_NAT_FLAGS: u16 = 7;

attributes! {
    /// `nat`: `snat` or `dnat` to the ranges in the registers.
    pub enum Nat {
        NFTA_NAT_TYPE => Type(NatType) = be32,
        /// The family of the addresses.
        NFTA_NAT_FAMILY => Family(Nfproto) = be32,
        NFTA_NAT_REG_ADDR_MIN => RegAddrMin(Register) = be32,
        NFTA_NAT_REG_ADDR_MAX => RegAddrMax(Register) = be32,
        NFTA_NAT_REG_PROTO_MIN => RegProtoMin(Register) = be32,
        NFTA_NAT_REG_PROTO_MAX => RegProtoMax(Register) = be32,
        /// `NF_NAT_RANGE_*` bits.
        NFTA_NAT_FLAGS => Flags(u32) = be32,
    }
}

// enum nft_nat_types
const NFT_NAT_SNAT: u32 = 0;
const NFT_NAT_DNAT: u32 = 1;

kernel_enum! {
    /// `enum nft_nat_types`.
    pub enum NatType: u32 {
        Snat = NFT_NAT_SNAT,
        Dnat = NFT_NAT_DNAT,
    }
}

// enum nft_masq_attributes
const NFTA_MASQ_FLAGS: u16 = 1;
const NFTA_MASQ_REG_PROTO_MIN: u16 = 2;
const NFTA_MASQ_REG_PROTO_MAX: u16 = 3;

attributes! {
    /// `masq`: source NAT to the outgoing interface's address.
    pub enum Masq {
        /// `NF_NAT_RANGE_*` bits.
        NFTA_MASQ_FLAGS => Flags(u32) = be32,
        NFTA_MASQ_REG_PROTO_MIN => RegProtoMin(Register) = be32,
        NFTA_MASQ_REG_PROTO_MAX => RegProtoMax(Register) = be32,
    }
}

// enum nft_redir_attributes
const NFTA_REDIR_REG_PROTO_MIN: u16 = 1;
const NFTA_REDIR_REG_PROTO_MAX: u16 = 2;
const NFTA_REDIR_FLAGS: u16 = 3;

attributes! {
    /// `redir`: destination NAT to the host itself.
    pub enum Redir {
        NFTA_REDIR_REG_PROTO_MIN => RegProtoMin(Register) = be32,
        NFTA_REDIR_REG_PROTO_MAX => RegProtoMax(Register) = be32,
        /// `NF_NAT_RANGE_*` bits.
        NFTA_REDIR_FLAGS => Flags(u32) = be32,
    }
}

// enum nft_tproxy_attributes
const NFTA_TPROXY_FAMILY: u16 = 1;
const NFTA_TPROXY_REG_ADDR: u16 = 2;
const NFTA_TPROXY_REG_PORT: u16 = 3;

attributes! {
    /// `tproxy`: hands the packet to a local socket without rewriting
    /// it.
    pub enum Tproxy {
        /// The family of the address (`Unspec` in an inet table with
        /// only a port).
        NFTA_TPROXY_FAMILY => Family(Nfproto) = be32,
        NFTA_TPROXY_REG_ADDR => RegAddr(Register) = be32,
        NFTA_TPROXY_REG_PORT => RegPort(Register) = be32,
    }
}
