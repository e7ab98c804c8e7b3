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
