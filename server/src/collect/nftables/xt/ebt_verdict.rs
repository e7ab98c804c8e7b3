//! The verdicts ebtables' targets end with (`EBT_ACCEPT` … `EBT_RETURN`,
//! -1 to -4), as `ebt_target_name` names them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EbtVerdict {
    Accept,
    Drop,
    Continue,
    Return,
}

impl EbtVerdict {
    pub fn from_raw(raw: u32) -> Option<Self> {
        match raw as i32 {
            -1 => Some(Self::Accept),
            -2 => Some(Self::Drop),
            -3 => Some(Self::Continue),
            -4 => Some(Self::Return),
            _ => None,
        }
    }

    /// As nft writes it; ebtables writes it in capitals.
    pub fn nft(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Drop => "drop",
            Self::Continue => "continue",
            Self::Return => "return",
        }
    }
}

impl fmt::Display for EbtVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.nft().to_ascii_uppercase())
    }
}
