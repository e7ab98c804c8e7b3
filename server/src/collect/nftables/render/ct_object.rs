//! Conntrack objects: `ct helper`, `ct timeout` and `ct expectation`,
//! from their attributes, as nft lists their blocks.

use super::datatype::{self, Type};
use super::units;
use crate::collect::nftables::attr::raw_attrs;
use netlink_packet_core::{DefaultNla, Nla as _};

// enum nft_ct_helper_attributes
const NFTA_CT_HELPER_NAME: u16 = 1;
const NFTA_CT_HELPER_L3PROTO: u16 = 2;
const NFTA_CT_HELPER_L4PROTO: u16 = 3;
// enum nft_ct_timeout_timeout_attributes
const NFTA_CT_TIMEOUT_L3PROTO: u16 = 1;
const NFTA_CT_TIMEOUT_L4PROTO: u16 = 2;
const NFTA_CT_TIMEOUT_DATA: u16 = 3;
// enum nft_ct_expectation_attributes
const NFTA_CT_EXPECT_L3PROTO: u16 = 1;
const NFTA_CT_EXPECT_L4PROTO: u16 = 2;
const NFTA_CT_EXPECT_DPORT: u16 = 3;
const NFTA_CT_EXPECT_TIMEOUT: u16 = 4;
const NFTA_CT_EXPECT_SIZE: u16 = 5;

/// The value of attribute `kind`, flag bits aside.
fn value(attrs: &[DefaultNla], kind: u16) -> Option<Vec<u8>> {
    attrs.iter().find(|a| a.kind() & 0x3fff == kind).map(|a| {
        let mut v = vec![0; a.value_len()];
        a.emit_value(&mut v);
        v
    })
}

fn number(attrs: &[DefaultNla], kind: u16) -> Option<u128> {
    value(attrs, kind).map(|v| datatype::number(&v, false))
}

/// `ip`, `ip6` or `inet` for an `NFPROTO_*` number.
fn l3proto(attrs: &[DefaultNla], kind: u16) -> String {
    match number(attrs, kind) {
        Some(1) => "inet".to_owned(),
        Some(2) => "ip".to_owned(),
        Some(10) => "ip6".to_owned(),
        Some(n) => n.to_string(),
        None => "[l3proto]".to_owned(),
    }
}

fn protocol(attrs: &[DefaultNla], kind: u16) -> String {
    datatype::value(Type::InetProto, &value(attrs, kind).unwrap_or_default())
}

/// `type "ftp" protocol tcp` and `l3proto inet`.
pub fn helper(attrs: &[DefaultNla]) -> Vec<String> {
    let name = value(attrs, NFTA_CT_HELPER_NAME).unwrap_or_default();
    vec![
        format!(
            "type {} protocol {}",
            datatype::quoted(&name),
            protocol(attrs, NFTA_CT_HELPER_L4PROTO)
        ),
        format!("l3proto {}", l3proto(attrs, NFTA_CT_HELPER_L3PROTO)),
    ]
}

/// The states of a protocol's conntrack and the timeouts the kernel has
/// for them unless told otherwise, in seconds, in the order of the
/// kernel's attributes (`CTA_TIMEOUT_TCP_*` from 1).
fn states(protocol: u128) -> Option<&'static [(&'static str, u32)]> {
    Some(match protocol {
        6 => &[
            ("syn_sent", 120),
            ("syn_recv", 60),
            ("established", 432_000),
            ("fin_wait", 120),
            ("close_wait", 60),
            ("last_ack", 30),
            ("time_wait", 120),
            ("close", 10),
            ("syn_sent2", 120),
            ("retrans", 300),
            ("unacknowledged", 300),
        ],
        17 | 136 => &[("unreplied", 30), ("replied", 180)],
        1 | 58 => &[("timeout", 30)],
        _ => return None,
    })
}

/// `protocol tcp`, `l3proto ip` and the policy: the states whose
/// timeout is not the kernel's own, as nft lists only those. `None`
/// for a protocol nft has no state names for.
pub fn timeout(attrs: &[DefaultNla]) -> Option<Vec<String>> {
    let proto = number(attrs, NFTA_CT_TIMEOUT_L4PROTO)?;
    let names = states(proto)?;
    let data = value(attrs, NFTA_CT_TIMEOUT_DATA).unwrap_or_default();
    let mut policy = Vec::new();
    for a in raw_attrs(&data) {
        let a = a.ok()?;
        let state = usize::from(a.kind & 0x3fff).checked_sub(1)?;
        let &(name, default) = names.get(state)?;
        let secs = u32::from_be_bytes(a.value.try_into().ok()?);
        if secs != default {
            policy.push(format!("{name} : {secs}"));
        }
    }
    Some(vec![
        format!("protocol {}", protocol(attrs, NFTA_CT_TIMEOUT_L4PROTO)),
        format!("l3proto {}", l3proto(attrs, NFTA_CT_TIMEOUT_L3PROTO)),
        format!("policy = {{ {} }}", policy.join(", ")),
    ])
}

/// `protocol`, `dport`, `timeout`, `size` and `l3proto`, one a line.
pub fn expectation(attrs: &[DefaultNla]) -> Vec<String> {
    let dport = number(attrs, NFTA_CT_EXPECT_DPORT).unwrap_or_default();
    // The kernel reads the timeout in host order, the port in network.
    let timeout = value(attrs, NFTA_CT_EXPECT_TIMEOUT)
        .map_or(0, |v| datatype::number(&v, true));
    let size = number(attrs, NFTA_CT_EXPECT_SIZE).unwrap_or_default();
    vec![
        format!("protocol {}", protocol(attrs, NFTA_CT_EXPECT_L4PROTO)),
        format!("dport {dport}"),
        format!("timeout {}", units::duration(timeout as u64)),
        format!("size {size}"),
        format!("l3proto {}", l3proto(attrs, NFTA_CT_EXPECT_L3PROTO)),
    ]
}
