//! What every netlink socket of the collectors needs.

use std::os::fd::AsRawFd;

use netlink_sys::Socket;

/// `SO_RCVBUFFORCE` passes `rmem_max`, which is read-only inside a netns;
/// it needs CAP_NET_ADMIN, so fall back to the capped `SO_RCVBUF`.
pub fn force_rcvbuf(socket: &Socket, bytes: usize) {
    let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
    let set = |opt| {
        // SAFETY: a valid fd and a c_int option value of the right size.
        unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&value as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        }
    };
    if set(libc::SO_RCVBUFFORCE) != 0 {
        set(libc::SO_RCVBUF);
    }
}
