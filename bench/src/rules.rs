//! Reading a big ruleset: nfscope's snapshot against `nft list ruleset`,
//! `nft -j list ruleset` and the floor (the same dumps, only received),
//! one counter poll against its floor (the poll's dumps, only received)
//! and its share of a core at the default rate, and the server's memory
//! per rule.
//!
//! The rules are typical of a host firewall: an address, a port, a
//! counter and a verdict each, in one chain of an `inet` table of the
//! lab's server.

use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{ensure, Context};
use nfscope::demo::Lab;

use crate::proc::{
    die_with_parent, field, in_netns, run_timed, sibling, wait_for,
};
use crate::server::Server;
use crate::stats::{median, ratio, thousands};
use crate::summary::{at_most, Summary};

const GOAL_VS_FLOOR: f64 = 1.5;
/// Of one core, polling once a second.
const GOAL_POLL_SHARE: f64 = 0.02;
/// nfscope polls once a second, or less often so that a poll takes at
/// most 1/this of the time (as `collect::nftables::supervisor` does).
const POLL_SHARE: f64 = 50.0;
/// Polls timed per round.
const POLLS: u32 = 20;
const PATIENCE: Duration = Duration::from_secs(60);
/// Memory is read this long after the collector took the ruleset in.
const SETTLE: Duration = Duration::from_millis(1500);

pub fn run(
    rules: u32,
    rounds: usize,
    lab_base: &str,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    ensure!(rounds > 0, "at least one round");
    let lab = Lab::build(lab_base)?;
    let ns = lab.server();
    let empty = memory_with_ruleset(&ns)?;
    load(&ns, rules)?;
    let loaded = memory_with_ruleset(&ns)?;
    let per_rule = (loaded as f64 - empty as f64) / f64::from(rules);

    let read = sibling("nft-read")?;
    let floor = sibling("nft-floor")?;
    let (mut ours, mut warm, mut floors, mut text, mut json) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut polls, mut poll_floors) = (vec![], vec![]);
    // The readers take turns, so that each round sees the same machine.
    for _ in 0..rounds {
        // Both tools time themselves from their start: nft-read reads
        // twice more after what it reports as `ms`.
        let (report, _) = run_timed(&mut own(&read, &ns))?;
        ensure!(
            field(&report, "rules")? >= f64::from(rules),
            "nft-read saw {report}"
        );
        ours.push(field(&report, "ms")?);
        warm.push(field(&report, "warm_ms")?);
        let (report, _) =
            run_timed(own(&read, &ns).args(["--polls", &POLLS.to_string()]))?;
        polls.push(field(&report, "poll_ms")?);
        let (report, _) =
            run_timed(own(&floor, &ns).args(["--polls", &POLLS.to_string()]))?;
        floors.push(field(&report, "ms")?);
        poll_floors.push(field(&report, "poll_ms")?);
        let mut list = in_netns(&ns, "nft", &["list", "ruleset"]);
        text.push(ms(run_timed(list.stdout(Stdio::null()))?.1));
        let mut list = in_netns(&ns, "nft", &["-j", "list", "ruleset"]);
        json.push(ms(run_timed(list.stdout(Stdio::null()))?.1));
    }
    let warm = median(&warm);
    let (ours, floor, text, json, poll, poll_floor) = (
        median(&ours),
        median(&floors),
        median(&text),
        median(&json),
        median(&polls),
        median(&poll_floors),
    );
    println!("| rules | nfscope ms | again ms | floor ms | nft ms | nft -j ms | nfscope/floor | again/floor | one poll ms | poll floor ms | share at 1 Hz | floor's at 1 Hz | polled every | share | RSS B/rule |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let every_ms = (poll * POLL_SHARE).max(1000.0);
    let share = poll / every_ms;
    let (hertz, floor_hertz) = (poll / 1000.0, poll_floor / 1000.0);
    println!(
        "| {rules} | {ours:.0} | {warm:.0} | {floor:.0} | {text:.0} | {json:.0} | {} | {} | {poll:.2} | {poll_floor:.2} | {:.1} % | {:.1} % | {:.1} s | {:.2} % | {per_rule:.0} |",
        ratio(ours, floor),
        ratio(warm, floor),
        hertz * 100.0,
        floor_hertz * 100.0,
        every_ms / 1000.0,
        share * 100.0
    );
    let n = thousands(u64::from(rules));
    let label = |what: &str| format!("ruleset of {n} rules: {what}");
    summary.row(
        &label("nfscope: snapshot, decoded, rendered as nft (`nft-read`)"),
        &format!("{ours:.0} ms"),
    )?;
    summary.row(
        &label(
            "nfscope again, in the same process (each commit after the first)",
        ),
        &format!("{warm:.0} ms"),
    )?;
    summary.row(
        &label("floor: the same dumps, only received (`nft-floor`)"),
        &format!("{floor:.0} ms"),
    )?;
    summary.row(&label("`nft list ruleset`"), &format!("{text:.0} ms"))?;
    summary.row(&label("`nft -j list ruleset`"), &format!("{json:.0} ms"))?;
    summary.goal_row(
        &label("nfscope / floor"),
        &ratio(ours, floor),
        &at_most(ours / floor, GOAL_VS_FLOOR, &format!("{GOAL_VS_FLOOR}×")),
    )?;
    summary.goal_row(
        &label("nfscope again / floor"),
        &ratio(warm, floor),
        &at_most(warm / floor, GOAL_VS_FLOOR, &format!("{GOAL_VS_FLOOR}×")),
    )?;
    summary.row(&label("nfscope / `nft list ruleset`"), &ratio(ours, text))?;
    summary.row(&label("one counter poll"), &format!("{poll:.2} ms"))?;
    summary.row(
        &label("floor: a poll's dumps, only received"),
        &format!("{poll_floor:.2} ms"),
    )?;
    summary.row(&label("one poll / its floor"), &ratio(poll, poll_floor))?;
    summary.goal_row(
        &label("counter polls at 1 Hz, share of a core"),
        &format!("{:.1} %", hertz * 100.0),
        &at_most(hertz, GOAL_POLL_SHARE, "2 %"),
    )?;
    summary.row(
        &label("the floor's polls at 1 Hz, share of a core"),
        &format!("{:.1} %", floor_hertz * 100.0),
    )?;
    summary.row(
        &label("counters polled every (1 s, or 50 × a poll)"),
        &format!("{:.1} s", every_ms / 1000.0),
    )?;
    summary.goal_row(
        &label("counter polls so spaced, share of a core"),
        &format!("{:.2} %", share * 100.0),
        &at_most(share, GOAL_POLL_SHARE, "2 %"),
    )?;
    summary.row(
        &label("server memory per rule"),
        &format!("{per_rule:.0} B"),
    )
}

