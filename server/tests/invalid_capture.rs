//! INVALID packets against the real kernel. Namespace B tracks strictly
//! (`nf_conntrack_tcp_loose=0`): data on a connection whose entry was
//! flushed is INVALID there. The capture logs it with its tuple, flags,
//! hook and interface; its table prints in `nft list ruleset` while it
//! runs and is gone once the capture drops or its process dies; a
//! second capture gets a clear error; conntrack's counters read over
//! netlink agree with `/proc/net/stat/nf_conntrack` and `conntrack -S`.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use app::wire::conntrack_stats::CtStats;
use app::wire::invalid::{Hook, InvalidPacket, TcpFlags};
use app::wire::Proto;
use nfscope::collect::conntrack::stats;
use nfscope::collect::invalid::{CaptureConfig, CaptureError, InvalidCapture};

use common::{in_netns, sh, PATIENCE};

const A_ADDR: Ipv4Addr = Ipv4Addr::new(10, 79, 0, 1);
const B_ADDR: Ipv4Addr = Ipv4Addr::new(10, 79, 0, 2);

/// B's ruleset: a `ct state` rule, so that conntrack tracks there.
const B_RULESET: &str = "
table inet lab {
    chain input {
        type filter hook input priority filter; policy accept;
        ct state established accept
    }
}
";

/// The table as `nft list ruleset` prints it with the default
/// configuration; nft adds the owner's process name to the first line
/// (see [`our_table`]).
const TABLE: &str = r#"table inet nfscope_invalid {
	flags owner

	chain prerouting {
		type filter hook prerouting priority -199; policy accept;
		ct state invalid limit rate 50/second burst 20 packets log prefix "nfscope-invalid" group 4207 snaplen 128 queue-threshold 1
	}

	chain input {
		type filter hook input priority filter; policy accept;
		ct state invalid limit rate 50/second burst 20 packets log prefix "nfscope-invalid" group 4207 snaplen 128 queue-threshold 1
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state invalid limit rate 50/second burst 20 packets log prefix "nfscope-invalid" group 4207 snaplen 128 queue-threshold 1
	}

	chain output {
		type filter hook output priority -199; policy accept;
		ct state invalid limit rate 50/second burst 20 packets log prefix "nfscope-invalid" group 4207 snaplen 128 queue-threshold 1
	}
}
"#;

/// Two namespaces, `nfs-t-<random>-a` and `-b`, joined by a veth (a0,
/// b0); deleted on drop, also when a test fails halfway.
struct Pair {
    a: String,
    b: String,
}

