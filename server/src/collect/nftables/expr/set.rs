//! The expressions that use a set or a map: `lookup`, `dynset` (adds
//! or updates elements from the packet path) and `objref` (a named
//! stateful object, directly or through a map).

use super::attr::{attributes, be32, be64, kernel_enum, string};
use super::data::Register;
use super::{nested_expr, nested_exprs, Expr};

/// `lookup` as the netfilter crate decodes it: be32 values and a set
/// name, which it reads right, so it is used as it is.
pub use netlink_packet_netfilter::nftables::Lookup;

/// `NFTA_LOOKUP_FLAGS`: match when the key is not in the set.
pub const NFT_LOOKUP_F_INV: u32 = 1 << 0;

// enum nft_dynset_attributes
const NFTA_DYNSET_SET_NAME: u16 = 1;
const NFTA_DYNSET_SET_ID: u16 = 2;
const NFTA_DYNSET_OP: u16 = 3;
const NFTA_DYNSET_SREG_KEY: u16 = 4;
const NFTA_DYNSET_SREG_DATA: u16 = 5;
const NFTA_DYNSET_TIMEOUT: u16 = 6;
const NFTA_DYNSET_EXPR: u16 = 7;
const NFTA_DYNSET_FLAGS: u16 = 9;
const NFTA_DYNSET_EXPRESSIONS: u16 = 10;

/// `NFTA_DYNSET_FLAGS`: match when the element was not added.
pub const NFT_DYNSET_F_INV: u32 = 1 << 0;
/// `NFTA_DYNSET_FLAGS`: new elements get the expressions.
pub const NFT_DYNSET_F_EXPR: u32 = 1 << 1;

attributes! {
    /// `dynset`: `add @set { key }` or `update @set { key }` from the
    /// packet path, with expressions (counters, limits) for each new
    /// element.
    pub enum Dynset {
        NFTA_DYNSET_SET_NAME => SetName(String) = string,
        NFTA_DYNSET_SET_ID => SetId(u32) = be32,
        NFTA_DYNSET_OP => Op(DynsetOp) = be32,
        NFTA_DYNSET_SREG_KEY => SregKey(Register) = be32,
        /// The value, for a map.
        NFTA_DYNSET_SREG_DATA => SregData(Register) = be32,
        /// Timeout of new elements in milliseconds; 0 is the set's.
        NFTA_DYNSET_TIMEOUT => Timeout(u64) = be64,
        /// The expression of new elements, when there is one.
        NFTA_DYNSET_EXPR => Expr(Box<Expr>) = nested_expr,
        /// `NFT_DYNSET_F_*` bits.
        NFTA_DYNSET_FLAGS => Flags(u32) = be32,
        /// The expressions of new elements, when there are several.
        NFTA_DYNSET_EXPRESSIONS => Expressions(Vec<Expr>) = nested_exprs,
    }
}

// enum nft_dynset_ops
const NFT_DYNSET_OP_ADD: u32 = 0;
const NFT_DYNSET_OP_UPDATE: u32 = 1;
const NFT_DYNSET_OP_DELETE: u32 = 2;

kernel_enum! {
    /// `enum nft_dynset_ops`.
    pub enum DynsetOp: u32 {
        /// Add the element unless it is there.
        Add = NFT_DYNSET_OP_ADD,
        /// Add the element, or refresh its timeout.
        Update = NFT_DYNSET_OP_UPDATE,
        Delete = NFT_DYNSET_OP_DELETE,
    }
}

// enum nft_objref_attributes
const NFTA_OBJREF_IMM_TYPE: u16 = 1;
const NFTA_OBJREF_IMM_NAME: u16 = 2;
const NFTA_OBJREF_SET_SREG: u16 = 3;
const NFTA_OBJREF_SET_NAME: u16 = 4;
const NFTA_OBJREF_SET_ID: u16 = 5;

attributes! {
    /// `objref`: `counter name "c"` (`ImmType` and `ImmName`), or the
    /// object a map picks by key (`SetSreg` and `SetName`).
    pub enum Objref {
        NFTA_OBJREF_IMM_TYPE => ImmType(ObjectType) = be32,
        NFTA_OBJREF_IMM_NAME => ImmName(String) = string,
        NFTA_OBJREF_SET_SREG => SetSreg(Register) = be32,
        NFTA_OBJREF_SET_NAME => SetName(String) = string,
        NFTA_OBJREF_SET_ID => SetId(u32) = be32,
    }
}

// NFT_OBJECT_*
const NFT_OBJECT_UNSPEC: u32 = 0;
const NFT_OBJECT_COUNTER: u32 = 1;
const NFT_OBJECT_QUOTA: u32 = 2;
const NFT_OBJECT_CT_HELPER: u32 = 3;
const NFT_OBJECT_LIMIT: u32 = 4;
const NFT_OBJECT_CONNLIMIT: u32 = 5;
const NFT_OBJECT_TUNNEL: u32 = 6;
const NFT_OBJECT_CT_TIMEOUT: u32 = 7;
const NFT_OBJECT_SECMARK: u32 = 8;
const NFT_OBJECT_CT_EXPECT: u32 = 9;
const NFT_OBJECT_SYNPROXY: u32 = 10;

kernel_enum! {
    /// `NFT_OBJECT_*`: the type of a stateful object.
    pub enum ObjectType: u32 {
        Unspec = NFT_OBJECT_UNSPEC,
        Counter = NFT_OBJECT_COUNTER,
        Quota = NFT_OBJECT_QUOTA,
        CtHelper = NFT_OBJECT_CT_HELPER,
        Limit = NFT_OBJECT_LIMIT,
        Connlimit = NFT_OBJECT_CONNLIMIT,
        Tunnel = NFT_OBJECT_TUNNEL,
        CtTimeout = NFT_OBJECT_CT_TIMEOUT,
        Secmark = NFT_OBJECT_SECMARK,
        CtExpect = NFT_OBJECT_CT_EXPECT,
        Synproxy = NFT_OBJECT_SYNPROXY,
    }
}
