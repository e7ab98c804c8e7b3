//! Reading an x_tables info struct: fields at fixed offsets, in host
//! byte order unless the header says `__be`. Every read is checked, so
//! a short struct yields `None` instead of a panic.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::Family;

/// The bytes of one info struct.
#[derive(Clone, Copy)]
pub struct Info<'a>(pub &'a [u8]);

impl<'a> Info<'a> {
    pub fn bytes(self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.0.get(at..at.checked_add(len)?)
    }

    pub fn array<const N: usize>(self, at: usize) -> Option<[u8; N]> {
        self.bytes(at, N)?.try_into().ok()
    }

    pub fn u8(self, at: usize) -> Option<u8> {
        self.0.get(at).copied()
    }

    pub fn u16(self, at: usize) -> Option<u16> {
        self.array(at).map(u16::from_ne_bytes)
    }

    /// A `__be16`, as ports in most structs are.
    pub fn be16(self, at: usize) -> Option<u16> {
        self.array(at).map(u16::from_be_bytes)
    }

    pub fn u32(self, at: usize) -> Option<u32> {
        self.array(at).map(u32::from_ne_bytes)
    }

    pub fn u64(self, at: usize) -> Option<u64> {
        self.array(at).map(u64::from_ne_bytes)
    }

    /// A `union nf_inet_addr` (16 bytes, network order), read as the
    /// family's address.
    pub fn inet_addr(self, at: usize, family: Family) -> Option<IpAddr> {
        let raw: [u8; 16] = self.array(at)?;
        Some(match family {
            Family::Ipv4 => {
                IpAddr::V4(Ipv4Addr::new(raw[0], raw[1], raw[2], raw[3]))
            }
            Family::Ipv6 => IpAddr::V6(Ipv6Addr::from(raw)),
        })
    }

    /// A `__be32` IPv4 address.
    pub fn ipv4(self, at: usize) -> Option<Ipv4Addr> {
        self.array::<4>(at).map(Ipv4Addr::from)
    }

    /// A `char name[len]`: the bytes up to the first NUL (or all of
    /// them when there is none, which the kernel would refuse).
    pub fn string(self, at: usize, len: usize) -> Option<String> {
        let raw = self.bytes(at, len)?;
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        Some(String::from_utf8_lossy(&raw[..end]).into_owned())
    }
}
