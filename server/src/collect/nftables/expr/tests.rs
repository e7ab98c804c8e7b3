//! Decoder tests on rules dumped from kernel 6.18 (`NFT_MSG_GETRULE`):
//! each `fixtures/<name>.bin` is the `NFTA_RULE_EXPRESSIONS` payload of
//! one rule, and `<name>.txt` gives the command that loaded it and
//! libnftnl's view of its expressions (`nft --debug=netlink`). Kinds
//! that no rule here can load are laid out by hand from
//! `linux/netfilter/nf_tables.h`.

use netlink_packet_core::DefaultNla;
use proptest::prelude::*;

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("fixtures/", $name, ".bin")).as_slice(),
            include_str!(concat!("fixtures/", $name, ".txt")),
        )
    };
}

const FIXTURES: &[(&str, &[u8], &str)] = &[
    fixture!("connlimit"),
    fixture!("ctdir"),
    fixture!("dnat"),
    fixture!("dup"),
    fixture!("dynset"),
    fixture!("dynsetadd"),
    fixture!("dynsetmulti"),
    fixture!("exthdr6"),
    fixture!("fib"),
    fixture!("fiboif"),
    fixture!("filter"),
    fixture!("fwd"),
    fixture!("hash"),
    fixture!("inner"),
    fixture!("ipopt"),
    fixture!("jump"),
    fixture!("last"),
    fixture!("limitbytes"),
    fixture!("loggroup"),
    fixture!("mark"),
    fixture!("masq"),
    fixture!("match"),
    fixture!("notrack"),
    fixture!("numgen"),
    fixture!("objref"),
    fixture!("objrefmap"),
    fixture!("osf"),
    fixture!("payloadset"),
    fixture!("quota"),
    fixture!("range"),
    fixture!("redir"),
    fixture!("rejecticmp"),
    fixture!("rt"),
    fixture!("rtnh"),
    fixture!("shift"),
    fixture!("snat"),
    fixture!("socket"),
    fixture!("symhash"),
    fixture!("synproxy"),
    fixture!("target"),
    fixture!("tcpopt"),
    fixture!("tproxy"),
    fixture!("tunnel"),
    fixture!("vmap"),
    fixture!("xfrm"),
];

fn fixture(name: &str) -> Vec<Expr> {
    let (_, bytes, _) = FIXTURES
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no fixture {name}"));
    decode_expressions(bytes)
}

/// The kind names of libnftnl's view in a fixture's `.txt`
/// (`  [ cmp eq reg 1 0x00000002 ]`).
fn libnftnl_kinds(txt: &str) -> Vec<&str> {
    txt.lines()
        .filter_map(|line| line.trim_start().strip_prefix("[ "))
        .filter_map(|view| view.split_whitespace().next())
        .collect()
}

fn value(bytes: &[u8]) -> Data {
    Data::Value(bytes.to_vec())
}

fn verdict(attrs: &[VerdictAttr]) -> Data {
    Data::Verdict(attrs.to_vec())
}

/// One netlink attribute: header in host order, value, padding.
fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = u16::try_from(4 + value.len()).expect("attribute too long");
    let mut out = [len.to_ne_bytes(), kind.to_ne_bytes()].concat();
    out.extend_from_slice(value);
    out.resize(out.len().next_multiple_of(4), 0);
    out
}

/// An `nft_expr_attributes` nest.
fn expr_nest(name: &str, data: &[u8]) -> Vec<u8> {
    let name = [name.as_bytes(), b"\0"].concat();
    [nla(NFTA_EXPR_NAME, &name), nla(NFTA_EXPR_DATA, data)].concat()
}

/// A list of one expression, as in `NFTA_RULE_EXPRESSIONS`.
fn expr_list(name: &str, data: &[u8]) -> Vec<u8> {
    nla(NFTA_LIST_ELEM, &expr_nest(name, data))
}

#[test]
fn every_fixture_decodes_whole_and_as_libnftnl_reads_it() {
    for (name, bytes, txt) in FIXTURES {
        let exprs = decode_expressions(bytes);
        let debug = format!("{exprs:?}");
        assert!(
            !debug.contains("Raw(") && !debug.contains("Other("),
            "{name}: {debug}"
        );
        let kinds = libnftnl_kinds(txt);
        // libnftnl does not know `inner`: its view is empty.
        if !kinds.is_empty() {
            let names: Vec<&str> = exprs.iter().map(Expr::name).collect();
            assert_eq!(names, kinds, "{name}");
        }
    }
}

