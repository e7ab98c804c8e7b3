//! Flow keys that must outlive an nfscope restart.
//!
//! A key's start is the kernel's start timestamp only when nfscope first
//! saw the entry in a dump with `nf_conntrack_timestamp` on; otherwise it
//! is the time nfscope first saw it, which a new process cannot know. So
//! the keys are written to a small file (`keys-NETNS-COOKIE.bin` in the state
//! directory, by default on the `/run` tmpfs: keys of another boot are of
//! no use) now and then and at shutdown, and a restart gives each flow
//! that still lives the key it had.
//!
//! The file is little-endian binary:
//!
//! ```text
//!  0       4       8      12      16              24
//! +-------+-------+-------+-------+---------------+
//! | "NFSK"|version| boot  | count | netns         |  header, 24 bytes
//! +-------+-------+-------+-------+---------------+
//! | slot          | start         | kernel start  | packets       |
//! +---------------+---------------+---------------+---------------+
//!   one record of 32 bytes per key; 0 is "unknown" for kernel start,
//!   u64::MAX for packets
//! ```

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::slot::{KeySpace, Slot};
use crate::collect::conntrack::CtEntry;

const MAGIC: &[u8; 4] = b"NFSK";
const VERSION: u32 = 1;
const HEADER: usize = 24;
const RECORD: usize = 32;

/// The key one live flow had, and what tells whether a flow found after
/// a restart in the same slot is still that flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SavedKey {
    pub slot: Slot,
    /// The start in the flow's key.
    pub start: u64,
    /// The kernel's start timestamp, when known.
    pub kernel_start: Option<u64>,
    /// Packets of both directions, when accounting is on.
    pub packets: Option<u64>,
}

impl SavedKey {
    /// Whether `entry`, found in this key's slot after a restart, can be
    /// the flow that had it: conntrack reuses ids, so the same id and
    /// tuple may be a new flow. A different kernel start, or fewer packets
    /// than before, prove it is; with neither known it is taken as the
    /// same flow.
    pub fn same_flow(&self, entry: &CtEntry) -> bool {
        let started_elsewhen = matches!(
            (self.kernel_start, entry.start_ns),
            (Some(a), Some(b)) if a != b
        );
        let counted_less = match (self.packets, entry.counters) {
            (Some(before), Some(now)) => {
                now.orig.packets + now.reply.packets < before
            }
            _ => false,
        };
        !started_elsewhen && !counted_less
    }
}

#[derive(Debug, thiserror::Error)]
pub enum KeysFileError {
    #[error("{path}: {err}")]
    Io {
        path: PathBuf,
        #[source]
        err: io::Error,
    },
    #[error("{path}: not a flow keys file of this version")]
    Format { path: PathBuf },
}

/// The file of one watched namespace in `dir`. The namespace's cookie is
/// in the name: a later namespace may get the same inode number, and must
/// not take over the keys of the dead one.
pub fn path(dir: &Path, space: KeySpace, cookie: Option<u64>) -> PathBuf {
    let cookie = cookie.unwrap_or_default();
    dir.join(format!("keys-{}-{cookie}.bin", space.netns))
}

/// The keys saved in this boot for this namespace; none when the file is
/// missing or from another boot.
pub fn load(
    path: &Path,
    space: KeySpace,
) -> Result<Vec<SavedKey>, KeysFileError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => {
            return Err(KeysFileError::Io {
                path: path.to_owned(),
                err,
            })
        }
    };
    decode(&bytes, space).ok_or_else(|| KeysFileError::Format {
        path: path.to_owned(),
    })
}