impl Pair {
    fn build() -> Self {
        use std::hash::{BuildHasher, RandomState};
        let id = RandomState::new().hash_one(std::process::id()) as u32;
        let pair = Self {
            a: format!("nfs-t-{id:08x}-a"),
            b: format!("nfs-t-{id:08x}-b"),
        };
        for ns in [&pair.a, &pair.b] {
            run("ip", &["netns", "add", ns]);
            sh(ns, &["ip", "link", "set", "lo", "up"]);
            // No IPv6 chatter (DAD, router solicitations) in the counters.
            sh(ns, &["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"]);
        }
        run(
            "ip",
            &[
                "link", "add", "a0", "netns", &pair.a, "type", "veth", "peer",
                "name", "b0", "netns", &pair.b,
            ],
        );
        for (ns, dev, addr) in
            [(&pair.a, "a0", A_ADDR), (&pair.b, "b0", B_ADDR)]
        {
            sh(
                ns,
                &["ip", "addr", "add", &format!("{addr}/24"), "dev", dev],
            );
            sh(ns, &["ip", "link", "set", dev, "up"]);
        }
        nft(&pair.b, B_RULESET);
        // Per namespace, once the ruleset has loaded conntrack there.
        sh(
            &pair.b,
            &["sysctl", "-qw", "net.netfilter.nf_conntrack_tcp_loose=0"],
        );
        pair
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for ns in [&self.a, &self.b] {
            let _ = Command::new("ip")
                .args(["netns", "del", ns])
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    assert!(status.success(), "{program} {args:?} failed (needs root)");
}

fn nft(ns: &str, script: &str) {
    let mut child = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("running nft");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "nft -f failed in {ns}");
}

/// The output of a command in `ns`, whatever its status.
fn output(ns: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .expect("running ip netns exec");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ruleset(ns: &str) -> String {
    output(ns, &["nft", "list", "ruleset"])
}

/// nfscope's table in `nft list ruleset`, if there, without the comment
/// nft writes after its name: ` # progname NAME`, the process whose
/// socket owns it.
fn our_table(ns: &str) -> Option<String> {
    let ruleset = ruleset(ns);
    let start = ruleset.find("table inet nfscope_invalid {")?;
    let block = &ruleset[start..];
    let end = block.find("\n}\n")? + 3;
    let (first, rest) = block[..end].split_once('\n')?;
    let owner = first.strip_prefix("table inet nfscope_invalid { # progname ");
    assert!(owner.is_some_and(|name| !name.is_empty()), "{first}");
    Some(format!("table inet nfscope_invalid {{\n{rest}"))
}

fn start(
    ns: &str,
    config: CaptureConfig,
) -> Result<InvalidCapture, CaptureError> {
    in_netns(ns, move || InvalidCapture::start(config))
}

/// A connection from A to B whose entry B forgets: what A sends next is
/// INVALID in B. Returns both ends and A's port.
fn connection_b_forgot(pair: &Pair) -> (TcpStream, TcpStream, u16) {
    let listener =
        in_netns(&pair.b, || TcpListener::bind((B_ADDR, 0)).unwrap());
    let port = listener.local_addr().unwrap().port();
    let client =
        in_netns(&pair.a, move || TcpStream::connect((B_ADDR, port)).unwrap());
    let (server, _) = listener.accept().unwrap();
    sh(&pair.b, &["conntrack", "-F"]);
    (client, server, port)
}

#[test]
fn data_on_a_forgotten_connection_is_captured() {
    let pair = Pair::build();
    let capture = start(&pair.b, CaptureConfig::default())
        .expect("starting the capture (needs root)");
    let ring = capture.ring();
    assert_eq!(our_table(&pair.b).as_deref(), Some(TABLE));
    // This kernel has no bridge conntrack: no bridge table beside it.
    assert!(!ruleset(&pair.b).contains("table bridge"));

    let (mut client, mut server, port) = connection_b_forgot(&pair);
    let sport = client.local_addr().unwrap().port();
    let data = b"after the flush";
    client.write_all(data).unwrap();
    server.read_exact(&mut vec![0; data.len()]).unwrap();

    let first = ring.wait(0, Duration::from_secs(2));
    let first = first.first().expect("no INVALID packet within 2 s");
    let expected = InvalidPacket {
        seq: 1,
        at_ms: first.at_ms,
        family: 2,
        hook: Hook::Prerouting,
        in_dev: Some("b0".into()),
        out_dev: None,
        phys_in: None,
        phys_out: None,
        mark: 0,
        proto: Proto::TCP,
        src: A_ADDR.into(),
        dst: B_ADDR.into(),
        sport: Some(sport),
        dport: Some(port),
        tcp_flags: Some(TcpFlags(TcpFlags::PSH.0 | TcpFlags::ACK.0)),
        tcp_seq: first.tcp_seq,
        tcp_ack: first.tcp_ack,
        tcp_window: first.tcp_window,
        icmp: None,
        // IPv4 and TCP headers, TCP timestamps, the data.
        len: 20 + 32 + data.len() as u16,
    };
    assert_eq!(*first, expected);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(
        first.at_ms.abs_diff(now) < 10_000,
        "{} vs {now}",
        first.at_ms
    );

    // The same packet again at input, and B's answer at output.
    let end = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while !seen.iter().any(|p: &InvalidPacket| p.hook == Hook::Output) {
        assert!(Instant::now() < end, "only {seen:#?}");
        let last = seen.last().map_or(1, |p| p.seq);
        seen.extend(ring.wait(last, Duration::from_millis(200)));
    }
    let input = seen.iter().find(|p| p.hook == Hook::Input).unwrap();
    assert_eq!(
        (input.tcp_seq, input.in_dev.as_deref()),
        (first.tcp_seq, Some("b0"))
    );
    let answer = seen.iter().find(|p| p.hook == Hook::Output).unwrap();
    assert_eq!((answer.src, answer.sport), (B_ADDR.into(), Some(port)));
    assert_eq!(answer.out_dev.as_deref(), Some("b0"));
    assert!(answer.tcp_flags.unwrap().contains(TcpFlags::ACK));

    let totals = ring.totals();
    assert_eq!((totals.lost, totals.decode_errors), (0, 0));
    drop(capture);
    assert!(!ruleset(&pair.b).contains("nfscope_invalid"));
}

#[test]
fn a_second_capture_gets_a_clear_error() {
    let pair = Pair::build();
    let _first = start(&pair.b, CaptureConfig::default())
        .expect("starting the capture (needs root)");

    // The kernel answers EPERM to a bind of a group another socket
    // holds; its list of groups tells that apart from a missing
    // capability.
    let err = start(&pair.b, CaptureConfig::default()).err().unwrap();
    assert!(
        matches!(err, CaptureError::GroupBusy { group: 4207, portid } if portid != 0),
        "{err:?}"
    );
    assert!(err.to_string().contains("already bound by another program"));

    // Another group: the table's name is taken, by its owner.
    let other = CaptureConfig {
        group: 4208,
        ..CaptureConfig::default()
    };
    let err = start(&pair.b, other).err().unwrap();
    assert!(matches!(err, CaptureError::TableExists { .. }), "{err:?}");
    assert!(err
        .to_string()
        .contains("inet nfscope_invalid already exists"));
    assert_eq!(our_table(&pair.b).as_deref(), Some(TABLE));
}

#[test]
fn without_cap_net_admin_the_error_says_so() {
    let pair = Pair::build();
    let err = in_netns(&pair.b, || {
        drop_net_admin();
        InvalidCapture::start(CaptureConfig::default()).err()
    })
    .expect("started without CAP_NET_ADMIN");
    assert!(matches!(err, CaptureError::Permission(_)), "{err:?}");
    assert!(err.to_string().contains("needs CAP_NET_ADMIN"));
    assert!(!ruleset(&pair.b).contains("nfscope_invalid"));
}

/// Capabilities are per thread: this one loses CAP_NET_ADMIN from its
/// effective set, the rest of the test process keeps it.
fn drop_net_admin() {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
    const CAP_NET_ADMIN: u32 = 12;
    let mut header = Header {
        version: LINUX_CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [Data::default(); 2];
    // SAFETY: a v3 header and the two data words v3 uses.
    let rc = unsafe {
        libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr())
    };
    assert_eq!(rc, 0, "capget");
    data[0].effective &= !(1 << CAP_NET_ADMIN);
    // SAFETY: as above; only this thread's effective set shrinks.
    let rc =
        unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) };
    assert_eq!(rc, 0, "capset");
}

