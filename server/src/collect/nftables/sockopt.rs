//! `getsockopt` on a fresh raw socket: how x_tables and ipset answer
//! questions that netlink does not carry.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// Asks option `name` at `level` on a new raw socket of `domain`, with
/// `buf` as the request and the answer; the answer's length, or `None`
/// when the socket or the call fails (no capability, no such module).
pub fn get(
    domain: libc::c_int,
    level: libc::c_int,
    name: libc::c_int,
    buf: &mut [u8],
) -> Option<usize> {
    // SAFETY: a plain socket call; the fd is owned right away.
    let fd = unsafe {
        libc::socket(
            domain,
            libc::SOCK_RAW | libc::SOCK_CLOEXEC,
            libc::IPPROTO_RAW,
        )
    };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` is a fresh descriptor nobody else owns.
    let socket = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut len = libc::socklen_t::try_from(buf.len()).ok()?;
    // SAFETY: `buf` is as long as `len` says, and lives through the call.
    let rc = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            level,
            name,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    (rc == 0).then_some(len as usize)
}
