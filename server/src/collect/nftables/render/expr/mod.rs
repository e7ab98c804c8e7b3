//! A rule's expressions back to nft's statements. The kernel runs a
//! small register machine (load a field, mask it, compare it); this
//! replays it symbolically: loads put a named field in a register,
//! comparisons and lookups turn it into a match (`tcp dport 22`),
//! statements read what the registers hold (`dnat to 10.0.0.1`).
//!
//! nft adds matches a field needs (`meta l4proto tcp` before `tcp
//! dport`) and leaves them out when it lists the rule; so does this,
//! dropping a protocol match that a later field was named by.

mod compat;
mod dynset;
mod exthdr;
mod forward;
mod meta;
mod nat;
mod options;
mod packet;
mod payload;
mod route;
pub mod socket;
pub mod stateful;
mod stmt;

use self::payload::Proto;
use super::datatype::{self, Type};
use super::{raw, set as sets, verdict};
use crate::collect::nftables::expr::{
    immediate_parts, Bitwise, BitwiseOp, Cmp, CmpOp, Ct, CtKey, Data, Expr,
    Immediate, Lookup, Meta, PayloadBase, Range, RangeOp, Register,
    NFT_LOOKUP_F_INV,
};
use crate::collect::nftables::ruleset::{Family, Set, TableContents};

pub use self::compat::Libxtables;
pub use self::stmt::{
    known_object_keyword, object_keyword, stateful_keyword, stateful_statement,
};

/// The name of meta key `key`, as a set's declaration gives it.
pub fn meta_key(key: u32) -> String {
    meta::meta(key.into()).name
}

/// The name of ct key `key`, without a direction.
pub fn ct_key(key: u32, family: Family) -> String {
    meta::ct(key.into(), None, family).name
}

/// A header field by the numbers a set's declaration keeps: the
/// protocol's and the field's index in it.
pub fn payload_by_index(proto: u32, index: u32) -> Option<String> {
    payload::by_index(proto, index)
}

/// Where a load read in the packet, to name a narrower field once the
/// value is masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// A header, and the bit offset in it.
    Payload(Header, u32),
    Exthdr(options::Load),
}

/// A header a load reads in: its base, its protocol when known, and
/// the bit where it starts from the base (a VLAN tag's is past the
/// Ethernet header, in the link layer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header {
    base: PayloadBase,
    proto: Option<Proto>,
    start: u32,
}

/// A VLAN tag the rule has matched the type before: where it starts
/// in the link layer, and the match of `ether type 8021q` that nft
/// implies before its fields.
#[derive(Clone, Copy, Debug)]
struct Tag {
    start: u32,
    implied_by: Option<usize>,
}

/// What a register holds, as far as this replay knows.
#[derive(Clone, Debug)]
struct Value {
    /// The expression as nft writes it: `tcp dport`, `ip saddr . tcp
    /// dport`, `ip daddr map @m`.
    text: String,
    ty: Type,
    /// Bytes the value takes.
    len: usize,
    /// Whether the kernel holds it in host byte order.
    host: bool,
    /// A constant (from `immediate`), printed by the type of what it
    /// meets.
    constant: Option<Vec<u8>>,
    /// The mask of a `bitwise` on the value.
    mask: Option<Vec<u8>>,
    /// Where a load read, to name a sub-byte field once masked.
    at: Option<At>,
    /// Bits a sub-byte field sits above the end of the bytes loaded:
    /// values compared with it come shifted.
    shift: u32,
    /// The bits of an address field a prefix load read; `len` is then
    /// the whole field's.
    prefix: Option<usize>,
    /// The mask and xor of a `bitwise` on a load: written back where it
    /// was loaded, the result sets only the bits the mask clears (nft's
    /// `ip ecn set ce`).
    written: Option<(Vec<u8>, Vec<u8>)>,
    /// Whether the value is an expression of the field (`meta mark |
    /// 0x3`), which nft compares with `==`.
    binop: bool,
    /// The protocol matches the field was named by: nft leaves them
    /// out once the field is matched (not when it only feeds a
    /// statement, as a map's key for NAT does).
    deps: Vec<usize>,
    /// The types and sizes of a concatenation's fields; empty for one
    /// field.
    parts: Vec<(Type, usize)>,
    /// Whether the value is a whole load of a header, which nft splits
    /// into the fields it covers when compared.
    whole: bool,
    /// A sub-byte field named from a load under a mask: the load and
    /// its mask as nft prints them where it does not name the field.
    unnamed: Option<String>,
    /// A sub-byte field shifted down to its value (`ip dscp >> 2`):
    /// the field alone (`ip dscp`), as a lookup in a named set prints
    /// it, and the load unnamed (`(@nh,8,8 & 0xfc) >> 2`), as nft 1.0.6
    /// prints the key of a named map, of an object map and of a hash,
    /// keeping the protocol match before it ([`Value::named_key`],
    /// [`Value::unnamed_key`]).
    shifted: Option<(String, String)>,
}

