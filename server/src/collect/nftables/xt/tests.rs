//! Decoders on structs built by hand from the kernel's layouts, each
//! against the text `iptables-nft-save` printed for the rule that made
//! it; and arbitrary bytes for every known name.

use proptest::prelude::*;

use super::*;

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

fn saved_match(name: &str, rev: u32, info: &[u8], family: Family) -> String {
    let m = XtMatch::decode(name, rev, info, family);
    format!("-m {}{m}", m.name())
}

fn saved_target(name: &str, rev: u32, info: &[u8], family: Family) -> String {
    let t = XtTarget::decode(name, rev, info, family);
    format!("-j {}{t}", t.name())
}

/// `-m conntrack --ctstate RELATED,ESTABLISHED` (revision 3, 168 bytes
/// with padding).
#[test]
fn conntrack_states() {
    let mut info = [0u8; 168];
    put(&mut info, 146, &XT_CONNTRACK_STATE.to_ne_bytes());
    put(&mut info, 150, &(4u16 | 2).to_ne_bytes());
    assert_eq!(
        saved_match("conntrack", 3, &info, Family::Ipv4),
        "-m conntrack --ctstate RELATED,ESTABLISHED"
    );
}

/// `-m state --state NEW`: conntrack with the alias flag.
#[test]
fn state_alias() {
    let mut info = [0u8; 168];
    let flags = XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS;
    put(&mut info, 146, &flags.to_ne_bytes());
    put(&mut info, 150, &8u16.to_ne_bytes());
    assert_eq!(
        saved_match("conntrack", 3, &info, Family::Ipv4),
        "-m state --state NEW"
    );
}

/// `-m conntrack --ctstate DNAT --ctproto 6 --ctorigdst 1.2.3.4
/// --ctorigdstport 80`, revision 3 (ports in host order), and the same
/// as revision 1 (ports in network order, one-byte masks).
#[test]
fn conntrack_tuple() {
    let mut v3 = [0u8; 168];
    put(&mut v3, 32, &[1, 2, 3, 4]);
    put(&mut v3, 48, &[255; 4]);
    put(&mut v3, 136, &6u16.to_ne_bytes());
    put(&mut v3, 140, &80u16.to_ne_bytes());
    let flags: u16 = 1 | 1 << 1 | 1 << 3 | 1 << 9;
    put(&mut v3, 146, &flags.to_ne_bytes());
    put(&mut v3, 150, &(1u16 << 7).to_ne_bytes());
    let text = "-m conntrack --ctstate DNAT --ctproto 6 --ctorigdst 1.2.3.4 \
                --ctorigdstport 80";
    assert_eq!(saved_match("conntrack", 3, &v3, Family::Ipv4), text);
    let mut v1 = v3;
    put(&mut v1, 140, &80u16.to_be_bytes());
    put(&mut v1, 150, &[1 << 7, 0]);
    assert_eq!(saved_match("conntrack", 1, &v1[..152], Family::Ipv4), text);
}

/// `! --ctstatus ASSURED --ctexpire 10:20 --ctdir ORIGINAL`.
#[test]
fn conntrack_status_expiry_direction() {
    let mut info = [0u8; 168];
    put(&mut info, 128, &10u32.to_ne_bytes());
    put(&mut info, 132, &20u32.to_ne_bytes());
    let flags: u16 = 1 << 6 | 1 << 7 | 1 << 12;
    put(&mut info, 146, &flags.to_ne_bytes());
    put(&mut info, 148, &(1u16 << 6).to_ne_bytes());
    put(&mut info, 152, &4u16.to_ne_bytes());
    assert_eq!(
        saved_match("conntrack", 2, &info[..156], Family::Ipv4),
        "-m conntrack ! --ctstatus ASSURED --ctexpire 10:20 --ctdir ORIGINAL"
    );
}

