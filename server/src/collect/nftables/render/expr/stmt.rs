//! Statements that stand on their own, without registers: counters,
//! limits and quotas, `log`, `reject`, `notrack`, `queue`.

use super::payload::Proto;
use super::stateful;
use crate::collect::nftables::expr::{
    Connlimit, Expr, IcmpxCode, Log, LogLevel, ObjectType, Queue, Reject,
    RejectType, NFT_CONNLIMIT_F_INV, NFT_QUEUE_FLAG_BYPASS,
    NFT_QUEUE_FLAG_CPU_FANOUT, NF_LOG_IPOPT, NF_LOG_MACDECODE, NF_LOG_TCPOPT,
    NF_LOG_TCPSEQ, NF_LOG_UID,
};
use crate::collect::nftables::render::datatype::{self, Type};
use crate::collect::nftables::render::raw;
use crate::collect::nftables::ruleset::Family;

/// A statement of its own kind, or the raw form.
pub fn statement(e: &Expr) -> String {
    match e {
        Expr::Log(a) => log(a),
        Expr::Queue(a) => queue(a),
        Expr::Connlimit(a) => connlimit(a),
        Expr::Notrack(_) => "notrack".to_owned(),
        other => stateful_statement(other),
    }
}

/// A stateful expression as a rule or an element prints it:
/// `counter packets 0 bytes 0`, `limit rate 10/second`.
pub fn stateful_statement(e: &Expr) -> String {
    match e {
        Expr::Counter(a) => format!("counter {}", stateful::counter(a)),
        Expr::Limit(a) => format!("limit {}", stateful::limit(a)),
        Expr::Quota(a) => format!("quota {}", stateful::quota(a, true)),
        Expr::Connlimit(a) => connlimit(a),
        other => raw::expr(other),
    }
}

/// A set's expression as its declaration prints it: a counter without
/// its numbers, which live in each element.
pub fn stateful_keyword(e: &Expr) -> String {
    match e {
        Expr::Counter(_) => "counter".to_owned(),
        other => stateful_statement(other),
    }
}

/// The keyword of an object type, as a map's value type and `counter
/// name "x"` say it; a type this build does not know is marked.
pub fn object_keyword(kind: ObjectType) -> &'static str {
    known_object_keyword(kind).unwrap_or("[object]")
}

/// The keyword of an object type nft knows.
pub fn known_object_keyword(kind: ObjectType) -> Option<&'static str> {
    Some(match kind {
        ObjectType::Counter => "counter",
        ObjectType::Quota => "quota",
        ObjectType::Limit => "limit",
        ObjectType::CtHelper => "ct helper",
        ObjectType::CtTimeout => "ct timeout",
        ObjectType::CtExpect => "ct expectation",
        ObjectType::Secmark => "secmark",
        ObjectType::Synproxy => "synproxy",
        ObjectType::Tunnel => "tunnel",
        ObjectType::Connlimit => "connlimit",
        _ => return None,
    })
}

fn connlimit(attrs: &[Connlimit]) -> String {
    let (mut count, mut flags) = (0, 0);
    for a in attrs {
        match a {
            Connlimit::Count(n) => count = *n,
            Connlimit::Flags(n) => flags = *n,
            _ => {}
        }
    }
    let over = if flags & NFT_CONNLIMIT_F_INV != 0 {
        "over "
    } else {
        ""
    };
    format!("ct count {over}{count}")
}

/// The level nft assumes, and does not print.
const DEFAULT_LEVEL: LogLevel = LogLevel::Warning;

fn log(attrs: &[Log]) -> String {
    let mut out = "log".to_owned();
    let (mut group, mut level, mut flags) = (None, None, 0);
    let (mut snaplen, mut qthreshold) = (None, None);
    for a in attrs {
        match a {
            Log::Prefix(p) => out += &format!(" prefix \"{p}\""),
            Log::Group(g) => group = Some(*g),
            Log::Level(l) => level = Some(*l),
            Log::Flags(f) => flags = *f,
            Log::Snaplen(n) => snaplen = Some(*n),
            Log::Qthreshold(n) => qthreshold = Some(*n),
            _ => {}
        }
    }
    if let Some(g) = group {
        out += &format!(" group {g}");
    }
    if let Some(n) = snaplen {
        out += &format!(" snaplen {n}");
    }
    if let Some(n) = qthreshold {
        out += &format!(" queue-threshold {n}");
    }
    match level {
        Some(l) if l != DEFAULT_LEVEL => {
            out += &format!(" level {}", level_name(l))
        }
        _ => {}
    }
    out += &log_flags(flags);
    out
}