impl Value {
    fn field(text: String, ty: Type, len: usize, host: bool) -> Self {
        Self {
            text,
            ty,
            len,
            host,
            constant: None,
            mask: None,
            at: None,
            shift: 0,
            prefix: None,
            binop: false,
            written: None,
            deps: Vec::new(),
            parts: Vec::new(),
            whole: false,
            unnamed: None,
            shifted: None,
        }
    }

    /// The types and sizes of the key's fields.
    fn fields(&self) -> Vec<(Type, usize)> {
        match self.parts.as_slice() {
            [] => vec![(self.ty, self.len)],
            parts => parts.to_vec(),
        }
    }

    /// As the key of a lookup in a named set, which nft 1.0.6 prints
    /// as the field alone when it is a field shifted down to its value.
    fn named_key(&mut self) {
        if let Some((field, _)) = self.shifted.take() {
            if self.parts.is_empty() {
                self.text = field;
            }
        }
    }

    /// As the key of a map, an object map or a hash, which nft 1.0.6
    /// prints unnamed when it is a field shifted down to its value: the
    /// protocol match that named the field then stays.
    fn unnamed_key(&mut self) {
        if let Some((_, unnamed)) = self.shifted.take() {
            if self.parts.is_empty() {
                self.text = unnamed;
                self.deps.clear();
            }
        }
    }

    /// A value of the type of `like`, as a comparison prints it.
    fn print(&self, bytes: &[u8]) -> String {
        if self.ty == Type::Ifname
            && bytes.len() < self.len
            && bytes.last().is_some_and(|&b| b != 0)
        {
            // A shorter comparison matches a prefix (nft's wildcard)
            // unless it takes the name's NUL too (as iptables writes an
            // exact name).
            let name = datatype::quoted(bytes);
            return format!("{}*\"", &name[..name.len() - 1]);
        }
        if matches!(self.ty, Type::Ifname | Type::String) {
            return datatype::compared_string(bytes);
        }
        if let Some(bits) = self.prefix {
            let mut full = bytes.to_vec();
            full.resize(self.len, 0);
            let addr = datatype::value_in(self.ty, &full, false);
            return format!("{addr}/{bits}");
        }
        if self.shift > 0 {
            let n = datatype::number(bytes, self.host) >> self.shift;
            return datatype::symbol(self.ty, n, bytes.len());
        }
        datatype::value_in(self.ty, bytes, self.host)
    }

    /// A bound of a range of the value: numbers where nft would print
    /// names.
    fn print_bound(&self, bytes: &[u8]) -> String {
        let n = datatype::number(bytes, self.host) >> self.shift;
        match datatype::numeric(self.ty, n) {
            Some(text) => text,
            None => self.print(bytes),
        }
    }
}

/// A match or statement of the rule, with what it told about the
/// packet's protocols.
struct Stmt {
    text: String,
    /// What `nft --stateless` prints instead, where that differs.
    stateless: Option<String>,
    /// A match on a meta key: nft leaves it out also when the field it
    /// named only feeds a statement; a match on a header field (`ip
    /// protocol`) only when the field is matched.
    meta: bool,
    /// Set once a later field was named by this protocol match, which
    /// nft then leaves out.
    implied: bool,
}

/// The replay of one rule.
struct Cx<'a> {
    family: Family,
    table: &'a TableContents,
    libxtables: Libxtables,
    /// Registers by their 32-bit slot (`NFT_REG_1` is slot 0).
    regs: [Option<Value>; SLOTS],
    out: Vec<Stmt>,
    /// The network protocol the rule has matched, and by which
    /// statement.
    network: Option<(Proto, Option<usize>)>,
    transport: Option<(Proto, Option<usize>)>,
    /// The match that the input interface is Ethernet, which nft adds
    /// before an `ether` field in families without a link layer of
    /// their own.
    link: Option<usize>,
    /// Whether the link layer is Ethernet: always in a bridge, else
    /// once the input interface has matched as one.
    ethernet: bool,
    /// The VLAN tags the link layer holds, outermost first.
    tags: Vec<Tag>,
    /// The ICMP type matched, and the match when it was one type: some
    /// fields are in one type only.
    icmp: Option<(u8, Option<usize>)>,
    /// A `>=` comparison just made, which a `<=` on the same value
    /// makes a range: its statement, value and bound.
    at_least: Option<(usize, String, String)>,
}

