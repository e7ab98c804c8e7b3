//! Sets and maps: the block of a named one (`type`, `flags`,
//! `elements = { … }`), and the elements alone, which a rule prints
//! inline for an anonymous set (`{ 22, 443 }`).

use super::datatype::{self, Type};
use super::expr::{self as stmt};
use super::set_typeof::{self, DATA_TYPEOF, KEY_TYPEOF};
use super::units;
use super::userdata::{
    self, SET_COMMENT, SET_DATA_BYTEORDER, SET_KEY_BYTEORDER,
};
use crate::collect::nftables::expr::{Data, ObjectType};
use crate::collect::nftables::ruleset::{Element, Set};

// NFT_SET_* (linux/netfilter/nf_tables.h)
const NFT_SET_ANONYMOUS: u32 = 0x1;
const NFT_SET_CONSTANT: u32 = 0x2;
const NFT_SET_INTERVAL: u32 = 0x4;
const NFT_SET_MAP: u32 = 0x8;
const NFT_SET_TIMEOUT: u32 = 0x10;
const NFT_SET_EVAL: u32 = 0x20;
const NFT_SET_OBJECT: u32 = 0x40;
// NFT_SET_ELEM_* flags of an element
const NFT_SET_ELEM_INTERVAL_END: u32 = 0x1;
const NFT_SET_ELEM_CATCHALL: u32 = 0x2;
/// `NFTA_SET_DATA_TYPE` of a verdict map (`NFT_DATA_VERDICT`).
const NFT_DATA_VERDICT: u32 = 0xffff_ff00;
/// `NFTA_SET_POLICY`: `NFT_SET_POL_MEMORY`.
const NFT_SET_POL_MEMORY: u32 = 1;
/// Set user data: elements are merged (`auto-merge`).
const SET_MERGE_ELEMENTS: u8 = 2;
/// Set user data: the map's values are ranges (NAT to a range).
const SET_DATA_INTERVAL: u8 = 6;
/// The key byte order TLV's value for host order.
const BYTEORDER_HOST: u32 = 1;

/// Whether the set belongs to a rule and prints inline there.
pub fn is_anonymous(set: &Set) -> bool {
    set.flags & NFT_SET_ANONYMOUS != 0
}

/// Whether the set maps keys to values (or verdicts, or objects).
pub fn is_map(set: &Set) -> bool {
    set.flags & (NFT_SET_MAP | NFT_SET_OBJECT) != 0
}

/// The types of the fields of the set's key.
pub fn key_types(set: &Set) -> Vec<Type> {
    Type::fields(set.key_type)
}

/// Whether the set's keys are in host byte order: as their type says,
/// or as the set's user data says for plain integers (from a meta key,
/// say).
fn key_host(set: &Set, ty: Type) -> bool {
    host_order(set, ty, SET_KEY_BYTEORDER)
}

/// As `key_host`, for a map's values (`ct zone set meta mark map`).
fn data_host(set: &Set, ty: Type) -> bool {
    host_order(set, ty, SET_DATA_BYTEORDER)
}

fn host_order(set: &Set, ty: Type, tlv: u8) -> bool {
    let declared = set
        .userdata
        .as_deref()
        .and_then(|u| userdata::field(u, tlv))
        .and_then(|v| v.try_into().ok())
        .map(u32::from_ne_bytes);
    ty.host_order() || (ty == Type::Integer && declared == Some(BYTEORDER_HOST))
}

/// The types of the fields of a map's values (several for a map to
/// concatenations, as NAT maps to an address and a port).
pub fn data_types(set: &Set) -> Option<Vec<Type>> {
    match set.data_type? {
        NFT_DATA_VERDICT => Some(vec![Type::Verdict]),
        id => Some(Type::fields(id)),
    }
}

