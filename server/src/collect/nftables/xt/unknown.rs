//! An extension this module has no decoder for, or whose bytes do not
//! fit its struct: kept whole, and printed in a marked raw form.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub name: String,
    pub revision: u32,
    pub info: Vec<u8>,
}

impl Unknown {
    pub fn new(name: &str, revision: u32, info: &[u8]) -> Self {
        Self {
            name: name.to_owned(),
            revision,
            info: info.to_vec(),
        }
    }
}

/// ` [rev 0 0a0b0c…]`: square brackets, which iptables never prints,
/// mark the bytes as undecoded.
impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, " [rev {}", self.revision)?;
        if !self.info.is_empty() {
            f.write_str(" ")?;
            for b in &self.info {
                write!(f, "{b:02x}")?;
            }
        }
        f.write_str("]")
    }
}
