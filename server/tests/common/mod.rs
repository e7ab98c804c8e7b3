//! Test harness: a lab of network namespaces named `nfs-t-*`, the real
//! `nfscope serve` watching its router, and the reference tool
//! `conntrack` run in the same namespace.

#![allow(dead_code, unused_imports)] // each test binary uses a different part

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use app::wire::{Flow, FlowPage, Health};
pub use nfscope::demo::{Lab, ADDRS};
use nfscope::http::MAX_PAGE_LIMIT;

pub mod access;
pub mod ebtables;

/// Upper bound for any wait in these tests.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub fn lab() -> Lab {
    Lab::build("nfs-t").expect("building the test lab (needs root)")
}

/// `nfscope serve` on a free loopback port, watching `netns`. Killed on
/// drop.
pub struct Server {
    child: Child,
    pub base: String,
    /// The state folder the harness made, removed with the server.
    scratch: Option<Scratch>,
}

impl Server {
    /// Keeps no flow keys for a restart, unless `extra` names a
    /// `--state-dir`. Unless `extra` names a `--ct-refresh`, refreshes
    /// counters only once an hour: within a test only live events change
    /// the table, so a test of them fails when they stop.
    pub fn start(netns: &str, extra: &[&str]) -> Self {
        Self::start_with(netns, extra, |_| {})
    }

    /// [`Server::start`], with the command adjusted first (limits, say).
    pub fn start_with(
        netns: &str,
        extra: &[&str],
        adjust: impl FnOnce(&mut Command),
    ) -> Self {
        let server = Self::spawn(netns, extra, adjust);
        server.wait_for("the first dump", |s| s.status().synced);
        server
    }

