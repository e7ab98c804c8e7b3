//! `hash` and `numgen`: compute a number for load balancing, usually
//! the key of a map lookup that follows.

use super::attr::{attributes, be32, kernel_enum, string};
use super::data::Register;

// enum nft_hash_attributes
const NFTA_HASH_SREG: u16 = 1;
const NFTA_HASH_DREG: u16 = 2;
const NFTA_HASH_LEN: u16 = 3;
const NFTA_HASH_MODULUS: u16 = 4;
const NFTA_HASH_SEED: u16 = 5;
const NFTA_HASH_OFFSET: u16 = 6;
const NFTA_HASH_TYPE: u16 = 7;
const NFTA_HASH_SET_NAME: u16 = 8;
const NFTA_HASH_SET_ID: u16 = 9;

attributes! {
    /// `hash`: `dreg = hash(sreg[..len], seed) % modulus + offset`.
    pub enum Hash {
        NFTA_HASH_SREG => SourceRegister(Register) = be32,
        NFTA_HASH_DREG => DestinationRegister(Register) = be32,
        /// Bytes hashed from the source register.
        NFTA_HASH_LEN => Length(u32) = be32,
        NFTA_HASH_MODULUS => Modulus(u32) = be32,
        NFTA_HASH_SEED => Seed(u32) = be32,
        NFTA_HASH_OFFSET => Offset(u32) = be32,
        NFTA_HASH_TYPE => Type(HashType) = be32,
        /// Deprecated: a map looked up with the result.
        NFTA_HASH_SET_NAME => SetName(String) = string,
        /// Deprecated, as `SetName`.
        NFTA_HASH_SET_ID => SetId(u32) = be32,
    }
}

// enum nft_hash_types
const NFT_HASH_JENKINS: u32 = 0;
const NFT_HASH_SYM: u32 = 1;

kernel_enum! {
    /// `enum nft_hash_types`.
    pub enum HashType: u32 {
        /// `jhash` of the source register.
        Jenkins = NFT_HASH_JENKINS,
        /// `symhash`: of the flow, the same both ways; no source
        /// register.
        Sym = NFT_HASH_SYM,
    }
}

// enum nft_ng_attributes
const NFTA_NG_DREG: u16 = 1;
const NFTA_NG_MODULUS: u16 = 2;
const NFTA_NG_TYPE: u16 = 3;
const NFTA_NG_OFFSET: u16 = 4;
const NFTA_NG_SET_NAME: u16 = 5;
const NFTA_NG_SET_ID: u16 = 6;

attributes! {
    /// `numgen`: `dreg = next % modulus + offset`.
    pub enum Numgen {
        NFTA_NG_DREG => DestinationRegister(Register) = be32,
        NFTA_NG_MODULUS => Modulus(u32) = be32,
        NFTA_NG_TYPE => Type(NumgenType) = be32,
        NFTA_NG_OFFSET => Offset(u32) = be32,
        /// Deprecated: a map looked up with the result.
        NFTA_NG_SET_NAME => SetName(String) = string,
        /// Deprecated, as `SetName`.
        NFTA_NG_SET_ID => SetId(u32) = be32,
    }
}

// enum nft_ng_types
const NFT_NG_INCREMENTAL: u32 = 0;
const NFT_NG_RANDOM: u32 = 1;

kernel_enum! {
    /// `enum nft_ng_types`.
    pub enum NumgenType: u32 {
        Incremental = NFT_NG_INCREMENTAL,
        Random = NFT_NG_RANDOM,
    }
}
