//! The Docker-bridge lab: the double-tracking bug of a container on an
//! address-less bridge joined to a Docker host's LAN bridge, with
//! `bridge-nf-call-iptables=1`.
//!
//! ```text
//!  ctr                    host                                     back
//!  eth0 192.168.137.248 ─ vc ┐                  ┌ vb ─ eth0 172.18.0.4:5000
//!              br-lan137 (no address)     br-docker 172.18.0.1/16
//!                  veth-lan137-1 ═══ veth-lan137-2
//!                               br-host 192.168.137.250/24
//!  DNAT :5000 → 172.18.0.4:5000 for every LOCAL address, any input
//!  interface but br-docker (Docker's own rules); FORWARD policy DROP.
//! ```
//!
//! The container's SYN to 192.168.137.250:5000 is DNATed while it is
//! bridged through br-lan137. The SYN/ACK comes back through br-host and
//! is bridged through br-lan137 again, where conntrack meets it as the
//! first packet of an unknown connection: INVALID, passed un-NATed. The
//! next packet from the server (a pure ACK) is picked up as a new
//! ESTABLISHED connection whose reply tuple clashes with the first
//! entry's original one; NAT rewrites its source port, the container
//! does not know that port and answers with a reset. The fix is not to
//! track on br-lan137: `iptables -t raw -I PREROUTING 1 -i br-lan137 -j
//! NOTRACK`.
//!
//! What else the lab needs to behave like the Docker host it imitates:
//! - `rp_filter` 0 on the host. With 2 (Ubuntu's default), the
//!   address-less br-lan137 fails the reverse-path check and the SYN is
//!   dropped: connections time out instead of being reset.
//! - An accept for br-lan137 → br-lan137 in DOCKER-USER: bridged frames
//!   cross iptables' FORWARD too, whose policy is DROP.
//! - `nf_conntrack_tcp_loose` 1 (the default): the pure ACK after the
//!   INVALID SYN/ACK is what creates the clashing entry.
//! - Nothing for ARP: the container's ARP for the host's address crosses
//!   both bridges as any frame does, and br-host answers it.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::shell::{self, address, Namespaces};
use super::traffic::{answer_http, in_netns, keep_requesting};

pub const HOST_LAN: Ipv4Addr = Ipv4Addr::new(192, 168, 137, 250);
pub const CONTAINER: Ipv4Addr = Ipv4Addr::new(192, 168, 137, 248);
pub const BACKEND: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 4);
pub const PUBLISHED_PORT: u16 = 5000;
/// The address-less bridge the container is on.
pub const CONTAINER_BRIDGE: &str = "br-lan137";

/// The remedy, as an iptables command run on the host.
pub const NOTRACK: &str = "-t raw -I PREROUTING 1 -i br-lan137 -j NOTRACK";

/// Docker's rules for one published port, as `iptables-nft` writes them,
/// and the accept the seed's author added for the container's bridge.
const DOCKER_RULES: &[&str] = &[
    "-t nat -N DOCKER",
    "-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
    "-t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
    "-t nat -A POSTROUTING -s 172.18.0.0/16 ! -o br-docker -j MASQUERADE",
    "-t nat -A DOCKER -i br-docker -j RETURN",
    "-t nat -A DOCKER ! -i br-docker -p tcp -m tcp --dport 5000 -j DNAT \
     --to-destination 172.18.0.4:5000",
    "-P FORWARD DROP",
    "-N DOCKER-USER",
    "-N DOCKER-FORWARD",
    "-N DOCKER-ISOLATION-STAGE-1",
    "-N DOCKER-ISOLATION-STAGE-2",
    "-N DOCKER",
    "-A FORWARD -j DOCKER-USER",
    "-A FORWARD -j DOCKER-FORWARD",
    "-A DOCKER-USER -i br-lan137 -o br-lan137 -j ACCEPT",
    "-A DOCKER-USER -j RETURN",
    "-A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1",
    "-A DOCKER-FORWARD -o br-docker -m conntrack --ctstate RELATED,ESTABLISHED \
     -j ACCEPT",
    "-A DOCKER-FORWARD -o br-docker -j DOCKER",
    "-A DOCKER-FORWARD -i br-docker -j ACCEPT",
    "-A DOCKER-ISOLATION-STAGE-1 -i br-docker ! -o br-docker -j \
     DOCKER-ISOLATION-STAGE-2",
    "-A DOCKER-ISOLATION-STAGE-1 -j RETURN",
    "-A DOCKER-ISOLATION-STAGE-2 -o br-docker -j DROP",
    "-A DOCKER-ISOLATION-STAGE-2 -j RETURN",
    "-A DOCKER -d 172.18.0.4/32 ! -i br-docker -o br-docker -p tcp -m tcp \
     --dport 5000 -j ACCEPT",
];

