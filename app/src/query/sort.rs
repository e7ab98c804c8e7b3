//! The order of the flow table: `?sort=-bytes` and the column headers.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::FlowFields;
use crate::wire::Nat;

/// A column the table can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortField {
    Proto,
    Src,
    Dst,
    Sport,
    Dport,
    State,
    Nat,
    Mark,
    Zone,
    /// Time since the flow started: ascending shows the youngest first.
    Age,
    Timeout,
    Bytes,
    Packets,
    Id,
}

impl SortField {
    pub const ALL: [SortField; 14] = [
        Self::Proto,
        Self::Src,
        Self::Dst,
        Self::Sport,
        Self::Dport,
        Self::State,
        Self::Nat,
        Self::Mark,
        Self::Zone,
        Self::Age,
        Self::Timeout,
        Self::Bytes,
        Self::Packets,
        Self::Id,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proto => "proto",
            Self::Src => "src",
            Self::Dst => "dst",
            Self::Sport => "sport",
            Self::Dport => "dport",
            Self::State => "state",
            Self::Nat => "nat",
            Self::Mark => "mark",
            Self::Zone => "zone",
            Self::Age => "age",
            Self::Timeout => "timeout",
            Self::Bytes => "bytes",
            Self::Packets => "packets",
            Self::Id => "id",
        }
    }

    /// Ascending order of this column alone; missing values (no ports, no
    /// state, no timeout) come first, missing counters count as 0.
    pub fn compare<F: FlowFields + ?Sized>(self, a: &F, b: &F) -> Ordering {
        let bytes = |f: &F| f.counters().map_or(0, |c| c.bytes());
        let packets = |f: &F| f.counters().map_or(0, |c| c.packets());
        match self {
            Self::Proto => a.proto().cmp(&b.proto()),
            Self::Src => a.orig().src.cmp(&b.orig().src),
            Self::Dst => a.orig().dst.cmp(&b.orig().dst),
            Self::Sport => a.orig().sport.cmp(&b.orig().sport),
            Self::Dport => a.orig().dport.cmp(&b.orig().dport),
            Self::State => a.state().cmp(&b.state()),
            Self::Nat => {
                let names = |n: &Nat| n.as_str();
                a.nat().iter().map(names).cmp(b.nat().iter().map(names))
            }
            Self::Mark => a.mark().cmp(&b.mark()),
            Self::Zone => a.zone().cmp(&b.zone()),
            // Age is now minus the start, so the later start is younger.
            Self::Age => b.started_ms().cmp(&a.started_ms()),
            Self::Timeout => a.timeout().cmp(&b.timeout()),
            Self::Bytes => bytes(a).cmp(&bytes(b)),
            Self::Packets => packets(a).cmp(&packets(b)),
            Self::Id => a.id().cmp(&b.id()),
        }
    }
}

impl fmt::Display for SortField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SortField {
    type Err = SortError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|field| field.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| SortError(s.to_owned()))
    }
}

/// The sort text that named no column; holds the whole text as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown sort field {0:?}; expected one of {fields}, with a leading \"-\" \
     for descending order",
    fields = field_names()
)]
pub struct SortError(pub String);

fn field_names() -> String {
    let names = SortField::ALL.map(SortField::as_str);
    names.join(", ")
}

/// A column and a direction; the default is youngest flows first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    pub field: SortField,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Self {
            field: SortField::Age,
            descending: false,
        }
    }
}

impl Sort {
    /// The sortable columns, in table order.
    pub fn columns() -> &'static [SortField] {
        &SortField::ALL
    }

    /// A total order: flows equal on the column keep the order of their
    /// keys, in either direction, so rows don't jump around between
    /// refreshes.
    pub fn compare<F: FlowFields + ?Sized>(&self, a: &F, b: &F) -> Ordering {
        let by_field = self.field.compare(a, b);
        let by_field = if self.descending {
            by_field.reverse()
        } else {
            by_field
        };
        by_field.then_with(|| a.key().cmp(&b.key()))
    }
}

impl fmt::Display for Sort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.descending { "-" } else { "" };
        write!(f, "{sign}{}", self.field)
    }
}

impl FromStr for Sort {
    type Err = SortError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, s),
        };
        let field = name.parse().map_err(|_| SortError(s.to_owned()))?;
        Ok(Self { field, descending })
    }
}

