//! `/api/ruleset` and its history against the real kernel: the lab's
//! ruleset as `nft` lists it, and commits by `nft` and `iptables-nft`
//! reaching the history with their process and what they changed, seen
//! by the server within a second of being made.

mod common;

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use app::wire::ruleset::{Ruleset, RulesetChange};
use serde_json::Value;

use common::{lab, Server};

#[test]
fn the_api_serves_the_ruleset_and_each_commit() {
    let lab = lab();
    let ns = lab.router();
    let server = Server::start(&ns, &[]);
    server.wait_for("the ruleset", |s| s.get("/api/ruleset").is_ok());

    let ruleset: Ruleset =
        serde_json::from_str(&server.get("/api/ruleset").unwrap()).unwrap();
    let nft = nft_json(&ns);
    let mut ours: Vec<_> = ruleset
        .tables
        .iter()
        .flat_map(|t| {
            t.chains.iter().map(move |c| {
                (
                    t.family.clone(),
                    t.name.clone(),
                    c.name.clone(),
                    c.rules.len(),
                )
            })
        })
        .collect();
    let mut theirs: Vec<_> = nft
        .iter()
        .filter_map(|i| i.get("chain"))
        .map(|c| {
            let text = |k: &str| c[k].as_str().unwrap().to_owned();
            let rules = nft
                .iter()
                .filter_map(|i| i.get("rule"))
                .filter(|r| {
                    r["family"] == c["family"]
                        && r["table"] == c["table"]
                        && r["chain"] == c["name"]
                })
                .count();
            (text("family"), text("table"), text("name"), rules)
        })
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);

    // A commit by nft: its handle comes back with --echo --handle.
    let out = run(&ns, "nft --echo --handle add table inet nfs_t_test");
    assert!(out.contains("nfs_t_test"));
    run(&ns, "nft add chain inet nfs_t_test c { type filter hook forward priority 10; }");
    let made = now_ms();
    let echoed = run(
        &ns,
        "nft --echo --handle add rule inet nfs_t_test c tcp dport 22 accept",
    );
    let handle: u64 = echoed
        .split_once("# handle ")
        .and_then(|(_, h)| h.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no handle in {echoed:?}"));
    let change = wait_for_change(&server, |c| {
        c.chains.iter().any(|ch| {
            ch.table == "nfs_t_test"
                && ch.added.iter().any(|r| r.handle == handle)
        })
    });
    let added = change
        .chains
        .iter()
        .flat_map(|ch| &ch.added)
        .find(|r| r.handle == handle)
        .map(|r| r.text.as_str());
    assert_eq!(
        added,
        Some("tcp dport 22 accept"),
        "the diff names the rule"
    );
    assert_eq!(change.process.as_deref(), Some("nft"));
    seen_within_a_second(&change, made);
    let ruleset: Ruleset =
        serde_json::from_str(&server.get("/api/ruleset").unwrap()).unwrap();
    let text = ruleset
        .tables
        .iter()
        .flat_map(|t| &t.chains)
        .flat_map(|c| &c.rules)
        .find(|r| r.handle == handle)
        .map(|r| r.text.clone());
    assert_eq!(text.as_deref(), Some("tcp dport 22 accept"));
    assert!(
        change
            .summary()
            .contains("1 rule added to inet nfs_t_test c"),
        "{}",
        change.summary()
    );

    // Counters are polled: three datagrams through the router reach the
    // rule's counter as nft reads it.
    run(&ns, "nft add rule inet nfs_t_test c udp dport 9999 counter");
    let counted = wait_for_change(&server, |c| {
        c.chains.iter().any(|ch| {
            ch.table == "nfs_t_test"
                && !ch.added.is_empty()
                && ch.added.iter().all(|r| r.handle != handle)
        })
    });
    let counting = counted.chains[0].added[0].handle;
    datagrams(&lab, 9999, 3);
    let packets = |s: &Server| {
        let r: Ruleset =
            serde_json::from_str(&s.get("/api/ruleset").unwrap()).unwrap();
        r.tables
            .iter()
            .filter(|t| t.name == "nfs_t_test")
            .flat_map(|t| &t.chains)
            .flat_map(|c| &c.rules)
            .find(|r| r.handle == counting)
            .and_then(|r| r.counter.as_ref())
            .map(|c| (c.packets, c.matched))
    };
    server.wait_for("the counter to count", |s| packets(s) == Some((3, true)));
    let nft_counter = nft_json(&ns)
        .iter()
        .filter_map(|i| i.get("rule"))
        .find(|r| r["table"] == "nfs_t_test" && r["handle"] == counting)
        .and_then(|r| {
            r["expr"]
                .as_array()?
                .iter()
                .find_map(|e| e["counter"]["packets"].as_u64())
        });
    assert_eq!(nft_counter, Some(3));

    // A named counter object is polled too.
    run(&ns, "nft add counter inet nfs_t_test hits");
    run(
        &ns,
        "nft add rule inet nfs_t_test c udp dport 9998 counter name hits",
    );
    server.wait_for("the counter object", |s| named(s, "hits").is_some());
    datagrams(&lab, 9998, 2);
    server.wait_for("the counter object to count", |s| {
        named(s, "hits") == Some((2, true))
    });

    // A commit by iptables-nft.
    let made = now_ms();
    run(
        &ns,
        "iptables-nft -t filter -A FORWARD -p tcp --dport 2222 -j DROP",
    );
    let change = wait_for_change(&server, |c| {
        c.chains.iter().any(|ch| {
            ch.family == "ip"
                && ch.table == "filter"
                && ch.chain == "FORWARD"
                && !ch.added.is_empty()
        })
    });
    let process = change.process.clone().unwrap_or_default();
    assert!(process.starts_with("iptables"), "{process}");
    seen_within_a_second(&change, made);
    assert!(
        change.banner().starts_with(&format!(
            "generation {} by iptables",
            change.generation
        )),
        "{}",
        change.banner()
    );
    let ruleset: Ruleset =
        serde_json::from_str(&server.get("/api/ruleset?raw=1").unwrap())
            .unwrap();
    let filter = ruleset
        .tables
        .iter()
        .find(|t| t.family == "ip" && t.name == "filter")
        .expect("ip filter");
    assert!(filter.iptables, "iptables-nft manages ip filter");
    let rule = filter
        .chains
        .iter()
        .filter(|c| c.name == "FORWARD")
        .flat_map(|c| &c.rules)
        .find(|r| r.text.contains("2222"))
        .expect("the rule iptables-nft added");
    assert_eq!(
        rule.iptables.as_deref(),
        Some("-A FORWARD -p tcp -m tcp --dport 2222 -j DROP")
    );
    let raw = rule.raw.as_deref().unwrap_or_default();
    assert!(
        raw.iter().any(|e| e.starts_with("[expr payload")),
        "{raw:?}"
    );

    // The diff from before the first commit of this test to now holds
    // every rule it added; a bad range says why.
    let first = wait_for_change(&server, |c| {
        c.chains
            .iter()
            .any(|ch| ch.table == "nfs_t_test" && ch.what == "added")
    })
    .generation;
    let diff: serde_json::Value = serde_json::from_str(
        &server
            .get(&format!("/api/ruleset/diff?from={}", first - 1))
            .unwrap(),
    )
    .unwrap();
    let texts: Vec<&str> = diff["chains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["added"].as_array().unwrap())
        .filter_map(|r| r["text"].as_str())
        .collect();
    for wanted in ["tcp dport 22 accept", "udp dport 9999 counter"] {
        assert!(
            texts.iter().any(|t| t.starts_with(wanted)),
            "{wanted} in {texts:?}"
        );
    }
    for (query, why) in [
        ("from=x", "is not a generation number"),
        ("", "from: missing"),
        ("from=9&to=3", "is after"),
    ] {
        let (status, body) = server
            .get(&format!("/api/ruleset/diff?{query}"))
            .expect_err("a bad range");
        assert_eq!(status, 400, "{query}: {body}");
        assert!(body.contains(why), "{query}: {body}");
    }
}

/// Packets of the named counter of the test's table, and whether it
/// matched.
fn named(server: &Server, name: &str) -> Option<(u64, bool)> {
    let r: Ruleset =
        serde_json::from_str(&server.get("/api/ruleset").unwrap()).unwrap();
    let table = r.tables.into_iter().find(|t| t.name == "nfs_t_test")?;
    let counter = table.counters.into_iter().find(|c| c.name == name)?;
    counter.counter.map(|c| (c.packets, c.matched))
}

fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    since.as_millis() as u64
}

