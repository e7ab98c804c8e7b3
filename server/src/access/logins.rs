//! What a flood of logins may cost. A password check is an argon2 hash,
//! ~19 MiB and tens of milliseconds by design, so checks run on a
//! blocking thread, one at a time (the other cores keep serving), and a
//! login that cannot get its turn within [`TURN_WAIT`] is refused (503)
//! instead of queueing without end. A client has one login checked at a
//! time; one whose passwords were wrong [`FREE_FAILURES`] times in a row
//! waits before its next try is even checked, twice as long after each
//! failure, up to [`MAX_DELAY`]. Both are refused at once (429) and cost
//! no hash. A client is its address, or its /64 for IPv6.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::password;

pub const HASHING_AT_ONCE: usize = 1;
pub const TURN_WAIT: Duration = Duration::from_secs(3);
pub const FREE_FAILURES: u32 = 3;
pub const MAX_DELAY: Duration = Duration::from_secs(60);
/// Clients remembered at most; beyond, those free to try are forgotten.
const MAX_CLIENTS: usize = 4096;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefused {
    #[error(
        "too many wrong passwords from this address: try again in {} s",
        .retry_after.as_secs().max(1)
    )]
    TooSoon { retry_after: Duration },
    #[error("a login from this address is being checked: one at a time")]
    InFlight,
    #[error("too many logins at once: try again in a moment")]
    Busy,
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    /// No try is checked before this.
    next_try: Instant,
}

#[derive(Default)]
struct Clients {
    failures: HashMap<IpAddr, Failures>,
    /// Clients with a login being checked.
    checking: HashSet<IpAddr>,
}

pub struct Logins {
    hashing: Semaphore,
    clients: Mutex<Clients>,
}

impl Default for Logins {
    fn default() -> Self {
        Self {
            hashing: Semaphore::new(HASHING_AT_ONCE),
            clients: Mutex::default(),
        }
    }
}

/// A client's turn; ends when dropped, also when its request is.
struct Turn<'a> {
    logins: &'a Logins,
    client: IpAddr,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut clients = self.logins.clients.lock().expect("login clients");
        clients.checking.remove(&self.client);
    }
}

impl Logins {
    /// Checks `password` against `phc` (against a stand-in when the user
    /// is unknown, so that the answer takes as long) for `client`, and
    /// counts a failure against it.
    pub async fn check(
        &self,
        client: IpAddr,
        phc: Option<&str>,
        password: String,
    ) -> Result<bool, LoginRefused> {
        let client = client_of(client);
        let _client_turn = self.admit(client)?;
        let _turn = tokio::time::timeout(TURN_WAIT, self.hashing.acquire())
            .await
            .map_err(|_| LoginRefused::Busy)?
            .expect("the hashing semaphore is never closed");
        let phc = phc.unwrap_or(stand_in()).to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            password::verify(&phc, &password)
        })
        .await
        .unwrap_or(false);
        self.record(client, ok);
        Ok(ok)
    }

    fn admit(&self, client: IpAddr) -> Result<Turn<'_>, LoginRefused> {
        let mut clients = self.clients.lock().expect("login clients");
        let now = Instant::now();
        if let Some(f) = clients.failures.get(&client) {
            if f.next_try > now {
                return Err(LoginRefused::TooSoon {
                    retry_after: f.next_try - now,
                });
            }
        }
        if !clients.checking.insert(client) {
            return Err(LoginRefused::InFlight);
        }
        Ok(Turn {
            logins: self,
            client,
        })
    }

    fn record(&self, client: IpAddr, ok: bool) {
        let mut clients = self.clients.lock().expect("login clients");
        let failures = &mut clients.failures;
        if ok {
            failures.remove(&client);
            return;
        }
        let now = Instant::now();
        if failures.len() >= MAX_CLIENTS {
            failures.retain(|_, f| f.next_try > now);
        }
        if failures.len() >= MAX_CLIENTS {
            return;
        }
        let f = failures.entry(client).or_insert(Failures {
            count: 0,
            next_try: now,
        });
        f.count += 1;
        f.next_try = now + delay_after(f.count);
    }
}

/// The wait after `count` wrong passwords in a row.
pub fn delay_after(count: u32) -> Duration {
    match count.checked_sub(FREE_FAILURES) {
        None | Some(0) => Duration::ZERO,
        Some(n) => Duration::from_secs(1u64 << (n - 1).min(6)).min(MAX_DELAY),
    }
}

/// One client: an IPv4 address, or an IPv6 /64 (what one host is given).
fn client_of(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

/// A hash of no password, checked for unknown users.
fn stand_in() -> &'static str {
    static STAND_IN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAND_IN.get_or_init(|| {
        password::hash("nfscope stand-in").expect("hashing a fixed password")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_after_the_free_failures() {
        let delays: Vec<u64> =
            (1..=12).map(|n| delay_after(n).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        assert_eq!(client_of(a), client_of(b));
        let v4: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(client_of(v4), v4);
    }

    #[tokio::test]
    async fn wrong_passwords_make_the_client_wait_and_cost_no_hash() {
        let logins = Logins::default();
        let phc = password::hash("right").unwrap();
        let client: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..=FREE_FAILURES {
            let ok = logins.check(client, Some(&phc), "wrong".into()).await;
            assert_eq!(ok, Ok(false));
        }
        let started = std::time::Instant::now();
        let refused = logins.check(client, Some(&phc), "right".into()).await;
        assert!(matches!(refused, Err(LoginRefused::TooSoon { .. })));
        assert!(started.elapsed() < Duration::from_millis(5));
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(
            logins.check(other, Some(&phc), "right".into()).await,
            Ok(true)
        );
        assert_eq!(logins.check(other, None, "right".into()).await, Ok(false));
    }
}
