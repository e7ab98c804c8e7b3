//! Names iproute2's tables give numbers, looked up as nft looks them
//! up: device groups and realms. (nft prints users and groups by
//! number unless asked for names.)

use std::collections::HashMap;
use std::sync::OnceLock;

/// A device group's name from `/etc/iproute2/group`.
pub fn devgroup(n: u128) -> Option<String> {
    static TABLE: OnceLock<HashMap<u128, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| iproute2_table("/etc/iproute2/group"))
        .get(&n)
        .cloned()
}

/// A routing realm's name from `/etc/iproute2/rt_realms`.
pub fn realm(n: u128) -> Option<String> {
    static TABLE: OnceLock<HashMap<u128, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| iproute2_table("/etc/iproute2/rt_realms"))
        .get(&n)
        .cloned()
}

/// An iproute2 table: lines of a number (decimal or `0x` hex) and a
/// name, `#` comments. The first name of a number wins, as nft
/// searches the table in order.
fn iproute2_table(path: &str) -> HashMap<u128, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut names = HashMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(number), Some(name)) = (words.next(), words.next()) else {
            continue;
        };
        let number = match number.strip_prefix("0x") {
            Some(hex) => u128::from_str_radix(hex, 16),
            None => number.parse(),
        };
        if let Ok(n) = number {
            names.entry(n).or_insert_with(|| name.to_owned());
        }
    }
    names
}
