//! A stored flow as one compact record: its search fields (see
//! `fields`), then the rest of it. Writing and reading one costs a
//! fraction of the flow's JSON and takes a third of the room, so the
//! writer touches that many fewer pages per moment. A flow the record
//! cannot say exactly (a word outside the kernel's tables, which the
//! server never makes) keeps a record of its fields alone and its JSON,
//! as every flow did before layout 4.
//!
//! The rest, after the fields: each tuple's ICMP type, code and id and
//! zone (options), the TCP flag bits of each direction, then use count,
//! kernel start and stop (options), first and last seen (ms), labels,
//! helper and security context (options of texts), secmark (option),
//! the master tuple (option) and the undecoded attribute kinds.

use app::query::FlowFields;
use app::wire::vocab::{state_word, status_words, tcp_flag_words, TCP_FLAGS};
use app::wire::{Endpoints, Flow, Nat, Tuple, Word};

use super::bytes::{push_endpoints, push_option, push_text, push_u16s, Reader};
use super::fields::{self, Fields, WHOLE};
use super::unreadable;

/// The record of `flow` and its JSON, empty when the record holds it
/// all.
pub fn encode(flow: &Flow) -> serde_json::Result<(Vec<u8>, String)> {
    match whole(flow) {
        Some(record) => Ok((record, String::new())),
        None => Ok((fields::encode(flow), serde_json::to_string(flow)?)),
    }
}

/// The flow a row holds: from its record when that is whole, else from
/// its JSON.
pub fn decode<'a>(
    record: Option<&[u8]>,
    json: impl FnOnce() -> rusqlite::Result<&'a str>,
) -> rusqlite::Result<Flow> {
    match record.and_then(decode_whole) {
        Some(flow) => Ok(flow),
        None => serde_json::from_str(json()?).map_err(unreadable),
    }
}

fn whole(flow: &Flow) -> Option<Vec<u8>> {
    let [orig_flags, reply_flags] = flag_bits(&flow.flags)?;
    let state_fits = flow.state.as_ref().is_none_or(|s| s.len() <= 255);
    let exact = state_fits
        && status_words(flow.status_bits()) == flow.status
        && tcp_flag_words(orig_flags, false)
            .into_iter()
            .chain(tcp_flag_words(reply_flags, true))
            .eq(flow.flags.iter().cloned())
        && flow.nat == Nat::of(&(&flow.orig).into(), &(&flow.reply).into());
    if !exact {
        return None;
    }
    let mut out = fields::encode_as(flow, WHOLE);
    push_extras(&mut out, &flow.orig);
    push_extras(&mut out, &flow.reply);
    out.extend_from_slice(&[orig_flags, reply_flags]);
    push_option(&mut out, flow.use_count, push_u32);
    push_option(&mut out, flow.start_ns, push_u64);
    push_option(&mut out, flow.stop_ns, push_u64);
    push_u64(&mut out, flow.first_seen_ms);
    push_u64(&mut out, flow.updated_ms);
    push_u16s(&mut out, &flow.labels)?;
    for text in [&flow.helper, &flow.secctx] {
        match text {
            Some(text) => {
                out.push(1);
                push_text(&mut out, text)?;
            }
            None => out.push(0),
        }
    }
    push_option(&mut out, flow.secmark, push_u32);
    push_option(&mut out, flow.master.as_ref(), |out, t| {
        push_endpoints(out, &t.into());
        push_extras(out, t);
    });
    push_u16s(&mut out, &flow.undecoded)?;
    Some(out)
}

/// The flag bits of each direction, if every word is one of the table's.
fn flag_bits(words: &[Word]) -> Option<[u8; 2]> {
    let mut bits = [0u8; 2];
    for word in words {
        let (direction, bit) =
            TCP_FLAGS.iter().enumerate().find_map(|(d, names)| {
                names.iter().position(|n| *n == word).map(|bit| (d, bit))
            })?;
        bits[direction] |= 1 << bit;
    }
    Some(bits)
}

fn push_u32(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn push_u64(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&n.to_le_bytes());
}

fn push_extras(out: &mut Vec<u8>, t: &Tuple) {
    push_option(out, t.icmp_type, |out, n| out.push(n));
    push_option(out, t.icmp_code, |out, n| out.push(n));
    push_option(out, t.icmp_id, |out, n| {
        out.extend_from_slice(&n.to_le_bytes())
    });
    push_option(out, t.zone, |out, n| {
        out.extend_from_slice(&n.to_le_bytes())
    });
}

