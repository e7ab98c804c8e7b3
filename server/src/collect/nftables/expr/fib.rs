//! `fib`: a route lookup on the packet's addresses (reverse path
//! filtering, "is this address local").

use super::attr::{attributes, be32, kernel_enum};
use super::data::Register;

// enum nft_fib_attributes
const NFTA_FIB_DREG: u16 = 1;
const NFTA_FIB_RESULT: u16 = 2;
const NFTA_FIB_FLAGS: u16 = 3;

// enum nft_fib_flags: what the lookup is made of and restricted to.
/// Look up the source address.
pub const NFTA_FIB_F_SADDR: u32 = 1 << 0;
/// Look up the destination address.
pub const NFTA_FIB_F_DADDR: u32 = 1 << 1;
/// Use the packet mark.
pub const NFTA_FIB_F_MARK: u32 = 1 << 2;
/// Restrict to the input interface.
pub const NFTA_FIB_F_IIF: u32 = 1 << 3;
/// Restrict to the output interface.
pub const NFTA_FIB_F_OIF: u32 = 1 << 4;
/// Load only whether a route exists.
pub const NFTA_FIB_F_PRESENT: u32 = 1 << 5;

attributes! {
    /// `fib`.
    pub enum Fib {
        NFTA_FIB_DREG => DestinationRegister(Register) = be32,
        NFTA_FIB_RESULT => Result(FibResult) = be32,
        /// `NFTA_FIB_F_*` bits.
        NFTA_FIB_FLAGS => Flags(u32) = be32,
    }
}

// enum nft_fib_result
const NFT_FIB_RESULT_UNSPEC: u32 = 0;
const NFT_FIB_RESULT_OIF: u32 = 1;
const NFT_FIB_RESULT_OIFNAME: u32 = 2;
const NFT_FIB_RESULT_ADDRTYPE: u32 = 3;

kernel_enum! {
    /// `enum nft_fib_result`: what the lookup loads.
    pub enum FibResult: u32 {
        Unspec = NFT_FIB_RESULT_UNSPEC,
        Oif = NFT_FIB_RESULT_OIF,
        Oifname = NFT_FIB_RESULT_OIFNAME,
        /// The address type (`RTN_LOCAL`, `RTN_UNICAST`, ...).
        Addrtype = NFT_FIB_RESULT_ADDRTYPE,
    }
}
