//! `src`, `dst` and `host`: an address or a network.

use std::net::IpAddr;

use super::side::{on_side, Side, Span};
use super::{Item, Parsed};
use crate::query::{Cidr, Endpoints};

impl Span for Cidr {
    type Point = IpAddr;

    fn src(ends: &Endpoints) -> IpAddr {
        ends.src
    }

    fn dst(ends: &Endpoints) -> IpAddr {
        ends.dst
    }

    fn contains(&self, addr: IpAddr) -> bool {
        Cidr::contains(self, addr)
    }
}

pub(super) fn src(items: &[Item]) -> Parsed {
    on_side(items, Side::Src, str::parse::<Cidr>)
}

pub(super) fn dst(items: &[Item]) -> Parsed {
    on_side(items, Side::Dst, str::parse::<Cidr>)
}

pub(super) fn host(items: &[Item]) -> Parsed {
    on_side(items, Side::Any, str::parse::<Cidr>)
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, nat_both, position, tcp};

    #[test]
    fn src_and_dst_use_the_original_tuple() {
        let f = nat_both();
        assert!(hits("src:10.0.1.2", &f));
        assert!(hits("src:10.0.1.0/24", &f));
        assert!(hits("dst:10.0.1.1/32", &f));
        assert!(hits("src:10.0.0.0/8 dst:10.0.0.0/8", &f));
        // 10.0.2.2 is the DNAT target, seen only in the reply.
        assert!(!hits("dst:10.0.2.2", &f));
        assert!(!hits("src:10.0.2.1", &f));
        assert!(hits("dst:!10.0.2.0/24", &f));
        assert!(hits("src:192.168.0.0/16,10.0.1.2", &f));
        assert!(hits("src:0.0.0.0/0", &f));
        assert!(!hits("src:::/0", &f));
        assert!(!hits("src:!0.0.0.0/0", &f));
    }

    #[test]
    fn addresses_v6() {
        let f = tcp("fd00::1", 4000, "2001:db8::80", 443);
        assert!(hits("src:fd00::/8", &f));
        assert!(hits("src:fd00::1/128", &f));
        assert!(hits("src:FD00::1", &f));
        assert!(!hits("src:fd00::2/128", &f));
        assert!(hits("dst:2001:db8::/32", &f));
        assert!(hits("dst:!10.0.0.0/8", &f));
        assert!(hits("host:::/0", &f));
        assert!(!hits("host:0.0.0.0/0", &f));
        assert_eq!(filter("src:FD00::1/8").to_string(), "src:fd00::/8");
    }

    #[test]
    fn host_looks_at_all_four_addresses() {
        let f = nat_both();
        for addr in ["10.0.1.2", "10.0.1.1", "10.0.2.2", "10.0.2.1"] {
            assert!(hits(&format!("host:{addr}"), &f), "{addr}");
            assert!(!hits(&format!("host:!{addr}"), &f), "{addr}");
        }
        assert!(!hits("host:10.0.3.0/24", &f));
        assert!(hits("host:10.0.3.0/24,10.0.2.0/24", &f));
    }

    #[test]
    fn bad_addresses_point_at_the_value() {
        let (at, reason) = error("src:10.0.0.0/33");
        assert_eq!(at, 4);
        assert_eq!(
            reason,
            "bad prefix length in \"10.0.0.0/33\"; IPv4 allows 0-32"
        );
        assert_eq!(position("host:!10.0.0.1,fd00::/129"), 15);
        assert_eq!(position("dst:10.0.0.256"), 4);
    }
}