#[test]
fn filter_rule() {
    // ip saddr 10.0.0.0/8 tcp dport { 22, 80 }
    //   ct state established,related counter accept
    let e = fixture("filter");
    assert_eq!(e.len(), 13);
    // [ meta load nfproto => reg 1 ]: an inet table checks the family
    assert_eq!(
        e[0],
        Expr::Meta(vec![
            Meta::Key(MetaKey::Nfproto),
            Meta::DestinationRegister(Register::Reg1),
        ])
    );
    // [ cmp eq reg 1 0x00000002 ]: NFPROTO_IPV4, one byte
    assert_eq!(
        e[1],
        Expr::Cmp(vec![
            Cmp::SourceRegister(Register::Reg1),
            Cmp::Op(CmpOp::Equal),
            Cmp::Data(value(&[2])),
        ])
    );
    // [ payload load 1b @ network header + 12 => reg 1 ]: a /8 is its
    // first byte
    assert_eq!(
        e[2],
        Expr::Payload(vec![
            Payload::DestinationRegister(Register::Reg1),
            Payload::Base(PayloadBase::Network),
            Payload::Offset(12),
            Payload::Length(1),
        ])
    );
    // [ lookup reg 1 set __set0 0x0 ]
    assert_eq!(
        e[7],
        Expr::Lookup(vec![
            Lookup::Set("__set0".into()),
            Lookup::SourceRegister(Register::Reg1),
            Lookup::Flags(0),
        ])
    );
    // [ ct load state => reg 1 ]
    assert_eq!(
        e[8],
        Expr::Ct(vec![
            Ct::DestinationRegister(Register::Reg1),
            Ct::Key(CtKey::State),
        ])
    );
    // [ bitwise reg 1 = ( reg 1 & 0x00000006 ) ^ 0x00000000 ]
    assert_eq!(
        e[9],
        Expr::Bitwise(vec![
            Bitwise::SourceRegister(Register::Reg1),
            Bitwise::DestinationRegister(Register::Reg1),
            Bitwise::Length(4),
            Bitwise::Op(BitwiseOp::MaskXor),
            Bitwise::Mask(value(&[6, 0, 0, 0])),
            Bitwise::Xor(value(&[0; 4])),
        ])
    );
    // [ counter pkts 0 bytes 0 ]
    assert_eq!(
        e[11],
        Expr::Counter(vec![Counter::Bytes(0), Counter::Packets(0)])
    );
    // [ immediate reg 0 accept ]
    assert_eq!(
        e[12],
        Expr::Immediate(vec![
            Immediate::DestinationRegister(Register::Verdict),
            Immediate::Data(verdict(&[VerdictAttr::Code(VerdictCode::Accept)])),
        ])
    );
}

#[test]
fn verdicts_jump_and_map() {
    // tcp dport 22 jump other: [ immediate reg 0 jump -> other ]
    assert_eq!(
        fixture("jump")[4],
        Expr::Immediate(vec![
            Immediate::DestinationRegister(Register::Verdict),
            Immediate::Data(verdict(&[
                VerdictAttr::Code(VerdictCode::Jump),
                VerdictAttr::Chain("other".into()),
            ])),
        ])
    );
    // tcp dport vmap { ... }: [ lookup reg 1 set __map0 dreg 0 0x0 ]
    assert!(matches!(
        &fixture("vmap")[3],
        Expr::Lookup(l)
            if l.contains(&Lookup::DestinationRegister(Register::Verdict))
    ));
    // [ immediate reg 0 drop ] at the end of the range fixture
    assert_eq!(
        fixture("range")[10],
        Expr::Immediate(vec![
            Immediate::DestinationRegister(Register::Verdict),
            Immediate::Data(verdict(&[VerdictAttr::Code(VerdictCode::Drop)])),
        ])
    );
}

#[test]
fn verdict_codes_are_signed() {
    let codes = [
        (0, VerdictCode::Drop),
        (1, VerdictCode::Accept),
        (2, VerdictCode::Stolen),
        (3, VerdictCode::Queue),
        (4, VerdictCode::Repeat),
        (-1, VerdictCode::Continue),
        (-2, VerdictCode::Break),
        (-3, VerdictCode::Jump),
        (-4, VerdictCode::Goto),
        (-5, VerdictCode::Return),
        (-6, VerdictCode::Other(-6)),
    ];
    for (code, want) in codes {
        assert_eq!(VerdictCode::from(code as u32), want, "{code}");
    }
}

