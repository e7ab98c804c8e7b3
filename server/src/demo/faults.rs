//! Faults the healthy router lab can be given, each for one check to
//! find and, where one exists, its repair: a NAT port clash (none), a
//! server whose firewall drops what
//! reaches it (connections never answered), risky settings on the
//! router (an address-less bridge with bridge netfilter and strict
//! reverse-path filtering, a liberal TCP window check), and a router that tracks
//! TCP strictly and has forgotten a busy connection to a service of its
//! own (every segment of it INVALID, conntrack's INVALID counter
//! rising). The service is on the router so that no NAT is involved: a
//! forgotten masqueraded connection would lose its NAT too and be reset
//! at once.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use super::lab::{Lab, ADDRS};
use super::shell;
use super::traffic::{in_netns, serve_tcp};

/// The server's firewall: the web port is dropped, so SYNs, direct or
/// DNATed, go unanswered.
const DROPPING_SERVER: &str = "
table inet lab_drop {
    chain input {
        type filter hook input priority filter;
        tcp dport 80 drop
    }
}
";

/// The repair: the server's firewall lets the web port in again.
pub const STOP_DROPPING: &str = "delete table inet lab_drop";

/// The client's source port of both clashing flows.
const CLASH_PORT: u16 = 50000;

/// Between two rounds of the clash: longer than an unanswered-twice UDP
/// entry lives (30 s), so that each round is born again.
const CLASH_EVERY: Duration = Duration::from_secs(35);

/// The router's risky settings: a bridge with a port and no address,
/// bridge netfilter on, strict reverse-path filtering on the bridge, and
/// TCP packets outside the window accepted.
const RISKY: &[&[&str]] = &[
    &["ip", "link", "add", "br-lab", "type", "bridge"],
    &["ip", "link", "set", "br-lab", "up"],
    // A bridge with a port: one without bridges nothing.
    &[
        "ip", "link", "add", "lab-p0", "type", "veth", "peer", "name", "lab-p1",
    ],
    &["ip", "link", "set", "lab-p0", "master", "br-lab"],
    &["sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1"],
    &["sysctl", "-qw", "net.ipv4.conf.br-lab.rp_filter=2"],
    &[
        "sysctl",
        "-qw",
        "net.netfilter.nf_conntrack_tcp_be_liberal=1",
    ],
];

/// The repair of the setting that hides the most: out-of-window packets
/// are INVALID again.
pub const CAREFUL: &str = "net.netfilter.nf_conntrack_tcp_be_liberal=0";

/// Conntrack in the router picks up no connection mid-stream.
const STRICT: &str = "net.netfilter.nf_conntrack_tcp_loose=0";

/// The repair: it picks the forgotten connection up again.
pub const LOOSE: &str = "net.netfilter.nf_conntrack_tcp_loose=1";

/// The pause between requests on the forgotten connection; each and its
/// answer are two INVALID packets in the router.
const TALK_EVERY: Duration = Duration::from_millis(40);

/// The router's own service that the forgotten connection talks to.
const TALK_PORT: u16 = 7000;

/// What is wrong with the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    PortClash,
    DroppingServer,
    RiskySettings,
    ForgottenConnection,
}

impl Lab {
    /// Breaks the lab as `fault` says; its traffic is started already.
    pub fn add_fault(&self, fault: Fault) -> anyhow::Result<()> {
        match fault {
            Fault::PortClash => {
                // UDP from that port leaves the router un-masqueraded:
                // the flow from it straight to the server keeps its
                // tuple, so the one to the router's published port,
                // DNATed to the same server, would get the same reply
                // tuple, and NAT moves its source port.
                let rule = format!(
                    "insert rule inet nfscope_lab postrouting udp sport \
                     {CLASH_PORT} accept"
                );
                shell::nft(&self.router(), &rule)?;
                in_netns(self.client(), "lab-port-clash", clash)
            }
            Fault::DroppingServer => {
                shell::nft(&self.server(), DROPPING_SERVER)
            }
            Fault::RiskySettings => {
                let router = self.router();
                RISKY.iter().try_for_each(|args| shell::exec(&router, args))
            }
            Fault::ForgottenConnection => {
                let router = self.router();
                shell::exec(&router, &["sysctl", "-qw", STRICT])?;
                let (ready, bound) = mpsc::channel();
                in_netns(router.clone(), "lab-talk-server", move || {
                    let listener =
                        TcpListener::bind((ADDRS.router_in, TALK_PORT));
                    let _ = ready.send(
                        listener
                            .as_ref()
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                    );
                    serve_tcp(&listener?);
                    Ok(())
                })?;
                bound.recv()?.map_err(anyhow::Error::msg)?;
                in_netns(self.client(), "lab-forgotten", move || {
                    talk_forgotten(&router)
                })
            }
        }
    }
}

/// From the clashing port, a query to the server and one to the
/// router's published port, each answered, every [`CLASH_EVERY`].
fn clash() -> std::io::Result<()> {
    let socket = UdpSocket::bind((ADDRS.client, CLASH_PORT))?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = [0u8; 64];
    loop {
        for to in [ADDRS.server, ADDRS.router_in] {
            socket.send_to(b"ping", (to, ADDRS.udp_port))?;
            socket.recv_from(&mut buf)?;
        }
        thread::sleep(CLASH_EVERY);
    }
}

/// Opens a connection through the router, makes the router forget it,
/// and keeps talking on it until the lab goes.
fn talk_forgotten(router: &str) -> std::io::Result<()> {
    let mut stream = TcpStream::connect((ADDRS.router_in, TALK_PORT))?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let port = TALK_PORT.to_string();
    let forget = ["conntrack", "-D", "-p", "tcp", "--orig-port-dst", &port];
    shell::exec(router, &forget).map_err(std::io::Error::other)?;
    let mut buf = [0u8; 256];
    loop {
        stream.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
        if stream.read(&mut buf)? == 0 {
            return Ok(());
        }
        thread::sleep(TALK_EVERY);
    }
}
