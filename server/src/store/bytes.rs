//! The little-endian pieces the stored records are made of (see
//! `fields` and `record`): fixed-size numbers, addresses, options and
//! short texts and lists, each with a length or presence byte first.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use app::wire::Endpoints;

const V4: u8 = 4;
const V6: u8 = 6;

pub fn push_addr(out: &mut Vec<u8>, addr: IpAddr) {
    match addr {
        IpAddr::V4(a) => {
            out.push(V4);
            out.extend_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            out.push(V6);
            out.extend_from_slice(&a.octets());
        }
    }
}

pub fn push_endpoints(out: &mut Vec<u8>, ends: &Endpoints) {
    push_addr(out, ends.src);
    push_addr(out, ends.dst);
    for port in [ends.sport, ends.dport] {
        push_option(out, port, |out, p| {
            out.extend_from_slice(&p.to_le_bytes())
        });
    }
}

pub fn push_option<T>(
    out: &mut Vec<u8>,
    value: Option<T>,
    push: impl FnOnce(&mut Vec<u8>, T),
) {
    match value {
        Some(v) => {
            out.push(1);
            push(out, v);
        }
        None => out.push(0),
    }
}

/// A text of up to 64 KiB, after its length; `None` for a longer one,
/// which a record cannot hold.
pub fn push_text(out: &mut Vec<u8>, text: &str) -> Option<()> {
    out.extend_from_slice(&u16::try_from(text.len()).ok()?.to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    Some(())
}

/// Up to 64 Ki numbers, after their count.
pub fn push_u16s(out: &mut Vec<u8>, list: &[u16]) -> Option<()> {
    out.extend_from_slice(&u16::try_from(list.len()).ok()?.to_le_bytes());
    for n in list {
        out.extend_from_slice(&n.to_le_bytes());
    }
    Some(())
}

/// The unread rest of a record. Every read is `None` once the record
/// is too short or says something no writer writes.
pub struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    /// `Some(None)` for an absent value, `None` for a broken record.
    pub fn option<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Option<T>,
    ) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            1 => read(self).map(Some),
            _ => None,
        }
    }

    /// A text of at most 255 bytes after its length byte.
    pub fn short_text(&mut self) -> Option<&'a str> {
        let len = self.u8()?;
        std::str::from_utf8(self.take(usize::from(len))?).ok()
    }

    /// What [`push_text`] wrote.
    pub fn text(&mut self) -> Option<&'a str> {
        let len = self.u16()?;
        std::str::from_utf8(self.take(usize::from(len))?).ok()
    }

    /// What [`push_u16s`] wrote.
    pub fn u16s(&mut self) -> Option<Vec<u16>> {
        let count = self.u16()?;
        // Checked against what is left first: a hostile count allocates
        // nothing.
        let bytes = self.take(usize::from(count) * 2)?;
        Some(
            bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect(),
        )
    }

    pub fn addr(&mut self) -> Option<IpAddr> {
        match self.u8()? {
            V4 => Some(Ipv4Addr::from(self.array::<4>()?).into()),
            V6 => Some(Ipv6Addr::from(self.array::<16>()?).into()),
            _ => None,
        }
    }

    pub fn endpoints(&mut self) -> Option<Endpoints> {
        Some(Endpoints {
            src: self.addr()?,
            dst: self.addr()?,
            sport: self.option(Self::u16)?,
            dport: self.option(Self::u16)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
