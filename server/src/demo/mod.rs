//! `nfscope demo`: a lab of network namespaces with live traffic, so a
//! newcomer sees real flows at once. Integration tests build the same
//! labs. A scenario other than the healthy router starts broken and can
//! be repaired from the page.

pub mod docker_bridge;
pub mod faults;
pub mod hairpin;
mod lab;
mod shell;
mod traffic;

pub use docker_bridge::DockerBridgeLab;
pub use faults::Fault;
pub use hairpin::HairpinLab;
pub use lab::{Lab, LabAddrs, ADDRS};

/// The labs `nfscope demo --scenario` offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// A healthy NAT router: client, router, server.
    #[default]
    Router,
    /// A container on an address-less bridge, joined to a Docker host's
    /// LAN bridge, with bridge-nf-call-iptables on: connections to a
    /// published port are reset.
    DockerBridge,
    /// A home router forwarding a port to a server on its LAN, used by a
    /// client on the same LAN through the public address: no hairpin
    /// NAT, so connections are never answered.
    Hairpin,
    /// The healthy router, with a client whose UDP flow to the server and
    /// its flow to the router's published port, DNATed to the same
    /// server, want one reply tuple: NAT rewrites a source port. There
    /// is no repair to offer.
    PortClash,
    /// The healthy router, but the server's firewall drops its web port:
    /// connections, direct and DNATed, are never answered.
    Unanswered,
    /// The healthy router, with risky settings: an address-less bridge
    /// with bridge netfilter and strict reverse-path filtering, and a
    /// liberal TCP window check.
    RiskySettings,
    /// The healthy router, but it tracks TCP strictly and has forgotten
    /// a connection that keeps talking: INVALID packets pile up.
    InvalidFlood,
}

impl Scenario {
    /// What the scenario breaks in the healthy router, if that is what
    /// it is.
    fn fault(self) -> Option<Fault> {
        match self {
            Self::PortClash => Some(Fault::PortClash),
            Self::Unanswered => Some(Fault::DroppingServer),
            Self::RiskySettings => Some(Fault::RiskySettings),
            Self::InvalidFlood => Some(Fault::ForgottenConnection),
            Self::Router | Self::DockerBridge | Self::Hairpin => None,
        }
    }
}

/// A running scenario: its namespaces live as long as this does.
pub enum Demo {
    Router(Lab, Option<Fault>),
    DockerBridge(DockerBridgeLab),
    Hairpin(HairpinLab),
}

impl Demo {
    /// Builds the scenario's lab and starts its traffic.
    pub fn start(scenario: Scenario, base: &str) -> anyhow::Result<Self> {
        Ok(match scenario {
            Scenario::Router
            | Scenario::PortClash
            | Scenario::Unanswered
            | Scenario::RiskySettings
            | Scenario::InvalidFlood => {
                let fault = scenario.fault();
                let lab = Lab::build(base)?;
                lab.start_servers()?;
                lab.start_client()?;
                if let Some(fault) = fault {
                    lab.add_fault(fault)?;
                }
                Self::Router(lab, fault)
            }
            Scenario::DockerBridge => {
                let lab = DockerBridgeLab::build(base)?;
                lab.start_backend()?;
                lab.start_container()?;
                Self::DockerBridge(lab)
            }
            Scenario::Hairpin => {
                let lab = HairpinLab::build(base)?;
                lab.start_traffic()?;
                Self::Hairpin(lab)
            }
        })
    }

    pub fn prefix(&self) -> &str {
        match self {
            Self::Router(lab, _) => lab.prefix(),
            Self::DockerBridge(lab) => lab.prefix(),
            Self::Hairpin(lab) => lab.prefix(),
        }
    }

    /// The namespace the dashboard watches.
    pub fn watched(&self) -> String {
        match self {
            Self::Router(lab, _) => lab.router(),
            Self::DockerBridge(lab) => lab.host(),
            Self::Hairpin(lab) => lab.router(),
        }
    }

    /// The repair the page offers, for a scenario that is broken.
    pub fn remedy(&self) -> Option<Remedy> {
        let (title, netns, tool, args) = match self {
            Self::Router(_, None | Some(Fault::PortClash)) => return None,
            Self::Router(lab, Some(Fault::DroppingServer)) => (
                "Let the web port through the server's firewall",
                lab.server(),
                Tool::Nft,
                faults::STOP_DROPPING,
            ),
            Self::Router(lab, Some(Fault::RiskySettings)) => (
                "Check TCP windows again (tcp_be_liberal=0)",
                lab.router(),
                Tool::Sysctl,
                faults::CAREFUL,
            ),
            Self::Router(lab, Some(Fault::ForgottenConnection)) => (
                "Let conntrack pick up connections mid-stream",
                lab.router(),
                Tool::Sysctl,
                faults::LOOSE,
            ),
            Self::DockerBridge(lab) => (
                "Stop tracking on br-lan137 (NOTRACK)",
                lab.host(),
                Tool::Iptables,
                docker_bridge::NOTRACK,
            ),
            Self::Hairpin(lab) => (
                "Add hairpin NAT (masquerade LAN to LAN)",
                lab.router(),
                Tool::Nft,
                hairpin::HAIRPIN,
            ),
        };
        Some(Remedy {
            title,
            command: format!("{} {args}", tool.typed()),
            netns,
            tool,
            args,
        })
    }
}

/// The fix of a broken scenario, applied when an admin asks.
#[derive(Clone, Debug)]
pub struct Remedy {
    pub title: &'static str,
    /// What it runs, as a user would type it.
    pub command: String,
    netns: String,
    tool: Tool,
    args: &'static str,
}

#[derive(Clone, Copy, Debug)]
enum Tool {
    Iptables,
    Nft,
    Sysctl,
}

impl Tool {
    /// The command as a user types it before its arguments.
    fn typed(self) -> &'static str {
        match self {
            Tool::Iptables => "iptables",
            Tool::Nft => "nft",
            Tool::Sysctl => "sysctl -w",
        }
    }
}

impl Remedy {
    pub fn apply(&self) -> anyhow::Result<()> {
        match self.tool {
            Tool::Iptables => shell::iptables(&self.netns, &[self.args]),
            Tool::Nft => shell::nft(&self.netns, self.args),
            Tool::Sysctl => {
                shell::exec(&self.netns, &["sysctl", "-qw", self.args])
            }
        }
    }
}
