//! `cmp` and `range`: compare a register with constants.

use super::attr::{attributes, be32, kernel_enum};
use super::data::{decode_data, Data, Register};

/// `enum nft_cmp_ops`. The netfilter crate's type is complete.
pub use netlink_packet_netfilter::nftables::Operator as CmpOp;

// enum nft_cmp_attributes
const NFTA_CMP_SREG: u16 = 1;
const NFTA_CMP_OP: u16 = 2;
const NFTA_CMP_DATA: u16 = 3;

attributes! {
    /// `cmp`: the netfilter crate has this kind, but its data decoder
    /// indexes the nest unchecked; this one refuses a short nest.
    pub enum Cmp {
        NFTA_CMP_SREG => SourceRegister(Register) = be32,
        NFTA_CMP_OP => Op(CmpOp) = be32,
        NFTA_CMP_DATA => Data(Data) = decode_data,
    }
}

// enum nft_range_attributes
const NFTA_RANGE_SREG: u16 = 1;
const NFTA_RANGE_OP: u16 = 2;
const NFTA_RANGE_FROM_DATA: u16 = 3;
const NFTA_RANGE_TO_DATA: u16 = 4;

attributes! {
    /// `range`: whether a register lies within `from..=to` (compared
    /// as big-endian numbers).
    pub enum Range {
        NFTA_RANGE_SREG => SourceRegister(Register) = be32,
        NFTA_RANGE_OP => Op(RangeOp) = be32,
        NFTA_RANGE_FROM_DATA => FromData(Data) = decode_data,
        NFTA_RANGE_TO_DATA => ToData(Data) = decode_data,
    }
}

// enum nft_range_ops
const NFT_RANGE_EQ: u32 = 0;
const NFT_RANGE_NEQ: u32 = 1;

kernel_enum! {
    /// `enum nft_range_ops`.
    pub enum RangeOp: u32 {
        Eq = NFT_RANGE_EQ,
        Neq = NFT_RANGE_NEQ,
    }
}
