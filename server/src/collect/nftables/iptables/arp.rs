//! Rules of arptables-nft, read back as `nft_arp_parse_payload` reads
//! them and printed as `arptables-nft-save` prints them
//! (`nft_arp_print_rule_details`, numeric): the target first, then
//! the interfaces, addresses, lengths, opcode and types of the ARP
//! header that differ from what arptables-nft writes by default.

use std::net::{IpAddr, Ipv4Addr};

use super::command::{Iface, Jump};
use super::regs::{iface, Comparison, Immediated, Loaded, Regs};
use crate::collect::nftables::expr::{
    CmpOp, Expr, MetaKey, PayloadBase, Target,
};
use crate::collect::nftables::xt::{
    self, mac_and_mask, mask_suffix, ArpMangle,
};

/// `sizeof(struct arphdr)`: the sender's hardware address follows.
const ARPHDR_LEN: u32 = 8;
const ETH_ALEN: u32 = 6;

/// An IPv4 address of the ARP payload under its mask.
struct IpMatch {
    addr: [u8; 4],
    mask: [u8; 4],
    invert: bool,
}

/// A hardware address of the ARP payload under its mask.
struct MacMatch {
    addr: [u8; 6],
    mask: [u8; 6],
    invert: bool,
}

/// A 16-bit field of the ARP header, in host order.
struct Field {
    value: u16,
    invert: bool,
}

enum ArpJump {
    Standard(Jump),
    Mangle(ArpMangle),
}

/// What one arptables rule says (its `arpt_entry`).
struct ArpCommand {
    iniface: Option<Iface>,
    outiface: Option<Iface>,
    src: Option<IpMatch>,
    tgt: Option<IpMatch>,
    src_mac: Option<MacMatch>,
    tgt_mac: Option<MacMatch>,
    /// The hardware address length, 6 unless the rule says otherwise.
    hln: u8,
    opcode: Option<Field>,
    /// The hardware type, 1 (Ethernet) unless the rule says otherwise.
    hrd: Field,
    pro: Option<Field>,
    jump: Option<ArpJump>,
}

/// The rule's line, `-A CHAIN …`, or `None` when arptables could not
/// read it back.
pub fn line(chain: &str, exprs: &[Expr]) -> Option<String> {
    let cmd = command(exprs)?;
    Some(format!("-A {chain} {}", details(&cmd)))
}

fn command(exprs: &[Expr]) -> Option<ArpCommand> {
    let mut regs = Regs::default();
    let mut cmd = ArpCommand {
        iniface: None,
        outiface: None,
        src: None,
        tgt: None,
        src_mac: None,
        tgt_mac: None,
        hln: ETH_ALEN as u8,
        opcode: None,
        hrd: Field {
            value: 1,
            invert: false,
        },
        pro: None,
        jump: None,
    };
    for e in exprs {
        match e {
            Expr::Counter(_) => {}
            Expr::Payload(a) => regs.payload(a)?,
            Expr::Meta(a) => regs.meta(a)?,
            Expr::Bitwise(a) => regs.bitwise(a)?,
            Expr::Cmp(a) => cmd.compare(regs.cmp(a)?)?,
            Expr::Immediate(a) => {
                if let Immediated::Verdict(Some(jump)) = regs.immediate(a)? {
                    cmd.jump = Some(ArpJump::Standard(jump));
                }
            }
            Expr::Target(a) => cmd.jump = Some(ArpJump::Mangle(mangle(a)?)),
            _ => return None,
        }
    }
    Some(cmd)
}

/// `mangle` is the only target arptables has beyond the standard ones.
fn mangle(attrs: &[Target]) -> Option<ArpMangle> {
    let (name, _, info) = xt::target_parts(attrs);
    (name == "mangle").then_some(())?;
    ArpMangle::decode(info)
}

impl ArpCommand {
    fn compare(&mut self, c: Comparison) -> Option<()> {
        let invert = match c.op {
            CmpOp::Equal => false,
            CmpOp::NotEqual => true,
            _ => return None,
        };
        match c.reg.loaded {
            Loaded::Meta(MetaKey::Iifname) => {
                self.iniface = Some(iface(c.data, invert)?);
            }
            Loaded::Meta(MetaKey::Oifname) => {
                self.outiface = Some(iface(c.data, invert)?);
            }
            Loaded::Payload {
                base: PayloadBase::Network,
                offset,
                len,
            } => self.payload(
                offset,
                len,
                c.reg.mask.as_deref(),
                c.data,
                invert,
            )?,
            _ => return None,
        }
        Some(())
    }

