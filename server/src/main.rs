//! The `nfscope` command.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use app::query::Cidr;
use nfscope::access::{AccessOptions, Plan, Role};
use nfscope::collect::conntrack::Sysctl;
use nfscope::http::{AllowedHost, DEFAULT_MAX_WEBSOCKETS};
use nfscope::serve::{serve, ServeConfig};
use nfscope::store::StoreConfig;
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
    /// Set a user's password (and role) in the access file, making the
    /// file (0600) if needed. The password is read from the terminal
    /// without echo, or from the first line of stdin when it is not a
    /// terminal. `nfscope serve` reads the file when it starts.
    Passwd(PasswdArgs),
}

#[derive(Args)]
struct PasswdArgs {
    /// The access file; by default `access.toml` in the state folder.
    #[arg(long, env = "NFSCOPE_ACCESS_FILE", value_name = "PATH")]
    file: Option<PathBuf>,
    #[arg(
        long,
        default_value = "/var/lib/nfscope",
        env = "NFSCOPE_STATE_DIR",
        value_name = "DIR"
    )]
    state_dir: PathBuf,
    #[arg(long, default_value = "admin", value_name = "NAME")]
    user: String,
    /// admin (may delete flows, turn counters on, share flows) or viewer.
    #[arg(long, default_value = "admin", value_name = "ROLE")]
    role: Role,
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    serve: ServeArgs,
    /// Lab namespaces are named NAME-<random>-{host}.
    #[arg(long, default_value = "nfs-demo", value_name = "NAME")]
    lab_name: String,
    /// Which lab: a healthy NAT router, or a broken setup to diagnose
    /// and repair from the page.
    #[arg(long, value_enum, default_value_t)]
    scenario: demo::Scenario,
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
    /// Folder for what must outlive a restart: the flow keys of live
    /// flows (those of another boot are ignored) and the history.
    #[arg(
        long,
        default_value = "/var/lib/nfscope",
        env = "NFSCOPE_STATE_DIR",
        value_name = "DIR"
    )]
    state_dir: PathBuf,
    /// The history database (SQLite); by default `history.db` in the
    /// state folder (for `demo`, a file removed with the lab).
    #[arg(long, env = "NFSCOPE_DB", value_name = "PATH")]
    db: Option<PathBuf>,
    /// Keep no history: a flow's page is gone with the flow.
    #[arg(long, conflicts_with = "db")]
    no_history: bool,
    /// The history's database and log stay within this size (K, M, G).
    #[arg(long, default_value = "256M", value_name = "SIZE",
          value_parser = parse_size)]
    history_max_size: usize,
    /// Ended flows older than this are forgotten: `90s`, `30m`, `12h`,
    /// `7d`.
    #[arg(long, default_value = "7d", value_name = "AGE",
          value_parser = nfscope::units::parse_age)]
    history_max_age: std::time::Duration,
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
    /// Open the kiosk (`/kiosk`, a wall-screen view) at `/`, and refuse
    /// every change as --read-only does.
    #[arg(long)]
    kiosk: bool,
    /// Users, roles and password hashes (`nfscope passwd` writes it); by
    /// default `access.toml` in the state folder. With users in it, every
    /// page needs a login, also on loopback.
    #[arg(long, env = "NFSCOPE_ACCESS_FILE", value_name = "PATH")]
    access_file: Option<PathBuf>,
    /// Ask for no password, even with an access file. Any listen address
    /// but loopback needs --read-only with it.
    #[arg(long)]
    no_auth: bool,
    /// Refuse every change (deleting flows, turning counters on, share
    /// links), whoever asks.
    #[arg(long)]
    read_only: bool,
    /// A proxy (address or CIDR) whose `Forwarded` or `X-Forwarded-For`
    /// header names the client, for the logs and the login limits.
    /// Repeat for more (a comma list in the variable).
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "NFSCOPE_TRUSTED_PROXY",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<Cidr>,
    /// Turn on conntrack's packet and byte counters
    /// (net.netfilter.nf_conntrack_acct) in the watched namespace.
    #[arg(long)]
    enable_accounting: bool,
    /// Turn on conntrack's start and stop times
    /// (net.netfilter.nf_conntrack_timestamp) in the watched namespace.
    #[arg(long)]
    enable_timestamps: bool,
    /// Log packets conntrack finds INVALID, through a table of nfscope's
    /// own (removed when nfscope stops), so that they show on their
    /// flows and in the diagnosis. Admins can also turn it on from the
    /// findings page.
    #[arg(long)]
    capture_invalid: bool,
}

