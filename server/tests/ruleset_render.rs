//! The rendered ruleset against `nft list ruleset` and `nft -a list
//! ruleset` in the same namespace, line for line (tabs and trailing
//! spaces aside).

mod common;

use std::process::Command;

use nfscope::collect::nftables::render;
use nfscope::collect::nftables::snapshot;
use nfscope::collect::nftables::socket::NftSocket;

use common::ebtables::EBTABLES;
use common::{in_netns, lab, sh, Scratch};

/// Tables of every family, base chains at named and plain priorities
/// per family and hook, netdev devices, table flags, sets and maps of
/// several key types with flags, timeouts, intervals and concatenated
/// ranges, verdict and object maps, named counters, quotas and limits.
const CONTAINERS: &str = r#"
table inet filter {
    flags dormant
    set allowed { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
    set ranges { type ipv4_addr; flags interval; elements = { 10.1.0.0/16, 10.2.0.0-10.2.0.9, 10.3.0.0/16, 10.4.0.1, 192.168.0.0-192.168.255.255 } }
    set open { type ipv4_addr; flags interval; elements = { 0.0.0.0/0 } }
    set t { type ipv4_addr . inet_service; flags dynamic,timeout; timeout 1h; size 65535; }
    set e { type ether_addr; counter; elements = { 00:11:22:33:44:55, 00:00:00:00:00:02 } }
    set ifs { type ifname; elements = { "eth0", "lo", "wg0" } }
    set c6 { type ipv6_addr . inet_proto . inet_service; flags interval; elements = { ::1 . tcp . 22-25, 2001:db8::/32 . udp . 53 } }
    set ports { type inet_service; flags interval; elements = { 1-1000, 2000, 3000-65535 } }
    set many { type inet_service; elements = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 } }
    set marks { type mark; comment "marks"; elements = { 1, 2, 0x10 } }
    set st { type ct_state; elements = { new, established, related } }
    set v6 { type ipv6_addr; policy memory; elements = { ::1, 2001:db8::1, fe80::1 } }
    map vm { type inet_service : verdict; elements = { 22 : accept, 80 : drop, 81 : jump sub } }
    map m2 { type ipv4_addr : ipv4_addr; elements = { 1.2.3.4 : 5.6.7.8 } }
    map m3 { type inet_service : mark; elements = { 1 : 0x00000005 } }
    map om { type ipv4_addr : counter; elements = { 1.1.1.1 : hits } }
    counter hits { packets 5 bytes 10 }
    counter c2 { comment "x" }
    quota big { over 1 mbytes }
    quota q2 { 500 kbytes }
    limit l1 { rate 10/second }
    limit l2 { rate over 1 mbytes/minute burst 100 kbytes }
    limit l3 { rate 5/hour burst 7 packets }
    chain input {
        type filter hook input priority filter; policy accept;
    }
    chain sub {
    }
    chain p10 { type filter hook forward priority filter + 10; policy drop; }
    chain m { type filter hook output priority -151; }
    chain r { type filter hook prerouting priority raw - 5; }
    chain n { type nat hook prerouting priority dstnat; }
    chain n2 { type nat hook postrouting priority srcnat + 1; }
    chain n3 { type nat hook output priority -100; }
    chain sec { type filter hook input priority security; }
    chain far { type filter hook input priority -225; }
    chain ing { type filter hook ingress device "lo" priority 0; }
    chain commented { comment "hello"; }
}
table ip nat {
    chain post { type nat hook postrouting priority srcnat; }
    chain x { type route hook output priority mangle; }
}
table ip6 raw {
    chain pre { type filter hook prerouting priority raw; policy drop; }
}
table arp a {
    chain input { type filter hook input priority 0; }
    chain o { type filter hook output priority 10; }
    chain far { type filter hook output priority -300; }
}
table bridge b {
    chain forward { type filter hook forward priority 0; }
    chain p { type filter hook prerouting priority dstnat; }
    chain q { type filter hook postrouting priority srcnat; }
    chain o { type filter hook output priority out; }
    chain f { type filter hook input priority -195; }
}
table netdev n {
    chain c {
    }
    chain e { type filter hook egress device lo priority 10; }
    chain i { type filter hook ingress device lo priority -500; }
}
table ip empty {
}
"#;

