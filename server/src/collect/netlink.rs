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

/// `SO_RCVTIMEO`: a blocking read gives up after `timeout` (zero means
/// never).
pub fn set_read_timeout(
    socket: &Socket,
    timeout: std::time::Duration,
) -> std::io::Result<()> {
    let tv = libc::timeval {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_usec: timeout.subsec_micros() as libc::suseconds_t,
    };
    // SAFETY: a valid fd and a timeval of the size given.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVTIMEO,
            (&tv as *const libc::timeval).cast(),
            std::mem::size_of::<libc::timeval>() as libc::socklen_t,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The kernel sends up to ~32 KiB per read; a bit more leaves room.
pub const READ_SIZE: usize = 64 * 1024;
/// Datagrams of a dump received and not yet taken in, at most: ~2 MiB.
const SPLIT_QUEUE: usize = 32;

/// Reads a dump on two threads. The kernel writes the next part of a
/// dump inside the reader's `recv`: a thread that only receives keeps
/// the kernel busy all the time, while another core takes in what came
/// before.
///
/// `recv` appends the next datagram; `is_last` tells from the message
/// headers whether a datagram ends the dump; `take` runs on a thread
/// named `name` (after `started`, on that thread) and says, after each
/// datagram, how the dump ended if it did; `failed` makes an error of
/// what went wrong between them. Buffers are used again.
pub fn split_dump<R: Send, E: Send>(
    name: &str,
    mut recv: impl FnMut(&mut Vec<u8>) -> Result<(), E>,
    is_last: impl Fn(&[u8]) -> bool,
    started: impl FnOnce() + Send,
    mut take: impl FnMut(&[u8]) -> Option<Result<R, E>> + Send,
    failed: impl Fn(String) -> E + Sync,
) -> Result<R, E> {
    use std::sync::mpsc;

    let (full, to_take) = mpsc::sync_channel::<Vec<u8>>(SPLIT_QUEUE);
    let (give_back, spare) = mpsc::channel::<Vec<u8>>();
    let failed = &failed;
    std::thread::scope(|scope| {
        let taker = std::thread::Builder::new()
            .name(name.into())
            .spawn_scoped(scope, move || {
                started();
                for buf in to_take {
                    let end = take(&buf);
                    // The receiver may be gone already; then it drops.
                    let _ = give_back.send(buf);
                    if let Some(end) = end {
                        return end;
                    }
                }
                Err(failed("the dump ended before its last message".into()))
            })
            .map_err(|e| failed(format!("starting {name}: {e}")))?;
        let received = loop {
            let mut buf = spare
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(READ_SIZE));
            buf.clear();
            if let Err(e) = recv(&mut buf) {
                break Err(e);
            }
            let last = is_last(&buf);
            // A taker that stopped says why itself.
            if full.send(buf).is_err() || last {
                break Ok(());
            }
        };
        drop(full);
        let taken = taker
            .join()
            .unwrap_or_else(|_| Err(failed(format!("{name} panicked"))));
        received.and(taken)
    })
}

/// The bytes a hex dump spells, whatever else it holds (spaces,
/// newlines, comments without hex digits): for captured fixtures.
#[cfg(test)]
pub fn hex_bytes(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> =
        hex.bytes().filter(|b| b.is_ascii_hexdigit()).collect();
    digits
        .chunks(2)
        .map(|pair| {
            u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap()
        })
        .collect()
}