/// Writes the file whole and renames it into place, so that a crash
/// leaves the old file or the new one, never half of one. `keys` must
/// yield `count` keys.
pub fn store(
    path: &Path,
    space: KeySpace,
    count: usize,
    keys: impl Iterator<Item = SavedKey>,
) -> Result<(), KeysFileError> {
    let io = |err| KeysFileError::Io {
        path: path.to_owned(),
        err,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("tmp");
    let mut file = io::BufWriter::new(fs::File::create(&tmp).map_err(io)?);
    encode(&mut file, space, count, keys).map_err(io)?;
    let file = file.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    fs::rename(&tmp, path).map_err(io)
}

fn encode(
    out: &mut impl Write,
    space: KeySpace,
    count: usize,
    keys: impl Iterator<Item = SavedKey>,
) -> io::Result<()> {
    let count = u32::try_from(count)
        .map_err(|_| io::Error::other("more keys than the file can hold"))?;
    out.write_all(MAGIC)?;
    out.write_all(&VERSION.to_le_bytes())?;
    out.write_all(&space.boot.to_le_bytes())?;
    out.write_all(&count.to_le_bytes())?;
    out.write_all(&space.netns.to_le_bytes())?;
    for k in keys {
        for word in [
            k.slot,
            k.start,
            k.kernel_start.unwrap_or(0),
            k.packets.unwrap_or(u64::MAX),
        ] {
            out.write_all(&word.to_le_bytes())?;
        }
    }
    Ok(())
}

/// `None` when the bytes are not a file of this version; an empty list
/// when the file is of another boot or namespace.
fn decode(bytes: &[u8], space: KeySpace) -> Option<Vec<SavedKey>> {
    let u32_at = |at: usize| {
        Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
    };
    let u64_at = |at: usize| {
        Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
    };
    if bytes.get(..4)? != MAGIC || u32_at(4)? != VERSION {
        return None;
    }
    let count = u32_at(12)? as usize;
    if bytes.len() != HEADER + count.checked_mul(RECORD)? {
        return None;
    }
    if (u32_at(8)?, u64_at(16)?) != (space.boot, space.netns) {
        return Some(Vec::new());
    }
    (0..count)
        .map(|i| {
            let at = HEADER + i * RECORD;
            Some(SavedKey {
                slot: u64_at(at)?,
                start: u64_at(at + 8)?,
                kernel_start: Some(u64_at(at + 16)?).filter(|&s| s != 0),
                packets: Some(u64_at(at + 24)?).filter(|&p| p != u64::MAX),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::collect::conntrack::decode::{CtCounter, CtCounters};

    const SPACE: KeySpace = KeySpace {
        boot: 0x8f3a_9c2e,
        netns: 4_026_531_840,
    };

    fn saved(slot: u64) -> SavedKey {
        SavedKey {
            slot,
            start: 1_000 + slot,
            kernel_start: slot.is_multiple_of(2).then_some(500),
            packets: slot.is_multiple_of(3).then_some(9),
        }
    }

    #[test]
    fn a_file_round_trips_through_the_disk() {
        let dir = std::env::temp_dir()
            .join(format!("nfscope-keys-test-{}", std::process::id()));
        let path = path(&dir, SPACE, Some(7));
        let keys: Vec<_> = (0..5).map(saved).collect();
        store(&path, SPACE, keys.len(), keys.iter().copied()).unwrap();
        assert_eq!(load(&path, SPACE).unwrap(), keys);
        // After a reboot, or for another namespace, the file says nothing.
        let rebooted = KeySpace { boot: 1, ..SPACE };
        assert_eq!(load(&path, rebooted).unwrap(), []);
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(load(&path, SPACE).unwrap(), []);
    }

    #[test]
    fn a_damaged_file_is_an_error() {
        let mut bytes = Vec::new();
        let keys = [saved(1), saved(2)];
        encode(&mut bytes, SPACE, keys.len(), keys.into_iter()).unwrap();
        for cut in [0, 3, HEADER, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut], SPACE), None, "cut at {cut}");
        }
    }

    proptest! {
        #[test]
        fn decoding_any_bytes_never_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let _ = decode(&bytes, SPACE);
        }
    }

    #[test]
    fn a_reborn_flow_is_told_by_its_start_or_its_counters() {
        let key = SavedKey {
            slot: 1,
            start: 10,
            kernel_start: Some(500),
            packets: Some(9),
        };
        let counted = |packets| CtEntry {
            counters: Some(CtCounters {
                orig: CtCounter { packets, bytes: 0 },
                ..CtCounters::default()
            }),
            ..CtEntry::default()
        };
        let started = |start| CtEntry {
            start_ns: Some(start),
            ..CtEntry::default()
        };
        assert!(key.same_flow(&CtEntry::default()));
        assert!(key.same_flow(&started(500)));
        assert!(!key.same_flow(&started(501)));
        assert!(key.same_flow(&counted(9)));
        assert!(!key.same_flow(&counted(2)));
    }
}
