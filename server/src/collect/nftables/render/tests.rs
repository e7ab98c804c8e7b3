//! Rendering pieces against what nft prints, and never panicking on
//! arbitrary expressions.

use proptest::prelude::*;

use super::chain::priority;
use super::units;
use super::userdata;
use super::Libxtables;
use crate::collect::nftables::expr::{
    decode_expressions, Bitwise, BitwiseOp, Byteorder, ByteorderOp, Cmp, CmpOp,
    Counter, Ct, CtKey, Data, Dup, Expr, Exthdr, ExthdrOp, Fwd, Immediate,
    Lookup, Match, Meta, MetaKey, Nfproto, Osf, Payload, PayloadBase, Range,
    RangeOp, Register, Socket, SocketKey, Synproxy, Target, Tproxy,
    NFT_OSF_F_VERSION, NF_SYNPROXY_OPT_MSS, NF_SYNPROXY_OPT_SACK_PERM,
    NF_SYNPROXY_OPT_TIMESTAMP, NF_SYNPROXY_OPT_WSCALE,
};
use crate::collect::nftables::ruleset::{
    ChainContents, Element, Family, Object, Rule, Set, Table, TableContents,
};
use crate::collect::nftables::xt;

#[test]
fn priorities_are_named_per_family_and_hook() {
    assert_eq!(priority(Family::Inet, "input", 0), "filter");
    assert_eq!(priority(Family::Inet, "input", 10), "filter + 10");
    assert_eq!(priority(Family::Inet, "input", 11), "11");
    assert_eq!(priority(Family::Inet, "output", -151), "mangle - 1");
    assert_eq!(priority(Family::Ip, "prerouting", -100), "dstnat");
    assert_eq!(priority(Family::Ip, "input", -100), "-100");
    assert_eq!(priority(Family::Bridge, "input", 0), "0");
    assert_eq!(priority(Family::Bridge, "output", 100), "out");
    assert_eq!(priority(Family::Netdev, "ingress", -500), "-500");
    assert_eq!(
        priority(Family::Inet, "input", i32::MIN),
        i32::MIN.to_string()
    );
}

#[test]
fn units_are_the_largest_that_divide() {
    assert_eq!(units::duration(3_600_000), "1h");
    assert_eq!(units::duration(119_992), "1m59s992ms");
    assert_eq!(units::bytes(1 << 20), "1 mbytes");
    assert_eq!(units::bytes(1 << 31), "2048 mbytes");
    assert_eq!(units::bytes(100), "100 bytes");
}

#[test]
fn comments_come_from_their_tlv() {
    let ud = [1, 2, 0xaa, 0xbb, 0, 3, b'h', b'i', 0];
    assert_eq!(userdata::comment(Some(&ud), 0).as_deref(), Some("hi"));
    assert_eq!(userdata::comment(Some(&ud[..5]), 0), None);
    assert_eq!(userdata::comment(Some(&[0, 9, 1]), 0), None);
}

#[test]
fn unknown_expressions_print_in_the_marked_form() {
    // One list element: NFTA_EXPR_NAME "nope", NFTA_EXPR_DATA with one
    // attribute 1 = 0x0a000001.
    let bytes = [
        28, 0, 1, 0, // NFTA_LIST_ELEM
        9, 0, 1, 0, b'n', b'o', b'p', b'e', 0, 0, 0, 0, // NAME
        12, 0, 2, 0, // DATA
        8, 0, 1, 0, 10, 0, 0, 1,
    ];
    let rule = Rule {
        exprs: decode_expressions(&bytes),
        ..Rule::default()
    };
    let table = TableContents::default();
    assert_eq!(
        super::rule_texts(Family::Ip, &table, Libxtables::default(), &rule).nft,
        "[expr nope 1:0a000001]"
    );
}

/// A rule of `exprs` as it prints in a table of `family` without sets.
fn rendered(family: Family, exprs: Vec<Expr>) -> String {
    let rule = Rule {
        exprs,
        ..Rule::default()
    };
    super::rule_texts(
        family,
        &TableContents::default(),
        Libxtables::default(),
        &rule,
    )
    .nft
}

/// `[ cmp OP reg 1 DATA ]`.
fn cmp(op: CmpOp, data: &[u8]) -> Expr {
    Expr::Cmp(vec![
        Cmp::SourceRegister(Register::Reg1),
        Cmp::Op(op),
        Cmp::Data(Data::Value(data.to_vec())),
    ])
}

fn equal(data: &[u8]) -> Expr {
    cmp(CmpOp::Equal, data)
}

/// `[ exthdr load OP KIND @ OFFSET + LEN (FLAGS) => reg 1 ]`, offset
/// and length in bytes.
fn exthdr(op: ExthdrOp, kind: u8, offset: u32, len: u32, flags: u32) -> Expr {
    Expr::Exthdr(vec![
        Exthdr::DestinationRegister(Register::Reg1),
        Exthdr::Type(kind),
        Exthdr::Offset(offset),
        Exthdr::Length(len),
        Exthdr::Flags(flags),
        Exthdr::Op(op),
    ])
}

/// `[ meta load KEY => reg 1 ]`.
fn meta(key: MetaKey) -> Expr {
    Expr::Meta(vec![
        Meta::DestinationRegister(Register::Reg1),
        Meta::Key(key),
    ])
}

/// `[ byteorder reg 1 = hton(reg 1, LEN, LEN) ]`.
fn hton(len: u32) -> Expr {
    Expr::Byteorder(vec![
        Byteorder::SourceRegister(Register::Reg1),
        Byteorder::DestinationRegister(Register::Reg1),
        Byteorder::Op(ByteorderOp::Hton),
        Byteorder::Length(len),
        Byteorder::Size(len),
    ])
}

/// `[ range eq reg 1 FROM TO ]`.
fn range(from: &[u8], to: &[u8]) -> Expr {
    Expr::Range(vec![
        Range::SourceRegister(Register::Reg1),
        Range::Op(RangeOp::Eq),
        Range::FromData(Data::Value(from.to_vec())),
        Range::ToData(Data::Value(to.to_vec())),
    ])
}

