//! The hairpin lab: a home router forwards a port of its public address
//! to a server on the LAN, and a client on the same LAN uses the public
//! address.
//!
//! ```text
//!  cli 10.88.1.2 ─┐
//!                 sw (a switch: a bridge, no netfilter) ─ rtr lan0 10.88.1.1
//!  srv 10.88.1.3 ─┘                                        rtr wan0 203.0.113.1
//!  DNAT 203.0.113.1:8080 → 10.88.1.3:80, masquerade out of wan0 only
//! ```
//!
//! The client's SYN goes to the router, which DNATs it to the server.
//! The server answers the client directly, on the LAN: the client gets
//! a SYN/ACK from 10.88.1.3, which it never asked, and resets it; the
//! router never sees an answer, and its entry stays SYN_SENT. The fix is
//! hairpin NAT: masquerade what is DNATed back into the LAN, so that the
//! server answers the router.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::shell::{self, address, veth, Namespaces};
use super::traffic::{answer_http, in_netns, keep_requesting};

pub const PUBLIC: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 1);
pub const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 88, 1, 2);
pub const SERVER: Ipv4Addr = Ipv4Addr::new(10, 88, 1, 3);
pub const PUBLISHED_PORT: u16 = 8080;
pub const SERVER_PORT: u16 = 80;

const RULESET: &str = "
table ip home {
    chain prerouting {
        type nat hook prerouting priority dstnat;
        ip daddr 203.0.113.1 tcp dport 8080 counter dnat to 10.88.1.3:80
    }
    chain postrouting {
        type nat hook postrouting priority srcnat;
        oifname \"wan0\" counter masquerade
    }
}
";

/// The remedy, as an nft command run on the router.
pub const HAIRPIN: &str = "add rule ip home postrouting ip saddr 10.88.1.0/24 \
                           ip daddr 10.88.1.3 ct status dnat masquerade";

const ROUND: Duration = Duration::from_secs(1);

/// A built hairpin lab; dropping it deletes its namespaces.
pub struct HairpinLab {
    namespaces: Namespaces,
}

impl HairpinLab {
    /// Builds the lab, broken: namespaces `{base}-{random}-{cli,srv,sw,rtr}`.
    pub fn build(base: &str) -> anyhow::Result<Self> {
        let namespaces = Namespaces::build(
            base,
            &["cli", "srv", "sw", "rtr"],
            "root, ip, nft",
            create,
        )?;
        Ok(Self { namespaces })
    }

    pub fn prefix(&self) -> &str {
        self.namespaces.prefix()
    }

    /// The home router: the namespace to watch.
    pub fn router(&self) -> String {
        self.namespaces.of("rtr")
    }

    pub fn client(&self) -> String {
        self.namespaces.of("cli")
    }

    pub fn server(&self) -> String {
        self.namespaces.of("srv")
    }

    /// Starts the web server, and the client's requests to the public
    /// address, one per round.
    pub fn start_traffic(&self) -> anyhow::Result<()> {
        let server = SocketAddr::from((SERVER, SERVER_PORT));
        in_netns(self.server(), "lab-lan-server", move || {
            answer_http(server, b"home\n")
        })?;
        let public = SocketAddr::from((PUBLIC, PUBLISHED_PORT));
        in_netns(self.client(), "lab-lan-client", move || {
            keep_requesting(public, ROUND)
        })
    }
}

fn create(prefix: &str) -> anyhow::Result<()> {
    let [cli, srv, sw, rtr] =
        ["cli", "srv", "sw", "rtr"].map(|h| format!("{prefix}-{h}"));
    shell::exec(&sw, &["ip", "link", "add", "lan", "type", "bridge"])?;
    shell::exec(&sw, &["ip", "link", "set", "lan", "up"])?;
    for (ns, dev, port) in [
        (&cli, "eth0", "p-cli"),
        (&srv, "eth0", "p-srv"),
        (&rtr, "lan0", "p-rtr"),
    ] {
        veth(ns, dev, &sw, port)?;
        shell::exec(&sw, &["ip", "link", "set", port, "master", "lan"])?;
    }
    // The internet side: a link of its own, so that masquerading out of
    // it means something.
    shell::exec(&rtr, &["ip", "link", "add", "wan0", "type", "bridge"])?;
    shell::exec(&rtr, &["ip", "link", "set", "wan0", "up"])?;
    address(&rtr, "wan0", PUBLIC.into(), 24)?;
    address(&rtr, "lan0", "10.88.1.1".parse()?, 24)?;
    address(&cli, "eth0", CLIENT.into(), 24)?;
    address(&srv, "eth0", SERVER.into(), 24)?;
    for ns in [&cli, &srv] {
        shell::exec(
            ns,
            &["ip", "route", "add", "default", "via", "10.88.1.1"],
        )?;
    }
    shell::exec(&rtr, &["sysctl", "-qw", "net.ipv4.ip_forward=1"])?;
    shell::nft(&rtr, RULESET)?;
    for setting in [
        "net.netfilter.nf_conntrack_acct=1",
        "net.netfilter.nf_conntrack_timestamp=1",
    ] {
        shell::exec(&rtr, &["sysctl", "-qw", setting])?;
    }
    Ok(())
}