/// One rule's statements, as nft prints them on the rule's line
/// (without the comment, which the caller adds), and as `nft
/// --stateless` does where that differs: one replay for both.
pub fn statements(
    family: Family,
    table: &TableContents,
    libxtables: Libxtables,
    exprs: &[Expr],
) -> (String, Option<String>) {
    let network = match family {
        Family::Ip => Some((Proto::Ip, None)),
        Family::Ip6 => Some((Proto::Ip6, None)),
        Family::Arp => Some((Proto::Arp, None)),
        _ => None,
    };
    let mut cx = Cx {
        family,
        table,
        libxtables,
        regs: [const { None }; SLOTS],
        out: Vec::new(),
        network,
        transport: None,
        link: None,
        ethernet: family == Family::Bridge,
        tags: Vec::new(),
        icmp: None,
        at_least: None,
    };
    for e in exprs {
        cx.expr(e);
    }
    let shown = || cx.out.iter().filter(|s| !s.implied);
    let nft = shown()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let stateless = shown().any(|s| s.stateless.is_some()).then(|| {
        shown()
            .map(|s| s.stateless.as_deref().unwrap_or(&s.text))
            .collect::<Vec<_>>()
            .join(" ")
    });
    (nft, stateless)
}

/// `meta iiftype` of an Ethernet device (linux/if_arp.h).
const ARPHRD_ETHER: u128 = 1;

/// The 32-bit slots of the registers: `NFT_REG32_00..15`, which the four
/// 16-byte registers alias.
const SLOTS: usize = 16;

/// The first 32-bit slot of a register; none for the verdict register.
fn slot(r: Register) -> Option<u32> {
    match u32::from(r) {
        n @ 1..=4 => Some((n - 1) * 4),
        n @ 8..=23 => Some(n - 8),
        _ => None,
    }
}

