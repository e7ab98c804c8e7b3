//! Loads about the packet's local socket and its sender's stack:
//! `socket transparent`, `socket mark`, `socket wildcard`, and `osf
//! name` (the OS a SYN's fingerprint matches); and the `synproxy`
//! statement, which answers a SYN on the server's behalf.

use super::{Cx, Value};
use crate::collect::nftables::expr::{
    Expr, Osf, Socket, SocketKey, Synproxy, NFT_OSF_F_VERSION,
    NF_SYNPROXY_OPT_MSS, NF_SYNPROXY_OPT_SACK_PERM, NF_SYNPROXY_OPT_TIMESTAMP,
    NF_SYNPROXY_OPT_WSCALE,
};
use crate::collect::nftables::render::datatype::Type;

/// `NFT_OSF_MAXGENRELEN`: the OS name's room in the register.
const OSF_NAME_LEN: usize = 16;

impl Cx<'_> {
    /// `socket transparent 1`; a cgroup's level and path stay raw.
    pub(super) fn socket(&mut self, e: &Expr, attrs: &[Socket]) {
        let (mut dreg, mut key) = (None, None);
        for a in attrs {
            match a {
                Socket::DestinationRegister(r) => dreg = Some(*r),
                Socket::Key(k) => key = Some(*k),
                _ => {}
            }
        }
        let (name, ty, len) = match key {
            Some(SocketKey::Transparent) => ("transparent", Type::Integer, 1),
            Some(SocketKey::Mark) => ("mark", Type::Mark, 4),
            Some(SocketKey::Wildcard) => ("wildcard", Type::Integer, 1),
            _ => return self.raw(e),
        };
        let v = Value::field(format!("socket {name}"), ty, len, true);
        self.set_reg(dreg, v);
    }

    /// `osf name`, `osf ttl loose version`.
    pub(super) fn osf(&mut self, e: &Expr, attrs: &[Osf]) {
        let (mut dreg, mut ttl, mut flags) = (None, 0, 0);
        for a in attrs {
            match a {
                Osf::DestinationRegister(r) => dreg = Some(*r),
                Osf::Ttl(t) => ttl = *t,
                Osf::Flags(f) => flags = *f,
                _ => {}
            }
        }
        let ttl = match ttl {
            0 => "",
            1 => "ttl loose ",
            2 => "ttl skip ",
            _ => return self.raw(e),
        };
        let what = if flags & NFT_OSF_F_VERSION != 0 {
            "version"
        } else {
            "name"
        };
        let text = format!("osf {ttl}{what}");
        let v = Value::field(text, Type::String, OSF_NAME_LEN, false);
        self.set_reg(dreg, v);
    }

    /// `synproxy mss 1460 wscale 7 timestamp sack-perm`.
    pub(super) fn synproxy(&mut self, attrs: &[Synproxy]) {
        let text = std::iter::once("synproxy".to_owned())
            .chain(synproxy_lines(attrs))
            .collect::<Vec<_>>()
            .join(" ");
        self.emit(text);
    }
}

/// What a synproxy sets, as a named object's block lists it: `mss
/// 1460`, `wscale 7`, `timestamp sack-perm`, each if its flag is set.
pub fn synproxy_lines(attrs: &[Synproxy]) -> Vec<String> {
    let (mut mss, mut wscale, mut flags) = (0, 0, 0);
    for a in attrs {
        match a {
            Synproxy::Mss(m) => mss = *m,
            Synproxy::Wscale(w) => wscale = *w,
            Synproxy::Flags(f) => flags = *f,
            _ => {}
        }
    }
    let mut lines = Vec::new();
    if flags & NF_SYNPROXY_OPT_MSS != 0 {
        lines.push(format!("mss {mss}"));
    }
    if flags & NF_SYNPROXY_OPT_WSCALE != 0 {
        lines.push(format!("wscale {wscale}"));
    }
    let options: Vec<&str> = [
        (NF_SYNPROXY_OPT_TIMESTAMP, "timestamp"),
        (NF_SYNPROXY_OPT_SACK_PERM, "sack-perm"),
    ]
    .into_iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, word)| word)
    .collect();
    if !options.is_empty() {
        lines.push(options.join(" "));
    }
    lines
}
