//! What every expression decoder shares: the macros that declare an
//! attribute enum and an enum over a kernel number, and the parsers of
//! attribute values they name.
//!
//! Numbers in expression attributes are big-endian unless
//! `linux/netfilter/nf_tables.h` says otherwise, so the parsers read
//! big-endian; the few host-order values (compat `INFO` structs) stay
//! raw bytes.

use netlink_packet_core::{
    parse_u16_be, parse_u32_be, parse_u64_be, parse_u8, DecodeError,
    DefaultNla, NlaBuffer, Parseable,
};
use netlink_packet_netfilter::nftables::{Lookup, Meta};

pub use crate::collect::nftables::attr::{raw_attrs, RawAttr};

/// Declares the attribute enum of one expression kind: a variant per
/// attribute this decoder knows, named by its kernel constant and read
/// by the given parser, `Other` for the rest, and the [`Attr`] impl
/// that picks the variant by attribute type (flag bits masked, as the
/// kernel leaves `NLA_F_NESTED` off its nests).
macro_rules! attributes {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $kind:ident => $variant:ident($ty:ty) = $parse:expr,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            /// An attribute this decoder does not know, as it came;
            /// boxed, so that the known ones stay small.
            Other(Box<netlink_packet_core::DefaultNla>),
        }

        impl $crate::collect::nftables::expr::attr::Attr for $name {
            fn from_raw(
                a: $crate::collect::nftables::attr::RawAttr,
            ) -> Result<Self, netlink_packet_core::DecodeError> {
                use netlink_packet_core::ErrorContext as _;
                let value = a.value;
                Ok(match a.kind & netlink_packet_core::NLA_TYPE_MASK {
                    $(
                        $kind => Self::$variant(($parse)(value).context(
                            concat!("invalid ", stringify!($kind)),
                        )?),
                    )*
                    _ => Self::Other(Box::new(
                        netlink_packet_core::DefaultNla::new(
                            a.kind,
                            value.to_vec(),
                        ),
                    )),
                })
            }
        }
    };
}
pub(super) use attributes;

/// Declares an enum over a kernel number, one variant per named
/// constant, that keeps values it does not know in `Other`.
macro_rules! kernel_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $repr:ty {
            $( $(#[$vmeta:meta])* $variant:ident = $value:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            Other($repr),
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Other(other),
                }
            }
        }
    };
}
pub(super) use kernel_enum;

/// The attribute type of one expression kind.
pub trait Attr: Sized {
    fn from_raw(a: RawAttr) -> Result<Self, DecodeError>;
}

/// The attribute types netlink-packet-netfilter has, which parse from
/// the attribute's own bytes.
macro_rules! parsed_by_crate {
    ($($ty:ty),*) => {
        $(
            impl Attr for $ty {
                fn from_raw(a: RawAttr) -> Result<Self, DecodeError> {
                    <$ty>::parse(&NlaBuffer::new(a.bytes))
                }
            }
        )*
    };
}
parsed_by_crate!(DefaultNla, Lookup, Meta);

/// Every attribute of a nest, or the first error.
pub(super) fn parse_attrs<A: Attr>(nest: &[u8]) -> Result<Vec<A>, DecodeError> {
    let mut attrs = Vec::with_capacity(count(nest));
    for a in raw_attrs(nest) {
        attrs.push(A::from_raw(a?)?);
    }
    Ok(attrs)
}

/// The attributes of a nest, a malformed tail counting as one. Counted
/// first, the vectors a ruleset's millions of attributes go in are made
/// to size, never grown and copied.
pub(super) fn count(nest: &[u8]) -> usize {
    raw_attrs(nest).count()
}

/// A one-byte value (`NLA_U8`), as a number or an enum over it.
pub(super) fn byte<N: From<u8>>(value: &[u8]) -> Result<N, DecodeError> {
    parse_u8(value).map(N::from)
}

/// A big-endian 16-bit value, as a number or an enum over it.
pub(super) fn be16<N: From<u16>>(value: &[u8]) -> Result<N, DecodeError> {
    parse_u16_be(value).map(N::from)
}

/// A big-endian 32-bit value, as a number, a register or an enum.
pub(super) fn be32<N: From<u32>>(value: &[u8]) -> Result<N, DecodeError> {
    parse_u32_be(value).map(N::from)
}

/// A big-endian 64-bit value.
pub(super) fn be64<N: From<u64>>(value: &[u8]) -> Result<N, DecodeError> {
    parse_u64_be(value).map(N::from)
}

/// A C string: up to the first NUL. Bytes that are not UTF-8 are
/// replaced rather than refused, so that an odd log prefix or set name
/// does not cost the whole expression.
pub(super) fn string(value: &[u8]) -> Result<String, DecodeError> {
    Ok(borrowed_string(value).into_owned())
}

/// The same, without a copy when the bytes are UTF-8 already: an
/// expression's name is read once per expression of every rule.
pub(super) fn borrowed_string(value: &[u8]) -> std::borrow::Cow<'_, str> {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end])
}

/// An attribute kept as its bytes.
pub(super) fn bytes(value: &[u8]) -> Result<Vec<u8>, DecodeError> {
    Ok(value.to_vec())
}
