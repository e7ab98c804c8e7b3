//! `REJECT` (`struct ipt_reject_info`, `struct ip6t_reject_info`): what
//! to answer with, from two lists of their own.

use std::fmt;

use super::info::Info;
use super::Family;

/// `enum ipt_reject_with`, by number; echo-reply (5) has no name.
const IPV4: [Option<&str>; 9] = [
    Some("icmp-net-unreachable"),
    Some("icmp-host-unreachable"),
    Some("icmp-proto-unreachable"),
    Some("icmp-port-unreachable"),
    None,
    Some("icmp-net-prohibited"),
    Some("icmp-host-prohibited"),
    Some("tcp-reset"),
    Some("icmp-admin-prohibited"),
];

/// `enum ip6t_reject_with`; not-neighbour (2) and echo-reply (5) have
/// none.
const IPV6: [Option<&str>; 9] = [
    Some("icmp6-no-route"),
    Some("icmp6-adm-prohibited"),
    None,
    Some("icmp6-addr-unreachable"),
    Some("icmp6-port-unreachable"),
    None,
    Some("tcp-reset"),
    Some("icmp6-policy-fail"),
    Some("icmp6-reject-route"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reject {
    pub with: u32,
    pub v6: bool,
}

impl Reject {
    pub fn decode(info: &[u8], family: Family) -> Option<Self> {
        Some(Self {
            with: Info(info).u32(0)?,
            v6: family == Family::Ipv6,
        })
    }

    /// The name iptables gives the answer, if it has one.
    pub fn name(&self) -> Option<&'static str> {
        let names: &[Option<&str>] = if self.v6 { &IPV6 } else { &IPV4 };
        names.get(self.with as usize).copied().flatten()
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, " --reject-with {name}"),
            None => write!(f, " --reject-with [{}]", self.with),
        }
    }
}
