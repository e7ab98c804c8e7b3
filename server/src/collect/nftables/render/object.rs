//! Named stateful objects: `counter NAME { packets 0 bytes 0 }`,
//! quotas, limits, synproxies; other kinds in the marked raw form.

use super::expr::{known_object_keyword, socket, stateful};
use super::raw;
use super::userdata::{self, COMMENT};
use netlink_packet_core::{DefaultNla, Nla as _};

use super::datatype::{self, Type};
use crate::collect::nftables::expr::{decode_expr, Expr, ObjectType};
use crate::collect::nftables::ruleset::Object;

/// The object's keyword and the lines of its block.
pub fn object(o: &Object) -> (String, Vec<String>) {
    let mut lines = Vec::new();
    if let Some(c) = userdata::comment(o.userdata.as_deref(), COMMENT) {
        lines.push(format!("comment \"{c}\""));
    }
    let keyword =
        known_object_keyword(ObjectType::from(o.kind)).unwrap_or("object");
    // Counters, quotas and limits have the attributes of the expression
    // of the same name; the others stay raw, under the keyword.
    match decode_expr(keyword, &o.data) {
        Expr::Counter(a) => lines.push(stateful::counter(&a)),
        Expr::Quota(a) => lines.push(stateful::quota(&a, false)),
        Expr::Limit(a) => lines.push(stateful::limit(&a)),
        Expr::Synproxy(a) => lines.extend(socket::synproxy_lines(&a)),
        Expr::Raw(raw) if keyword == "ct helper" => {
            lines.extend(ct_helper(&raw.attrs));
        }
        other => lines.push(raw::expr(&other)),
    }
    let keyword = match keyword {
        "object" => format!("[object {}]", o.kind),
        k => k.to_owned(),
    };
    (keyword, lines)
}

// enum nft_ct_helper_attributes
const NFTA_CT_HELPER_NAME: u16 = 1;
const NFTA_CT_HELPER_L3PROTO: u16 = 2;
const NFTA_CT_HELPER_L4PROTO: u16 = 3;

/// `type "ftp" protocol tcp` and `l3proto inet`.
fn ct_helper(attrs: &[DefaultNla]) -> Vec<String> {
    let value = |kind: u16| {
        attrs.iter().find(|a| a.kind() == kind).map(|a| {
            let mut v = vec![0; a.value_len()];
            a.emit_value(&mut v);
            v
        })
    };
    let name = value(NFTA_CT_HELPER_NAME).unwrap_or_default();
    let l4 = value(NFTA_CT_HELPER_L4PROTO).unwrap_or_default();
    let l3 = value(NFTA_CT_HELPER_L3PROTO).unwrap_or_default();
    let l3 = match datatype::number(&l3, false) {
        1 => "inet".to_owned(),
        2 => "ip".to_owned(),
        10 => "ip6".to_owned(),
        n => n.to_string(),
    };
    vec![
        format!(
            "type {} protocol {}",
            datatype::quoted(&name),
            datatype::value(Type::InetProto, &l4)
        ),
        format!("l3proto {l3}"),
    ]
}
