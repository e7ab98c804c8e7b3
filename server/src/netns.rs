//! The network namespace this process runs in.

use std::os::unix::fs::MetadataExt;

/// Inode of `/proc/self/ns/net`: the same number `ip netns identify` and
/// `lsns` use, unique among live namespaces.
pub fn current() -> std::io::Result<u64> {
    Ok(std::fs::metadata("/proc/self/ns/net")?.ino())
}

/// Moves the calling thread into the named namespace (`/run/netns/NAME`).
/// Called before any other thread starts, so that all of them, and every
/// socket they open, belong to it.
pub fn enter(name: &str) -> anyhow::Result<()> {
    use std::os::fd::AsRawFd;

    let path = std::path::Path::new("/run/netns").join(name);
    let file = std::fs::File::open(&path).map_err(|e| {
        anyhow::anyhow!(
            "cannot open network namespace {name:?} ({}): {e}; see `ip \
             netns list`",
            path.display()
        )
    })?;
    // SAFETY: a valid namespace fd; setns only changes this thread.
    if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        let e = std::io::Error::last_os_error();
        anyhow::bail!(
            "cannot enter network namespace {name:?}: {e}; this needs \
             CAP_SYS_ADMIN (run as root)"
        );
    }
    Ok(())
}

/// `SO_NETNS_COOKIE` (Linux ≥ 5.14; the same number on every architecture
/// but mips, sparc, parisc and alpha): not in the libc crate for glibc.
const SO_NETNS_COOKIE: libc::c_int = 71;

/// A number the kernel never gives two namespaces in one boot, where an
/// inode number may come back once its namespace is gone. `None` on
/// kernels without it.
pub fn cookie() -> Option<u64> {
    use std::os::fd::{AsRawFd, OwnedFd};

    // SAFETY: plain socket(2); the fd is owned right away.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: a fresh fd that nothing else owns.
    let socket =
        unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
    let mut cookie = 0u64;
    let mut len = std::mem::size_of::<u64>() as libc::socklen_t;
    // SAFETY: a valid fd, and a u64 buffer of the length given.
    let ok = unsafe {
        libc::getsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            SO_NETNS_COOKIE,
            (&mut cookie as *mut u64).cast(),
            &mut len,
        )
    } == 0;
    ok.then_some(cookie)
}

/// The first 32 bits of the kernel's `boot_id`, drawn at random at every
/// boot: flow keys carry it so that none repeats after a reboot, even
/// where the clock starts from the same time at every boot.
pub fn boot() -> std::io::Result<u32> {
    let text = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")?;
    text.get(..8)
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("boot_id {:?} does not start with 8 hex digits", text),
            )
        })
}
