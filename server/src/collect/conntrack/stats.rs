//! Conntrack's own counters over ctnetlink, as `conntrack -S` and
//! `conntrack -C` read them: a dump of one message per CPU
//! (`IPCTNL_MSG_CT_GET_STATS_CPU`, the CPU in `res_id`), summed, and
//! the table's size (`IPCTNL_MSG_CT_GET_STATS`). Both are of the calling
//! thread's network namespace.

use std::io;

use app::wire::conntrack_stats::CtStats;
use netlink_packet_core::{
    parse_u32_be, DecodeError, ErrorContext, NetlinkBuffer, NlasIterator,
    NLMSG_DONE, NLMSG_ERROR, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_sys::SocketAddr;

use super::attr::{NFGENMSG_LEN, NFNL_SUBSYS_CTNETLINK};
use super::decode::messages;
use super::socket::{io_err, open_socket, SocketError};
use crate::collect::netlink::READ_SIZE;

// enum cntl_msg_types
const IPCTNL_MSG_CT_GET_STATS_CPU: u8 = 4;
const IPCTNL_MSG_CT_GET_STATS: u8 = 5;

// enum ctattr_stats_cpu; the numbers left out are no longer sent.
const CTA_STATS_FOUND: u16 = 2;
const CTA_STATS_INVALID: u16 = 4;
const CTA_STATS_INSERT: u16 = 8;
const CTA_STATS_INSERT_FAILED: u16 = 9;
const CTA_STATS_DROP: u16 = 10;
const CTA_STATS_EARLY_DROP: u16 = 11;
const CTA_STATS_ERROR: u16 = 12;
const CTA_STATS_SEARCH_RESTART: u16 = 13;
const CTA_STATS_CLASH_RESOLVE: u16 = 14;
const CTA_STATS_CHAIN_TOOLONG: u16 = 15;

// enum ctattr_stats_global
const CTA_STATS_GLOBAL_ENTRIES: u16 = 1;
const CTA_STATS_GLOBAL_MAX_ENTRIES: u16 = 2;

type Field = fn(&mut CtStats) -> &mut u64;

/// Each per-CPU attribute (a be32), and the sum it adds to.
const COUNTERS: [(u16, &str, Field); 10] = [
    (CTA_STATS_FOUND, "CTA_STATS_FOUND", |s| &mut s.found),
    (CTA_STATS_INVALID, "CTA_STATS_INVALID", |s| &mut s.invalid),
    (CTA_STATS_INSERT, "CTA_STATS_INSERT", |s| &mut s.insert),
    (CTA_STATS_INSERT_FAILED, "CTA_STATS_INSERT_FAILED", |s| {
        &mut s.insert_failed
    }),
    (CTA_STATS_DROP, "CTA_STATS_DROP", |s| &mut s.drop),
    (CTA_STATS_EARLY_DROP, "CTA_STATS_EARLY_DROP", |s| {
        &mut s.early_drop
    }),
    (CTA_STATS_ERROR, "CTA_STATS_ERROR", |s| &mut s.error),
    (CTA_STATS_SEARCH_RESTART, "CTA_STATS_SEARCH_RESTART", |s| {
        &mut s.search_restart
    }),
    (CTA_STATS_CLASH_RESOLVE, "CTA_STATS_CLASH_RESOLVE", |s| {
        &mut s.clash_resolve
    }),
    (CTA_STATS_CHAIN_TOOLONG, "CTA_STATS_CHAIN_TOOLONG", |s| {
        &mut s.chain_toolong
    }),
];

#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error(transparent)]
    Socket(#[from] SocketError),
    #[error("the kernel refused {what}: {err}")]
    Refused {
        what: &'static str,
        #[source]
        err: io::Error,
    },
    #[error("a malformed conntrack statistics message in {what}: {err}")]
    Malformed {
        what: &'static str,
        #[source]
        err: DecodeError,
    },
}

/// Reads the counters and the table size, one request after the other.
pub fn read() -> Result<CtStats, StatsError> {
    let mut socket = open_socket()?;
    socket.bind_auto().map_err(io_err("bind"))?;
    socket
        .connect(&SocketAddr::new(0, 0))
        .map_err(io_err("connect"))?;
    let mut stats = CtStats::default();
    let mut buf = Vec::with_capacity(READ_SIZE);
    for (seq, kind, flags, what) in [
        (
            1,
            IPCTNL_MSG_CT_GET_STATS_CPU,
            NLM_F_DUMP,
            "the per-CPU counters",
        ),
        (2, IPCTNL_MSG_CT_GET_STATS, NLM_F_ACK, "the table size"),
    ] {
        socket
            .send(&request(kind, flags, seq), 0)
            .map_err(io_err("sending a statistics request"))?;
        'answer: loop {
            buf.clear();
            socket
                .recv(&mut buf, 0)
                .map_err(io_err("reading the statistics"))?;
            for msg in messages(&buf) {
                let malformed = |err| StatsError::Malformed { what, err };
                let msg = msg.map_err(malformed)?;
                if msg.sequence_number() != seq {
                    continue;
                }
                match take(&msg, &mut stats).map_err(malformed)? {
                    Taken::More => {}
                    Taken::Done => break 'answer,
                    Taken::Refused(code) => return Err(refused(what, code)),
                }
            }
        }
    }
    Ok(stats)
}