/// Whether the map's values are ranges, each held as its first and
/// last value (`10.0.0.1-10.0.0.9`, per field for concatenations).
pub fn data_is_interval(set: &Set) -> bool {
    set.userdata
        .as_deref()
        .and_then(|u| userdata::field(u, SET_DATA_INTERVAL))
        .is_some_and(|v| v.iter().any(|&b| b != 0))
}

/// The type of a map's values, or of the first of their fields.
pub fn data_type(set: &Set) -> Option<Type> {
    data_types(set)?.first().copied()
}

fn type_names(types: &[Type]) -> String {
    types
        .iter()
        .map(|t| t.name())
        .collect::<Vec<_>>()
        .join(" . ")
}

/// `set NAME {` (or `map`) and the lines of its block.
pub fn set(s: &Set) -> (String, Vec<String>) {
    let keyword = if is_map(s) { "map" } else { "set" };
    let mut lines = Vec::new();
    let key = type_names(&key_types(s));
    let value = if s.flags & NFT_SET_OBJECT != 0 {
        s.obj_type
            .map(|t| stmt::object_keyword(ObjectType::from(t)).to_owned())
    } else {
        data_types(s).map(|t| type_names(&t))
    };
    let ud = s.userdata.as_deref();
    let declared_key = set_typeof::declared(ud, KEY_TYPEOF, s.family);
    let declared_data = set_typeof::declared(ud, DATA_TYPEOF, s.family);
    lines.push(match (declared_key, value) {
        // nft lists the declaration where the set has one.
        (Some(k), None) => format!("typeof {k}"),
        (Some(k), Some(v)) => {
            format!("typeof {k} : {}", declared_data.unwrap_or(v))
        }
        (None, Some(v)) => format!("type {key} : {v}"),
        (None, None) => format!("type {key}"),
    });
    if s.policy == Some(NFT_SET_POL_MEMORY) {
        lines.push("policy memory".to_owned());
    }
    if let Some(size) = s.size.filter(|&n| n != 0) {
        lines.push(format!("size {size}"));
    }
    let flags = flag_names(s.flags);
    // nft leaves out a timeout flag alone when the set has a timeout.
    let implied = flags == ["timeout"] && s.timeout_ms.is_some();
    if !flags.is_empty() && !implied {
        lines.push(format!("flags {}", flags.join(",")));
    }
    for e in &s.exprs {
        lines.push(stmt::stateful_keyword(e));
    }
    let ud = s.userdata.as_deref();
    if ud
        .and_then(|u| userdata::field(u, SET_MERGE_ELEMENTS))
        .is_some()
    {
        lines.push("auto-merge".to_owned());
    }
    if let Some(ms) = s.timeout_ms {
        lines.push(format!("timeout {}", units::duration(ms)));
    }
    if let Some(ms) = s.gc_interval_ms {
        lines.push(format!("gc-interval {}", units::duration(ms.into())));
    }
    if let Some(c) = userdata::comment(ud, SET_COMMENT) {
        lines.push(format!("comment \"{c}\""));
    }
    let elements = elements(s);
    if !elements.is_empty() {
        // A concatenation prints one element to a line.
        let per_line = match key_types(s).as_slice() {
            [t] => t.per_line(),
            _ => 1,
        };
        lines.push(format!("elements = {}", wrapped(&elements, per_line)));
    }
    (keyword.to_owned(), lines)
}

/// The flags nft prints, in its order.
fn flag_names(flags: u32) -> Vec<&'static str> {
    [
        (NFT_SET_CONSTANT, "constant"),
        (NFT_SET_INTERVAL, "interval"),
        (NFT_SET_TIMEOUT, "timeout"),
        (NFT_SET_EVAL, "dynamic"),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, name)| name)
    // nft lists `dynamic` before `timeout`.
    .fold(Vec::new(), |mut v, name| {
        match (name, v.last()) {
            ("dynamic", Some(&"timeout")) => v.insert(v.len() - 1, name),
            _ => v.push(name),
        }
        v
    })
}

