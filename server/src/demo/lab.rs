//! The lab: three network namespaces joined by veth pairs.
//!
//! ```text
//!  client               router                    server
//!  c0 10.88.1.2 ──── r0 10.88.1.1 │ r1 10.88.2.1 ──── s0 10.88.2.2
//!     fd88:1::2         fd88:1::1 │    fd88:2::1         fd88:2::2
//!      DNAT tcp :8080 → server:80 and udp :5300 → server:5300,
//!      masquerade out of r1
//! ```

use std::net::{Ipv4Addr, Ipv6Addr};

use super::shell::{self, address, veth, Namespaces};

/// Addresses of the lab's hosts.
pub struct LabAddrs {
    pub client: Ipv4Addr,
    pub router_in: Ipv4Addr,
    pub router_out: Ipv4Addr,
    pub server: Ipv4Addr,
    pub client6: Ipv6Addr,
    pub router_in6: Ipv6Addr,
    pub server6: Ipv6Addr,
    /// Router TCP port forwarded (DNAT) to the server's `server_port`.
    pub published_port: u16,
    pub server_port: u16,
    /// UDP echo port of the server, forwarded from the same router port.
    pub udp_port: u16,
}

pub const ADDRS: LabAddrs = LabAddrs {
    client: Ipv4Addr::new(10, 88, 1, 2),
    router_in: Ipv4Addr::new(10, 88, 1, 1),
    router_out: Ipv4Addr::new(10, 88, 2, 1),
    server: Ipv4Addr::new(10, 88, 2, 2),
    client6: Ipv6Addr::new(0xfd88, 1, 0, 0, 0, 0, 0, 2),
    router_in6: Ipv6Addr::new(0xfd88, 1, 0, 0, 0, 0, 0, 1),
    server6: Ipv6Addr::new(0xfd88, 2, 0, 0, 0, 0, 0, 2),
    published_port: 8080,
    server_port: 80,
    udp_port: 5300,
};

/// The router's ruleset: what makes conntrack track, and the NAT, with
/// counters and a jump for the rules page to show.
const RULESET: &str = "
table inet nfscope_lab {
    chain prerouting {
        type nat hook prerouting priority dstnat;
        ip daddr 10.88.1.1 tcp dport 8080 counter dnat ip to 10.88.2.2:80
        ip daddr 10.88.1.1 udp dport 5300 counter dnat ip to 10.88.2.2:5300
        ip6 daddr fd88:1::1 tcp dport 8080 counter dnat ip6 to [fd88:2::2]:80
    }
    chain postrouting {
        type nat hook postrouting priority srcnat;
        oifname \"r1\" counter masquerade
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        ct state established,related counter accept
        jump published
    }
    chain published {
        tcp dport 80 counter accept comment \"the published web server\"
        udp dport 5300 counter accept
    }
}
";

/// Rules iptables-nft writes beside it, as a Docker host's would be:
/// a user chain that the builtin FORWARD chain jumps to.
const IPTABLES: &[&str] = &[
    "-N LAB-USER",
    "-A FORWARD -j LAB-USER",
    "-A LAB-USER -p udp -m conntrack --ctstate NEW --dport 5300 -j ACCEPT",
    "-A LAB-USER -j RETURN",
];

/// A built lab; dropping it deletes its namespaces.
pub struct Lab {
    namespaces: Namespaces,
}

impl Lab {
    /// Builds a lab whose namespaces are named `{base}-{random}-{host}`.
    pub fn build(base: &str) -> anyhow::Result<Self> {
        let namespaces = Namespaces::build(
            base,
            &["cli", "rtr", "srv"],
            "root, ip, nft",
            create,
        )?;
        Ok(Self { namespaces })
    }

    pub fn prefix(&self) -> &str {
        self.namespaces.prefix()
    }

    pub fn client(&self) -> String {
        self.namespaces.of("cli")
    }

    pub fn router(&self) -> String {
        self.namespaces.of("rtr")
    }

    pub fn server(&self) -> String {
        self.namespaces.of("srv")
    }

    /// Runs a command inside namespace `ns`.
    pub fn exec(&self, ns: &str, args: &[&str]) -> anyhow::Result<()> {
        shell::exec(ns, args)
    }

    /// Loads an nftables script inside namespace `ns`.
    pub fn nft(&self, ns: &str, script: &str) -> anyhow::Result<()> {
        shell::nft(ns, script)
    }
}

fn create(prefix: &str) -> anyhow::Result<()> {
    let [cli, rtr, srv] =
        ["cli", "rtr", "srv"].map(|host| format!("{prefix}-{host}"));
    veth(&cli, "c0", &rtr, "r0")?;
    veth(&rtr, "r1", &srv, "s0")?;
    let a = &ADDRS;
    address(&cli, "c0", a.client.into(), 24)?;
    address(&cli, "c0", a.client6.into(), 64)?;
    address(&rtr, "r0", a.router_in.into(), 24)?;
    address(&rtr, "r0", a.router_in6.into(), 64)?;
    address(&rtr, "r1", a.router_out.into(), 24)?;
    address(&rtr, "r1", "fd88:2::1".parse()?, 64)?;
    address(&srv, "s0", a.server.into(), 24)?;
    address(&srv, "s0", a.server6.into(), 64)?;
    for (ns, via, via6) in [
        (&cli, "10.88.1.1", "fd88:1::1"),
        (&srv, "10.88.2.1", "fd88:2::1"),
    ] {
        shell::exec(ns, &["ip", "route", "add", "default", "via", via])?;
        shell::exec(ns, &["ip", "-6", "route", "add", "default", "via", via6])?;
    }
    for setting in ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"] {
        shell::exec(&rtr, &["sysctl", "-qw", setting])?;
    }
    shell::nft(&rtr, RULESET)?;
    shell::iptables(&rtr, IPTABLES)?;
    // Per-namespace, and only once conntrack is loaded by the ruleset:
    // counters and kernel timestamps make the dashboard complete.
    for setting in [
        "net.netfilter.nf_conntrack_acct=1",
        "net.netfilter.nf_conntrack_timestamp=1",
    ] {
        shell::exec(&rtr, &["sysctl", "-qw", setting])?;
    }
    Ok(())
}
