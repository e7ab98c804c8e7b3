//! `proto`: a protocol, by name or number.

use super::equals::equals;
use super::{Item, Parsed};
use crate::query::words::{one_of, unknown};
use crate::wire::Proto;

pub(super) fn parse(items: &[Item]) -> Parsed {
    equals(items, one, |flow| flow.proto())
}

fn one(text: &str) -> Result<Proto, String> {
    text.parse().map_err(|_| {
        let expected = format!("{} or a number 0-255", one_of(Proto::names()));
        unknown("protocol", text, Proto::names(), expected)
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{error, filter, hits, icmp, position, tcp};

    #[test]
    fn names_and_numbers() {
        let t = tcp("10.0.0.1", 4000, "10.0.0.2", 443);
        let i = icmp("10.0.0.1", "10.0.0.2");
        assert!(hits("proto:tcp", &t));
        assert!(hits("proto:TCP", &t));
        assert!(hits("proto:6", &t));
        assert!(!hits("proto:tcp", &i));
        assert!(hits("proto:udp,icmp", &i));
        assert!(hits("proto:!tcp", &i));
        assert!(!hits("proto:!tcp,icmp", &i));
        assert!(hits("proto:!tcp,udp", &i));
        assert_eq!(
            filter("proto:6,ICMP,250").to_string(),
            "proto:tcp,icmp,250"
        );
    }

    #[test]
    fn unknown_names_get_the_nearest_one() {
        assert_eq!(
            error("proto:tcpp"),
            (6, "unknown protocol \"tcpp\"; did you mean \"tcp\"?".into())
        );
        assert_eq!(
            error("proto:udp,UPD"),
            (10, "unknown protocol \"UPD\"; did you mean \"udp\"?".into())
        );
        assert_eq!(
            error("proto:tcp,256"),
            (
                10,
                "unknown protocol \"256\"; expected one of icmp, tcp, udp, \
                 dccp, gre, icmpv6, sctp, udplite or a number 0-255"
                    .into()
            )
        );
        assert_eq!(position("proto:quic"), 6);
    }
}
