//! Address prefixes for the filter's `src`, `dst` and `host` fields.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `fd00::/8`; a bare
/// address is a network of one.
///
/// Host bits are cleared on construction so that `10.1.2.3/8` and
/// `10.0.0.0/8` compare equal and print the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    net: IpAddr,
    len: u8,
}

impl Cidr {
    /// `None` when `len` is longer than the address (33 for IPv4).
    pub fn new(addr: IpAddr, len: u8) -> Option<Self> {
        (len <= max_len(addr)).then(|| Self {
            net: mask(addr, len),
            len,
        })
    }

    /// The network address, host bits cleared.
    pub fn addr(&self) -> IpAddr {
        self.net
    }

    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// Families never mix, not even through v4-mapped IPv6 addresses:
    /// conntrack keeps IPv4 and IPv6 entries apart, so `0.0.0.0/0` means
    /// "all IPv4".
    pub fn contains(&self, addr: IpAddr) -> bool {
        addr.is_ipv4() == self.net.is_ipv4() && mask(addr, self.len) == self.net
    }
}

fn max_len(addr: IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// `len` must fit the family; a shift by the full width (`/0`) overflows,
/// hence `checked_shl`.
fn mask(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(a) => {
            let bits = u32::MAX.checked_shl(32 - u32::from(len)).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(a) & bits))
        }
        IpAddr::V6(a) => {
            let bits = u128::MAX.checked_shl(128 - u32::from(len)).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(a) & bits))
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == max_len(self.net) {
            write!(f, "{}", self.net)
        } else {
            write!(f, "{}/{}", self.net, self.len)
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, len) = match s.split_once('/') {
            Some((addr, len)) => (addr, Some(len)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| {
            format!(
                "bad address {s:?}; expected an IP address or a prefix such \
                 as 10.0.0.0/8 or fd00::/8"
            )
        })?;
        let max = max_len(addr);
        let len = match len {
            None => max,
            // Digits only: `u8::from_str` would also take "+8".
            Some(len) => Some(len)
                .filter(|l| {
                    !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())
                })
                .and_then(|l| l.parse::<u8>().ok())
                .filter(|&l| l <= max)
                .ok_or_else(|| {
                    let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
                    format!(
                        "bad prefix length in {s:?}; {family} allows 0-{max}"
                    )
                })?,
        };
        Ok(Self {
            net: mask(addr, len),
            len,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn v4_prefixes() {
        let net = cidr("10.0.0.0/8");
        assert!(net.contains(ip("10.0.0.0")));
        assert!(net.contains(ip("10.255.255.255")));
        assert!(!net.contains(ip("11.0.0.0")));
        assert!(!net.contains(ip("9.255.255.255")));

        let odd = cidr("192.168.137.0/23");
        assert_eq!(odd.addr(), ip("192.168.136.0"));
        assert!(odd.contains(ip("192.168.136.1")));
        assert!(odd.contains(ip("192.168.137.254")));
        assert!(!odd.contains(ip("192.168.138.0")));
    }

    #[test]
    fn v4_extremes() {
        let all = cidr("0.0.0.0/0");
        assert!(all.contains(ip("0.0.0.0")));
        assert!(all.contains(ip("255.255.255.255")));
        assert!(!all.contains(ip("::")));

        let one = cidr("10.1.2.3/32");
        assert_eq!(one, cidr("10.1.2.3"));
        assert!(one.contains(ip("10.1.2.3")));
        assert!(!one.contains(ip("10.1.2.4")));
    }

    #[test]
    fn v6_prefixes_and_extremes() {
        let ula = cidr("fd00::/8");
        assert!(ula.contains(ip("fd12:3456::1")));
        assert!(!ula.contains(ip("fe80::1")));
        assert!(!ula.contains(ip("10.0.0.1")));

        let all = cidr("::/0");
        assert!(all.contains(ip("::")));
        assert!(all.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!all.contains(ip("0.0.0.0")));

        let one = cidr("2001:db8::1/128");
        assert_eq!(one, cidr("2001:db8::1"));
        assert!(one.contains(ip("2001:db8::1")));
        assert!(!one.contains(ip("2001:db8::2")));
    }

    #[test]
    fn families_do_not_mix() {
        assert!(!cidr("::ffff:0:0/96").contains(ip("10.0.0.1")));
        assert!(!cidr("10.0.0.1").contains(ip("::ffff:10.0.0.1")));
    }

    #[test]
    fn prints_canonically() {
        assert_eq!(cidr("10.1.2.3/8").to_string(), "10.0.0.0/8");
        assert_eq!(cidr("10.1.2.3/32").to_string(), "10.1.2.3");
        assert_eq!(cidr("FD00:0:0::1/8").to_string(), "fd00::/8");
        assert_eq!(cidr("2001:db8::1/128").to_string(), "2001:db8::1");
        assert_eq!(cidr("::/0").to_string(), "::/0");
    }

    #[test]
    fn new_checks_the_length() {
        assert_eq!(Cidr::new(ip("10.1.2.3"), 33), None);
        assert_eq!(Cidr::new(ip("::1"), 129), None);
        let net = Cidr::new(ip("10.1.2.3"), 16).unwrap();
        assert_eq!((net.addr(), net.prefix_len()), (ip("10.1.0.0"), 16));
    }

    #[test]
    fn rejects_bad_input() {
        let err = |s: &str| s.parse::<Cidr>().unwrap_err();
        assert!(err("10.0.0.300").starts_with("bad address \"10.0.0.300\""));
        assert!(err("").starts_with("bad address"));
        assert!(err("/8").starts_with("bad address"));
        assert_eq!(
            err("10.0.0.0/33"),
            "bad prefix length in \"10.0.0.0/33\"; IPv4 allows 0-32"
        );
        assert_eq!(
            err("fd00::/129"),
            "bad prefix length in \"fd00::/129\"; IPv6 allows 0-128"
        );
        for bad in ["10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/x", "10.0.0.0/8/8"] {
            assert!(err(bad).starts_with("bad prefix length"), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn display_round_trips(a: u128, v4: bool, len in 0u8..=128) {
            let (addr, len) = if v4 {
                (IpAddr::V4(Ipv4Addr::from(a as u32)), len % 33)
            } else {
                (IpAddr::V6(Ipv6Addr::from(a)), len)
            };
            let net = Cidr::new(addr, len).unwrap();
            prop_assert!(net.contains(addr));
            prop_assert_eq!(net.to_string().parse::<Cidr>(), Ok(net));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC*") {
            let _ = s.parse::<Cidr>();
        }
    }
}
