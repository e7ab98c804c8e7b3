//! `nft-floor`: the least work any reader of the whole ruleset must do.
//! Sends the dumps of nfscope's snapshot (the generation, tables, chains,
//! sets, objects, flowtables and rules, with nfscope's socket and
//! buffers) in the namespace it enters, and only receives: it reads each
//! message's header and touches nothing else. It skips the per-set
//! element dumps, which would need the sets' names decoded: with sets in
//! the ruleset, the floor is lower than it should be.

use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use nfscope::collect::nftables::decode::Message;
use nfscope::collect::nftables::socket::NftSocket;

/// nf_tables message types (`NFT_MSG_GET*`).
const DUMPS: [u8; 6] = [1, 4, 10, 19, 23, 7];
const NFT_MSG_GETGEN: u8 = 16;

/// Read the ruleset of a namespace, doing as little as possible.
#[derive(Parser)]
struct Args {
    /// The network namespace (a name under /run/netns).
    #[arg(long)]
    netns: Option<String>,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let args = Args::parse();
    if let Some(ns) = &args.netns {
        nfscope::netns::enter(ns)?;
    }
    let mut socket = NftSocket::open()?;
    let mut messages = 0u64;
    let mut count = |_: &Message| {
        messages += 1;
        Ok(())
    };
    socket
        .request("the generation", NFT_MSG_GETGEN, 0, false, &[], &mut count)
        .context("reading the generation")?;
    for kind in DUMPS {
        socket
            .request("a dump", kind, 0, true, &[], &mut count)
            .context("dumping the ruleset")?;
    }
    socket
        .request("the generation", NFT_MSG_GETGEN, 0, false, &[], &mut count)
        .context("reading the generation")?;
    println!(
        "messages={messages} ms={:.1}",
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}
