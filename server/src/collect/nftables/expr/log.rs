//! `log` and `queue`: hand the packet, or a copy, to someone else (the
//! kernel log, an NFLOG group, an NFQUEUE reader).

use super::attr::{attributes, be16, be32, kernel_enum, string};
use super::data::Register;

// enum nft_log_attributes
const NFTA_LOG_GROUP: u16 = 1;
const NFTA_LOG_PREFIX: u16 = 2;
const NFTA_LOG_SNAPLEN: u16 = 3;
const NFTA_LOG_QTHRESHOLD: u16 = 4;
const NFTA_LOG_LEVEL: u16 = 5;
const NFTA_LOG_FLAGS: u16 = 6;

// NFTA_LOG_FLAGS bits (linux/netfilter/nf_log.h): what a kernel log
// line adds to the headers.
/// Log TCP sequence numbers.
pub const NF_LOG_TCPSEQ: u32 = 0x01;
/// Log TCP options.
pub const NF_LOG_TCPOPT: u32 = 0x02;
/// Log IP options.
pub const NF_LOG_IPOPT: u32 = 0x04;
/// Log the socket's UID.
pub const NF_LOG_UID: u32 = 0x08;
/// Decode the MAC header.
pub const NF_LOG_MACDECODE: u32 = 0x20;

attributes! {
    /// `log`: to NFLOG group `group` when there is one, else to the
    /// kernel log at `level`.
    pub enum Log {
        NFTA_LOG_GROUP => Group(u16) = be16,
        NFTA_LOG_PREFIX => Prefix(String) = string,
        /// Bytes of the packet copied to NFLOG.
        NFTA_LOG_SNAPLEN => Snaplen(u32) = be32,
        /// Packets NFLOG batches before sending.
        NFTA_LOG_QTHRESHOLD => Qthreshold(u16) = be16,
        NFTA_LOG_LEVEL => Level(LogLevel) = be32,
        /// `NF_LOG_*` bits.
        NFTA_LOG_FLAGS => Flags(u32) = be32,
    }
}

// enum nft_log_level
const NFT_LOGLEVEL_EMERG: u32 = 0;
const NFT_LOGLEVEL_ALERT: u32 = 1;
const NFT_LOGLEVEL_CRIT: u32 = 2;
const NFT_LOGLEVEL_ERR: u32 = 3;
const NFT_LOGLEVEL_WARNING: u32 = 4;
const NFT_LOGLEVEL_NOTICE: u32 = 5;
const NFT_LOGLEVEL_INFO: u32 = 6;
const NFT_LOGLEVEL_DEBUG: u32 = 7;
const NFT_LOGLEVEL_AUDIT: u32 = 8;

kernel_enum! {
    /// `enum nft_log_level`: syslog's levels, and `Audit`, which sends
    /// the packet to the audit log instead.
    pub enum LogLevel: u32 {
        Emerg = NFT_LOGLEVEL_EMERG,
        Alert = NFT_LOGLEVEL_ALERT,
        Crit = NFT_LOGLEVEL_CRIT,
        Err = NFT_LOGLEVEL_ERR,
        Warning = NFT_LOGLEVEL_WARNING,
        Notice = NFT_LOGLEVEL_NOTICE,
        Info = NFT_LOGLEVEL_INFO,
        Debug = NFT_LOGLEVEL_DEBUG,
        Audit = NFT_LOGLEVEL_AUDIT,
    }
}

// enum nft_queue_attributes
const NFTA_QUEUE_NUM: u16 = 1;
const NFTA_QUEUE_TOTAL: u16 = 2;
const NFTA_QUEUE_FLAGS: u16 = 3;
const NFTA_QUEUE_SREG_QNUM: u16 = 4;

/// `NFTA_QUEUE_FLAGS`: accept the packet when no reader listens.
pub const NFT_QUEUE_FLAG_BYPASS: u16 = 0x01;
/// `NFTA_QUEUE_FLAGS`: spread over the queues by CPU, not by hash.
pub const NFT_QUEUE_FLAG_CPU_FANOUT: u16 = 0x02;

attributes! {
    /// `queue`: to queues `num..num + total`, or to the queue a
    /// register names.
    pub enum Queue {
        NFTA_QUEUE_NUM => Num(u16) = be16,
        NFTA_QUEUE_TOTAL => Total(u16) = be16,
        /// `NFT_QUEUE_FLAG_*` bits.
        NFTA_QUEUE_FLAGS => Flags(u16) = be16,
        NFTA_QUEUE_SREG_QNUM => SregQnum(Register) = be32,
    }
}
