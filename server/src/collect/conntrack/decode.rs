//! Pure decoding of ctnetlink messages into [`CtEntry`] values.
//!
//! Written on netlink-packet-core's `NlaBuffer` instead of
//! netlink-packet-netfilter's conntrack types because a table of 250k
//! entries must decode close to the kernel's own dump speed: this walks the
//! attributes in place and allocates only for the rare string and label
//! attributes. It also reads what that crate leaves as `Other`: `CTA_ID`,
//! counters, timestamps, labels, helper and security context.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{
    DecodeError, ErrorContext, NetlinkBuffer, NlaBuffer, NlasIterator,
    NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN,
};

use super::attr::*;

/// `NLM_F_CREATE | NLM_F_EXCL` mark a NEW event; an IPCTNL_MSG_CT_NEW
/// without them is an UPDATE.
const NLM_F_CREATE: u16 = 0x400;
const NLM_F_EXCL: u16 = 0x200;

/// One direction of a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtTuple {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub icmp: Option<Icmp>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Icmp {
    pub kind: u8,
    pub code: u8,
    pub id: u16,
}

/// Protocol state from `CTA_PROTOINFO`, numbered as the kernel numbers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtoState {
    /// `enum tcp_conntrack` plus the per-direction `IP_CT_TCP_FLAG_*`.
    Tcp {
        state: u8,
        flags_orig: u8,
        flags_reply: u8,
    },
    /// `enum sctp_conntrack`.
    Sctp(u8),
    /// `enum ct_dccp_states`.
    Dccp(u8),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtCounter {
    pub packets: u64,
    pub bytes: u64,
}

/// Everything the kernel sent about one conntrack entry. Absent attributes
/// stay `None`: an UPDATE event, for one, carries no counters when
/// accounting is off. The table keeps one of these per live entry, so the
/// rare attributes live behind one pointer in [`CtExtra`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CtEntry {
    pub orig: Option<CtTuple>,
    pub reply: Option<CtTuple>,
    /// `CTA_ZONE`: the zone of both directions.
    pub zone: Option<u16>,
    /// `IPS_*` bits; every message carries them.
    pub status: u32,
    pub proto_state: Option<ProtoState>,
    pub timeout: Option<u32>,
    /// The kernel leaves a zero mark out of events.
    pub mark: u32,
    pub counters: Option<CtCounters>,
    pub use_count: Option<u32>,
    pub id: Option<u32>,
    pub start_ns: Option<u64>,
    pub extra: Option<Box<CtExtra>>,
}

/// Attributes most entries lack, or that only a DESTROY carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CtExtra {
    pub master: Option<CtTuple>,
    /// `CTA_TUPLE_ZONE` of each direction: a zone of one direction only
    /// (`conntrack --orig-zone`/`--reply-zone`); a zone of both is
    /// [`CtEntry::zone`].
    pub orig_zone: Option<u16>,
    pub reply_zone: Option<u16>,
    pub secmark: Option<u32>,
    pub stop_ns: Option<u64>,
    pub labels: Option<Box<[u8]>>,
    pub helper: Option<Box<str>>,
    pub secctx: Option<Box<str>>,
    /// Kinds of the attributes this decoder does not read (NAT sequence
    /// adjustments, synproxy, newer kernels' additions): kept, so that
    /// nothing the kernel said goes unmentioned.
    pub undecoded: Option<Box<[u16]>>,
}

/// Packets and bytes of both directions (`CTA_COUNTERS_ORIG`/`_REPLY`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtCounters {
    pub orig: CtCounter,
    pub reply: CtCounter,
}

impl CtEntry {
    fn extra(&mut self) -> &mut CtExtra {
        self.extra.get_or_insert_default()
    }

    pub fn stop_ns(&self) -> Option<u64> {
        self.extra.as_ref().and_then(|x| x.stop_ns)
    }

    /// The zone a flow is filtered and shown by: of both directions, or
    /// of the one direction that has one.
    pub fn flow_zone(&self) -> u16 {
        let (orig, reply) = self.zones();
        orig.or(reply).unwrap_or_default()
    }

