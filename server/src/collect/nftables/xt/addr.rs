//! Addresses and masks as libxtables prints them.

use std::net::IpAddr;

/// The length of a mask's prefix, or `None` when its ones are not one
/// run from the top (`255.0.255.0`).
pub fn prefix_len(mask: IpAddr) -> Option<u32> {
    let (bits, width) = match mask {
        IpAddr::V4(m) => (u128::from(u32::from(m)) << 96, 32),
        IpAddr::V6(m) => (u128::from(m), 128),
    };
    let ones = bits.leading_ones();
    let rest = bits.checked_shl(ones).unwrap_or(0);
    (rest == 0).then_some(ones.min(width))
}

/// `xtables_ipmask_to_numeric` and its IPv6 twin: nothing for a full
/// mask, `/N` for a prefix, `/MASK` for any other.
pub fn mask_suffix(mask: IpAddr) -> String {
    let full = if mask.is_ipv4() { 32 } else { 128 };
    match prefix_len(mask) {
        Some(n) if n == full => String::new(),
        Some(n) => format!("/{n}"),
        None => format!("/{mask}"),
    }
}

/// `xtables_print_mac`: six bytes in hex, zero-padded.
pub fn mac_string(mac: &[u8; 6]) -> String {
    let hex: Vec<String> = mac.iter().map(|b| format!("{b:02x}")).collect();
    hex.join(":")
}

/// `ether_ntoa`: six bytes in hex without leading zeros, as ebtables'
/// `among` lists and its translations print them.
pub fn ether_ntoa(mac: &[u8; 6]) -> String {
    let hex: Vec<String> = mac.iter().map(|b| format!("{b:x}")).collect();
    hex.join(":")
}

/// `xtables_print_mac_and_mask`: the mask only when it is not all
/// ones.
pub fn mac_and_mask(mac: &[u8; 6], mask: &[u8; 6]) -> String {
    if *mask == [0xff; 6] {
        mac_string(mac)
    } else {
        format!("{}/{}", mac_string(mac), mac_string(mask))
    }
}
