//! Diagnosis: checks that look at what the collectors gathered and say
//! what is wrong, as tokio-console's warnings do. One check per file in
//! [`checks`]; each answers ok, found (with findings), or too early to
//! tell. The [`board`] keeps findings while they hold and remembers them
//! once they clear.

pub mod board;
pub mod checks;
pub mod facts;

use std::sync::Arc;
use std::time::Duration;

use app::wire::finding::Findings;
use tokio::sync::watch;

use crate::capture::InvalidSwitch;
use crate::state::rewrites::Rewrites;
use crate::state::StateHandle;
use board::Board;
use facts::Gatherer;

/// How often the checks run.
pub const EVERY: Duration = Duration::from_secs(1);

/// Where the findings are read: the latest list, and a wake-up when it
/// changes.
pub type FindingsFeed = watch::Receiver<Arc<Findings>>;

/// Starts the checks on a task of their own; the feed lives as long as
/// the task does, which is as long as the runtime.
pub fn start(
    state: StateHandle,
    rewrites: Arc<Rewrites>,
    invalid: Arc<InvalidSwitch>,
) -> FindingsFeed {
    let (publish, feed) = watch::channel(Arc::new(Findings::default()));
    tokio::spawn(async move {
        let mut gatherer = Gatherer::new(state, rewrites, invalid);
        let mut checks = checks::all();
        let mut board = Board::default();
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            // Reading sysctls and scanning the table block a little: off
            // the runtime's workers, like every other scan.
            let work = tokio::task::spawn_blocking(move || {
                let facts = gatherer.gather();
                let answers = checks::run(&mut checks, &facts);
                let changed = board.update(answers, facts.now_ms);
                let list = changed.then(|| board.findings());
                (gatherer, checks, board, list)
            });
            let Ok((g, c, b, list)) = work.await else {
                tracing::error!("the diagnosis stopped: a check panicked");
                return;
            };
            (gatherer, checks, board) = (g, c, b);
            if let Some(list) = list {
                if publish.send(Arc::new(list)).is_err() {
                    return;
                }
            }
        }
    });
    feed
}
