//! The access file: users, their roles and their password hashes, in
//! TOML. `nfscope passwd` writes it; `nfscope serve` reads it at start.
//!
//! ```toml
//! [users.alice]
//! role = "admin"
//! hash = "$argon2id$v=19$m=19456,t=2,p=1$..."
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::password::{self, PasswordError};

/// What a user may do: viewers read, admins also change things.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Admin,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "viewer" => Ok(Self::Viewer),
            "admin" => Ok(Self::Admin),
            _ => Err(format!("{text:?} is not a role: admin or viewer")),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub role: Role,
    /// argon2id, PHC form.
    pub hash: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessFile {
    #[serde(default)]
    pub users: BTreeMap<String, User>,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {err}")]
    Io {
        path: PathBuf,
        #[source]
        err: io::Error,
    },
    #[error("{path}: {err}")]
    Syntax {
        path: PathBuf,
        #[source]
        err: toml::de::Error,
    },
    #[error("{path}: user {user:?}: {err}")]
    Hash {
        path: PathBuf,
        user: String,
        #[source]
        err: PasswordError,
    },
    #[error("{path}: {err}")]
    Name { path: PathBuf, err: String },
}

/// Names appear in logs and pages: letters, digits, `.`, `_`, `-`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "user name {name:?} must be 1 to 64 letters, digits, '.', '_' or \
             '-'"
        ))
    }
}

impl AccessFile {
    /// `None` when there is no file at `path`.
    pub fn load(path: &Path) -> Result<Option<Self>, FileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(FileError::Io {
                    path: path.to_owned(),
                    err,
                })
            }
        };
        let file: Self =
            toml::from_str(&text).map_err(|err| FileError::Syntax {
                path: path.to_owned(),
                err,
            })?;
        for (user, entry) in &file.users {
            check_name(user).map_err(|err| FileError::Name {
                path: path.to_owned(),
                err,
            })?;
            password::check_phc(&entry.hash).map_err(|err| {
                FileError::Hash {
                    path: path.to_owned(),
                    user: user.clone(),
                    err,
                }
            })?;
        }
        Ok(Some(file))
    }

    /// Replaces the file at `path` whole (a new file renamed over it), 0600.
    /// A new file belongs to the owner of its folder, so that a service
    /// that owns its state folder can read what root wrote there.
    pub fn save(&self, path: &Path) -> Result<(), FileError> {
        let wrap = |err| FileError::Io {
            path: path.to_owned(),
            err,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir).map_err(wrap)?;
        let owner = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(_) => std::fs::metadata(dir).map_err(wrap)?,
        };
        let text = toml::to_string(self)
            .map_err(|e| wrap(io::Error::new(io::ErrorKind::InvalidData, e)))?;
        let mut temp = path.as_os_str().to_owned();
        temp.push(".new");
        let temp = PathBuf::from(temp);
        let _ = std::fs::remove_file(&temp);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
            .map_err(wrap)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(wrap)?;
        // Only root may give a file away; anyone else keeps it.
        let _ = std::os::unix::fs::fchown(
            &file,
            Some(owner.uid()),
            Some(owner.gid()),
        );
        std::fs::rename(&temp, path).map_err(wrap)
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_saved_file_loads_back_private() {
        let dir = std::env::temp_dir().join(format!(
            "nfscope-users-{}",
            super::super::signing::random_id()
        ));
        let path = dir.join("sub/access.toml");
        assert_eq!(AccessFile::load(&path).unwrap(), None);
        let mut file = AccessFile::default();
        file.users.insert(
            "alice".into(),
            User {
                role: Role::Admin,
                hash: password::hash("pw").unwrap(),
            },
        );
        file.save(&path).unwrap();
        file.save(&path).unwrap();
        assert_eq!(AccessFile::load(&path).unwrap(), Some(file));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_files_name_what_is_wrong() {
        let dir = std::env::temp_dir().join(format!(
            "nfscope-users-{}",
            super::super::signing::random_id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("access.toml");
        let cases = [
            (
                "[users.bob]\nrole = \"admin\"\nhash = \"x\"\n",
                "user \"bob\"",
            ),
            (
                "[users.bob]\nrole = \"root\"\nhash = \"x\"\n",
                "unknown variant",
            ),
            (
                "[users.\"a b\"]\nrole = \"admin\"\nhash = \"x\"\n",
                "1 to 64",
            ),
            ("[people]\n", "unknown field"),
        ];
        for (text, expected) in cases {
            std::fs::write(&path, text).unwrap();
            let err = AccessFile::load(&path).unwrap_err().to_string();
            assert!(err.contains(expected), "{text}: {err}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn roles_and_names() {
        assert_eq!("admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
        assert!(check_name("ops.team-1_a").is_ok());
        for bad in ["", "a b", "é", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
