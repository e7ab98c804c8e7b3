//! The statements that use a set from the packet path: `add @s { key
//! }`, `update @s { key timeout 1m counter }`, and `counter name "c"`
//! with the object named directly or picked by a map.

use super::stmt::{object_keyword, stateful_statement};
use super::{sets, Cx, Value};
use crate::collect::nftables::expr::{
    Dynset, DynsetOp, Expr, ObjectType, Objref, Register, NFT_DYNSET_F_INV,
};
use crate::collect::nftables::render::datatype::Type;
use crate::collect::nftables::render::units;

/// The ct objects attach to the connection: nft sets them, and names
/// the others.
fn verb(kind: ObjectType) -> &'static str {
    match kind {
        ObjectType::CtHelper | ObjectType::CtTimeout | ObjectType::CtExpect => {
            "set"
        }
        _ => "name",
    }
}

impl Cx<'_> {
    pub(super) fn objref(&mut self, e: &Expr, attrs: &[Objref]) {
        let (mut kind, mut name, mut sreg, mut set) = (None, None, None, None);
        for a in attrs {
            match a {
                Objref::ImmType(t) => kind = Some(*t),
                Objref::ImmName(n) => name = Some(n.clone()),
                Objref::SetSreg(r) => sreg = Some(*r),
                Objref::SetName(n) => set = Some(n.clone()),
                _ => {}
            }
        }
        let text = match (kind, name, set) {
            (Some(kind), Some(name), _) => {
                format!("{} {} \"{name}\"", object_keyword(kind), verb(kind))
            }
            (_, _, Some(set)) => {
                let found = self.find_set(&set);
                let kind = found.and_then(|s| s.obj_type).unwrap_or(0);
                let kind = ObjectType::from(kind);
                let len = found.map_or(0, |s| s.key_len as usize);
                let Some(mut key) = self.key(sreg, len) else {
                    return self.raw(e);
                };
                key.unnamed_key();
                // Unlike a NAT map's key, nft lists this one without the
                // protocol match it implies.
                self.matched(&key);
                format!(
                    "{} {} {} map {}",
                    object_keyword(kind),
                    verb(kind),
                    key.text,
                    self.set_ref(&set)
                )
            }
            _ => return self.raw(e),
        };
        self.emit(text);
    }

    pub(super) fn dynset(&mut self, e: &Expr, attrs: &[Dynset]) {
        let (mut set, mut op, mut key, mut data) = (None, None, None, None);
        let (mut timeout, mut flags, mut exprs) = (0, 0, Vec::new());
        for a in attrs {
            match a {
                Dynset::SetName(n) => set = Some(n.clone()),
                Dynset::Op(o) => op = Some(*o),
                Dynset::SregKey(r) => key = Some(*r),
                Dynset::SregData(r) => data = Some(*r),
                Dynset::Timeout(t) => timeout = *t,
                Dynset::Flags(f) => flags = *f,
                Dynset::Expr(x) => exprs.push(x.as_ref().clone()),
                Dynset::Expressions(x) => exprs.extend(x.iter().cloned()),
                _ => {}
            }
        }
        let (Some(set), Some(op)) = (set, op) else {
            return self.raw(e);
        };
        let len = self.find_set(&set).map_or(0, |s| s.key_len as usize);
        let Some(k) = self.key(key, len) else {
            return self.raw(e);
        };
        self.settle_meta(&k.deps);
        let word = match op {
            DynsetOp::Add => "add",
            DynsetOp::Update => "update",
            DynsetOp::Delete => "delete",
            DynsetOp::Other(_) => return self.raw(e),
        };
        let mut inner = k.text.clone();
        if timeout != 0 {
            inner += &format!(" timeout {}", units::duration(timeout));
        }
        for x in &exprs {
            inner += &format!(" {}", stateful_statement(x));
        }
        if data.is_some() {
            let types = self.find_set(&set).and_then(sets::data_types);
            let value = match types.as_deref() {
                Some(types @ [_, _, ..]) => self.concatenated(data, types),
                Some([ty]) => self.loaded_as(data, *ty),
                _ => self.operand(&k, self.reg(data).as_ref()),
            };
            inner += &format!(" : {value}");
        }
        let neg = if flags & NFT_DYNSET_F_INV != 0 {
            "!= "
        } else {
            ""
        };
        // A set only this statement uses is a meter.
        let text = match self.find_set(&set) {
            Some(s) if sets::is_anonymous(s) => format!(
                "meter {set} size {} {{ {inner} }}",
                s.size.unwrap_or(0)
            ),
            _ => format!("{word} {neg}@{set} {{ {inner} }}"),
        };
        self.emit(text);
    }

    /// What `r` holds, printed as `ty`.
    fn loaded_as(&self, r: Option<Register>, ty: Type) -> String {
        let len = ty.size().unwrap_or(4) as usize;
        let target = Value::field(String::new(), ty, len, ty.host_order());
        self.operand(&target, self.reg(r).as_ref())
    }

    /// The fields of a concatenation the registers from `r` on hold,
    /// each printed as its type: `10.0.0.1 . 80`.
    fn concatenated(&self, r: Option<Register>, types: &[Type]) -> String {
        let mut at = r.map(u32::from).unwrap_or_default();
        let mut parts = Vec::new();
        for &ty in types {
            let reg = Register::from(at);
            parts.push(self.loaded_as(Some(reg), ty));
            let words = ty.size().unwrap_or(4).div_ceil(4);
            // A 16-byte register holds four 32-bit ones.
            at = match at {
                1..=4 => (at - 1) * 4 + 8 + words,
                _ => at + words,
            };
        }
        parts.join(" . ")
    }
}
