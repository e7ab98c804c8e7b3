//! What one iptables rule says (iptables' `iptables_command_state`),
//! rebuilt from the expressions iptables-nft wrote, the way
//! `nft_rule_to_iptables_command_state` rebuilds it: the native
//! matches of the rule's header (`-s`, `-i`, `-p`, `-f`) become its
//! fields again, those of `tcp`, `udp`, `mark`, `limit` and `NFLOG`
//! their x_tables structs, and `match` and `target` expressions are
//! decoded as they are. Whatever iptables could not read back makes
//! the whole rule `None`.

use super::regs::{
    iface, value, word, Comparison, Immediated, Loaded, Reg, Regs,
};
use crate::collect::nftables::expr::{
    Cmp, CmpOp, Expr, Immediate, Limit, Log, MetaKey, PayloadBase, Range,
    RangeOp,
};
use crate::collect::nftables::xt::{
    Family, Limit as RateLimit, MarkMatch, Nflog, Tcp, Udp, XtMatch, XtTarget,
    INV_DSTPT, INV_SRCPT, XT_NFLOG_F_COPY_LEN, XT_TCP_INV_FLAGS,
};

const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;

/// An address of the header, as iptables holds it (4 or 16 bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddrMatch {
    pub addr: Vec<u8>,
    pub mask: Vec<u8>,
    pub invert: bool,
}

/// An interface of the header, as `save_iface` prints it: the name,
/// with `+` for a prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iface {
    pub name: String,
    pub invert: bool,
}