#[test]
fn range_byteorder_limit_log() {
    // ct mark != 0x10-0x20 tcp dport 8000-8080
    //   limit rate over 10/second burst 5 packets
    //   log prefix "nfscope " level warn flags all drop
    let e = fixture("range");
    // [ byteorder reg 1 = hton(reg 1, 4, 4) ]
    assert_eq!(
        e[1],
        Expr::Byteorder(vec![
            Byteorder::SourceRegister(Register::Reg1),
            Byteorder::DestinationRegister(Register::Reg1),
            Byteorder::Op(ByteorderOp::Hton),
            Byteorder::Length(4),
            Byteorder::Size(4),
        ])
    );
    // [ range neq reg 1 0x10000000 0x20000000 ]
    assert_eq!(
        e[2],
        Expr::Range(vec![
            Range::SourceRegister(Register::Reg1),
            Range::Op(RangeOp::Neq),
            Range::FromData(value(&[0, 0, 0, 0x10])),
            Range::ToData(value(&[0, 0, 0, 0x20])),
        ])
    );
    // [ cmp gte reg 1 0x0000401f ]: 8000, network order
    assert!(matches!(&e[6], Expr::Cmp(c)
        if c[1] == Cmp::Op(CmpOp::GreatherThanEqual)
            && c[2] == Cmp::Data(value(&8000u16.to_be_bytes()))));
    // [ limit rate 10/second burst 5 type packets flags 0x1 ]
    assert_eq!(
        e[8],
        Expr::Limit(vec![
            Limit::Rate(10),
            Limit::Unit(1),
            Limit::Burst(5),
            Limit::Type(LimitType::Packets),
            Limit::Flags(NFT_LIMIT_F_INV),
        ])
    );
    // [ log prefix nfscope  level 4 tcpseq tcpopt ipopt uid macdecode ]
    let all = NF_LOG_TCPSEQ
        | NF_LOG_TCPOPT
        | NF_LOG_IPOPT
        | NF_LOG_UID
        | NF_LOG_MACDECODE;
    assert_eq!(
        e[9],
        Expr::Log(vec![
            Log::Prefix("nfscope ".into()),
            Log::Level(LogLevel::Warning),
            Log::Flags(all),
        ])
    );
    // log group 2 snaplen 128 queue-threshold 4: be16, be32, be16
    assert_eq!(
        fixture("loggroup"),
        [Expr::Log(vec![
            Log::Group(2),
            Log::Snaplen(128),
            Log::Qthreshold(4),
        ])]
    );
    // limit rate 1 mbytes/second burst 64 kbytes
    assert_eq!(
        fixture("limitbytes"),
        [Expr::Limit(vec![
            Limit::Rate(1 << 20),
            Limit::Unit(1),
            Limit::Burst(64 << 10),
            Limit::Type(LimitType::Bytes),
            Limit::Flags(0),
        ])]
    );
}

#[test]
fn quota_connlimit_reject() {
    // meta l4proto tcp quota over 100 mbytes reject with tcp reset
    let e = fixture("quota");
    assert_eq!(
        e[2],
        Expr::Quota(vec![
            Quota::Bytes(100 << 20),
            Quota::Consumed(0),
            Quota::Flags(NFT_QUOTA_F_INV),
        ])
    );
    assert_eq!(e[3], Expr::Reject(vec![Reject::Type(RejectType::TcpRst)]));
    // ct count over 10 reject with icmpx admin-prohibited
    let e = fixture("connlimit");
    assert_eq!(
        e[0],
        Expr::Connlimit(vec![
            Connlimit::Count(10),
            Connlimit::Flags(NFT_CONNLIMIT_F_INV),
        ])
    );
    assert_eq!(
        e[1],
        Expr::Reject(vec![
            Reject::Type(RejectType::IcmpxUnreach),
            Reject::IcmpCode(3),
        ])
    );
    assert_eq!(IcmpxCode::from(3), IcmpxCode::AdminProhibited);
    // reject with icmp host-prohibited (ICMP code 10)
    assert_eq!(
        fixture("rejecticmp"),
        [Expr::Reject(vec![
            Reject::Type(RejectType::IcmpUnreach),
            Reject::IcmpCode(10),
        ])]
    );
}

