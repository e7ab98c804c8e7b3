//! `synproxy`: answers a SYN itself and opens the connection to the
//! server only once the client has completed the handshake.

use super::attr::{attributes, be16, be32, byte};

// enum nft_synproxy_attributes
const NFTA_SYNPROXY_MSS: u16 = 1;
const NFTA_SYNPROXY_WSCALE: u16 = 2;
const NFTA_SYNPROXY_FLAGS: u16 = 3;

// NFTA_SYNPROXY_FLAGS bits (linux/netfilter/nf_synproxy.h): the TCP
// options the proxy's SYN/ACK carries.
/// The MSS option, with `NFTA_SYNPROXY_MSS`.
pub const NF_SYNPROXY_OPT_MSS: u32 = 0x01;
/// The window scale option, with `NFTA_SYNPROXY_WSCALE`.
pub const NF_SYNPROXY_OPT_WSCALE: u32 = 0x02;
/// The SACK-permitted option.
pub const NF_SYNPROXY_OPT_SACK_PERM: u32 = 0x04;
/// The timestamp option.
pub const NF_SYNPROXY_OPT_TIMESTAMP: u32 = 0x08;
/// ECN.
pub const NF_SYNPROXY_OPT_ECN: u32 = 0x10;

attributes! {
    /// `synproxy`.
    pub enum Synproxy {
        NFTA_SYNPROXY_MSS => Mss(u16) = be16,
        NFTA_SYNPROXY_WSCALE => Wscale(u8) = byte,
        /// `NF_SYNPROXY_OPT_*` bits.
        NFTA_SYNPROXY_FLAGS => Flags(u32) = be32,
    }
}
