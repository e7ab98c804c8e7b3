//! nfscope's own table, `inet nfscope_invalid`: one chain per hook, each
//! with one rule that logs INVALID packets to nfscope's NFLOG group, as
//!
//! ```text
//! ct state invalid limit rate N/second burst 20 packets
//!     log prefix "nfscope-invalid" group G snaplen 128 queue-threshold 1
//! ```
//!
//! It is made over netlink in one batch, so that it appears whole or not
//! at all, and with the owner flag: the kernel deletes it when the socket
//! that made it closes, be it when [`Tables`] drops or when the process
//! dies. Nothing else in the firewall changes, and nobody else can
//! change the table meanwhile.

use std::io;

use netlink_packet_core::{
    NetlinkBuffer, NLA_F_NESTED, NLMSG_ERROR, NLM_F_ACK, NLM_F_APPEND,
    NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST,
};
use netlink_sys::{protocols::NETLINK_NETFILTER, Socket, SocketAddr};

use super::{CaptureConfig, CaptureError, ANSWER_WAIT};
use crate::collect::conntrack::decode::messages;
use crate::collect::netlink::set_read_timeout;
use crate::collect::netlink::READ_SIZE;
use crate::collect::nftables::socket::{push_be32, push_string};

/// The table's name in each family it is made in.
pub const TABLE: &str = "nfscope_invalid";
/// The log rules' prefix, which tells their packets from those other
/// rules may log to the same group.
pub const PREFIX: &str = "nfscope-invalid";
/// Packets a rule logs at once above its rate before the limit bites.
const BURST: u32 = 20;
/// Bytes of each packet the kernel copies: IP and TCP headers with
/// options, or IPv6 with a few extension headers.
pub const SNAPLEN: u32 = 128;

// linux/netfilter/nfnetlink.h
const NFNL_SUBSYS_NFTABLES: u8 = 10;
const NFNL_MSG_BATCH_BEGIN: u16 = 0x10;
const NFNL_MSG_BATCH_END: u16 = 0x11;

// enum nf_tables_msg_types
const NFT_MSG_NEWTABLE: u8 = 0;
const NFT_MSG_NEWCHAIN: u8 = 3;
const NFT_MSG_NEWRULE: u8 = 6;

const NFPROTO_UNSPEC: u8 = 0;
const NFPROTO_INET: u8 = 1;
const NFPROTO_BRIDGE: u8 = 7;

const NFTA_TABLE_NAME: u16 = 1;
const NFTA_TABLE_FLAGS: u16 = 2;
/// The kernel deletes the table when its owner's socket closes.
/// `NFT_TABLE_F_PERSIST` (0x4) is left out: it would keep the table.
const NFT_TABLE_F_OWNER: u32 = 0x2;

const NFTA_CHAIN_TABLE: u16 = 1;
const NFTA_CHAIN_NAME: u16 = 3;
const NFTA_CHAIN_HOOK: u16 = 4;
const NFTA_CHAIN_POLICY: u16 = 5;
const NFTA_CHAIN_TYPE: u16 = 7;
const NFTA_HOOK_HOOKNUM: u16 = 1;
const NFTA_HOOK_PRIORITY: u16 = 2;
const NF_ACCEPT: u32 = 1;

const NFTA_RULE_TABLE: u16 = 1;
const NFTA_RULE_CHAIN: u16 = 2;
const NFTA_RULE_EXPRESSIONS: u16 = 4;
const NFTA_LIST_ELEM: u16 = 1;
const NFTA_EXPR_NAME: u16 = 1;
const NFTA_EXPR_DATA: u16 = 2;
const NFTA_DATA_VALUE: u16 = 1;
const NFT_REG_1: u32 = 1;