#[test]
fn nat_kinds() {
    // tcp dport 80 dnat to 10.0.0.2:8080
    assert_eq!(
        fixture("dnat")[6],
        Expr::Nat(vec![
            Nat::Type(NatType::Dnat),
            Nat::Family(Nfproto::Ipv4),
            Nat::RegAddrMin(Register::Reg1),
            Nat::RegAddrMax(Register::Reg1),
            Nat::RegProtoMin(Register::Reg2),
            Nat::RegProtoMax(Register::Reg2),
            Nat::Flags(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED),
        ])
    );
    // snat to 192.0.2.1-192.0.2.10 persistent
    let e = fixture("snat");
    assert_eq!(
        e[1],
        Expr::Immediate(vec![
            Immediate::DestinationRegister(Register::Reg2),
            Immediate::Data(value(&[192, 0, 2, 10])),
        ])
    );
    assert_eq!(
        e[2],
        Expr::Nat(vec![
            Nat::Type(NatType::Snat),
            Nat::Family(Nfproto::Ipv4),
            Nat::RegAddrMin(Register::Reg1),
            Nat::RegAddrMax(Register::Reg2),
            Nat::Flags(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PERSISTENT),
        ])
    );
    // meta l4proto tcp masquerade to :1024-2048 random
    assert_eq!(
        fixture("masq")[4],
        Expr::Masq(vec![
            Masq::Flags(
                NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM
            ),
            Masq::RegProtoMin(Register::Reg1),
            Masq::RegProtoMax(Register::Reg2),
        ])
    );
    // tcp dport 80 redirect to :3128
    assert_eq!(
        fixture("redir")[5],
        Expr::Redir(vec![
            Redir::RegProtoMin(Register::Reg1),
            Redir::RegProtoMax(Register::Reg1),
            Redir::Flags(NF_NAT_RANGE_PROTO_SPECIFIED),
        ])
    );
    // meta l4proto tcp tproxy ip to 127.0.0.1:8080
    assert_eq!(
        fixture("tproxy")[4],
        Expr::Tproxy(vec![
            Tproxy::Family(Nfproto::Ipv4),
            Tproxy::RegAddr(Register::Reg1),
            Tproxy::RegPort(Register::Reg2),
        ])
    );
}

#[test]
fn meta_and_ct_stores_and_directions() {
    // meta mark set 0x10 ct mark set meta mark
    let e = fixture("mark");
    assert_eq!(
        e[1],
        Expr::Meta(vec![
            Meta::Key(MetaKey::Mark),
            Meta::SourceRegister(Register::Reg1),
        ])
    );
    assert_eq!(
        e[3],
        Expr::Ct(vec![
            Ct::SourceRegister(Register::Reg1),
            Ct::Key(CtKey::Mark),
        ])
    );
    // ct original ip saddr 10.0.0.1 ct zone set 3
    let e = fixture("ctdir");
    assert_eq!(
        e[0],
        Expr::Ct(vec![
            Ct::DestinationRegister(Register::Reg1),
            Ct::Key(CtKey::SrcIp),
            Ct::Direction(CtDirection::Original),
        ])
    );
    assert!(matches!(&e[3], Expr::Ct(c) if c[1] == Ct::Key(CtKey::Zone)));
    // notrack has no attributes
    assert_eq!(fixture("notrack"), [Expr::Notrack(vec![])]);
}

#[test]
fn hash_and_numgen() {
    // meta mark set jhash ip saddr . tcp dport mod 16 seed 0xdead offset 2
    let e = fixture("hash");
    // the concatenation: [ payload load 2b @ transport header + 2 =>
    // reg 13 ], a 4-byte register right after the address
    assert!(matches!(&e[5], Expr::Payload(p)
        if p[0] == Payload::DestinationRegister(Register::Reg32_05)));
    assert_eq!(
        e[6],
        Expr::Hash(vec![
            Hash::SourceRegister(Register::Reg2),
            Hash::DestinationRegister(Register::Reg1),
            Hash::Length(8),
            Hash::Modulus(16),
            Hash::Seed(0xdead),
            Hash::Offset(2),
            Hash::Type(HashType::Jenkins),
        ])
    );
    assert_eq!(
        fixture("symhash")[0],
        Expr::Hash(vec![
            Hash::DestinationRegister(Register::Reg1),
            Hash::Modulus(2),
            Hash::Type(HashType::Sym),
        ])
    );
    // meta mark set numgen inc mod 4 offset 1
    assert_eq!(
        fixture("numgen")[0],
        Expr::Numgen(vec![
            Numgen::DestinationRegister(Register::Reg1),
            Numgen::Modulus(4),
            Numgen::Type(NumgenType::Incremental),
            Numgen::Offset(1),
        ])
    );
}

