//! An admin deletes real conntrack entries in the watched namespace: one
//! by its key, and those a filter selects after a confirmation that says
//! how many; and turns counters and timestamps on and off.

mod common;

use app::wire::access::{CtSettings, DeleteConfirm, Deleted};
use app::wire::{FlowKey, FlowPage};
use common::access::*;
use common::*;

const FIRST_PORT: u16 = 4000;
const FLOWS: u16 = 5;
const OURS: &str = "dport:53 src:10.9.0.1";

fn live(server: &Server, admin: &Login) -> Vec<(u16, FlowKey)> {
    let path = format!("/api/flows?q={}&sort=sport", urlencode(OURS));
    let page: FlowPage = get(server, &path, Some(admin)).json();
    page.flows
        .iter()
        .map(|f| (f.orig.sport.unwrap(), f.key))
        .collect()
}

/// Source ports of our entries, as `conntrack -L` sees them.
fn in_kernel(ns: &str) -> Vec<u16> {
    let mut ports: Vec<u16> = conntrack_list(ns)
        .values()
        .filter(|l| l.orig.get("dport").map(String::as_str) == Some("53"))
        .filter_map(|l| l.orig.get("sport")?.parse().ok())
        .collect();
    ports.sort_unstable();
    ports
}

fn admin_call(
    server: &Server,
    admin: &Login,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Reply {
    call(
        server,
        method,
        path,
        With {
            login: Some(admin),
            csrf: true,
            body,
            ..With::default()
        },
    )
}

#[test]
fn an_admin_deletes_a_flow_and_then_those_a_filter_selects() {
    let lab = lab();
    let ns = lab.router();
    for port in FIRST_PORT..FIRST_PORT + FLOWS {
        insert_udp(&ns, port, &[]);
    }
    let state = users();
    let (server, admin) = start(&ns, &state, &[]);
    wait_for_flows(&server, &admin, OURS, usize::from(FLOWS));

    let (port, key) = live(&server, &admin)[0];
    let reply = admin_call(
        &server,
        &admin,
        "DELETE",
        &format!("/api/flows/{key}"),
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json::<Deleted>(),
        Deleted {
            deleted: 1,
            gone: 0
        }
    );
    assert!(!in_kernel(&ns).contains(&port), "{:?}", in_kernel(&ns));
    server.wait_for("the flow to leave the table", |s| {
        live(s, &admin).iter().all(|(_, k)| *k != key)
    });
    let again = admin_call(
        &server,
        &admin,
        "DELETE",
        &format!("/api/flows/{key}"),
        None,
    );
    assert_eq!(again.status, 404, "{}", again.body);

    // The count first; a flow made after it is not deleted with them.
    let path = format!("/api/flows/delete?q={}", urlencode(OURS));
    let ask = admin_call(&server, &admin, "POST", &path, None);
    assert_eq!(ask.status, 200, "{}", ask.body);
    let confirm: DeleteConfirm = ask.json();
    assert_eq!(confirm.count, usize::from(FLOWS) - 1);
    let late = FIRST_PORT + 100;
    insert_udp(&ns, late, &[]);
    wait_for_flows(&server, &admin, OURS, usize::from(FLOWS));

    let other =
        format!("/api/flows/delete?q=dport%3A53&confirm={}", confirm.confirm);
    let wrong = admin_call(&server, &admin, "POST", &other, None);
    assert_eq!(wrong.status, 409, "{}", wrong.body);
    assert!(wrong.error().contains("not this one"), "{}", wrong.body);

    let confirmed = format!("{path}&confirm={}", confirm.confirm);
    let done = admin_call(&server, &admin, "POST", &confirmed, None);
    assert_eq!(done.status, 200, "{}", done.body);
    let deleted: Deleted = done.json();
    assert_eq!(deleted.deleted, usize::from(FLOWS) - 1);
    assert_eq!(in_kernel(&ns), vec![late]);
    server.wait_for("only the late flow", |s| {
        live(s, &admin).iter().map(|(p, _)| *p).collect::<Vec<_>>()
            == vec![late]
    });
    let twice = admin_call(&server, &admin, "POST", &confirmed, None);
    assert_eq!(twice.status, 409, "a token confirms once: {}", twice.body);
}

fn sysctl(ns: &str, name: &str) -> String {
    let out = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            "sysctl",
            "-n",
            &format!("net.netfilter.{name}"),
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn counters_and_timestamps_are_turned_on_at_start_or_by_an_admin() {
    let lab = lab();
    let ns = lab.router();
    insert_udp(&ns, FIRST_PORT, &[]);
    for name in ["nf_conntrack_acct", "nf_conntrack_timestamp"] {
        sh(&ns, &["sysctl", "-qw", &format!("net.netfilter.{name}=0")]);
    }
    // Without passwords on loopback: the token comes from /api/session.
    let server = Server::start(&ns, &[]);
    let session: app::wire::access::SessionInfo =
        serde_json::from_str(&server.get("/api/session").unwrap()).unwrap();
    let anyone = Login {
        cookie: String::new(),
        csrf: session.csrf,
    };
    let on = r#"{"accounting": true, "timestamps": true}"#;
    let reply = admin_call(&server, &anyone, "POST", "/api/settings", Some(on));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let both = CtSettings {
        accounting: Some(true),
        timestamps: Some(true),
    };
    assert_eq!(reply.json::<CtSettings>(), both);
    assert_eq!(sysctl(&ns, "nf_conntrack_acct"), "1");
    assert_eq!(sysctl(&ns, "nf_conntrack_timestamp"), "1");
    server.wait_for("the status to say so", |s| {
        let status = s.status();
        status.accounting == Some(true) && status.timestamps == Some(true)
    });
    let off = r#"{"timestamps": false}"#;
    let reply =
        admin_call(&server, &anyone, "POST", "/api/settings", Some(off));
    assert_eq!(reply.json::<CtSettings>().timestamps, Some(false));
    assert_eq!(sysctl(&ns, "nf_conntrack_timestamp"), "0");
    let bad = admin_call(&server, &anyone, "POST", "/api/settings", Some("{"));
    assert_eq!(bad.status, 400, "{}", bad.body);
    let huge =
        format!(r#"{{"accounting": true, "pad": "{}"}}"#, "x".repeat(8192));
    let big =
        admin_call(&server, &anyone, "POST", "/api/settings", Some(&huge));
    assert_eq!(big.status, 413, "{}", big.body);
    assert!(big.error().contains("length limit"), "{}", big.body);
    drop(server);

    sh(&ns, &["sysctl", "-qw", "net.netfilter.nf_conntrack_acct=0"]);
    let server =
        Server::start(&ns, &["--enable-accounting", "--enable-timestamps"]);
    assert_eq!(sysctl(&ns, "nf_conntrack_acct"), "1");
    assert_eq!(sysctl(&ns, "nf_conntrack_timestamp"), "1");
    assert_eq!(server.status().accounting, Some(true));
}