/// What one message of an answer did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    More,
    /// The end of the dump, or the acknowledgement of the request.
    Done,
    /// An `NLMSG_ERROR`: the negative errno.
    Refused(i32),
}

/// Adds what one message says to `stats`: a CPU's counters, or the
/// table size.
pub fn take(
    msg: &NetlinkBuffer<&[u8]>,
    stats: &mut CtStats,
) -> Result<Taken, DecodeError> {
    let kind = msg.message_type();
    match kind {
        NLMSG_DONE => return Ok(Taken::Done),
        NLMSG_ERROR => {
            let code: [u8; 4] = msg
                .payload()
                .get(..4)
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| DecodeError::from("short NLMSG_ERROR"))?;
            return Ok(match i32::from_ne_bytes(code) {
                0 => Taken::Done,
                code => Taken::Refused(code),
            });
        }
        _ => {}
    }
    let [subsys, op] = kind.to_be_bytes();
    if subsys != NFNL_SUBSYS_CTNETLINK {
        return Ok(Taken::More);
    }
    let attrs = msg
        .payload()
        .get(NFGENMSG_LEN..)
        .ok_or_else(|| DecodeError::from("message shorter than nfgenmsg"))?;
    match op {
        IPCTNL_MSG_CT_GET_STATS_CPU => {
            add_cpu(attrs, stats).context("invalid per-CPU statistics")?;
            stats.cpus += 1;
        }
        IPCTNL_MSG_CT_GET_STATS => {
            global(attrs, stats).context("invalid table statistics")?
        }
        _ => {}
    }
    Ok(Taken::More)
}

fn add_cpu(attrs: &[u8], stats: &mut CtStats) -> Result<(), DecodeError> {
    for nla in NlasIterator::new(attrs) {
        let nla = nla?;
        let Some((_, name, field)) =
            COUNTERS.iter().find(|(kind, ..)| *kind == nla.kind())
        else {
            continue;
        };
        let value = parse_u32_be(nla.value()).context(*name)?;
        let sum = field(stats);
        *sum = sum.saturating_add(value.into());
    }
    Ok(())
}

fn global(attrs: &[u8], stats: &mut CtStats) -> Result<(), DecodeError> {
    for nla in NlasIterator::new(attrs) {
        let nla = nla?;
        let v = nla.value();
        match nla.kind() {
            CTA_STATS_GLOBAL_ENTRIES => {
                stats.entries =
                    parse_u32_be(v).context("CTA_STATS_GLOBAL_ENTRIES")?
            }
            CTA_STATS_GLOBAL_MAX_ENTRIES => {
                stats.max_entries =
                    parse_u32_be(v).context("CTA_STATS_GLOBAL_MAX_ENTRIES")?
            }
            _ => {}
        }
    }
    Ok(())
}

/// A request with an empty `struct nfgenmsg` (AF_UNSPEC) and no
/// attributes.
fn request(kind: u8, flags: u16, seq: u32) -> Vec<u8> {
    let len = 16 + NFGENMSG_LEN;
    let mut bytes = vec![0; len];
    let mut header = NetlinkBuffer::new(&mut bytes[..]);
    header.set_length(len as u32);
    header.set_message_type(
        u16::from(NFNL_SUBSYS_CTNETLINK) << 8 | u16::from(kind),
    );
    header.set_flags(NLM_F_REQUEST | flags);
    header.set_sequence_number(seq);
    bytes
}

fn refused(what: &'static str, code: i32) -> StatsError {
    let err = io::Error::from_raw_os_error(code.saturating_neg());
    match -code {
        libc::EPERM | libc::EACCES => SocketError::Permission(err).into(),
        _ => StatsError::Refused { what, err },
    }
}

#[cfg(test)]
mod tests {
    //! Answers captured on kernel 6.18.44 (2 CPUs) with a raw
    //! NETLINK_NETFILTER socket in a namespace whose ruleset had a `ct
    //! state` rule, after nine UDP datagrams to three ports and five
    //! ICMP echo replies nobody asked for. Then, in that namespace:
    //!
    //! ```text
    //! $ conntrack -S
    //! cpu=0 found=0 invalid=0 insert=0 insert_failed=0 drop=0
    //!       early_drop=0 error=0 search_restart=0 clash_resolve=0
    //!       chaintoolong=0
    //! cpu=1 found=0 invalid=5 insert=0 ...(all 0)
    //! $ conntrack -C
    //! 3
    //! ```

    use proptest::prelude::*;

    use super::*;

    use crate::collect::netlink::hex_bytes as bytes;

