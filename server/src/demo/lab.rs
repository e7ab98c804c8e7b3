//! The lab: three network namespaces joined by veth pairs.
//!
//! ```text
//!  client               router                    server
//!  c0 10.88.1.2 ──── r0 10.88.1.1 │ r1 10.88.2.1 ──── s0 10.88.2.2
//!     fd88:1::2         fd88:1::1 │    fd88:2::1         fd88:2::2
//!      DNAT tcp :8080 → server:80 and udp :5300 → server:5300,
//!      masquerade out of r1
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::process::{Command, Stdio};

use anyhow::{bail, Context};

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
const IPTABLES: [&[&str]; 4] = [
    &["-N", "LAB-USER"],
    &["-A", "FORWARD", "-j", "LAB-USER"],
    &[
        "-A",
        "LAB-USER",
        "-p",
        "udp",
        "-m",
        "conntrack",
        "--ctstate",
        "NEW",
        "--dport",
        "5300",
        "-j",
        "ACCEPT",
    ],
    &["-A", "LAB-USER", "-j", "RETURN"],
];

/// A built lab; dropping it deletes its namespaces.
pub struct Lab {
    prefix: String,
}

impl Lab {
    /// Builds a lab whose namespaces are named `{base}-{random}-{host}`.
    pub fn build(base: &str) -> anyhow::Result<Self> {
        let lab = Self {
            prefix: format!("{base}-{:08x}", random_u32()),
        };
        lab.create().with_context(|| {
            format!("building the lab {} (needs root, ip, nft)", lab.prefix)
        })?;
        Ok(lab)
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn client(&self) -> String {
        format!("{}-cli", self.prefix)
    }

    pub fn router(&self) -> String {
        format!("{}-rtr", self.prefix)
    }

    pub fn server(&self) -> String {
        format!("{}-srv", self.prefix)
    }

    fn create(&self) -> anyhow::Result<()> {
        let (cli, rtr, srv) = (self.client(), self.router(), self.server());
        for ns in [&cli, &rtr, &srv] {
            run("ip", &["netns", "add", ns])?;
            self.exec(ns, &["ip", "link", "set", "lo", "up"])?;
        }
        veth(&cli, "c0", &rtr, "r0")?;
        veth(&rtr, "r1", &srv, "s0")?;
        let a = &ADDRS;
        self.address(&cli, "c0", a.client.into(), 24)?;
        self.address(&cli, "c0", a.client6.into(), 64)?;
        self.address(&rtr, "r0", a.router_in.into(), 24)?;
        self.address(&rtr, "r0", a.router_in6.into(), 64)?;
        self.address(&rtr, "r1", a.router_out.into(), 24)?;
        self.address(&rtr, "r1", "fd88:2::1".parse()?, 64)?;
        self.address(&srv, "s0", a.server.into(), 24)?;
        self.address(&srv, "s0", a.server6.into(), 64)?;
        for (ns, via, via6) in [
            (&cli, "10.88.1.1", "fd88:1::1"),
            (&srv, "10.88.2.1", "fd88:2::1"),
        ] {
            self.exec(ns, &["ip", "route", "add", "default", "via", via])?;
            self.exec(
                ns,
                &["ip", "-6", "route", "add", "default", "via", via6],
            )?;
        }
        for setting in
            ["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]
        {
            self.exec(&rtr, &["sysctl", "-qw", setting])?;
        }
        self.nft(&rtr, RULESET)?;
        for rule in IPTABLES {
            let mut args = vec!["iptables-nft"];
            args.extend_from_slice(rule);
            self.exec(&rtr, &args)?;
        }
        // Per-namespace, and only once conntrack is loaded by the ruleset:
        // counters and kernel timestamps make the dashboard complete.
        for setting in [
            "net.netfilter.nf_conntrack_acct=1",
            "net.netfilter.nf_conntrack_timestamp=1",
        ] {
            self.exec(&rtr, &["sysctl", "-qw", setting])?;
        }
        Ok(())
    }

    fn address(
        &self,
        ns: &str,
        dev: &str,
        addr: IpAddr,
        len: u8,
    ) -> anyhow::Result<()> {
        let cidr = format!("{addr}/{len}");
        let mut args = vec!["ip", "addr", "add", &cidr, "dev", dev];
        if addr.is_ipv6() {
            // No duplicate address detection: usable at once.
            args.push("nodad");
        }
        self.exec(ns, &args)
    }

    /// Runs a command inside namespace `ns`.
    pub fn exec(&self, ns: &str, args: &[&str]) -> anyhow::Result<()> {
        let mut full = vec!["netns", "exec", ns];
        full.extend_from_slice(args);
        run("ip", &full)
    }

    /// Loads an nftables script inside namespace `ns`.
    pub fn nft(&self, ns: &str, script: &str) -> anyhow::Result<()> {
        use std::io::Write;
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns, "nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("running nft (is the nftables package installed?)")?;
        child
            .stdin
            .take()
            .context("nft stdin")?
            .write_all(script.as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("nft -f failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(())
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for ns in [self.client(), self.router(), self.server()] {
            let _ = Command::new("ip")
                .args(["netns", "del", &ns])
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn veth(ns_a: &str, a: &str, ns_b: &str, b: &str) -> anyhow::Result<()> {
    run(
        "ip",
        &[
            "link", "add", a, "netns", ns_a, "type", "veth", "peer", "name", b,
            "netns", ns_b,
        ],
    )?;
    for (ns, dev) in [(ns_a, a), (ns_b, b)] {
        run("ip", &["-n", ns, "link", "set", dev, "up"])?;
    }
    Ok(())
}

fn run(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("running {program}"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Enough randomness to keep concurrent labs apart, without a dependency.
fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    h.finish() as u32
}
