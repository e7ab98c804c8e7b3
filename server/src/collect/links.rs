//! The watched namespace's interfaces over rtnetlink: names, kinds
//! (bridge, veth, …), bridge membership and addresses. Read when asked:
//! the diagnosis needs them once a second at most.

use std::io;
use std::net::IpAddr;

use netlink_packet_core::{
    NetlinkBuffer, NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};

use super::netlink::READ_SIZE;
use super::nftables::attr::raw_attrs;

const RTM_GETLINK: u16 = 18;
const RTM_NEWLINK: u16 = 16;
const RTM_GETADDR: u16 = 22;
const RTM_NEWADDR: u16 = 20;
const IFLA_IFNAME: u16 = 3;
const IFLA_MASTER: u16 = 10;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
/// `struct ifinfomsg` and `struct ifaddrmsg`.
const IFINFOMSG_LEN: usize = 16;
const IFADDRMSG_LEN: usize = 8;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub index: u32,
    pub name: String,
    /// `bridge`, `veth`, …; `None` for a physical device or loopback.
    pub kind: Option<String>,
    /// The bridge it is a port of.
    pub master: Option<u32>,
    pub addrs: Vec<Address>,
}

/// An address of an interface, with its prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Address {
    pub ip: IpAddr,
    pub prefix: u8,
}

impl Address {
    /// Whether `ip` is on this address's network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)) << 96, 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        };
        let ((own, width), (other, other_width)) = (bits(self.ip), bits(ip));
        if width != other_width || self.prefix > width {
            return false;
        }
        let mask = u128::MAX
            .checked_shl(128 - u32::from(self.prefix))
            .unwrap_or(0);
        own & mask == other & mask
    }
}

impl Link {
    pub fn is_bridge(&self) -> bool {
        self.kind.as_deref() == Some("bridge")
    }

    pub fn has_ipv4(&self) -> bool {
        self.addrs.iter().any(|a| a.ip.is_ipv4())
    }
}

/// The bridges that bridge something: those with at least one port.
pub fn busy_bridges(links: &[Link]) -> Vec<&Link> {
    links
        .iter()
        .filter(|b| b.is_bridge())
        .filter(|b| links.iter().any(|l| l.master == Some(b.index)))
        .collect()
}

/// Every interface of this thread's namespace, with its addresses.
pub fn read() -> io::Result<Vec<Link>> {
    let mut socket = Socket::new(NETLINK_ROUTE)?;
    socket.bind_auto()?;
    socket.connect(&SocketAddr::new(0, 0))?;
    let mut links = Vec::new();
    dump(&mut socket, RTM_GETLINK, IFINFOMSG_LEN, 1, |kind, body| {
        if kind == RTM_NEWLINK {
            links.extend(decode_link(body));
        }
    })?;
    dump(&mut socket, RTM_GETADDR, IFADDRMSG_LEN, 2, |kind, body| {
        if kind != RTM_NEWADDR {
            return;
        }
        if let Some((index, addr)) = decode_addr(body) {
            if let Some(link) = links.iter_mut().find(|l| l.index == index) {
                link.addrs.push(addr);
            }
        }
    })?;
    Ok(links)
}

/// Sends a dump request with a zeroed family header of `header_len`
/// bytes (every family) and hands each answer's type and body to `each`.
fn dump(
    socket: &mut Socket,
    kind: u16,
    header_len: usize,
    seq: u32,
    mut each: impl FnMut(u16, &[u8]),
) -> io::Result<()> {
    let mut request = vec![0u8; 16 + header_len];
    {
        let mut header = NetlinkBuffer::new(&mut request[..]);
        header.set_length((16 + header_len) as u32);
        header.set_message_type(kind);
        header.set_flags(NLM_F_REQUEST | NLM_F_DUMP);
        header.set_sequence_number(seq);
    }
    socket.send(&request, 0)?;
    let mut buf = Vec::with_capacity(READ_SIZE);
    loop {
        buf.clear();
        socket.recv(&mut buf, 0)?;
        let mut rest = &buf[..];
        while let Ok(msg) = NetlinkBuffer::new_checked(rest) {
            let len = (msg.length() as usize).next_multiple_of(4);
            rest = rest.get(len..).unwrap_or_default();
            if msg.sequence_number() != seq {
                continue;
            }
            match msg.message_type() {
                NLMSG_DONE => return Ok(()),
                NLMSG_ERROR => {
                    let code =
                        msg.payload().get(..4).map_or(-libc::EPROTO, |b| {
                            i32::from_ne_bytes([b[0], b[1], b[2], b[3]])
                        });
                    if code == 0 {
                        return Ok(());
                    }
                    return Err(io::Error::from_raw_os_error(-code));
                }
                t => each(t, msg.payload()),
            }
        }
    }
}