impl Cx<'_> {
    fn emit(&mut self, text: String) -> usize {
        self.out.push(Stmt {
            text,
            stateless: None,
            implied: false,
            meta: false,
        });
        self.out.len() - 1
    }

    fn raw(&mut self, e: &Expr) {
        self.emit(raw::expr(e));
    }

    fn set_reg(&mut self, r: Option<Register>, v: Value) {
        if let Some(s) = r.and_then(slot) {
            if let Some(at) = self.regs.get_mut(s as usize) {
                *at = Some(v);
            }
        }
    }

    /// The value in `r`, or `None` when nothing this replay knows loaded
    /// it.
    fn reg(&self, r: Option<Register>) -> Option<Value> {
        self.regs.get(slot(r?)? as usize)?.clone()
    }

    /// The values of a `len`-byte key from `r` on: one value, or the
    /// fields of a concatenation in consecutive registers.
    fn key(&self, r: Option<Register>, len: usize) -> Option<Value> {
        let first = self.reg(r)?;
        if first.len >= len {
            return Some(first);
        }
        let mut at = slot(r?)?;
        let mut parts = Vec::new();
        let mut types = Vec::new();
        let mut deps = Vec::new();
        let mut covered = 0;
        while covered < len {
            let v = self.regs.get(at as usize)?.as_ref()?;
            let size = v.len.div_ceil(4).max(1);
            covered += size * 4;
            at += size as u32;
            parts.push(v.text.clone());
            types.push((v.ty, v.len));
            deps.extend(&v.deps);
        }
        let mut v = Value::field(parts.join(" . "), first.ty, len, false);
        v.deps = deps;
        v.parts = types;
        Some(v)
    }

    fn expr(&mut self, e: &Expr) {
        let before = self.out.len();
        self.step(e);
        // nft forgets the protocol matches it could leave out at each
        // statement that is not a match (`meta l4proto tcp counter tcp
        // dport 22` keeps the first).
        let matching =
            matches!(e, Expr::Cmp(_) | Expr::Range(_) | Expr::Lookup(_));
        if !matching && self.out.len() > before {
            self.forget_deps();
        }
    }

    fn forget_deps(&mut self) {
        self.network = self.network.map(|(p, _)| (p, None));
        self.transport = self.transport.map(|(p, _)| (p, None));
        self.link = None;
        for t in &mut self.tags {
            t.implied_by = None;
        }
        self.icmp = self.icmp.map(|(t, _)| (t, None));
    }

    fn step(&mut self, e: &Expr) {
        match e {
            Expr::Payload(a) => self.payload(e, a),
            Expr::Meta(a) => self.meta(e, a),
            Expr::Ct(a) => self.ct(e, a),
            Expr::Immediate(a) => self.immediate(e, a),
            Expr::Bitwise(a) => self.bitwise(e, a),
            Expr::Cmp(a) => self.cmp(e, a),
            Expr::Range(a) => self.range(e, a),
            Expr::Lookup(a) => self.lookup(e, a),
            Expr::Nat(a) => self.nat(e, a),
            Expr::Masq(a) => self.masq(a),
            Expr::Redir(a) => self.redir(a),
            Expr::Objref(a) => self.objref(e, a),
            Expr::Dynset(a) => self.dynset(e, a),
            Expr::Fib(a) => self.fib(e, a),
            Expr::Rt(a) => self.rt(e, a),
            Expr::Byteorder(a) => self.byteorder(e, a),
            Expr::Exthdr(a) => self.exthdr(e, a),
            Expr::Numgen(a) => self.numgen(e, a),
            Expr::Hash(a) => self.hash(e, a),
            Expr::Xfrm(a) => self.xfrm(e, a),
            Expr::Socket(a) => self.socket(e, a),
            Expr::Osf(a) => self.osf(e, a),
            Expr::Synproxy(a) => self.synproxy(a),
            Expr::Dup(a) => self.dup(e, a),
            Expr::Fwd(a) => self.fwd(e, a),
            Expr::Tproxy(a) => self.tproxy(e, a),
            Expr::Reject(a) => {
                // An ICMP error is of one IP version: nft's match of the
                // family is implied.
                if stmt::reject_needs_family(a) {
                    if let Some((_, Some(n))) = self.network {
                        self.out[n].implied = true;
                    }
                }
                // A TCP reset implies TCP, which nft leaves out in a
                // table of one IP version.
                if stmt::reject_is_reset(a)
                    && matches!(self.family, Family::Ip | Family::Ip6)
                {
                    if let Some((Proto::Tcp, Some(n))) = self.transport {
                        self.out[n].implied = true;
                    }
                }
                match stmt::reject(self.family, self.network_proto(), a) {
                    Some(text) => self.emit(text),
                    None => self.emit(raw::expr(e)),
                };
            }
            Expr::Match(a) => {
                let proto = self.transport.map(|(p, _)| p.name());
                let text =
                    compat::matched(a, self.family, proto, self.libxtables);
                self.emit(text);
            }
            Expr::Target(a) => {
                let text = compat::target(a, self.family, self.libxtables);
                self.emit(text);
            }
            Expr::Counter(_) => {
                let at = self.emit(stmt::statement(e));
                self.out[at].stateless = Some("counter".into());
            }
            other => {
                let text = stmt::statement(other);
                self.emit(text);
            }
        }
    }

    fn network_proto(&self) -> Option<Proto> {
        self.network.map(|(p, _)| p)
    }

    /// Leaves out the protocol matches `deps`, as nft does once a field
    /// they named is matched.
    fn settle(&mut self, deps: &[usize]) {
        for &n in deps {
            if let Some(s) = self.out.get_mut(n) {
                s.implied = true;
            }
        }
    }

    /// A match on `v`: the protocol matches it was named by are left
    /// out.
    fn matched(&mut self, v: &Value) {
        self.settle(&v.deps);
    }

    /// Leaves out those of `deps` that are on meta keys, as nft does
    /// when the field they named feeds a statement.
    fn settle_meta(&mut self, deps: &[usize]) {
        for &n in deps {
            if let Some(s) = self.out.get_mut(n).filter(|s| s.meta) {
                s.implied = true;
            }
        }
    }

    fn meta(&mut self, e: &Expr, attrs: &[Meta]) {
        let (mut dreg, mut sreg, mut key) = (None, None, None);
        for a in attrs {
            match a {
                Meta::DestinationRegister(r) => dreg = Some(*r),
                Meta::SourceRegister(r) => sreg = Some(*r),
                Meta::Key(k) => key = Some(*k),
                _ => {}
            }
        }
        let Some(key) = key else {
            return self.raw(e);
        };
        let k = meta::meta(key);
        let v = Value::field(k.name, k.ty, k.len, k.host);
        match (dreg, sreg) {
            (Some(_), _) => self.set_reg(dreg, v),
            (None, Some(_)) => {
                let value = self.operand(&v, self.reg(sreg).as_ref());
                // nft writes the setting of an unqualified key with
                // `meta` (`meta mark set`, `meta iif set` are alike).
                let name = if v.text.starts_with("meta ") {
                    v.text.clone()
                } else {
                    format!("meta {}", v.text)
                };
                self.emit(format!("{name} set {value}"));
            }
            (None, None) => self.raw(e),
        }
    }

    fn ct(&mut self, e: &Expr, attrs: &[Ct]) {
        let (mut dreg, mut sreg, mut key, mut dir) = (None, None, None, None);
        for a in attrs {
            match a {
                Ct::DestinationRegister(r) => dreg = Some(*r),
                Ct::SourceRegister(r) => sreg = Some(*r),
                Ct::Key(k) => key = Some(*k),
                Ct::Direction(d) => dir = Some(*d),
                _ => {}
            }
        }
        let Some(key) = key else {
            return self.raw(e);
        };
        let known = match self.network_proto() {
            Some(Proto::Ip6) => Some(Family::Ip6),
            Some(Proto::Ip) => Some(Family::Ip),
            _ => None,
        };
        let k = meta::ct(key, dir, known.unwrap_or(self.family));
        let mut v = Value::field(k.name, k.ty, k.len, k.host);
        if matches!(key, CtKey::Src | CtKey::Dst) {
            // Once the family is known nft names the address by it.
            if let Some(family) = known {
                let ip = if family == Family::Ip6 { "ip6" } else { "ip" };
                v.text = v.text.replace("saddr", &format!("{ip} saddr"));
                v.text = v.text.replace("daddr", &format!("{ip} daddr"));
            }
        }
        if meta::needs_family(key) {
            // nft leaves out `meta nfproto` before a key that needs it.
            let by = self.network.and_then(|(_, by)| by);
            v.deps.extend(by.filter(|&n| self.out[n].meta));
        }
        match (dreg, sreg) {
            (Some(_), _) => self.set_reg(dreg, v),
            (None, Some(_)) => {
                let value = self.operand(&v, self.reg(sreg).as_ref());
                self.emit(format!("{} set {value}", v.text));
            }
            (None, None) => self.raw(e),
        }
    }

    /// What a statement that writes `target` writes: a constant of its
    /// type, or the expression a register holds.
    fn operand(&self, target: &Value, value: Option<&Value>) -> String {
        match value {
            Some(Value {
                constant: Some(bytes),
                ..
            }) => target.print(bytes),
            Some(v) => match &v.mask {
                Some(mask) => format!("{} & {}", v.text, v.print(mask)),
                None => v.text.clone(),
            },
            None => "[register]".to_owned(),
        }
    }

    /// What register `r` holds, as a statement writing a `ty` of `len`
    /// bytes (in host order if `host`) prints it.
    fn loaded(&self, r: Register, ty: Type, len: usize, host: bool) -> String {
        let target = Value::field(String::new(), ty, len, host);
        self.operand(&target, self.reg(Some(r)).as_ref())
    }

    fn immediate(&mut self, e: &Expr, attrs: &[Immediate]) {
        let (dreg, data) = immediate_parts(attrs);
        match (dreg, data) {
            (Some(Register::Verdict), Some(Data::Verdict(v))) => {
                self.emit(verdict::verdict(v));
            }
            (Some(r), Some(Data::Value(bytes))) => {
                let mut v = Value::field(
                    format!("0x{}", hex(bytes)),
                    Type::Integer,
                    bytes.len(),
                    false,
                );
                v.constant = Some(bytes.clone());
                self.set_reg(Some(r), v);
            }
            _ => self.raw(e),
        }
    }

    fn bitwise(&mut self, e: &Expr, attrs: &[Bitwise]) {
        let (mut sreg, mut dreg, mut mask, mut xor, mut op) =
            (None, None, None, None, BitwiseOp::MaskXor);
        let mut shift = None;
        for a in attrs {
            match a {
                Bitwise::SourceRegister(r) => sreg = Some(*r),
                Bitwise::DestinationRegister(r) => dreg = Some(*r),
                Bitwise::Mask(Data::Value(m)) => mask = Some(m.clone()),
                Bitwise::Xor(Data::Value(x)) => xor = Some(x.clone()),
                Bitwise::Op(o) => op = *o,
                Bitwise::Data(Data::Value(d)) => {
                    shift =
                        d.as_slice().try_into().ok().map(u32::from_ne_bytes);
                }
                _ => {}
            }
        }
        let Some(mut v) = self.reg(sreg) else {
            return self.raw(e);
        };
        // Both describe the value as it was before this operation.
        let unnamed = v.unnamed.take();
        v.shifted = None;
        let plain_mask = op == BitwiseOp::MaskXor
            && xor.as_ref().is_some_and(|x| x.iter().all(|&b| b == 0));
        match mask {
            Some(mask) if plain_mask && v.mask.is_none() => {
                let written = Some((mask.clone(), vec![0; mask.len()]));
                let sub = v.prefix.is_none().then(|| self.subfield(&v, &mask));
                if let Some(mut sub) = sub.flatten() {
                    sub.unnamed =
                        Some(format!("{} & {}", v.text, v.print(&mask)));
                    v = sub;
                } else {
                    v.mask = Some(mask);
                }
                v.written = written;
                self.set_reg(dreg, v);
            }
            Some(mask) if op == BitwiseOp::MaskXor && v.mask.is_none() => {
                let xor = xor.unwrap_or_else(|| vec![0; mask.len()]);
                v.text = mask_xor_text(&v, &mask, &xor);
                v.binop = true;
                v.written = Some((mask, xor));
                self.set_reg(dreg, v);
            }
            _ if matches!(op, BitwiseOp::Lshift | BitwiseOp::Rshift)
                && shift.is_some() =>
            {
                let by = shift.unwrap_or_default();
                let sign = if op == BitwiseOp::Lshift { "<<" } else { ">>" };
                // An expression shifted is in parentheses, as nft prints.
                let operand = match &v.mask {
                    Some(m) => format!("({} & {})", v.text, v.print(m)),
                    None if v.binop => format!("({})", v.text),
                    None => v.text.clone(),
                };
                if let Some(unnamed) = unnamed {
                    if op == BitwiseOp::Rshift && by == v.shift {
                        let raw = format!("({unnamed}) >> {by}");
                        v.shifted = Some((v.text.clone(), raw));
                    }
                }
                v.text = format!("{operand} {sign} {by}");
                v.mask = None;
                v.binop = true;
                self.set_reg(dreg, v);
            }
            _ => {
                // Bits of two registers: not followed here.
                v.text = format!("{} {}", v.text, raw::expr(e));
                v.mask = None;
                self.set_reg(dreg, v);
            }
        }
    }

    fn cmp(&mut self, e: &Expr, attrs: &[Cmp]) {
        let (mut sreg, mut op, mut data) = (None, None, None);
        for a in attrs {
            match a {
                Cmp::SourceRegister(r) => sreg = Some(*r),
                Cmp::Op(o) => op = Some(*o),
                Cmp::Data(Data::Value(d)) => data = Some(d.clone()),
                _ => {}
            }
        }
        let (Some(v), Some(op), Some(data)) = (self.reg(sreg), op, data) else {
            return self.raw(e);
        };
        if self.split_match(&v, op, &data) {
            return;
        }
        // nft writes a range of a field as two comparisons.
        if let (CmpOp::LessThanEqual, Some((n, lhs, lo))) =
            (op, self.at_least.take())
        {
            if lhs == v.text && n + 1 == self.out.len() {
                self.out[n].text =
                    format!("{lhs} {lo}-{}", v.print_bound(&data));
                return;
            }
        }
        let text = relation(&v, op, &data);
        let n = self.emit(text);
        self.matched(&v);
        if op == CmpOp::GreatherThanEqual && v.mask.is_none() {
            self.at_least = Some((n, v.text.clone(), v.print_bound(&data)));
        }
        if op == CmpOp::Equal && v.mask.is_none() {
            self.learn(&v, &data, n);
        }
    }

    /// A match on a protocol field tells the header that follows.
    fn learn(&mut self, v: &Value, data: &[u8], n: usize) {
        let number = datatype::number(data, v.host);
        self.out[n].meta = !v.text.contains(' ') || v.text.starts_with("meta ");
        match v.text.as_str() {
            "meta l4proto" | "ip protocol" | "ip6 nexthdr" => {
                // In a table of several families nft's own match is
                // `meta l4proto`: one of a header's field was written
                // so, and stays.
                let own = v.text == "meta l4proto"
                    || matches!(self.family, Family::Ip | Family::Ip6);
                // A protocol nft has no header for has its ports (`th`).
                let p = u8::try_from(number)
                    .ok()
                    .and_then(Proto::transport)
                    .unwrap_or(Proto::Th);
                self.transport = Some((p, own.then_some(n)));
            }
            "meta nfproto" => {
                let p = match number {
                    2 => Some(Proto::Ip),
                    10 => Some(Proto::Ip6),
                    _ => None,
                };
                if let Some(p) = p {
                    self.network = Some((p, Some(n)));
                }
            }
            "meta iiftype" if number == ARPHRD_ETHER => {
                self.link = Some(n);
                self.ethernet = true;
            }
            "icmp type" | "icmpv6 type" => {
                self.icmp = u8::try_from(number).ok().map(|t| (t, Some(n)));
            }
            "ether type" | "vlan type" if payload::is_vlan_type(number) => {
                let start = match v.at {
                    Some(At::Payload(h, _)) if h.proto == Some(Proto::Vlan) => {
                        h.start + payload::VLAN_BITS
                    }
                    _ => payload::ETHER_BITS,
                };
                // Only the first tag's 802.1Q type is nft's own; a map's
                // key on the tag drops it too.
                let implied =
                    v.text == "ether type" && number == payload::ETHER_8021Q;
                self.out[n].meta = implied;
                self.tags.push(Tag {
                    start,
                    implied_by: implied.then_some(n),
                });
            }
            "ether type" | "meta protocol" | "vlan type" => {
                if let Some(p) =
                    u16::try_from(number).ok().and_then(Proto::network)
                {
                    self.network = Some((p, Some(n)));
                }
            }
            _ => {}
        }
    }

    fn range(&mut self, e: &Expr, attrs: &[Range]) {
        let (mut sreg, mut op, mut from, mut to) = (None, None, None, None);
        for a in attrs {
            match a {
                Range::SourceRegister(r) => sreg = Some(*r),
                Range::Op(o) => op = Some(*o),
                Range::FromData(Data::Value(d)) => from = Some(d.clone()),
                Range::ToData(Data::Value(d)) => to = Some(d.clone()),
                _ => {}
            }
        }
        let (Some(v), Some(from), Some(to)) = (self.reg(sreg), from, to) else {
            return self.raw(e);
        };
        let neg = if op == Some(RangeOp::Neq) { "!= " } else { "" };
        let (from, to) = (v.print_bound(&from), v.print_bound(&to));
        let text = format!("{} {neg}{from}-{to}", v.text);
        self.emit(text);
        self.matched(&v);
    }

    fn find_set(&self, name: &str) -> Option<&Set> {
        self.table.sets.iter().find(|s| s.name == name)
    }

    /// `@name`, or the elements of an anonymous set.
    fn set_ref(&self, name: &str) -> String {
        match self.find_set(name) {
            Some(s) if sets::is_anonymous(s) => sets::inline(s),
            _ => format!("@{name}"),
        }
    }

    /// As `set_ref`, for a lookup of `key`: a field `shift` bits above
    /// the end of the bytes loaded has the anonymous set's elements
    /// moved down, and raw fields print as nft prints them.
    fn set_ref_of(&self, name: &str, key: &Value) -> String {
        let Some(s) = self.find_set(name).filter(|s| sets::is_anonymous(s))
        else {
            return format!("@{name}");
        };
        let moved;
        let s = if key.shift > 0 {
            moved = sets::unshifted(s, key.shift);
            &moved
        } else {
            s
        };
        let fields = key.fields();
        let mut types = sets::key_types(s);
        for (t, (k, _)) in types.iter_mut().zip(&fields) {
            if *t == Type::Integer && *k == Type::Hex {
                *t = Type::Hex;
            }
        }
        let sizes: Vec<usize> = fields.iter().map(|(_, n)| *n).collect();
        sets::inline_as(s, &types, &sizes)
    }

    fn lookup(&mut self, e: &Expr, attrs: &[Lookup]) {
        let (mut name, mut sreg, mut dreg, mut flags) = (None, None, None, 0);
        for a in attrs {
            match a {
                Lookup::Set(s) => name = Some(s.clone()),
                Lookup::SourceRegister(r) => sreg = Some(*r),
                Lookup::DestinationRegister(r) => dreg = Some(*r),
                Lookup::Flags(f) => flags = *f,
                _ => {}
            }
        }
        let Some(name) = name else {
            return self.raw(e);
        };
        let key_len = self.find_set(&name).map_or(0, |s| s.key_len as usize);
        let Some(mut key) = self.key(sreg, key_len) else {
            return self.raw(e);
        };
        if let Some(mask) = key.mask.take() {
            key.text = if key.ty.is_flags() {
                // nft writes flags under a mask `a & (b | c) == { … }`.
                let n = datatype::number(&mask, key.host);
                let flags = datatype::flags(key.ty, n).replace(',', " | ");
                let flags = if n.count_ones() > 1 {
                    format!("({flags})")
                } else {
                    flags
                };
                format!("{} & {flags} ==", key.text)
            } else {
                format!("{} & {}", key.text, key.print(&mask))
            };
        }
        let set = self.set_ref_of(&name, &key);
        // nft 1.0.6 names a field shifted down to its value in a lookup
        // of a named set; it never shifts a key of an anonymous one.
        let named =
            self.find_set(&name).is_some_and(|s| !sets::is_anonymous(s));
        match dreg {
            None if named => key.named_key(),
            Some(_) if named => key.unnamed_key(),
            _ => {}
        }
        match dreg {
            None => {
                let neg = if flags & NFT_LOOKUP_F_INV != 0 {
                    "!= "
                } else {
                    ""
                };
                self.emit(format!("{} {neg}{set}", key.text));
                self.matched(&key);
                if neg.is_empty() {
                    self.learn_types(&name, &key);
                }
            }
            Some(Register::Verdict) => {
                self.emit(format!("{} vmap {set}", key.text));
                self.matched(&key);
            }
            Some(r) => {
                let s = self.find_set(&name);
                let ty = s.and_then(sets::data_type).unwrap_or(Type::Integer);
                let len = s.and_then(|s| s.data_len).unwrap_or(4) as usize;
                let text = format!("{} map {set}", key.text);
                self.settle_meta(&key.deps);
                self.set_reg(Some(r), Value::field(text, ty, len, false));
            }
        }
    }

    /// A match of ICMP types in an anonymous set tells nft the lowest of
    /// them, which names the fields after it.
    fn learn_types(&mut self, name: &str, key: &Value) {
        if !matches!(key.text.as_str(), "icmp type" | "icmpv6 type") {
            return;
        }
        let lowest = self
            .find_set(name)
            .filter(|s| sets::is_anonymous(s))
            .and_then(|s| {
                s.elements.iter().filter_map(|e| e.key.first()).min()
            });
        if let Some(&t) = lowest {
            self.icmp = Some((t, None));
        }
    }
}