/// Where the rule sends the packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jump {
    /// `ACCEPT`, `DROP`, `RETURN`.
    Verdict(&'static str),
    Chain {
        name: String,
        goto: bool,
    },
    Target(XtTarget),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Command {
    pub src: Option<AddrMatch>,
    pub dst: Option<AddrMatch>,
    pub iniface: Option<Iface>,
    pub outiface: Option<Iface>,
    /// The `-p` protocol; 0 for any.
    pub proto: u8,
    pub proto_invert: bool,
    /// `-f`, and whether it is inverted.
    pub fragment: Option<bool>,
    pub matches: Vec<XtMatch>,
    pub jump: Option<Jump>,
}

/// The replay of one rule.
struct Replay {
    family: Family,
    regs: Regs,
    cmd: Command,
    /// Where the native `tcp` or `udp` match sits in `cmd.matches`:
    /// every port and flag comparison adds to the same one.
    tcp: Option<usize>,
    udp: Option<usize>,
}

/// The command of a rule of `family`, or `None` when iptables could
/// not read it back.
pub fn command(family: Family, exprs: &[Expr]) -> Option<Command> {
    let mut r = Replay {
        family,
        regs: Regs::default(),
        cmd: Command::default(),
        tcp: None,
        udp: None,
    };
    for e in exprs {
        r.expr(e)?;
    }
    Some(r.cmd)
}

/// `port_match_single_to_range`: one comparison of a port narrows its
/// range.
fn narrow(
    ports: &mut [u16; 2],
    invflags: &mut u8,
    op: CmpOp,
    port: u16,
    inv: u8,
) {
    match op {
        CmpOp::NotEqual => {
            *invflags |= inv;
            *ports = [port, port];
        }
        CmpOp::Equal => *ports = [port, port],
        CmpOp::LessThan => ports[1] = port.saturating_sub(1).max(1),
        CmpOp::LessThanEqual => ports[1] = port,
        CmpOp::GreaterThan => ports[0] = port.saturating_add(1),
        CmpOp::GreatherThanEqual => ports[0] = port,
        _ => {}
    }
}

impl Replay {
    fn expr(&mut self, e: &Expr) -> Option<()> {
        match e {
            Expr::Counter(_) => Some(()),
            Expr::Payload(a) => self.regs.payload(a),
            Expr::Meta(a) => self.regs.meta(a),
            Expr::Bitwise(a) => self.regs.bitwise(a),
            Expr::Cmp(a) => self.cmp(a),
            Expr::Range(a) => self.range(a),
            Expr::Immediate(a) => self.immediate(a),
            Expr::Match(a) => {
                let m = XtMatch::from_expr(a, self.family);
                self.cmd.matches.push(m);
                Some(())
            }
            Expr::Target(a) => {
                let t = XtTarget::from_expr(a, self.family);
                self.cmd.jump = Some(Jump::Target(t));
                Some(())
            }
            Expr::Limit(a) => self.limit(a),
            Expr::Log(a) => self.nflog(a),
            // A lookup (an ebtables `among`), a register write, any
            // other native statement: nothing iptables reads back.
            _ => None,
        }
    }

    fn cmp(&mut self, attrs: &[Cmp]) -> Option<()> {
        let Comparison { reg, op, data } = self.regs.cmp(attrs)?;
        match reg.loaded {
            Loaded::Meta(key) => self.cmp_meta(key, &reg, op, data),
            Loaded::Payload {
                base: PayloadBase::Network,
                offset,
                len,
            } => self.cmp_network(offset, len, &reg, op, data),
            Loaded::Payload {
                base: PayloadBase::Transport,
                offset,
                ..
            } => self.cmp_transport(offset, &reg, op, data),
            _ => None,
        }
    }

    fn cmp_meta(
        &mut self,
        key: MetaKey,
        reg: &Reg,
        op: CmpOp,
        data: &[u8],
    ) -> Option<()> {
        let invert = op == CmpOp::NotEqual;
        match key {
            MetaKey::L4Proto => {
                self.cmd.proto = *data.first()?;
                self.cmd.proto_invert = invert;
            }
            MetaKey::Iifname | MetaKey::BriIifname => {
                self.cmd.iniface = iface(data, invert);
            }
            MetaKey::Oifname | MetaKey::BriOifname => {
                self.cmd.outiface = iface(data, invert);
            }
            MetaKey::Mark => {
                let mask = match &reg.mask {
                    Some(m) => word(m)?,
                    None => u32::MAX,
                };
                let mark = MarkMatch {
                    mark: word(data)?,
                    mask,
                    invert,
                };
                self.cmd.matches.push(XtMatch::Mark(mark));
            }
            _ => return None,
        }
        Some(())
    }

    fn cmp_network(
        &mut self,
        offset: u32,
        len: u32,
        reg: &Reg,
        op: CmpOp,
        data: &[u8],
    ) -> Option<()> {
        let invert = op == CmpOp::NotEqual;
        let (src, dst, proto, width) = match self.family {
            Family::Ipv4 => (12, 16, 9, 4),
            Family::Ipv6 => (8, 24, 6, 16),
        };
        if offset == src || offset == dst {
            let mut addr = data.to_vec();
            addr.resize(width, 0);
            let mask = match &reg.mask {
                Some(m) => {
                    let mut m = m.clone();
                    m.resize(width, 0);
                    m
                }
                None => {
                    let ones = (len as usize).min(width);
                    let mut m = vec![0xff; ones];
                    m.resize(width, 0);
                    m
                }
            };
            let side = Some(AddrMatch { addr, mask, invert });
            if offset == src {
                self.cmd.src = side;
            } else {
                self.cmd.dst = side;
            }
        } else if offset == proto {
            self.cmd.proto = *data.first()?;
            self.cmd.proto_invert = invert;
        } else if self.family == Family::Ipv4 && offset == 6 {
            // `-f`: the fragment offset bits are not zero (`get_frag`).
            let inverted = reg.mask.is_some() && op == CmpOp::Equal;
            self.cmd.fragment = Some(inverted);
        } else {
            return None;
        }
        Some(())
    }

    fn cmp_transport(
        &mut self,
        offset: u32,
        reg: &Reg,
        op: CmpOp,
        data: &[u8],
    ) -> Option<()> {
        let be16 = |at: usize| {
            data.get(at..at + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
        };
        match (offset, data.len()) {
            (0, 2) => self.ports(Some(be16(0)?), None, op),
            (0, 4) => self.ports(Some(be16(0)?), Some(be16(2)?), op),
            (2, 2) => self.ports(None, Some(be16(0)?), op),
            (13, 1) if self.cmd.proto == IPPROTO_TCP => {
                let mask = match &reg.mask {
                    Some(m) => *m.first()?,
                    None => 0xff,
                };
                let tcp = self.tcp()?;
                if op == CmpOp::NotEqual {
                    tcp.invflags |= XT_TCP_INV_FLAGS;
                }
                tcp.flg_cmp = data[0];
                tcp.flg_mask = mask;
                Some(())
            }
            _ => None,
        }
    }

    /// A comparison of the source and/or destination port.
    fn ports(
        &mut self,
        sport: Option<u16>,
        dport: Option<u16>,
        op: CmpOp,
    ) -> Option<()> {
        let apply = |spts: &mut [u16; 2], dpts: &mut [u16; 2], inv: &mut u8| {
            if let Some(p) = sport {
                narrow(spts, inv, op, p, INV_SRCPT);
            }
            if let Some(p) = dport {
                narrow(dpts, inv, op, p, INV_DSTPT);
            }
        };
        match self.cmd.proto {
            IPPROTO_TCP => {
                let t = self.tcp()?;
                apply(&mut t.spts, &mut t.dpts, &mut t.invflags);
            }
            IPPROTO_UDP => {
                let u = self.udp()?;
                apply(&mut u.spts, &mut u.dpts, &mut u.invflags);
            }
            _ => return None,
        }
        Some(())
    }

    fn range(&mut self, attrs: &[Range]) -> Option<()> {
        let (mut sreg, mut op, mut from, mut to) =
            (None, RangeOp::Eq, None, None);
        for a in attrs {
            match a {
                Range::SourceRegister(r) => sreg = Some(*r),
                Range::Op(o) => op = *o,
                Range::FromData(d) => from = value(d),
                Range::ToData(d) => to = value(d),
                _ => {}
            }
        }
        let reg = self.regs.get(sreg?)?;
        let Loaded::Payload {
            base: PayloadBase::Transport,
            offset,
            ..
        } = reg.loaded
        else {
            return None;
        };
        let port = |d: Option<&[u8]>| match d? {
            [a, b] => Some(u16::from_be_bytes([*a, *b])),
            _ => None,
        };
        let range = [port(from)?, port(to)?];
        let invert = op == RangeOp::Neq;
        let (spts, dpts, invflags) = match self.cmd.proto {
            IPPROTO_TCP => {
                let t = self.tcp()?;
                (&mut t.spts, &mut t.dpts, &mut t.invflags)
            }
            IPPROTO_UDP => {
                let u = self.udp()?;
                (&mut u.spts, &mut u.dpts, &mut u.invflags)
            }
            _ => return None,
        };
        let (ports, inv) = match offset {
            0 => (spts, INV_SRCPT),
            2 => (dpts, INV_DSTPT),
            _ => return None,
        };
        *ports = range;
        if invert {
            *invflags |= inv;
        }
        Some(())
    }

    /// The native `tcp` match, made at its first field.
    fn tcp(&mut self) -> Option<&mut Tcp> {
        let at = *self.tcp.get_or_insert_with(|| {
            self.cmd.matches.push(XtMatch::Tcp(Tcp::default()));
            self.cmd.matches.len() - 1
        });
        match self.cmd.matches.get_mut(at)? {
            XtMatch::Tcp(t) => Some(t),
            _ => None,
        }
    }

    fn udp(&mut self) -> Option<&mut Udp> {
        let at = *self.udp.get_or_insert_with(|| {
            self.cmd.matches.push(XtMatch::Udp(Udp::default()));
            self.cmd.matches.len() - 1
        });
        match self.cmd.matches.get_mut(at)? {
            XtMatch::Udp(u) => Some(u),
            _ => None,
        }
    }

    /// `nft_parse_immediate`: other verdicts (continue, queue) leave
    /// the rule without a target.
    fn immediate(&mut self, attrs: &[Immediate]) -> Option<()> {
        if let Immediated::Verdict(Some(jump)) = self.regs.immediate(attrs)? {
            self.cmd.jump = Some(jump);
        }
        Some(())
    }

    fn limit(&mut self, attrs: &[Limit]) -> Option<()> {
        self.cmd.matches.push(XtMatch::Limit(rate_limit(attrs)?));
        Some(())
    }

    /// `nft_parse_log`: a `log` to a group is `-j NFLOG`.
    fn nflog(&mut self, attrs: &[Log]) -> Option<()> {
        let mut nflog = Nflog {
            len: 0,
            group: 0,
            threshold: 0,
            flags: 0,
            prefix: String::new(),
        };
        let mut group = false;
        for a in attrs {
            match a {
                Log::Group(g) => {
                    nflog.group = *g;
                    group = true;
                }
                Log::Prefix(p) => nflog.prefix = p.clone(),
                Log::Snaplen(n) => {
                    nflog.len = *n;
                    nflog.flags = XT_NFLOG_F_COPY_LEN;
                }
                Log::Qthreshold(t) => nflog.threshold = *t,
                _ => {}
            }
        }
        group.then_some(())?;
        self.cmd.jump = Some(Jump::Target(XtTarget::Nflog(nflog)));
        Some(())
    }
}

/// `nft_parse_limit`: a packet rate back to its period, as iptables and
/// ebtables write their `limit` match.
pub(super) fn rate_limit(attrs: &[Limit]) -> Option<RateLimit> {
    let (mut rate, mut unit, mut burst) = (0, 0, 0);
    for a in attrs {
        match a {
            Limit::Rate(r) => rate = *r,
            Limit::Unit(u) => unit = *u,
            Limit::Burst(b) => burst = *b,
            _ => {}
        }
    }
    RateLimit::from_rate(rate, unit, burst)
}