/// One `RTM_NEWLINK`: `struct ifinfomsg`, then attributes.
fn decode_link(body: &[u8]) -> Option<Link> {
    let index = u32::from_ne_bytes(body.get(4..8)?.try_into().ok()?);
    let mut link = Link {
        index,
        ..Link::default()
    };
    for attr in raw_attrs(body.get(IFINFOMSG_LEN..)?) {
        let attr = attr.ok()?;
        match attr.kind & 0x3fff {
            IFLA_IFNAME => link.name = c_string(attr.value),
            IFLA_MASTER => {
                link.master =
                    Some(u32::from_ne_bytes(attr.value.try_into().ok()?));
            }
            IFLA_LINKINFO => {
                link.kind = raw_attrs(attr.value)
                    .flatten()
                    .find(|a| a.kind & 0x3fff == IFLA_INFO_KIND)
                    .map(|a| c_string(a.value));
            }
            _ => {}
        }
    }
    Some(link)
}

/// One `RTM_NEWADDR`: the interface and its local address (`IFA_LOCAL`
/// on point-to-point links, else `IFA_ADDRESS`).
fn decode_addr(body: &[u8]) -> Option<(u32, Address)> {
    let prefix = *body.get(1)?;
    let index = u32::from_ne_bytes(body.get(4..8)?.try_into().ok()?);
    let mut address = None;
    let mut local = None;
    for attr in raw_attrs(body.get(IFADDRMSG_LEN..)?).flatten() {
        let ip = match attr.value.len() {
            4 => IpAddr::from(<[u8; 4]>::try_from(attr.value).ok()?),
            16 => IpAddr::from(<[u8; 16]>::try_from(attr.value).ok()?),
            _ => continue,
        };
        match attr.kind & 0x3fff {
            IFA_ADDRESS => address = Some(ip),
            IFA_LOCAL => local = Some(ip),
            _ => {}
        }
    }
    let ip = local.or(address)?;
    Some((index, Address { ip, prefix }))
}

fn c_string(value: &[u8]) -> String {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len());
    String::from_utf8_lossy(&value[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attribute as the kernel lays it out.
    fn attr(kind: u16, value: &[u8]) -> Vec<u8> {
        let mut out = ((4 + value.len()) as u16).to_ne_bytes().to_vec();
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(value);
        out.resize(out.len().next_multiple_of(4), 0);
        out
    }

    #[test]
    fn a_bridge_port_and_an_address_decode() {
        let mut link = vec![0u8; IFINFOMSG_LEN];
        link[4..8].copy_from_slice(&7u32.to_ne_bytes());
        link.extend(attr(IFLA_IFNAME, b"vc\0"));
        link.extend(attr(IFLA_MASTER, &5u32.to_ne_bytes()));
        link.extend(attr(IFLA_LINKINFO, &attr(IFLA_INFO_KIND, b"veth\0")));
        let link = decode_link(&link).expect("a link");
        assert_eq!(
            (link.index, link.name.as_str(), link.master),
            (7, "vc", Some(5))
        );
        assert_eq!(link.kind.as_deref(), Some("veth"));

        let mut addr = vec![2u8, 24, 0, 0];
        addr.extend_from_slice(&7u32.to_ne_bytes());
        addr.extend(attr(IFA_ADDRESS, &[192, 168, 137, 250]));
        assert_eq!(
            decode_addr(&addr),
            Some((
                7,
                Address {
                    ip: "192.168.137.250".parse().unwrap(),
                    prefix: 24
                }
            ))
        );
    }

    #[test]
    fn a_bridge_without_ports_bridges_nothing() {
        let bridge = |index, name: &str| Link {
            index,
            name: name.into(),
            kind: Some("bridge".into()),
            ..Link::default()
        };
        let port = Link {
            index: 9,
            master: Some(1),
            ..Link::default()
        };
        let links = [bridge(1, "br-lan"), bridge(2, "wan0"), port];
        let busy: Vec<&str> = busy_bridges(&links)
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(busy, ["br-lan"]);
    }

    #[test]
    fn an_address_knows_its_network() {
        let lan = Address {
            ip: "192.168.137.250".parse().unwrap(),
            prefix: 24,
        };
        assert!(lan.contains("192.168.137.4".parse().unwrap()));
        assert!(!lan.contains("192.168.138.4".parse().unwrap()));
        assert!(!lan.contains("::1".parse().unwrap()));
        let any = Address { prefix: 0, ..lan };
        assert!(any.contains("10.0.0.1".parse().unwrap()));
    }

    #[test]
    fn truncated_messages_give_nothing() {
        assert_eq!(decode_link(&[0; 3]), None);
        assert_eq!(decode_addr(&[2, 24, 0, 0, 7]), None);
        let mut link = vec![0u8; IFINFOMSG_LEN];
        link.extend_from_slice(&[200, 0, 3, 0, b'x']);
        assert_eq!(decode_link(&link), None);
    }

    proptest::proptest! {
        #[test]
        fn no_bytes_make_a_decoder_panic(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
        ) {
            let _ = decode_link(&body);
            let _ = decode_addr(&body);
        }
    }
}