#[test]
fn routes_fib_rt() {
    // fib daddr . iif type local accept
    assert_eq!(
        fixture("fib")[0],
        Expr::Fib(vec![
            Fib::DestinationRegister(Register::Reg1),
            Fib::Result(FibResult::Addrtype),
            Fib::Flags(NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF),
        ])
    );
    // fib saddr . mark oifname "lo"
    assert_eq!(
        fixture("fiboif")[0],
        Expr::Fib(vec![
            Fib::DestinationRegister(Register::Reg1),
            Fib::Result(FibResult::Oifname),
            Fib::Flags(NFTA_FIB_F_SADDR | NFTA_FIB_F_MARK),
        ])
    );
    // rt ip nexthop 192.0.2.1
    assert_eq!(
        fixture("rtnh")[0],
        Expr::Rt(vec![
            Rt::Key(RtKey::Nexthop4),
            Rt::DestinationRegister(Register::Reg1),
        ])
    );
}

#[test]
fn exthdr_options_and_writes() {
    // tcp flags syn tcp option maxseg size set rt mtu
    let e = fixture("rt");
    assert_eq!(
        e[5],
        Expr::Rt(vec![
            Rt::Key(RtKey::Tcpmss),
            Rt::DestinationRegister(Register::Reg1),
        ])
    );
    // [ exthdr write tcpopt reg 1 => 2b @ 2 + 2 ]
    assert_eq!(
        e[7],
        Expr::Exthdr(vec![
            Exthdr::SourceRegister(Register::Reg1),
            Exthdr::Type(2),
            Exthdr::Offset(2),
            Exthdr::Length(2),
            Exthdr::Flags(0),
            Exthdr::Op(ExthdrOp::TcpOpt),
        ])
    );
    // ip option rr exists: [ exthdr load ipv4 1b @ 7 + 0 present ]
    assert_eq!(
        fixture("ipopt")[0],
        Expr::Exthdr(vec![
            Exthdr::DestinationRegister(Register::Reg1),
            Exthdr::Type(7),
            Exthdr::Offset(0),
            Exthdr::Length(1),
            Exthdr::Flags(NFT_EXTHDR_F_PRESENT),
            Exthdr::Op(ExthdrOp::Ipv4),
        ])
    );
    // exthdr frag exists: [ exthdr load ipv6 1b @ 44 + 0 present ]
    assert!(matches!(&fixture("exthdr6")[0], Expr::Exthdr(x)
        if x[1] == Exthdr::Type(44) && x[5] == Exthdr::Op(ExthdrOp::Ipv6)));
    // tcp dport set 1234: a payload write with checksum fix-up
    assert_eq!(
        fixture("payloadset")[3],
        Expr::Payload(vec![
            Payload::SourceRegister(Register::Reg1),
            Payload::Base(PayloadBase::Transport),
            Payload::Offset(2),
            Payload::Length(2),
            Payload::CsumType(ChecksumType::Inet),
            Payload::CsumOffset(16),
            Payload::CsumFlags(0),
        ])
    );
    // meta mark set meta mark << 8
    assert_eq!(
        fixture("shift")[1],
        Expr::Bitwise(vec![
            Bitwise::SourceRegister(Register::Reg1),
            Bitwise::DestinationRegister(Register::Reg1),
            Bitwise::Length(4),
            Bitwise::Op(BitwiseOp::Lshift),
            Bitwise::Data(value(&[8, 0, 0, 0])),
        ])
    );
}