    fn payload(
        &mut self,
        offset: u32,
        len: u32,
        mask: Option<&[u8]>,
        data: &[u8],
        invert: bool,
    ) -> Option<()> {
        let be16 = || match data {
            [a, b] => Some(u16::from_be_bytes([*a, *b])),
            _ => None,
        };
        let hln = u32::from(self.hln);
        match offset {
            0 => {
                self.hrd = Field {
                    value: be16()?,
                    invert,
                }
            }
            2 => {
                self.pro = Some(Field {
                    value: be16()?,
                    invert,
                })
            }
            // An inverted length would print as an inverted opcode.
            4 if !invert => self.hln = *data.first()?,
            5 => (data == [4] && !invert).then_some(())?,
            6 => {
                self.opcode = Some(Field {
                    value: be16()?,
                    invert,
                })
            }
            o if o == ARPHDR_LEN => {
                self.src_mac = Some(mac(len, mask, data, invert)?)
            }
            o if o == ARPHDR_LEN + hln => {
                self.src = Some(ip(len, mask, data, invert)?)
            }
            o if o == ARPHDR_LEN + hln + 4 => {
                self.tgt_mac = Some(mac(len, mask, data, invert)?)
            }
            o if o == ARPHDR_LEN + 2 * hln + 4 => {
                self.tgt = Some(ip(len, mask, data, invert)?)
            }
            _ => return None,
        }
        Some(())
    }
}

/// The bytes of `data` in an array of `N`, the rest zeros; the mask is
/// the bitwise's, or ones over the loaded length.
fn masked<const N: usize>(
    len: u32,
    mask: Option<&[u8]>,
    data: &[u8],
) -> ([u8; N], [u8; N]) {
    let mut addr = [0; N];
    let n = data.len().min(N);
    addr[..n].copy_from_slice(&data[..n]);
    let mut m = [0; N];
    match mask {
        Some(b) => {
            let n = b.len().min(N);
            m[..n].copy_from_slice(&b[..n]);
        }
        None => m[..(len as usize).min(N)].fill(0xff),
    }
    (addr, m)
}

/// `nft_arp_parse_devaddr` takes only whole addresses: arptables
/// drops a prefix of one without a word, so such a rule is `None`.
fn mac(
    len: u32,
    mask: Option<&[u8]>,
    data: &[u8],
    invert: bool,
) -> Option<MacMatch> {
    (data.len() == ETH_ALEN as usize).then_some(())?;
    let (addr, mask) = masked(len, mask, data);
    Some(MacMatch { addr, mask, invert })
}

fn ip(
    len: u32,
    mask: Option<&[u8]>,
    data: &[u8],
    invert: bool,
) -> Option<IpMatch> {
    let (addr, mask) = masked(len, mask, data);
    Some(IpMatch { addr, mask, invert })
}

fn not(invert: bool) -> &'static str {
    if invert {
        "! "
    } else {
        ""
    }
}

/// `nft_arp_print_rule_details` with `FMT_NUMERIC`, then the target's
/// options.
fn details(cmd: &ArpCommand) -> String {
    let mut parts = Vec::new();
    match &cmd.jump {
        Some(ArpJump::Standard(Jump::Verdict(v))) => {
            parts.push(format!("-j {v}"))
        }
        Some(ArpJump::Standard(Jump::Chain { name, .. })) => {
            parts.push(format!("-j {name}"))
        }
        Some(ArpJump::Mangle(_)) => parts.push("-j mangle".to_owned()),
        Some(ArpJump::Standard(Jump::Target(_))) | None => {}
    }
    for (letter, side) in [('i', &cmd.iniface), ('o', &cmd.outiface)] {
        if let Some(Iface { name, invert }) = side {
            parts.push(format!("{}-{letter} {name}", not(*invert)));
        }
    }
    let ip = |letter: char, m: &IpMatch| {
        let addr = Ipv4Addr::from(m.addr);
        let mask = mask_suffix(IpAddr::V4(Ipv4Addr::from(m.mask)));
        format!("{}-{letter} {addr}{mask}", not(m.invert))
    };
    let mac = |name: &str, m: &MacMatch| {
        let text = mac_and_mask(&m.addr, &m.mask);
        format!("{}--{name} {text}", not(m.invert))
    };
    parts.extend(
        cmd.src
            .iter()
            .filter(|m| m.mask != [0; 4])
            .map(|m| ip('s', m)),
    );
    parts.extend(
        cmd.src_mac
            .iter()
            .filter(|m| m.mask != [0; 6])
            .map(|m| mac("src-mac", m)),
    );
    parts.extend(
        cmd.tgt
            .iter()
            .filter(|m| m.mask != [0; 4])
            .map(|m| ip('d', m)),
    );
    parts.extend(
        cmd.tgt_mac
            .iter()
            .filter(|m| m.mask != [0; 6])
            .map(|m| mac("dst-mac", m)),
    );
    if cmd.hln != ETH_ALEN as u8 {
        parts.push(format!("--h-length {}", cmd.hln));
    }
    if let Some(op) = &cmd.opcode {
        parts.push(format!("{}--opcode {}", not(op.invert), op.value));
    }
    // Not inverted Ethernet either: arptables checks the value alone.
    if cmd.hrd.value != 1 {
        let hrd = &cmd.hrd;
        parts.push(format!("{}--h-type {}", not(hrd.invert), hrd.value));
    }
    if let Some(pro) = &cmd.pro {
        parts.push(format!("{}--proto-type {:#x}", not(pro.invert), pro.value));
    }
    let mut out = parts.join(" ");
    if let Some(ArpJump::Mangle(m)) = &cmd.jump {
        out += &m.to_string();
    }
    out
}