/// `[ bitwise reg 1 = (reg 1 & MASK) ^ 0 ]`.
fn mask(mask: &[u8]) -> Expr {
    Expr::Bitwise(vec![
        Bitwise::SourceRegister(Register::Reg1),
        Bitwise::DestinationRegister(Register::Reg1),
        Bitwise::Length(mask.len() as u32),
        Bitwise::Mask(Data::Value(mask.to_vec())),
        Bitwise::Xor(Data::Value(vec![0; mask.len()])),
        Bitwise::Op(BitwiseOp::MaskXor),
    ])
}

fn host(n: u32) -> Vec<u8> {
    n.to_ne_bytes().to_vec()
}

#[test]
fn tcp_options_are_named_by_kind_and_field() {
    let tcp = |kind, offset, len, flags, data: &[u8]| {
        let load = exthdr(ExthdrOp::TcpOpt, kind, offset, len, flags);
        rendered(Family::Inet, vec![load, equal(data)])
    };
    assert_eq!(tcp(2, 2, 2, 0, &[0, 1]), "tcp option maxseg size 1");
    assert_eq!(tcp(3, 2, 1, 0, &[7]), "tcp option window count 7");
    assert_eq!(tcp(5, 2, 4, 0, &[0, 0, 0, 1]), "tcp option sack left 1");
    // The second block of a SACK carries its number.
    assert_eq!(tcp(5, 10, 4, 0, &[0, 0, 0, 1]), "tcp option sack1 left 1");
    assert_eq!(
        tcp(8, 6, 4, 0, &[0, 0, 0, 2]),
        "tcp option timestamp tsecr 2"
    );
    assert_eq!(tcp(0, 0, 1, 1, &[1]), "tcp option eol exists");
    assert_eq!(tcp(19, 0, 1, 1, &[0]), "tcp option md5sig missing");
    // Kinds nft has no name for: by number, or by their bits.
    assert_eq!(tcp(123, 0, 1, 1, &[1]), "tcp option 123 exists");
    assert_eq!(tcp(123, 1, 1, 0, &[4]), "tcp option @123,8,8 4");
}

#[test]
fn a_mask_on_an_option_names_the_narrower_field() {
    // mptcp subtype: the high four bits of the option's third byte.
    let load = exthdr(ExthdrOp::TcpOpt, 30, 2, 1, 0);
    let text =
        rendered(Family::Inet, vec![load, mask(&[0xf0]), equal(&[0x10])]);
    assert_eq!(text, "tcp option mptcp subtype 1");
}

#[test]
fn an_option_without_registers_is_reset() {
    let reset = |kind| {
        rendered(
            Family::Inet,
            vec![Expr::Exthdr(vec![
                Exthdr::Type(kind),
                Exthdr::Op(ExthdrOp::TcpOpt),
            ])],
        )
    };
    assert_eq!(reset(2), "reset tcp option maxseg");
    assert_eq!(reset(123), "reset tcp option 123");
}

#[test]
fn sctp_chunks_and_ip_options_are_named() {
    let sctp = exthdr(ExthdrOp::Sctp, 1, 14, 2, 0);
    assert_eq!(
        rendered(Family::Inet, vec![sctp, equal(&[0, 3])]),
        "sctp chunk init num-inbound-streams 3"
    );
    let data = exthdr(ExthdrOp::Sctp, 0, 0, 1, 1);
    assert_eq!(
        rendered(Family::Inet, vec![data, equal(&[1])]),
        "sctp chunk data exists"
    );
    let rr = exthdr(ExthdrOp::Ipv4, 7, 2, 1, 0);
    assert_eq!(
        rendered(Family::Ip, vec![rr, equal(&[3])]),
        "ip option rr ptr 3"
    );
    // A chunk type nft has no name for stays marked.
    let unknown = exthdr(ExthdrOp::Sctp, 99, 0, 1, 1);
    assert!(rendered(Family::Inet, vec![unknown]).starts_with("[expr exthdr"));
}

#[test]
fn ipv6_extension_headers_leave_out_their_family_match() {
    let ipv6 = |exprs: Vec<Expr>| {
        let mut all = vec![meta(MetaKey::Nfproto), equal(&[10])];
        all.extend(exprs);
        rendered(Family::Inet, all)
    };
    let frag = |offset, len| exthdr(ExthdrOp::Ipv6, 44, offset, len, 0);
    assert_eq!(ipv6(vec![frag(4, 4), equal(&[0, 0, 0, 1])]), "frag id 1");
    // frag-off is 13 bits: its values come shifted past the flags.
    assert_eq!(
        ipv6(vec![frag(2, 2), mask(&[0xff, 0xf8]), equal(&[0x00, 0xb0])]),
        "frag frag-off 22"
    );
    let srh = exthdr(ExthdrOp::Ipv6, 43, 6, 2, 0);
    assert_eq!(ipv6(vec![srh, equal(&[0, 5])]), "srh tag 5");
    let mh = exthdr(ExthdrOp::Ipv6, 135, 2, 1, 0);
    assert_eq!(
        ipv6(vec![mh, equal(&[12])]),
        "mh type home-agent-switch-message"
    );
    let hbh = exthdr(ExthdrOp::Ipv6, 0, 0, 1, 1);
    assert_eq!(ipv6(vec![hbh, equal(&[1])]), "exthdr hbh exists");
}

#[test]
fn host_order_keys_turned_to_network_order_compare_in_it() {
    // nft turns a host-order key to network order before a range.
    let exprs = vec![
        meta(MetaKey::SocketUserId),
        hton(4),
        range(&3001u32.to_be_bytes(), &3005u32.to_be_bytes()),
    ];
    assert_eq!(rendered(Family::Inet, exprs), "meta skuid 3001-3005");
    let exprs = vec![
        meta(MetaKey::Length),
        hton(4),
        cmp(CmpOp::GreaterThan, &1000u32.to_be_bytes()),
    ];
    assert_eq!(rendered(Family::Inet, exprs), "meta length > 1000");
}