#[test]
fn sets_dynset_objref() {
    // update @flows { ip saddr counter }
    assert_eq!(
        fixture("dynset")[3],
        Expr::Dynset(vec![
            Dynset::SregKey(Register::Reg1),
            Dynset::Op(DynsetOp::Update),
            Dynset::SetName("flows".into()),
            Dynset::Timeout(0),
            Dynset::Expr(Box::new(Expr::Counter(vec![
                Counter::Bytes(0),
                Counter::Packets(0),
            ]))),
            Dynset::Flags(0),
        ])
    );
    // add @seen { ip saddr timeout 10s limit rate 5/second }
    assert!(matches!(&fixture("dynsetadd")[3], Expr::Dynset(d)
        if d[1] == Dynset::Op(DynsetOp::Add)
            && d[3] == Dynset::Timeout(10_000)
            && matches!(&d[4], Dynset::Expr(e) if e.name() == "limit")));
    // counter name "c1" quota name "q1"
    assert_eq!(
        fixture("objref"),
        [
            Expr::Objref(vec![
                Objref::ImmName("c1".into()),
                Objref::ImmType(ObjectType::Counter),
            ]),
            Expr::Objref(vec![
                Objref::ImmName("q1".into()),
                Objref::ImmType(ObjectType::Quota),
            ]),
        ]
    );
    // counter name ip saddr map { ... }
    assert_eq!(
        fixture("objrefmap")[3],
        Expr::Objref(vec![
            Objref::SetSreg(Register::Reg1),
            Objref::SetName("__objmap0".into()),
        ])
    );
}

#[test]
fn sockets_fingerprints_ipsec_synproxy() {
    // socket transparent 1 socket mark 0x5
    let e = fixture("socket");
    assert_eq!(
        e[2],
        Expr::Socket(vec![
            Socket::Key(SocketKey::Mark),
            Socket::DestinationRegister(Register::Reg1),
        ])
    );
    // osf ttl skip version "Linux:4.20"
    assert_eq!(
        fixture("osf")[0],
        Expr::Osf(vec![
            Osf::Ttl(2),
            Osf::Flags(NFT_OSF_F_VERSION),
            Osf::DestinationRegister(Register::Reg1),
        ])
    );
    // ipsec in reqid 1: [ xfrm load in 0 reqid => reg 1 ]
    assert_eq!(
        fixture("xfrm")[0],
        Expr::Xfrm(vec![
            Xfrm::DestinationRegister(Register::Reg1),
            Xfrm::Key(XfrmKey::Reqid),
            Xfrm::Direction(XfrmDirection::In),
            Xfrm::Spnum(0),
        ])
    );
    // synproxy mss 1460 wscale 7 timestamp sack-perm
    let options = NF_SYNPROXY_OPT_MSS
        | NF_SYNPROXY_OPT_WSCALE
        | NF_SYNPROXY_OPT_SACK_PERM
        | NF_SYNPROXY_OPT_TIMESTAMP;
    assert_eq!(
        fixture("synproxy"),
        [Expr::Synproxy(vec![
            Synproxy::Mss(1460),
            Synproxy::Wscale(7),
            Synproxy::Flags(options),
        ])]
    );
}

#[test]
fn netdev_fwd_dup_tunnel() {
    // fwd ip to 192.0.2.1 device "lo"
    assert_eq!(
        fixture("fwd")[2],
        Expr::Fwd(vec![
            Fwd::SregDev(Register::Reg1),
            Fwd::SregAddr(Register::Reg2),
            Fwd::Nfproto(Nfproto::Ipv4),
        ])
    );
    // dup to "lo"
    assert_eq!(
        fixture("dup")[1],
        Expr::Dup(vec![Dup::SregDev(Register::Reg1)])
    );
    // tunnel key id, dreg 1, mode rx
    assert_eq!(
        fixture("tunnel"),
        [Expr::Tunnel(vec![
            Tunnel::Key(TunnelKey::Id),
            Tunnel::DestinationRegister(Register::Reg1),
            Tunnel::Mode(TunnelMode::Rx),
        ])]
    );
}

#[test]
fn last_and_compat() {
    // last, never used
    assert_eq!(
        fixture("last"),
        [Expr::Last(vec![Last::Set(0), Last::Msecs(0)])]
    );
    // match comment rev 0: the xt info comes back as loaded, 256 bytes
    let mut comment = b"hello nfscope".to_vec();
    comment.resize(256, 0);
    assert_eq!(
        fixture("match"),
        [Expr::Match(vec![
            Match::Name("comment".into()),
            Match::Rev(0),
            Match::Info(comment),
        ])]
    );
    // target MARK rev 2: struct xt_mark_tginfo2 in the host order of
    // the capture, little-endian
    let info = [0x10u32.to_le_bytes(), 0xffu32.to_le_bytes()].concat();
    assert_eq!(
        fixture("target"),
        [Expr::Target(vec![
            Target::Name("MARK".into()),
            Target::Rev(2),
            Target::Info(info),
        ])]
    );
}