    /// The zones of the original and the reply direction.
    pub fn zones(&self) -> (Option<u16>, Option<u16>) {
        let x = self.extra.as_deref();
        (
            self.zone.or(x.and_then(|x| x.orig_zone)),
            self.zone.or(x.and_then(|x| x.reply_zone)),
        )
    }
}

/// What a ctnetlink message says happened to an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    New,
    Update,
    Destroy,
    /// One entry of a dump answer (same message type as an UPDATE, but on
    /// the dump socket).
    Dumped,
}

/// One entry as one message told it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CtEvent {
    pub kind: EventKind,
    pub entry: CtEntry,
    /// `CTA_TIMESTAMP_EVENT`: when the kernel made the event, ns since
    /// the Unix epoch (Linux ≥ 6.14; never on dumps).
    pub at_ns: Option<u64>,
}

/// One decoded netlink message of the conntrack sockets.
// Entries are nearly every message: boxing them would cost an allocation
// each on the hot path to shrink variants that are rare.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq, Eq)]
pub enum CtMessage {
    Entry(CtEvent),
    /// End of a dump.
    Done,
    /// An `NLMSG_ERROR`; 0 is an acknowledgement.
    Error(i32),
    /// Anything else, e.g. another subsystem's message or an expectation.
    Ignored,
}

/// Decodes one netlink message (header included). `dumping` tells whether
/// it came as an answer to a dump request.
pub fn parse_message(
    msg: &NetlinkBuffer<&[u8]>,
    dumping: bool,
) -> Result<CtMessage, DecodeError> {
    let kind = msg.message_type();
    match kind {
        NLMSG_DONE => return Ok(CtMessage::Done),
        NLMSG_ERROR => {
            let code = msg
                .payload()
                .get(..4)
                .ok_or_else(|| DecodeError::from("short NLMSG_ERROR"))?;
            return Ok(CtMessage::Error(i32::from_ne_bytes([
                code[0], code[1], code[2], code[3],
            ])));
        }
        NLMSG_NOOP | NLMSG_OVERRUN => return Ok(CtMessage::Ignored),
        _ => {}
    }
    let [subsys, op] = kind.to_be_bytes();
    if subsys != NFNL_SUBSYS_CTNETLINK {
        return Ok(CtMessage::Ignored);
    }
    let event = match op {
        IPCTNL_MSG_CT_NEW if dumping => EventKind::Dumped,
        IPCTNL_MSG_CT_NEW if msg.flags() & (NLM_F_CREATE | NLM_F_EXCL) != 0 => {
            EventKind::New
        }
        IPCTNL_MSG_CT_NEW => EventKind::Update,
        IPCTNL_MSG_CT_DELETE => EventKind::Destroy,
        _ => return Ok(CtMessage::Ignored),
    };
    let attrs = msg
        .payload()
        .get(NFGENMSG_LEN..)
        .ok_or_else(|| DecodeError::from("message shorter than nfgenmsg"))?;
    let (entry, at_ns) = parse_entry(attrs)?;
    Ok(CtMessage::Entry(CtEvent {
        kind: event,
        entry,
        at_ns,
    }))
}

/// Iterates over the netlink messages packed in one datagram.
pub fn messages(
    datagram: &[u8],
) -> impl Iterator<Item = Result<NetlinkBuffer<&[u8]>, DecodeError>> {
    let mut rest = datagram;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match NetlinkBuffer::new_checked(rest) {
            Ok(msg) => {
                let len = msg.length() as usize;
                let aligned = (len + 3) & !3;
                let (this, tail) = rest.split_at(len);
                rest = tail.get(aligned - len..).unwrap_or_default();
                Some(Ok(NetlinkBuffer::new(this)))
            }
            Err(e) => {
                rest = &[];
                Some(Err(e))
            }
        }
    })
}

/// Whether a dump's datagram holds its last message: `NLMSG_DONE`, or
/// the error that ends it early. Reads message headers only, so that the
/// thread that receives knows when to stop without decoding anything.
pub fn ends_dump(datagram: &[u8]) -> bool {
    messages(datagram).any(|m| {
        m.is_ok_and(|m| matches!(m.message_type(), NLMSG_DONE | NLMSG_ERROR))
    })
}