/// `{ a, b }` on one line, as a rule prints an anonymous set.
pub fn inline(set: &Set) -> String {
    inline_as(set, &key_types(set), &[])
}

/// As `inline`, with the key's fields printed as `types` and, when
/// given, cut at `sizes` bytes: the rule's key can tell more than the
/// set's type (a raw field is an integer nft prints in hex; a field of
/// an integer type has the size of what the rule loads).
pub fn inline_as(set: &Set, types: &[Type], sizes: &[usize]) -> String {
    format!("{{ {} }}", elements_as(set, types, sizes).join(", "))
}

/// `{ a, b,\n\t\t\t     c }`: a named set's elements, `per_line` to a
/// line, continued at the column nft uses.
fn wrapped(elements: &[String], per_line: usize) -> String {
    let lines: Vec<String> = elements
        .chunks(per_line.max(1))
        .map(|chunk| chunk.join(", "))
        .collect();
    format!("{{ {} }}", lines.join(",\n\t\t\t     "))
}

/// Every element as nft prints it, in its order: intervals joined from
/// their start and end elements, sorted by key.
pub fn elements(set: &Set) -> Vec<String> {
    elements_as(set, &key_types(set), &[])
}

fn elements_as(set: &Set, types: &[Type], sizes: &[usize]) -> Vec<String> {
    let mut elems: Vec<&Element> = set.elements.iter().collect();
    // Ranges of concatenations keep the kernel's order; nft sorts the
    // rest. The end of one range can be where the next starts: the end
    // first.
    let interval = set.flags & NFT_SET_INTERVAL != 0 && set.fields.len() < 2;
    if set.elements.iter().all(|e| e.key_end.is_none()) {
        // nft reads the elements in the reverse of the kernel's order,
        // and keeps that order where its sort finds two alike.
        elems.reverse();
        elems.sort_by_key(|e| {
            let start = e.flags & NFT_SET_ELEM_INTERVAL_END == 0;
            (sort_key(types, &e.key, interval), start)
        });
    }
    // The catch-all element comes last, whatever its place.
    elems.sort_by_key(|e| e.flags & NFT_SET_ELEM_CATCHALL != 0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < elems.len() {
        let e = elems[i];
        i += 1;
        if e.flags & NFT_SET_ELEM_CATCHALL != 0 {
            out.push(with_extras(set, e, "*".to_owned()));
            continue;
        }
        if interval {
            if e.flags & NFT_SET_ELEM_INTERVAL_END != 0 {
                continue;
            }
            // The range ends where the next element starts: an end
            // marker, or the next range where the two touch (nft sends
            // no end marker then). The last runs to the top of the key
            // space.
            let end = match elems.get(i) {
                Some(n) if n.flags & NFT_SET_ELEM_CATCHALL == 0 => {
                    if n.flags & NFT_SET_ELEM_INTERVAL_END != 0 {
                        i += 1;
                    }
                    minus_one(&n.key)
                }
                _ => vec![0xff; e.key.len()],
            };
            let ty = types.first().copied().unwrap_or(Type::Integer);
            out.push(with_extras(set, e, range(ty, &e.key, &end)));
        } else {
            out.push(with_extras(set, e, key(set, types, sizes, e)));
        }
    }
    out
}

/// The set with its keys moved `bits` bits down: the values of a field
/// narrower than the bytes a rule loads (`ip dscp`), which the kernel
/// holds shifted up. The end marker of a range is the first key past
/// it, and stays the first past the moved range.
pub fn unshifted(set: &Set, bits: u32) -> Set {
    let mut moved = set.clone();
    for e in &mut moved.elements {
        if e.flags & NFT_SET_ELEM_INTERVAL_END != 0 {
            e.key = minus_one(&e.key);
            shift_down(&mut e.key, bits);
            e.key = plus_one(&e.key);
        } else {
            shift_down(&mut e.key, bits);
        }
        if let Some(end) = &mut e.key_end {
            shift_down(end, bits);
        }
    }
    moved
}

/// A big-endian number of up to 16 bytes moved `bits` bits down.
fn shift_down(key: &mut [u8], bits: u32) {
    if key.len() > 16 || bits >= 128 {
        return;
    }
    let n = datatype::number(key, false) >> bits;
    let bytes = n.to_be_bytes();
    key.copy_from_slice(&bytes[16 - key.len()..]);
}

/// A big-endian number plus one, wrapping.
fn plus_one(key: &[u8]) -> Vec<u8> {
    let mut out = key.to_vec();
    for b in out.iter_mut().rev() {
        let (sum, carry) = b.overflowing_add(1);
        *b = sum;
        if !carry {
            break;
        }
    }
    out
}

/// The order nft prints elements in: by the key's value as a number in
/// its byte order, where strings and concatenations count as host
/// order; the keys of ranges are in network order.
fn sort_key(types: &[Type], key: &[u8], interval: bool) -> Vec<u8> {
    if let [t] = types {
        if t.is_flags() {
            // nft holds several flags as `a | b` and sorts that by its
            // first flag, the lowest bit.
            let n = datatype::number(key, t.host_order());
            let lowest = n & n.wrapping_neg();
            return lowest.to_be_bytes().to_vec();
        }
    }
    let host = match types {
        _ if interval => false,
        [t] => t.host_order() || matches!(t, Type::Ifname | Type::String),
        _ => true,
    };
    if host && cfg!(target_endian = "little") {
        key.iter().rev().copied().collect()
    } else {
        key.to_vec()
    }
}

/// An element's key: one value, or the fields of a concatenation, each
/// a range where the set has range ends.
fn key(set: &Set, types: &[Type], sizes: &[usize], e: &Element) -> String {
    let sizes = field_sizes(set, types, sizes);
    let starts = split(&e.key, &sizes);
    let ends = e.key_end.as_deref().map(|k| split(k, &sizes));
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| {
            let ty = types.get(i).copied().unwrap_or(Type::Integer);
            match ends.as_ref().and_then(|ends| ends.get(i)) {
                Some(end) => range(ty, start, end),
                None if ty.is_flags() => {
                    let n = datatype::number(start, key_host(set, ty));
                    datatype::flags(ty, n).replace(',', " | ")
                }
                None => datatype::value_in(ty, start, key_host(set, ty)),
            }
        })
        .collect::<Vec<_>>()
        .join(" . ")
}