/// `None` for a record of the fields alone, or one that is broken.
fn decode_whole(record: &[u8]) -> Option<Flow> {
    let mut r = Reader(record);
    let (WHOLE, f) = Fields::read(&mut r)? else {
        return None;
    };
    let orig = tuple(&mut r, f.orig())?;
    let reply = tuple(&mut r, f.reply())?;
    let (orig_flags, reply_flags) = (r.u8()?, r.u8()?);
    let mut flags = tcp_flag_words(orig_flags, false);
    flags.extend(tcp_flag_words(reply_flags, true));
    let state = f
        .state()
        .map(|s| state_word(s).unwrap_or_else(|| Word::Owned(s.to_owned())));
    let flow = Flow {
        key: f.key(),
        proto: f.proto(),
        nat: f.nat().to_vec(),
        orig,
        reply,
        state,
        status: status_words(f.status_bits()),
        flags,
        mark: f.mark(),
        zone: f.zone(),
        timeout: f.timeout(),
        id: f.id(),
        use_count: r.option(Reader::u32)?,
        counters: f.counters(),
        start_ns: r.option(Reader::u64)?,
        stop_ns: r.option(Reader::u64)?,
        first_seen_ms: r.u64()?,
        updated_ms: r.u64()?,
        labels: r.u16s()?,
        helper: r.option(|r| r.text().map(str::to_owned))?,
        secctx: r.option(|r| r.text().map(str::to_owned))?,
        secmark: r.option(Reader::u32)?,
        master: r.option(|r| {
            let ends = r.endpoints()?;
            tuple(r, ends)
        })?,
        undecoded: r.u16s()?,
    };
    r.is_empty().then_some(flow)
}

fn tuple(r: &mut Reader, ends: Endpoints) -> Option<Tuple> {
    Some(Tuple {
        src: ends.src,
        dst: ends.dst,
        sport: ends.sport,
        dport: ends.dport,
        icmp_type: r.option(Reader::u8)?,
        icmp_code: r.option(Reader::u8)?,
        icmp_id: r.option(Reader::u16)?,
        zone: r.option(Reader::u16)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`fields::tests::flows`], and the first with every field the
    /// record holds after the search fields set.
    fn flows() -> [Flow; 3] {
        let [tcp, mut icmp] = fields::tests::flows();
        let mut full = tcp.clone();
        full.flags = tcp_flag_words(0b11, false);
        full.flags.extend(tcp_flag_words(0x20, true));
        full.use_count = Some(2);
        full.stop_ns = Some(1764590009000000000);
        full.labels = vec![1, 70];
        full.helper = Some("ftp".into());
        full.secctx = Some("system_u:object_r:unlabeled_t:s0".into());
        full.secmark = Some(9);
        full.master = Some(tcp.orig.clone());
        full.undecoded = vec![99];
        full.orig.zone = Some(3);
        icmp.orig.icmp_type = Some(128);
        icmp.orig.icmp_code = Some(0);
        icmp.orig.icmp_id = Some(77);
        icmp.reply.icmp_type = Some(129);
        [tcp, icmp, full]
    }

    #[test]
    fn a_flow_reads_back_from_its_record_alone() {
        for flow in flows() {
            let (record, json) = encode(&flow).unwrap();
            assert_eq!(json, "");
            assert_eq!(record[0], WHOLE);
            let back = decode(Some(&record), || panic!("read its JSON"));
            assert_eq!(back.unwrap(), flow);
            // A search reads the same fields as from a record of them alone.
            let alone = fields::encode(&flow);
            assert_eq!(Fields::decode(&record), Fields::decode(&alone));
        }
    }

    #[test]
    fn a_flow_the_record_cannot_say_keeps_its_json() {
        let [mut odd, ..] = flows();
        odd.status.push(Word::Borrowed("not-a-status"));
        odd.flags.push(Word::Borrowed("orig:made-up"));
        let (record, json) = encode(&odd).unwrap();
        assert_ne!(record[0], WHOLE);
        assert!(Fields::decode(&record).is_some());
        let back = decode(Some(&record), || Ok(json.as_str()));
        assert_eq!(back.unwrap(), odd);
    }

    #[test]
    fn a_whole_record_cut_short_reads_as_its_json() {
        let (record, _) = encode(&flows()[2]).unwrap();
        for len in 0..record.len() {
            assert_eq!(decode_whole(&record[..len]), None, "{len}");
        }
        let mut longer = record;
        longer.push(0);
        assert_eq!(decode_whole(&longer), None);
    }

    proptest! {
        #[test]
        fn no_bytes_make_decoding_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut bytes = bytes;
            if let Some(first) = bytes.first_mut() {
                *first = WHOLE;
            }
            let _ = decode_whole(&bytes);
        }
    }
}
