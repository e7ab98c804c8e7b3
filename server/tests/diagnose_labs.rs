//! The checks in labs of their own: a healthy NAT router gets no finding
//! at all; a NAT port clash, unanswered connections behind a DNAT (a
//! dropping server, and a DNAT back into the LAN without hairpin NAT),
//! a flood of INVALID packets and risky settings each get theirs. (The
//! seed's double tracking has its own test, `seed_bridge.rs`; event loss
//! is in `event_loss.rs`.)

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use app::wire::conntrack_stats::CtStatsNow;
use app::wire::finding::{Findings, Verdict};
use common::*;
use nfscope::demo::{faults, Fault};

fn findings(server: &Server) -> Findings {
    serde_json::from_str(&server.get("/api/findings").unwrap()).unwrap()
}

fn wait_for_finding(server: &Server, id: &str) {
    server.wait_for(&format!("the finding {id}"), |s| {
        findings(s).active.iter().any(|f| f.id == id)
    });
}

#[test]
fn a_healthy_router_gets_no_finding() {
    let lab = lab();
    lab.start_servers().unwrap();
    lab.start_client().unwrap();
    let server = Server::start(&lab.router(), &["--capture-invalid"]);
    // Long enough for every check to have looked, with traffic flowing.
    server.wait_for("every check to answer", |s| {
        let now = findings(s);
        s.flows("").total > 0
            && !now.checks.is_empty()
            && now.checks.iter().all(|c| c.verdict != Verdict::TooEarly)
    });
    let end = Instant::now() + Duration::from_secs(8);
    while Instant::now() < end {
        let now = findings(&server);
        assert!(now.active.is_empty(), "{:#?}", now.active);
        std::thread::sleep(Duration::from_millis(500));
    }
}

#[test]
fn a_nat_port_clash_is_found() {
    let lab = lab();
    lab.start_servers().unwrap();
    let server = Server::start(&lab.router(), &[]);
    lab.add_fault(Fault::PortClash).unwrap();
    wait_for_finding(
        &server,
        &format!("nat-port-clash:{}-{}", ADDRS.client, ADDRS.router_in),
    );
}

#[test]
fn connections_without_an_answer_are_found_by_destination_and_cleared() {
    let lab = lab();
    lab.start_servers().unwrap();
    lab.add_fault(Fault::DroppingServer).unwrap();
    let server = Server::start(&lab.router(), &[]);
    syns_to_the_published_port(&lab, 3);
    let id = format!("unanswered:{}:{}", ADDRS.server, ADDRS.server_port);
    wait_for_finding(&server, &id);
    // The scenario's repair; the next connection is answered.
    lab.nft(&lab.server(), faults::STOP_DROPPING).unwrap();
    let published = (ADDRS.router_in, ADDRS.published_port).into();
    in_netns(&lab.client(), move || {
        TcpStream::connect_timeout(&published, PATIENCE).unwrap()
    });
    server.wait_for("the finding to clear", |s| {
        findings(s).active.iter().all(|f| f.id != id)
    });
}

