//! The `nfscope` command.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use nfscope::http::{AllowedHost, DEFAULT_MAX_WEBSOCKETS};
use nfscope::serve::{serve, ServeConfig};
use nfscope::{demo, netns};

/// Live view of Linux connection tracking in the browser.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Watch the network namespace nfscope runs in (or --netns) and serve
    /// the dashboard.
    Serve(ServeArgs),
    /// Build a small lab of network namespaces (client, NAT router,
    /// server) with background traffic, and serve the dashboard watching
    /// the router. Removes the lab on exit.
    Demo(DemoArgs),
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Lab namespaces are named NAME-<random>-{cli,rtr,srv}.
    #[arg(long, default_value = "nfs-demo", value_name = "NAME")]
    lab_name: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Address for the dashboard.
    #[arg(long, default_value = "127.0.0.1:8080", env = "NFSCOPE_LISTEN")]
    listen: SocketAddr,
    /// Watch this named network namespace (as in `ip netns`) while the
    /// dashboard listens in the current one.
    #[arg(long, value_name = "NAME")]
    netns: Option<String>,
    /// Receive buffer for conntrack events (SO_RCVBUFFORCE), in bytes or
    /// with a K or M suffix.
    #[arg(long, default_value = "64M", value_parser = parse_size)]
    rcvbuf: usize,
    /// Conntrack events carry no counters: a dump refreshes them at most
    /// this often, in seconds (less often on a big table, so that dumps
    /// take at most 5 % of the time).
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    ct_refresh: u64,
    /// How often the ruleset's counters are read, in seconds.
    #[arg(long, default_value_t = 1.0, value_name = "SECS", value_parser = parse_secs)]
    rules_poll: f64,
    /// Folder with the built site (`pkg/`); defaults to `site/` beside the
    /// executable's `release/` or `debug/` folder, as the build leaves it.
    #[arg(long, env = "NFSCOPE_SITE_ROOT")]
    site_root: Option<PathBuf>,
    /// Folder for what must outlive a restart (the flow keys of live
    /// flows). The default is on the /run tmpfs: none of it is of use
    /// after a reboot.
    #[arg(
        long,
        default_value = "/run/nfscope",
        env = "NFSCOPE_STATE_DIR",
        value_name = "DIR"
    )]
    state_dir: PathBuf,
    /// Also answer to this host name or address: `NAME` on any port,
    /// `NAME:PORT` on that one. Requests (and pages opening the live
    /// stream) that name any other host are refused, so that web pages
    /// cannot read the dashboard; loopback names and the listen address
    /// are always allowed. Repeat for more (a comma list in the variable).
    #[arg(
        long = "allow-host",
        value_name = "NAME[:PORT]",
        env = "NFSCOPE_ALLOW_HOST",
        value_delimiter = ','
    )]
    allow_hosts: Vec<AllowedHost>,
    /// Open HTTP connections at most, WebSockets included; by default as
    /// many as the file descriptor limit allows (up to 1024), keeping some
    /// for the collector.
    #[arg(long, value_name = "N", env = "NFSCOPE_MAX_CONNECTIONS",
          value_parser = positive)]
    max_connections: Option<usize>,
    /// Live streams (WebSockets) open at once at most.
    #[arg(long, value_name = "N", env = "NFSCOPE_MAX_WEBSOCKETS",
          default_value_t = DEFAULT_MAX_WEBSOCKETS, value_parser = positive)]
    max_websockets: usize,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("nfscope: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let listener = bind(&args)?;
            if let Some(name) = &args.netns {
                netns::enter(name)?;
            }
            run_server(args, listener, true)
        }
        Command::Demo(DemoArgs {
            serve: args,
            lab_name,
        }) => {
            let listener = bind(&args)?;
            let lab = demo::Lab::build(&lab_name)?;
            lab.start_servers()?;
            lab.start_client()?;
            eprintln!(
                "nfscope demo: lab {} is up; open http://{}/ (Ctrl-C stops \
                 and removes it)",
                lab.prefix(),
                listener.local_addr()?
            );
            netns::enter(&lab.router())?;
            // The lab is removed when it drops, after the server stops:
            // its flows and their keys end with it.
            run_server(args, listener, false)
        }
    }
}

/// Binds before any namespace switch, so the dashboard stays reachable
/// from where nfscope was started.
fn bind(args: &ServeArgs) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))
}

/// `keep_keys`: save flow keys in the state folder for a restart.
fn run_server(
    args: ServeArgs,
    listener: std::net::TcpListener,
    keep_keys: bool,
) -> anyhow::Result<()> {
    let config = ServeConfig {
        rcvbuf: args.rcvbuf,
        ct_refresh: std::time::Duration::from_secs(args.ct_refresh),
        rules_poll: std::time::Duration::from_secs_f64(args.rules_poll),
        site_root: args.site_root.unwrap_or_else(default_site_root),
        state_dir: keep_keys.then_some(args.state_dir),
        allow_hosts: args.allow_hosts,
        max_connections: args.max_connections,
        max_websockets: args.max_websockets,
    };
    // Built after the namespace switch: every thread the runtime starts
    // belongs to the watched namespace.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(serve(config, listener, shutdown_signal()))
}

/// `4096`, `256K`, `64M`.
fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, shift) = match text.as_bytes().last() {
        Some(b'k' | b'K') => (&text[..text.len() - 1], 10),
        Some(b'm' | b'M') => (&text[..text.len() - 1], 20),
        _ => (text, 0),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("{text:?} is not a size like 4096, 256K or 64M"))
}

fn positive(text: &str) -> Result<usize, String> {
    match text.parse() {
        Ok(0) | Err(_) => Err(format!("{text:?} is not a positive number")),
        Ok(n) => Ok(n),
    }
}

/// Seconds between 0.1 and a day: a counter poll needs a pause between.
fn parse_secs(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.1..=86_400.0).contains(&s) => Ok(s),
        _ => Err(format!(
            "{text:?} is not a number of seconds from 0.1 to 86400"
        )),
    }
}

fn default_site_root() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("site")))
        .unwrap_or_else(|| PathBuf::from("target/site"))
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down");
}
