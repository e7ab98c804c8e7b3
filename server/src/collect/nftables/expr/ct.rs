//! `ct`: reads or sets a field of the packet's conntrack entry.

use super::attr::{attributes, be32, byte, kernel_enum};
use super::data::Register;

// enum nft_ct_attributes
const NFTA_CT_DREG: u16 = 1;
const NFTA_CT_KEY: u16 = 2;
const NFTA_CT_DIRECTION: u16 = 3;
const NFTA_CT_SREG: u16 = 4;

attributes! {
    /// `ct`: a load with a destination register, a store (`ct mark
    /// set ...`) with a source register.
    pub enum Ct {
        NFTA_CT_DREG => DestinationRegister(Register) = be32,
        NFTA_CT_KEY => Key(CtKey) = be32,
        /// Which tuple a directional key (addresses, ports, counters)
        /// reads; without it the key is about the whole entry.
        NFTA_CT_DIRECTION => Direction(CtDirection) = byte,
        NFTA_CT_SREG => SourceRegister(Register) = be32,
    }
}

// enum nft_ct_keys
const NFT_CT_STATE: u32 = 0;
const NFT_CT_DIRECTION: u32 = 1;
const NFT_CT_STATUS: u32 = 2;
const NFT_CT_MARK: u32 = 3;
const NFT_CT_SECMARK: u32 = 4;
const NFT_CT_EXPIRATION: u32 = 5;
const NFT_CT_HELPER: u32 = 6;
const NFT_CT_L3PROTOCOL: u32 = 7;
const NFT_CT_SRC: u32 = 8;
const NFT_CT_DST: u32 = 9;
const NFT_CT_PROTOCOL: u32 = 10;
const NFT_CT_PROTO_SRC: u32 = 11;
const NFT_CT_PROTO_DST: u32 = 12;
const NFT_CT_LABELS: u32 = 13;
const NFT_CT_PKTS: u32 = 14;
const NFT_CT_BYTES: u32 = 15;
const NFT_CT_AVGPKT: u32 = 16;
const NFT_CT_ZONE: u32 = 17;
const NFT_CT_EVENTMASK: u32 = 18;
const NFT_CT_SRC_IP: u32 = 19;
const NFT_CT_DST_IP: u32 = 20;
const NFT_CT_SRC_IP6: u32 = 21;
const NFT_CT_DST_IP6: u32 = 22;
const NFT_CT_ID: u32 = 23;

kernel_enum! {
    /// `enum nft_ct_keys`.
    pub enum CtKey: u32 {
        /// Bits of `enum ip_conntrack_info` (new, established, ...).
        State = NFT_CT_STATE,
        Direction = NFT_CT_DIRECTION,
        /// Bits of `enum ip_conntrack_status`.
        Status = NFT_CT_STATUS,
        Mark = NFT_CT_MARK,
        Secmark = NFT_CT_SECMARK,
        /// Time left, in milliseconds.
        Expiration = NFT_CT_EXPIRATION,
        Helper = NFT_CT_HELPER,
        L3Protocol = NFT_CT_L3PROTOCOL,
        /// Source address of either family (superseded by `SrcIp`,
        /// `SrcIp6`).
        Src = NFT_CT_SRC,
        Dst = NFT_CT_DST,
        Protocol = NFT_CT_PROTOCOL,
        ProtoSrc = NFT_CT_PROTO_SRC,
        ProtoDst = NFT_CT_PROTO_DST,
        Labels = NFT_CT_LABELS,
        Pkts = NFT_CT_PKTS,
        Bytes = NFT_CT_BYTES,
        AvgPkt = NFT_CT_AVGPKT,
        Zone = NFT_CT_ZONE,
        EventMask = NFT_CT_EVENTMASK,
        SrcIp = NFT_CT_SRC_IP,
        DstIp = NFT_CT_DST_IP,
        SrcIp6 = NFT_CT_SRC_IP6,
        DstIp6 = NFT_CT_DST_IP6,
        Id = NFT_CT_ID,
    }
}

// enum ip_conntrack_dir (linux/netfilter/nf_conntrack_tuple_common.h)
const IP_CT_DIR_ORIGINAL: u8 = 0;
const IP_CT_DIR_REPLY: u8 = 1;

kernel_enum! {
    /// `enum ip_conntrack_dir`.
    pub enum CtDirection: u8 {
        Original = IP_CT_DIR_ORIGINAL,
        Reply = IP_CT_DIR_REPLY,
    }
}