/// Matches on headers, meta and ct keys, masks, prefixes, ranges,
/// sets and maps, concatenations, verdicts and the common statements;
/// a sub-byte field shifted to its value as a key of named sets, maps,
/// object maps and hashes, which nft 1.0.6 names in a lookup only.
const RULES: &str = r#"
table inet t {
    set s4 { type ipv4_addr; }
    map vm { type ipv4_addr : verdict; }
    map dn { type ipv4_addr : ipv4_addr; }
    set seen { type ipv4_addr; flags dynamic,timeout; size 100; }
    counter cnt {}
    chain c {
        limit rate 10/second
        limit rate 10/second burst 6 packets
        limit rate over 10/minute burst 1 packets
        limit rate 1 mbytes/second burst 10 kbytes
        quota 100 bytes
        quota over 2048 mbytes
        log
        log prefix "hi " level debug
        log level info flags tcp sequence,options
        log flags all
        log prefix "x" group 2 snaplen 100 queue-threshold 10
        counter
        tcp dport 22 accept
        tcp dport { 22, 443 } counter accept
        tcp dport 1-1023 drop
        udp sport 53 udp dport != 1024-2000 drop
        tcp dport < 1024 accept
        ip saddr 10.0.0.0/8 ip daddr != 192.168.1.0/24 return
        ip6 saddr 2001:db8::/32 ip6 daddr ::1 continue
        ip saddr @s4 drop
        ip saddr != @s4 drop
        ip saddr vmap @vm
        ip daddr vmap { 1.1.1.1 : accept, 2.2.2.2 : drop }
        ip saddr { 10.0.0.0/8, 192.168.0.0/16 } accept
        meta l4proto tcp
        meta l4proto { tcp, udp } th dport 53 accept
        iifname "eth*" oifname "lo" accept
        iifname { "lo", "eth0" } accept
        meta mark 0x5 meta mark set 0x6
        meta mark & 0xff == 0x1
        ct state established,related accept
        ct state new,invalid drop
        ct state invalid
        ct status dnat
        ct mark 0x1 ct mark set meta mark
        ct direction original
        ct state vmap { established : accept, related : accept, invalid : drop }
        tcp flags syn
        tcp flags & (syn|ack) == syn
        icmp type echo-request accept
        icmpv6 type { echo-request, nd-neighbor-solicit } accept
        meta nfproto ipv4
        ip protocol tcp
        ip version 4
        ip dscp cs1
        ip ttl 64
        ip saddr . tcp dport { 1.2.3.4 . 22, 5.6.7.8 . 80 } accept
        ether saddr 00:11:22:33:44:55
        meta pkttype broadcast drop
        reject
        reject with tcp reset
        reject with icmpx admin-prohibited
        ip protocol udp reject with icmp host-unreachable
        notrack
        jump d
        goto d
        meta skuid 1000
        tcp dport 22 counter name "cnt"
        ip saddr 1.2.3.4 comment "hello world"
        update @seen { ip saddr }
        add @seen { ip saddr timeout 1m }
    }
    chain d {
    }
    chain nat {
        type nat hook prerouting priority dstnat; policy accept;
        tcp dport 8080 dnat ip to 10.0.0.5:80
        dnat ip to ip daddr map @dn
        udp dport 53 redirect to :5353
    }
    chain post {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "lo" masquerade
        oifname "eth0" masquerade random
        ip saddr 10.0.0.0/8 snat ip to 1.2.3.4-1.2.3.10
        ip6 saddr ::1 tcp sport 5 snat ip6 to [::2]:1000-2000
        tcp sport 80 masquerade to :1024-2000
    }
}
table ip v4 {
    chain c {
        type filter hook input priority filter; policy drop;
        tcp dport 22 accept
        icmp type echo-request accept
        reject
        reject with icmp host-prohibited
        tcp dport 1234 reject with tcp reset
        iif "lo" accept
    }
    chain nat {
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr 10.0.0.1 dnat to 10.0.0.2
        tcp dport 80 dnat to 10.0.0.2:8080
    }
}
table ip6 v6 {
    chain c {
        type filter hook input priority filter; policy drop;
        tcp dport 22 accept
        icmpv6 type echo-request accept
        reject
        reject with icmpv6 admin-prohibited
    }
}
table bridge br {
    chain c {
        type filter hook forward priority filter; policy accept;
        ether type ip accept
        ip saddr 10.0.0.1 drop
        ether daddr 00:11:22:33:44:55 drop
    }
}
table netdev nd {
    chain c {
        type filter hook ingress device "lo" priority filter; policy accept;
        ip saddr 10.0.0.1 drop
        meta protocol ip6 accept
    }
}
table inet shifted {
    counter hits { }
    map m { type dscp : mark; }
    map vm { type dscp : verdict; }
    map om { type dscp : counter; }
    set s { type dscp; }
    chain c {
        counter name ip dscp map @om
        meta mark set jhash ip6 dscp mod 2
        ip dscp @s
        ip6 dscp != @s
        meta mark set ip6 dscp map @m
        ct mark set ip dscp map @m
        ip dscp vmap @vm
        ip dscp . ip daddr { cs1 . 10.0.0.1 }
    }
}
"#;

