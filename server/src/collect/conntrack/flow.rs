//! Turns a decoded [`CtEntry`] into the wire [`Flow`] the API serves.

use app::wire::{
    vocab, Counters, Direction, Flow, FlowKey, Nat, Proto, Tuple, Word,
};

use super::decode::{CtCounter, CtCounters, CtEntry, CtTuple, ProtoState};

/// What the table knows about an entry besides what the kernel said.
#[derive(Clone, Copy, Debug)]
pub struct Seen {
    pub key: FlowKey,
    pub first_seen_ms: u64,
    pub updated_ms: u64,
}

/// Builds the wire flow; `None` when the kernel left out a tuple or the id,
/// which only a malformed message does.
pub fn to_flow(e: &CtEntry, seen: Seen) -> Option<Flow> {
    let orig = e.orig.as_ref()?;
    let reply = e.reply.as_ref()?;
    let (orig_zone, reply_zone) = e.zones();
    // A zone of one direction only shows on its tuple.
    let one_way = e.zone.is_none();
    let (orig, reply) = (
        tuple(orig, orig_zone.filter(|_| one_way)),
        tuple(reply, reply_zone.filter(|_| one_way)),
    );
    let mut flags = Vec::new();
    if let Some(ProtoState::Tcp {
        flags_orig,
        flags_reply,
        ..
    }) = e.proto_state
    {
        flags.extend(vocab::tcp_flag_words(flags_orig, false));
        flags.extend(vocab::tcp_flag_words(flags_reply, true));
    }
    let state = e.proto_state.map(state_word);
    let id = e.id?;
    let extra = e.extra.as_deref();
    Some(Flow {
        key: seen.key,
        proto: Proto(e.orig.as_ref()?.proto),
        nat: Nat::classify(&orig, &reply),
        orig,
        reply,
        state,
        status: vocab::status_words(e.status),
        flags,
        mark: e.mark,
        zone: e.flow_zone(),
        timeout: e.timeout,
        id,
        use_count: e.use_count,
        counters: e.counters.map(counters),
        start_ns: e.start_ns,
        stop_ns: e.stop_ns(),
        first_seen_ms: seen.first_seen_ms,
        updated_ms: seen.updated_ms,
        labels: extra
            .and_then(|x| x.labels.as_deref())
            .map(label_bits)
            .unwrap_or_default(),
        helper: extra.and_then(|x| x.helper.as_deref()).map(str::to_owned),
        secctx: extra.and_then(|x| x.secctx.as_deref()).map(str::to_owned),
        secmark: extra.and_then(|x| x.secmark).filter(|m| *m != 0),
        master: extra
            .and_then(|x| x.master.as_ref())
            .map(|t| tuple(t, None)),
        undecoded: extra
            .and_then(|x| x.undecoded.as_deref())
            .map(<[u16]>::to_vec)
            .unwrap_or_default(),
    })
}

fn tuple(t: &CtTuple, zone: Option<u16>) -> Tuple {
    Tuple {
        src: t.src,
        dst: t.dst,
        sport: t.sport,
        dport: t.dport,
        icmp_type: t.icmp.map(|i| i.kind),
        icmp_code: t.icmp.map(|i| i.code),
        icmp_id: t.icmp.map(|i| i.id),
        zone,
    }
}

/// The protocol state in the vocabulary's words.
pub fn state_word(p: ProtoState) -> Word {
    match p {
        ProtoState::Tcp { state, .. } => vocab::tcp_state(state),
        ProtoState::Sctp(s) => vocab::sctp_state(s),
        ProtoState::Dccp(s) => vocab::dccp_state(s),
    }
}

pub fn counters(c: CtCounters) -> Counters {
    let dir = |c: CtCounter| Direction {
        packets: c.packets,
        bytes: c.bytes,
    };
    Counters {
        orig: dir(c.orig),
        reply: dir(c.reply),
    }
}

/// Connlabels are a bitmap of host-order words; bit N is label N.
fn label_bits(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(4)
        .enumerate()
        .flat_map(|(word, chunk)| {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            let w = u32::from_ne_bytes(w);
            (0..32u16)
                .filter(move |bit| w & (1 << bit) != 0)
                .map(move |bit| word as u16 * 32 + bit)
        })
        .collect()
}