/// Decodes the attributes of a conntrack message (after `nfgenmsg`), and
/// its `CTA_TIMESTAMP_EVENT` if any.
pub fn parse_entry(
    attrs: &[u8],
) -> Result<(CtEntry, Option<u64>), DecodeError> {
    let mut e = CtEntry::default();
    let mut at_ns = None;
    let mut undecoded = Vec::new();
    for nla in NlasIterator::new(attrs) {
        let nla = nla.context("invalid conntrack attribute")?;
        let v = nla.value();
        match nla.kind() {
            CTA_TUPLE_ORIG => {
                let (t, zone) =
                    parse_tuple(v).context("invalid CTA_TUPLE_ORIG")?;
                e.orig = Some(t);
                if zone.is_some() {
                    e.extra().orig_zone = zone;
                }
            }
            CTA_TUPLE_REPLY => {
                let (t, zone) =
                    parse_tuple(v).context("invalid CTA_TUPLE_REPLY")?;
                e.reply = Some(t);
                if zone.is_some() {
                    e.extra().reply_zone = zone;
                }
            }
            CTA_TUPLE_MASTER => {
                let (t, _) =
                    parse_tuple(v).context("invalid CTA_TUPLE_MASTER")?;
                e.extra().master = Some(t);
            }
            CTA_STATUS => e.status = be_u32(v).context("invalid CTA_STATUS")?,
            CTA_PROTOINFO => {
                e.proto_state =
                    parse_protoinfo(v).context("invalid CTA_PROTOINFO")?
            }
            CTA_HELP => {
                e.extra().helper = nested_string(v, CTA_HELP_NAME)
                    .context("invalid CTA_HELP")?
            }
            CTA_TIMEOUT => {
                e.timeout = Some(be_u32(v).context("invalid CTA_TIMEOUT")?)
            }
            CTA_MARK => e.mark = be_u32(v).context("invalid CTA_MARK")?,
            CTA_COUNTERS_ORIG => {
                e.counters.get_or_insert_default().orig =
                    parse_counters(v).context("invalid CTA_COUNTERS_ORIG")?
            }
            CTA_COUNTERS_REPLY => {
                e.counters.get_or_insert_default().reply =
                    parse_counters(v).context("invalid CTA_COUNTERS_REPLY")?
            }
            CTA_USE => {
                e.use_count = Some(be_u32(v).context("invalid CTA_USE")?)
            }
            CTA_ID => e.id = Some(be_u32(v).context("invalid CTA_ID")?),
            CTA_SECMARK => {
                e.extra().secmark =
                    Some(be_u32(v).context("invalid CTA_SECMARK")?)
            }
            CTA_ZONE => e.zone = Some(be_u16(v).context("invalid CTA_ZONE")?),
            CTA_SECCTX => {
                e.extra().secctx = nested_string(v, CTA_SECCTX_NAME)
                    .context("invalid CTA_SECCTX")?
            }
            CTA_TIMESTAMP => {
                let (start, stop) =
                    parse_timestamp(v).context("invalid CTA_TIMESTAMP")?;
                e.start_ns = start;
                if stop.is_some() {
                    e.extra().stop_ns = stop;
                }
            }
            CTA_LABELS => e.extra().labels = Some(v.into()),
            CTA_TIMESTAMP_EVENT => {
                at_ns = Some(be_u64(v).context("invalid CTA_TIMESTAMP_EVENT")?)
            }
            // All zero says nothing; kept when synproxy did its work.
            CTA_SYNPROXY if all_zero(v).context("invalid CTA_SYNPROXY")? => {}
            kind => undecoded.push(kind),
        }
    }
    if !undecoded.is_empty() {
        e.extra().undecoded = Some(undecoded.into());
    }
    Ok((e, at_ns))
}