#[test]
fn inner_carries_a_payload() {
    // inner vxlan, flags ll|nh|th: payload load 4b @ network header + 12
    assert_eq!(
        fixture("inner"),
        [Expr::Inner(vec![
            Inner::Num(0),
            Inner::Type(InnerType::Vxlan),
            Inner::Flags(NFT_INNER_LL | NFT_INNER_NH | NFT_INNER_TH),
            Inner::HdrSize(0),
            Inner::Expr(Box::new(Expr::Payload(vec![
                Payload::DestinationRegister(Register::Reg1),
                Payload::Base(PayloadBase::Network),
                Payload::Offset(12),
                Payload::Length(4),
            ]))),
        ])]
    );
}

#[test]
fn queue_by_hand() {
    // queue num 4-5 fanout bypass: be16 number, total and flags
    let data = [
        nla(1, &4u16.to_be_bytes()),
        nla(2, &2u16.to_be_bytes()),
        nla(3, &3u16.to_be_bytes()),
    ]
    .concat();
    assert_eq!(
        decode_expr("queue", &data),
        Expr::Queue(vec![
            Queue::Num(4),
            Queue::Total(2),
            Queue::Flags(NFT_QUEUE_FLAG_BYPASS | NFT_QUEUE_FLAG_CPU_FANOUT),
        ])
    );
    // queue to the number in register 1
    let data = nla(4, &1u32.to_be_bytes());
    assert_eq!(
        decode_expr("queue", &data),
        Expr::Queue(vec![Queue::SregQnum(Register::Reg1)])
    );
}

#[test]
fn flow_offload_by_hand() {
    // flow add @ft
    let data = nla(1, b"ft\0");
    assert_eq!(
        decode_expressions(&expr_list("flow_offload", &data)),
        [Expr::FlowOffload(vec![FlowOffload::TableName("ft".into())])]
    );
}

#[test]
fn dynset_with_several_expressions() {
    // update @multi { ip saddr counter quota 10 mbytes }: more than one
    // expression travel in NFTA_DYNSET_EXPRESSIONS
    assert_eq!(
        fixture("dynsetmulti")[3],
        Expr::Dynset(vec![
            Dynset::SregKey(Register::Reg1),
            Dynset::Op(DynsetOp::Update),
            Dynset::SetName("multi".into()),
            Dynset::Timeout(0),
            Dynset::Expressions(vec![
                Expr::Counter(vec![Counter::Bytes(0), Counter::Packets(0)]),
                Expr::Quota(vec![
                    Quota::Bytes(10 << 20),
                    Quota::Consumed(0),
                    Quota::Flags(0),
                ]),
            ]),
            Dynset::Flags(0),
        ])
    );
}

#[test]
fn expressions_that_carry_expressions_do_not_nest() {
    let inner = [nla(1, b"s\0"), nla(7, &expr_nest("counter", &[]))].concat();
    let outer = [nla(1, b"t\0"), nla(7, &expr_nest("dynset", &inner))].concat();
    let Expr::Dynset(attrs) = decode_expr("dynset", &outer) else {
        panic!("the outer dynset decodes");
    };
    let Dynset::Expr(nested) = &attrs[1] else {
        panic!("{attrs:?}");
    };
    assert_eq!(nested.name(), "dynset");
    assert_eq!(nested.error(), Some("dynset inside another expression"));
}

#[test]
fn unknown_kinds_and_attributes_are_kept() {
    // a kind from a later kernel
    let data = [nla(1, &7u32.to_be_bytes()), nla(2, b"x\0")].concat();
    assert_eq!(
        decode_expr("frobnicate", &data),
        Expr::raw(
            "frobnicate".into(),
            vec![
                DefaultNla::new(1, 7u32.to_be_bytes().to_vec()),
                DefaultNla::new(2, b"x\0".to_vec()),
            ],
            None,
        )
    );
    // an attribute from a later kernel
    let data = [nla(1, &[0; 8]), nla(9, &[1, 2, 3, 4])].concat();
    assert_eq!(
        decode_expr("counter", &data),
        Expr::Counter(vec![
            Counter::Bytes(0),
            Counter::Other(Box::new(DefaultNla::new(9, vec![1, 2, 3, 4]))),
        ])
    );
    // a key from a later kernel
    assert_eq!(
        decode_expr("rt", &nla(2, &99u32.to_be_bytes())),
        Expr::Rt(vec![Rt::Key(RtKey::Other(99))])
    );
}