#[test]
fn tables_chains_sets_and_objects_print_as_nft_prints_them() {
    check("containers", CONTAINERS);
}

#[test]
fn rules_print_as_nft_prints_them() {
    check("rules", RULES);
}

/// iptables-nft rules: native matches, and the extensions nft shows by
/// their translation (states, comments, ports, port lists, ICMP types,
/// address types, routing headers, statistic, NAT, marks, reject) or as
/// `xt match NAME` where it has none. The IPv6 SNAT prints as nothing:
/// libxtables found the NAT targets for IPv4 first.
const IPTABLES: &str = r#"
set -e
ipt=iptables-nft
$ipt -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
$ipt -A INPUT -m conntrack --ctstate INVALID -j DROP
$ipt -A INPUT -m conntrack ! --ctstate NEW -j DROP
$ipt -A INPUT -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m comment --comment lo -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
$ipt -A INPUT -p udp -m multiport --dports 24:26 -m multiport --sports 34,35:39 -j ACCEPT
$ipt -A INPUT -p tcp -m multiport ! --sports 80,443 -j ACCEPT
$ipt -A INPUT -p tcp -m multiport --ports 80,443 -j ACCEPT
$ipt -A INPUT -m statistic --mode random --probability 0.5 -j ACCEPT
$ipt -A INPUT -m statistic --mode nth --every 3 --packet 1 -j ACCEPT
$ipt -A INPUT -m recent --name seen --set
$ipt -A INPUT -m pkttype --pkt-type broadcast -j DROP
$ipt -A INPUT -m pkttype ! --pkt-type multicast -j DROP
$ipt -A INPUT -m pkttype --pkt-type otherhost -j DROP
$ipt -A INPUT -p tcp -m comment --comment "ssh" -m tcp --dport 22 -j ACCEPT
$ipt -A INPUT -p tcp -d 10.0.0.1 -m comment --comment "web" --dport 80 -j ACCEPT
$ipt -A INPUT -i lo -j ACCEPT
$ipt -A INPUT -i eth+ -j ACCEPT
$ipt -A INPUT -p udp --sport 67 --dport 68 -j ACCEPT
$ipt -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
$ipt -A INPUT -m addrtype --dst-type LOCAL -j RETURN
$ipt -A INPUT -p tcp -m multiport --dports 1,2 -j ACCEPT
$ipt -A INPUT -j REJECT
$ipt -t nat -A POSTROUTING -s 10.0.0.0/8 ! -o eth0 -j MASQUERADE
$ipt -t nat -A POSTROUTING -s 192.168.0.0/24 -j SNAT --to-source 192.0.2.1 --random-fully
$ipt -t nat -A PREROUTING ! -i lo -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.2:80
$ipt -t nat -A PREROUTING -m comment --comment svc -p tcp -m tcp -j DNAT --to-destination 192.0.2.3
$ipt -t nat -A PREROUTING -p udp -d 192.0.2.10 --dport 53 -j REDIRECT --to-ports 5353
$ipt -t mangle -A POSTROUTING -m mark --mark 51820 -p udp -j CONNMARK --save-mark
$ipt -t mangle -A PREROUTING -p udp -j CONNMARK --restore-mark
$ipt -t mangle -A PREROUTING -j CONNMARK --restore-mark --mask 0xff
$ipt -t mangle -A PREROUTING -j CONNMARK --set-mark 0x1 --right-shift-mark 2
$ipt -t mangle -A FORWARD -j MARK --set-xmark 0x40000/0xff0000
$ipt -t mangle -A FORWARD -j MARK --or-mark 0x4000
$ipt -A INPUT -p tcp -j REJECT --reject-with tcp-reset
$ipt -A INPUT -j REJECT --reject-with icmp-host-prohibited
ip6tables-nft -A INPUT -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT
ip6tables-nft -A INPUT -j REJECT
ip6tables-nft -A INPUT -j REJECT --reject-with icmp6-adm-prohibited
ip6tables-nft -A INPUT -m rt --rt-type 0 -j DROP
ip6tables-nft -A INPUT -m rt ! --rt-type 2 ! --rt-segsleft 3:5 --rt-len 8 -j DROP
ip6tables-nft -t nat -A POSTROUTING -s fd00::/64 -j SNAT --to-source fd00::1
"#;