/// The time the server saw the commit, against the time it was made
/// (the history's own record, not this test's waiting).
fn seen_within_a_second(change: &RulesetChange, made_ms: u64) {
    let after = change.at_ms.saturating_sub(made_ms);
    assert!(after <= 1000, "commit seen {after} ms after it was made");
}

fn wait_for_change(
    server: &Server,
    found: impl Fn(&RulesetChange) -> bool,
) -> RulesetChange {
    let seen = std::cell::RefCell::new(None);
    server.wait_for("the commit in the history", |s| {
        let history: Vec<RulesetChange> =
            serde_json::from_str(&s.get("/api/ruleset/history").unwrap())
                .unwrap();
        *seen.borrow_mut() = history.into_iter().rev().find(|c| found(c));
        seen.borrow().is_some()
    });
    seen.into_inner().unwrap()
}

/// `count` datagrams from the lab's client to its server's `port`,
/// through the router.
fn datagrams(lab: &common::Lab, port: u16, count: usize) {
    common::in_netns(&lab.client(), move || {
        let socket =
            std::net::UdpSocket::bind((common::ADDRS.client, 0)).unwrap();
        for _ in 0..count {
            socket.send_to(b"x", (common::ADDRS.server, port)).unwrap();
        }
    });
}

/// Runs a command line in `ns` (words split at spaces) and returns what
/// it printed; fails the test if it fails.
fn run(ns: &str, line: &str) -> String {
    let args: Vec<&str> = line.split_whitespace().collect();
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(&args)
        .output()
        .expect("running a command in the namespace");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn nft_json(ns: &str) -> Vec<Value> {
    let v: Value =
        serde_json::from_str(&run(ns, "nft -j list ruleset")).unwrap();
    v["nftables"].as_array().unwrap().clone()
}

/// A server watching `ns`, whose table `table` has one forward chain `c`
/// with one counted rule for UDP to `port`.
fn serve_one_counted_rule(ns: &str, table: &str, port: u16) -> Server {
    run(ns, &format!("nft add table inet {table}"));
    run(
        ns,
        &format!(
            "nft add chain inet {table} c \
             {{ type filter hook forward priority 10; }}"
        ),
    );
    run(
        ns,
        &format!("nft add rule inet {table} c udp dport {port} counter"),
    );
    Server::start(ns, &[])
}

#[test]
fn the_stream_sends_the_ruleset_each_commit_and_moved_counters() {
    use app::wire::ruleset::RulesetMsg;
    use std::time::{Duration, Instant};

    let lab = lab();
    let ns = lab.router();
    let server = serve_one_counted_rule(&ns, "nfs_t_stream", 9998);
    server.wait_for("the ruleset", |s| s.get("/api/ruleset").is_ok());
    let url =
        format!("{}/api/ws/ruleset", server.base.replace("http://", "ws://"));
    let (mut ws, _) = tungstenite::connect(url).expect("WebSocket connect");
    let mut next = || -> RulesetMsg {
        let msg = ws.read().expect("stream message");
        serde_json::from_str(msg.to_text().unwrap()).unwrap()
    };
    let RulesetMsg::Ruleset(first) = next() else {
        panic!("the stream must start with the ruleset");
    };
    assert!(first.tables.iter().any(|t| t.name == "nfs_t_stream"));

    // Two datagrams through the router: the counter moves.
    datagrams(&lab, 9998, 2);
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < end, "no moved counter on the stream");
        if let RulesetMsg::Counters(moved) = next() {
            if moved.iter().any(|c| {
                c.rule.table == "nfs_t_stream" && c.counter.packets == 2
            }) {
                break;
            }
        }
    }

    // A commit: what it changed, then the ruleset it made.
    run(&ns, "nft add rule inet nfs_t_stream c drop");
    let change = loop {
        assert!(Instant::now() < end, "no change on the stream");
        if let RulesetMsg::Change(change) = next() {
            break change;
        }
    };
    assert!(
        change
            .summary()
            .contains("1 rule added to inet nfs_t_stream c"),
        "{}",
        change.summary()
    );
    let RulesetMsg::Ruleset(after) = next() else {
        panic!("the ruleset must follow its change");
    };
    assert_eq!(after.generation, change.generation);
}