/// `lhs value`, `lhs != value`, `lhs < value`; with a mask, a prefix
/// (`ip saddr 10.0.0.0/8`), a flag test (`ct state established`), or
/// `lhs & mask == value`.
fn relation(v: &Value, op: CmpOp, data: &[u8]) -> String {
    let op_text = match op {
        CmpOp::Equal => "",
        CmpOp::NotEqual => "!= ",
        CmpOp::LessThan => "< ",
        CmpOp::LessThanEqual => "<= ",
        CmpOp::GreaterThan => "> ",
        CmpOp::GreatherThanEqual => ">= ",
        _ => "[op] ",
    };
    match &v.mask {
        None => unmasked(v, op, op_text, data),
        Some(mask) if v.ty.is_flags() || v.ty == Type::CtLabel => {
            flag_test(v, op_text, mask, data)
        }
        Some(mask) => masked(v, op_text, mask, data),
    }
}

/// A comparison of the whole value. nft writes `==` where leaving it
/// out would read as something else (`must_print_eq_op`): before
/// flags (`tcp flags == syn`, not a test of the bit), and after an
/// expression of the field (`meta mark | 0x3 == 0x1`). A value of
/// several flags has no name, and prints as a number.
fn unmasked(v: &Value, op: CmpOp, op_text: &str, data: &[u8]) -> String {
    let op_text = match op {
        CmpOp::Equal if v.ty.is_flags() || v.binop => "== ",
        _ => op_text,
    };
    let n = datatype::number(data, v.host);
    let value = if v.ty.is_flags() && n.count_ones() > 1 {
        format!("0x{n:x}")
    } else if matches!(v.ty, Type::Ipv4 | Type::Ipv6)
        && v.prefix.is_none()
        && data.len() < v.len
    {
        // A comparison of the first bytes of an address is a prefix
        // (nft's `ct original ip saddr 192.168.1.0/24`).
        let mut full = data.to_vec();
        full.resize(v.len, 0);
        let addr = datatype::value_in(v.ty, &full, false);
        format!("{addr}/{}", data.len() * 8)
    } else {
        v.print(data)
    };
    format!("{} {op_text}{value}", v.text)
}