#[test]
fn ranges_print_numbers_for_names() {
    let exprs = vec![meta(MetaKey::L4Proto), range(&[6], &[17])];
    assert_eq!(rendered(Family::Inet, exprs), "meta l4proto 6-17");
}

#[test]
fn meta_keys_print_by_their_types() {
    let key =
        |k, data: &[u8]| rendered(Family::Inet, vec![meta(k), equal(data)]);
    assert_eq!(
        key(MetaKey::Priority, &host(0xffff_ffff)),
        "meta priority root"
    );
    assert_eq!(key(MetaKey::Priority, &host(0)), "meta priority none");
    assert_eq!(
        key(MetaKey::Priority, &host(0x8765_4321)),
        "meta priority 8765:4321"
    );
    assert_eq!(
        key(MetaKey::Iftype, &1u16.to_ne_bytes()),
        "meta iiftype ether"
    );
    assert_eq!(key(MetaKey::TimeDay, &[6]), "meta day \"Saturday\"");
}

#[test]
fn a_star_ending_a_whole_name_is_escaped() {
    let name = |bytes: &[u8]| {
        rendered(Family::Inet, vec![meta(MetaKey::Iifname), equal(bytes)])
    };
    assert_eq!(name(b"dummy*\0"), "iifname \"dummy\\*\"");
    assert_eq!(name(b"dummy"), "iifname \"dummy*\"");
}

#[test]
fn ct_keys_print_by_their_types() {
    let ct = |k, data: &[u8]| {
        let load =
            Expr::Ct(vec![Ct::DestinationRegister(Register::Reg1), Ct::Key(k)]);
        rendered(Family::Inet, vec![load, equal(data)])
    };
    assert_eq!(ct(CtKey::Expiration, &host(30_000)), "ct expiration 30s");
    let set_events = vec![
        Expr::Immediate(vec![
            Immediate::DestinationRegister(Register::Reg1),
            Immediate::Data(Data::Value(host(1031))),
        ]),
        Expr::Ct(vec![
            Ct::Key(CtKey::EventMask),
            Ct::SourceRegister(Register::Reg1),
        ]),
    ];
    assert_eq!(
        rendered(Family::Inet, set_events),
        "ct event set new,related,destroy,label"
    );
}

#[test]
fn arp_operations_are_named() {
    let load = Expr::Payload(vec![
        Payload::DestinationRegister(Register::Reg1),
        Payload::Base(PayloadBase::Network),
        Payload::Offset(6),
        Payload::Length(2),
    ]);
    assert_eq!(
        rendered(Family::Arp, vec![load, equal(&[0, 1])]),
        "arp operation request"
    );
}

/// `[ payload load LEN b @ BASE header + OFFSET => reg 1 ]`.
fn payload(base: PayloadBase, offset: u32, len: u32) -> Expr {
    Expr::Payload(vec![
        Payload::DestinationRegister(Register::Reg1),
        Payload::Base(base),
        Payload::Offset(offset),
        Payload::Length(len),
    ])
}

/// `[ bitwise reg 1 = (reg 1 & MASK) ^ XOR ]`.
fn mask_xor(mask: &[u8], xor: &[u8]) -> Expr {
    Expr::Bitwise(vec![
        Bitwise::SourceRegister(Register::Reg1),
        Bitwise::DestinationRegister(Register::Reg1),
        Bitwise::Length(mask.len() as u32),
        Bitwise::Mask(Data::Value(mask.to_vec())),
        Bitwise::Xor(Data::Value(xor.to_vec())),
        Bitwise::Op(BitwiseOp::MaskXor),
    ])
}

#[test]
fn flags_compare_as_nft_writes_them() {
    let flags = || payload(PayloadBase::Transport, 13, 1);
    let tcp = |exprs: Vec<Expr>| {
        let mut all = vec![meta(MetaKey::L4Proto), equal(&[6])];
        all.extend(exprs);
        rendered(Family::Ip, all)
    };
    // One flag is compared with `==`, several as a number.
    assert_eq!(tcp(vec![flags(), equal(&[0x02])]), "tcp flags == syn");
    assert_eq!(tcp(vec![flags(), equal(&[0xff])]), "tcp flags == 0xff");
    assert_eq!(
        tcp(vec![flags(), mask(&[0x02]), equal(&[0x02])]),
        "tcp flags & syn == syn"
    );
    assert_eq!(
        tcp(vec![flags(), mask(&[0x12]), equal(&[0x12])]),
        "tcp flags syn,ack / syn,ack"
    );
    assert_eq!(
        tcp(vec![flags(), mask(&[0x12]), cmp(CmpOp::NotEqual, &[0])]),
        "tcp flags syn,ack"
    );
}

#[test]
fn masks_of_leading_ones_are_prefixes_of_marks() {
    let exprs = vec![
        meta(MetaKey::Mark),
        mask(&host(0xffff_ff00)),
        equal(&host(0xffff_ff00)),
    ];
    assert_eq!(rendered(Family::Inet, exprs), "meta mark 0xffffff00/24");
    // An expression of the field compares with `==`.
    let exprs = vec![
        meta(MetaKey::Mark),
        mask_xor(&host(!3), &host(3)),
        equal(&host(1)),
    ];
    assert_eq!(
        rendered(Family::Inet, exprs),
        "meta mark | 0x00000003 == 0x00000001"
    );
}

/// Two bytes at `at` loaded, masked, xored and written back.
fn rewritten(
    family: Family,
    (base, offset): (PayloadBase, u32),
    mask: &[u8],
    xor: &[u8],
) -> String {
    let write = Expr::Payload(vec![
        Payload::SourceRegister(Register::Reg1),
        Payload::Base(base),
        Payload::Offset(offset),
        Payload::Length(2),
    ]);
    let load = payload(base, offset, 2);
    rendered(family, vec![load, mask_xor(mask, xor), write])
}

#[test]
fn writing_masked_bits_back_sets_the_field_they_are() {
    let set = |mask: &[u8], xor: &[u8]| {
        rewritten(Family::Ip, (PayloadBase::Network, 0), mask, xor)
    };
    assert_eq!(set(&[0xff, 0xfc], &[0, 1]), "ip ecn set ect1");
    assert_eq!(set(&[0xff, 0x03], &[0, 0x58]), "ip dscp set af23");
}