/// The tuple, and its `CTA_TUPLE_ZONE` if any.
fn parse_tuple(v: &[u8]) -> Result<(CtTuple, Option<u16>), DecodeError> {
    let mut addrs = None;
    let mut l4 = None;
    let mut zone = None;
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        match nla.kind() {
            CTA_TUPLE_IP => {
                addrs = Some(parse_ip(nla.value()).context("in CTA_TUPLE_IP")?)
            }
            CTA_TUPLE_PROTO => {
                l4 = Some(parse_l4(nla.value()).context("in CTA_TUPLE_PROTO")?)
            }
            CTA_TUPLE_ZONE => {
                zone = Some(be_u16(nla.value()).context("in CTA_TUPLE_ZONE")?)
            }
            _ => {}
        }
    }
    let (src, dst) =
        addrs.ok_or_else(|| DecodeError::from("tuple without CTA_TUPLE_IP"))?;
    let l4 =
        l4.ok_or_else(|| DecodeError::from("tuple without CTA_TUPLE_PROTO"))?;
    let tuple = CtTuple {
        src,
        dst,
        proto: l4.proto,
        sport: l4.sport,
        dport: l4.dport,
        icmp: l4.icmp,
    };
    Ok((tuple, zone))
}

fn parse_ip(v: &[u8]) -> Result<(IpAddr, IpAddr), DecodeError> {
    let (mut src, mut dst) = (None, None);
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        let value = nla.value();
        match nla.kind() {
            CTA_IP_V4_SRC => src = Some(v4(value).context("CTA_IP_V4_SRC")?),
            CTA_IP_V4_DST => dst = Some(v4(value).context("CTA_IP_V4_DST")?),
            CTA_IP_V6_SRC => src = Some(v6(value).context("CTA_IP_V6_SRC")?),
            CTA_IP_V6_DST => dst = Some(v6(value).context("CTA_IP_V6_DST")?),
            _ => {}
        }
    }
    match (src, dst) {
        (Some(s), Some(d)) => Ok((s, d)),
        _ => Err("tuple without both addresses".into()),
    }
}

struct L4 {
    proto: u8,
    sport: Option<u16>,
    dport: Option<u16>,
    icmp: Option<Icmp>,
}

fn parse_l4(v: &[u8]) -> Result<L4, DecodeError> {
    let mut l4 = L4 {
        proto: 0,
        sport: None,
        dport: None,
        icmp: None,
    };
    let mut proto = None;
    let (mut kind, mut code, mut id) = (None, None, None);
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        let value = nla.value();
        match nla.kind() {
            CTA_PROTO_NUM => {
                proto = Some(u8_at(value).context("CTA_PROTO_NUM")?)
            }
            CTA_PROTO_SRC_PORT => {
                l4.sport = Some(be_u16(value).context("CTA_PROTO_SRC_PORT")?)
            }
            CTA_PROTO_DST_PORT => {
                l4.dport = Some(be_u16(value).context("CTA_PROTO_DST_PORT")?)
            }
            CTA_PROTO_ICMP_ID | CTA_PROTO_ICMPV6_ID => {
                id = Some(be_u16(value).context("CTA_PROTO_ICMP_ID")?)
            }
            CTA_PROTO_ICMP_TYPE | CTA_PROTO_ICMPV6_TYPE => {
                kind = Some(u8_at(value).context("CTA_PROTO_ICMP_TYPE")?)
            }
            CTA_PROTO_ICMP_CODE | CTA_PROTO_ICMPV6_CODE => {
                code = Some(u8_at(value).context("CTA_PROTO_ICMP_CODE")?)
            }
            _ => {}
        }
    }
    l4.proto = proto.ok_or_else(|| DecodeError::from("no CTA_PROTO_NUM"))?;
    if kind.is_some() || code.is_some() || id.is_some() {
        l4.icmp = Some(Icmp {
            kind: kind.unwrap_or_default(),
            code: code.unwrap_or_default(),
            id: id.unwrap_or_default(),
        });
    }
    Ok(l4)
}

fn parse_protoinfo(v: &[u8]) -> Result<Option<ProtoState>, DecodeError> {
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        let inner = nla.value();
        match nla.kind() {
            CTA_PROTOINFO_TCP => {
                return parse_tcp(inner).map(Some).context("CTA_PROTOINFO_TCP")
            }
            CTA_PROTOINFO_SCTP => {
                return first_u8(inner, CTA_PROTOINFO_SCTP_STATE)
                    .map(|s| s.map(ProtoState::Sctp))
                    .context("CTA_PROTOINFO_SCTP");
            }
            CTA_PROTOINFO_DCCP => {
                return first_u8(inner, CTA_PROTOINFO_DCCP_STATE)
                    .map(|s| s.map(ProtoState::Dccp))
                    .context("CTA_PROTOINFO_DCCP");
            }
            _ => {}
        }
    }
    Ok(None)
}

