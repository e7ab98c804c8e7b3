//! What every expression decoder shares: the macros that declare an
//! attribute enum and an enum over a kernel number, and the parsers of
//! attribute values they name.
//!
//! Numbers in expression attributes are big-endian unless
//! `linux/netfilter/nf_tables.h` says otherwise, so the parsers read
//! big-endian; the few host-order values (compat `INFO` structs) stay
//! raw bytes.

use netlink_packet_core::{
    parse_u16_be, parse_u32_be, parse_u64_be, parse_u8, DecodeError, NlaBuffer,
    NlasIterator, Parseable,
};

/// Declares the attribute enum of one expression kind: a variant per
/// attribute this decoder knows, named by its kernel constant and read
/// by the given parser, `Other` for the rest, and the `Parseable` impl
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

        impl<'a, T: AsRef<[u8]> + ?Sized>
            netlink_packet_core::Parseable<
                netlink_packet_core::NlaBuffer<&'a T>,
            > for $name
        {
            fn parse(
                buf: &netlink_packet_core::NlaBuffer<&'a T>,
            ) -> Result<Self, netlink_packet_core::DecodeError> {
                use netlink_packet_core::ErrorContext as _;
                let value = buf.value();
                Ok(match buf.kind() {
                    $(
                        $kind => Self::$variant(($parse)(value).context(
                            concat!("invalid ", stringify!($kind)),
                        )?),
                    )*
                    _ => Self::Other(Box::new(
                        netlink_packet_core::DefaultNla::parse(buf)?,
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

/// Every attribute of a nest, or the first error.
pub(super) fn parse_attrs<A>(nest: &[u8]) -> Result<Vec<A>, DecodeError>
where
    A: for<'b> Parseable<NlaBuffer<&'b [u8]>>,
{
    NlasIterator::new(nest).map(|nla| A::parse(&nla?)).collect()
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
