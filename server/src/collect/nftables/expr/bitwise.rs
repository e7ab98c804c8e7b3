//! `bitwise` and `byteorder`: the expressions that rework a register
//! in place (masks, shifts, byte swaps) before a comparison or a store.

use super::attr::{attributes, be32, kernel_enum};
use super::data::{decode_data, Data, Register};

// enum nft_bitwise_attributes
const NFTA_BITWISE_SREG: u16 = 1;
const NFTA_BITWISE_DREG: u16 = 2;
const NFTA_BITWISE_LEN: u16 = 3;
const NFTA_BITWISE_MASK: u16 = 4;
const NFTA_BITWISE_XOR: u16 = 5;
const NFTA_BITWISE_OP: u16 = 6;
const NFTA_BITWISE_DATA: u16 = 7;
const NFTA_BITWISE_SREG2: u16 = 8;

attributes! {
    /// `bitwise`: `dreg = (sreg & mask) ^ xor` for the boolean
    /// operations, or `sreg op data` (or `sreg op sreg2`) for the others.
    pub enum Bitwise {
        NFTA_BITWISE_SREG => SourceRegister(Register) = be32,
        NFTA_BITWISE_DREG => DestinationRegister(Register) = be32,
        /// Length of the operands in bytes.
        NFTA_BITWISE_LEN => Length(u32) = be32,
        NFTA_BITWISE_MASK => Mask(Data) = decode_data,
        NFTA_BITWISE_XOR => Xor(Data) = decode_data,
        NFTA_BITWISE_OP => Op(BitwiseOp) = be32,
        /// The operand of a shift (a be32 bit count) or of `and`, `or`
        /// and `xor` with an immediate value.
        NFTA_BITWISE_DATA => Data(Data) = decode_data,
        /// The second operand of `and`, `or` and `xor` on two registers.
        NFTA_BITWISE_SREG2 => SourceRegister2(Register) = be32,
    }
}

// enum nft_bitwise_ops
const NFT_BITWISE_MASK_XOR: u32 = 0;
const NFT_BITWISE_LSHIFT: u32 = 1;
const NFT_BITWISE_RSHIFT: u32 = 2;
const NFT_BITWISE_AND: u32 = 3;
const NFT_BITWISE_OR: u32 = 4;
const NFT_BITWISE_XOR: u32 = 5;

kernel_enum! {
    /// `enum nft_bitwise_ops`; a `bitwise` without `NFTA_BITWISE_OP`
    /// is `MaskXor`.
    pub enum BitwiseOp: u32 {
        MaskXor = NFT_BITWISE_MASK_XOR,
        Lshift = NFT_BITWISE_LSHIFT,
        Rshift = NFT_BITWISE_RSHIFT,
        And = NFT_BITWISE_AND,
        Or = NFT_BITWISE_OR,
        Xor = NFT_BITWISE_XOR,
    }
}

// enum nft_byteorder_attributes
const NFTA_BYTEORDER_SREG: u16 = 1;
const NFTA_BYTEORDER_DREG: u16 = 2;
const NFTA_BYTEORDER_OP: u16 = 3;
const NFTA_BYTEORDER_LEN: u16 = 4;
const NFTA_BYTEORDER_SIZE: u16 = 5;

attributes! {
    /// `byteorder`: converts `len` bytes of `size`-byte words between
    /// host and network order.
    pub enum Byteorder {
        NFTA_BYTEORDER_SREG => SourceRegister(Register) = be32,
        NFTA_BYTEORDER_DREG => DestinationRegister(Register) = be32,
        NFTA_BYTEORDER_OP => Op(ByteorderOp) = be32,
        NFTA_BYTEORDER_LEN => Length(u32) = be32,
        /// Word size in bytes: 2, 4 or 8.
        NFTA_BYTEORDER_SIZE => Size(u32) = be32,
    }
}

// enum nft_byteorder_ops
const NFT_BYTEORDER_NTOH: u32 = 0;
const NFT_BYTEORDER_HTON: u32 = 1;

kernel_enum! {
    /// `enum nft_byteorder_ops`.
    pub enum ByteorderOp: u32 {
        Ntoh = NFT_BYTEORDER_NTOH,
        Hton = NFT_BYTEORDER_HTON,
    }
}
