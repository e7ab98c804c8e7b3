//! The translations of targets, as the `xlate` functions of iptables'
//! `libxt_*.c` and `libipt_*.c` build them.

use super::xlate::Xlate;
use super::{bridge, layout, target_name, Libxtables};
use crate::collect::nftables::expr::Target;
use crate::collect::nftables::render::datatype::{self, Type};
use crate::collect::nftables::ruleset::Family;
use crate::collect::nftables::xt::{
    Connmark, ConnmarkMode, Log, MarkTarget, Nat, NatKind, Reject, XtTarget,
    LOG_DEFAULT_LEVEL, NF_NAT_RANGE_PERSISTENT, NF_NAT_RANGE_PROTO_OFFSET,
    NF_NAT_RANGE_PROTO_RANDOM, NF_NAT_RANGE_PROTO_RANDOM_FULLY,
};

/// The NAT flags a translation lists, in its order.
const NAT_FLAGS: [(u32, &str); 3] = [
    (NF_NAT_RANGE_PROTO_RANDOM, "random"),
    (NF_NAT_RANGE_PROTO_RANDOM_FULLY, "fully-random"),
    (NF_NAT_RANGE_PERSISTENT, "persistent"),
];

/// The answers of `REJECT` by iptables' names, in nft's words; none for
/// port unreachable, which a bare `reject` means.
const REJECT_ANSWERS: [(&str, Option<&str>); 14] = [
    ("tcp-reset", Some("tcp reset")),
    ("icmp-net-unreachable", Some("icmp type net-unreachable")),
    ("icmp-host-unreachable", Some("icmp type host-unreachable")),
    ("icmp-proto-unreachable", Some("icmp type prot-unreachable")),
    ("icmp-net-prohibited", Some("icmp type net-prohibited")),
    ("icmp-host-prohibited", Some("icmp type host-prohibited")),
    ("icmp-admin-prohibited", Some("icmp type admin-prohibited")),
    ("icmp6-no-route", Some("icmpv6 type no-route")),
    ("icmp6-adm-prohibited", Some("icmpv6 type admin-prohibited")),
    (
        "icmp6-addr-unreachable",
        Some("icmpv6 type addr-unreachable"),
    ),
    ("icmp6-policy-fail", Some("icmpv6 type policy-fail")),
    ("icmp6-reject-route", Some("icmpv6 type reject-route")),
    ("icmp-port-unreachable", None),
    ("icmp6-port-unreachable", None),
];

/// A target's translation in a table of `family`: nothing where nft
/// finds no target of the name (see [`Libxtables`]).
pub fn target(
    attrs: &[Target],
    family: Family,
    libxtables: Libxtables,
) -> String {
    let name = target_name(attrs);
    if !libxtables.finds_target(name, family) {
        return String::new();
    }
    if family == Family::Bridge {
        return bridge::target(attrs);
    }
    let translated = match &XtTarget::from_expr(attrs, layout(family)) {
        XtTarget::Nat(n) => nat(n),
        XtTarget::Reject(r) => reject(r),
        XtTarget::Log(l) => log(l),
        XtTarget::Mark(m) => Some(mark(m)),
        XtTarget::Connmark(c) => connmark(c),
        _ => None,
    };
    translated.unwrap_or_else(|| format!("xt target {name}"))
}

/// `dnat to 192.0.2.1:80`, `masquerade random,persistent`, `redirect to
/// :8080`; nftables has no shifted port maps (`80-90/85`).
fn nat(n: &Nat) -> Option<String> {
    if n.range.flags & NF_NAT_RANGE_PROTO_OFFSET != 0 {
        return None;
    }
    let mut x = Xlate::default();
    x.add(match n.kind {
        NatKind::Dnat => "dnat",
        NatKind::Snat => "snat",
        NatKind::Masquerade => "masquerade",
        NatKind::Redirect => "redirect",
    });
    let range = n.range.text();
    if !range.is_empty() {
        x.add(&format!(" to {range}"));
    }
    let flags = NAT_FLAGS.iter().filter(|(bit, _)| n.range.flags & bit != 0);
    for (i, (_, word)) in flags.enumerate() {
        let sep = if i == 0 { " " } else { "," };
        x.add(&format!("{sep}{word}"));
    }
    Some(x.text())
}