#[test]
fn addrtype() {
    // --src-type UNICAST,LOCAL ! --dst-type BROADCAST --limit-iface-in
    let mut info = [0u8; 8];
    put(&mut info, 0, &0b110u16.to_ne_bytes());
    put(&mut info, 2, &0b1000u16.to_ne_bytes());
    put(&mut info, 4, &(2u32 | 4).to_ne_bytes());
    assert_eq!(
        saved_match("addrtype", 1, &info, Family::Ipv4),
        "-m addrtype --src-type UNICAST,LOCAL ! --dst-type BROADCAST \
         --limit-iface-in"
    );
}

#[test]
fn comment_is_quoted_when_it_must_be() {
    let mut info = [0u8; 256];
    put(&mut info, 0, b"mail ports");
    assert_eq!(
        saved_match("comment", 0, &info, Family::Ipv4),
        "-m comment --comment \"mail ports\""
    );
    put(&mut info, 0, b"ssh\0");
    assert_eq!(
        saved_match("comment", 0, &info, Family::Ipv4),
        "-m comment --comment ssh"
    );
}

/// `-m tcp --tcp-option 8`, which iptables-nft keeps as a match, and
/// flags with ports.
#[test]
fn tcp() {
    let mut info = [0u8; 16];
    put(&mut info, 2, &u16::MAX.to_ne_bytes());
    put(&mut info, 6, &u16::MAX.to_ne_bytes());
    info[8] = 8;
    assert_eq!(
        saved_match("tcp", 0, &info, Family::Ipv4),
        "-m tcp --tcp-option 8"
    );
    put(&mut info, 4, &22u16.to_ne_bytes());
    put(&mut info, 6, &22u16.to_ne_bytes());
    info[8] = 0;
    info[9] = 0x16;
    info[10] = 0x02;
    info[11] = INV_DSTPT;
    assert_eq!(
        saved_match("tcp", 0, &info, Family::Ipv4),
        "-m tcp ! --dport 22 --tcp-flags SYN,RST,ACK SYN"
    );
}

#[test]
fn udp_ports() {
    let mut info = [0u8; 16];
    put(&mut info, 0, &53u16.to_ne_bytes());
    put(&mut info, 2, &53u16.to_ne_bytes());
    put(&mut info, 4, &1024u16.to_ne_bytes());
    put(&mut info, 6, &u16::MAX.to_ne_bytes());
    assert_eq!(
        saved_match("udp", 0, &info, Family::Ipv4),
        "-m udp --sport 53 --dport 1024:65535"
    );
}

#[test]
fn icmp_type_and_code() {
    assert_eq!(
        saved_match("icmp", 0, &[8, 0, 0xff, 0, 0, 0, 0, 0], Family::Ipv4),
        "-m icmp --icmp-type 8"
    );
    assert_eq!(
        saved_match("icmp", 0, &[3, 4, 4, 1, 0, 0, 0, 0], Family::Ipv4),
        "-m icmp ! --icmp-type 3/4"
    );
    assert_eq!(
        saved_match("icmp6", 0, &[128, 0, 0xff, 0], Family::Ipv6),
        "-m icmp6 --icmpv6-type 128"
    );
}

/// `--dports 80,443,8000:8100`, and `! --sports` and `--ports`.
#[test]
fn multiport() {
    let mut info = [0u8; 48];
    info[0] = 1;
    info[1] = 4;
    for (n, p) in [80u16, 443, 8000, 8100].iter().enumerate() {
        put(&mut info, 2 + 2 * n, &p.to_ne_bytes());
    }
    info[32 + 2] = 1;
    assert_eq!(
        saved_match("multiport", 1, &info, Family::Ipv4),
        "-m multiport --dports 80,443,8000:8100"
    );
    info[0] = 0;
    info[1] = 2;
    info[32 + 2] = 0;
    info[47] = 1;
    assert_eq!(
        saved_match("multiport", 1, &info, Family::Ipv4),
        "-m multiport ! --sports 80,443"
    );
}