impl ServeArgs {
    fn access(&self) -> AccessOptions {
        AccessOptions {
            file: self
                .access_file
                .clone()
                .unwrap_or_else(|| self.state_dir.join("access.toml")),
            no_auth: self.no_auth,
            // A wall screen changes nothing.
            read_only: self.read_only || self.kiosk,
        }
    }
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
            let access = Plan::decide(args.listen, &args.access())?;
            let listener = bind(&args)?;
            if let Some(name) = &args.netns {
                netns::enter(name)?;
            }
            run_server(args, access, listener, None, None)
        }
        Command::Demo(DemoArgs {
            serve: args,
            lab_name,
            scenario,
        }) => {
            let access = Plan::decide(args.listen, &args.access())?;
            let listener = bind(&args)?;
            let lab = demo::Demo::start(scenario, &lab_name)?;
            eprintln!(
                "nfscope demo: lab {} is up; open http://{}/ (Ctrl-C stops \
                 and removes it)",
                lab.prefix(),
                listener.local_addr()?
            );
            netns::enter(&lab.watched())?;
            // The lab is removed when it drops, after the server stops:
            // its flows, their keys and their history end with it.
            let scratch = args.db.is_none().then(|| {
                std::env::temp_dir()
                    .join(format!("{}-history.db", lab.prefix()))
            });
            let remedy = lab.remedy();
            let run =
                run_server(args, access, listener, scratch.clone(), remedy);
            if let Some(db) = scratch {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = db.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            run
        }
        Command::Passwd(args) => passwd(args),
    }
}

fn passwd(args: PasswdArgs) -> anyhow::Result<()> {
    use nfscope::access::{check_name, hash_password, AccessFile, User};
    use std::io::IsTerminal;

    check_name(&args.user).map_err(anyhow::Error::msg)?;
    let path = args
        .file
        .unwrap_or_else(|| args.state_dir.join("access.toml"));
    let mut file = AccessFile::load(&path)?.unwrap_or_default();
    let password = if std::io::stdin().is_terminal() {
        let prompt = format!("Password for {}: ", args.user);
        let first = rpassword::prompt_password(prompt)?;
        let again = rpassword::prompt_password("Again: ")?;
        anyhow::ensure!(first == again, "the passwords differ");
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    let user = User {
        role: args.role,
        hash: hash_password(&password)?,
    };
    file.users.insert(args.user.clone(), user);
    file.save(&path)?;
    eprintln!(
        "nfscope: {} ({}) set in {}; restart nfscope serve to apply",
        args.user,
        args.role,
        path.display()
    );
    Ok(())
}

/// Binds before any namespace switch, so the dashboard stays reachable
/// from where nfscope was started.
fn bind(args: &ServeArgs) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(args.listen)
        .with_context(|| format!("cannot listen on {}", args.listen))
}

/// `scratch`: a throwaway history database, for a demo; then no flow
/// keys are saved either.
fn run_server(
    args: ServeArgs,
    access: Plan,
    listener: std::net::TcpListener,
    scratch: Option<PathBuf>,
    remedy: Option<demo::Remedy>,
) -> anyhow::Result<()> {
    let keep_keys = scratch.is_none();
    let history = (!args.no_history).then(|| StoreConfig {
        path: scratch
            .or(args.db)
            .unwrap_or_else(|| args.state_dir.join("history.db")),
        max_bytes: args.history_max_size as u64,
        max_age: args.history_max_age,
    });
    let config = ServeConfig {
        rcvbuf: args.rcvbuf,
        ct_refresh: std::time::Duration::from_secs(args.ct_refresh),
        rules_poll: std::time::Duration::from_secs_f64(args.rules_poll),
        site_root: args.site_root.unwrap_or_else(default_site_root),
        state_dir: keep_keys.then_some(args.state_dir),
        history,
        allow_hosts: args.allow_hosts,
        max_connections: args.max_connections,
        max_websockets: args.max_websockets,
        kiosk: args.kiosk,
        access,
        trusted_proxies: args.trusted_proxies,
        enable: [
            (args.enable_accounting, Sysctl::Accounting),
            (args.enable_timestamps, Sysctl::Timestamps),
        ]
        .into_iter()
        .filter_map(|(on, sysctl)| on.then_some(sysctl))
        .collect(),
        remedy,
        capture_invalid: args.capture_invalid,
    };
    // Built after the namespace switch: every thread the runtime starts
    // belongs to the watched namespace.
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?
        .block_on(serve(config, listener, shutdown_signal()))
}

/// `4096`, `256K`, `64M`, `2G`.
fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, shift) = match text.as_bytes().last() {
        Some(b'k' | b'K') => (&text[..text.len() - 1], 10),
        Some(b'm' | b'M') => (&text[..text.len() - 1], 20),
        Some(b'g' | b'G') => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| {
            format!("{text:?} is not a size like 4096, 256K, 64M or 2G")
        })
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
