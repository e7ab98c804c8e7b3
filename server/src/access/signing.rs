//! The key that signs what nfscope hands out and must be able to trust
//! back (session cookies, share links, CSRF tokens), and the token format:
//! `BODY.TAG`, both base64url, where BODY is the JSON
//! `{"p": purpose, "e": expires_ms, "c": claims}` and TAG its
//! HMAC-SHA256. The purpose is signed with the rest, so a share link is
//! never taken for a session.
//!
//! The key is made once, 32 random bytes in the state folder (0600):
//! sessions and links survive a restart, and removing the file ends them
//! all.

use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use app::format::duration_secs;

type HmacSha256 = Hmac<Sha256>;

const KEY_LEN: usize = 32;
/// Longer than any token nfscope makes; longer ones are not decoded.
const MAX_TOKEN_LEN: usize = 1024;

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Purpose {
    Session,
    Share,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error(
        "the token's signature does not match: it was altered, or another \
         nfscope (or an earlier signing key) made it"
    )]
    Forged,
    #[error("the token is not a {0}")]
    Purpose(&'static str),
    #[error("the token expired {} ago", duration_secs(.ago_ms / 1000))]
    Expired { ago_ms: u64 },
}

#[derive(Debug, thiserror::Error)]
#[error("signing key {path}: {err}")]
pub struct KeyError {
    path: String,
    #[source]
    err: io::Error,
}

#[derive(Serialize, Deserialize)]
struct Body<C> {
    p: Purpose,
    e: u64,
    c: C,
}

pub struct SigningKey([u8; KEY_LEN]);

impl SigningKey {
    /// Reads the key at `path`, or makes it there (0600) when missing.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        let wrap = |err| KeyError {
            path: path.display().to_string(),
            err,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let key = bytes.try_into().map_err(|b: Vec<u8>| {
                    wrap(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{} bytes instead of {KEY_LEN}", b.len()),
                    ))
                })?;
                Ok(Self(key))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let key = Self::random();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(wrap)?;
                }
                // create_new: two processes starting at once keep one key.
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(wrap)?;
                file.write_all(&key.0)
                    .and_then(|()| file.sync_all())
                    .map_err(wrap)?;
                Ok(key)
            }
            Err(e) => Err(wrap(e)),
        }
    }

    /// A key that lives as long as the process (no state folder).
    pub fn random() -> Self {
        let mut key = [0; KEY_LEN];
        fill_random(&mut key);
        Self(key)
    }

    /// The MAC over `parts`, each prefixed with its length so that no two
    /// lists of parts sign alike.
    fn mac_of(&self, parts: &[&[u8]]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0)
            .expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac
    }

    pub fn tag(&self, parts: &[&[u8]]) -> [u8; 32] {
        self.mac_of(parts).finalize().into_bytes().into()
    }

    /// Whether `tag` is [`SigningKey::tag`] of `parts`, in constant time.
    pub fn verify_tag(&self, parts: &[&[u8]], tag: &[u8]) -> bool {
        self.mac_of(parts).verify_slice(tag).is_ok()
    }

    pub fn sign<C: Serialize>(
        &self,
        purpose: Purpose,
        expires_ms: u64,
        claims: &C,
    ) -> String {
        let body = Body {
            p: purpose,
            e: expires_ms,
            c: claims,
        };
        let json = serde_json::to_vec(&body).expect("claims serialize");
        let body = URL_SAFE_NO_PAD.encode(json);
        let tag = URL_SAFE_NO_PAD.encode(self.tag(&[body.as_bytes()]));
        format!("{body}.{tag}")
    }

    /// The claims of a token this key signed for `purpose`, unexpired
    /// at `now_ms`, and when it expires.
    pub fn open<C: DeserializeOwned>(
        &self,
        purpose: Purpose,
        token: &str,
        now_ms: u64,
    ) -> Result<(C, u64), TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let (body, tag) = token.split_once('.').ok_or(TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Malformed)?;
        if !self.verify_tag(&[body.as_bytes()], &tag) {
            return Err(TokenError::Forged);
        }
        let json = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| TokenError::Malformed)?;
        let body: Body<C> =
            serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        if body.p != purpose {
            return Err(TokenError::Purpose(match purpose {
                Purpose::Session => "session",
                Purpose::Share => "share link",
            }));
        }
        if body.e <= now_ms {
            return Err(TokenError::Expired {
                ago_ms: now_ms - body.e,
            });
        }
        Ok((body.c, body.e))
    }
}

/// Fills `buf` from the kernel's random source. Without one nfscope
/// cannot keep anything secret, so it stops.
pub fn fill_random(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the kernel's random source (getrandom)");
}

/// 128 random bits, base64url: ids nobody can guess.
pub fn random_id() -> String {
    let mut bytes = [0; 16];
    fill_random(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000_000;

    #[test]
    fn a_token_opens_with_its_key_and_purpose_until_it_expires() {
        let key = SigningKey::random();
        let token = key.sign(Purpose::Share, NOW + 1000, &"flow-a");
        let open = |t: &str, now| key.open::<String>(Purpose::Share, t, now);
        assert_eq!(open(&token, NOW), Ok(("flow-a".to_owned(), NOW + 1000)));
        assert_eq!(
            open(&token, NOW + 61_000),
            Err(TokenError::Expired { ago_ms: 60_000 })
        );
        assert_eq!(
            key.open::<String>(Purpose::Session, &token, NOW),
            Err(TokenError::Purpose("session"))
        );
        let other = SigningKey::random();
        assert_eq!(
            other.open::<String>(Purpose::Share, &token, NOW),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn an_altered_token_is_forged_or_malformed() {
        let key = SigningKey::random();
        let token = key.sign(Purpose::Session, NOW + 1000, &"alice");
        let (body, tag) = token.split_once('.').unwrap();
        // The same claims for another user, with the old tag.
        let evil = key.sign(Purpose::Session, NOW + 1000, &"mallory");
        let (evil_body, _) = evil.split_once('.').unwrap();
        let open = |t: &str| key.open::<String>(Purpose::Session, t, NOW);
        assert_eq!(
            open(&format!("{evil_body}.{tag}")),
            Err(TokenError::Forged)
        );
        assert_eq!(open(&format!("{body}x.{tag}")), Err(TokenError::Forged));
        for bad in ["", ".", "abc", "a.b.c", &format!("{body}.!!"), "é.é"] {
            let err = open(bad).unwrap_err();
            assert!(
                matches!(err, TokenError::Malformed | TokenError::Forged),
                "{bad:?}: {err:?}"
            );
        }
        assert_eq!(open(&"a".repeat(5000)), Err(TokenError::Malformed));
    }

    #[test]
    fn tags_tell_lists_of_parts_apart() {
        let key = SigningKey::random();
        let tag = key.tag(&[b"ab", b"c"]);
        assert!(key.verify_tag(&[b"ab", b"c"], &tag));
        assert!(!key.verify_tag(&[b"a", b"bc"], &tag));
        assert!(!key.verify_tag(&[b"ab", b"c"], &tag[..31]));
    }

    #[test]
    fn the_key_file_is_made_once_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("nfscope-key-{}", random_id()));
        let path = dir.join("access.key");
        let first = SigningKey::load_or_create(&path).unwrap();
        let again = SigningKey::load_or_create(&path).unwrap();
        assert_eq!(first.0, again.0);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(&path, b"short").unwrap();
        let err = SigningKey::load_or_create(&path).err().unwrap();
        assert!(err.to_string().contains("5 bytes instead of 32"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