#[test]
fn mark_and_limit() {
    let mut mark = [0u8; 16];
    put(&mut mark, 0, &1u32.to_ne_bytes());
    put(&mut mark, 4, &0xffu32.to_ne_bytes());
    assert_eq!(
        saved_match("mark", 1, &mark, Family::Ipv4),
        "-m mark --mark 0x1/0xff"
    );
    // 5/min, burst 7: a period of 12 s in ten-thousandths.
    let mut limit = [0u8; 32];
    put(&mut limit, 0, &120_000u32.to_ne_bytes());
    put(&mut limit, 4, &7u32.to_ne_bytes());
    assert_eq!(
        saved_match("limit", 0, &limit, Family::Ipv4),
        "-m limit --limit 5/min --limit-burst 7"
    );
    assert_eq!(
        Limit::from_rate(5, 60, 7),
        Some(Limit {
            avg: 120_000,
            burst: 7
        })
    );
    assert_eq!(Limit::from_rate(0, 60, 7), None);
}

#[test]
fn iprange_mac_physdev() {
    let mut range = [0u8; 72];
    put(&mut range, 0, &[10, 0, 0, 1]);
    put(&mut range, 16, &[10, 0, 0, 9]);
    put(&mut range, 32, &[10, 1, 0, 1]);
    put(&mut range, 48, &[10, 1, 0, 2]);
    range[64] = 1 | 2 | 0x20;
    assert_eq!(
        saved_match("iprange", 1, &range, Family::Ipv4),
        "-m iprange --src-range 10.0.0.1-10.0.0.9 ! --dst-range \
         10.1.0.1-10.1.0.2"
    );
    let mac = [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 1, 0, 0, 0];
    assert_eq!(
        saved_match("mac", 0, &mac, Family::Ipv4),
        "-m mac ! --mac-source 00:11:22:33:44:55"
    );
    let mut physdev = [0u8; 72];
    put(&mut physdev, 0, b"eth0");
    physdev[64] = 0;
    physdev[65] = 1 | 4;
    assert_eq!(
        saved_match("physdev", 0, &physdev, Family::Ipv4),
        "-m physdev --physdev-in eth0 --physdev-is-bridged"
    );
}

/// `-m set --match-set NAME src,dst` (revision 4): the set's index in
/// brackets until the kernel names it.
#[test]
fn set_prints_its_index() {
    let mut info = [0u8; 48];
    put(&mut info, 0, &3u16.to_ne_bytes());
    info[2] = 2;
    info[3] = 1 << 1;
    assert_eq!(
        saved_match("set", 4, &info, Family::Ipv4),
        "-m set --match-set [set 3] src,dst"
    );
    info[3] |= 1;
    put(&mut info, 40, &(1u32 << 3).to_ne_bytes());
    assert_eq!(
        saved_match("set", 4, &info, Family::Ipv4),
        "-m set ! --match-set [set 3] src,dst ! --update-counters"
    );
}

/// `-m pkttype`: a named type, an inverted one, one iptables has no
/// name for.
#[test]
fn pkttype() {
    let mut info = [0u8; 8];
    put(&mut info, 0, &1u32.to_ne_bytes());
    assert_eq!(
        saved_match("pkttype", 0, &info, Family::Ipv4),
        "-m pkttype --pkt-type broadcast"
    );
    put(&mut info, 0, &7u32.to_ne_bytes());
    put(&mut info, 4, &1u32.to_ne_bytes());
    assert_eq!(
        saved_match("pkttype", 0, &info, Family::Ipv4),
        "-m pkttype ! --pkt-type 7"
    );
}