    /// The first datagram of the dump: one message per CPU.
    const CPU_DUMP: &str = concat!(
        "64000000 04010200 01000000 423e0000", // GET_STATS_CPU, NLM_F_MULTI
        "00000000",                            // nfgenmsg: res_id = CPU 0
        "08000200 00000000",                   // CTA_STATS_FOUND 0
        "08000400 00000000",                   // CTA_STATS_INVALID 0
        "08000800 00000000",                   // CTA_STATS_INSERT 0
        "08000900 00000000",                   // CTA_STATS_INSERT_FAILED 0
        "08000a00 00000000",                   // CTA_STATS_DROP 0
        "08000b00 00000000",                   // CTA_STATS_EARLY_DROP 0
        "08000c00 00000000",                   // CTA_STATS_ERROR 0
        "08000d00 00000000",                   // CTA_STATS_SEARCH_RESTART 0
        "08000e00 00000000",                   // CTA_STATS_CLASH_RESOLVE 0
        "08000f00 00000000",                   // CTA_STATS_CHAIN_TOOLONG 0
        "64000000 04010200 01000000 423e0000", // GET_STATS_CPU
        "00000001",                            // nfgenmsg: CPU 1
        "08000200 00000000",
        "08000400 00000005", // CTA_STATS_INVALID 5
        "08000800 00000000",
        "08000900 00000000",
        "08000a00 00000000",
        "08000b00 00000000",
        "08000c00 00000000",
        "08000d00 00000000",
        "08000e00 00000000",
        "08000f00 00000000",
    );

    /// The second: the end of the dump.
    const CPU_DONE: &str = concat!(
        "14000000 03000200 01000000 423e0000", // NLMSG_DONE
        "00000000",
    );

    /// The answer to GET_STATS with NLM_F_ACK, in one datagram.
    const GLOBAL: &str = concat!(
        "24000000 05010200 02000000 423e0000", // GET_STATS
        "00000000",                            // nfgenmsg
        "08000100 00000003",                   // GLOBAL_ENTRIES 3
        "08000200 00040000",                   // GLOBAL_MAX_ENTRIES 262144
        "24000000 02000001 02000000 423e0000", // NLMSG_ERROR, capped
        "00000000",                            // error 0: the ACK
        "14000000 05010500 02000000 00000000", // the request's header
    );

    fn take_all(hex: &str, stats: &mut CtStats) -> Vec<Taken> {
        let datagram = bytes(hex);
        messages(&datagram)
            .map(|m| take(&m.unwrap(), stats).unwrap())
            .collect()
    }

    #[test]
    fn captured_answers_sum_like_conntrack_s() {
        let mut stats = CtStats::default();
        assert_eq!(take_all(CPU_DUMP, &mut stats), [Taken::More; 2]);
        assert_eq!(take_all(CPU_DONE, &mut stats), [Taken::Done]);
        assert_eq!(take_all(GLOBAL, &mut stats), [Taken::More, Taken::Done]);
        assert_eq!(
            stats,
            CtStats {
                entries: 3,
                max_entries: 262_144,
                cpus: 2,
                invalid: 5,
                ..CtStats::default()
            }
        );
    }

    #[test]
    fn every_counter_lands_in_its_field() {
        let mut dump = bytes(CPU_DUMP);
        // CPU 1's values become 1, 2, … 10 in attribute order.
        let second = 0x64 + 20;
        for i in 0..10 {
            dump[second + i * 8 + 7] = i as u8 + 1;
        }
        let mut stats = CtStats::default();
        for m in messages(&dump) {
            take(&m.unwrap(), &mut stats).unwrap();
        }
        let sums = [
            stats.found,
            stats.invalid,
            stats.insert,
            stats.insert_failed,
            stats.drop,
            stats.early_drop,
            stats.error,
            stats.search_restart,
            stats.clash_resolve,
            stats.chain_toolong,
        ];
        assert_eq!(sums, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }

    #[test]
    fn refusals_and_bad_attributes() {
        let mut stats = CtStats::default();
        let mut eperm = bytes(GLOBAL)[0x24..].to_vec();
        eperm[16..20].copy_from_slice(&(-libc::EPERM).to_ne_bytes());
        let msg = NetlinkBuffer::new_checked(&eperm[..]).unwrap();
        assert_eq!(take(&msg, &mut stats).unwrap(), Taken::Refused(-1));
        assert!(matches!(
            refused("x", -libc::EPERM),
            StatsError::Socket(SocketError::Permission(_))
        ));

        let mut short = bytes(CPU_DUMP)[..0x64].to_vec();
        short[20..22].copy_from_slice(&6u16.to_ne_bytes());
        let msg = NetlinkBuffer::new_checked(&short[..]).unwrap();
        let e = take(&msg, &mut stats).unwrap_err().to_string();
        assert!(e.contains("CTA_STATS_FOUND"), "{e}");
    }

    proptest! {
        #[test]
        fn arbitrary_messages_never_panic(
            op in prop::sample::select(vec![4u8, 5, 9]),
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            let mut bytes = request(op, 0, 1);
            bytes.extend_from_slice(&body);
            let len = bytes.len() as u32;
            NetlinkBuffer::new(&mut bytes[..]).set_length(len);
            let msg = NetlinkBuffer::new_checked(&bytes[..]).unwrap();
            let _ = take(&msg, &mut CtStats::default());
        }
    }
}
