//! Layer-4 protocol numbers, named where the kernel tracks them.

use std::fmt;
use std::str::FromStr;

/// An IP protocol number. Known protocols print and parse by name; any other
/// number prints as itself, so nothing the kernel sends is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Proto(pub u8);

const NAMES: &[(u8, &str)] = &[
    (1, "icmp"),
    (6, "tcp"),
    (17, "udp"),
    (33, "dccp"),
    (47, "gre"),
    (58, "icmpv6"),
    (132, "sctp"),
    (136, "udplite"),
];

impl Proto {
    pub const ICMP: Self = Self(1);
    pub const TCP: Self = Self(6);
    pub const UDP: Self = Self(17);
    pub const DCCP: Self = Self(33);
    pub const GRE: Self = Self(47);
    pub const ICMPV6: Self = Self(58);
    pub const SCTP: Self = Self(132);
    pub const UDPLITE: Self = Self(136);

    /// The names of the protocols conntrack tracks, by number.
    pub fn names() -> impl Iterator<Item = &'static str> + Clone {
        NAMES.iter().map(|(_, name)| *name)
    }

    pub fn name(self) -> Option<&'static str> {
        NAMES
            .iter()
            .find(|(n, _)| *n == self.0)
            .map(|(_, name)| *name)
    }

    /// Whether the tuples of this protocol carry port numbers.
    pub fn has_ports(self) -> bool {
        matches!(
            self,
            Self::TCP | Self::UDP | Self::DCCP | Self::SCTP | Self::UDPLITE
        )
    }

    pub fn is_icmp(self) -> bool {
        matches!(self, Self::ICMP | Self::ICMPV6)
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

impl FromStr for Proto {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        // `ipv6-icmp` is how /etc/protocols and conntrack spell it.
        let lower = if lower == "ipv6-icmp" {
            "icmpv6"
        } else {
            &lower
        };
        if let Some((n, _)) = NAMES.iter().find(|(_, name)| *name == lower) {
            return Ok(Self(*n));
        }
        lower.parse::<u8>().map(Self).map_err(|_| {
            format!(
                "unknown protocol {s:?}; use a name such as tcp, udp, icmp, \
                 icmpv6, sctp, dccp, gre or a number 0-255"
            )
        })
    }
}

crate::wire::text::serde_as_text!(Proto);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_round_trip() {
        for n in 0..=255u8 {
            let p = Proto(n);
            assert_eq!(p.to_string().parse::<Proto>(), Ok(p));
        }
        assert_eq!("TCP".parse::<Proto>(), Ok(Proto::TCP));
        assert_eq!("ipv6-icmp".parse::<Proto>(), Ok(Proto::ICMPV6));
        assert!("tcpp".parse::<Proto>().is_err());
    }
}