/// Bits nft cannot name, as nft 1.0.6 reads their writes back: zeros
/// under a mask print the mask's complement; bits set outside the mask
/// an `|` of their own.
#[test]
fn writing_bits_of_no_field_prints_as_nft_reads_it() {
    let set = |mask: &[u8], xor: &[u8]| {
        rewritten(Family::Inet, (PayloadBase::Inner, 6), mask, xor)
    };
    assert_eq!(
        set(&[0xff, 0xc0], &[0, 0]),
        "@ih,48,16 set @ih,48,16 & 0x3f"
    );
    assert_eq!(
        set(&[0xff, 0xc0], &[0, 1]),
        "@ih,48,16 set @ih,48,16 & 0xffc1 | 0x1"
    );
}

#[test]
fn anonymous_sets_of_narrow_fields_print_their_values() {
    // ip dscp { cs1, af11 }: the kernel holds the values two bits up.
    let element = |v: u8| Element {
        key: vec![v << 2],
        ..Element::default()
    };
    let set = Set {
        name: "__set0".into(),
        flags: 0x1 | 0x2,
        key_type: 36,
        key_len: 1,
        elements: vec![element(0x08), element(0x0a)],
        ..Set::default()
    };
    let table = TableContents {
        sets: vec![set],
        ..TableContents::default()
    };
    let rule = Rule {
        exprs: vec![
            payload(PayloadBase::Network, 1, 1),
            mask(&[0xfc]),
            Expr::Lookup(vec![
                Lookup::Set("__set0".into()),
                Lookup::SourceRegister(Register::Reg1),
            ]),
        ],
        ..Rule::default()
    };
    assert_eq!(
        super::rule_texts(Family::Ip, &table, Libxtables::default(), &rule).nft,
        "ip dscp { cs1, af11 }"
    );
}

#[test]
fn ranges_of_host_order_keys_are_in_network_order() {
    // iifgroup { 11-33 }: an interval set keeps its keys in network
    // order, the end as the first key past the range.
    let element = |v: u32, flags| Element {
        key: v.to_be_bytes().to_vec(),
        flags,
        ..Element::default()
    };
    let set = Set {
        flags: 0x4,
        key_type: 35,
        key_len: 4,
        elements: vec![element(0, 1), element(11, 0), element(34, 1)],
        ..Set::default()
    };
    assert_eq!(super::set::inline(&set), "{ 11-33 }");
}

#[test]
fn ct_timeouts_list_the_states_off_the_kernels_default() {
    // UDP over IPv4: unreplied 19 s, replied 180 s (the default).
    let mut states = nla(1, &19u32.to_be_bytes());
    states.extend(nla(2, &180u32.to_be_bytes()));
    let mut data = nla(1, &2u16.to_be_bytes());
    data.extend(nla(2, &[17]));
    data.extend(nla(3 | 0x8000, &states));
    let object = Object {
        kind: 7,
        data,
        ..Object::default()
    };
    let (keyword, lines) = super::object::object(&object);
    assert_eq!(keyword, "ct timeout");
    assert_eq!(
        lines,
        ["protocol udp", "l3proto ip", "policy = { unreplied : 19 }"]
    );
}

#[test]
fn ct_expectations_read_their_timeout_in_host_order() {
    let mut data = nla(1, &2u16.to_be_bytes());
    data.extend(nla(2, &[6]));
    data.extend(nla(3, &1234u16.to_be_bytes()));
    data.extend(nla(4, &120_000u32.to_ne_bytes()));
    data.extend(nla(5, &[12]));
    let object = Object {
        kind: 9,
        data,
        ..Object::default()
    };
    let (_, lines) = super::object::object(&object);
    assert_eq!(
        lines,
        [
            "protocol tcp",
            "dport 1234",
            "timeout 2m",
            "size 12",
            "l3proto ip"
        ]
    );
}

#[test]
fn vlan_tags_are_named_after_their_ether_type() {
    let ll = |offset, len| payload(PayloadBase::LinkLayer, offset, len);
    let ether_type = |n: u16| vec![ll(12, 2), equal(&n.to_be_bytes())];
    let id =
        |n: u16| vec![ll(14, 2), mask(&[0x0f, 0xff]), equal(&n.to_be_bytes())];
    let rule = |parts: Vec<Vec<Expr>>| rendered(Family::Bridge, parts.concat());
    // The 802.1Q type is implied by the tag's fields, not by its type.
    assert_eq!(rule(vec![ether_type(0x8100), id(1)]), "vlan id 1");
    assert_eq!(
        rule(vec![ether_type(0x8100), vec![ll(16, 2), equal(&[8, 0])]]),
        "ether type 8021q vlan type ip"
    );
    // 802.1ad is kept; a second tag follows the first's type.
    assert_eq!(
        rule(vec![
            ether_type(0x88a8),
            id(1),
            vec![ll(16, 2), equal(&[0x81, 0])],
            vec![ll(18, 2), mask(&[0x0f, 0xff]), equal(&[0, 2])],
        ]),
        "ether type 8021ad vlan id 1 vlan type 8021q vlan id 2"
    );
    // The network header follows the tag's type.
    assert_eq!(
        rule(vec![
            ether_type(0x8100),
            vec![ll(16, 2), equal(&[8, 0])],
            vec![payload(PayloadBase::Network, 9, 1), equal(&[6])],
        ]),
        "ether type 8021q ip protocol tcp"
    );
    assert_eq!(
        rule(vec![
            ether_type(0x8100),
            vec![ll(14, 1), mask(&[0xe0]), equal(&[0x60])],
        ]),
        "vlan pcp 3"
    );
}

#[test]
fn a_statement_keeps_the_protocol_match_before_it() {
    let exprs = vec![
        meta(MetaKey::L4Proto),
        equal(&[6]),
        Expr::Counter(vec![Counter::Bytes(0), Counter::Packets(0)]),
        payload(PayloadBase::Transport, 2, 2),
        equal(&22u16.to_be_bytes()),
    ];
    assert_eq!(
        rendered(Family::Inet, exprs),
        "meta l4proto tcp counter packets 0 bytes 0 tcp dport 22"
    );
}

