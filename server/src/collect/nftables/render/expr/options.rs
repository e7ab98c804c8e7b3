//! What an `exthdr` load reads, by name: a field of an IPv6 extension
//! header (`frag id`), of an IPv4 or TCP option (`tcp option maxseg
//! size`), of an SCTP chunk (`sctp chunk init num-inbound-streams`),
//! or whether the header is there at all (`exthdr frag exists`). The
//! headers and their fields are nft's (`src/exthdr.c`, `src/tcpopt.c`,
//! `src/ipopt.c`, `src/sctp_chunk.c`); offsets and lengths in bits.

use super::super::datatype::Type;
use crate::collect::nftables::expr::ExthdrOp;

/// `NFT_EXTHDR_F_PRESENT`: the load reads whether the header exists.
pub const NFT_EXTHDR_F_PRESENT: u32 = 1;

/// A field: its name, bit offset and bit length in its header, type.
type Field = (&'static str, u32, u32, Type);

/// A header or option: its name and fields.
struct Desc {
    name: &'static str,
    fields: &'static [Field],
}

/// What one `exthdr` load reads, in bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Load {
    pub op: ExthdrOp,
    /// The next-header number, option kind or chunk type.
    pub kind: u8,
    pub offset: u32,
    pub len: u32,
    pub flags: u32,
}

impl Load {
    fn present(&self) -> bool {
        self.flags & NFT_EXTHDR_F_PRESENT != 0
    }

    /// The narrower field of the same header that a mask keeps, `lead`
    /// bits into the load and `width` bits wide, where nft names one:
    /// in an IPv6 extension header always, in an option only when the
    /// load itself read no named field, in an SCTP chunk never.
    pub fn masked(self, lead: u32, width: u32) -> Option<Self> {
        let tries = match self.op {
            ExthdrOp::Ipv6 => true,
            ExthdrOp::TcpOpt | ExthdrOp::Ipv4 => !self.is_field(),
            _ => false,
        };
        let sub = Self {
            offset: self.offset + lead,
            len: width,
            ..self
        };
        (tries && sub.is_field()).then_some(sub)
    }

    /// The header and the field it reads, if nft has names for them.
    fn named(&self) -> Option<(&'static Desc, Option<&'static Field>)> {
        let single = match self.op {
            ExthdrOp::TcpOpt => tcp(self.kind),
            ExthdrOp::Ipv4 => ip(self.kind),
            ExthdrOp::Sctp => sctp(self.kind),
            _ => None,
        };
        let candidates = match self.op {
            ExthdrOp::Ipv6 => ipv6(self.kind),
            _ => single.as_slice(),
        };
        let first = *candidates.first()?;
        let found = candidates.iter().find_map(|d| {
            let f = d
                .fields
                .iter()
                .find(|(_, o, l, _)| *o == self.offset && *l == self.len)?;
            Some((*d, f))
        });
        Some(match found {
            Some((d, f)) => (d, Some(f)),
            None => (first, None),
        })
    }

    /// Whether the load reads a field nft names.
    fn is_field(&self) -> bool {
        self.named().is_some_and(|(_, f)| f.is_some())
    }

    /// The load as nft prints it, with the type of what it reads; none
    /// where nft has no name (nor a form for one).
    pub fn text(&self) -> Option<(String, Type)> {
        let named = self.named();
        let ty = match (self.present(), named) {
            (true, _) => Type::Boolean,
            (false, Some((_, Some(f)))) => f.3,
            _ => Type::Integer,
        };
        let field = named.and_then(|(_, f)| f).map_or("unknown", |f| f.0);
        let text = match (self.op, named) {
            (ExthdrOp::TcpOpt, None) => self.unknown_tcp_option(),
            (ExthdrOp::TcpOpt, Some((d, _))) => {
                let mut t = format!("tcp option {}", d.name);
                if !self.present() {
                    // A field of a later block of the same option
                    // (`sack1 left`) carries the block's number.
                    if self.offset / 64 > 0 {
                        t += &(self.offset / 64).to_string();
                    }
                    t += &format!(" {field}");
                }
                t
            }
            (ExthdrOp::Ipv4, Some((d, _))) => {
                self.with_field(format!("ip option {}", d.name), field)
            }
            (ExthdrOp::Sctp, Some((d, _))) => {
                self.with_field(format!("sctp chunk {}", d.name), field)
            }
            (ExthdrOp::Ipv6, _) => {
                let name = named.map_or("unknown-exthdr", |(d, _)| d.name);
                if self.present() {
                    format!("exthdr {name}")
                } else {
                    format!("{name} {field}")
                }
            }
            _ => return None,
        };
        Some((text, ty))
    }