    /// [`Server::start_with`] without waiting for the first dump: for a
    /// server that asks for a password before it answers.
    pub fn spawn(
        netns: &str,
        extra: &[&str],
        adjust: impl FnOnce(&mut Command),
    ) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_nfscope"));
        command.args(["serve", "--listen", "127.0.0.1:0", "--netns", netns]);
        if !extra.contains(&"--ct-refresh") {
            command.args(["--ct-refresh", "3600"]);
        }
        let scratch = (!extra.contains(&"--state-dir")).then(|| {
            let dir = Scratch::new("state");
            command.args(["--state-dir", dir.path()]);
            dir
        });
        command
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        adjust(&mut command);
        let mut child = command.spawn().expect("starting nfscope");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[nfscope] {line}");
                if let Some(at) = line.find("http://") {
                    let url = line[at..].split_whitespace().next().unwrap();
                    let _ = tx.send(url.trim_end_matches('/').to_owned());
                }
            }
        });
        let base = rx.recv_timeout(PATIENCE).expect("nfscope did not start");
        Self {
            child,
            base,
            scratch,
        }
    }

    pub fn get(&self, path: &str) -> Result<String, (u16, String)> {
        let request = ureq::get(&format!("{}{path}", self.base));
        match request.timeout(PATIENCE).call() {
            Ok(r) => {
                // into_string() caps bodies at 10 MB; a big table is more.
                let mut body = String::new();
                r.into_reader().read_to_string(&mut body).unwrap();
                Ok(body)
            }
            Err(ureq::Error::Status(code, r)) => {
                Err((code, r.into_string().unwrap_or_default()))
            }
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    pub fn status(&self) -> Health {
        serde_json::from_str(&self.get("/api/status").unwrap()).unwrap()
    }

    /// Every matching flow, read page by page: pages of a table that
    /// changes meanwhile may overlap or miss flows, so callers poll.
    pub fn flows(&self, query: &str) -> FlowPage {
        let mut all = FlowPage::default();
        loop {
            let path = format!(
                "/api/flows?offset={}&limit={MAX_PAGE_LIMIT}&{query}",
                all.flows.len()
            );
            let page: FlowPage =
                serde_json::from_str(&self.get(&path).unwrap()).unwrap();
            let last = page.flows.len() < MAX_PAGE_LIMIT;
            all.total = page.total;
            all.flows.extend(page.flows);
            if last || all.flows.len() >= all.total {
                return all;
            }
        }
    }

    /// Polls until `done` holds, at most [`PATIENCE`].
    pub fn wait_for(&self, what: &str, done: impl Fn(&Self) -> bool) {
        let end = Instant::now() + PATIENCE;
        while !done(self) {
            assert!(Instant::now() < end, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Server {
    /// Kills the server with SIGKILL, as a crash or the OOM killer would.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server as a service manager would (SIGTERM), and waits.
    pub fn stop(mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: signalling our own child, which has not been reaped.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let end = Instant::now() + PATIENCE;
        while self.child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < end, "nfscope ignored SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A fresh folder under the system's temporary one, named like the test
/// namespaces, for a server's files; removed on drop, also when a test
/// fails.
pub struct Scratch(String);

impl Scratch {
    pub fn new(what: &str) -> Self {
        use std::hash::{BuildHasher, RandomState};
        let random = RandomState::new().hash_one(0u8);
        let dir = std::env::temp_dir()
            .join(format!("nfs-t-{what}-{}-{random:016x}", std::process::id()));
        Self(dir.to_string_lossy().into_owned())
    }

    pub fn path(&self) -> &str {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One line of `conntrack -L -o extended,id`, reduced to what the API
/// must agree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtLine {
    pub proto: String,
    /// Key/value pairs of the original tuple, then of the reply tuple.
    pub orig: BTreeMap<String, String>,
    pub reply: BTreeMap<String, String>,
}

/// Entries by id, as the reference tool sees them.
pub fn conntrack_list(netns: &str) -> BTreeMap<u32, CtLine> {
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            netns,
            "conntrack",
            "-L",
            "-o",
            "extended,id",
        ])
        .stderr(Stdio::null())
        .output()
        .expect("running conntrack -L");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> Option<(u32, CtLine)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let proto = words.get(2)?.to_string();
    let mut orig = BTreeMap::new();
    let mut reply = BTreeMap::new();
    let mut id = None;
    for w in &words {
        let Some((k, v)) = w.split_once('=') else {
            continue;
        };
        match k {
            "id" => id = v.parse().ok(),
            "src" | "dst" | "sport" | "dport" | "type" | "code" => {
                let side = if orig.contains_key(k) {
                    &mut reply
                } else {
                    &mut orig
                };
                side.insert(k.to_owned(), v.to_owned());
            }
            _ => {}
        }
    }
    Some((id?, CtLine { proto, orig, reply }))
}

/// The same fields read from the API's flow.
pub fn api_line(f: &Flow) -> CtLine {
    let side = |t: &app::wire::Tuple| {
        let mut m = BTreeMap::new();
        m.insert("src".to_owned(), t.src.to_string());
        m.insert("dst".to_owned(), t.dst.to_string());
        if let Some(p) = t.sport {
            m.insert("sport".to_owned(), p.to_string());
        }
        if let Some(p) = t.dport {
            m.insert("dport".to_owned(), p.to_string());
        }
        if let Some(v) = t.icmp_type {
            m.insert("type".to_owned(), v.to_string());
        }
        if let Some(v) = t.icmp_code {
            m.insert("code".to_owned(), v.to_string());
        }
        m
    };
    let proto = match f.proto.name() {
        Some(name) => name.to_owned(),
        None => "unknown".to_owned(),
    };
    CtLine {
        proto,
        orig: side(&f.orig),
        reply: side(&f.reply),
    }
}

/// Runs `work` on a thread inside namespace `ns` and returns its result.
pub fn in_netns<T: Send + 'static>(
    ns: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let ns = ns.to_owned();
    std::thread::spawn(move || {
        nfscope::netns::enter(&ns).expect("entering the namespace");
        work()
    })
    .join()
    .expect("namespace thread panicked")
}

/// Runs a command inside `ns`, failing the test if it fails.
pub fn sh(ns: &str, args: &[&str]) {
    let status = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("running ip netns exec");
    assert!(status.success(), "{args:?} failed in {ns}");
}

/// Makes the UDP entry `10.9.0.1:SPORT → 10.9.0.2:53` in `ns` with
/// `conntrack -I`, for ten minutes; `extra` adds options (zones, say).
pub fn insert_udp(ns: &str, sport: u16, extra: &[&str]) {
    let sport = sport.to_string();
    let mut args = vec![
        "conntrack",
        "-I",
        "-p",
        "udp",
        "-s",
        "10.9.0.1",
        "-d",
        "10.9.0.2",
        "--sport",
        &sport,
        "--dport",
        "53",
        "-t",
        "600",
    ];
    args.extend_from_slice(extra);
    sh(ns, &args);
}

/// `count` connections from the lab's client to the router's published
/// port, each given up after 200 ms: unanswered SYNs where the server
/// drops them.
pub fn syns_to_the_published_port(lab: &Lab, count: usize) {
    let published = (ADDRS.router_in, ADDRS.published_port).into();
    in_netns(&lab.client(), move || {
        for _ in 0..count {
            let _ = std::net::TcpStream::connect_timeout(
                &published,
                Duration::from_millis(200),
            );
        }
    });
}
