//! The values expressions move around: registers, and `nft_data`, which
//! is either bytes or a verdict.

use netlink_packet_core::DecodeError;

use super::attr::{
    attributes, be32, bytes, kernel_enum, parse_attrs, raw_attrs, string, Attr,
};

/// `enum nft_registers`: `NFT_REG_VERDICT` (0), the four 16-byte
/// `NFT_REG_1..4`, and the 4-byte `NFT_REG32_00..15` (8 to 23) that
/// alias them. The netfilter crate's type is right; it is shared here.
pub use netlink_packet_netfilter::nftables::Register;

// enum nft_data_attributes
const NFTA_DATA_VALUE: u16 = 1;
const NFTA_DATA_VERDICT: u16 = 2;

attributes! {
    /// The one attribute inside a data nest (`NFTA_CMP_DATA`,
    /// `NFTA_IMMEDIATE_DATA`, a set element's key, ...).
    pub enum Data {
        /// The bytes as they sit in a register: header fields in
        /// network order, most meta and ct keys in host order.
        NFTA_DATA_VALUE => Value(Vec<u8>) = bytes,
        NFTA_DATA_VERDICT => Verdict(Vec<VerdictAttr>) = parse_attrs,
    }
}

/// A data nest (`nft_data`), which holds exactly one `NFTA_DATA_*`
/// attribute; set elements' keys and values are such nests too.
pub fn decode_data(nest: &[u8]) -> Result<Data, DecodeError> {
    let mut attrs = raw_attrs(nest);
    let first = attrs.next().ok_or("empty nft_data nest")??;
    if attrs.next().is_some() {
        return Err("more than one attribute in an nft_data nest".into());
    }
    Data::from_raw(first)
}

// enum nft_verdict_attributes
const NFTA_VERDICT_CODE: u16 = 1;
const NFTA_VERDICT_CHAIN: u16 = 2;
const NFTA_VERDICT_CHAIN_ID: u16 = 3;

attributes! {
    /// `enum nft_verdict_attributes`.
    pub enum VerdictAttr {
        NFTA_VERDICT_CODE => Code(VerdictCode) = be32,
        /// The chain of a jump or goto.
        NFTA_VERDICT_CHAIN => Chain(String) = string,
        /// The chain of a jump or goto, by its id in a transaction.
        NFTA_VERDICT_CHAIN_ID => ChainId(u32) = be32,
    }
}

// The netfilter verdicts (linux/netfilter.h), then enum nft_verdicts,
// which shares their numeric space with negative numbers.
const NF_DROP: i32 = 0;
const NF_ACCEPT: i32 = 1;
const NF_STOLEN: i32 = 2;
const NF_QUEUE: i32 = 3;
const NF_REPEAT: i32 = 4;
const NFT_CONTINUE: i32 = -1;
const NFT_BREAK: i32 = -2;
const NFT_JUMP: i32 = -3;
const NFT_GOTO: i32 = -4;
const NFT_RETURN: i32 = -5;

kernel_enum! {
    /// `NFTA_VERDICT_CODE`: a netfilter verdict or an nf_tables one.
    pub enum VerdictCode: i32 {
        Drop = NF_DROP,
        Accept = NF_ACCEPT,
        Stolen = NF_STOLEN,
        Queue = NF_QUEUE,
        Repeat = NF_REPEAT,
        Continue = NFT_CONTINUE,
        Break = NFT_BREAK,
        Jump = NFT_JUMP,
        Goto = NFT_GOTO,
        Return = NFT_RETURN,
    }
}

/// The code travels as a be32 but is signed: nf_tables' own verdicts
/// are negative.
impl From<u32> for VerdictCode {
    fn from(code: u32) -> Self {
        Self::from(code as i32)
    }
}

// enum nfproto (linux/netfilter.h), as NAT, tproxy and fwd name the
// family of the address in their registers.
const NFPROTO_UNSPEC: u32 = 0;
const NFPROTO_INET: u32 = 1;
const NFPROTO_IPV4: u32 = 2;
const NFPROTO_ARP: u32 = 3;
const NFPROTO_NETDEV: u32 = 5;
const NFPROTO_BRIDGE: u32 = 7;
const NFPROTO_IPV6: u32 = 10;

kernel_enum! {
    /// `enum nfproto`, a netfilter family.
    pub enum Nfproto: u32 {
        Unspec = NFPROTO_UNSPEC,
        Inet = NFPROTO_INET,
        Ipv4 = NFPROTO_IPV4,
        Arp = NFPROTO_ARP,
        Netdev = NFPROTO_NETDEV,
        Bridge = NFPROTO_BRIDGE,
        Ipv6 = NFPROTO_IPV6,
    }
}
