//! Passwords as argon2id hashes in PHC form
//! (`$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH`), with argon2's default
//! cost: about 19 MiB and tens of milliseconds per check, by design. What
//! keeps a flood of logins from stalling the server is in `logins`.

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, PasswordVerifier};

use super::signing::fill_random;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is empty")]
    Empty,
    #[error("hashing the password: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("{0:?} is not an argon2id hash in PHC form ($argon2id$v=19$...)")]
    NotArgon2id(String),
}

pub fn hash(password: &str) -> Result<String, PasswordError> {
    if password.is_empty() {
        return Err(PasswordError::Empty);
    }
    let mut salt = [0; 16];
    fill_random(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(PasswordError::Hash)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PasswordError::Hash)
}

/// Checks that `phc` is a hash nfscope can verify, when it is read.
pub fn check_phc(phc: &str) -> Result<(), PasswordError> {
    match PasswordHash::new(phc) {
        Ok(h) if h.algorithm == Algorithm::Argon2id.ident() => Ok(()),
        _ => Err(PasswordError::NotArgon2id(phc.to_owned())),
    }
}

/// Whether `password` matches `phc`. Costs a full hash either way.
pub fn verify(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        check_phc(&phc).unwrap();
        assert!(verify(&phc, "correct horse"));
        assert!(!verify(&phc, "correct horse "));
        assert!(!verify("garbage", "correct horse"));
        assert_ne!(hash("correct horse").unwrap(), phc, "salted");
    }

    #[test]
    fn only_argon2id_hashes_are_taken() {
        assert!(matches!(hash(""), Err(PasswordError::Empty)));
        let argon2i = "$argon2i$v=19$m=16,t=2,p=1$c2FsdHNhbHQ$\
                       aW5mb3JtYXRpb24";
        for bad in ["", "plain", argon2i] {
            let err = check_phc(bad).unwrap_err();
            assert!(matches!(err, PasswordError::NotArgon2id(_)), "{bad}");
        }
    }
}