    fn with_field(&self, header: String, field: &str) -> String {
        if self.present() {
            header
        } else {
            format!("{header} {field}")
        }
    }

    /// An option nft has no name for: by its kind, or its bits.
    fn unknown_tcp_option(&self) -> String {
        if self.offset == 0 && self.present() {
            format!("tcp option {}", self.kind)
        } else {
            format!("tcp option @{},{},{}", self.kind, self.offset, self.len)
        }
    }
}

/// The IPv6 extension header with next-header number `kind`. A routing
/// header's fields are those of its plain form, else of the segment
/// routing, type 0 and type 2 forms, in the order nft tries them.
fn ipv6(kind: u8) -> &'static [&'static Desc] {
    use Type::*;
    const HBH: Desc = Desc {
        name: "hbh",
        fields: &[("nexthdr", 0, 8, InetProto), ("hdrlength", 8, 8, Integer)],
    };
    const RT: Desc = Desc {
        name: "rt",
        fields: &[
            ("nexthdr", 0, 8, InetProto),
            ("hdrlength", 8, 8, Integer),
            ("type", 16, 8, Integer),
            ("seg-left", 24, 8, Integer),
        ],
    };
    const SRH: Desc = Desc {
        name: "srh",
        fields: &[
            ("last-entry", 32, 8, Integer),
            ("flags", 40, 8, Integer),
            ("tag", 48, 16, Integer),
            ("sid[1]", 64, 128, Ipv6),
            ("sid[2]", 192, 128, Ipv6),
        ],
    };
    const RT0: Desc = Desc {
        name: "rt0",
        fields: &[
            ("reserved", 32, 8, Integer),
            ("addr[1]", 64, 128, Ipv6),
            ("addr[2]", 192, 128, Ipv6),
        ],
    };
    const FRAG: Desc = Desc {
        name: "frag",
        fields: &[
            ("nexthdr", 0, 8, InetProto),
            ("reserved", 8, 8, Integer),
            ("frag-off", 16, 13, Integer),
            ("reserved2", 29, 2, Integer),
            ("more-fragments", 31, 1, Integer),
            ("id", 32, 32, Integer),
        ],
    };
    const DST: Desc = Desc {
        name: "dst",
        fields: &[("nexthdr", 0, 8, InetProto), ("hdrlength", 8, 8, Integer)],
    };
    const MH: Desc = Desc {
        name: "mh",
        fields: &[
            ("nexthdr", 0, 8, InetProto),
            ("hdrlength", 8, 8, Integer),
            ("type", 16, 8, Mh),
            ("reserved", 24, 8, Integer),
            ("checksum", 32, 16, Integer),
        ],
    };
    match kind {
        0 => &[&HBH],
        43 => &[&RT, &SRH, &RT0],
        44 => &[&FRAG],
        60 => &[&DST],
        135 => &[&MH],
        _ => &[],
    }
}

/// Every TCP option starts with its kind; most go on with a length.
const KIND: Field = ("kind", 0, 8, Type::Integer);
const LENGTH: Field = ("length", 8, 8, Type::Integer);

