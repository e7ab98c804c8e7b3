//! `fwd` and `dup`: send the packet, or a copy, out of a given
//! interface (netdev tables), or to a given gateway (`dup` in ip and
//! ip6 tables).

use super::attr::{attributes, be32};
use super::data::{Nfproto, Register};

// enum nft_fwd_attributes
const NFTA_FWD_SREG_DEV: u16 = 1;
const NFTA_FWD_SREG_ADDR: u16 = 2;
const NFTA_FWD_NFPROTO: u16 = 3;

attributes! {
    /// `fwd`: the interface index is in a register; with an address,
    /// the packet goes to that neighbour.
    pub enum Fwd {
        NFTA_FWD_SREG_DEV => SregDev(Register) = be32,
        NFTA_FWD_SREG_ADDR => SregAddr(Register) = be32,
        /// The family of the address.
        NFTA_FWD_NFPROTO => Nfproto(Nfproto) = be32,
    }
}

// enum nft_dup_attributes
const NFTA_DUP_SREG_ADDR: u16 = 1;
const NFTA_DUP_SREG_DEV: u16 = 2;

attributes! {
    /// `dup`: copies the packet to the gateway and/or interface index
    /// in the registers.
    pub enum Dup {
        NFTA_DUP_SREG_ADDR => SregAddr(Register) = be32,
        NFTA_DUP_SREG_DEV => SregDev(Register) = be32,
    }
}