fn parse_tcp(v: &[u8]) -> Result<ProtoState, DecodeError> {
    let (mut state, mut flags_orig, mut flags_reply) = (0, 0, 0);
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        let value = nla.value();
        // `struct nf_ct_tcp_flags { __u8 flags; __u8 mask; }`
        match nla.kind() {
            CTA_PROTOINFO_TCP_STATE => state = u8_at(value)?,
            CTA_PROTOINFO_TCP_FLAGS_ORIGINAL => flags_orig = u8_at(value)?,
            CTA_PROTOINFO_TCP_FLAGS_REPLY => flags_reply = u8_at(value)?,
            _ => {}
        }
    }
    Ok(ProtoState::Tcp {
        state,
        flags_orig,
        flags_reply,
    })
}

fn first_u8(v: &[u8], kind: u16) -> Result<Option<u8>, DecodeError> {
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        if nla.kind() == kind {
            return u8_at(nla.value()).map(Some);
        }
    }
    Ok(None)
}

fn parse_counters(v: &[u8]) -> Result<CtCounter, DecodeError> {
    let mut c = CtCounter::default();
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        let value = nla.value();
        match nla.kind() {
            CTA_COUNTERS_PACKETS => c.packets = be_u64(value)?,
            CTA_COUNTERS_BYTES => c.bytes = be_u64(value)?,
            CTA_COUNTERS32_PACKETS => c.packets = be_u32(value)?.into(),
            CTA_COUNTERS32_BYTES => c.bytes = be_u32(value)?.into(),
            _ => {}
        }
    }
    Ok(c)
}

fn parse_timestamp(
    v: &[u8],
) -> Result<(Option<u64>, Option<u64>), DecodeError> {
    let (mut start, mut stop) = (None, None);
    for nla in NlasIterator::new(v) {
        let nla = nla?;
        match nla.kind() {
            CTA_TIMESTAMP_START => start = Some(be_u64(nla.value())?),
            CTA_TIMESTAMP_STOP => stop = Some(be_u64(nla.value())?),
            _ => {}
        }
    }
    Ok((start, stop))
}

fn nested_string(v: &[u8], kind: u16) -> Result<Option<Box<str>>, DecodeError> {
    for nla in NlasIterator::new(v) {
        let nla: NlaBuffer<&[u8]> = nla?;
        if nla.kind() == kind {
            let bytes = nla.value();
            let bytes = bytes.split(|b| *b == 0).next().unwrap_or_default();
            return Ok(Some(String::from_utf8_lossy(bytes).into()));
        }
    }
    Ok(None)
}

/// Whether every attribute nested in `v` has only zero bytes.
fn all_zero(v: &[u8]) -> Result<bool, DecodeError> {
    for nla in NlasIterator::new(v) {
        if nla?.value().iter().any(|b| *b != 0) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn u8_at(v: &[u8]) -> Result<u8, DecodeError> {
    v.first()
        .copied()
        .ok_or_else(|| DecodeError::invalid_number(1, 0))
}

fn be_u16(v: &[u8]) -> Result<u16, DecodeError> {
    Ok(u16::from_be_bytes(fixed(v)?))
}

fn be_u32(v: &[u8]) -> Result<u32, DecodeError> {
    Ok(u32::from_be_bytes(fixed(v)?))
}

fn be_u64(v: &[u8]) -> Result<u64, DecodeError> {
    Ok(u64::from_be_bytes(fixed(v)?))
}

fn v4(v: &[u8]) -> Result<IpAddr, DecodeError> {
    Ok(Ipv4Addr::from(fixed::<4>(v)?).into())
}

fn v6(v: &[u8]) -> Result<IpAddr, DecodeError> {
    Ok(Ipv6Addr::from(fixed::<16>(v)?).into())
}

fn fixed<const N: usize>(v: &[u8]) -> Result<[u8; N], DecodeError> {
    v.get(..N)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| DecodeError::invalid_number(N, v.len()))
}
