//! Issue 8: in a NAT router lab, the API shows exactly the flows that
//! `conntrack -L` shows, with the right tuples and NAT classification for
//! a DNAT, a masquerade and a forced source-port clash; NEW and DESTROY
//! reach a WebSocket watcher.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use app::wire::{Flow, Nat, ServerMsg};
use common::*;

/// A UDP source port the lab's masquerade leaves alone, so that a DNAT
/// towards the same server collides with the direct flow.
const CLASH_PORT: u16 = 50000;

fn udp_exchange(socket: &UdpSocket, to: (std::net::Ipv4Addr, u16)) {
    socket.send_to(b"ping", to).unwrap();
    let mut buf = [0u8; 16];
    socket.recv_from(&mut buf).expect("UDP echo answered");
}

fn tcp_request(to: (std::net::Ipv4Addr, u16)) {
    let mut s = TcpStream::connect(to).expect("TCP connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut buf = [0u8; 64];
    assert!(s.read(&mut buf).unwrap() > 0);
}

fn by_port(flows: &[Flow], proto: &str, dport: u16, dst: &str) -> Flow {
    flows
        .iter()
        .find(|f| {
            f.proto.to_string() == proto
                && f.orig.dport == Some(dport)
                && f.orig.dst.to_string() == dst
        })
        .unwrap_or_else(|| panic!("no {proto} flow to {dst}:{dport}"))
        .clone()
}

#[test]
fn api_matches_conntrack_with_nat_classified() {
    let lab = lab();
    lab.start_servers().unwrap();
    lab.nft(
        &lab.router(),
        &format!(
            "insert rule inet nfscope_lab postrouting \
             udp sport {CLASH_PORT} accept"
        ),
    )
    .unwrap();
    let server = Server::start(&lab.router(), &[]);

    in_netns(&lab.client(), || {
        // DNAT + masquerade, and masquerade alone.
        tcp_request((ADDRS.router_in, ADDRS.published_port));
        tcp_request((ADDRS.server, ADDRS.server_port));
        // The clash: the direct flow takes the reply tuple the DNATed one
        // would get, so NAT must rewrite the DNATed flow's source port.
        let socket = UdpSocket::bind((ADDRS.client, CLASH_PORT)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        udp_exchange(&socket, (ADDRS.server, ADDRS.udp_port));
        udp_exchange(&socket, (ADDRS.router_in, ADDRS.udp_port));
    });

    server.wait_for("four flows", |s| s.flows("").total >= 4);
    let flows = server.flows("").flows;
    let router_in = ADDRS.router_in.to_string();
    let server_ip = ADDRS.server.to_string();

    let dnat = by_port(&flows, "tcp", ADDRS.published_port, &router_in);
    assert_eq!(dnat.nat, [Nat::Dnat, Nat::Snat]);
    assert_eq!(dnat.reply.src.to_string(), server_ip);
    assert_eq!(dnat.reply.sport, Some(ADDRS.server_port));
    assert_eq!(dnat.reply.dst.to_string(), ADDRS.router_out.to_string());

    let masq = by_port(&flows, "tcp", ADDRS.server_port, &server_ip);
    assert_eq!(masq.nat, [Nat::Snat]);

    let direct = by_port(&flows, "udp", ADDRS.udp_port, &server_ip);
    assert!(direct.nat.is_empty(), "{:?}", direct.nat);
    assert_eq!(direct.orig.sport, Some(CLASH_PORT));

    let clash = by_port(&flows, "udp", ADDRS.udp_port, &router_in);
    assert_eq!(clash.nat, [Nat::Dnat, Nat::SportRewrite]);
    assert_eq!(clash.reply.dst, clash.orig.src);
    assert_ne!(clash.reply.dport, Some(CLASH_PORT));

    // The filter language agrees.
    let page = server.flows("q=nat:sport-rewrite");
    assert_eq!(page.total, 1);
    assert_eq!(page.flows[0].key, clash.key);

    // Same ids, same tuples as the reference tool.
    server.wait_for("the API to agree with conntrack -L", |s| {
        let reference = conntrack_list(&lab.router());
        let ours = s.flows("").flows;
        let ours: std::collections::BTreeMap<u32, CtLine> =
            ours.iter().map(|f| (f.id, api_line(f))).collect();
        if ours != reference {
            eprintln!("api: {ours:#?}\nconntrack: {reference:#?}");
        }
        ours == reference
    });

    // `/metrics` counts the same flows, by kind of NAT too.
    server.wait_for("the metrics to count the flows", |s| {
        let m = metrics(s);
        let total: f64 = m
            .iter()
            .filter(|(k, _)| k.starts_with("nfscope_flows{"))
            .map(|(_, v)| v)
            .sum();
        m.get("nfscope_conntrack_entries") == Some(&total)
            && m.get(r#"nfscope_flows_nat{kind="sport-rewrite"}"#) == Some(&1.0)
            && m.get(r#"nfscope_flows_nat{kind="dnat"}"#) >= Some(&2.0)
            && m.get(r#"nfscope_collector_up{collector="conntrack"}"#) == Some(&1.0)
            && m.keys().any(|k| k.starts_with("nfscope_rule_packets_total{family=\"inet\",table=\"nfscope_lab\""))
    });
}

/// `/metrics` by series (name and labels), comments left out.
fn metrics(server: &Server) -> std::collections::BTreeMap<String, f64> {
    let text = server.get("/metrics").unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

#[test]
fn new_and_destroy_reach_the_websocket() {
    let lab = lab();
    lab.start_servers().unwrap();
    let server = Server::start(&lab.router(), &[]);
    let url = format!(
        "{}/api/ws?q=proto:udp",
        server.base.replace("http://", "ws://")
    );
    let (mut ws, _) = tungstenite::connect(url).expect("WebSocket connect");
    let mut next = || -> ServerMsg {
        let msg = ws.read().expect("stream message");
        serde_json::from_str(msg.to_text().unwrap()).unwrap()
    };
    let ServerMsg::Snapshot { seq, .. } = next() else {
        panic!("the stream must start with a snapshot");
    };

    in_netns(&lab.client(), || {
        let socket = UdpSocket::bind((ADDRS.client, 41234)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        udp_exchange(&socket, (ADDRS.server, ADDRS.udp_port));
    });

    let end = Instant::now() + PATIENCE;
    let mut last_seq = seq;
    let mut created = None;
    let mut destroyed = false;
    while !destroyed {
        assert!(Instant::now() < end, "no NEW and DESTROY on the stream");
        match next() {
            ServerMsg::Delta {
                seq,
                upsert,
                remove,
                ..
            } => {
                assert_eq!(seq, last_seq + 1, "sequence numbers are dense");
                last_seq = seq;
                if created.is_none() {
                    if let Some(f) =
                        upsert.iter().find(|f| f.orig.sport == Some(41234))
                    {
                        created = Some(f.key);
                        // Delete it the way an admin would.
                        sh(
                            &lab.router(),
                            &[
                                "conntrack",
                                "-D",
                                "-p",
                                "udp",
                                "--sport",
                                "41234",
                            ],
                        );
                    }
                }
                destroyed = created.is_some_and(|k| remove.contains(&k));
            }
            other => panic!("unexpected message {other:?}"),
        }
    }
    let seen: BTreeSet<_> =
        server.flows("").flows.iter().map(|f| f.key).collect();
    assert!(!seen.contains(&created.unwrap()));
}