#[test]
fn risky_settings_are_found_and_their_clearing_outlives_a_restart() {
    let lab = lab();
    let router = lab.router();
    lab.add_fault(Fault::RiskySettings).unwrap();
    let state = Scratch::new("state");
    let server = Server::start(&router, &["--state-dir", state.path()]);
    for id in [
        "setting:bridge-nf-call-iptables",
        "setting:rp_filter:br-lab",
        "setting:nf_conntrack_tcp_be_liberal",
        "setting:dnat-any-interface",
    ] {
        wait_for_finding(&server, id);
    }
    // The DNAT rules it names carry its badge, and their panel lists it.
    let dnat = findings(&server)
        .active
        .into_iter()
        .find(|f| f.id == "setting:dnat-any-interface")
        .unwrap();
    let badge = "data-finding=\"setting:dnat-any-interface\"";
    let page = server.get("/rules").unwrap();
    assert_eq!(page.matches(badge).count(), dnat.evidence.len(), "{page}");
    let rule = dnat.evidence[0].href.as_deref().unwrap();
    let panel = server.get(rule).unwrap();
    assert!(panel.contains("data-testid=\"rule-findings\""), "{panel}");
    // Undone, they clear: the scenario's repair.
    sh(&router, &["sysctl", "-qw", faults::CAREFUL]);
    server.wait_for("the setting to clear", |s| {
        let now = findings(s);
        now.active
            .iter()
            .all(|f| f.id != "setting:nf_conntrack_tcp_be_liberal")
            && now
                .cleared
                .iter()
                .any(|f| f.id == "setting:nf_conntrack_tcp_be_liberal")
    });
    // The history keeps it: a restart lists it as cleared, and those
    // that still held as cleared when nfscope stopped.
    server.stop();
    let again = Server::start(&router, &["--state-dir", state.path()]);
    let past = findings(&again).cleared;
    assert!(past
        .iter()
        .any(|f| f.id == "setting:nf_conntrack_tcp_be_liberal"));
    assert!(past.iter().any(|f| f.id == "setting:rp_filter:br-lab"));
}

#[test]
fn a_dnat_back_into_the_lan_without_hairpin_nat_is_found_and_cleared_by_it() {
    use nfscope::demo::hairpin::{self, HairpinLab};
    let lab = HairpinLab::build("nfs-t").expect("building the lab");
    lab.start_traffic().unwrap();
    let server = Server::start(&lab.router(), &[]);
    let id = format!("unanswered:{}:{}", hairpin::SERVER, hairpin::SERVER_PORT);
    wait_for_finding(&server, &id);
    let found = findings(&server);
    let finding = found.active.iter().find(|f| f.id == id).unwrap();
    assert!(finding.explanation.contains("hairpin"), "{finding:#?}");

    let mut fix = vec!["nft"];
    fix.extend(hairpin::HAIRPIN.split_whitespace());
    sh(&lab.router(), &fix);
    server.wait_for("the finding to clear", |s| {
        let now = findings(s);
        now.active.iter().all(|f| f.id != id)
            && now.cleared.iter().any(|f| f.id == id)
    });
}

/// Conntrack's INVALID counter rising fast is table pressure: the
/// router tracks strictly and has forgotten a connection that keeps
/// talking. The finding arrives on the findings stream, not by
/// polling; the scenario's repair stops the INVALID packets.
#[test]
fn a_flood_of_invalid_packets_is_found_on_the_findings_stream() {
    let lab = lab();
    lab.start_servers().unwrap();
    let router = lab.router();
    let server = Server::start(&router, &[]);
    let stream = ureq::get(&format!("{}/api/findings/stream", server.base))
        .timeout(PATIENCE)
        .call()
        .unwrap();
    let mut events = BufReader::new(stream.into_reader()).lines();
    let mut next_list = move || -> Findings {
        loop {
            let line = events.next().expect("the stream ended").unwrap();
            if let Some(json) = line.strip_prefix("data:") {
                return serde_json::from_str(json.trim()).unwrap();
            }
        }
    };
    let id = "table-pressure:invalid";
    // The stream opens with the list as it is.
    assert!(next_list().active.iter().all(|f| f.id != id));

    lab.add_fault(Fault::ForgottenConnection).unwrap();
    while !next_list().active.iter().any(|f| f.id == id) {}
    let found = findings(&server);
    let finding = found.active.iter().find(|f| f.id == id).unwrap();
    assert!(finding.summary.contains("INVALID"), "{finding:#?}");
    assert!(!finding.fixes.is_empty());

    sh(&router, &["sysctl", "-qw", faults::LOOSE]);
    let invalid = |s: &Server| -> u64 {
        let now: CtStatsNow =
            serde_json::from_str(&s.get("/api/conntrack/stats").unwrap())
                .unwrap();
        now.stats.invalid
    };
    server.wait_for("INVALID packets to stop", |s| {
        // The statistics are read once a second.
        let before = invalid(s);
        std::thread::sleep(Duration::from_millis(2500));
        invalid(s) == before
    });
}