const NFTA_META_DREG: u16 = 1;
const NFTA_META_KEY: u16 = 2;
const NFT_META_PROTOCOL: u32 = 1;
const NFTA_CT_DREG: u16 = 1;
const NFTA_CT_KEY: u16 = 2;
const NFT_CT_STATE: u32 = 0;
/// `NF_CT_STATE_INVALID_BIT`: the ct state register holds one bit per
/// state, in host order.
const NF_CT_STATE_INVALID_BIT: u32 = 1;
const NFTA_BITWISE_SREG: u16 = 1;
const NFTA_BITWISE_DREG: u16 = 2;
const NFTA_BITWISE_LEN: u16 = 3;
const NFTA_BITWISE_MASK: u16 = 4;
const NFTA_BITWISE_XOR: u16 = 5;
const NFTA_CMP_SREG: u16 = 1;
const NFTA_CMP_OP: u16 = 2;
const NFTA_CMP_DATA: u16 = 3;
const NFT_CMP_EQ: u32 = 0;
const NFT_CMP_NEQ: u32 = 1;
const NFTA_LIMIT_RATE: u16 = 1;
const NFTA_LIMIT_UNIT: u16 = 2;
const NFTA_LIMIT_BURST: u16 = 3;
const NFTA_LIMIT_TYPE: u16 = 4;
const NFTA_LIMIT_FLAGS: u16 = 5;
const NFT_LIMIT_PKTS: u32 = 0;
// The kernel reads the group and the threshold as be16, the snaplen as
// be32 (net/netfilter/nft_log.c), whatever the header's comments say.
const NFTA_LOG_GROUP: u16 = 1;
const NFTA_LOG_PREFIX: u16 = 2;
const NFTA_LOG_SNAPLEN: u16 = 3;
const NFTA_LOG_QTHRESHOLD: u16 = 4;

const ETH_P_IP: u16 = 0x0800;
const ETH_P_IPV6: u16 = 0x86dd;

