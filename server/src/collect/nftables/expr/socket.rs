//! `socket` and `osf`: what the local socket of a packet, or its
//! fingerprint, says about it.

use super::attr::{attributes, be32, byte, kernel_enum};
use super::data::Register;

// enum nft_socket_attributes
const NFTA_SOCKET_KEY: u16 = 1;
const NFTA_SOCKET_DREG: u16 = 2;
const NFTA_SOCKET_LEVEL: u16 = 3;

attributes! {
    /// `socket`: a property of the socket the packet belongs to.
    pub enum Socket {
        NFTA_SOCKET_KEY => Key(SocketKey) = be32,
        NFTA_SOCKET_DREG => DestinationRegister(Register) = be32,
        /// The cgroup v2 ancestor level, for `Cgroupv2`.
        NFTA_SOCKET_LEVEL => Level(u32) = be32,
    }
}

// enum nft_socket_keys
const NFT_SOCKET_TRANSPARENT: u32 = 0;
const NFT_SOCKET_MARK: u32 = 1;
const NFT_SOCKET_WILDCARD: u32 = 2;
const NFT_SOCKET_CGROUPV2: u32 = 3;

kernel_enum! {
    /// `enum nft_socket_keys`.
    pub enum SocketKey: u32 {
        /// `IP_TRANSPARENT` is set on the socket.
        Transparent = NFT_SOCKET_TRANSPARENT,
        Mark = NFT_SOCKET_MARK,
        /// The socket is bound to the wildcard address.
        Wildcard = NFT_SOCKET_WILDCARD,
        Cgroupv2 = NFT_SOCKET_CGROUPV2,
    }
}

// enum nft_osf_attributes
const NFTA_OSF_DREG: u16 = 1;
const NFTA_OSF_TTL: u16 = 2;
const NFTA_OSF_FLAGS: u16 = 3;

/// `NFTA_OSF_FLAGS`: load the OS version with its name.
pub const NFT_OSF_F_VERSION: u32 = 1 << 0;

attributes! {
    /// `osf`: the OS name a SYN's fingerprint matches, as a string.
    pub enum Osf {
        NFTA_OSF_DREG => DestinationRegister(Register) = be32,
        /// How the TTL is compared: 0 exactly, 1 `loose` (not above),
        /// 2 `skip` (not at all).
        NFTA_OSF_TTL => Ttl(u8) = byte,
        /// `NFT_OSF_F_*` bits.
        NFTA_OSF_FLAGS => Flags(u32) = be32,
    }
}