/// The TCP option of kind `kind`.
fn tcp(kind: u8) -> Option<&'static Desc> {
    use Type::Integer;
    const fn kind_and_length(name: &'static str) -> Desc {
        Desc {
            name,
            fields: &[KIND, LENGTH],
        }
    }
    static EOL: Desc = Desc {
        name: "eol",
        fields: &[KIND],
    };
    static NOP: Desc = Desc {
        name: "nop",
        fields: &[KIND],
    };
    static MAXSEG: Desc = Desc {
        name: "maxseg",
        fields: &[KIND, LENGTH, ("size", 16, 16, Integer)],
    };
    static WINDOW: Desc = Desc {
        name: "window",
        fields: &[KIND, LENGTH, ("count", 16, 8, Integer)],
    };
    static SACK_PERM: Desc = kind_and_length("sack-perm");
    static SACK: Desc = Desc {
        name: "sack",
        fields: &[
            KIND,
            LENGTH,
            ("left", 16, 32, Integer),
            ("right", 48, 32, Integer),
            ("left", 80, 32, Integer),
            ("right", 112, 32, Integer),
            ("left", 144, 32, Integer),
            ("right", 176, 32, Integer),
            ("left", 208, 32, Integer),
            ("right", 240, 32, Integer),
        ],
    };
    static TIMESTAMP: Desc = Desc {
        name: "timestamp",
        fields: &[
            KIND,
            LENGTH,
            ("tsval", 16, 32, Integer),
            ("tsecr", 48, 32, Integer),
        ],
    };
    static MD5SIG: Desc = kind_and_length("md5sig");
    static MPTCP: Desc = Desc {
        name: "mptcp",
        fields: &[KIND, LENGTH, ("subtype", 16, 4, Integer)],
    };
    static FASTOPEN: Desc = kind_and_length("fastopen");
    Some(match kind {
        0 => &EOL,
        1 => &NOP,
        2 => &MAXSEG,
        3 => &WINDOW,
        4 => &SACK_PERM,
        5 => &SACK,
        8 => &TIMESTAMP,
        19 => &MD5SIG,
        30 => &MPTCP,
        34 => &FASTOPEN,
        _ => return None,
    })
}

/// The IPv4 option of type `kind`.
fn ip(kind: u8) -> Option<&'static Desc> {
    use Type::Integer;
    const ROUTE: &[Field] = &[
        ("type", 0, 8, Integer),
        ("length", 8, 8, Integer),
        ("ptr", 16, 8, Integer),
        ("addr", 24, 32, Integer),
    ];
    static LSRR: Desc = Desc {
        name: "lsrr",
        fields: ROUTE,
    };
    static RR: Desc = Desc {
        name: "rr",
        fields: ROUTE,
    };
    static SSRR: Desc = Desc {
        name: "ssrr",
        fields: ROUTE,
    };
    static RA: Desc = Desc {
        name: "ra",
        fields: &[
            ("type", 0, 8, Integer),
            ("length", 8, 8, Integer),
            ("value", 16, 16, Integer),
        ],
    };
    Some(match kind {
        7 => &RR,
        131 => &LSRR,
        137 => &SSRR,
        148 => &RA,
        _ => return None,
    })
}

/// The fields every SCTP chunk starts with.
const CHUNK_TYPE: Field = ("type", 0, 8, Type::Integer);
const CHUNK_FLAGS: Field = ("flags", 8, 8, Type::Integer);
const CHUNK_LENGTH: Field = ("length", 16, 16, Type::Integer);