/// Names the namespace a [`holder_child`] captures in.
const HOLD_ENV: &str = "NFS_T_HOLD_CAPTURE_IN";

#[test]
fn the_table_goes_when_its_process_dies() {
    let pair = Pair::build();
    let mut child = Killed(
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "holder_child", "--nocapture"])
            .env(HOLD_ENV, &pair.b)
            .stdout(Stdio::piped())
            .stdin(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stdout = BufReader::new(child.0.stdout.take().unwrap());
    let ready = stdout
        .lines()
        .map_while(Result::ok)
        .any(|l| l.ends_with("holding"));
    assert!(ready, "the child did not start its capture");
    assert_eq!(our_table(&pair.b).as_deref(), Some(TABLE));
    drop(child);
    assert!(!ruleset(&pair.b).contains("nfscope_invalid"));
}

/// A child process, killed with SIGKILL (as by the OOM killer) and
/// reaped on drop, also when the test fails first.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Not a test of its own: when [`HOLD_ENV`] is set, captures there and
/// holds the capture until killed (or until its stdin closes).
#[test]
fn holder_child() {
    let Ok(ns) = std::env::var(HOLD_ENV) else {
        return;
    };
    let _capture = start(&ns, CaptureConfig::default()).unwrap();
    println!("holding");
    std::io::stdout().flush().unwrap();
    let _ = std::io::stdin().read(&mut [0]);
}

