//! `tunnel` and `inner`: the tunnel a packet came through, and matches
//! on the packet inside a tunnel (VXLAN, Geneve).

use super::attr::{attributes, be32, kernel_enum};
use super::data::Register;
use super::{nested_expr, Expr};

// enum nft_tunnel_attributes
const NFTA_TUNNEL_KEY: u16 = 1;
const NFTA_TUNNEL_DREG: u16 = 2;
const NFTA_TUNNEL_MODE: u16 = 3;

attributes! {
    /// `tunnel`: metadata of the tunnel the packet came through.
    pub enum Tunnel {
        NFTA_TUNNEL_KEY => Key(TunnelKey) = be32,
        NFTA_TUNNEL_DREG => DestinationRegister(Register) = be32,
        NFTA_TUNNEL_MODE => Mode(TunnelMode) = be32,
    }
}

// enum nft_tunnel_keys
const NFT_TUNNEL_PATH: u32 = 0;
const NFT_TUNNEL_ID: u32 = 1;

kernel_enum! {
    /// `enum nft_tunnel_keys`.
    pub enum TunnelKey: u32 {
        /// Whether the packet came through a tunnel at all.
        Path = NFT_TUNNEL_PATH,
        Id = NFT_TUNNEL_ID,
    }
}

// enum nft_tunnel_mode
const NFT_TUNNEL_MODE_NONE: u32 = 0;
const NFT_TUNNEL_MODE_RX: u32 = 1;
const NFT_TUNNEL_MODE_TX: u32 = 2;

kernel_enum! {
    /// `enum nft_tunnel_mode`: which tunnel metadata, received or to
    /// send.
    pub enum TunnelMode: u32 {
        None = NFT_TUNNEL_MODE_NONE,
        Rx = NFT_TUNNEL_MODE_RX,
        Tx = NFT_TUNNEL_MODE_TX,
    }
}

// enum nft_inner_attributes
const NFTA_INNER_NUM: u16 = 1;
const NFTA_INNER_TYPE: u16 = 2;
const NFTA_INNER_FLAGS: u16 = 3;
const NFTA_INNER_HDRSIZE: u16 = 4;
const NFTA_INNER_EXPR: u16 = 5;

// enum nft_inner_flags: which headers of the inner packet to parse.
/// The tunnel header has the size `NFTA_INNER_HDRSIZE` gives.
pub const NFT_INNER_HDRSIZE: u32 = 1 << 0;
/// The inner packet has a link layer header.
pub const NFT_INNER_LL: u32 = 1 << 1;
/// The inner packet has a network header.
pub const NFT_INNER_NH: u32 = 1 << 2;
/// The inner packet has a transport header.
pub const NFT_INNER_TH: u32 = 1 << 3;

attributes! {
    /// `inner`: runs a `payload` or `meta` expression on the packet
    /// inside a tunnel.
    pub enum Inner {
        /// The tunnel level; only 0, the first, today.
        NFTA_INNER_NUM => Num(u32) = be32,
        NFTA_INNER_TYPE => Type(InnerType) = be32,
        /// `NFT_INNER_*` bits.
        NFTA_INNER_FLAGS => Flags(u32) = be32,
        /// The tunnel header's size in bytes.
        NFTA_INNER_HDRSIZE => HdrSize(u32) = be32,
        NFTA_INNER_EXPR => Expr(Box<Expr>) = nested_expr,
    }
}

// enum nft_inner_type
const NFT_INNER_UNSPEC: u32 = 0;
const NFT_INNER_VXLAN: u32 = 1;
const NFT_INNER_GENEVE: u32 = 2;

kernel_enum! {
    /// `enum nft_inner_type`: the tunnel protocol.
    pub enum InnerType: u32 {
        Unspec = NFT_INNER_UNSPEC,
        Vxlan = NFT_INNER_VXLAN,
        Geneve = NFT_INNER_GENEVE,
    }
}
