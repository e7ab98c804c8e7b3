//! Who may see and change what.
//!
//! - A loopback listen with no access file is open: no login, full
//!   access, as before passwords existed.
//! - With users in the access file (`nfscope passwd`), every page and
//!   route but the login page and the static files needs a session;
//!   viewers read, admins also change things. This holds on loopback too:
//!   a password file means passwords.
//! - Any other listen needs users, or `--no-auth --read-only`: anyone who
//!   reaches it may read, nobody may change anything.
//! - `--read-only` refuses every change whatever the role.
//! - A share link opens one flow, read-only, to anyone holding it.

mod logins;
mod password;
mod session;
mod shares;
mod signing;
mod users;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub use logins::{LoginRefused, Logins};
pub use password::{hash as hash_password, PasswordError};
pub use session::{
    cookie, csrf_matches, csrf_token, set_cookie, Session, SessionError,
    Sessions, CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, SESSION_TTL,
};
pub use shares::{ShareError, Shares, DEFAULT_TTL, MAX_TTL};
pub use signing::{random_id, SigningKey, TokenError};
pub use users::{check_name, AccessFile, FileError, Role, User};

/// What the command line says about access.
#[derive(Clone, Debug)]
pub struct AccessOptions {
    pub file: PathBuf,
    pub no_auth: bool,
    pub read_only: bool,
}

/// How requests are told apart, decided at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// No login: every request may do what the mode allows.
    Open { read_only: bool },
    /// Users log in with passwords.
    Passwords { users: AccessFile, read_only: bool },
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "listening on {listen} lets other machines in, so it needs a \
         password: add one with `nfscope passwd --file {file} --user NAME \
         --role admin` (then start again), or start with --no-auth \
         --read-only for a dashboard that anyone who reaches it may read \
         and nobody may change"
    )]
    NeedsPassword { listen: SocketAddr, file: String },
    #[error(
        "--no-auth on {listen} needs --read-only too: without passwords, \
         anyone who reaches it could delete flows"
    )]
    NoAuthNeedsReadOnly { listen: SocketAddr },
    #[error(transparent)]
    File(#[from] FileError),
}

impl Plan {
    /// Reads the access file and decides, or says why nfscope must not
    /// start.
    pub fn decide(
        listen: SocketAddr,
        options: &AccessOptions,
    ) -> Result<Self, StartError> {
        let loopback = listen.ip().is_loopback();
        let read_only = options.read_only;
        if options.no_auth {
            if !loopback && !read_only {
                return Err(StartError::NoAuthNeedsReadOnly { listen });
            }
            return Ok(Self::Open { read_only });
        }
        let users = AccessFile::load(&options.file)?
            .filter(|file| !file.users.is_empty());
        match users {
            Some(users) => Ok(Self::Passwords { users, read_only }),
            None if loopback => Ok(Self::Open { read_only }),
            None => Err(StartError::NeedsPassword {
                listen,
                file: options.file.display().to_string(),
            }),
        }
    }

    pub fn read_only(&self) -> bool {
        match self {
            Self::Open { read_only } | Self::Passwords { read_only, .. } => {
                *read_only
            }
        }
    }
}

/// Everything access checks need while serving.
pub struct Access {
    pub plan: Plan,
    pub signing: SigningKey,
    pub sessions: Sessions,
    pub shares: Shares,
    pub logins: Logins,
}

/// Keeps the key and the hashes out of logs.
impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let passwords = matches!(self.plan, Plan::Passwords { .. });
        f.debug_struct("Access")
            .field("passwords", &passwords)
            .field("read_only", &self.plan.read_only())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Key(#[from] signing::KeyError),
    #[error(transparent)]
    Shares(#[from] shares::StoreError),
}

impl Access {
    /// The signing key (`access.key`) and the share links
    /// (`shares.json`) live in `state_dir`; without one, in memory.
    pub fn open(
        plan: Plan,
        state_dir: Option<&Path>,
    ) -> Result<Self, OpenError> {
        let signing = match state_dir {
            Some(dir) => SigningKey::load_or_create(&dir.join("access.key"))?,
            None => SigningKey::random(),
        };
        let shares = Shares::load(state_dir.map(|d| d.join("shares.json")))?;
        Ok(Self {
            plan,
            signing,
            sessions: Sessions::default(),
            shares,
            logins: Logins::default(),
        })
    }

    /// The user's role, if the access file has the user.
    pub fn role_of(&self, user: &str) -> Option<Role> {
        match &self.plan {
            Plan::Passwords { users, .. } => {
                users.users.get(user).map(|u| u.role)
            }
            Plan::Open { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(file: &Path, no_auth: bool, read_only: bool) -> AccessOptions {
        AccessOptions {
            file: file.to_owned(),
            no_auth,
            read_only,
        }
    }

    #[test]
    fn only_loopback_or_read_only_runs_without_passwords() {
        let dir =
            std::env::temp_dir().join(format!("nfscope-plan-{}", random_id()));
        let none = dir.join("missing.toml");
        let lo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let open = |read_only| Plan::Open { read_only };
        let decide =
            |at, no_auth, ro| Plan::decide(at, &options(&none, no_auth, ro));
        assert_eq!(decide(lo, false, false).unwrap(), open(false));
        assert_eq!(
            decide("[::1]:1".parse().unwrap(), false, true).unwrap(),
            open(true)
        );
        assert_eq!(decide(any, true, true).unwrap(), open(true));
        let err = decide(any, false, false).unwrap_err().to_string();
        assert!(err.contains("nfscope passwd --file"), "{err}");
        assert!(err.contains("--no-auth --read-only"), "{err}");
        assert!(decide(any, false, true).is_err());
        let err = decide(any, true, false).unwrap_err().to_string();
        assert!(err.contains("needs --read-only"), "{err}");

        let file = dir.join("access.toml");
        let mut users = AccessFile::default();
        users.users.insert(
            "a".into(),
            User {
                role: Role::Viewer,
                hash: hash_password("pw").unwrap(),
            },
        );
        users.save(&file).unwrap();
        for at in [lo, any] {
            let plan = Plan::decide(at, &options(&file, false, false)).unwrap();
            assert!(matches!(plan, Plan::Passwords { .. }), "{at}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