#[test]
fn a_page_loaded_with_the_current_document_is_not_sent_it_again() {
    use app::wire::ruleset::RulesPageMsg;
    use std::time::{Duration, Instant};

    let lab = lab();
    let ns = lab.router();
    let server = serve_one_counted_rule(&ns, "nfs_t_have", 9997);
    datagrams(&lab, 9997, 2);
    let counted = |s: &Server| {
        let Ok(text) = s.get("/api/ruleset") else {
            return false;
        };
        let r: Ruleset = serde_json::from_str(&text).unwrap();
        r.tables.iter().filter(|t| t.name == "nfs_t_have").any(|t| {
            t.chains[0].rules[0]
                .counter
                .as_ref()
                .is_some_and(|c| c.packets == 2)
        })
    };
    server.wait_for("the rule's counter at 2", counted);

    // The page carries its document's tag in its hydration data.
    let page = server.get("/rules").unwrap();
    let tag = page
        .split("\\\"tag\\\":\\\"")
        .nth(1)
        .and_then(|rest| rest.split('\\').next())
        .expect("the page's document tag");
    let ws = server.base.replace("http://", "ws://");
    let open = |have: &str| {
        let url = format!("{ws}/api/ws/ruleset?html=1&have={have}");
        tungstenite::connect(url).expect("WebSocket connect").0
    };
    let read = |ws: &mut tungstenite::WebSocket<_>| -> RulesPageMsg {
        let msg = ws.read().expect("stream message");
        serde_json::from_str(msg.to_text().unwrap()).unwrap()
    };

    // With the page's tag: the counters its document may show wrong,
    // no document.
    let mut holding = open(tag);
    let RulesPageMsg::Counters(counted) = read(&mut holding) else {
        panic!("a page holding the document must get counters first");
    };
    assert!(counted
        .iter()
        .any(|c| c.rule.table == "nfs_t_have" && c.counter.packets == 2));
    // With any other tag: the document.
    let mut other = open("1-0");
    assert!(matches!(read(&mut other), RulesPageMsg::Document(_)));

    // A commit sends the page its change and the new document.
    run(&ns, "nft add rule inet nfs_t_have c drop");
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < end, "no document after the commit");
        if let RulesPageMsg::Document(d) = read(&mut holding) {
            assert!(d.html.contains("nfs_t_have"));
            break;
        }
    }
}

#[test]
fn an_ipset_match_shows_the_set_by_its_name() {
    let lab = lab();
    let ns = lab.router();
    run(&ns, "ipset create nfs-a hash:ip");
    run(
        &ns,
        "iptables-nft -A FORWARD -m set --match-set nfs-a src -j DROP",
    );
    let server = Server::start(&ns, &[]);
    let line = "-A FORWARD -m set --match-set nfs-a src -j DROP";
    server.wait_for("the rule with its set's name", |s| {
        let Ok(text) = s.get("/api/ruleset") else {
            return false;
        };
        let r: Ruleset = serde_json::from_str(&text).unwrap();
        r.tables
            .iter()
            .flat_map(|t| &t.chains)
            .flat_map(|c| &c.rules)
            .any(|r| r.iptables.as_deref() == Some(line))
    });
}