/// A base chain: its name, hook number and priority.
struct Chain(&'static str, u32, i32);

/// Conntrack runs at -200 in prerouting and output: just after it, the
/// packet is seen before any NAT or filter of the user's. Input and
/// forward come after conntrack anyway.
const INET_CHAINS: [Chain; 4] = [
    Chain("prerouting", 0, -199),
    Chain("input", 1, 0),
    Chain("forward", 2, 0),
    Chain("output", 3, -199),
];

/// br_netfilter runs the IP hooks, conntrack included, from the bridge's
/// hooks at priority 0 (`NF_BR_PRI_BRNF`), and hands the packet on to
/// the bridge chains of higher priority: this one sees it after.
const BRIDGE_CHAINS: [Chain; 1] = [Chain("forward", 2, 1)];

/// One message of a batch: what it makes, for errors, and its parts.
struct Request {
    what: String,
    kind: u8,
    family: u8,
    flags: u16,
    attrs: Vec<u8>,
}

/// The owner of nfscope's tables: they live as long as it does.
pub struct Tables {
    socket: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl Tables {
    /// Makes `inet nfscope_invalid`, and the bridge table where bridged
    /// packets go through conntrack (see [`Tables::try_bridge`]).
    pub fn install(config: &CaptureConfig) -> Result<Self, CaptureError> {
        let mut socket = Socket::new(NETLINK_NETFILTER)
            .map_err(CaptureError::io("opening a NETLINK_NETFILTER socket"))?;
        socket.bind_auto().map_err(CaptureError::io("bind"))?;
        socket
            .connect(&SocketAddr::new(0, 0))
            .map_err(CaptureError::io("connect"))?;
        set_read_timeout(&socket, ANSWER_WAIT)
            .map_err(CaptureError::io("SO_RCVTIMEO"))?;
        let mut tables = Self {
            socket,
            seq: 0,
            buf: Vec::with_capacity(READ_SIZE),
        };
        let inet = table_requests(NFPROTO_INET, &INET_CHAINS, &[None], config);
        if let Err(refusal) = tables.commit(&inet)? {
            let what = refusal.what(&inet);
            return Err(match refusal {
                Refusal { at: None, err } if is_permission(&err) => {
                    CaptureError::Permission(err)
                }
                // EPERM on the table: another process owns one so named.
                Refusal { at: Some(0), err }
                    if is_permission(&err) || is_exists(&err) =>
                {
                    CaptureError::TableExists {
                        table: format!("inet {TABLE}"),
                        err,
                    }
                }
                Refusal { err, .. } => CaptureError::Refused { what, err },
            });
        }
        tables.try_bridge(config)?;
        Ok(tables)
    }

    /// With `bridge-nf-call-iptables` on, bridged IP packets go through
    /// conntrack, and a bridge table can log them at a bridge hook. Its
    /// rules check the ethertype first: a packet conntrack never saw
    /// (ARP, or IPv6 with `bridge-nf-call-ip6tables` off) has no entry,
    /// which `ct state` reports as INVALID.
    ///
    /// Kernel 6.18 without `nf_conntrack_bridge` refuses `ct` in the
    /// bridge family with EPROTO (`nf_ct_netns_get` finds no bridge
    /// conntrack): the batch fails whole, and bridged packets are still
    /// logged by the inet table, at the IP hooks br_netfilter runs.
    fn try_bridge(
        &mut self,
        config: &CaptureConfig,
    ) -> Result<(), CaptureError> {
        if !sysctl_on("bridge/bridge-nf-call-iptables") {
            return Ok(());
        }
        let mut protocols = vec![Some(ETH_P_IP)];
        if sysctl_on("bridge/bridge-nf-call-ip6tables") {
            protocols.push(Some(ETH_P_IPV6));
        }
        let bridge =
            table_requests(NFPROTO_BRIDGE, &BRIDGE_CHAINS, &protocols, config);
        if let Err(refusal) = self.commit(&bridge)? {
            let what = refusal.what(&bridge);
            tracing::info!(
                error = %refusal.err,
                "the kernel refused {what}: INVALID packets are logged at \
                 the IP hooks only (bridged ones there too, through \
                 br_netfilter)"
            );
        }
        Ok(())
    }

    /// Sends `requests` in one batch and reads every answer. The outer
    /// error is the socket's, the inner one the kernel's refusal.
    fn commit(
        &mut self,
        requests: &[Request],
    ) -> Result<Result<(), Refusal>, CaptureError> {
        let begin = self.seq.wrapping_add(1);
        let end = begin.wrapping_add(requests.len() as u32 + 1);
        self.seq = end;
        self.socket
            .send(&batch(begin, requests), 0)
            .map_err(CaptureError::io("sending the nftables batch"))?;
        let mut answered = vec![false; requests.len()];
        let mut refused = None;
        while answered.contains(&false) {
            self.buf.clear();
            if let Err(err) = self.socket.recv(&mut self.buf, 0) {
                // Should the other answers not come, a refusal already
                // says how the batch ended.
                return match refused {
                    Some(r) => Ok(Err(r)),
                    None => Err(CaptureError::Io {
                        what: "reading the answer to the nftables batch",
                        err,
                    }),
                };
            }
            for msg in messages(&self.buf).flatten() {
                if msg.message_type() != NLMSG_ERROR {
                    continue;
                }
                let code = error_code(msg.payload());
                let seq = msg.sequence_number();
                if seq == begin || seq == end {
                    // The batch itself refused: nothing else is answered.
                    if code != 0 {
                        return Ok(Err(Refusal {
                            at: None,
                            err: os_error(code),
                        }));
                    }
                    continue;
                }
                let at = seq.wrapping_sub(begin).wrapping_sub(1) as usize;
                let Some(done) = answered.get_mut(at) else {
                    continue;
                };
                *done = true;
                if code != 0 && refused.is_none() {
                    refused = Some(Refusal {
                        at: Some(at),
                        err: os_error(code),
                    });
                }
            }
        }
        Ok(refused.map_or(Ok(()), Err))
    }
}

/// What the kernel refused: the request at this index (`None`: the
/// whole batch), and why.
struct Refusal {
    at: Option<usize>,
    err: io::Error,
}

impl Refusal {
    fn what(&self, requests: &[Request]) -> String {
        self.at
            .and_then(|i| requests.get(i))
            .map_or_else(|| "the nftables batch".to_owned(), |r| r.what.clone())
    }
}

/// The table, its chains and one rule in each per entry of `matches`
/// (an ethertype the rule checks first, or none).
fn table_requests(
    family: u8,
    chains: &[Chain],
    matches: &[Option<u16>],
    config: &CaptureConfig,
) -> Vec<Request> {
    let family_name = if family == NFPROTO_BRIDGE {
        "bridge"
    } else {
        "inet"
    };
    let table = format!("{family_name} {TABLE}");
    let mut attrs = Vec::new();
    push_string(&mut attrs, NFTA_TABLE_NAME, TABLE);
    push_be32(&mut attrs, NFTA_TABLE_FLAGS, NFT_TABLE_F_OWNER);
    let mut requests = vec![Request {
        what: format!("the table {table}"),
        kind: NFT_MSG_NEWTABLE,
        family,
        flags: NLM_F_CREATE | NLM_F_EXCL,
        attrs,
    }];
    for &Chain(name, hook, priority) in chains {
        let mut attrs = Vec::new();
        push_string(&mut attrs, NFTA_CHAIN_TABLE, TABLE);
        push_string(&mut attrs, NFTA_CHAIN_NAME, name);
        push_nest(&mut attrs, NFTA_CHAIN_HOOK, |h| {
            push_be32(h, NFTA_HOOK_HOOKNUM, hook);
            push_be32(h, NFTA_HOOK_PRIORITY, priority as u32);
        });
        push_be32(&mut attrs, NFTA_CHAIN_POLICY, NF_ACCEPT);
        push_string(&mut attrs, NFTA_CHAIN_TYPE, "filter");
        requests.push(Request {
            what: format!("the chain {name} of {table}"),
            kind: NFT_MSG_NEWCHAIN,
            family,
            flags: NLM_F_CREATE,
            attrs,
        });
        for &ethertype in matches {
            let mut attrs = Vec::new();
            push_string(&mut attrs, NFTA_RULE_TABLE, TABLE);
            push_string(&mut attrs, NFTA_RULE_CHAIN, name);
            push_nest(&mut attrs, NFTA_RULE_EXPRESSIONS, |list| {
                log_invalid(list, ethertype, config)
            });
            requests.push(Request {
                what: format!("the rule of the chain {name} of {table}"),
                kind: NFT_MSG_NEWRULE,
                family,
                flags: NLM_F_CREATE | NLM_F_APPEND,
                attrs,
            });
        }
    }
    requests
}

/// The expressions of `[meta protocol P] ct state invalid limit … log …`.
fn log_invalid(list: &mut Vec<u8>, ethertype: Option<u16>, c: &CaptureConfig) {
    if let Some(proto) = ethertype {
        expr(list, "meta", |d| {
            push_be32(d, NFTA_META_DREG, NFT_REG_1);
            push_be32(d, NFTA_META_KEY, NFT_META_PROTOCOL);
        });
        expr(list, "cmp", |d| {
            push_be32(d, NFTA_CMP_SREG, NFT_REG_1);
            push_be32(d, NFTA_CMP_OP, NFT_CMP_EQ);
            push_data(d, NFTA_CMP_DATA, &proto.to_be_bytes());
        });
    }
    expr(list, "ct", |d| {
        push_be32(d, NFTA_CT_DREG, NFT_REG_1);
        push_be32(d, NFTA_CT_KEY, NFT_CT_STATE);
    });
    expr(list, "bitwise", |d| {
        push_be32(d, NFTA_BITWISE_SREG, NFT_REG_1);
        push_be32(d, NFTA_BITWISE_DREG, NFT_REG_1);
        push_be32(d, NFTA_BITWISE_LEN, 4);
        push_data(d, NFTA_BITWISE_MASK, &NF_CT_STATE_INVALID_BIT.to_ne_bytes());
        push_data(d, NFTA_BITWISE_XOR, &0u32.to_ne_bytes());
    });
    expr(list, "cmp", |d| {
        push_be32(d, NFTA_CMP_SREG, NFT_REG_1);
        push_be32(d, NFTA_CMP_OP, NFT_CMP_NEQ);
        push_data(d, NFTA_CMP_DATA, &0u32.to_ne_bytes());
    });
    expr(list, "limit", |d| {
        push_be64(d, NFTA_LIMIT_RATE, u64::from(c.rate_per_sec));
        push_be64(d, NFTA_LIMIT_UNIT, 1);
        push_be32(d, NFTA_LIMIT_BURST, BURST);
        push_be32(d, NFTA_LIMIT_TYPE, NFT_LIMIT_PKTS);
        push_be32(d, NFTA_LIMIT_FLAGS, 0);
    });
    expr(list, "log", |d| {
        push_be16(d, NFTA_LOG_GROUP, c.group);
        push_string(d, NFTA_LOG_PREFIX, PREFIX);
        push_be32(d, NFTA_LOG_SNAPLEN, SNAPLEN);
        push_be16(d, NFTA_LOG_QTHRESHOLD, 1);
    });
}

/// One element of an expression list: its name and its data.
fn expr(list: &mut Vec<u8>, name: &str, data: impl FnOnce(&mut Vec<u8>)) {
    push_nest(list, NFTA_LIST_ELEM, |e| {
        push_string(e, NFTA_EXPR_NAME, name);
        push_nest(e, NFTA_EXPR_DATA, data);
    });
}

/// `struct nft_data` holding a value.
fn push_data(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    push_nest(buf, kind, |d| push_value(d, NFTA_DATA_VALUE, value));
}

/// An attribute whose value `fill` appends, marked nested.
fn push_nest(buf: &mut Vec<u8>, kind: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    let start = buf.len();
    buf.extend_from_slice(&[0; 4]);
    fill(buf);
    let len = (buf.len() - start) as u16;
    buf[start..start + 2].copy_from_slice(&len.to_ne_bytes());
    buf[start + 2..start + 4]
        .copy_from_slice(&(kind | NLA_F_NESTED).to_ne_bytes());
}

fn push_value(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    buf.extend_from_slice(&(4 + value.len() as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value);
    buf.resize(buf.len().next_multiple_of(4), 0);
}

fn push_be16(buf: &mut Vec<u8>, kind: u16, value: u16) {
    push_value(buf, kind, &value.to_be_bytes());
}

fn push_be64(buf: &mut Vec<u8>, kind: u16, value: u64) {
    push_value(buf, kind, &value.to_be_bytes());
}

/// BATCH_BEGIN, the requests with sequence numbers counting up from
/// `begin + 1`, BATCH_END: one datagram.
fn batch(begin: u32, requests: &[Request]) -> Vec<u8> {
    // res_id of the batch messages names the subsystem, big-endian.
    let subsys = u16::from(NFNL_SUBSYS_NFTABLES);
    let mut bytes =
        message(NFNL_MSG_BATCH_BEGIN, 0, begin, NFPROTO_UNSPEC, subsys, &[]);
    for (i, r) in (1..).zip(requests) {
        let kind = u16::from(NFNL_SUBSYS_NFTABLES) << 8 | u16::from(r.kind);
        let flags = r.flags | NLM_F_ACK;
        bytes.extend(message(
            kind,
            flags,
            begin.wrapping_add(i),
            r.family,
            0,
            &r.attrs,
        ));
    }
    let end = begin.wrapping_add(requests.len() as u32 + 1);
    bytes.extend(message(
        NFNL_MSG_BATCH_END,
        0,
        end,
        NFPROTO_UNSPEC,
        subsys,
        &[],
    ));
    bytes
}

/// A netlink message: header, `struct nfgenmsg`, attributes.
fn message(
    kind: u16,
    flags: u16,
    seq: u32,
    family: u8,
    res_id: u16,
    attrs: &[u8],
) -> Vec<u8> {
    let mut bytes = vec![0; 16];
    {
        let mut header = NetlinkBuffer::new(&mut bytes[..]);
        header.set_length((16 + 4 + attrs.len()) as u32);
        header.set_message_type(kind);
        header.set_flags(NLM_F_REQUEST | flags);
        header.set_sequence_number(seq);
    }
    bytes.push(family);
    bytes.push(0);
    bytes.extend_from_slice(&res_id.to_be_bytes());
    bytes.extend_from_slice(attrs);
    bytes
}

/// The errno of an `NLMSG_ERROR`, negative; 0 is an ACK.
fn error_code(payload: &[u8]) -> i32 {
    payload
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(-libc::EPROTO, i32::from_ne_bytes)
}

fn os_error(code: i32) -> io::Error {
    io::Error::from_raw_os_error(code.saturating_neg())
}

fn is_permission(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::EPERM | libc::EACCES))
}

fn is_exists(err: &io::Error) -> bool {
    err.raw_os_error() == Some(libc::EEXIST)
}

/// A `net.*` switch of the calling thread's namespace (`/proc/sys/net`
/// follows the thread that opens it); absent is off.
fn sysctl_on(name: &str) -> bool {
    std::fs::read_to_string(format!("/proc/sys/net/{name}"))
        .is_ok_and(|v| v.trim() == "1")
}

#[cfg(test)]
mod tests {
    //! The requests are read back with nfscope's own nf_tables decoders
    //! and printed as `nft list table` would: the text the integration
    //! test then finds in the real `nft list ruleset`.

    use super::*;
    use crate::collect::nftables::decode::{self, Message};
    use crate::collect::nftables::render::{self, Libxtables};
    use crate::collect::nftables::ruleset::{
        ChainContents, Family, TableContents,
    };

    fn rendered(requests: &[Request]) -> String {
        let mut t = TableContents::default();
        for r in requests {
            let msg = Message {
                kind: r.kind,
                family: Family::from_raw(r.family),
                res_id: 0,
                attrs: &r.attrs,
            };
            match r.kind {
                NFT_MSG_NEWTABLE => t.table = decode::table(&msg).unwrap(),
                NFT_MSG_NEWCHAIN => t.chains.push(ChainContents {
                    chain: decode::chain(&msg).unwrap(),
                    rules: Vec::new(),
                }),
                _ => {
                    let mut rule = decode::rule(&msg).unwrap();
                    let family = rule.family;
                    rule.text = render::rule_texts(
                        family,
                        &t,
                        Libxtables::listing(&[]),
                        &rule,
                    );
                    t.chains.last_mut().unwrap().rules.push(rule);
                }
            }
        }
        render::table(&t, false)
    }

    const LOG: &str = "ct state invalid limit rate 7/second burst 20 \
                       packets log prefix \"nfscope-invalid\" group 99 \
                       snaplen 128 queue-threshold 1";

    fn config() -> CaptureConfig {
        CaptureConfig {
            group: 99,
            rate_per_sec: 7,
            ring: 1,
        }
    }

    #[test]
    fn the_inet_table_reads_back_as_intended() {
        let requests =
            table_requests(NFPROTO_INET, &INET_CHAINS, &[None], &config());
        let chain = |name: &str, priority: &str| {
            format!(
                "\tchain {name} {{\n\t\ttype filter hook {name} priority \
                 {priority}; policy accept;\n\t\t{LOG}\n\t}}\n"
            )
        };
        let expected = format!(
            "table inet nfscope_invalid {{\n\tflags owner\n\n{}\n{}\n{}\n{}}}\n",
            chain("prerouting", "-199"),
            chain("input", "filter"),
            chain("forward", "filter"),
            chain("output", "-199"),
        );
        assert_eq!(rendered(&requests), expected);
        let what: Vec<&str> = requests.iter().map(|r| &r.what[..]).collect();
        assert_eq!(what[0], "the table inet nfscope_invalid");
        assert_eq!(what[1], "the chain prerouting of inet nfscope_invalid");
        assert_eq!(
            what[2],
            "the rule of the chain prerouting of inet nfscope_invalid"
        );
    }

    #[test]
    fn the_bridge_rules_check_the_ethertype_first() {
        let requests = table_requests(
            NFPROTO_BRIDGE,
            &BRIDGE_CHAINS,
            &[Some(ETH_P_IP), Some(ETH_P_IPV6)],
            &config(),
        );
        let text = rendered(&requests);
        assert!(text.starts_with("table bridge nfscope_invalid {\n"));
        assert!(text.contains("type filter hook forward priority 1;"));
        assert!(
            text.contains(&format!("meta protocol ip {LOG}\n")),
            "{text}"
        );
        assert!(text.contains(&format!("meta protocol ip6 {LOG}\n")));
    }

    #[test]
    fn a_batch_numbers_its_messages_and_asks_for_acks() {
        let requests =
            table_requests(NFPROTO_INET, &INET_CHAINS, &[None], &config());
        let bytes = batch(7, &requests);
        let msgs: Vec<_> = messages(&bytes).map(|m| m.unwrap()).collect();
        assert_eq!(msgs.len(), requests.len() + 2);
        let (first, last) = (&msgs[0], &msgs[msgs.len() - 1]);
        assert_eq!(first.message_type(), NFNL_MSG_BATCH_BEGIN);
        assert_eq!(last.message_type(), NFNL_MSG_BATCH_END);
        for end in [first, last] {
            // AF_UNSPEC, version 0, res_id NFNL_SUBSYS_NFTABLES.
            assert_eq!(end.payload(), [0, 0, 0, 10]);
            assert_eq!(end.flags(), NLM_F_REQUEST);
        }
        for (seq, msg) in (7..).zip(&msgs) {
            assert_eq!(msg.sequence_number(), seq);
        }
        let table = &msgs[1];
        assert_eq!(
            table.message_type(),
            u16::from(NFNL_SUBSYS_NFTABLES) << 8 | u16::from(NFT_MSG_NEWTABLE)
        );
        assert_eq!(
            table.flags(),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL
        );
        assert_eq!(table.payload()[..4], [NFPROTO_INET, 0, 0, 0]);
    }
}