/// `-m recent ! --update --seconds 60 --hitcount 4 --rttl --name ssh
/// --mask 255.255.255.0 --rdest` (revision 1, 228 bytes); revision 0
/// has no mask.
#[test]
fn recent() {
    let mut info = [0u8; 228];
    put(&mut info, 0, &60u32.to_ne_bytes());
    put(&mut info, 4, &4u32.to_ne_bytes());
    info[8] = (1 << 2) | (1 << 4);
    info[9] = 1;
    put(&mut info, 10, b"ssh");
    info[210] = 1;
    put(&mut info, 212, &[255, 255, 255, 0]);
    assert_eq!(
        saved_match("recent", 1, &info, Family::Ipv4),
        "-m recent ! --update --seconds 60 --hitcount 4 --rttl --name ssh \
         --mask 255.255.255.0 --rdest"
    );
    assert_eq!(
        saved_match("recent", 0, &info[..212], Family::Ipv4),
        "-m recent ! --update --seconds 60 --hitcount 4 --rttl --name ssh \
         --rdest"
    );
}

/// `nf_nat_ipv4_multi_range_compat` for MASQUERADE, SNAT, REDIRECT;
/// `nf_nat_range2` for DNAT.
#[test]
fn nat() {
    let mut mrc = [0u8; 24];
    put(&mut mrc, 0, &1u32.to_ne_bytes());
    assert_eq!(
        saved_target("MASQUERADE", 0, &mrc, Family::Ipv4),
        "-j MASQUERADE"
    );
    put(&mut mrc, 4, &(2u32 | 4).to_ne_bytes());
    put(&mut mrc, 16, &1024u16.to_be_bytes());
    put(&mut mrc, 18, &2000u16.to_be_bytes());
    assert_eq!(
        saved_target("MASQUERADE", 0, &mrc, Family::Ipv4),
        "-j MASQUERADE --to-ports 1024-2000 --random"
    );
    put(&mut mrc, 4, &(1u32 | 16).to_ne_bytes());
    put(&mut mrc, 8, &[1, 2, 3, 4]);
    put(&mut mrc, 12, &[1, 2, 3, 4]);
    assert_eq!(
        saved_target("SNAT", 0, &mrc, Family::Ipv4),
        "-j SNAT --to-source 1.2.3.4 --random-fully"
    );
    let mut r2 = [0u8; 44];
    put(&mut r2, 0, &(1u32 | 2 | 8).to_ne_bytes());
    put(&mut r2, 4, &[172, 17, 0, 3]);
    put(&mut r2, 20, &[172, 17, 0, 4]);
    put(&mut r2, 36, &80u16.to_be_bytes());
    put(&mut r2, 38, &90u16.to_be_bytes());
    assert_eq!(
        saved_target("DNAT", 2, &r2, Family::Ipv4),
        "-j DNAT --to-destination 172.17.0.3-172.17.0.4:80-90 --persistent"
    );
    let mut r6 = [0u8; 44];
    put(&mut r6, 0, &3u32.to_ne_bytes());
    let addr: std::net::Ipv6Addr = "fd00::2".parse().unwrap();
    put(&mut r6, 4, &addr.octets());
    put(&mut r6, 20, &addr.octets());
    put(&mut r6, 36, &80u16.to_be_bytes());
    put(&mut r6, 38, &80u16.to_be_bytes());
    assert_eq!(
        saved_target("DNAT", 2, &r6, Family::Ipv6),
        "-j DNAT --to-destination [fd00::2]:80"
    );
}

#[test]
fn log_nflog_reject() {
    let mut log = [0u8; 32];
    log[0] = 6;
    log[1] = 2;
    put(&mut log, 2, b"bad: ");
    assert_eq!(
        saved_target("LOG", 0, &log, Family::Ipv4),
        "-j LOG --log-prefix \"bad: \" --log-level 6 --log-tcp-options"
    );
    let mut nflog = [0u8; 80];
    put(&mut nflog, 4, &5u16.to_ne_bytes());
    put(&mut nflog, 6, &2u16.to_ne_bytes());
    put(&mut nflog, 12, b"ct");
    assert_eq!(
        saved_target("NFLOG", 0, &nflog, Family::Ipv4),
        "-j NFLOG --nflog-prefix ct --nflog-group 5 --nflog-threshold 2"
    );
    let reject = |with: u32, family| {
        saved_target("REJECT", 0, &with.to_ne_bytes(), family)
    };
    assert_eq!(
        reject(3, Family::Ipv4),
        "-j REJECT --reject-with icmp-port-unreachable"
    );
    assert_eq!(reject(7, Family::Ipv4), "-j REJECT --reject-with tcp-reset");
    assert_eq!(
        reject(1, Family::Ipv6),
        "-j REJECT --reject-with icmp6-adm-prohibited"
    );
    assert_eq!(reject(40, Family::Ipv4), "-j REJECT --reject-with [40]");
}

