//! The nftables snapshot against `nft -j list ruleset` in the same
//! namespace: the same tables, chains, rules (in order), sets and objects,
//! with the same handles.

mod common;

use std::collections::BTreeSet;
use std::process::Command;

use nfscope::collect::nftables::ruleset::{Family, Ruleset};
use nfscope::collect::nftables::snapshot;
use nfscope::collect::nftables::socket::NftSocket;
use serde_json::Value;

use common::{in_netns, lab, sh, Scratch};

/// Every family, named and anonymous sets, a verdict map, an interval
/// set, named objects, base chains with negative priorities, a jump.
const RULESET: &str = r#"
table inet filter {
    set allowed { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
    set ranges { type ipv4_addr; flags interval; elements = { 10.1.0.0/16, 10.2.0.0-10.2.0.9 } }
    map ports { type inet_service : verdict; elements = { 22 : accept, 80 : drop } }
    counter hits { }
    quota big { over 1 mbytes }
    chain input {
        type filter hook input priority filter; policy accept;
        ct state established,related accept
        ip saddr @allowed tcp dport { 22, 443 } counter accept
        tcp dport vmap @ports
        meta l4proto udp counter name "hits"
        jump sub
    }
    chain sub {
        ip daddr 10.9.9.9 drop comment "block"
    }
}
table ip nat {
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "lo" masquerade
    }
    chain pre {
        type nat hook prerouting priority dstnat;
        tcp dport 8080 dnat to 10.0.0.5:80
    }
}
table ip6 raw {
    chain pre {
        type filter hook prerouting priority raw; policy drop;
        notrack
    }
}
table arp a {
    chain input {
        type filter hook input priority 0;
    }
}
table bridge b {
    chain forward {
        type filter hook forward priority 0;
        ether type ip accept
    }
}
table netdev n {
    chain c {
    }
}
"#;

#[test]
fn the_snapshot_holds_what_nft_lists() {
    let lab = lab();
    let ns = lab.server();
    let dir = Scratch::new("ruleset");
    let file = format!("{}/ruleset.nft", dir.path());
    std::fs::create_dir_all(dir.path()).unwrap();
    std::fs::write(&file, RULESET).unwrap();
    sh(&ns, &["nft", "-f", &file]);

    let ruleset = in_netns(&ns, || {
        let mut socket = NftSocket::open().expect("an nftables socket");
        snapshot::read(&mut socket).expect("a snapshot")
    });
    let nft = nft_json(&ns);

    assert!(ruleset.generation > 0);
    assert_eq!(ours(&ruleset, Kind::Table), theirs(&nft, Kind::Table));
    assert_eq!(ours(&ruleset, Kind::Chain), theirs(&nft, Kind::Chain));
    assert_eq!(rules(&ruleset), nft_rules(&nft));
    assert_eq!(ours(&ruleset, Kind::Set), theirs(&nft, Kind::Set));
    assert_eq!(ours(&ruleset, Kind::Object), theirs(&nft, Kind::Object));

    let inet = ruleset
        .tables
        .iter()
        .find(|t| t.table.family == Family::Inet)
        .unwrap();
    let set = |name: &str| inet.sets.iter().find(|s| s.name == name).unwrap();
    assert_eq!(set("allowed").elements.len(), 2);
    assert_eq!(set("ports").elements.len(), 2);
    assert!(set("ports").elements.iter().all(|e| e.data.is_some()));
    // The anonymous set of `tcp dport { 22, 443 }`, dumped on its own.
    let anonymous: Vec<_> = inet
        .sets
        .iter()
        .filter(|s| s.name.starts_with("__set"))
        .collect();
    assert_eq!(anonymous.len(), 1);
    assert_eq!(anonymous[0].elements.len(), 2);
    // Base chains keep their signed priorities.
    let raw = ruleset
        .tables
        .iter()
        .find(|t| t.table.family == Family::Ip6)
        .unwrap();
    let hook = raw.chains[0].chain.hook.as_ref().unwrap();
    assert_eq!(hook.priority, Some(-300));
    assert_eq!(raw.chains[0].chain.policy, Some(0));
    // Every expression of these rules is one this build knows.
    for t in &ruleset.tables {
        for c in &t.chains {
            for r in &c.rules {
                assert!(
                    r.exprs.iter().all(|e| e.error().is_none()),
                    "{:?}",
                    r.exprs
                );
            }
        }
    }
}