#[test]
fn transport_fields_of_sctp_ah_comp_and_dccp_are_named() {
    let field = |proto: u8, offset, len, data: &[u8]| {
        let exprs = vec![
            meta(MetaKey::L4Proto),
            equal(&[proto]),
            payload(PayloadBase::Transport, offset, len),
            equal(data),
        ];
        rendered(Family::Inet, exprs)
    };
    assert_eq!(field(132, 4, 4, &[0, 0, 0, 22]), "sctp vtag 22");
    assert_eq!(field(51, 2, 2, &[0, 22]), "ah reserved 22");
    assert_eq!(field(108, 1, 1, &[0x23]), "comp flags 0x23");
    let dccp = vec![
        meta(MetaKey::L4Proto),
        equal(&[33]),
        payload(PayloadBase::Transport, 8, 1),
        mask(&[0x1e]),
        equal(&[0x02]),
    ];
    assert_eq!(rendered(Family::Inet, dccp), "dccp type response");
}

/// `[ match name NAME rev REV ]` with its info struct.
fn xt_match(name: &str, rev: u32, info: &[u8]) -> Expr {
    Expr::Match(vec![
        Match::Name(name.into()),
        Match::Rev(rev),
        Match::Info(info.to_vec()),
    ])
}

/// `[ target name NAME rev REV ]` with its info struct.
fn xt_target(name: &str, rev: u32, info: &[u8]) -> Expr {
    Expr::Target(vec![
        Target::Name(name.into()),
        Target::Rev(rev),
        Target::Info(info.to_vec()),
    ])
}

/// The bytes of an info struct of `len` bytes with `fields` (offset,
/// bytes) written into it.
fn info(len: usize, fields: &[(usize, &[u8])]) -> Vec<u8> {
    let mut out = vec![0; len];
    for (at, bytes) in fields {
        out[*at..*at + bytes.len()].copy_from_slice(bytes);
    }
    out
}

/// `struct nf_nat_range2` (44 bytes) of one address range and ports.
fn nat_range2(flags: u32, addrs: [&[u8]; 2], ports: [u16; 2]) -> Vec<u8> {
    info(
        44,
        &[
            (0, &flags.to_ne_bytes()),
            (4, addrs[0]),
            (20, addrs[1]),
            (36, &ports[0].to_be_bytes()),
            (38, &ports[1].to_be_bytes()),
        ],
    )
}

// NF_NAT_RANGE_*
const MAP_IPS: u32 = 1;
const PROTO_SPECIFIED: u32 = 2;
const RANDOM: u32 = 4;
const PERSISTENT: u32 = 8;
const RANDOM_FULLY: u32 = 16;
const PROTO_OFFSET: u32 = 32;

#[test]
fn nat_targets_print_their_ranges_and_flags() {
    let v4 = [192, 0, 2, 2];
    let dnat = nat_range2(MAP_IPS | PROTO_SPECIFIED, [&v4, &v4], [80, 80]);
    let rendered_target = |family, name, rev, info: &[u8]| {
        rendered(family, vec![xt_target(name, rev, info)])
    };
    assert_eq!(
        rendered_target(Family::Ip, "DNAT", 2, &dnat),
        "dnat to 192.0.2.2:80"
    );
    let mut v6 = [0u8; 16];
    v6[..2].copy_from_slice(&[0xfd, 0]);
    v6[15] = 2;
    let flags = MAP_IPS | PROTO_SPECIFIED;
    let dnat6 = nat_range2(flags, [&v6, &v6], [80, 90]);
    assert_eq!(
        rendered_target(Family::Ip6, "DNAT", 2, &dnat6),
        "dnat to [fd00::2]:80-90"
    );
    // Revision 0 of IPv4: `struct nf_nat_ipv4_multi_range_compat`.
    let flags = MAP_IPS | RANDOM | RANDOM_FULLY | PERSISTENT;
    let snat = info(
        20,
        &[
            (0, &1u32.to_ne_bytes()),
            (4, &flags.to_ne_bytes()),
            (8, &[1, 2, 3, 4]),
            (12, &[1, 2, 3, 5]),
        ],
    );
    assert_eq!(
        rendered_target(Family::Ip, "SNAT", 0, &snat),
        "snat to 1.2.3.4-1.2.3.5 random,fully-random,persistent"
    );
    let ports = info(
        20,
        &[
            (4, &PROTO_SPECIFIED.to_ne_bytes()),
            (16, &99u16.to_be_bytes()),
            (18, &99u16.to_be_bytes()),
        ],
    );
    assert_eq!(
        rendered_target(Family::Ip, "REDIRECT", 0, &ports),
        "redirect to :99"
    );
    assert_eq!(
        rendered_target(Family::Ip, "MASQUERADE", 0, &info(20, &[])),
        "masquerade"
    );
    // nftables has no shifted port maps.
    let shifted =
        nat_range2(PROTO_SPECIFIED | PROTO_OFFSET, [&v4, &v4], [1, 9]);
    assert_eq!(
        rendered_target(Family::Ip, "DNAT", 2, &shifted),
        "xt target DNAT"
    );
}

/// A table of `family` with one chain of `rules`.
fn table_of(family: Family, rules: Vec<Rule>) -> TableContents {
    TableContents {
        table: Table {
            family,
            ..Table::default()
        },
        chains: vec![ChainContents {
            rules,
            ..ChainContents::default()
        }],
        ..TableContents::default()
    }
}