fn level_name(l: LogLevel) -> String {
    match l {
        LogLevel::Emerg => "emerg",
        LogLevel::Alert => "alert",
        LogLevel::Crit => "crit",
        LogLevel::Err => "err",
        LogLevel::Warning => "warn",
        LogLevel::Notice => "notice",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Audit => "audit",
        LogLevel::Other(n) => return format!("[level {n}]"),
    }
    .to_owned()
}

/// ` flags tcp sequence,options`, ` flags all`; nothing without flags.
fn log_flags(flags: u32) -> String {
    const ALL: u32 = NF_LOG_TCPSEQ
        | NF_LOG_TCPOPT
        | NF_LOG_IPOPT
        | NF_LOG_UID
        | NF_LOG_MACDECODE;
    if flags & ALL == ALL {
        return " flags all".to_owned();
    }
    let mut parts = Vec::new();
    let tcp: Vec<&str> =
        [(NF_LOG_TCPSEQ, "sequence"), (NF_LOG_TCPOPT, "options")]
            .into_iter()
            .filter(|(bit, _)| flags & bit != 0)
            .map(|(_, name)| name)
            .collect();
    if !tcp.is_empty() {
        parts.push(format!("tcp {}", tcp.join(",")));
    }
    for (bit, name) in [
        (NF_LOG_IPOPT, "ip options"),
        (NF_LOG_UID, "skuid"),
        (NF_LOG_MACDECODE, "ether"),
    ] {
        if flags & bit != 0 {
            parts.push(name.to_owned());
        }
    }
    parts.iter().map(|p| format!(" flags {p}")).collect()
}

fn queue(attrs: &[Queue]) -> String {
    let (mut num, mut total, mut flags) = (0, 1, 0);
    for a in attrs {
        match a {
            Queue::Num(n) => num = *n,
            Queue::Total(n) => total = *n,
            Queue::Flags(f) => flags = *f,
            _ => {}
        }
    }
    let names: Vec<&str> = [
        (NFT_QUEUE_FLAG_BYPASS, "bypass"),
        (NFT_QUEUE_FLAG_CPU_FANOUT, "fanout"),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, name)| name)
    .collect();
    let flags = if names.is_empty() {
        String::new()
    } else {
        format!(" flags {}", names.join(","))
    };
    let to = if total > 1 {
        format!("{num}-{}", u32::from(num) + u32::from(total) - 1)
    } else {
        num.to_string()
    };
    format!("queue{flags} to {to}")
}

/// Whether the reject answers with ICMP of one IP version.
pub fn reject_needs_family(attrs: &[Reject]) -> bool {
    attrs
        .iter()
        .any(|a| matches!(a, Reject::Type(RejectType::IcmpUnreach)))
}

/// Whether the reject answers with a TCP reset.
pub fn reject_is_reset(attrs: &[Reject]) -> bool {
    attrs
        .iter()
        .any(|a| matches!(a, Reject::Type(RejectType::TcpRst)))
}

/// `reject`, with the type and code nft would have assumed left out:
/// port unreachable, of the family's ICMP. `None` without a type.
pub fn reject(
    family: Family,
    network: Option<Proto>,
    attrs: &[Reject],
) -> Option<String> {
    let (mut kind, mut code) = (None, 0);
    for a in attrs {
        match a {
            Reject::Type(t) => kind = Some(*t),
            Reject::IcmpCode(c) => code = *c,
            _ => {}
        }
    }
    Some(match kind {
        Some(RejectType::TcpRst) => "reject with tcp reset".to_owned(),
        Some(RejectType::IcmpxUnreach) => match IcmpxCode::from(code) {
            IcmpxCode::PortUnreach => "reject".to_owned(),
            c => format!("reject with icmpx {}", icmpx_name(c)),
        },
        Some(RejectType::IcmpUnreach) => {
            let v6 = match family {
                Family::Ip6 => true,
                Family::Ip => false,
                _ => network == Some(Proto::Ip6),
            };
            let (default, word, ty) = if v6 {
                (4, "icmpv6", Type::Icmp6Code)
            } else {
                (3, "icmp", Type::IcmpCode)
            };
            // In a family of one IP version, the port-unreachable code
            // is what a bare `reject` means.
            if code == default && matches!(family, Family::Ip | Family::Ip6) {
                return Some("reject".to_owned());
            }
            let name = datatype::symbol(ty, code.into(), 1);
            format!("reject with {word} {name}")
        }
        _ => return None,
    })
}

fn icmpx_name(c: IcmpxCode) -> String {
    match c {
        IcmpxCode::NoRoute => "no-route".to_owned(),
        IcmpxCode::PortUnreach => "port-unreachable".to_owned(),
        IcmpxCode::HostUnreach => "host-unreachable".to_owned(),
        IcmpxCode::AdminProhibited => "admin-prohibited".to_owned(),
        IcmpxCode::Other(n) => n.to_string(),
    }
}
