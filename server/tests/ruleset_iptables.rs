//! Tables of iptables-nft against `iptables-nft-save` and
//! `ip6tables-nft-save` in the same namespace, block for block
//! (without their `#` comment lines): a Docker host's chains, every
//! extension the renderer decodes, inversions, prefixes of
//! interfaces; and a native nftables table, which is not iptables'.
//! Then arptables and ebtables tables against `arptables-nft-save` and
//! `ebtables-nft-save`, which print no `COMMIT` and no counters.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use nfscope::collect::nftables::iptables;
use nfscope::collect::nftables::ruleset::{Family, Ruleset};
use nfscope::collect::nftables::snapshot;
use nfscope::collect::nftables::socket::NftSocket;

use common::ebtables::EBTABLES;
use common::{in_netns, lab, sh, Scratch};

/// The rules Docker writes (filter and nat), then one rule or more for
/// each extension, for IPv4 and IPv6.
const RULES: &str = r#"
set -e
ipt=iptables-nft
ip6t=ip6tables-nft
for c in DOCKER DOCKER-USER DOCKER-FORWARD DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
    $ipt -N $c
done
$ipt -P FORWARD DROP
$ipt -A FORWARD -j DOCKER-USER
$ipt -A FORWARD -j DOCKER-FORWARD
$ipt -A DOCKER-USER -j RETURN
$ipt -A DOCKER-FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
$ipt -A DOCKER-FORWARD -j DOCKER-ISOLATION-STAGE-1
$ipt -A DOCKER-FORWARD -i docker0 ! -o docker0 -j ACCEPT
$ipt -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
$ipt -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
$ipt -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
$ipt -t nat -N DOCKER
$ipt -t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
$ipt -t nat -A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
$ipt -t nat -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
$ipt -t nat -A DOCKER -i docker0 -j RETURN
$ipt -t nat -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80

$ipt -A INPUT -i veth+ -s 10.0.0.0/8 -p udp -m udp --sport 53 --dport 1024:65535 -j ACCEPT
$ipt -A INPUT ! -i lo -p tcp -m tcp ! --dport 22 --tcp-flags SYN,RST,ACK SYN -m state --state NEW -j DROP
$ipt -A INPUT -p tcp -m tcp --tcp-option 8 -j DROP
$ipt -A INPUT -p tcp -m tcp --sport 1000:2000 ! --syn -j DROP
$ipt -A INPUT -p tcp -m tcp --sport 1 --dport 2 -j DROP
$ipt -A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 5/min --limit-burst 7 -j ACCEPT
$ipt -A INPUT -p icmp -m icmp ! --icmp-type 3/4 -m limit --limit 100/sec -j ACCEPT
$ipt -A INPUT -p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT
$ipt -A INPUT -p udp -m multiport ! --sports 53,67 -j ACCEPT
$ipt -A INPUT -p tcp -m multiport --ports 25,587 -m comment --comment "mail ports" -j ACCEPT
$ipt -A INPUT -m comment --comment plain -j ACCEPT
$ipt -A INPUT -m mark --mark 0x1/0xff -j ACCEPT
$ipt -A INPUT -m mark ! --mark 0x2 -j ACCEPT
$ipt -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range 10.1.0.1-10.1.0.2 -j DROP
$ipt -A INPUT -m mac ! --mac-source 00:11:22:33:44:55 -j ACCEPT
$ipt -A INPUT -m statistic --mode random --probability 0.25 -j ACCEPT
$ipt -A INPUT -m statistic --mode nth ! --every 3 --packet 1 -j ACCEPT
$ipt -A INPUT -m conntrack --ctstate INVALID -j LOG --log-prefix "bad: " --log-level 6 --log-tcp-options
$ipt -A INPUT -m conntrack --ctstate DNAT --ctorigdst 1.2.3.4 --ctorigdstport 80 --ctproto tcp -j NFLOG --nflog-group 5 --nflog-prefix ct --nflog-threshold 2
$ipt -A INPUT -p tcp -m conntrack ! --ctstatus ASSURED --ctexpire 10:20 --ctdir ORIGINAL -j REJECT --reject-with tcp-reset
$ipt -A INPUT -m conntrack --ctstate UNTRACKED,SNAT --ctreplsrc 10.0.0.0/8 -j NFLOG --nflog-size 128
$ipt -A INPUT -j REJECT --reject-with icmp-host-prohibited
$ipt -A INPUT -j REJECT
$ipt -A INPUT -m addrtype --src-type LOCAL,UNICAST ! --dst-type BROADCAST --limit-iface-in -j DROP
$ipt -A FORWARD -m physdev --physdev-in eth0 --physdev-is-bridged -j ACCEPT
$ipt -A FORWARD -m physdev ! --physdev-out eth+ -j ACCEPT
$ipt -A OUTPUT -g DOCKER -d 1.2.3.0/255.255.0.255
$ipt -A OUTPUT ! -s 127.0.0.1 -j MARK --set-xmark 0x5/0xff
$ipt -A OUTPUT -j MARK --set-mark 7
$ipt -A OUTPUT -j MARK --or-mark 8
$ipt -A OUTPUT -j CONNMARK --save-mark
$ipt -A OUTPUT -j CONNMARK --set-xmark 0x3/0x4
$ipt -A OUTPUT -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf
$ipt -A OUTPUT -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
$ipt -A OUTPUT -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400
$ipt -A OUTPUT -p 47 -j ACCEPT
$ipt -A OUTPUT -p 253 -j ACCEPT
$ipt -A OUTPUT ! -p udp -j ACCEPT
$ipt -A OUTPUT -o + -j ACCEPT
$ipt -A OUTPUT ! -o + -j ACCEPT
$ipt -A OUTPUT -f -j DROP
$ipt -A OUTPUT ! -f -j DROP
$ipt -A OUTPUT -j DOCKER-USER
$ipt -t nat -A POSTROUTING -o eth0 -p tcp -j MASQUERADE --to-ports 1024-2000 --random
$ipt -t nat -A DOCKER -p tcp -m tcp --dport 8081 -j DNAT --to-destination 172.17.0.3-172.17.0.4:80-90 --persistent
$ipt -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4 --random-fully
$ipt -t nat -A PREROUTING -p tcp -m tcp --dport 81 -j REDIRECT --to-ports 8081
$ipt -t raw -A PREROUTING -i br-lan137 -j NOTRACK
$ipt -t raw -A PREROUTING -i br-x -j CT --notrack
$ipt -t raw -A OUTPUT -p udp -j CT --zone 5 --helper tftp
$ipt -t mangle -A PREROUTING -i wg+ -j MARK --set-mark 0x1
$ipt -t mangle -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
$ipt -A INPUT -m pkttype --pkt-type broadcast -j DROP
$ipt -A INPUT -m pkttype ! --pkt-type multicast -j DROP
$ipt -A INPUT -m pkttype --pkt-type otherhost -j DROP
$ipt -A INPUT -p tcp --dport 22 -m recent --set --name ssh --rsource
$ipt -A INPUT -p tcp --dport 22 -m recent ! --update --seconds 60 --hitcount 4 --rttl --name ssh --rdest --mask 255.255.255.0 -j DROP
$ipt -A INPUT -m recent --rcheck --seconds 10 --reap -j DROP
$ipt -A INPUT -m recent --remove -j DROP
# ipsets, by their names: a hole in the kernel's list of sets first.
ipset create nfs-gone hash:ip
ipset create nfs-blocked hash:ip
ipset create nfs-pairs hash:net,port
ipset destroy nfs-gone
$ipt -A INPUT -m set --match-set nfs-blocked src -j DROP
$ipt -A INPUT -m set ! --match-set nfs-pairs src,dst -j ACCEPT
$ipt -A INPUT -m set --match-set nfs-blocked dst --return-nomatch ! --update-counters --packets-gt 3 -j ACCEPT