/// libxt_NAT's targets are found in the family of the table with the
/// first of them, and print as nothing in the other.
#[test]
fn nat_targets_translate_in_the_family_listed_first() {
    // Long enough for IPv6's `struct nf_nat_range`.
    let masquerade = Rule {
        exprs: vec![xt_target("MASQUERADE", 0, &info(40, &[]))],
        ..Rule::default()
    };
    let filter = table_of(Family::Ip, Vec::new());
    let ip = table_of(Family::Ip, vec![masquerade.clone()]);
    let ip6 = table_of(Family::Ip6, vec![masquerade.clone()]);
    let text = |tables: &[TableContents], t: &TableContents| {
        let libxtables = Libxtables::listing(tables);
        super::rule_texts(t.table.family, t, libxtables, &masquerade).nft
    };
    let v4_first = [filter.clone(), ip.clone(), ip6.clone()];
    assert_eq!(text(&v4_first, &ip), "masquerade");
    assert_eq!(text(&v4_first, &ip6), "");
    let v6_first = [filter, ip6.clone(), ip.clone()];
    assert_eq!(text(&v6_first, &ip6), "masquerade");
    assert_eq!(text(&v6_first, &ip), "");
}

/// `REJECT`'s answer, numbered in lists of each family's own.
#[test]
fn reject_names_its_answer_but_port_unreachable() {
    let reject = |family, with: u32| {
        let info = info(4, &[(0, &with.to_ne_bytes())]);
        rendered(family, vec![xt_target("REJECT", 0, &info)])
    };
    assert_eq!(reject(Family::Ip, 3), "reject");
    assert_eq!(
        reject(Family::Ip, 6),
        "reject with icmp type host-prohibited"
    );
    assert_eq!(reject(Family::Ip, 7), "reject with tcp reset");
    assert_eq!(reject(Family::Ip6, 4), "reject");
    assert_eq!(
        reject(Family::Ip6, 1),
        "reject with icmpv6 type admin-prohibited"
    );
    assert_eq!(reject(Family::Ip6, 2), "xt target REJECT");
}

/// `MARK` revision 2 (`mark`, `mask`) and `CONNMARK` revision 2
/// (`ctmark`, `ctmask`, `nfmask`, shift direction and bits, mode).
#[test]
fn mark_targets_print_the_simplest_write() {
    let mark = |value: u32, mask: u32| {
        let info =
            info(8, &[(0, &value.to_ne_bytes()), (4, &mask.to_ne_bytes())]);
        rendered(Family::Ip, vec![xt_target("MARK", 2, &info)])
    };
    assert_eq!(mark(1, u32::MAX), "meta mark set 0x1");
    assert_eq!(
        mark(0x40000, 0xff0000),
        "meta mark set mark and 0xff00ffff xor 0x40000"
    );
    assert_eq!(mark(0x4000, 0x4000), "meta mark set mark or 0x4000");
    assert_eq!(mark(0x4000, 0), "meta mark set mark xor 0x4000");
    assert_eq!(mark(0, !0xff), "meta mark set mark and 0xff");
    let connmark = |ct: [u32; 3], shift: [u8; 2], mode: u8| {
        let info = info(
            16,
            &[
                (0, &ct[0].to_ne_bytes()),
                (4, &ct[1].to_ne_bytes()),
                (8, &ct[2].to_ne_bytes()),
                (12, &shift),
                (14, &[mode]),
            ],
        );
        rendered(Family::Ip, vec![xt_target("CONNMARK", 2, &info)])
    };
    let all = u32::MAX;
    assert_eq!(connmark([0, all, all], [0, 0], 1), "ct mark set mark");
    assert_eq!(connmark([0, all, all], [0, 0], 2), "meta mark set ct mark");
    assert_eq!(
        connmark([0, 0xff, 0xff], [0, 0], 2),
        "meta mark set ct mark and 0xff"
    );
    assert_eq!(connmark([0, 0xff00, 0xff], [0, 0], 1), "xt target CONNMARK");
    assert_eq!(
        connmark([1, 0xff, 0], [0, 0], 0),
        "ct mark set ct mark xor 0x1 and 0xffffff00"
    );
    assert_eq!(
        connmark([1, all, 0], [1, 2], 0),
        "ct mark set ( 0x1  ) >> 2"
    );
    assert_eq!(
        connmark([0, all, all], [0, 4], 1),
        "ct mark set ( mark ) << 4"
    );
}

/// `struct xt_multiport_v1`: flags, count, 15 ports, 15 range flags,
/// the inversion.
fn multiport(which: u8, ports: &[u16], ranges: &[u8], invert: bool) -> Expr {
    let mut fields: Vec<(usize, Vec<u8>)> = vec![
        (0, vec![which, ports.len() as u8]),
        (47, vec![u8::from(invert)]),
    ];
    for (n, p) in ports.iter().enumerate() {
        fields.push((2 + 2 * n, p.to_ne_bytes().to_vec()));
    }
    fields.push((32, ranges.to_vec()));
    let fields: Vec<(usize, &[u8])> =
        fields.iter().map(|(at, b)| (*at, b.as_slice())).collect();
    xt_match("multiport", 1, &info(48, &fields))
}

#[test]
fn multiport_lists_ports_and_ranges_of_the_protocol_matched() {
    let after_udp = |m: Expr| {
        rendered(Family::Ip, vec![meta(MetaKey::L4Proto), equal(&[17]), m])
    };
    assert_eq!(
        after_udp(multiport(0, &[34, 35, 39], &[0, 1], false)),
        "meta l4proto udp udp sport { 34, 35-39 }"
    );
    assert_eq!(
        after_udp(multiport(1, &[24, 26], &[1], true)),
        "meta l4proto udp udp dport != 24-26"
    );
    assert_eq!(
        after_udp(multiport(1, &[80, 443], &[], true)),
        "meta l4proto udp udp dport != { 80, 443 }"
    );
    assert_eq!(
        after_udp(multiport(2, &[80, 90], &[1], true)),
        "meta l4proto udp udp sport . udp dport { 0-65535 . 80, 80 . 0-65535, \
         0-65535 . 90, 90 . 0-65535 }"
    );
    // Without a protocol there is no translation.
    assert_eq!(
        rendered(Family::Ip, vec![multiport(1, &[80], &[], false)]),
        "xt match multiport"
    );
}

