//! The ruleset as the kernel holds it: every object of every family, with
//! what the kernel said about it, decoded but not yet rendered.

use super::expr::{Data, Expr};
use super::ipset::IpsetNames;
use super::legacy::LegacyTable;

/// An address family of nf_tables (`NFPROTO_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Inet,
    Ip,
    Arp,
    Netdev,
    Bridge,
    Ip6,
    /// A number this build does not know.
    Other(u8),
}

/// Only for building values field by field; every decoded object has
/// its family from the message header.
impl Default for Family {
    fn default() -> Self {
        Self::Other(0)
    }
}

impl Family {
    pub fn from_raw(n: u8) -> Self {
        match n {
            1 => Self::Inet,
            2 => Self::Ip,
            3 => Self::Arp,
            5 => Self::Netdev,
            7 => Self::Bridge,
            10 => Self::Ip6,
            n => Self::Other(n),
        }
    }

    pub fn raw(self) -> u8 {
        match self {
            Self::Inet => 1,
            Self::Ip => 2,
            Self::Arp => 3,
            Self::Netdev => 5,
            Self::Bridge => 7,
            Self::Ip6 => 10,
            Self::Other(n) => n,
        }
    }

    /// The name nft gives it.
    pub fn name(self) -> String {
        match self {
            Self::Inet => "inet".into(),
            Self::Ip => "ip".into(),
            Self::Arp => "arp".into(),
            Self::Netdev => "netdev".into(),
            Self::Bridge => "bridge".into(),
            Self::Ip6 => "ip6".into(),
            Self::Other(n) => format!("family-{n}"),
        }
    }
}

/// Where a base chain or a flowtable hooks into the packet path. The
/// number's meaning depends on the family, so it is named only with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hook {
    pub num: Option<u32>,
    /// Signed: `raw` is -300.
    pub priority: Option<i32>,
    pub devices: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    pub packets: u64,
    pub bytes: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub family: Family,
    pub name: String,
    pub handle: u64,
    /// `NFT_TABLE_F_*`: dormant, owner, persist.
    pub flags: u32,
    pub use_count: u32,
    /// The netlink port of the process that owns the table, if one does:
    /// the kernel removes the table when that socket closes.
    pub owner: Option<u32>,
    pub userdata: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chain {
    pub family: Family,
    pub table: String,
    pub name: String,
    pub handle: u64,
    /// Base chains only.
    pub hook: Option<Hook>,
    /// `filter`, `nat` or `route`; base chains only.
    pub kind: Option<String>,
    /// `NF_DROP` (0) or `NF_ACCEPT` (1); base chains only.
    pub policy: Option<u32>,
    /// `NFT_CHAIN_*`: base, hw-offload, binding.
    pub flags: u32,
    /// Packets that reached the policy, for base chains with counters.
    pub counter: Option<Counter>,
    pub use_count: u32,
    pub userdata: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rule {
    pub family: Family,
    pub table: String,
    pub chain: String,
    pub handle: u64,
    /// The handle of the rule before it, in dumps.
    pub position: Option<u64>,
    pub exprs: Vec<Expr>,
    /// Layer 4 protocol and flags of a rule with compat expressions.
    pub compat: Option<(u32, u32)>,
    /// nft keeps the comment here (TLVs of its own).
    pub userdata: Option<Vec<u8>>,
    /// Filled as the snapshot reads the rule (`render::rule_texts`).
    pub text: RuleText,
}

/// A rule's statements as nft prints them, rendered once, as the dump
/// brings the rule: the text changes only with a commit, which changes the rule or
/// (for iptables-nft's NAT targets, see `render::Libxtables`) the rules
/// listed before it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleText {
    /// As `nft list ruleset` prints it, with the snapshot's counts.
    pub nft: String,
    /// As `nft --stateless` prints it, where that differs.
    pub stateless: Option<String>,
}

impl RuleText {
    /// As `nft --stateless` prints it.
    pub fn stateless(&self) -> &str {
        self.stateless.as_deref().unwrap_or(&self.nft)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Set {
    pub family: Family,
    pub table: String,
    pub name: String,
    pub handle: u64,
    /// `NFT_SET_*`: anonymous, constant, interval, map, timeout, …
    pub flags: u32,
    pub key_type: u32,
    pub key_len: u32,
    pub data_type: Option<u32>,
    pub data_len: Option<u32>,
    pub obj_type: Option<u32>,
    pub policy: Option<u32>,
    pub size: Option<u32>,
    /// Lengths of the fields of a concatenated key.
    pub fields: Vec<u32>,
    /// Default timeout, ms.
    pub timeout_ms: Option<u64>,
    pub gc_interval_ms: Option<u32>,
    pub exprs: Vec<Expr>,
    pub userdata: Option<Vec<u8>>,
    pub elements: Vec<Element>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Element {
    /// The key's bytes (`NFTA_DATA_VALUE`).
    pub key: Vec<u8>,
    /// The end of a range, for sets of concatenated ranges.
    pub key_end: Option<Vec<u8>>,
    /// What a map maps the key to: a value or a verdict.
    pub data: Option<Data>,
    /// `NFT_SET_ELEM_INTERVAL_END` (1) and `_CATCHALL` (2).
    pub flags: u32,
    pub timeout_ms: Option<u64>,
    pub expiration_ms: Option<u64>,
    pub objref: Option<String>,
    pub exprs: Vec<Expr>,
    pub userdata: Option<Vec<u8>>,
}

/// A named stateful object: counter, quota, limit, ct helper, …
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    pub family: Family,
    pub table: String,
    pub name: String,
    pub handle: u64,
    /// `NFT_OBJECT_*`.
    pub kind: u32,
    /// The type's own attributes, undecoded here.
    pub data: Vec<u8>,
    pub use_count: u32,
    pub userdata: Option<Vec<u8>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flowtable {
    pub family: Family,
    pub table: String,
    pub name: String,
    pub handle: u64,
    pub hook: Hook,
    pub flags: u32,
    pub use_count: u32,
}

/// A commit of the ruleset: its number, and who made it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Generation {
    pub id: u32,
    pub pid: Option<u32>,
    pub process: Option<String>,
}

/// A table with everything in it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableContents {
    pub table: Table,
    pub chains: Vec<ChainContents>,
    pub sets: Vec<Set>,
    pub objects: Vec<Object>,
    pub flowtables: Vec<Flowtable>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChainContents {
    pub chain: Chain,
    /// In the kernel's order.
    pub rules: Vec<Rule>,
}

/// The whole ruleset at one generation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ruleset {
    pub generation: u32,
    pub tables: Vec<TableContents>,
    /// Tables of the legacy iptables that hold rules nf_tables cannot
    /// show.
    pub legacy: Vec<LegacyTable>,
    /// Names of the ipsets that iptables' set matches refer to.
    pub ipsets: IpsetNames,
}

impl Ruleset {
    /// The rule at `handle` in chain `chain` of table `table` of the
    /// family nft names `family`, with its table and chain.
    pub fn locate(
        &self,
        family: &str,
        table: &str,
        chain: &str,
        handle: u64,
    ) -> Option<(&TableContents, &ChainContents, &Rule)> {
        let t = self.tables.iter().find(|t| {
            t.table.family.name() == family && t.table.name == table
        })?;
        let c = t.chains.iter().find(|c| c.chain.name == chain)?;
        let r = c.rules.iter().find(|r| r.handle == handle)?;
        Some((t, c, r))
    }
}
