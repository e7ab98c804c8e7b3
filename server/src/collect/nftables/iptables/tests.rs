//! Rules built from the expressions iptables-nft writes (as `nft
//! --debug=netlink` lists them), against the lines `iptables-nft-save`
//! printed for the commands that wrote them.

use super::*;
use crate::collect::nftables::expr::{
    Cmp, CmpOp, Data, Immediate, Match, Meta, MetaKey, Payload, PayloadBase,
    Register, VerdictAttr, VerdictCode,
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
        super::rule(&t, &c, &r).as_deref(),
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
        table(&t).as_deref(),
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
        super::rule(&t, &c, &r).as_deref(),
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
    assert_eq!(table(&t), None);
    let t = filter(vec![chain("input", Some((1, 0)), Vec::new())]);
    assert!(!manages(&t));
}