/// A test of flags under a mask: any of them (`ct state
/// established,related`), none (`! syn`), one flag set (`tcp flags &
/// syn == syn`), or some of them (`tcp flags syn / syn,ack`).
fn flag_test(v: &Value, op_text: &str, mask: &[u8], data: &[u8]) -> String {
    let (m, d) = (
        datatype::number(mask, v.host),
        datatype::number(data, v.host),
    );
    let list = |n| datatype::flags(v.ty, n);
    match (op_text, d) {
        ("!= ", 0) => format!("{} {}", v.text, list(m)),
        ("", 0) => format!("{} ! {}", v.text, list(m)),
        _ if d == m && m.count_ones() == 1 => {
            let op = if op_text.is_empty() { "== " } else { op_text };
            format!("{} & {} {op}{}", v.text, list(m), list(d))
        }
        _ => format!("{} {op_text}{} / {}", v.text, list(d), list(m)),
    }
}

/// A masked comparison: a prefix of a type that has them (addresses,
/// marks, device groups, realms), else `lhs & mask == value`.
fn masked(v: &Value, op_text: &str, mask: &[u8], data: &[u8]) -> String {
    let prefixed = matches!(
        v.ty,
        Type::Ipv4 | Type::Ipv6 | Type::Mark | Type::Devgroup | Type::Realm
    );
    let bits = mask.len() as u32 * 8;
    let m = datatype::number(mask, v.host);
    // A mask of no bits is the prefix of length 0 (`0.0.0.0/0`).
    let len = if m == 0 { Some(0) } else { prefix(m, bits) };
    match len {
        Some(len) if prefixed => {
            return format!("{} {op_text}{}/{len}", v.text, v.print(data));
        }
        _ => {}
    }
    let op = if op_text.is_empty() {
        "=="
    } else {
        op_text.trim()
    };
    format!("{} & {} {op} {}", v.text, v.print(mask), v.print(data))
}