/// The bytes of each field of a concatenated key: the set's field
/// lengths, else those the rule's key gives, else the types' sizes;
/// each field takes whole 32-bit registers.
fn field_sizes(set: &Set, types: &[Type], given: &[usize]) -> Vec<usize> {
    if types.len() < 2 {
        return vec![set.key_len as usize];
    }
    if set.fields.len() == types.len() {
        return set.fields.iter().map(|&n| n as usize).collect();
    }
    if given.len() == types.len() {
        return given.to_vec();
    }
    types
        .iter()
        .map(|t| t.size().unwrap_or(4) as usize)
        .collect()
}

/// `bytes` cut into fields of `sizes`, each padded to 4 bytes.
fn split<'a>(bytes: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    for &size in sizes {
        let end = (at + size).min(bytes.len());
        out.push(&bytes[at.min(end)..end]);
        at += size.div_ceil(4) * 4;
    }
    out
}

/// A map's value of ranges: the first value of each field, then the
/// last of each, in whole registers. One field prints as a range (a
/// prefix, `/32` for one address); fields of a concatenation print one
/// value where first and last are the same.
fn ranges(types: &[Type], bytes: &[u8]) -> String {
    let sizes: Vec<usize> = types
        .iter()
        .map(|t| t.size().unwrap_or(4) as usize)
        .collect();
    let half: usize = sizes.iter().map(|n| n.div_ceil(4) * 4).sum();
    let (first, last) = bytes.split_at(half.min(bytes.len()));
    let fields: Vec<String> = types
        .iter()
        .zip(split(first, &sizes).into_iter().zip(split(last, &sizes)))
        .map(|(&ty, (lo, hi))| {
            if types.len() == 1 && lo == hi {
                format!("{}/{}", datatype::value(ty, lo), lo.len() * 8)
            } else {
                range(ty, lo, hi)
            }
        })
        .collect();
    fields.join(" . ")
}

