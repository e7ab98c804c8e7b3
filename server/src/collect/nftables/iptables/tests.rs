//! Rules built from the expressions iptables-nft writes (as `nft
//! --debug=netlink` lists them), against the lines `iptables-nft-save`
//! printed for the commands that wrote them.

use super::*;
use crate::collect::nftables::expr::{
    Bitwise, Cmp, CmpOp, Data, Immediate, Match, Meta, MetaKey, Payload,
    PayloadBase, Register, VerdictAttr, VerdictCode,
};
use crate::collect::nftables::ruleset::{Chain, Hook, Set, Table};

fn meta(key: MetaKey) -> Expr {
    Expr::Meta(vec![
        Meta::DestinationRegister(Register::Reg1),
        Meta::Key(key),
    ])
}

fn payload(base: PayloadBase, offset: u32, len: u32) -> Expr {
    Expr::Payload(vec![
        Payload::DestinationRegister(Register::Reg1),
        Payload::Base(base),
        Payload::Offset(offset),
        Payload::Length(len),
    ])
}

fn cmp(op: CmpOp, data: &[u8]) -> Expr {
    Expr::Cmp(vec![
        Cmp::SourceRegister(Register::Reg1),
        Cmp::Op(op),
        Cmp::Data(Data::Value(data.to_vec())),
    ])
}

fn verdict(code: VerdictCode, chain: Option<&str>) -> Expr {
    let mut attrs = vec![VerdictAttr::Code(code)];
    attrs.extend(chain.map(|c| VerdictAttr::Chain(c.to_owned())));
    Expr::Immediate(vec![
        Immediate::DestinationRegister(Register::Verdict),
        Immediate::Data(Data::Verdict(attrs)),
    ])
}

fn rule(exprs: Vec<Expr>) -> Rule {
    Rule {
        exprs,
        ..Rule::default()
    }
}

fn chain(
    name: &str,
    hook: Option<(u32, i32)>,
    rules: Vec<Rule>,
) -> ChainContents {
    ChainContents {
        chain: Chain {
            family: Family::Ip,
            name: name.to_owned(),
            hook: hook.map(|(num, priority)| Hook {
                num: Some(num),
                priority: Some(priority),
                devices: Vec::new(),
            }),
            kind: hook.map(|_| "filter".to_owned()),
            policy: hook.map(|_| 0),
            ..Chain::default()
        },
        rules,
    }
}

fn filter(chains: Vec<ChainContents>) -> TableContents {
    TableContents {
        table: Table {
            family: Family::Ip,
            name: "filter".to_owned(),
            ..Table::default()
        },
        chains,
        ..TableContents::default()
    }
}

/// `iptables -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j
/// DOCKER-ISOLATION-STAGE-2`.
#[test]
fn interfaces_and_a_jump() {
    let r = rule(vec![
        meta(MetaKey::Iifname),
        cmp(CmpOp::Equal, b"docker0\0"),
        meta(MetaKey::Oifname),
        cmp(CmpOp::NotEqual, b"docker0\0"),
        Expr::Counter(Vec::new()),
        verdict(VerdictCode::Jump, Some("DOCKER-ISOLATION-STAGE-2")),
    ]);
    let c = chain("DOCKER-ISOLATION-STAGE-1", None, vec![r.clone()]);
    let t = filter(vec![c.clone()]);
    assert_eq!(
        super::rule(&t, &c, &r, &IpsetNames::default()).as_deref(),
        Some(
            "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j \
             DOCKER-ISOLATION-STAGE-2"
        )
    );
}

/// `-s 10.0.0.0/8 -i veth+ -p udp --sport 53 --dport 1024:65535`,
/// then the table around it with the chains iptables has not made.
#[test]
fn header_and_native_ports() {
    let r = rule(vec![
        meta(MetaKey::Iifname),
        cmp(CmpOp::Equal, b"veth"),
        meta(MetaKey::L4Proto),
        cmp(CmpOp::Equal, &[17]),
        payload(PayloadBase::Network, 12, 1),
        cmp(CmpOp::Equal, &[10]),
        payload(PayloadBase::Transport, 0, 2),
        cmp(CmpOp::Equal, &53u16.to_be_bytes()),
        payload(PayloadBase::Transport, 2, 2),
        cmp(CmpOp::GreatherThanEqual, &1024u16.to_be_bytes()),
        verdict(VerdictCode::Accept, None),
    ]);
    let t = filter(vec![chain("INPUT", Some((1, 0)), vec![r])]);
    assert_eq!(
        table(&t, &IpsetNames::default()).as_deref(),
        Some(
            "*filter\n\
             :INPUT DROP [0:0]\n\
             :FORWARD ACCEPT [0:0]\n\
             :OUTPUT ACCEPT [0:0]\n\
             -A INPUT -s 10.0.0.0/8 -i veth+ -p udp -m udp --sport 53 \
             --dport 1024:65535 -j ACCEPT\n\
             COMMIT\n"
        )
    );
}

/// A compat match with bytes iptables cannot name stays, marked.
#[test]
fn an_unknown_extension_is_kept_raw() {
    let r = rule(vec![Expr::Match(vec![
        Match::Name("recent".to_owned()),
        Match::Rev(1),
        Match::Info(vec![0xab, 0xcd]),
    ])]);
    let c = chain("INPUT", Some((1, 0)), vec![r.clone()]);
    let t = filter(vec![c.clone()]);
    assert_eq!(
        super::rule(&t, &c, &r, &IpsetNames::default()).as_deref(),
        Some("-A INPUT -m recent [rev 1 abcd]")
    );
}