/// `struct xt_conntrack_mtinfo3`: match and invert flags, states.
fn ctstate(invert: bool, states: u16) -> Expr {
    let invert = u16::from(invert);
    xt_match(
        "conntrack",
        3,
        &info(
            168,
            &[
                (146, &1u16.to_ne_bytes()),
                (148, &invert.to_ne_bytes()),
                (150, &states.to_ne_bytes()),
            ],
        ),
    )
}

#[test]
fn conntrack_states_print_inverted_and_nat_states_as_status() {
    let (new, related, established, dnat) = (8, 4, 2, 128);
    let ct = |e| rendered(Family::Ip, vec![e]);
    assert_eq!(
        ct(ctstate(false, related | established)),
        "ct state related,established"
    );
    assert_eq!(ct(ctstate(true, new)), "ct state ! new");
    assert_eq!(
        ct(ctstate(true, related | established | dnat)),
        "ct status dnat"
    );
}

#[test]
fn tcp_udp_rt_and_statistic_matches_translate() {
    let single = |e| rendered(Family::Ip6, vec![e]);
    let any = [0u16.to_ne_bytes(), u16::MAX.to_ne_bytes()].concat();
    let tcp = |option: u8, flags: u8| {
        let fields: [(usize, &[u8]); 4] =
            [(0, &any), (4, &any), (8, &[option]), (9, &[flags])];
        xt_match("tcp", 0, &info(12, &fields))
    };
    assert_eq!(single(tcp(0, 0)), "");
    assert_eq!(single(tcp(2, 0)), "tcp option 2 exists");
    assert_eq!(single(tcp(0, 0x12)), "xt match tcp");
    let udp = info(
        10,
        &[
            (0, &[5u16.to_ne_bytes(), 5u16.to_ne_bytes()].concat()),
            (4, &any),
            (8, &[1]),
        ],
    );
    assert_eq!(single(xt_match("udp", 0, &udp)), "udp sport != 5");
    let rt = |flags: u8, invflags: u8| {
        let info = info(
            280,
            &[
                (0, &2u32.to_ne_bytes()),
                (4, &3u32.to_ne_bytes()),
                (8, &5u32.to_ne_bytes()),
                (12, &8u32.to_ne_bytes()),
                (16, &[flags, invflags]),
            ],
        );
        single(xt_match("rt", 0, &info))
    };
    assert_eq!(
        rt(0x05, 0x03),
        "rt type != 2 rt seg-left != 3-5 rt hdrlength 8"
    );
    assert_eq!(rt(0x08, 0), "xt match rt");
    let statistic = |mode: u16, flags: u16, a: u32, b: u32| {
        let info = info(
            24,
            &[
                (0, &mode.to_ne_bytes()),
                (2, &flags.to_ne_bytes()),
                (4, &a.to_ne_bytes()),
                (8, &b.to_ne_bytes()),
            ],
        );
        single(xt_match("statistic", 0, &info))
    };
    assert_eq!(
        statistic(0, 0, 1 << 30, 0),
        "meta random & 2147483647 < 1073741824"
    );
    assert_eq!(statistic(1, 1, 2, 1), "numgen inc mod 3 != 1");
}

#[test]
fn socket_osf_and_synproxy_print_as_nft_does() {
    let matched = |load: Expr, data: &[u8]| {
        rendered(Family::Inet, vec![load, equal(data)])
    };
    let socket = |k| {
        Expr::Socket(vec![
            Socket::Key(k),
            Socket::DestinationRegister(Register::Reg1),
        ])
    };
    assert_eq!(
        matched(socket(SocketKey::Transparent), &[1]),
        "socket transparent 1"
    );
    assert_eq!(
        matched(socket(SocketKey::Mark), &host(5)),
        "socket mark 0x00000005"
    );
    let osf = Expr::Osf(vec![
        Osf::DestinationRegister(Register::Reg1),
        Osf::Ttl(2),
        Osf::Flags(NFT_OSF_F_VERSION),
    ]);
    let mut name = b"Linux:3.0".to_vec();
    name.resize(16, 0);
    assert_eq!(matched(osf, &name), "osf ttl skip version \"Linux:3.0\"");
    let synproxy = |attrs| rendered(Family::Inet, vec![Expr::Synproxy(attrs)]);
    let sizes = vec![
        Synproxy::Mss(1460),
        Synproxy::Wscale(7),
        Synproxy::Flags(NF_SYNPROXY_OPT_MSS | NF_SYNPROXY_OPT_WSCALE),
    ];
    assert_eq!(synproxy(sizes), "synproxy mss 1460 wscale 7");
    let options = NF_SYNPROXY_OPT_SACK_PERM | NF_SYNPROXY_OPT_TIMESTAMP;
    assert_eq!(
        synproxy(vec![Synproxy::Mss(1460), Synproxy::Flags(options)]),
        "synproxy timestamp sack-perm"
    );
}

#[test]
fn dup_fwd_and_tproxy_print_what_their_registers_hold() {
    let imm = |r, bytes: &[u8]| {
        Expr::Immediate(vec![
            Immediate::DestinationRegister(r),
            Immediate::Data(Data::Value(bytes.to_vec())),
        ])
    };
    let addr = imm(Register::Reg1, &[192, 168, 2, 1]);
    // Interface 1 is `lo` in every namespace.
    let lo = imm(Register::Reg2, &host(1));
    let dup = Expr::Dup(vec![
        Dup::SregAddr(Register::Reg1),
        Dup::SregDev(Register::Reg2),
    ]);
    assert_eq!(
        rendered(Family::Ip, vec![addr.clone(), lo.clone(), dup]),
        "dup to 192.168.2.1 device \"lo\""
    );
    let fwd = Expr::Fwd(vec![Fwd::SregDev(Register::Reg2)]);
    assert_eq!(rendered(Family::Netdev, vec![lo, fwd]), "fwd to \"lo\"");
    let port = imm(Register::Reg2, &8080u16.to_be_bytes());
    let tproxy = Expr::Tproxy(vec![
        Tproxy::Family(Nfproto::Ipv4),
        Tproxy::RegAddr(Register::Reg1),
        Tproxy::RegPort(Register::Reg2),
    ]);
    let to = |family| {
        rendered(family, vec![addr.clone(), port.clone(), tproxy.clone()])
    };
    // The family is named where the table has two.
    assert_eq!(to(Family::Inet), "tproxy ip to 192.168.2.1:8080");
    assert_eq!(to(Family::Ip), "tproxy to 192.168.2.1:8080");
    // nft prints a port that is not a constant as nothing.
    let mark = Expr::Meta(vec![
        Meta::DestinationRegister(Register::Reg2),
        Meta::Key(MetaKey::Mark),
    ]);
    assert_eq!(
        rendered(Family::Ip, vec![addr.clone(), mark, tproxy.clone()]),
        "tproxy to 192.168.2.1"
    );
}