#[test]
fn bad_attributes_make_a_raw_expression_that_says_why() {
    // NFTA_CMP_SREG of two bytes
    let data = [nla(1, &[0, 1]), nla(2, &[0; 4])].concat();
    let e = decode_expr("cmp", &data);
    assert_eq!(e.name(), "cmp");
    let error = e.error().expect("an error");
    assert!(error.contains("NFTA_CMP_SREG"), "{error}");
    assert!(matches!(&e, Expr::Raw(raw) if raw.attrs.len() == 2));
    // a data nest too short for an attribute header
    let error = decode_expr("cmp", &nla(3, &[5, 0]))
        .error()
        .map(str::to_owned);
    assert!(error.unwrap().contains("NFTA_CMP_DATA"));
    // a data nest with nothing in it
    let e = decode_expr("immediate", &nla(2, &[]));
    assert!(e.error().unwrap().contains("empty nft_data nest"));
}

#[test]
fn broken_lists_end_with_what_went_wrong() {
    // an element without a name
    let e = decode_expressions(&nla(NFTA_LIST_ELEM, &nla(NFTA_EXPR_DATA, &[])));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].error(), Some("no NFTA_EXPR_NAME"));
    // something else than an element
    let e = decode_expressions(&nla(7, &[1, 2, 3, 4]));
    assert_eq!(e[0].error(), Some("attribute 7 in an expression list"));
    // a good element, then a length that overruns the buffer
    let mut list = expr_list("notrack", &[]);
    list.extend_from_slice(&[0xff, 0x00, 0x01, 0x00]);
    let e = decode_expressions(&list);
    assert_eq!(e[0], Expr::Notrack(vec![]));
    assert!(e[1].error().unwrap().starts_with("invalid NFTA_LIST_ELEM"));
}

#[test]
fn truncated_fixtures_never_panic() {
    for (_, bytes, _) in FIXTURES {
        for len in 0..bytes.len() {
            let _ = decode_expressions(&bytes[..len]);
        }
    }
}

/// Attributes one after the other.
fn nlas(attrs: Vec<(u16, Vec<u8>)>) -> Vec<u8> {
    attrs
        .iter()
        .flat_map(|(kind, value)| nla(*kind, value))
        .collect()
}

/// Attributes of small types, so that the decoders' arms are hit, with
/// values that are often nests themselves.
fn attr_soup() -> impl Strategy<Value = Vec<u8>> {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..24);
    let nest = proptest::collection::vec((0u16..4, bytes()), 0..3);
    let value = prop_oneof![bytes(), nest.prop_map(nlas)];
    proptest::collection::vec((0u16..12, value), 0..8).prop_map(nlas)
}

fn kind_name() -> impl Strategy<Value = String> {
    let known = FIXTURES
        .iter()
        .flat_map(|(_, bytes, _)| decode_expressions(bytes))
        .map(|e| e.name().to_owned())
        .chain(["queue", "flow_offload"].map(String::from))
        .collect::<Vec<_>>();
    prop_oneof![proptest::sample::select(known), ".{0,12}"]
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..600)
    ) {
        let _ = decode_expressions(&bytes);
        let _ = decode_nested_expr(&bytes);
    }

    #[test]
    fn arbitrary_names_and_data_never_panic(
        name in kind_name(),
        data in attr_soup(),
    ) {
        let e = decode_expr(&name, &data);
        prop_assert_eq!(e.name(), name.as_str());
        let _ = decode_expressions(&expr_list(&name, &data));
    }

    #[test]
    fn corrupted_fixtures_never_panic(
        which in 0..FIXTURES.len(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = FIXTURES[which].1.to_vec();
        for (at, value) in flips {
            let len = bytes.len();
            bytes[at % len] = value;
        }
        let _ = decode_expressions(&bytes);
    }
}
