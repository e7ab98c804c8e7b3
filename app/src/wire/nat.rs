//! What network address translation did to a flow, read from its tuples.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Endpoints, Tuple};

/// One kind of rewrite. A flow can carry several (DNAT and SNAT both).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Nat {
    /// The destination was rewritten: the reply comes from someone other
    /// than the one the client addressed (port forwarding, Docker publish).
    Dnat,
    /// The source address was rewritten (SNAT or masquerade).
    Snat,
    /// Only the source port was rewritten, addresses unchanged: NAT had to
    /// pick another port because the original clashed with an existing
    /// entry.
    SportRewrite,
}

impl Nat {
    pub const ALL: [Nat; 3] = [Nat::Dnat, Nat::Snat, Nat::SportRewrite];

    /// Classify by comparing the reply tuple with the mirror of the
    /// original one; a flow without NAT gives an empty list.
    pub fn classify(orig: &Tuple, reply: &Tuple) -> Vec<Nat> {
        Self::of(&orig.into(), &reply.into()).to_vec()
    }

    /// [`Nat::classify`] without allocating: one of the few combinations
    /// there are, for filtering a whole table.
    pub fn of(orig: &Endpoints, reply: &Endpoints) -> &'static [Nat] {
        use Nat::*;
        let dnat = reply.src != orig.dst || reply.sport != orig.dport;
        let snat = reply.dst != orig.src;
        let rewrite = reply.dport != orig.sport;
        match (dnat, snat, rewrite) {
            (false, false, false) => &[],
            (true, false, false) => &[Dnat],
            (false, true, _) => &[Snat],
            (false, false, true) => &[SportRewrite],
            (true, true, _) => &[Dnat, Snat],
            (true, false, true) => &[Dnat, SportRewrite],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Nat::Dnat => "dnat",
            Nat::Snat => "snat",
            Nat::SportRewrite => "sport-rewrite",
        }
    }

    /// The rewrite in words, e.g. "DNAT to 10.0.2.2:80".
    pub fn describe(self, orig: &Tuple, reply: &Tuple) -> String {
        match self {
            Nat::Dnat => {
                format!("DNAT to {}", endpoint(reply.src, reply.sport))
            }
            Nat::Snat => format!(
                "SNAT/masquerade as {}",
                endpoint(reply.dst, reply.dport)
            ),
            Nat::SportRewrite => format!(
                "source port {} rewritten to {} (NAT port clash)",
                port(orig.sport),
                port(reply.dport)
            ),
        }
    }

    /// A few words for a table cell, e.g. "DNAT 10.0.2.2:80".
    pub fn short(self, orig: &Tuple, reply: &Tuple) -> String {
        match self {
            Nat::Dnat => format!("DNAT {}", endpoint(reply.src, reply.sport)),
            Nat::Snat => format!("SNAT {}", reply.dst),
            Nat::SportRewrite => {
                format!("port {}→{}", port(orig.sport), port(reply.dport))
            }
        }
    }
}

impl fmt::Display for Nat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `addr:port`, with IPv6 in brackets, or the bare address without a port.
pub fn endpoint(addr: std::net::IpAddr, port: Option<u16>) -> String {
    match (addr, port) {
        (std::net::IpAddr::V6(a), Some(p)) => format!("[{a}]:{p}"),
        (a, Some(p)) => format!("{a}:{p}"),
        (a, None) => a.to_string(),
    }
}

fn port(p: Option<u16>) -> String {
    p.map_or_else(|| "-".to_owned(), |p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::tuple as t;

    #[test]
    fn no_nat_when_reply_mirrors() {
        let o = t("10.0.0.1", 4000, "10.0.0.2", 80);
        let r = t("10.0.0.2", 80, "10.0.0.1", 4000);
        assert!(Nat::classify(&o, &r).is_empty());
    }

    #[test]
    fn dnat_published_port() {
        let o = t("10.0.1.2", 4000, "10.0.1.1", 8080);
        let r = t("10.0.2.2", 80, "10.0.1.2", 4000);
        assert_eq!(Nat::classify(&o, &r), [Nat::Dnat]);
        assert_eq!(Nat::Dnat.describe(&o, &r), "DNAT to 10.0.2.2:80");
    }

    #[test]
    fn masquerade() {
        let o = t("10.0.1.2", 4000, "10.0.2.2", 80);
        let r = t("10.0.2.2", 80, "10.0.2.1", 4000);
        assert_eq!(Nat::classify(&o, &r), [Nat::Snat]);
    }

    #[test]
    fn seed_clash_rewrites_source_port_only() {
        // The seed: 55094 became 19460 with addresses unchanged.
        let o = t("192.168.137.248", 55094, "172.18.0.4", 5000);
        let r = t("172.18.0.4", 5000, "192.168.137.248", 19460);
        assert_eq!(Nat::classify(&o, &r), [Nat::SportRewrite]);
        assert_eq!(
            Nat::SportRewrite.describe(&o, &r),
            "source port 55094 rewritten to 19460 (NAT port clash)"
        );
    }

    #[test]
    fn both_directions() {
        let o = t("10.0.1.2", 4000, "10.0.1.1", 8080);
        let r = t("10.0.2.2", 80, "10.0.2.1", 61000);
        assert_eq!(Nat::classify(&o, &r), [Nat::Dnat, Nat::Snat]);
    }
}