fn reject(r: &Reject) -> Option<String> {
    let name = r.name()?;
    let (_, answer) = REJECT_ANSWERS.iter().find(|(n, _)| *n == name)?;
    Some(match answer {
        None => "reject".to_owned(),
        Some(answer) => format!("reject with {answer}"),
    })
}

/// The default level and no flags are what a bare `log` means.
fn log(l: &Log) -> Option<String> {
    if l.level != LOG_DEFAULT_LEVEL || l.flags != 0 {
        return None;
    }
    let mut out = "log".to_owned();
    if !l.prefix.is_empty() {
        let prefix = datatype::value(Type::String, l.prefix.as_bytes());
        out += &format!(" prefix {prefix}");
    }
    Some(out)
}

/// Which of the two operations the general form of a masked write
/// names first: MARK's and CONNMARK's translations differ in it.
#[derive(Clone, Copy)]
enum Order {
    AndXor,
    XorAnd,
}

/// `mark = (mark & ~mask) ^ value` of the mark called `name`, in the
/// simplest form that says it.
fn masked_write(name: &str, value: u32, mask: u32, order: Order) -> String {
    let keep = !mask;
    match (value, mask) {
        (_, u32::MAX) => format!("{value:#x}"),
        (0, _) => format!("{name} and {keep:#x}"),
        _ if value == mask => format!("{name} or {value:#x}"),
        (_, 0) => format!("{name} xor {value:#x}"),
        _ => match order {
            Order::AndXor => format!("{name} and {keep:#x} xor {value:#x}"),
            Order::XorAnd => format!("{name} xor {value:#x} and {keep:#x}"),
        },
    }
}

/// `MARK` revision 2.
fn mark(m: &MarkTarget) -> String {
    let value = masked_write("mark", m.mark, m.mask, Order::AndXor);
    format!("meta mark set {value}")
}

/// `CONNMARK` revision 2: `ct mark set mark` (save), `meta mark set ct
/// mark` (restore), `ct mark set …` (set), with a shift around it in
/// parentheses. Revision 1, which iptables writes only for kernels
/// without revision 2, is left untranslated: nft would read it with
/// revision 2's layout.
fn connmark(c: &Connmark) -> Option<String> {
    let (direction, bits) = c.shift?;
    let open = if bits != 0 { "( " } else { "" };
    let mut x = Xlate::default();
    match c.mode {
        ConnmarkMode::Set => {
            x.add(&format!("ct mark set {open}"));
            let value =
                masked_write("ct mark", c.ctmark, c.ctmask, Order::XorAnd);
            x.add(&value);
            // The piece of a plain value ends in a space, which shows
            // before a shift's parenthesis.
            if c.ctmask == u32::MAX {
                x.add(" ");
            }
        }
        ConnmarkMode::Save => {
            x.add(&format!("ct mark set {open}mark"));
            x.add(&copy_mask(c)?);
        }
        ConnmarkMode::Restore => {
            x.add(&format!("meta mark set {open}ct mark"));
            x.add(&copy_mask(c)?);
        }
    }
    if bits != 0 {
        let op = if direction == 0 { "<<" } else { ">>" };
        x.add(&format!(" ) {op} {bits}"));
    }
    Some(x.text())
}

/// A copy between the two marks translates when it keeps all bits or
/// the same bits of both.
fn copy_mask(c: &Connmark) -> Option<String> {
    match (c.nfmask, c.ctmask) {
        (u32::MAX, u32::MAX) => Some(String::new()),
        (nf, ct) if nf == ct => Some(format!(" and {nf:#x}")),
        _ => None,
    }
}