$ip6t -N DOCKER-USER
$ip6t -A FORWARD -j DOCKER-USER
$ip6t -A INPUT -s 2001:db8::/32 -i eth+ -p tcp -m tcp --dport 22 -j ACCEPT
$ip6t -A INPUT ! -d fe80::1 -p udp -m udp --sport 53 -j DROP
$ip6t -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
$ip6t -A INPUT -m conntrack --ctstate INVALID --ctorigsrc 2001:db8::1 -j DROP
$ip6t -A INPUT -m iprange --src-range 2001:db8::1-2001:db8::9 -j ACCEPT
$ip6t -A INPUT -m hl --hl-eq 255 -j ACCEPT
$ip6t -A INPUT -m recent --rcheck --mask ffff:ffff:: -j DROP
$ip6t -A INPUT -m pkttype --pkt-type multicast -j DROP
$ip6t -A INPUT -m rt --rt-type 0 -j DROP
$ip6t -A INPUT -m rt ! --rt-type 2 ! --rt-segsleft 3:5 --rt-len 8 -j DROP
$ip6t -A INPUT -m rt --rt-type 0 --rt-0-res --rt-0-addrs ::1,fe80::2 --rt-0-not-strict -j DROP
$ip6t -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
$ip6t -A INPUT -p tcp -j REJECT --reject-with tcp-reset
$ip6t -A FORWARD -s 2001:db8::/ffff:ffff:0:ffff:: -j ACCEPT
$ip6t -t nat -A POSTROUTING -o eth0 -j MASQUERADE
$ip6t -t nat -A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination [fd00::2]:8080
$ip6t -t nat -A POSTROUTING -s fd00::/64 -j SNAT --to-source fd00::1
$ip6t -t nat -A PREROUTING -p tcp -m tcp --dport 81 -j REDIRECT --to-ports 8081
"#;

