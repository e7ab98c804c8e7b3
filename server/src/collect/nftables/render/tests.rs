//! Rendering pieces against what nft prints, and never panicking on
//! arbitrary expressions.

use proptest::prelude::*;

use super::chain::priority;
use super::units;
use super::userdata;
use crate::collect::nftables::expr::decode_expressions;
use crate::collect::nftables::ruleset::{
    Element, Family, Rule, Set, TableContents,
};

#[test]
fn priorities_are_named_per_family_and_hook() {
    assert_eq!(priority(Family::Inet, "input", 0), "filter");
    assert_eq!(priority(Family::Inet, "input", 10), "filter + 10");
    assert_eq!(priority(Family::Inet, "input", 11), "11");
    assert_eq!(priority(Family::Inet, "output", -151), "mangle - 1");
    assert_eq!(priority(Family::Ip, "prerouting", -100), "dstnat");
    assert_eq!(priority(Family::Ip, "input", -100), "-100");
    assert_eq!(priority(Family::Bridge, "input", 0), "0");
    assert_eq!(priority(Family::Bridge, "output", 100), "out");
    assert_eq!(priority(Family::Netdev, "ingress", -500), "-500");
    assert_eq!(
        priority(Family::Inet, "input", i32::MIN),
        i32::MIN.to_string()
    );
}

#[test]
fn units_are_the_largest_that_divide() {
    assert_eq!(units::duration(3_600_000), "1h");
    assert_eq!(units::duration(119_992), "1m59s992ms");
    assert_eq!(units::bytes(1 << 20), "1 mbytes");
    assert_eq!(units::bytes(1 << 31), "2048 mbytes");
    assert_eq!(units::bytes(100), "100 bytes");
}

#[test]
fn comments_come_from_their_tlv() {
    let ud = [1, 2, 0xaa, 0xbb, 0, 3, b'h', b'i', 0];
    assert_eq!(userdata::comment(Some(&ud), 0).as_deref(), Some("hi"));
    assert_eq!(userdata::comment(Some(&ud[..5]), 0), None);
    assert_eq!(userdata::comment(Some(&[0, 9, 1]), 0), None);
}

#[test]
fn unknown_expressions_print_in_the_marked_form() {
    // One list element: NFTA_EXPR_NAME "nope", NFTA_EXPR_DATA with one
    // attribute 1 = 0x0a000001.
    let bytes = [
        28, 0, 1, 0, // NFTA_LIST_ELEM
        9, 0, 1, 0, b'n', b'o', b'p', b'e', 0, 0, 0, 0, // NAME
        12, 0, 2, 0, // DATA
        8, 0, 1, 0, 10, 0, 0, 1,
    ];
    let rule = Rule {
        exprs: decode_expressions(&bytes),
        ..Rule::default()
    };
    let table = TableContents::default();
    assert_eq!(
        super::rule(Family::Ip, &table, &rule),
        "[expr nope 1:0a000001]"
    );
}

/// A netlink attribute: length, type, value, padding to 4 bytes.
fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = (4 + value.len()) as u16;
    let mut out = len.to_ne_bytes().to_vec();
    out.extend(kind.to_ne_bytes());
    out.extend(value);
    out.resize(out.len().div_ceil(4) * 4, 0);
    out
}

/// Kinds whose attributes the renderer reads.
const KINDS: [&str; 24] = [
    "immediate",
    "cmp",
    "range",
    "bitwise",
    "byteorder",
    "payload",
    "exthdr",
    "meta",
    "rt",
    "ct",
    "lookup",
    "dynset",
    "objref",
    "counter",
    "quota",
    "limit",
    "log",
    "queue",
    "nat",
    "masq",
    "redir",
    "reject",
    "fib",
    "match",
];

/// An expression list of known kinds with arbitrary attributes: small
/// numbers (registers, keys, bases, lengths) and nested data nests, so
/// that the typed decoders, not only `Raw`, reach the renderer.
fn expressions() -> impl Strategy<Value = Vec<u8>> {
    let attr = (
        1u16..10,
        prop_oneof![
            (0u32..30).prop_map(|n| n.to_be_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..20)
                .prop_map(|v| nla(1, &v)),
            proptest::collection::vec(any::<u8>(), 0..8),
        ],
    );
    let expr = (0..KINDS.len(), proptest::collection::vec(attr, 0..6));
    proptest::collection::vec(expr, 0..8).prop_map(|exprs| {
        let mut list = Vec::new();
        for (kind, attrs) in exprs {
            let data: Vec<u8> =
                attrs.iter().flat_map(|(k, v)| nla(*k, v)).collect();
            let mut name = KINDS[kind].as_bytes().to_vec();
            name.push(0);
            let mut elem = nla(1, &name);
            elem.extend(nla(2, &data));
            list.extend(nla(1, &elem));
        }
        list
    })
}

proptest! {
    #[test]
    fn typed_expressions_render_without_panic(
        bytes in expressions(),
        key_len in 0u32..40,
        key_type in any::<u32>(),
        keys in proptest::collection::vec(
            (proptest::collection::vec(any::<u8>(), 0..24), 0u32..4),
            0..6,
        ),
    ) {
        let rule = Rule {
            exprs: decode_expressions(&bytes),
            ..Rule::default()
        };
        let elements = keys
            .into_iter()
            .map(|(key, flags)| Element { key, flags, ..Element::default() })
            .collect();
        let set = Set {
            name: "__set0".into(),
            flags: 0x1 | 0x4 | 0x8,
            key_type,
            key_len,
            data_type: Some(key_type),
            elements,
            ..Set::default()
        };
        let table = TableContents {
            sets: vec![set.clone(), Set { flags: 0x4, name: "s".into(), ..set }],
            ..TableContents::default()
        };
        for family in [Family::Inet, Family::Ip, Family::Bridge] {
            let _ = super::rule(family, &table, &rule);
        }
        let _ = super::table(&table, true);
    }

    #[test]
    fn arbitrary_expressions_render_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        key_len in 0u32..40,
    ) {
        let exprs = decode_expressions(&bytes);
        let rule = Rule { exprs: exprs.clone(), ..Rule::default() };
        // A set of any shape for lookups to find.
        let set = Set {
            name: "__set0".into(),
            flags: 0x1 | 0x4,
            key_type: 7,
            key_len,
            ..Set::default()
        };
        let table = TableContents {
            sets: vec![set],
            ..TableContents::default()
        };
        for family in [Family::Inet, Family::Ip, Family::Bridge] {
            let _ = super::rule(family, &table, &rule);
        }
    }
}
