//! Rules written with ebtables-nft, shared by the tests that read them
//! back as `ebtables-nft-save` and as `nft` print them.

/// ebtables rules of the kinds the renderer reads back: protocols,
/// MACs with masks, interfaces, `ip`/`ip6` (ICMP and IGMP types too),
/// `mark_m`, `among`, `pkttype`, `vlan`, `limit`, the `log` and `nflog`
/// watchers, `mark` and MAC NAT targets, user chains with and without a
/// policy.
pub const EBTABLES: &str = r#"
set -e
eb=ebtables-nft
$eb -N ZED -P DROP
$eb -N AAA -P RETURN
$eb -N MID
$eb -P FORWARD DROP
$eb -A INPUT -p IPv4 -i eth0 --ip-src 10.0.0.0/8 --ip-dst 1.2.3.4 --ip-proto tcp --ip-dport 80 -j ACCEPT
$eb -A INPUT -p IPv4 --ip-src ! 10.1.0.0/255.255.0.255 --ip-proto udp --ip-sport 1000:2000 -j DROP
$eb -A INPUT -p IPv6 --ip6-src 2001:db8::/32 --ip6-dst fe80::1 --ip6-proto udp --ip6-sport 53 -j DROP
$eb -A INPUT -p ARP -j AAA
$eb -A INPUT -p 802_1Q -j CONTINUE
$eb -A INPUT -p ! IPv4 -j RETURN
$eb -A INPUT -p 0x1234 -j ACCEPT
$eb -A INPUT -p Length -j ACCEPT
$eb -A INPUT -s 00:11:22:33:44:55 -j ACCEPT
$eb -A INPUT -d Multicast -j DROP
$eb -A INPUT -d BGA -j DROP
$eb -A INPUT -s ! 00:11:22:00:00:00/ff:ff:ff:00:00:00 -j DROP
$eb -A FORWARD -i veth+ -o ! eth1 -j ACCEPT
$eb -A FORWARD --mark 0x5/0xff -j ACCEPT
$eb -A FORWARD --mark ! 0x6 -j ACCEPT
$eb -A FORWARD -j mark --mark-set 0x7 --mark-target ACCEPT
$eb -A FORWARD -j mark --mark-or 0x8 --mark-target CONTINUE
$eb -A FORWARD --limit 5/sec --limit-burst 10 -j ACCEPT
$eb -A FORWARD --mark /0x10 -j DROP
$eb -A FORWARD --mark ! /0x20 -j DROP
$eb -A FORWARD -j mark --mark-xor 0x9 --mark-target RETURN
$eb -A FORWARD -j mark --mark-and 0xa --mark-target DROP
$eb -A FORWARD -p IPv4 --ip-proto icmp -j ACCEPT
$eb -A FORWARD -p IPv4 --ip-proto sctp --ip-sport ! 1:1023 -j ACCEPT
$eb -A FORWARD -p IPv6 --ip6-proto ! udp -j DROP
$eb -A FORWARD -p IPv6 --ip6-proto tcp --ip6-dport 443 -j ACCEPT
$eb -A FORWARD -p IPv6 --ip6-tclass 0x2e --ip6-proto 47 -j ACCEPT
$eb -A FORWARD --pkttype-type otherhost -j DROP
$eb -A FORWARD -p IPv4 --ip-proto icmp --ip-icmp-type echo-request -j ACCEPT
$eb -A FORWARD -p IPv4 --ip-proto icmp --ip-icmp-type ! 3/1 -j DROP
$eb -A FORWARD -p IPv4 --ip-proto icmp --ip-icmp-type 3:5/0:1 -j DROP
$eb -A FORWARD -p IPv4 --ip-proto igmp --ip-igmp-type membership-query -j ACCEPT
$eb -A FORWARD -p IPv4 --ip-proto igmp --ip-igmp-type 7 -j ACCEPT
$eb -A FORWARD -p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type echo-request -j ACCEPT
$eb -A FORWARD -p IPv6 --ip6-proto ipv6-icmp --ip6-icmp-type ! 1/3 -j DROP
$eb -A FORWARD --pkttype-type loopback -j DROP
$eb -A FORWARD -p 802_1Q --vlan-prio 3 -j ACCEPT
$eb -A FORWARD --log-level info --log-prefix "in" -j ACCEPT
$eb -A OUTPUT -p IPv4 --ip-tos 0x10 -j ACCEPT
$eb -A OUTPUT -j DROP
$eb -A AAA -j MID
$eb -A ZED -j ACCEPT
$eb -A MID --among-src 00:11:22:33:44:55,00:11:22:33:44:06 -j DROP
$eb -A MID -p ipv4 --among-dst ! 00:11:22:33:44:55=10.0.0.1,00:11:22:33:44:77 -j ACCEPT
$eb -A MID --among-dst 00:11:22:33:44:66,00:01:00:00:00:00 --among-src 00:11:22:33:44:55=10.0.0.1 -j DROP
$eb -A MID --log -j ACCEPT
$eb -A MID --log-level 3 --log-prefix "hey" --log-ip --log-arp -j DROP
$eb -A MID --log-ip6 --log-level debug --nflog-group 2
$eb -A MID --nflog-group 3 --nflog-prefix x --nflog-range 100 --nflog-threshold 2 -j ACCEPT
$eb -A MID --nflog
$eb -A MID --pkttype-type ! multicast -j DROP
$eb -A MID -p 802_1Q --vlan-id ! 7 --vlan-encap ipv4 -j DROP
$eb -A MID -p 802_1Q --vlan-encap 0x1234 -j DROP
# Three of matches and watchers: ebtables shows the first and the last.
$eb -A MID -p ipv4 --ip-src 1.2.3.4 --mark 5 --log
$eb -A MID --log --among-src 00:11:22:33:44:55 --pkttype-type host -j DROP
$eb -t nat -A PREROUTING -d 00:11:22:33:44:55 -j dnat --to-destination 00:aa:bb:cc:dd:ee
$eb -t nat -A PREROUTING -j redirect
$eb -t nat -A PREROUTING -j redirect --redirect-target DROP
$eb -t nat -A POSTROUTING -s 00:11:22:33:44:55 -j snat --to-source 00:aa:bb:cc:dd:ee --snat-target ACCEPT
$eb -t nat -A POSTROUTING -j snat --to-source 00:aa:bb:cc:dd:ef --snat-arp --snat-target CONTINUE
"#;