crate::wire::text::serde_as_text!(Sort);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{flow, icmp, tcp, tuple};
    use crate::wire::{Counters, Direction, Flow, FlowKey, Proto};
    use proptest::prelude::*;

    fn sort(text: &str) -> Sort {
        text.parse().unwrap()
    }

    fn with_id(mut flow: Flow, id: u32) -> Flow {
        flow.key.id = id;
        flow.id = id;
        flow
    }

    /// The ids of `flows` in the order `text` sorts them.
    fn order(text: &str, flows: &[Flow]) -> Vec<u32> {
        let mut flows = flows.to_vec();
        let s = sort(text);
        flows.sort_by(|a, b| s.compare(a, b));
        flows.iter().map(|f| f.key.id).collect()
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(Sort::columns().len(), 14);
        for &field in Sort::columns() {
            for descending in [false, true] {
                let s = Sort { field, descending };
                assert_eq!(s.to_string().parse::<Sort>(), Ok(s));
            }
            assert_eq!(field.as_str().parse::<SortField>(), Ok(field));
        }
        assert_eq!(
            sort("-bytes"),
            Sort {
                field: SortField::Bytes,
                descending: true
            }
        );
        assert_eq!(sort("Packets").field, SortField::Packets);
        assert_eq!(Sort::default().to_string(), "age");
    }

    #[test]
    fn rejects_unknown_fields() {
        let expected = "unknown sort field \"-byte\"; expected one of proto, \
                        src, dst, sport, dport, state, nat, mark, zone, age, \
                        timeout, bytes, packets, id, with a leading \"-\" for \
                        descending order";
        assert_eq!("-byte".parse::<Sort>().unwrap_err().to_string(), expected);
        for bad in ["", "-", "--bytes", "+bytes", " bytes", "host"] {
            assert_eq!(bad.parse::<Sort>(), Err(SortError(bad.to_owned())));
        }
    }

    #[test]
    fn serde_uses_the_text() {
        let json = serde_json::to_string(&sort("-timeout")).unwrap();
        assert_eq!(json, "\"-timeout\"");
        assert_eq!(
            serde_json::from_str::<Sort>(&json).unwrap(),
            sort("-timeout")
        );
        assert!(serde_json::from_str::<Sort>("\"nope\"").is_err());
    }

    #[test]
    fn default_is_youngest_first() {
        let mut old = with_id(tcp("10.0.0.1", 1, "10.0.0.2", 2), 1);
        old.first_seen_ms = 1_000;
        let mut young = with_id(tcp("10.0.0.1", 1, "10.0.0.2", 2), 2);
        young.first_seen_ms = 2_000;
        // The kernel's timestamp wins over first-seen.
        let mut kernel = with_id(tcp("10.0.0.1", 1, "10.0.0.2", 2), 3);
        kernel.first_seen_ms = 500;
        kernel.start_ns = Some(1_500_000_000);
        let flows = [old, young, kernel];
        assert_eq!(order("age", &flows), [2, 3, 1]);
        assert_eq!(order("-age", &flows), [1, 3, 2]);
        let s = Sort::default();
        assert_eq!(s.compare(&flows[1], &flows[0]), Ordering::Less);
    }

    #[test]
    fn addresses_and_ports() {
        let flows = [
            with_id(tcp("10.0.0.10", 5000, "fd00::1", 443), 1),
            with_id(tcp("10.0.0.9", 6000, "10.0.0.1", 80), 2),
            with_id(tcp("::1", 4000, "10.0.0.2", 22), 3),
            with_id(icmp("10.0.0.11", "10.0.0.1"), 4),
        ];
        // Numeric, not textual: 10.0.0.9 < 10.0.0.10; IPv4 before IPv6.
        assert_eq!(order("src", &flows), [2, 1, 4, 3]);
        assert_eq!(order("-src", &flows), [3, 4, 1, 2]);
        assert_eq!(order("dst", &flows), [2, 4, 3, 1]);
        // No ports first.
        assert_eq!(order("sport", &flows), [4, 3, 1, 2]);
        assert_eq!(order("dport", &flows), [4, 3, 2, 1]);
        assert_eq!(order("-dport", &flows), [1, 2, 3, 4]);
        assert_eq!(order("proto", &flows), [4, 1, 2, 3]);
    }

    #[test]
    fn the_other_columns() {
        let mut a = with_id(tcp("10.0.0.1", 1, "10.0.0.2", 2), 30);
        let mut b = with_id(icmp("10.0.0.1", "10.0.0.2"), 10);
        let mut c = with_id(
            flow(
                Proto::UDP,
                tuple("10.0.1.2", 4000, "10.0.1.1", 8080),
                tuple("10.0.2.2", 80, "10.0.1.2", 4000),
            ),
            20,
        );
        a.mark = 2;
        b.mark = 3;
        c.mark = 1;
        a.zone = 1;
        c.zone = 2;
        a.timeout = Some(100);
        b.timeout = None;
        c.timeout = Some(5);
        c.state = Some("close".into());
        let dir = |bytes, packets| Direction { bytes, packets };
        a.counters = Some(Counters {
            orig: dir(100, 1),
            reply: dir(100, 10),
        });
        c.counters = Some(Counters {
            orig: dir(150, 2),
            reply: dir(0, 0),
        });
        let flows = [a, b, c];
        assert_eq!(order("mark", &flows), [20, 30, 10]);
        assert_eq!(order("zone", &flows), [10, 30, 20]);
        assert_eq!(order("-timeout", &flows), [30, 20, 10]);
        assert_eq!(order("timeout", &flows), [10, 20, 30]);
        assert_eq!(order("state", &flows), [10, 20, 30]);
        // b has no counters: 0.
        assert_eq!(order("-bytes", &flows), [30, 20, 10]);
        assert_eq!(order("bytes", &flows), [10, 20, 30]);
        assert_eq!(order("-packets", &flows), [30, 20, 10]);
        assert_eq!(order("id", &flows), [10, 20, 30]);
        assert_eq!(order("-id", &flows), [30, 20, 10]);
        // No NAT first, then dnat.
        assert_eq!(order("nat", &flows), [10, 30, 20]);
        assert_eq!(order("-nat", &flows), [20, 10, 30]);
    }

    #[test]
    fn ties_follow_the_key_in_both_directions() {
        // Only the keys differ, not even the ids.
        let flows = [3, 1, 2].map(|netns| {
            let mut f = tcp("10.0.0.1", 1, "10.0.0.2", 2);
            f.key.netns = netns;
            f
        });
        for &field in Sort::columns() {
            for descending in [false, true] {
                let s = Sort { field, descending };
                let mut sorted = flows.clone();
                sorted.sort_by(|a, b| s.compare(a, b));
                let netns = sorted.map(|f| f.key.netns);
                assert_eq!(netns, [1, 2, 3], "{s}");
            }
        }
    }

    fn arbitrary_flow() -> impl Strategy<Value = Flow> {
        (
            any::<u64>(),
            0u32..4,
            0u64..3,
            0u16..3,
            0u32..3,
            any::<bool>(),
        )
            .prop_map(|(netns, id, start, port, mark, ping)| {
                let mut f = if ping {
                    icmp("10.0.0.1", "10.0.0.2")
                } else {
                    tcp("10.0.0.1", port, "10.0.0.2", port)
                };
                f.key = FlowKey {
                    netns: netns % 2,
                    id,
                    start,
                    ..FlowKey::default()
                };
                f.mark = mark;
                f.first_seen_ms = start;
                f
            })
    }

    proptest! {
        #[test]
        fn sort_round_trips(i in 0usize..14, descending: bool) {
            let s = Sort { field: SortField::ALL[i], descending };
            prop_assert_eq!(s.to_string().parse::<Sort>(), Ok(s));
        }

        #[test]
        fn parsing_never_panics(text in "\\PC*") {
            let _ = text.parse::<Sort>();
        }

        #[test]
        fn compare_is_a_total_order(
            a in arbitrary_flow(),
            b in arbitrary_flow(),
            c in arbitrary_flow(),
            i in 0usize..14,
            descending: bool,
        ) {
            let s = Sort { field: SortField::ALL[i], descending };
            prop_assert_eq!(s.compare(&a, &b), s.compare(&b, &a).reverse());
            // Distinct flows never tie; equal keys mean the same flow.
            if s.compare(&a, &b).is_eq() {
                prop_assert_eq!(a.key, b.key);
            }
            if s.compare(&a, &b).is_le() && s.compare(&b, &c).is_le() {
                prop_assert!(s.compare(&a, &c).is_le());
            }
        }
    }
}
