//! `set`, the ipset match, revisions 1 to 4 (`struct xt_set_info_match_v1`
//! .. `_v4`). The rule holds the set by its index in the kernel's list
//! of ipsets; its name comes from the kernel apart (`ipset.rs`), and
//! where the kernel cannot tell it the index is printed in square
//! brackets (`--match-set [set 3] src`), where iptables, which cannot
//! print such a rule at all, would print the name.

use std::fmt;

use super::info::Info;

// enum ip_set_dim / ip_set_kopt (linux/netfilter/ipset/ip_set.h)
const IPSET_INV_MATCH: u8 = 1 << 0;
const IPSET_RETURN_NOMATCH: u8 = 1 << 7;
// The flags word of revisions 3 and 4.
const IPSET_FLAG_SKIP_COUNTER_UPDATE: u32 = 1 << 3;
const IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE: u32 = 1 << 4;
const IPSET_FLAG_RETURN_NOMATCH: u32 = 1 << 7;

/// A packet or byte counter test of revisions 3 and 4: an
/// `IPSET_COUNTER_*` operator and a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CounterMatch {
    pub op: u8,
    pub value: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetMatch {
    pub revision: u32,
    /// `ip_set_id_t`.
    pub index: u16,
    /// The set's name, once asked of the kernel.
    pub name: Option<String>,
    /// How many of the flag bits name directions.
    pub dim: u8,
    /// Inversion, then a bit per dimension (set: source).
    pub flags: u8,
    /// Revisions 3 and 4: the flags word and the counter tests.
    pub options: Option<(u32, CounterMatch, CounterMatch)>,
}

/// Where the parts of revisions 3 and 4 sit; they differ only in the
/// order of a counter test's fields.
const PACKETS: usize = 8;
const BYTES: usize = 24;
const FLAGS: usize = 40;

impl SetMatch {
    pub fn decode(revision: u32, info: &[u8]) -> Option<Self> {
        let i = Info(info);
        let counter = |at: usize| {
            Some(match revision {
                3 => CounterMatch {
                    op: i.u8(at)?,
                    value: i.u64(at + 8)?,
                },
                _ => CounterMatch {
                    value: i.u64(at)?,
                    op: i.u8(at + 8)?,
                },
            })
        };
        let options = match revision {
            1 | 2 => None,
            3 | 4 => Some((i.u32(FLAGS)?, counter(PACKETS)?, counter(BYTES)?)),
            _ => return None,
        };
        Some(Self {
            revision,
            index: i.u16(0)?,
            name: None,
            dim: i.u8(2)?,
            flags: i.u8(3)?,
            options,
        })
    }
}

fn counter(
    f: &mut fmt::Formatter<'_>,
    c: CounterMatch,
    word: &str,
) -> fmt::Result {
    match c.op {
        1 => write!(f, " --{word}-eq {}", c.value),
        2 => write!(f, " ! --{word}-eq {}", c.value),
        3 => write!(f, " --{word}-lt {}", c.value),
        4 => write!(f, " --{word}-gt {}", c.value),
        _ => Ok(()),
    }
}

impl fmt::Display for SetMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags & IPSET_INV_MATCH != 0 {
            f.write_str(" !")?;
        }
        match &self.name {
            Some(name) => write!(f, " --match-set {name}")?,
            None => write!(f, " --match-set [set {}]", self.index)?,
        }
        let dirs: Vec<&str> = (1..=self.dim.min(7))
            .map(|n| match self.flags & (1 << n) {
                0 => "dst",
                _ => "src",
            })
            .collect();
        if !dirs.is_empty() {
            write!(f, " {}", dirs.join(","))?;
        }
        match self.options {
            None => {
                if self.revision == 2 && self.flags & IPSET_RETURN_NOMATCH != 0
                {
                    f.write_str(" --return-nomatch")?;
                }
            }
            Some((flags, packets, bytes)) => {
                if flags & IPSET_FLAG_RETURN_NOMATCH != 0 {
                    f.write_str(" --return-nomatch")?;
                }
                if flags & IPSET_FLAG_SKIP_COUNTER_UPDATE != 0 {
                    f.write_str(" ! --update-counters")?;
                }
                if flags & IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE != 0 {
                    f.write_str(" ! --update-subcounters")?;
                }
                counter(f, packets, "packets")?;
                counter(f, bytes, "bytes")?;
            }
        }
        Ok(())
    }
}