/// `start-end`, `prefix/len` where the range is one, or one value.
/// nft keeps the keys of ranges in network order, whatever the order
/// of their type, so that they compare as numbers.
pub fn range(ty: Type, start: &[u8], end: &[u8]) -> String {
    if start == end {
        return datatype::value_in(ty, start, false);
    }
    if matches!(ty, Type::Ipv4 | Type::Ipv6) {
        if let Some(len) = prefix_len(start, end) {
            return format!("{}/{len}", datatype::value(ty, start));
        }
    }
    format!(
        "{}-{}",
        datatype::numeric_in(ty, start, false),
        datatype::numeric_in(ty, end, false)
    )
}

/// The prefix length of `start..=end` if it is a prefix: the same
/// leading bits, then zeros in `start` and ones in `end`.
fn prefix_len(start: &[u8], end: &[u8]) -> Option<usize> {
    if start.len() != end.len() {
        return None;
    }
    let bits = |b: &[u8]| {
        b.iter()
            .flat_map(|byte| (0..8).rev().map(move |i| byte >> i & 1))
            .collect::<Vec<_>>()
    };
    let (s, e) = (bits(start), bits(end));
    let len = s.iter().zip(&e).take_while(|(a, b)| a == b).count();
    let rest_ok =
        s[len..].iter().all(|&b| b == 0) && e[len..].iter().all(|&b| b == 1);
    rest_ok.then_some(len)
}

/// A big-endian number minus one (the last key inside a range, from the
/// first key after it).
fn minus_one(key: &[u8]) -> Vec<u8> {
    let mut out = key.to_vec();
    for b in out.iter_mut().rev() {
        let (v, borrow) = b.overflowing_sub(1);
        *b = v;
        if !borrow {
            break;
        }
    }
    out
}

/// An element's key with what follows it: its expressions, timeout and
/// comment, then a map's value.
fn with_extras(set: &Set, e: &Element, key: String) -> String {
    let mut out = key;
    for x in &e.exprs {
        out += &format!(" {}", stmt::stateful_statement(x));
    }
    if let Some(ms) = e.timeout_ms {
        out += &format!(" timeout {}", units::duration(ms));
    }
    if let Some(ms) = e.expiration_ms {
        out += &format!(" expires {}", units::duration(ms));
    }
    if let Some(c) = userdata::comment(e.userdata.as_deref(), 0) {
        out += &format!(" comment \"{c}\"");
    }
    if let Some(obj) = &e.objref {
        out += &format!(" : \"{obj}\"");
    } else if let Some(d) = &e.data {
        let types = data_types(set).unwrap_or_default();
        let value = match (d, types.as_slice()) {
            (Data::Value(bytes), _) if data_is_interval(set) => {
                ranges(&types, bytes)
            }
            (Data::Value(bytes), [_, _, ..]) => {
                let sizes: Vec<usize> = types
                    .iter()
                    .map(|t| t.size().unwrap_or(4) as usize)
                    .collect();
                split(bytes, &sizes)
                    .iter()
                    .zip(&types)
                    .map(|(b, t)| datatype::value(*t, b))
                    .collect::<Vec<_>>()
                    .join(" . ")
            }
            (Data::Value(bytes), _) => {
                let ty = types.first().copied().unwrap_or(Type::Integer);
                datatype::value_in(ty, bytes, data_host(set, ty))
            }
            _ => datatype::data(
                types.first().copied().unwrap_or(Type::Integer),
                d,
            ),
        };
        out += &format!(" : {value}");
    }
    out
}
