//! `nfscope-bench`: the measurements of `scripts/bench.sh` that need the
//! lab. Each prints its own table on stdout and appends its numbers to
//! the summary file.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use bench::summary::Summary;

/// Benchmark nfscope against the floor and conntrack-tools.
#[derive(Parser)]
struct Cli {
    /// Lab namespaces are named NAME-<random>-{cli,rtr,srv}.
    #[arg(long, default_value = "nfs-t")]
    lab_name: String,
    /// Markdown rows of every number are appended here.
    #[arg(long)]
    summary: PathBuf,
    /// Rounds of each measurement; the median is reported.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Time to load big tables, against conntrack -L and the floor, and
    /// memory per entry.
    Table {
        /// Table sizes, growing.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "10000,100000,250000"
        )]
        sizes: Vec<u64>,
    },
    /// Events lost by nfscope and conntrack -E during a flood of new
    /// flows.
    Events {
        /// Flows per flood.
        #[arg(long, default_value_t = 200_000)]
        flows: u32,
    },
    /// Time to read a big ruleset against nft and the floor, a counter
    /// poll, and memory per rule.
    Rules {
        /// Rules in the ruleset.
        #[arg(long, default_value_t = 10_000)]
        rules: u32,
    },
    /// The history: what its writer takes, bytes per stored flow, and
    /// searches over a million stored flows.
    Store {
        /// Conntrack events per second to cause (ct-churn).
        #[arg(long, default_value_t = bench::store::GOAL_PER_SEC)]
        events_per_sec: u32,
        /// The churn goes on until the history holds this many flows.
        #[arg(long, default_value_t = 1_000_000)]
        stored: u64,
    },
    /// Events lost, and a new flow's way to a page, while eight page
    /// windows watch a big table through a flood.
    Watchers {
        /// Entries in the table before the flood. With the flood it must
        /// stay below nf_conntrack_max (262144 here), or the kernel drops
        /// new flows.
        #[arg(long, default_value_t = 150_000)]
        preload: u64,
        /// Flows in the flood.
        #[arg(long, default_value_t = 100_000)]
        flows: u32,
        /// Which build this is, for the tables.
        #[arg(long, default_value = "this build")]
        design: String,
        /// Another build of nfscope to measure (default: the sibling).
        #[arg(long)]
        nfscope: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut summary = Summary::append_to(&cli.summary)?;
    match cli.command {
        Command::Table { sizes } => {
            bench::table::run(&sizes, cli.rounds, &cli.lab_name, &mut summary)
        }
        Command::Rules { rules } => {
            bench::rules::run(rules, cli.rounds, &cli.lab_name, &mut summary)
        }
        Command::Events { flows } => {
            bench::events::run(flows, cli.rounds, &cli.lab_name, &mut summary)
        }
        Command::Store {
            events_per_sec,
            stored,
        } => bench::store::run(
            events_per_sec,
            stored,
            cli.rounds,
            &cli.lab_name,
            &mut summary,
        ),
        Command::Watchers {
            preload,
            flows,
            design,
            nfscope,
        } => bench::watchers::run(
            preload,
            flows,
            &design,
            nfscope.as_deref(),
            &cli.lab_name,
            &mut summary,
        ),
    }
}
