//! Share links: a signed, expiring token that opens one flow, read-only,
//! to someone without an account. Each link is also on a list kept in
//! the state folder (`shares.json`): revoking one takes it off the list,
//! and a token whose id is not on the list opens nothing, also after a
//! restart.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use app::wire::access::ShareLink;
use app::wire::FlowKey;

use super::signing::{random_id, Purpose, SigningKey, TokenError};

/// Longest life of a link.
pub const MAX_TTL: Duration = Duration::from_secs(90 * 86_400);
pub const DEFAULT_TTL: Duration = Duration::from_secs(86_400);

/// What a share token signs.
#[derive(Serialize, Deserialize)]
struct Claims {
    id: String,
    key: FlowKey,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShareError {
    #[error("share link refused: {0}")]
    Token(#[from] TokenError),
    #[error("share link refused: it was revoked")]
    Revoked,
}

#[derive(Debug, thiserror::Error)]
#[error("share links {path}: {err}")]
pub struct StoreError {
    path: String,
    #[source]
    err: io::Error,
}

/// The links in force, saved at each change when there is a file.
pub struct Shares {
    path: Option<PathBuf>,
    list: Mutex<Vec<ShareLink>>,
}

impl Shares {
    /// The list saved at `path` (none yet when missing); `None` keeps it
    /// in memory only.
    pub fn load(path: Option<PathBuf>) -> Result<Self, StoreError> {
        let list = match &path {
            Some(p) => read(p).map_err(|err| StoreError {
                path: p.display().to_string(),
                err,
            })?,
            None => Vec::new(),
        };
        Ok(Self {
            path,
            list: Mutex::new(list),
        })
    }

    /// A new link to `key` for `ttl` (at most [`MAX_TTL`]), and its token.
    pub fn create(
        &self,
        signing: &SigningKey,
        key: FlowKey,
        ttl: Duration,
        by: &str,
        now_ms: u64,
    ) -> Result<(ShareLink, String), StoreError> {
        let share = ShareLink {
            id: random_id(),
            key,
            by: by.to_owned(),
            created_ms: now_ms,
            expires_ms: now_ms + ttl.min(MAX_TTL).as_millis() as u64,
        };
        let token = token(signing, &share);
        self.change(now_ms, |list| list.push(share.clone()))?;
        Ok((share, token))
    }

    /// The links in force, oldest first, with their tokens.
    pub fn list(
        &self,
        signing: &SigningKey,
        now_ms: u64,
    ) -> Vec<(ShareLink, String)> {
        let list = self.list.lock().expect("shares");
        list.iter()
            .filter(|s| s.expires_ms > now_ms)
            .map(|s| (s.clone(), token(signing, s)))
            .collect()
    }

    /// `false` when no link has this id.
    pub fn revoke(&self, id: &str, now_ms: u64) -> Result<bool, StoreError> {
        let mut found = false;
        self.change(now_ms, |list| {
            let before = list.len();
            list.retain(|s| s.id != id);
            found = list.len() < before;
        })?;
        Ok(found)
    }

    /// The flow a token opens.
    pub fn check(
        &self,
        signing: &SigningKey,
        token: &str,
        now_ms: u64,
    ) -> Result<(FlowKey, u64), ShareError> {
        let (claims, expires_ms): (Claims, u64) =
            signing.open(Purpose::Share, token, now_ms)?;
        let list = self.list.lock().expect("shares");
        if !list
            .iter()
            .any(|s| s.id == claims.id && s.key == claims.key)
        {
            return Err(ShareError::Revoked);
        }
        Ok((claims.key, expires_ms))
    }

    /// Applies `edit`, forgets expired links and saves the list.
    fn change(
        &self,
        now_ms: u64,
        edit: impl FnOnce(&mut Vec<ShareLink>),
    ) -> Result<(), StoreError> {
        let mut list = self.list.lock().expect("shares");
        let mut next = list.clone();
        edit(&mut next);
        next.retain(|s| s.expires_ms > now_ms);
        if let Some(path) = &self.path {
            write(path, &next).map_err(|err| StoreError {
                path: path.display().to_string(),
                err,
            })?;
        }
        *list = next;
        Ok(())
    }
}

fn token(signing: &SigningKey, share: &ShareLink) -> String {
    let claims = Claims {
        id: share.id.clone(),
        key: share.key,
    };
    signing.sign(Purpose::Share, share.expires_ms, &claims)
}

fn read(path: &Path) -> io::Result<Vec<ShareLink>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A new file renamed over the old one: a crash leaves one or the other.
fn write(path: &Path, list: &[ShareLink]) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut temp = path.as_os_str().to_owned();
    temp.push(".new");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temp)?;
    file.write_all(&serde_json::to_vec_pretty(list)?)?;
    file.sync_all()?;
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    fn key(n: u32) -> FlowKey {
        FlowKey {
            boot: 1,
            netns: 2,
            id: n,
            tuple: 3,
            start: 4,
        }
    }

    fn scratch() -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("nfscope-shares-{}", random_id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join("shares.json")
    }

    #[test]
    fn a_link_opens_its_flow_until_revoked_also_after_a_restart() {
        let path = scratch();
        let signing = SigningKey::random();
        let shares = Shares::load(Some(path.clone())).unwrap();
        let hour = Duration::from_secs(3600);
        let (a, token_a) =
            shares.create(&signing, key(1), hour, "alice", NOW).unwrap();
        let (_, token_b) =
            shares.create(&signing, key(2), hour, "alice", NOW).unwrap();
        assert_eq!(
            shares.check(&signing, &token_a, NOW + 1),
            Ok((key(1), NOW + 3_600_000))
        );
        assert!(shares.revoke(&a.id, NOW + 2).unwrap());
        assert!(!shares.revoke(&a.id, NOW + 2).unwrap());
        assert_eq!(
            shares.check(&signing, &token_a, NOW + 3),
            Err(ShareError::Revoked)
        );

        let again = Shares::load(Some(path.clone())).unwrap();
        assert_eq!(
            again.check(&signing, &token_a, NOW + 4),
            Err(ShareError::Revoked)
        );
        assert_eq!(again.check(&signing, &token_b, NOW + 4).unwrap().0, key(2));
        assert_eq!(again.list(&signing, NOW).len(), 1);
        assert!(matches!(
            again.check(&signing, &token_b, NOW + 3_600_001),
            Err(ShareError::Token(TokenError::Expired { .. }))
        ));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_link_lives_at_most_the_longest_ttl() {
        let signing = SigningKey::random();
        let shares = Shares::load(None).unwrap();
        let (share, _) = shares
            .create(&signing, key(1), Duration::MAX, "a", NOW)
            .unwrap();
        assert_eq!(share.expires_ms, NOW + MAX_TTL.as_millis() as u64);
    }
}
