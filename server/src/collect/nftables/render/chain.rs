//! Chains: the header line of a base chain (`type filter hook input
//! priority filter; policy accept;`) and its hook and priority names.

use crate::collect::nftables::ruleset::{Chain, Family, Hook};

/// The line after `chain NAME {` of a base chain, without indentation;
/// `None` for a regular chain.
pub fn chain_header(chain: &Chain) -> Option<String> {
    let hook = chain.hook.as_ref()?;
    let family = chain.family;
    let hook_name = hook_name(family, hook.num);
    let mut line = format!(
        "type {} hook {hook_name}",
        chain.kind.as_deref().unwrap_or("filter")
    );
    line += &devices(hook);
    if let Some(p) = hook.priority {
        line += &format!(" priority {}", priority(family, &hook_name, p));
    }
    line.push(';');
    if let Some(policy) = chain.policy {
        let policy = match policy {
            0 => "drop".to_owned(),
            1 => "accept".to_owned(),
            n => format!("[policy {n}]"),
        };
        line += &format!(" policy {policy};");
    }
    Some(line)
}

/// ` device "lo"` or ` devices = { a, b }`, as a netdev chain names
/// them; nothing without devices.
fn devices(hook: &Hook) -> String {
    // The kernel may name a device both alone and in the list.
    let mut names = hook.devices.clone();
    names.sort();
    names.dedup();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!(" device \"{one}\""),
        many => format!(" devices = {{ {} }}", many.join(", ")),
    }
}

/// The hook's name: its number means different hooks per family.
pub fn hook_name(family: Family, num: Option<u32>) -> String {
    let Some(num) = num else {
        return "[no hook]".to_owned();
    };
    let names: &[&str] = match family {
        Family::Arp => &["input", "output", "forward"],
        Family::Netdev => &["ingress", "egress"],
        _ => &[
            "prerouting",
            "input",
            "forward",
            "output",
            "postrouting",
            "ingress",
        ],
    };
    names
        .get(num as usize)
        .map_or_else(|| format!("[hook {num}]"), |n| (*n).to_owned())
}

/// How far from a named priority nft still names it (`filter + 10`).
const NEAR: i64 = 10;

/// A priority by the name nft gives it, with an offset when it is near
/// one, else as a number. The names depend on the family, and some on
/// the hook.
pub fn priority(family: Family, hook: &str, p: i32) -> String {
    let names: &[(&str, i32, Option<&str>)] = match family {
        Family::Ip | Family::Ip6 | Family::Inet => &[
            ("raw", -300, None),
            ("mangle", -150, None),
            ("dstnat", -100, Some("prerouting")),
            ("filter", 0, None),
            ("security", 50, None),
            ("srcnat", 100, Some("postrouting")),
        ],
        Family::Bridge => &[
            ("dstnat", -300, Some("prerouting")),
            ("filter", -200, None),
            ("out", 100, Some("output")),
            ("srcnat", 300, Some("postrouting")),
        ],
        Family::Arp | Family::Netdev => &[("filter", 0, None)],
        Family::Other(_) => &[],
    };
    // Wide enough that no offset overflows.
    let p = i64::from(p);
    let near = names.iter().find(|(_, value, only)| {
        (p - i64::from(*value)).abs() <= NEAR && only.is_none_or(|h| h == hook)
    });
    match near.map(|(name, value, _)| (name, p - i64::from(*value))) {
        Some((name, 0)) => (*name).to_owned(),
        Some((name, d)) if d > 0 => format!("{name} + {d}"),
        Some((name, d)) => format!("{name} - {}", -d),
        None => p.to_string(),
    }
}