/// The length of a mask of `bits` bits that is leading ones, if it is
/// one.
fn prefix(mask: u128, bits: u32) -> Option<u32> {
    let ones = mask.count_ones();
    if bits == 0 || bits > 128 || ones == 0 {
        return None;
    }
    let expected = (u128::MAX << (128 - ones)) >> (128 - bits);
    (mask == expected).then_some(ones)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `(a & mask) ^ xor` as nft reads it back: the bits the xor sets
/// outside the mask are an `| or` of their own and join the mask, and
/// each part that does nothing goes unsaid (`a | 0x3`, `a ^ 0x1`).
fn mask_xor_text(v: &Value, mask: &[u8], xor: &[u8]) -> String {
    let or: Vec<u8> = mask.iter().zip(xor).map(|(m, x)| x & !m).collect();
    let xor: Vec<u8> = mask.iter().zip(xor).map(|(m, x)| x & m).collect();
    let mask: Vec<u8> = mask.iter().zip(&or).map(|(m, o)| m | o).collect();
    let mut text = v.text.clone();
    if mask.iter().any(|&b| b != 0xff) {
        text += &format!(" & {}", v.print(&mask));
    }
    if xor.iter().any(|&b| b != 0) {
        text += &format!(" ^ {}", v.print(&xor));
    }
    if or.iter().any(|&b| b != 0) {
        text += &format!(" | {}", v.print(&or));
    }
    text
}
