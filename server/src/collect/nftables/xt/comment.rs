//! `comment` (`struct xt_comment_info`): text that matches everything.

use std::fmt;

use super::info::Info;

/// `XT_MAX_COMMENT_LEN`.
const XT_MAX_COMMENT_LEN: usize = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub text: String,
}

impl Comment {
    pub fn decode(info: &[u8]) -> Option<Self> {
        // iptables reads at most the struct; a shorter one is cut.
        let len = info.len().min(XT_MAX_COMMENT_LEN - 1);
        Some(Self {
            text: Info(info).string(0, len)?,
        })
    }
}

impl fmt::Display for Comment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " --comment {}", save_string(&self.text))
    }
}

/// `xtables_save_string`: bare when it is only letters, digits, `_`
/// and `-`; else in double quotes, with `"`, `\` and `'` escaped.
pub fn save_string(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if !s.is_empty() && s.chars().all(plain) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '\'') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