#[test]
fn iptables_nft_rules_print_as_nft_prints_them() {
    check_script("iptables", IPTABLES);
}

/// ebtables-nft rules: nft shows their extensions by libebt's
/// translations, and as `xt match NAME` / `xt target NAME` where
/// there is none.
#[test]
fn ebtables_nft_rules_print_as_nft_prints_them() {
    check_script("ebtables", EBTABLES);
}

/// A `pkttype` match printed in an ip table first: nft reads the bridge
/// table's with iptables' extension, which takes their bytes for its
/// own (`pkttype 256` for `! host`).
const PKTTYPE_IP_FIRST: &str = r#"
set -e
iptables-nft -A INPUT -m pkttype --pkt-type broadcast -j DROP
ebtables-nft -A FORWARD --pkttype-type ! host -j DROP
ebtables-nft -A FORWARD --pkttype-type otherhost -j DROP
ebtables-nft -A FORWARD --log
"#;

#[test]
fn bridge_pkttype_after_an_ip_one_prints_as_nft_prints_it() {
    check_script("pkttype", PKTTYPE_IP_FIRST);
}

/// Rulesets in a folder named by `NFSCOPE_RENDER_CORPUS` (files
/// `*.nft`), each loaded on its own: for checking by hand against
/// rulesets that real software writes.
#[test]
#[ignore]
fn rulesets_of_a_folder_print_as_nft_prints_them() {
    let dir = std::env::var("NFSCOPE_RENDER_CORPUS").expect("a folder");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".nft") || name.ends_with(".iptables.sh")
        })
        .collect();
    files.sort();
    let mut failed = Vec::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        // An iptables script is run as the setup of an empty ruleset; a
        // script beside an nft file makes the interfaces it names.
        let (text, setup) = if name.ends_with(".sh") {
            (String::new(), Some(f.display().to_string()))
        } else {
            let setup = f.with_extension("setup.sh");
            let setup = setup.exists().then(|| setup.display().to_string());
            (std::fs::read_to_string(&f).unwrap(), setup)
        };
        let run = || check_with(&name, &text, setup.as_deref());
        if std::panic::catch_unwind(run).is_err() {
            failed.push(name);
        }
    }
    assert!(failed.is_empty(), "differences in {failed:?}");
}

