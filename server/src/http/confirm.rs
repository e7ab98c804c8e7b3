//! Deleting the flows a filter selects takes two calls: the first says
//! how many there are and gives a token, the second, with the token and
//! the same filter, deletes exactly those (the ones still alive), not
//! whatever the filter matches by then. Tokens are held here, a few at a
//! time and for [`CONFIRM_TTL`], each for the session that asked.

use std::sync::Mutex;
use std::time::Duration;

use crate::access::random_id;
use crate::collect::conntrack::delete::Target;

pub const CONFIRM_TTL: Duration = Duration::from_secs(60);
/// Deletes waiting for their confirmation at once, at most; the oldest
/// is dropped for a new one.
const MAX_PENDING: usize = 8;

struct Pending {
    token: String,
    filter: String,
    /// The session's nonce, or `open` without passwords.
    owner: String,
    targets: Vec<Target>,
    expires_ms: u64,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfirmError {
    #[error(
        "confirm: no such delete waits for a confirmation (they last {} s, \
         and belong to the session that asked): ask again without confirm",
        CONFIRM_TTL.as_secs()
    )]
    Unknown,
    #[error(
        "confirm: this token confirms the delete of filter {0:?}, not this one"
    )]
    OtherFilter(String),
}

#[derive(Default)]
pub struct Confirmations {
    pending: Mutex<Vec<Pending>>,
}

impl Confirmations {
    /// Holds `targets` for a confirmation; the token and when it expires.
    pub fn ask(
        &self,
        filter: &str,
        owner: &str,
        targets: Vec<Target>,
        now_ms: u64,
    ) -> (String, u64) {
        let token = random_id();
        let expires_ms = now_ms + CONFIRM_TTL.as_millis() as u64;
        let mut pending = self.pending.lock().expect("confirmations");
        pending.retain(|p| p.expires_ms > now_ms);
        if pending.len() >= MAX_PENDING {
            pending.remove(0);
        }
        pending.push(Pending {
            token: token.clone(),
            filter: filter.to_owned(),
            owner: owner.to_owned(),
            targets,
            expires_ms,
        });
        (token, expires_ms)
    }

    /// The targets `token` confirms, once.
    pub fn take(
        &self,
        token: &str,
        filter: &str,
        owner: &str,
        now_ms: u64,
    ) -> Result<Vec<Target>, ConfirmError> {
        let mut pending = self.pending.lock().expect("confirmations");
        pending.retain(|p| p.expires_ms > now_ms);
        let at = pending
            .iter()
            .position(|p| p.token == token && p.owner == owner)
            .ok_or(ConfirmError::Unknown)?;
        if pending[at].filter != filter {
            return Err(ConfirmError::OtherFilter(pending[at].filter.clone()));
        }
        Ok(pending.remove(at).targets)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_confirms_its_filter_for_its_session_once() {
        let confirmations = Confirmations::default();
        let (token, expires) =
            confirmations.ask("dport:53", "s1", Vec::new(), 0);
        assert_eq!(expires, 60_000);
        assert_eq!(
            confirmations.take(&token, "dport:53", "s2", 1),
            Err(ConfirmError::Unknown)
        );
        assert_eq!(
            confirmations.take(&token, "dport:80", "s1", 1),
            Err(ConfirmError::OtherFilter("dport:53".into()))
        );
        assert_eq!(confirmations.take(&token, "dport:53", "s1", 1), Ok(vec![]));
        assert_eq!(
            confirmations.take(&token, "dport:53", "s1", 1),
            Err(ConfirmError::Unknown)
        );
        let (late, _) = confirmations.ask("", "s1", Vec::new(), 0);
        assert_eq!(
            confirmations.take(&late, "", "s1", 60_000),
            Err(ConfirmError::Unknown)
        );
    }
}
