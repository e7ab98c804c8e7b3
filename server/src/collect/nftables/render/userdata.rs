//! The user data nft attaches to tables, chains, rules, sets, elements
//! and objects: a list of TLVs (a type byte, a length byte, the value)
//! that only nft gives a meaning, such as the comment.

/// The value of the first TLV of type `kind`, if the list holds one;
/// bytes that do not form TLVs end the list.
pub fn field(userdata: &[u8], kind: u8) -> Option<&[u8]> {
    let mut rest = userdata;
    while let [t, len, tail @ ..] = rest {
        let value = tail.get(..usize::from(*len))?;
        if *t == kind {
            return Some(value);
        }
        rest = &tail[value.len()..];
    }
    None
}

/// The comment stored as TLV `kind`: a NUL-terminated string.
pub fn comment(userdata: Option<&[u8]>, kind: u8) -> Option<String> {
    let value = field(userdata?, kind)?;
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    Some(String::from_utf8_lossy(&value[..end]).into_owned())
}

/// The TLV type of the comment on a table, chain, rule, object or set
/// element.
pub const COMMENT: u8 = 0;
/// The TLV type of the comment on a set.
pub const SET_COMMENT: u8 = 7;
/// The TLV type of a set's key byte order (`1` host, `2` network).
pub const SET_KEY_BYTEORDER: u8 = 0;
/// The TLV type of a map's value byte order, as the key's.
pub const SET_DATA_BYTEORDER: u8 = 1;