/// The SCTP chunk of type `kind`.
fn sctp(kind: u8) -> Option<&'static Desc> {
    use Type::Integer;
    const fn common(name: &'static str) -> Desc {
        Desc {
            name,
            fields: &[CHUNK_TYPE, CHUNK_FLAGS, CHUNK_LENGTH],
        }
    }
    const INIT: &[Field] = &[
        CHUNK_TYPE,
        CHUNK_FLAGS,
        CHUNK_LENGTH,
        ("init-tag", 32, 32, Integer),
        ("a-rwnd", 64, 32, Integer),
        ("num-outbound-streams", 96, 16, Integer),
        ("num-inbound-streams", 112, 16, Integer),
        ("initial-tsn", 128, 32, Integer),
    ];
    const CUM_TSN_ACK: Field = ("cum-tsn-ack", 32, 32, Integer);
    const LOWEST_TSN: &[Field] = &[
        CHUNK_TYPE,
        CHUNK_FLAGS,
        CHUNK_LENGTH,
        ("lowest-tsn", 32, 32, Integer),
    ];
    const SEQNO: &[Field] = &[
        CHUNK_TYPE,
        CHUNK_FLAGS,
        CHUNK_LENGTH,
        ("seqno", 32, 32, Integer),
    ];
    static DATA: Desc = Desc {
        name: "data",
        fields: &[
            CHUNK_TYPE,
            CHUNK_FLAGS,
            CHUNK_LENGTH,
            ("tsn", 32, 32, Integer),
            ("stream", 64, 16, Integer),
            ("ssn", 80, 16, Integer),
            ("ppid", 96, 32, Integer),
        ],
    };
    static INIT_CHUNK: Desc = Desc {
        name: "init",
        fields: INIT,
    };
    static INIT_ACK: Desc = Desc {
        name: "init-ack",
        fields: INIT,
    };
    static SACK: Desc = Desc {
        name: "sack",
        fields: &[
            CHUNK_TYPE,
            CHUNK_FLAGS,
            CHUNK_LENGTH,
            CUM_TSN_ACK,
            ("a-rwnd", 64, 32, Integer),
            ("num-gap-ack-blocks", 96, 16, Integer),
            ("num-dup-tsns", 112, 16, Integer),
        ],
    };
    static HEARTBEAT: Desc = common("heartbeat");
    static HEARTBEAT_ACK: Desc = common("heartbeat-ack");
    static ABORT: Desc = common("abort");
    static SHUTDOWN: Desc = Desc {
        name: "shutdown",
        fields: &[CHUNK_TYPE, CHUNK_FLAGS, CHUNK_LENGTH, CUM_TSN_ACK],
    };
    static SHUTDOWN_ACK: Desc = common("shutdown-ack");
    static ERROR: Desc = common("error");
    static COOKIE_ECHO: Desc = common("cookie-echo");
    static COOKIE_ACK: Desc = common("cookie-ack");
    static ECNE: Desc = Desc {
        name: "ecne",
        fields: LOWEST_TSN,
    };
    static CWR: Desc = Desc {
        name: "cwr",
        fields: LOWEST_TSN,
    };
    static SHUTDOWN_COMPLETE: Desc = common("shutdown-complete");
    static ASCONF_ACK: Desc = Desc {
        name: "asconf-ack",
        fields: SEQNO,
    };
    static FORWARD_TSN: Desc = Desc {
        name: "forward-tsn",
        fields: &[
            CHUNK_TYPE,
            CHUNK_FLAGS,
            CHUNK_LENGTH,
            ("new-cum-tsn", 32, 32, Integer),
        ],
    };
    static ASCONF: Desc = Desc {
        name: "asconf",
        fields: SEQNO,
    };
    Some(match kind {
        0 => &DATA,
        1 => &INIT_CHUNK,
        2 => &INIT_ACK,
        3 => &SACK,
        4 => &HEARTBEAT,
        5 => &HEARTBEAT_ACK,
        6 => &ABORT,
        7 => &SHUTDOWN,
        8 => &SHUTDOWN_ACK,
        9 => &ERROR,
        10 => &COOKIE_ECHO,
        11 => &COOKIE_ACK,
        12 => &ECNE,
        13 => &CWR,
        14 => &SHUTDOWN_COMPLETE,
        128 => &ASCONF_ACK,
        192 => &FORWARD_TSN,
        193 => &ASCONF,
        _ => return None,
    })
}