/// Loads `ruleset` in a fresh namespace and compares what this crate
/// renders with what nft lists, without and with handles.
fn check(what: &str, ruleset: &str) {
    check_with(what, ruleset, None);
}

/// The rules the shell script `script` writes.
fn check_script(what: &str, script: &str) {
    let dir = Scratch::new(&format!("{what}-script"));
    std::fs::create_dir_all(dir.path()).unwrap();
    let file = format!("{}/rules.sh", dir.path());
    std::fs::write(&file, script).unwrap();
    check_with(what, "", Some(&file));
}

/// As [`check`], running the shell script `setup` in the namespace
/// first.
fn check_with(what: &str, ruleset: &str, setup: Option<&str>) {
    let lab = lab();
    let ns = lab.server();
    let dir = Scratch::new(what);
    std::fs::create_dir_all(dir.path()).unwrap();
    let file = format!("{}/ruleset.nft", dir.path());
    std::fs::write(&file, ruleset).unwrap();
    sh(&ns, &["nft", "flush", "ruleset"]);
    if let Some(setup) = setup {
        sh(&ns, &["bash", setup]);
    }
    sh(&ns, &["nft", "-f", &file]);
    // A packet the namespace sends on its own (an IPv6 neighbour
    // solicitation) can count between the two listings: a few tries.
    let mut tries = 3;
    let (plain, handles, theirs, theirs_a) = loop {
        // Rendered inside the namespace: interface indexes are named
        // there.
        let (plain, handles) = in_netns(&ns, || {
            let mut socket = NftSocket::open().expect("an nftables socket");
            let r = snapshot::read(&mut socket).expect("a snapshot");
            (render::ruleset(&r, false), render::ruleset(&r, true))
        });
        let theirs = nft(&ns, &["list", "ruleset"]);
        let theirs_a = nft(&ns, &["-a", "list", "ruleset"]);
        tries -= 1;
        let agree = normalised(&plain) == normalised(&theirs)
            && normalised(&handles) == normalised(&theirs_a);
        if agree || tries == 0 {
            break (plain, handles, theirs, theirs_a);
        }
    };
    let a = same(what, &plain, &theirs);
    let b = same(&format!("{what} -a"), &handles, &theirs_a);
    assert!(a && b, "{what}: the rendering differs from nft's");
}

fn nft(ns: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "nft"])
        .args(args)
        .output()
        .expect("running nft");
    assert!(out.status.success(), "nft {args:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// Lines with tabs as spaces and trailing spaces cut.
fn normalised(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.replace('\t', " ").trim_end().to_owned())
        .collect()
}

/// Whether the texts agree; prints `diff -u` of them when not.
fn same(what: &str, ours: &str, theirs: &str) -> bool {
    let (o, t) = (normalised(ours), normalised(theirs));
    if o == t {
        return true;
    }
    let dir = Scratch::new("diff");
    std::fs::create_dir_all(dir.path()).unwrap();
    let (a, b) = (
        format!("{}/ours", dir.path()),
        format!("{}/nft", dir.path()),
    );
    std::fs::write(&a, o.join("\n") + "\n").unwrap();
    std::fs::write(&b, t.join("\n") + "\n").unwrap();
    let diff = Command::new("diff").args(["-u", &a, &b]).output().unwrap();
    eprintln!("--- {what}\n{}", String::from_utf8_lossy(&diff.stdout));
    false
}