#[test]
fn ct_stats_agree_with_the_kernel_files_and_conntrack_s() {
    let pair = Pair::build();
    let (mut client, mut server, _) = connection_b_forgot(&pair);
    client.write_all(b"x").unwrap();
    server.read_exact(&mut [0]).unwrap();
    // And an entry in the table: a datagram B has no socket for.
    in_netns(&pair.a, || {
        let socket = UdpSocket::bind((A_ADDR, 0)).unwrap();
        socket.send_to(b"x", (B_ADDR, 9)).unwrap();
    });

    // Counters move while a packet is in flight: compare reads that
    // agree with one another.
    let end = Instant::now() + PATIENCE;
    let ours = loop {
        let (ours, proc, again) = in_netns(&pair.b, || {
            let ours = stats::read().expect("reading conntrack statistics");
            let proc = std::fs::read_to_string(
                "/proc/thread-self/net/stat/nf_conntrack",
            )
            .unwrap();
            (ours, proc, stats::read().unwrap())
        });
        let tool = output(&pair.b, &["conntrack", "-S"]);
        // The file has no maximum; the tool prints counters only.
        let as_proc = CtStats {
            max_entries: 0,
            ..ours
        };
        let as_tool = CtStats {
            entries: 0,
            ..as_proc
        };
        if ours == again
            && from_proc(&proc) == as_proc
            && from_tool(&tool) == as_tool
        {
            break ours;
        }
        assert!(Instant::now() < end, "{ours:?} vs {proc} vs {tool}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(ours.invalid > 0 && ours.entries > 0, "{ours:?}");
    let count = output(&pair.b, &["conntrack", "-C"]);
    assert_eq!(count.trim(), ours.entries.to_string());
    let max =
        output(&pair.b, &["sysctl", "-n", "net.netfilter.nf_conntrack_max"]);
    assert_eq!(max.trim(), ours.max_entries.to_string());
}

/// `/proc/net/stat/nf_conntrack`: a header of names, one line of hex
/// numbers per CPU; the entry count is on every line.
fn from_proc(text: &str) -> CtStats {
    let mut lines = text.lines();
    let names: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    let mut sums = BTreeMap::<&str, u64>::new();
    let mut stats = CtStats::default();
    for line in lines {
        stats.cpus += 1;
        for (name, hex) in names.iter().zip(line.split_whitespace()) {
            let value = u64::from_str_radix(hex, 16).unwrap();
            if *name == "entries" {
                stats.entries = value as u32;
            } else {
                *sums.entry(name).or_default() += value;
            }
        }
    }
    let sum = |name| sums.get(name).copied().unwrap_or_default();
    CtStats {
        found: sum("found"),
        invalid: sum("invalid"),
        insert: sum("insert"),
        insert_failed: sum("insert_failed"),
        drop: sum("drop"),
        early_drop: sum("early_drop"),
        error: sum("icmp_error"),
        search_restart: sum("search_restart"),
        clash_resolve: sum("clashres"),
        chain_toolong: sum("chainlength"),
        ..stats
    }
}

/// `conntrack -S`: one line of `name=value` per CPU.
fn from_tool(text: &str) -> CtStats {
    let mut stats = CtStats::default();
    for line in text.lines() {
        stats.cpus += 1;
        for (name, value) in
            line.split_whitespace().filter_map(|w| w.split_once('='))
        {
            let value: u64 = value.parse().unwrap();
            let sum = match name {
                "found" => &mut stats.found,
                "invalid" => &mut stats.invalid,
                "insert" => &mut stats.insert,
                "insert_failed" => &mut stats.insert_failed,
                "drop" => &mut stats.drop,
                "early_drop" => &mut stats.early_drop,
                "error" => &mut stats.error,
                "search_restart" => &mut stats.search_restart,
                "clash_resolve" => &mut stats.clash_resolve,
                "chaintoolong" => &mut stats.chain_toolong,
                _ => continue,
            };
            *sum += value;
        }
    }
    stats
}
