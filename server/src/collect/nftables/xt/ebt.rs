//! The ebtables extensions by the name an expression carries: the
//! matches, the watchers (targets that let the rule go on) and the
//! targets that end it. A name this module does not know, or a struct
//! it cannot read, is `None`.

use super::{
    match_parts, target_parts, EbtIp, EbtLog, EbtMarkMatch, EbtMarkTarget,
    EbtNat, EbtNflog, EbtPkttype, EbtVlan, Family,
};
use crate::collect::nftables::expr::{Match, Target};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EbtMatch {
    /// `ip` and `ip6`.
    Ip(EbtIp),
    Mark(EbtMarkMatch),
    Pkttype(EbtPkttype),
    Vlan(EbtVlan),
}

impl EbtMatch {
    pub fn from_expr(attrs: &[Match]) -> Option<Self> {
        let (name, _, info) = match_parts(attrs);
        match name {
            "ip" => EbtIp::decode(info, Family::Ipv4).map(Self::Ip),
            "ip6" => EbtIp::decode(info, Family::Ipv6).map(Self::Ip),
            "mark_m" => EbtMarkMatch::decode(info).map(Self::Mark),
            "pkttype" => EbtPkttype::decode(info).map(Self::Pkttype),
            "vlan" => EbtVlan::decode(info).map(Self::Vlan),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EbtWatcher {
    Log(EbtLog),
    Nflog(EbtNflog),
}

impl EbtWatcher {
    pub fn from_expr(attrs: &[Target]) -> Option<Self> {
        let (name, _, info) = target_parts(attrs);
        match name {
            "log" => EbtLog::decode(info).map(Self::Log),
            "nflog" => EbtNflog::decode(info).map(Self::Nflog),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EbtTarget {
    Mark(EbtMarkTarget),
    /// `dnat`, `snat` and `redirect`.
    Nat(EbtNat),
}

impl EbtTarget {
    pub fn from_expr(attrs: &[Target]) -> Option<Self> {
        let (name, _, info) = target_parts(attrs);
        match name {
            "mark" => EbtMarkTarget::decode(info).map(Self::Mark),
            _ => EbtNat::decode(name, info).map(Self::Nat),
        }
    }
}