#[test]
fn marks() {
    let mut mark = [0u8; 8];
    put(&mut mark, 0, &5u32.to_ne_bytes());
    put(&mut mark, 4, &0xffu32.to_ne_bytes());
    assert_eq!(
        saved_target("MARK", 2, &mark, Family::Ipv4),
        "-j MARK --set-xmark 0x5/0xff"
    );
    let mut connmark = [0u8; 16];
    put(&mut connmark, 4, &0xfu32.to_ne_bytes());
    put(&mut connmark, 8, &0xffu32.to_ne_bytes());
    connmark[14] = 2;
    assert_eq!(
        saved_target("CONNMARK", 2, &connmark, Family::Ipv4),
        "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf"
    );
}

/// `-j NOTRACK`, `-j CT --notrack` and `-j CT --helper tftp --zone 5`
/// (revision 2, 72 bytes with the kernel's pointer).
#[test]
fn ct() {
    let mut info = [0u8; 72];
    put(&mut info, 0, &3u16.to_ne_bytes());
    assert_eq!(saved_target("CT", 2, &info, Family::Ipv4), "-j NOTRACK");
    put(&mut info, 0, &1u16.to_ne_bytes());
    assert_eq!(
        saved_target("CT", 2, &info, Family::Ipv4),
        "-j CT --notrack"
    );
    put(&mut info, 0, &0u16.to_ne_bytes());
    put(&mut info, 2, &5u16.to_ne_bytes());
    put(&mut info, 12, b"tftp");
    assert_eq!(
        saved_target("CT", 2, &info, Family::Ipv4),
        "-j CT --helper tftp --zone 5"
    );
}

#[test]
fn tcpmss_and_standard() {
    assert_eq!(
        saved_target("TCPMSS", 0, &[0xff, 0xff, 0, 0], Family::Ipv4),
        "-j TCPMSS --clamp-mss-to-pmtu"
    );
    assert_eq!(
        saved_target("TCPMSS", 0, &1400u16.to_ne_bytes(), Family::Ipv4),
        "-j TCPMSS --set-mss 1400"
    );
    assert_eq!(
        saved_target("", 0, &(-2i32).to_ne_bytes(), Family::Ipv4),
        "-j ACCEPT"
    );
}

/// `-m rt ! --rt-type 2 ! --rt-segsleft 3:5 --rt-len 8`, and type 0's
/// own options: `struct ip6t_rt` is 280 bytes, its addresses 4-byte
/// aligned at 20 and their count at 276.
#[test]
fn rt_options() {
    let mut info = [0u8; 280];
    put(&mut info, 0, &2u32.to_ne_bytes());
    put(&mut info, 4, &3u32.to_ne_bytes());
    put(&mut info, 8, &5u32.to_ne_bytes());
    put(&mut info, 12, &8u32.to_ne_bytes());
    info[16] = IP6T_RT_TYP | 0x02 | IP6T_RT_LEN;
    info[17] = IP6T_RT_INV_TYP | IP6T_RT_INV_SGS;
    assert_eq!(
        saved_match("rt", 0, &info, Family::Ipv6),
        "-m rt ! --rt-type 2 ! --rt-segsleft 3:5 --rt-len 8"
    );
    let mut type0 = [0u8; 280];
    put(&mut type0, 8, &u32::MAX.to_ne_bytes());
    type0[16] = IP6T_RT_TYP | IP6T_RT_RES | IP6T_RT_FST | IP6T_RT_FST_NSTRICT;
    type0[20 + 15] = 1;
    put(&mut type0, 36, &[0xfe, 0x80]);
    type0[36 + 15] = 2;
    type0[276] = 2;
    assert_eq!(
        saved_match("rt", 0, &type0, Family::Ipv6),
        "-m rt --rt-type 0 --rt-0-res --rt-0-addrs ::1,fe80::2 \
         --rt-0-not-strict"
    );
}

