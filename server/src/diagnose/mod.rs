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

use app::wire::conntrack_stats::CtStatsNow;
use app::wire::finding::{Finding, Findings};
use tokio::sync::watch;

use crate::capture::InvalidSwitch;
use crate::state::rewrites::Rewrites;
use crate::state::StateHandle;
use crate::store::{History, Recorder};
use board::Board;
use facts::Gatherer;

/// How often the checks run.
pub const EVERY: Duration = Duration::from_secs(1);
/// How often the findings that hold are written down again, so that
/// after a stop the history knows how long they held.
const HOLDING_WRITTEN_EVERY: Duration = Duration::from_secs(60);

/// Where the findings are read: the latest list, and a wake-up when it
/// changes.
pub type FindingsFeed = watch::Receiver<Arc<Findings>>;
/// Conntrack's statistics with their rates, as of the last run.
pub type StatsFeed = watch::Receiver<Option<Arc<CtStatsNow>>>;

/// Starts the checks on a task of their own; the feeds live as long as
/// the task does, which is as long as the runtime.
/// With `history`, findings are written down as they come, change and
/// clear, and those of the last run are read back first.
pub fn start(
    state: StateHandle,
    rewrites: Arc<Rewrites>,
    invalid: Arc<InvalidSwitch>,
    history: Option<(Recorder, Arc<History>)>,
) -> (FindingsFeed, StatsFeed) {
    let (publish, feed) = watch::channel(Arc::new(Findings::default()));
    let (publish_stats, stats) = watch::channel(None);
    tokio::spawn(async move {
        let mut gatherer = Gatherer::new(state, rewrites, invalid);
        let mut checks = checks::all();
        let (recorder, store) = history.unzip();
        let past = match store {
            Some(store) => past_findings(store).await,
            None => Vec::new(),
        };
        let mut board = Board::restore(past);
        let mut refreshed = std::time::Instant::now();
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            // Reading sysctls and scanning the table block a little: off
            // the runtime's workers, like every other scan.
            let work = tokio::task::spawn_blocking(move || {
                let mut facts = gatherer.gather();
                let answers = checks::run(&mut checks, &facts);
                let changed = board.update(answers, facts.now_ms);
                let list = changed.then(|| board.findings());
                let stats = facts.stats_now.take();
                (gatherer, checks, board, list, stats)
            });
            let Ok((g, c, b, list, stats_now)) = work.await else {
                tracing::error!("the diagnosis stopped: a check panicked");
                return;
            };
            (gatherer, checks, board) = (g, c, b);
            publish_stats.send_replace(stats_now.map(Arc::new));
            if let Some(recorder) = &recorder {
                let mut news = board.take_news();
                if refreshed.elapsed() >= HOLDING_WRITTEN_EVERY {
                    news.extend(board.holding().cloned());
                    refreshed = std::time::Instant::now();
                }
                news.into_iter().for_each(|f| recorder.finding(f));
            }
            if let Some(list) = list {
                if publish.send(Arc::new(list)).is_err() {
                    return;
                }
            }
        }
    });
    (feed, stats)
}

/// The findings of earlier runs, the latest first; none if unreadable.
async fn past_findings(store: Arc<History>) -> Vec<Finding> {
    let read = tokio::task::spawn_blocking(move || {
        store.findings(board::CLEARED_KEPT)
    })
    .await;
    match read {
        Ok(Ok(past)) => past,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "past findings are unreadable");
            Vec::new()
        }
        Err(e) => {
            tracing::warn!(error = %e, "reading past findings failed");
            Vec::new()
        }
    }
}