/// A tool of this build that enters the namespace itself.
fn own(bin: &std::path::Path, ns: &str) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(["--netns", ns]);
    die_with_parent(&mut cmd);
    cmd
}

/// `rules` rules in one chain, loaded in one transaction.
fn load(ns: &str, rules: u32) -> anyhow::Result<()> {
    let mut text = String::from(
        "table inet bench {\n  chain input {\n    type filter hook input priority filter; policy accept;\n",
    );
    for i in 0..rules {
        let (a, b) = (i / 250 % 250, i % 250 + 1);
        let port = 1024 + i % 60_000;
        text.push_str(&format!(
            "    ip saddr 10.{a}.{b}.1 tcp dport {port} counter accept\n"
        ));
    }
    text.push_str("  }\n}\n");
    let file = std::env::temp_dir().join(format!("{ns}-rules.nft"));
    std::fs::write(&file, text).context("writing the ruleset")?;
    let path = file.to_str().context("path of the ruleset")?;
    let loaded = run_timed(&mut in_netns(ns, "nft", &["-f", path]));
    let _ = std::fs::remove_file(&file);
    loaded.map(drop)
}

/// The server's resident memory once it has read the namespace's
/// ruleset.
fn memory_with_ruleset(ns: &str) -> anyhow::Result<u64> {
    let server = Server::start(ns)?;
    wait_for("the ruleset", Duration::from_millis(20), PATIENCE, || {
        Ok(server.status()?.collectors.contains_key("nftables"))
    })?;
    std::thread::sleep(SETTLE);
    Ok(server.memory()?.rss)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