/// `-m statistic`: a probability in 2^31ths printed to 11 places, ties
/// to even as printf rounds them; `nth` counts from 0 in the struct.
#[test]
fn statistic_modes() {
    let random = |probability: u32, flags: u16| {
        let mut info = [0u8; 24];
        put(&mut info, 2, &flags.to_ne_bytes());
        put(&mut info, 4, &probability.to_ne_bytes());
        saved_match("statistic", 0, &info, Family::Ipv4)
    };
    assert_eq!(
        random(1 << 30, 0),
        "-m statistic --mode random --probability 0.50000000000"
    );
    assert_eq!(
        random(1 << 19, XT_STATISTIC_INVERT),
        "-m statistic --mode random ! --probability 0.00024414062"
    );
    let mut nth = [0u8; 24];
    put(&mut nth, 0, &1u16.to_ne_bytes());
    put(&mut nth, 2, &XT_STATISTIC_INVERT.to_ne_bytes());
    put(&mut nth, 4, &2u32.to_ne_bytes());
    assert_eq!(
        saved_match("statistic", 0, &nth, Family::Ipv4),
        "-m statistic --mode nth ! --every 3 --packet 0"
    );
}

/// Short bytes and other revisions are kept raw, in brackets.
#[test]
fn what_does_not_fit_stays_raw() {
    assert_eq!(
        saved_match("conntrack", 3, &[1, 2], Family::Ipv4),
        "-m conntrack [rev 3 0102]"
    );
    assert_eq!(
        saved_match("conntrack", 0, &[], Family::Ipv4),
        "-m conntrack [rev 0]"
    );
    assert_eq!(
        saved_target("TEE", 1, &[0xab], Family::Ipv4),
        "-j TEE [rev 1 ab]"
    );
}

/// ebtables' ICMP and IGMP types: by the name that covers exactly the
/// type and its codes, else as numbers.
#[test]
fn ebtables_icmp_types_print_by_name_or_number() {
    assert_eq!(
        ebt_icmp_text(&ICMP_CODES, [8, 8], [0, 255]),
        "echo-request "
    );
    assert_eq!(
        ebt_icmp_text(&ICMP_CODES, [3, 3], [1, 1]),
        "host-unreachable "
    );
    assert_eq!(ebt_icmp_text(&ICMP_CODES, [3, 5], [0, 1]), "3:5/0:1 ");
    assert_eq!(ebt_icmp_text(&ICMP_CODES, [3, 3], [2, 4]), "3/2:4 ");
    assert_eq!(
        ebt_icmp_text(&ICMPV6_CODES, [135, 135], [0, 255]),
        "neighbour-solicitation "
    );
    assert_eq!(ebt_igmp_text([0x11, 0x11]), "membership-query ");
    assert_eq!(ebt_igmp_text([7, 7]), "7");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        info in proptest::collection::vec(any::<u8>(), 0..300),
        revision in 0u32..6,
        v6 in any::<bool>(),
    ) {
        let family = if v6 { Family::Ipv6 } else { Family::Ipv4 };
        for name in MATCHES {
            let m = XtMatch::decode(name, revision, &info, family);
            let _ = (m.name().len(), m.to_string());
        }
        for name in TARGETS {
            let t = XtTarget::decode(name, revision, &info, family);
            let _ = (t.name().len(), t.to_string());
        }
    }
}