/// A table with a named set, or a base chain of its own without
/// extensions, is nftables'.
#[test]
fn native_tables_are_not_iptables() {
    let mut t = filter(vec![chain("INPUT", Some((1, 0)), Vec::new())]);
    assert!(manages(&t));
    t.sets.push(Set {
        name: "allowed".to_owned(),
        ..Set::default()
    });
    assert!(!manages(&t));
    assert_eq!(table(&t, &IpsetNames::default()), None);
    let t = filter(vec![chain("input", Some((1, 0)), Vec::new())]);
    assert!(!manages(&t));
}

fn of_family(family: Family, t: TableContents) -> TableContents {
    TableContents {
        table: Table { family, ..t.table },
        ..t
    }
}

/// `arptables -A INPUT ! -s 10.0.0.1 ! --opcode 2 -j ACCEPT`: the
/// header fields arptables-nft always writes print only where they
/// differ from its defaults, the target first.
#[test]
fn an_arp_rule_prints_its_target_first() {
    let r = rule(vec![
        payload(PayloadBase::Network, 0, 2),
        cmp(CmpOp::Equal, &1u16.to_be_bytes()),
        payload(PayloadBase::Network, 4, 1),
        cmp(CmpOp::Equal, &[6]),
        payload(PayloadBase::Network, 5, 1),
        cmp(CmpOp::Equal, &[4]),
        payload(PayloadBase::Network, 6, 2),
        cmp(CmpOp::NotEqual, &2u16.to_be_bytes()),
        payload(PayloadBase::Network, 14, 4),
        cmp(CmpOp::NotEqual, &[10, 0, 0, 1]),
        Expr::Counter(Vec::new()),
        verdict(VerdictCode::Accept, None),
    ]);
    let c = chain("INPUT", Some((0, 0)), vec![r.clone()]);
    let t = of_family(Family::Arp, filter(vec![c.clone()]));
    assert_eq!(
        super::rule(&t, &c, &r, &IpsetNames::default()).as_deref(),
        Some("-A INPUT -j ACCEPT ! -s 10.0.0.1 ! --opcode 2")
    );
    assert_eq!(
        table(&t, &IpsetNames::default()).as_deref(),
        Some(
            "*filter\n\
             :INPUT DROP\n\
             :OUTPUT ACCEPT\n\
             -A INPUT -j ACCEPT ! -s 10.0.0.1 ! --opcode 2\n"
        )
    );
}

/// arptables drops a prefix of a MAC address without a word; the rule
/// is not printed rather than printed without it.
#[test]
fn an_arp_mac_prefix_is_not_printed() {
    let r = rule(vec![
        payload(PayloadBase::Network, 18, 3),
        cmp(CmpOp::Equal, &[0, 0x11, 0x22]),
        verdict(VerdictCode::Drop, None),
    ]);
    let c = chain("OUTPUT", Some((1, 0)), vec![r.clone()]);
    let t = of_family(Family::Arp, filter(vec![c.clone()]));
    assert_eq!(super::rule(&t, &c, &r, &IpsetNames::default()), None);
    assert_eq!(table(&t, &IpsetNames::default()), None);
}

/// `ebtables -N USER -P DROP`, `-A INPUT -p IPv4 -d Multicast -j USER`:
/// the user chain's policy rule is its policy, not a rule, and every
/// option ends with a space.
#[test]
fn an_ebtables_table_with_a_policy_rule() {
    let to_user = rule(vec![
        payload(PayloadBase::LinkLayer, 12, 2),
        cmp(CmpOp::Equal, &0x0800u16.to_be_bytes()),
        payload(PayloadBase::LinkLayer, 0, 6),
        Expr::Bitwise(vec![
            Bitwise::SourceRegister(Register::Reg1),
            Bitwise::DestinationRegister(Register::Reg1),
            Bitwise::Mask(Data::Value(vec![1, 0, 0, 0, 0, 0])),
        ]),
        cmp(CmpOp::Equal, &[1, 0, 0, 0, 0, 0]),
        Expr::Counter(Vec::new()),
        verdict(VerdictCode::Jump, Some("USER")),
    ]);
    let policy = Rule {
        userdata: Some([&[1u8, 4][..], &1u32.to_ne_bytes()].concat()),
        ..rule(vec![
            Expr::Counter(Vec::new()),
            verdict(VerdictCode::Drop, None),
        ])
    };
    let continues = rule(vec![
        meta(MetaKey::BriIifname),
        cmp(CmpOp::NotEqual, b"br0\0"),
    ]);
    let t = of_family(
        Family::Bridge,
        filter(vec![
            chain("INPUT", Some((1, -200)), vec![to_user]),
            chain("USER", None, vec![continues, policy]),
        ]),
    );
    assert_eq!(
        table(&t, &IpsetNames::default()).as_deref(),
        Some(
            "*filter\n\
             :INPUT DROP\n\
             :FORWARD ACCEPT\n\
             :OUTPUT ACCEPT\n\
             :USER DROP\n\
             -A INPUT -p IPv4 -d Multicast -j USER\n\
             -A USER --logical-in ! br0 -j CONTINUE\n"
        )
    );
}
