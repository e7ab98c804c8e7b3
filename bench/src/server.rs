//! A `nfscope serve` process watching one namespace, and what the
//! benchmarks read from it: `/api/status` and its memory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use app::wire::history::HistoryStatus;
use app::wire::Health;

use crate::proc::{die_with_parent, sibling};

/// How long nfscope may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running `nfscope serve`; killed on drop, its state folder (flow
/// keys, history) removed with it.
pub struct Server {
    child: Child,
    state_dir: PathBuf,
    agent: ureq::Agent,
    base: String,
    /// When the process was spawned: the start of every time to sync.
    pub spawned: Instant,
}

/// Resident memory of the server, bytes.
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    /// `VmRSS`: now.
    pub rss: u64,
    /// `VmHWM`: the peak so far.
    pub peak: u64,
}

impl Server {
    /// Starts `nfscope serve --netns NETNS` on a free loopback port and
    /// returns as soon as it listens; it may still be dumping.
    pub fn start(netns: &str) -> anyhow::Result<Self> {
        Self::start_bin(&sibling("nfscope")?, netns)
    }

    /// [`Server::start`] with more arguments to `nfscope serve`.
    pub fn start_with(netns: &str, args: &[&str]) -> anyhow::Result<Self> {
        Self::spawn(&sibling("nfscope")?, netns, args)
    }

    /// [`Server::start`] with another build of nfscope.
    pub fn start_bin(bin: &Path, netns: &str) -> anyhow::Result<Self> {
        Self::spawn(bin, netns, &[])
    }

    fn spawn(bin: &Path, netns: &str, args: &[&str]) -> anyhow::Result<Self> {
        static SERVERS: AtomicU32 = AtomicU32::new(0);
        let state_dir = std::env::temp_dir().join(format!(
            "nfscope-bench-{}-{}",
            std::process::id(),
            SERVERS.fetch_add(1, Ordering::Relaxed)
        ));
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--netns", netns])
            .arg("--state-dir")
            .arg(&state_dir)
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        die_with_parent(&mut cmd);
        let spawned = Instant::now();
        let mut child = cmd.spawn().context("starting nfscope")?;
        let stderr = child.stderr.take().context("nfscope's stderr")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                match line.split_once("dashboard on http://") {
                    Some((_, rest)) => {
                        let addr = rest.split(['/', ' ']).next();
                        let _ = tx.send(addr.unwrap_or_default().to_owned());
                    }
                    // Warnings (lost events, errors) are worth seeing.
                    None if !line.contains(" INFO ") => {
                        eprintln!("[nfscope] {line}")
                    }
                    None => {}
                }
            }
        });
        // Built before the wait, so that dropping it kills a child that
        // never listens.
        let mut server = Self {
            child,
            state_dir,
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(10))
                .build(),
            base: String::new(),
            spawned,
        };
        let addr = rx
            .recv_timeout(START_TIMEOUT)
            .context("nfscope did not say where it listens")?;
        server.base = format!("http://{addr}");
        Ok(server)
    }

    /// `http://ADDR`, where it listens.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn status(&self) -> anyhow::Result<Health> {
        serde_json::from_str(&self.status_text()?)
            .context("decoding /api/status")
    }

    /// `/api/status` as text, for readers of any version.
    pub fn status_text(&self) -> anyhow::Result<String> {
        let answer = self.agent.get(&format!("{}/api/status", self.base));
        Ok(answer.call().context("GET /api/status")?.into_string()?)
    }

    /// Time to answer `GET /api/flows?QUERY`, body read to the end.
    pub fn time_flows(&self, query: &str) -> anyhow::Result<Duration> {
        Ok(self.flows_timed(query)?.1)
    }

    /// `GET /api/flows?QUERY`, and the time to its body's end.
    pub fn flows_timed(
        &self,
        query: &str,
    ) -> anyhow::Result<(String, Duration)> {
        let began = Instant::now();
        let body = self
            .agent
            .get(&format!("{}/api/flows?{query}", self.base))
            .call()
            .with_context(|| format!("GET /api/flows?{query}"))?
            .into_string()?;
        Ok((body, began.elapsed()))
    }

    /// `GET /api/history`.
    pub fn history(&self) -> anyhow::Result<HistoryStatus> {
        let answer = self.agent.get(&format!("{}/api/history", self.base));
        let text = answer.call().context("GET /api/history")?.into_string()?;
        serde_json::from_str(&text).context("decoding /api/history")
    }

    /// Polls the status every `every` until `done` holds; fails after
    /// `timeout` or when the collector reports an error.
    pub fn wait_until(
        &self,
        what: &str,
        every: Duration,
        timeout: Duration,
        done: impl Fn(&Health) -> bool,
    ) -> anyhow::Result<Health> {
        let end = Instant::now() + timeout;
        loop {
            let status = self.status()?;
            if done(&status) {
                return Ok(status);
            }
            if let Some(e) =
                status.collectors.values().find_map(|c| c.error.as_ref())
            {
                bail!("nfscope reports an error while waiting for {what}: {e}");
            }
            if Instant::now() > end {
                bail!("timed out waiting for {what}; last status: {status:?}");
            }
            std::thread::sleep(every);
        }
    }

    pub fn memory(&self) -> anyhow::Result<Memory> {
        let path = format!("/proc/{}/status", self.child.id());
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {path}"))?;
        let kib = |key: &str| -> anyhow::Result<u64> {
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .with_context(|| format!("no {key} in {path}"))?;
            let number = line.trim().trim_end_matches("kB").trim();
            Ok(number.parse::<u64>()? * 1024)
        };
        Ok(Memory {
            rss: kib("VmRSS:")?,
            peak: kib("VmHWM:")?,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}
