//! The stateful expressions whose state is a number the dump reports:
//! `counter`, `quota`, `limit`, `connlimit` and `last`. They also sit in
//! set elements and in `dynset`.

use super::attr::{attributes, be32, be64, kernel_enum};

// enum nft_counter_attributes
const NFTA_COUNTER_BYTES: u16 = 1;
const NFTA_COUNTER_PACKETS: u16 = 2;

attributes! {
    /// `counter`: packets and bytes seen so far.
    pub enum Counter {
        NFTA_COUNTER_BYTES => Bytes(u64) = be64,
        NFTA_COUNTER_PACKETS => Packets(u64) = be64,
    }
}

// enum nft_quota_attributes
const NFTA_QUOTA_BYTES: u16 = 1;
const NFTA_QUOTA_FLAGS: u16 = 2;
const NFTA_QUOTA_CONSUMED: u16 = 4;

/// `NFTA_QUOTA_FLAGS`: match once the quota is used up (`over`), not
/// until.
pub const NFT_QUOTA_F_INV: u32 = 1 << 0;
/// `NFTA_QUOTA_FLAGS`: the quota is used up.
pub const NFT_QUOTA_F_DEPLETED: u32 = 1 << 1;

attributes! {
    /// `quota`.
    pub enum Quota {
        /// The quota in bytes. The header's comment says `NLA_U16`;
        /// the kernel sends a be64.
        NFTA_QUOTA_BYTES => Bytes(u64) = be64,
        /// `NFT_QUOTA_F_*` bits.
        NFTA_QUOTA_FLAGS => Flags(u32) = be32,
        NFTA_QUOTA_CONSUMED => Consumed(u64) = be64,
    }
}

// enum nft_limit_attributes
const NFTA_LIMIT_RATE: u16 = 1;
const NFTA_LIMIT_UNIT: u16 = 2;
const NFTA_LIMIT_BURST: u16 = 3;
const NFTA_LIMIT_TYPE: u16 = 4;
const NFTA_LIMIT_FLAGS: u16 = 5;

/// `NFTA_LIMIT_FLAGS`: match above the rate (`over`), not below.
pub const NFT_LIMIT_F_INV: u32 = 1 << 0;

attributes! {
    /// `limit`: a token bucket of `rate` per `unit` seconds.
    pub enum Limit {
        /// Packets or bytes, per `NFTA_LIMIT_TYPE`.
        NFTA_LIMIT_RATE => Rate(u64) = be64,
        /// The period, in seconds.
        NFTA_LIMIT_UNIT => Unit(u64) = be64,
        NFTA_LIMIT_BURST => Burst(u32) = be32,
        NFTA_LIMIT_TYPE => Type(LimitType) = be32,
        /// `NFT_LIMIT_F_*` bits.
        NFTA_LIMIT_FLAGS => Flags(u32) = be32,
    }
}

// enum nft_limit_type
const NFT_LIMIT_PKTS: u32 = 0;
const NFT_LIMIT_PKT_BYTES: u32 = 1;

kernel_enum! {
    /// `enum nft_limit_type`.
    pub enum LimitType: u32 {
        Packets = NFT_LIMIT_PKTS,
        Bytes = NFT_LIMIT_PKT_BYTES,
    }
}

// enum nft_connlimit_attributes
const NFTA_CONNLIMIT_COUNT: u16 = 1;
const NFTA_CONNLIMIT_FLAGS: u16 = 2;

/// `NFTA_CONNLIMIT_FLAGS`: match above the count (`ct count over`).
pub const NFT_CONNLIMIT_F_INV: u32 = 1 << 0;

attributes! {
    /// `connlimit`: the number of conntrack entries (`ct count`).
    pub enum Connlimit {
        NFTA_CONNLIMIT_COUNT => Count(u32) = be32,
        /// `NFT_CONNLIMIT_F_*` bits.
        NFTA_CONNLIMIT_FLAGS => Flags(u32) = be32,
    }
}

// enum nft_last_attributes
const NFTA_LAST_SET: u16 = 1;
const NFTA_LAST_MSECS: u16 = 2;

attributes! {
    /// `last`: when a packet last went through.
    pub enum Last {
        /// Zero while no packet has.
        NFTA_LAST_SET => Set(u32) = be32,
        /// Milliseconds since that packet.
        NFTA_LAST_MSECS => Msecs(u64) = be64,
    }
}
