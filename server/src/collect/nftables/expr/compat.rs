//! `match` and `target`: an x_tables extension run by nf_tables, as
//! iptables-nft writes everything it has no native expression for. The
//! extension's info struct stays raw bytes: it is in host byte order
//! and its layout depends on the extension's name and revision.

use super::attr::{attributes, be32, bytes, string};

// enum nft_match_attributes (linux/netfilter/nf_tables_compat.h)
const NFTA_MATCH_NAME: u16 = 1;
const NFTA_MATCH_REV: u16 = 2;
const NFTA_MATCH_INFO: u16 = 3;

attributes! {
    /// `match`: an xt match (`comment`, `conntrack`, `multiport`, ...).
    pub enum Match {
        NFTA_MATCH_NAME => Name(String) = string,
        NFTA_MATCH_REV => Rev(u32) = be32,
        /// The `struct xt_*_info` of the match.
        NFTA_MATCH_INFO => Info(Vec<u8>) = bytes,
    }
}

// enum nft_target_attributes
const NFTA_TARGET_NAME: u16 = 1;
const NFTA_TARGET_REV: u16 = 2;
const NFTA_TARGET_INFO: u16 = 3;

attributes! {
    /// `target`: an xt target (`MARK`, `TCPMSS`, `CT`, ...).
    pub enum Target {
        NFTA_TARGET_NAME => Name(String) = string,
        NFTA_TARGET_REV => Rev(u32) = be32,
        /// The `struct xt_*_info` of the target.
        NFTA_TARGET_INFO => Info(Vec<u8>) = bytes,
    }
}
