//! `udp-flood`: one-datagram UDP flows sent from inside a network
//! namespace, each to another destination port, so that each is a new
//! conntrack entry on the way.
//!
//! Without `--rate` it sends as fast as one thread can: the data plane's
//! full rate on one core. With `--rate` it paces the flows and prints each
//! one's ports and send time, for latency measurements.

use std::io::Write;
use std::net::{Ipv4Addr, UdpSocket};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Context};
use clap::Parser;

/// Send one-datagram UDP flows from inside a network namespace.
#[derive(Parser)]
struct Args {
    /// Network namespace to send from (as in `ip netns`).
    #[arg(long)]
    netns: String,
    /// Destination address.
    #[arg(long)]
    dst: Ipv4Addr,
    /// Flows to send.
    #[arg(long)]
    flows: u32,
    /// Destination port of the first flow; each next flow takes the next
    /// port. Past 65535 a new socket (a new source port) starts over here.
    #[arg(long, default_value_t = 1024)]
    first_port: u16,
    /// Flows per second. With it, prints `SPORT DPORT MS` per flow: its
    /// ports and send time in ms since the Unix epoch.
    #[arg(long)]
    rate: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.first_port > 0, "--first-port must be above 0");
    nfscope::netns::enter(&args.netns)?;
    match args.rate {
        Some(rate) => paced(&args, rate),
        None => full_rate(&args),
    }
}

fn full_rate(args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut socket = bind()?;
    let mut port = args.first_port;
    let mut failed = 0u32;
    for _ in 0..args.flows {
        if socket.send_to(b"x", (args.dst, port)).is_err() {
            failed += 1;
        }
        port = match port.checked_add(1) {
            Some(p) => p,
            None => {
                socket = bind()?;
                args.first_port
            }
        };
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "sent={} failed={failed} ms={:.0} per_sec={:.0}",
        args.flows,
        secs * 1000.0,
        f64::from(args.flows) / secs
    );
    Ok(())
}

fn paced(args: &Args, rate: f64) -> anyhow::Result<()> {
    ensure!(rate > 0.0, "--rate must be above 0");
    let last = u32::from(args.first_port) + args.flows;
    ensure!(last <= 65_536, "paced flows must fit in the port range");
    // Sleeps of a fraction of a millisecond need a small timer slack.
    // SAFETY: prctl with integer arguments only.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1_u64) };
    let socket = bind()?;
    let sport = socket.local_addr()?.port();
    let mut sent = Vec::with_capacity(args.flows as usize);
    let started = Instant::now();
    for (i, port) in (u32::from(args.first_port)..last).enumerate() {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        if let Some(ahead) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(ahead);
        }
        let port = u16::try_from(port)?;
        socket
            .send_to(b"x", (args.dst, port))
            .with_context(|| format!("sending to port {port}"))?;
        sent.push((port, epoch_ms()));
    }
    // Printed after the sending, so that writing never delays it.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (port, ms) in sent {
        writeln!(out, "{sport} {port} {ms:.3}")?;
    }
    out.flush()?;
    Ok(())
}

fn bind() -> anyhow::Result<UdpSocket> {
    UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).context("binding a socket")
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}