/// arptables rules: addresses with masks, the header's fields,
/// interfaces, MACs, `mangle`, a user chain.
const ARPTABLES: &str = r#"
set -e
at=arptables-nft
$at -N USER
$at -P OUTPUT DROP
$at -A INPUT -s 10.0.0.0/8 -d 1.2.3.4 -j ACCEPT
$at -A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT
$at -A INPUT --h-length 6 --opcode Request -j DROP
$at -A INPUT --h-type 1 --proto-type 0x800 -j ACCEPT
$at -A INPUT --h-type 6 -j ACCEPT
$at -A INPUT -i eth0 --source-mac 00:11:22:33:44:55 -j ACCEPT
$at -A INPUT ! -i eth+ ! --destination-mac 00:11:22:33:44:55 -j DROP
$at -A INPUT -j USER
$at -A OUTPUT -o eth1 -j DROP
$at -A OUTPUT -j mangle --mangle-ip-s 10.0.0.1 --mangle-mac-d 00:11:22:33:44:55
$at -A OUTPUT -j mangle --mangle-ip-d 10.0.0.2 --mangle-target DROP
$at -A OUTPUT ! -s 10.0.0.1 ! --opcode 2 -j ACCEPT
$at -A USER -j RETURN
"#;

/// A native table: an iptables family would not have it.
const NATIVE: &str = r#"
table inet filter {
    set allowed { type ipv4_addr; elements = { 10.0.0.1 } }
    chain input {
        type filter hook input priority filter; policy accept;
        ip saddr @allowed accept
    }
}
"#;

#[test]
fn tables_print_as_iptables_save_prints_them() {
    let lab = lab();
    let ns = lab.server();
    let dir = Scratch::new("iptables");
    std::fs::create_dir_all(dir.path()).unwrap();
    let script = format!("{}/rules.sh", dir.path());
    std::fs::write(&script, RULES).unwrap();
    sh(&ns, &["bash", &script]);
    let native = format!("{}/native.nft", dir.path());
    std::fs::write(&native, NATIVE).unwrap();
    sh(&ns, &["nft", "-f", &native]);

    let ruleset = in_netns(&ns, || {
        let mut socket = NftSocket::open().expect("an nftables socket");
        snapshot::read(&mut socket).expect("a snapshot")
    });

    for (family, tool) in [
        (Family::Ip, "iptables-nft-save"),
        (Family::Ip6, "ip6tables-nft-save"),
    ] {
        let theirs = blocks(&save(&ns, tool));
        assert_eq!(ours(&ruleset, family), theirs, "{tool}");
    }
    let inet = ruleset
        .tables
        .iter()
        .find(|t| t.table.family == Family::Inet)
        .unwrap();
    assert!(!iptables::manages(inet));
    assert_eq!(iptables::table(inet, &ruleset.ipsets), None);
}

#[test]
fn tables_print_as_arptables_and_ebtables_save_print_them() {
    let lab = lab();
    let ns = lab.server();
    let dir = Scratch::new("ebtables");
    std::fs::create_dir_all(dir.path()).unwrap();
    for (name, rules) in [("eb.sh", EBTABLES), ("arp.sh", ARPTABLES)] {
        let script = format!("{}/{name}", dir.path());
        std::fs::write(&script, rules).unwrap();
        sh(&ns, &["bash", &script]);
    }

    let ruleset = in_netns(&ns, || {
        let mut socket = NftSocket::open().expect("an nftables socket");
        snapshot::read(&mut socket).expect("a snapshot")
    });

    for (family, tool) in [
        (Family::Arp, "arptables-nft-save"),
        (Family::Bridge, "ebtables-nft-save"),
    ] {
        let theirs = blocks(&save(&ns, tool));
        assert_eq!(theirs.len(), if family == Family::Arp { 1 } else { 2 });
        assert_eq!(ours(&ruleset, family), theirs, "{tool}");
    }
}

fn save(ns: &str, tool: &str) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, tool])
        .output()
        .expect("running iptables-nft-save");
    assert!(out.status.success(), "{tool} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Blocks by table name, without the comment lines. A block ends at
/// `COMMIT`, or, where the tool prints none (arptables, ebtables), at
/// the next block or the end.
fn blocks(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        if let Some(name) = line.strip_prefix('*') {
            if let Some((name, block)) = current.take() {
                out.insert(name, block);
            }
            current = Some((name.to_owned(), String::new()));
        }
        if let Some((_, block)) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
        if line == "COMMIT" {
            if let Some((name, block)) = current.take() {
                out.insert(name, block);
            }
        }
    }
    out.extend(current);
    out
}

/// Every table of `family`, each rendered: none may be refused.
fn ours(ruleset: &Ruleset, family: Family) -> BTreeMap<String, String> {
    ruleset
        .tables
        .iter()
        .filter(|t| t.table.family == family)
        .map(|t| {
            let text = iptables::table(t, &ruleset.ipsets)
                .unwrap_or_else(|| panic!("{} refused", t.table.name));
            (t.table.name.clone(), text)
        })
        .collect()
}
