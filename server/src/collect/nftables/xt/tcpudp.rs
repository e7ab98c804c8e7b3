//! `tcp` (`struct xt_tcp`) and `udp` (`struct xt_udp`): port ranges,
//! and for TCP an option kind and flags. iptables-nft writes most of
//! them as native payload matches and reads those back into these
//! structs, so the renderer builds them from either.

use std::fmt;

use super::info::Info;

/// `XT_TCP_INV_*` and `XT_UDP_INV_*`.
pub const INV_SRCPT: u8 = 0x01;
pub const INV_DSTPT: u8 = 0x02;
pub const XT_TCP_INV_FLAGS: u8 = 0x04;
pub const XT_TCP_INV_OPTION: u8 = 0x08;

/// TCP flag names in the order `print_tcpf` tries them.
const TCP_FLAGS: [(u8, &str); 6] = [
    (0x01, "FIN"),
    (0x02, "SYN"),
    (0x04, "RST"),
    (0x08, "PSH"),
    (0x10, "ACK"),
    (0x20, "URG"),
];

/// An inclusive port range; `0:65535` is any port.
pub type PortRange = [u16; 2];

pub const ANY_PORT: PortRange = [0, u16::MAX];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tcp {
    pub spts: PortRange,
    pub dpts: PortRange,
    pub option: u8,
    pub flg_mask: u8,
    pub flg_cmp: u8,
    pub invflags: u8,
}

/// What `-m tcp` alone means.
impl Default for Tcp {
    fn default() -> Self {
        Self {
            spts: ANY_PORT,
            dpts: ANY_PORT,
            option: 0,
            flg_mask: 0,
            flg_cmp: 0,
            invflags: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Udp {
    pub spts: PortRange,
    pub dpts: PortRange,
    pub invflags: u8,
}

impl Default for Udp {
    fn default() -> Self {
        Self {
            spts: ANY_PORT,
            dpts: ANY_PORT,
            invflags: 0,
        }
    }
}

fn ports(i: Info, at: usize) -> Option<PortRange> {
    Some([i.u16(at)?, i.u16(at + 2)?])
}

impl Tcp {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            spts: ports(i, 0)?,
            dpts: ports(i, 4)?,
            option: i.u8(8)?,
            flg_mask: i.u8(9)?,
            flg_cmp: i.u8(10)?,
            invflags: i.u8(11)?,
        })
    }
}

impl Udp {
    pub fn decode(info: &[u8]) -> Option<Self> {
        let i = Info(info);
        Some(Self {
            spts: ports(i, 0)?,
            dpts: ports(i, 4)?,
            invflags: i.u8(8)?,
        })
    }
}

/// ` [!] --sport A[:B] [!] --dport C[:D]`, each only when it narrows.
fn save_ports(
    f: &mut fmt::Formatter<'_>,
    spts: PortRange,
    dpts: PortRange,
    invflags: u8,
) -> fmt::Result {
    for (word, [lo, hi], inv) in
        [("sport", spts, INV_SRCPT), ("dport", dpts, INV_DSTPT)]
    {
        if [lo, hi] == ANY_PORT {
            continue;
        }
        let not = if invflags & inv != 0 { " !" } else { "" };
        write!(f, "{not} --{word} {lo}")?;
        if lo != hi {
            write!(f, ":{hi}")?;
        }
    }
    Ok(())
}

/// `print_tcpf`: flag names joined by commas, `NONE` for none. Bits
/// above URG, which it has no name for, print as a number.
fn tcp_flags(flags: u8) -> String {
    let mut names: Vec<String> = TCP_FLAGS
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| (*name).to_owned())
        .collect();
    if flags & 0xc0 != 0 {
        names.push(format!("{:#x}", flags & 0xc0));
    }
    if names.is_empty() {
        return "NONE".to_owned();
    }
    names.join(",")
}

impl fmt::Display for Tcp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        save_ports(f, self.spts, self.dpts, self.invflags)?;
        let not = |bit: u8| if self.invflags & bit != 0 { " !" } else { "" };
        if self.option != 0 || self.invflags & XT_TCP_INV_OPTION != 0 {
            let not = not(XT_TCP_INV_OPTION);
            write!(f, "{not} --tcp-option {}", self.option)?;
        }
        if self.flg_mask != 0 || self.invflags & XT_TCP_INV_FLAGS != 0 {
            let (mask, cmp) =
                (tcp_flags(self.flg_mask), tcp_flags(self.flg_cmp));
            write!(f, "{} --tcp-flags {mask} {cmp}", not(XT_TCP_INV_FLAGS))?;
        }
        Ok(())
    }
}

impl fmt::Display for Udp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        save_ports(f, self.spts, self.dpts, self.invflags)
    }
}