fn nft_json(ns: &str) -> Vec<Value> {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "-j", "list", "ruleset"])
        .output()
        .expect("running nft");
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["nftables"].as_array().unwrap().clone()
}

#[derive(Clone, Copy)]
enum Kind {
    Table,
    Chain,
    Set,
    Object,
}

/// (family, table, name, handle) of every object of a kind, and for
/// chains the priority and policy.
type Keys = BTreeSet<(String, String, String, u64, String)>;

fn ours(r: &Ruleset, kind: Kind) -> Keys {
    let mut keys = Keys::new();
    for t in &r.tables {
        let family = t.table.family.name();
        let table = t.table.name.clone();
        let mut add = |name: &str, handle: u64, extra: String| {
            keys.insert((
                family.clone(),
                table.clone(),
                name.into(),
                handle,
                extra,
            ));
        };
        match kind {
            Kind::Table => add("", t.table.handle, String::new()),
            Kind::Chain => {
                for c in &t.chains {
                    let c = &c.chain;
                    let prio = c.hook.as_ref().and_then(|h| h.priority);
                    let policy =
                        c.policy
                            .map(|p| if p == 1 { "accept" } else { "drop" });
                    add(&c.name, c.handle, format!("{prio:?} {policy:?}"));
                }
            }
            Kind::Set => {
                for s in t.sets.iter().filter(|s| !s.name.starts_with("__")) {
                    add(&s.name, s.handle, String::new());
                }
            }
            Kind::Object => {
                for o in &t.objects {
                    add(&o.name, o.handle, String::new());
                }
            }
        }
    }
    keys
}

fn theirs(nft: &[Value], kind: Kind) -> Keys {
    let names: &[&str] = match kind {
        Kind::Table => &["table"],
        Kind::Chain => &["chain"],
        Kind::Set => &["set", "map"],
        Kind::Object => &["counter", "quota"],
    };
    let mut keys = Keys::new();
    for item in nft {
        for name in names {
            let Some(o) = item.get(name) else { continue };
            let text = |k: &str| o[k].as_str().unwrap_or_default().to_owned();
            let (table, this) = match kind {
                Kind::Table => (text("name"), String::new()),
                _ => (text("table"), text("name")),
            };
            let extra = match kind {
                Kind::Chain => {
                    let prio = o["prio"].as_i64().map(|p| p as i32);
                    let policy = o["policy"].as_str();
                    format!("{prio:?} {policy:?}")
                }
                _ => String::new(),
            };
            let handle = o["handle"].as_u64().unwrap();
            keys.insert((text("family"), table, this, handle, extra));
        }
    }
    keys
}

fn rules(r: &Ruleset) -> Vec<(String, String, String, u64)> {
    let mut out = Vec::new();
    for t in &r.tables {
        for c in &t.chains {
            for rule in &c.rules {
                let family = t.table.family.name();
                out.push((
                    family,
                    rule.table.clone(),
                    rule.chain.clone(),
                    rule.handle,
                ));
            }
        }
    }
    out.sort();
    out
}

fn nft_rules(nft: &[Value]) -> Vec<(String, String, String, u64)> {
    let mut out: Vec<_> = nft
        .iter()
        .filter_map(|item| item.get("rule"))
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap().to_owned();
            (
                text("family"),
                text("table"),
                text("chain"),
                r["handle"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn legacy_tables_with_rules_are_found() {
    let lab = lab();
    let ns = lab.server();
    assert_eq!(
        in_netns(&ns, nfscope::collect::nftables::legacy::tables),
        []
    );
    sh(
        &ns,
        &[
            "iptables-legacy",
            "-A",
            "INPUT",
            "-p",
            "tcp",
            "--dport",
            "22",
            "-j",
            "ACCEPT",
        ],
    );
    sh(&ns, &["iptables-legacy", "-N", "CUSTOM"]);
    sh(&ns, &["ip6tables-legacy", "-t", "filter", "-L", "-n"]);
    let found = in_netns(&ns, nfscope::collect::nftables::legacy::tables);
    // One rule and one user chain in ip filter; ip6 filter exists, empty.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].family, found[0].name.as_str(), found[0].entries),
        ("ip", "filter", 3)
    );
}