/// Pause between the container's requests.
const ROUND: Duration = Duration::from_secs(2);

/// A built Docker-bridge lab; dropping it deletes its namespaces.
pub struct DockerBridgeLab {
    namespaces: Namespaces,
}

impl DockerBridgeLab {
    /// Builds the lab, broken: namespaces `{base}-{random}-{host,back,ctr}`.
    pub fn build(base: &str) -> anyhow::Result<Self> {
        let namespaces = Namespaces::build(
            base,
            &["host", "back", "ctr"],
            "root, ip, iptables-nft",
            create,
        )?;
        Ok(Self { namespaces })
    }

    pub fn prefix(&self) -> &str {
        self.namespaces.prefix()
    }

    /// The Docker host: the namespace to watch.
    pub fn host(&self) -> String {
        self.namespaces.of("host")
    }

    pub fn backend(&self) -> String {
        self.namespaces.of("back")
    }

    pub fn container(&self) -> String {
        self.namespaces.of("ctr")
    }

    /// Starts the published web server on the backend.
    pub fn start_backend(&self) -> anyhow::Result<()> {
        let at = SocketAddr::from((BACKEND, PUBLISHED_PORT));
        in_netns(self.backend(), "lab-backend", move || {
            answer_http(at, b"hello\n")
        })
    }

    /// Starts the container's requests to the published port, one per
    /// round, each on a new connection.
    pub fn start_container(&self) -> anyhow::Result<()> {
        let published = SocketAddr::from((HOST_LAN, PUBLISHED_PORT));
        in_netns(self.container(), "lab-container", move || {
            keep_requesting(published, ROUND)
        })
    }
}

fn create(prefix: &str) -> anyhow::Result<()> {
    let [host, back, ctr] =
        ["host", "back", "ctr"].map(|h| format!("{prefix}-{h}"));
    let link = |args: &[&str]| {
        let mut full = vec!["ip", "link"];
        full.extend_from_slice(args);
        shell::exec(&host, &full)
    };
    for bridge in ["br-host", "br-docker", CONTAINER_BRIDGE] {
        link(&["add", bridge, "type", "bridge"])?;
    }
    link(&[
        "add",
        "veth-lan137-1",
        "type",
        "veth",
        "peer",
        "name",
        "veth-lan137-2",
    ])?;
    shell::veth(&host, "vb", &back, "eth0")?;
    shell::veth(&host, "vc", &ctr, "eth0")?;
    for (port, bridge) in [
        ("veth-lan137-1", CONTAINER_BRIDGE),
        ("veth-lan137-2", "br-host"),
        ("vb", "br-docker"),
        ("vc", CONTAINER_BRIDGE),
    ] {
        link(&["set", port, "master", bridge])?;
    }
    for dev in [
        "br-host",
        "br-docker",
        CONTAINER_BRIDGE,
        "veth-lan137-1",
        "veth-lan137-2",
    ] {
        link(&["set", dev, "up"])?;
    }
    address(&host, "br-host", HOST_LAN.into(), 24)?;
    address(&host, "br-docker", "172.18.0.1".parse()?, 16)?;
    address(&back, "eth0", BACKEND.into(), 16)?;
    address(&ctr, "eth0", CONTAINER.into(), 24)?;
    shell::exec(
        &back,
        &["ip", "route", "add", "default", "via", "172.18.0.1"],
    )?;
    shell::exec(
        &ctr,
        &[
            "ip",
            "route",
            "add",
            "default",
            "via",
            &HOST_LAN.to_string(),
        ],
    )?;
    for setting in [
        "net.ipv4.ip_forward=1",
        "net.ipv4.conf.all.rp_filter=0",
        "net.ipv4.conf.default.rp_filter=0",
        "net.ipv4.conf.br-lan137.rp_filter=0",
    ] {
        shell::exec(&host, &["sysctl", "-qw", setting])?;
    }
    // The per-namespace switch of br_netfilter, under /proc/sys/net/bridge.
    shell::exec(
        &host,
        &["sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=1"],
    )?;
    shell::iptables(&host, DOCKER_RULES)?;
    for setting in [
        "net.netfilter.nf_conntrack_acct=1",
        "net.netfilter.nf_conntrack_timestamp=1",
    ] {
        shell::exec(&host, &["sysctl", "-qw", setting])?;
    }
    Ok(())
}
