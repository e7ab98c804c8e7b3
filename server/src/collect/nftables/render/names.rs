//! Names the system gives numbers, looked up as nft looks them up:
//! users and groups from the system's databases, device groups and
//! realms from iproute2's tables.

use std::collections::HashMap;
use std::ffi::CStr;
use std::sync::OnceLock;

/// The name of user `uid`, as `getpwuid` gives it.
pub fn user(uid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: `pwd` is plain data the call fills, `buf` holds the
    // strings it points into and outlives their use here.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut found = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            uid,
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        );
        if rc != 0 || found.is_null() {
            return None;
        }
        Some(CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned())
    }
}

/// The name of group `gid`, as `getgrgid` gives it.
pub fn group(gid: u32) -> Option<String> {
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: as in `user`.
    unsafe {
        let mut grp: libc::group = std::mem::zeroed();
        let mut found = std::ptr::null_mut();
        let rc = libc::getgrgid_r(
            gid,
            &mut grp,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        );
        if rc != 0 || found.is_null() {
            return None;
        }
        Some(CStr::from_ptr(grp.gr_name).to_string_lossy().into_owned())
    }
}

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