/// A netlink attribute: length, type, value, padding to 4 bytes.
fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let len = (4 + value.len()) as u16;
    let mut out = len.to_ne_bytes().to_vec();
    out.extend(kind.to_ne_bytes());
    out.extend(value);
    out.resize(out.len().div_ceil(4) * 4, 0);
    out
}

/// Kinds whose attributes the renderer reads.
const KINDS: [&str; 30] = [
    "immediate",
    "cmp",
    "range",
    "bitwise",
    "byteorder",
    "payload",
    "exthdr",
    "meta",
    "rt",
    "ct",
    "lookup",
    "dynset",
    "objref",
    "counter",
    "quota",
    "limit",
    "log",
    "queue",
    "nat",
    "masq",
    "redir",
    "reject",
    "fib",
    "match",
    "socket",
    "osf",
    "synproxy",
    "dup",
    "fwd",
    "tproxy",
];

/// An expression list of known kinds with arbitrary attributes: small
/// numbers (registers, keys, bases, lengths) and nested data nests, so
/// that the typed decoders, not only `Raw`, reach the renderer.
fn expressions() -> impl Strategy<Value = Vec<u8>> {
    let attr = (
        1u16..10,
        prop_oneof![
            (0u32..30).prop_map(|n| n.to_be_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..20)
                .prop_map(|v| nla(1, &v)),
            proptest::collection::vec(any::<u8>(), 0..8),
        ],
    );
    let expr = (0..KINDS.len(), proptest::collection::vec(attr, 0..6));
    proptest::collection::vec(expr, 0..8).prop_map(|exprs| {
        let mut list = Vec::new();
        for (kind, attrs) in exprs {
            let data: Vec<u8> =
                attrs.iter().flat_map(|(k, v)| nla(*k, v)).collect();
            let mut name = KINDS[kind].as_bytes().to_vec();
            name.push(0);
            let mut elem = nla(1, &name);
            elem.extend(nla(2, &data));
            list.extend(nla(1, &elem));
        }
        list
    })
}

proptest! {
    /// Every extension xt decodes, translated from any bytes, after a
    /// match on UDP (the port lists') or not.
    #[test]
    fn compat_extensions_render_without_panic(
        info in proptest::collection::vec(any::<u8>(), 0..300),
        revision in 0u32..4,
        v6 in any::<bool>(),
        udp in any::<bool>(),
    ) {
        let family = if v6 { Family::Ip6 } else { Family::Ip };
        let before = || match udp {
            true => vec![meta(MetaKey::L4Proto), equal(&[17])],
            false => Vec::new(),
        };
        for name in xt::MATCHES {
            let mut exprs = before();
            exprs.push(xt_match(name, revision, &info));
            let _ = rendered(family, exprs);
        }
        for name in xt::TARGETS {
            let mut exprs = before();
            exprs.push(xt_target(name, revision, &info));
            let _ = rendered(family, exprs);
        }
    }

    #[test]
    fn typed_expressions_render_without_panic(
        bytes in expressions(),
        key_len in 0u32..40,
        key_type in any::<u32>(),
        keys in proptest::collection::vec(
            (proptest::collection::vec(any::<u8>(), 0..24), 0u32..4),
            0..6,
        ),
    ) {
        let rule = Rule {
            exprs: decode_expressions(&bytes),
            ..Rule::default()
        };
        let elements = keys
            .into_iter()
            .map(|(key, flags)| Element { key, flags, ..Element::default() })
            .collect();
        let set = Set {
            name: "__set0".into(),
            flags: 0x1 | 0x4 | 0x8,
            key_type,
            key_len,
            data_type: Some(key_type),
            elements,
            ..Set::default()
        };
        let table = TableContents {
            sets: vec![set.clone(), Set { flags: 0x4, name: "s".into(), ..set }],
            ..TableContents::default()
        };
        for family in [Family::Inet, Family::Ip, Family::Bridge] {
            let _ = super::rule_texts(family, &table, Libxtables::default(), &rule).nft;
        }
        let _ = super::table(&table, true);
    }

    /// ebtables' extensions in a bridge table, with any struct.
    #[test]
    fn ebtables_extensions_of_any_bytes_render_without_panic(
        info in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        for name in ["ip", "ip6", "mark_m", "pkttype", "vlan"] {
            let m = Expr::Match(vec![
                Match::Name(name.into()),
                Match::Rev(0),
                Match::Info(info.clone()),
            ]);
            let _ = rendered(Family::Bridge, vec![m]);
        }
        for name in ["log", "nflog", "mark", "dnat", "snat", "redirect"] {
            let t = Expr::Target(vec![
                Target::Name(name.into()),
                Target::Rev(0),
                Target::Info(info.clone()),
            ]);
            let _ = rendered(Family::Bridge, vec![t]);
        }
    }

    #[test]
    fn arbitrary_expressions_render_without_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
        key_len in 0u32..40,
    ) {
        let exprs = decode_expressions(&bytes);
        let rule = Rule { exprs: exprs.clone(), ..Rule::default() };
        // A set of any shape for lookups to find.
        let set = Set {
            name: "__set0".into(),
            flags: 0x1 | 0x4,
            key_type: 7,
            key_len,
            ..Set::default()
        };
        let table = TableContents {
            sets: vec![set],
            ..TableContents::default()
        };
        for family in [Family::Inet, Family::Ip, Family::Bridge] {
            let _ = super::rule_texts(family, &table, Libxtables::default(), &rule).nft;
        }
    }
}
