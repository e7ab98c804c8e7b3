//! `nft-read`: what nfscope does to read a ruleset, timed on its own
//! (process start included): the consistent snapshot, decoded, and
//! rendered as `nft list ruleset` prints it (to nowhere). Then the same
//! again in the same process, as the collector reads the ruleset after
//! each commit (`warm_ms`). With `--polls N`, then N counter polls as
//! the collector makes them, and their mean time.

use std::time::Instant;

use clap::Parser;
use nfscope::collect::nftables::socket::NftSocket;
use nfscope::collect::nftables::{counters, render, snapshot};

/// Read the ruleset of a namespace as nfscope does.
#[derive(Parser)]
struct Args {
    /// The network namespace (a name under /run/netns).
    #[arg(long)]
    netns: Option<String>,
    /// Counter polls to time after the snapshot.
    #[arg(long, default_value_t = 0)]
    polls: u32,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let args = Args::parse();
    if let Some(ns) = &args.netns {
        nfscope::netns::enter(ns)?;
    }
    let mut socket = NftSocket::open()?;
    let ruleset = snapshot::read(&mut socket)?;
    let rules: usize = ruleset
        .tables
        .iter()
        .flat_map(|t| &t.chains)
        .map(|c| c.rules.len())
        .sum();
    let text = render::ruleset(&ruleset, false);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    // The collector keeps the last ruleset while it reads the next, and
    // drops the one before: from the third read on, memory comes back.
    let mut last = ruleset;
    let mut warm_ms = 0.0;
    for _ in 0..2 {
        let again = Instant::now();
        let next = snapshot::read(&mut socket)?;
        let text = render::ruleset(&next, false);
        warm_ms = again.elapsed().as_secs_f64() * 1000.0;
        drop(text);
        last = next;
    }
    let ruleset = last;
    let chains = counters::counted_chains(&ruleset);
    let polling = Instant::now();
    let mut counted = 0;
    for _ in 0..args.polls {
        counted = counters::poll(&mut socket, &chains)?.rules.len();
    }
    let poll_ms =
        polling.elapsed().as_secs_f64() * 1000.0 / f64::from(args.polls.max(1));
    println!(
        "rules={rules} bytes={} ms={ms:.1} warm_ms={warm_ms:.1} counted={counted} poll_ms={poll_ms:.2}",
        text.len()
    );
    Ok(())
}
