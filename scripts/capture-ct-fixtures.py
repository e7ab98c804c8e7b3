#!/usr/bin/env python3
"""Capture real ctnetlink (conntrack netlink) messages as byte fixtures.

Runs as root, Python 3.11 stdlib only, needs `ip`, `nft`, `conntrack`.

Everything happens inside three throw-away network namespaces
(`nfs-t-<hex>-cli`, `-rtr`, `-srv`) linked with veth pairs:

    cli 10.77.1.2 / fd77:1::2  <->  10.77.1.1 / fd77:1::1  rtr
    rtr 10.77.2.1 / fd77:2::1  <->  10.77.2.2 / fd77:2::2  srv

The router namespace forwards, has accounting and timestamps switched on,
and an nftables ruleset with a DNAT (10.77.1.1:8080 -> 10.77.2.2:80),
masquerade, a ct mark and a ct zone. Flows are generated from cli to srv,
then a ctnetlink dump and ctnetlink events are read inside the router
namespace and every netlink message is written to
server/src/collect/conntrack/fixtures/<name>.bin with a <name>.txt.

The root namespace's firewall and sysctls are never touched, and all
namespaces are deleted in a `finally`.

Usage: sudo python3 scripts/capture-ct-fixtures.py [--out DIR]
(the script re-invokes itself with --helper ROLE inside the namespaces).
"""

import argparse
import json
import os
import platform
import secrets
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

SCRIPT = os.path.abspath(__file__)
SCRIPT_NAME = "scripts/capture-ct-fixtures.py"
DEFAULT_OUT = os.path.join(
    os.path.dirname(os.path.dirname(SCRIPT)),
    "server", "src", "collect", "conntrack", "fixtures",
)

# ---------------------------------------------------------------- constants
NETLINK_NETFILTER = 12
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_DUMP = 0x300
NLMSG_ERROR = 2
NLMSG_DONE = 3
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
IPCTNL_MSG_CT_GET = 1
IPCTNL_MSG_CT_DELETE = 2
# legacy bind() bitmask: bit (group - 1)
NFNLGRP_CONNTRACK_NEW_MASK = 1
NFNLGRP_CONNTRACK_UPDATE_MASK = 2
NFNLGRP_CONNTRACK_DESTROY_MASK = 4

CTA_TUPLE_ORIG = 1
CTA_MARK = 8
CTA_ID = 12
CTA_ZONE = 18
CTA_PROTOINFO = 4
CTA_PROTOINFO_TCP = 1
CTA_PROTOINFO_TCP_STATE = 1
TCP_STATES = ["NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
              "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"]

CLI_V4, RTR_C_V4, RTR_S_V4, SRV_V4 = "10.77.1.2", "10.77.1.1", "10.77.2.1", "10.77.2.2"
CLI_V6, RTR_C_V6, RTR_S_V6, SRV_V6 = "fd77:1::2", "fd77:1::1", "fd77:2::1", "fd77:2::2"

# Ports (source ports are fixed so the fixtures are reproducible).
P_DNAT_PUBLISHED, P_DNAT_SERVER, SP_DNAT = 8080, 80, 41080
P_TCP_PLAIN, SP_TCP_PLAIN = 9000, 41000
P_TCP_TW, SP_TCP_TW = 9001, 41001
P_TCP6, SP_TCP6 = 9006, 41006
P_TCP_EVENT, SP_TCP_EVENT = 9100, 41100
P_UDP_MARK, SP_UDP_MARK = 6000, 42000
P_UDP_PLAIN, SP_UDP_PLAIN = 6001, 42001
P_UDP6, SP_UDP6 = 6006, 42006
P_UDP_ZONE, SP_UDP_ZONE = 5353, 42053
P_UDP_MASQ, SP_UDP_MASQ = 7000, 42070
SCTP_SPORT, SCTP_DPORT = 43000, 43001
ICMP_ID, ICMP6_ID = 0x4D77, 0x4D76
CT_MARK = 0x2A
CT_ZONE = 7

TCP_SERVER_PORTS_V4 = [P_DNAT_SERVER, P_TCP_PLAIN, P_TCP_TW, P_TCP_EVENT]
UDP_SERVER_PORTS_V4 = [P_UDP_MARK, P_UDP_PLAIN, P_UDP_ZONE, P_UDP_MASQ]

HELPER_LIFETIME = 90  # seconds; every helper process exits by itself after this


# ---------------------------------------------------------------- netlink parsing
def iter_nlmsgs(buf):
    off = 0
    while off + 16 <= len(buf):
        ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", buf, off)
        if ln < 16 or off + ln > len(buf):
            break
        yield bytes(buf[off:off + ln]), typ, flags
        off += (ln + 3) & ~3


def iter_attrs(buf, off=0, end=None):
    end = len(buf) if end is None else end
    while off + 4 <= end:
        ln, typ = struct.unpack_from("=HH", buf, off)
        if ln < 4 or off + ln > end:
            break
        yield typ & 0x3FFF, buf[off + 4:off + ln]
        off += (ln + 3) & ~3


def decode_ct(msg):
    """Small summary of one ctnetlink conntrack message (for matching only)."""
    ln, typ, flags, seq, pid = struct.unpack_from("=IHHII", msg, 0)
    family = msg[16]
    out = {"nl_type": typ, "nl_flags": flags, "family": family, "len": ln}
    for t, v in iter_attrs(msg, 20):
        if t == CTA_TUPLE_ORIG:
            for tt, tv in iter_attrs(v):
                if tt == 1:  # CTA_TUPLE_IP
                    for it, iv in iter_attrs(tv):
                        if it in (1, 3):
                            out["src"] = socket.inet_ntop(
                                socket.AF_INET if it == 1 else socket.AF_INET6, iv)
                        elif it in (2, 4):
                            out["dst"] = socket.inet_ntop(
                                socket.AF_INET if it == 2 else socket.AF_INET6, iv)
                elif tt == 2:  # CTA_TUPLE_PROTO
                    for pt, pv in iter_attrs(tv):
                        if pt == 1:
                            out["proto"] = pv[0]
                        elif pt == 2:
                            out["sport"] = struct.unpack("!H", pv)[0]
                        elif pt == 3:
                            out["dport"] = struct.unpack("!H", pv)[0]
                        elif pt in (4, 7):
                            out["icmp_id"] = struct.unpack("!H", pv)[0]
                        elif pt in (5, 8):
                            out["icmp_type"] = pv[0]
        elif t == CTA_ID:
            out["id"] = struct.unpack("!I", v)[0]
        elif t == CTA_MARK:
            out["mark"] = struct.unpack("!I", v)[0]
        elif t == CTA_ZONE:
            out["zone"] = struct.unpack("!H", v)[0]
        elif t == CTA_PROTOINFO:
            for pt, pv in iter_attrs(v):
                if pt == CTA_PROTOINFO_TCP:
                    for st, sv in iter_attrs(pv):
                        if st == CTA_PROTOINFO_TCP_STATE:
                            out["tcp_state"] = TCP_STATES[sv[0]] if sv[0] < len(TCP_STATES) else sv[0]
    return out


def nl_socket(groups=0):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((0, groups))
    return s


# ---------------------------------------------------------------- helpers (run inside a netns)
def helper_dump():
    """Inside the router netns: one ctnetlink dump, print datagrams as JSON."""
    s = nl_socket()
    s.settimeout(5)
    seq = 0x4E465354  # "NFST"
    hdr = struct.pack("=IHHII", 16 + 4, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET,
                      NLM_F_REQUEST | NLM_F_DUMP, seq, 0)
    nfgen = struct.pack("!BBH", socket.AF_UNSPEC, 0, 0)
    s.sendto(hdr + nfgen, (0, 0))
    datagrams = []
    done = False
    for _ in range(10000):  # bounded
        data = s.recv(1 << 16)
        datagrams.append(data.hex())
        for msg, typ, flags in iter_nlmsgs(data):
            if typ == NLMSG_DONE:
                done = True
            elif typ == NLMSG_ERROR:
                err = struct.unpack_from("=i", msg, 16)[0]
                if err != 0:
                    raise SystemExit(f"netlink error {err}")
                done = True
        if done:
            break
    json.dump({"datagrams": datagrams, "done": done}, sys.stdout)


def helper_events(duration):
    """Inside the router netns: subscribe NEW|UPDATE|DESTROY, print each event
    datagram as one JSON line, after printing 'ready'."""
    s = nl_socket(NFNLGRP_CONNTRACK_NEW_MASK | NFNLGRP_CONNTRACK_UPDATE_MASK
                  | NFNLGRP_CONNTRACK_DESTROY_MASK)
    print("ready", flush=True)
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        r, _, _ = select.select([s, sys.stdin], [], [], 0.2)
        if s in r:
            data = s.recv(1 << 16)
            print(json.dumps({"t": time.time(), "hex": data.hex()}), flush=True)
        if sys.stdin in r:
            if sys.stdin.readline().strip() in ("stop", ""):
                break
    # drain what is still queued
    s.setblocking(False)
    for _ in range(1000):
        try:
            data = s.recv(1 << 16)
        except BlockingIOError:
            break
        print(json.dumps({"t": time.time(), "hex": data.hex()}), flush=True)


def helper_server():
    """Inside the server netns: TCP/UDP echo servers on all ports."""
    stop = threading.Event()

    def tcp_serve(fam, addr, port):
        ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(8)
        ls.settimeout(0.5)
        while not stop.is_set():
            try:
                c, _ = ls.accept()
            except socket.timeout:
                continue
            threading.Thread(target=tcp_echo, args=(c,), daemon=True).start()

    def tcp_echo(c):
        c.settimeout(HELPER_LIFETIME)
        try:
            while True:
                d = c.recv(4096)
                if not d:
                    break
                c.sendall(b"pong:" + d)
        except OSError:
            pass
        finally:
            c.close()

    def udp_serve(fam, addr, port):
        us = socket.socket(fam, socket.SOCK_DGRAM)
        us.bind((addr, port))
        us.settimeout(0.5)
        while not stop.is_set():
            try:
                d, peer = us.recvfrom(4096)
            except socket.timeout:
                continue
            us.sendto(b"pong:" + d, peer)

    threads = []
    for p in TCP_SERVER_PORTS_V4:
        threads.append((tcp_serve, socket.AF_INET, SRV_V4, p))
    threads.append((tcp_serve, socket.AF_INET6, SRV_V6, P_TCP6))
    for p in UDP_SERVER_PORTS_V4:
        threads.append((udp_serve, socket.AF_INET, SRV_V4, p))
    threads.append((udp_serve, socket.AF_INET6, SRV_V6, P_UDP6))
    for fn, *args in threads:
        threading.Thread(target=fn, args=args, daemon=True).start()
    time.sleep(0.3)
    print("ready", flush=True)
    # wait for "stop" / EOF on stdin, bounded
    r, _, _ = select.select([sys.stdin], [], [], HELPER_LIFETIME)
    stop.set()


def inet_csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def tcp_exchange(fam, src, sport, dst, dport, payload):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(5)
    s.bind((src, sport))
    s.connect((dst, dport))
    s.sendall(payload)
    reply = s.recv(4096)
    return s, reply


def udp_exchange(fam, src, sport, dst, dport, payload):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(5)
    s.bind((src, sport))
    s.sendto(payload, (dst, dport))
    reply, _ = s.recvfrom(4096)
    return s, reply


def helper_client(which):
    """Inside the client netns: generate flows, keep TCP ones open until stdin
    says stop (or HELPER_LIFETIME passes)."""
    held = []
    results = {}

    def note(name, ok, detail=""):
        results[name] = {"ok": ok, "detail": detail}

    def attempt(name, fn):
        try:
            detail = fn()
            note(name, True, detail or "")
        except Exception as e:  # keep going, report it
            note(name, False, repr(e))

    if which == "main":
        def dnat():
            s, r = tcp_exchange(socket.AF_INET, CLI_V4, SP_DNAT, RTR_C_V4, P_DNAT_PUBLISHED,
                                b"hello via dnat")
            held.append(s)
            return r.decode()
        attempt("tcp_dnat_masq_established", dnat)

        def tcp_plain():
            s, r = tcp_exchange(socket.AF_INET, CLI_V4, SP_TCP_PLAIN, SRV_V4, P_TCP_PLAIN,
                                b"hello plain")
            held.append(s)
            return r.decode()
        attempt("tcp_plain_established", tcp_plain)

        def tcp_tw():
            s, r = tcp_exchange(socket.AF_INET, CLI_V4, SP_TCP_TW, SRV_V4, P_TCP_TW, b"bye")
            s.shutdown(socket.SHUT_WR)
            for _ in range(50):
                if not s.recv(4096):
                    break
            s.close()
            return r.decode()
        attempt("tcp_time_wait", tcp_tw)

        def tcp6():
            s, r = tcp_exchange(socket.AF_INET6, CLI_V6, SP_TCP6, SRV_V6, P_TCP6, b"hello v6")
            held.append(s)
            return r.decode()
        attempt("ipv6_tcp_established", tcp6)

        for name, sp, dp in (("udp_plain", SP_UDP_PLAIN, P_UDP_PLAIN),
                             ("udp_ct_mark", SP_UDP_MARK, P_UDP_MARK),
                             ("udp_zone7", SP_UDP_ZONE, P_UDP_ZONE),
                             ("udp_masq", SP_UDP_MASQ, P_UDP_MASQ)):
            def u(sp=sp, dp=dp, name=name):
                s, r = udp_exchange(socket.AF_INET, CLI_V4, sp, SRV_V4, dp, name.encode())
                held.append(s)
                return r.decode()
            attempt(name, u)

        def udp6():
            s, r = udp_exchange(socket.AF_INET6, CLI_V6, SP_UDP6, SRV_V6, P_UDP6, b"udp v6")
            held.append(s)
            return r.decode()
        attempt("ipv6_udp", udp6)

        def icmp():
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            s.settimeout(3)
            body = b"nfs-test-ping"
            hdr = struct.pack("!BBHHH", 8, 0, 0, ICMP_ID, 1)
            pkt = struct.pack("!BBHHH", 8, 0, inet_csum(hdr + body), ICMP_ID, 1) + body
            s.sendto(pkt, (SRV_V4, 0))
            for _ in range(20):
                d = s.recv(4096)
                ihl = (d[0] & 0xF) * 4
                t, c, _, i, q = struct.unpack_from("!BBHHH", d, ihl)
                if t == 0 and i == ICMP_ID:
                    return "echo reply seq %d" % q
            raise RuntimeError("no echo reply")
        attempt("icmp_echo", icmp)

        def icmp6():
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
            s.settimeout(3)
            s.bind((CLI_V6, 0))
            pkt = struct.pack("!BBHHH", 128, 0, 0, ICMP6_ID, 1) + b"nfs-test-ping6"
            s.sendto(pkt, (SRV_V6, 0))  # kernel fills the ICMPv6 checksum
            for _ in range(20):
                d = s.recv(4096)
                t, c, _, i, q = struct.unpack_from("!BBHHH", d, 0)
                if t == 129 and i == ICMP6_ID:
                    return "echo reply seq %d" % q
            raise RuntimeError("no echo6 reply")
        attempt("ipv6_icmp_echo", icmp6)

        def proto253():
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 253)
            s.sendto(b"experimental protocol 253 payload", (SRV_V4, 0))
            return "sent (no reply expected)"
        attempt("unknown_proto_253", proto253)

        def gre():
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
            # GRE version 0, no key/seq/csum, inner protocol 0x88B5 (local experimental)
            s.sendto(struct.pack("!HH", 0, 0x88B5) + b"nfs-test-gre", (SRV_V4, 0))
            return "sent (no reply expected)"
        attempt("gre_v0", gre)

        def sctp_init():
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
            init = struct.pack("!BBHIIHHI", 1, 0, 20, 0x4E465354, 65535, 10, 10, 1)
            common = struct.pack("!HHII", SCTP_SPORT, SCTP_DPORT, 0, 0)
            csum = crc32c(common + init)
            common = struct.pack("!HHI", SCTP_SPORT, SCTP_DPORT, 0) + struct.pack("<I", csum)
            s.sendto(common + init, (SRV_V4, 0))
            return "INIT sent (server has no SCTP, no reply expected)"
        attempt("sctp_init", sctp_init)

    elif which == "event":
        def ev():
            s, r = tcp_exchange(socket.AF_INET, CLI_V4, SP_TCP_EVENT, SRV_V4, P_TCP_EVENT,
                                b"event flow")
            held.append(s)
            return r.decode()
        attempt("event_tcp", ev)

    print(json.dumps(results), flush=True)
    select.select([sys.stdin], [], [], HELPER_LIFETIME)
    for s in held:
        try:
            s.close()
        except OSError:
            pass


# ---------------------------------------------------------------- orchestration
def run(cmd, check=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, **kw)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def nsexec(ns, *cmd, **kw):
    return run(["ip", "netns", "exec", ns, *cmd], **kw)


def helper_popen(ns, role, *args):
    return subprocess.Popen(
        ["ip", "netns", "exec", ns, sys.executable, SCRIPT, "--helper", role, *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, bufsize=1)


def readline_timeout(p, timeout):
    r, _, _ = select.select([p.stdout], [], [], timeout)
    if not r:
        raise RuntimeError("helper did not answer in time")
    return p.stdout.readline()


def stop_helper(p):
    if p is None:
        return
    try:
        if p.poll() is None:
            if p.stdin is not None:
                try:
                    p.stdin.write("stop\n")
                    p.stdin.flush()
                except (BrokenPipeError, OSError):
                    pass
            else:
                p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()  # only our own child, by handle
                p.wait(timeout=5)
    except Exception:
        pass


def nft_ruleset():
    return f"""
table inet nfst {{
    chain raw_pre {{
        type filter hook prerouting priority raw; policy accept;
        udp dport {P_UDP_ZONE} ct zone set {CT_ZONE}
        udp sport {P_UDP_ZONE} ct zone set {CT_ZONE}
    }}
    chain nat_pre {{
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr {RTR_C_V4} tcp dport {P_DNAT_PUBLISHED} dnat ip to {SRV_V4}:{P_DNAT_SERVER}
    }}
    chain filter_fwd {{
        type filter hook forward priority filter; policy drop;
        ct state established,related accept
        ct state invalid drop
        udp dport {P_UDP_MARK} ct mark set {CT_MARK:#x} accept
        iifname "c0" oifname "s0" accept
    }}
    chain nat_post {{
        type nat hook postrouting priority srcnat; policy accept;
        oifname "s0" ip daddr {SRV_V4} tcp dport {P_DNAT_SERVER} masquerade
        oifname "s0" udp dport {P_UDP_MASQ} masquerade
    }}
}}
"""


def setup(ns_cli, ns_rtr, ns_srv):
    for ns in (ns_cli, ns_rtr, ns_srv):
        run(["ip", "netns", "add", ns])
        nsexec(ns, "ip", "link", "set", "lo", "up")
        nsexec(ns, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
               "net.ipv6.conf.default.accept_dad=0")
    # veth pairs created directly inside the namespaces (nothing in the root ns)
    run(["ip", "-n", ns_cli, "link", "add", "eth0", "type", "veth",
         "peer", "name", "c0", "netns", ns_rtr])
    run(["ip", "-n", ns_srv, "link", "add", "eth0", "type", "veth",
         "peer", "name", "s0", "netns", ns_rtr])
    addrs = [(ns_cli, "eth0", CLI_V4, CLI_V6), (ns_rtr, "c0", RTR_C_V4, RTR_C_V6),
             (ns_rtr, "s0", RTR_S_V4, RTR_S_V6), (ns_srv, "eth0", SRV_V4, SRV_V6)]
    for ns, dev, v4, v6 in addrs:
        run(["ip", "-n", ns, "addr", "add", f"{v4}/24", "dev", dev])
        run(["ip", "-n", ns, "-6", "addr", "add", f"{v6}/64", "dev", dev, "nodad"])
        run(["ip", "-n", ns, "link", "set", dev, "up"])
    run(["ip", "-n", ns_cli, "route", "add", "default", "via", RTR_C_V4])
    run(["ip", "-n", ns_cli, "-6", "route", "add", "default", "via", RTR_C_V6])
    run(["ip", "-n", ns_srv, "route", "add", "default", "via", RTR_S_V4])
    run(["ip", "-n", ns_srv, "-6", "route", "add", "default", "via", RTR_S_V6])
    nsexec(ns_rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1",
           "net.ipv6.conf.all.forwarding=1",
           "net.netfilter.nf_conntrack_acct=1", "net.netfilter.nf_conntrack_timestamp=1")
    nsexec(ns_rtr, "nft", "-f", "-", input=nft_ruleset())


def conntrack_lines(ns_rtr, opts="extended,id"):
    p = nsexec(ns_rtr, "conntrack", "-L", "-o", opts, check=False)
    return [l for l in p.stdout.splitlines() if l.strip()]


def line_for_id(lines, ctid):
    for l in lines:
        if f"id={ctid} " in l + " ":
            return l
    return None


def write_fixture(out, name, data, flow, lines, extra=()):
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write(f"command: python3 {SCRIPT_NAME} (as root)\n")
        f.write(f"uname -r: {platform.release()}\n")
        f.write(f"flow: {flow}\n")
        f.write(f"bytes: {len(data)}\n")
        for e in extra:
            f.write(e.rstrip("\n") + "\n")
        for label, l in lines:
            f.write(f"{label}: {l}\n")


def describe_msg(d):
    return ("nlmsg type=0x%04x flags=0x%04x len=%d nfgenmsg.family=%d"
            % (d["nl_type"], d["nl_flags"], d["len"], d["family"]))


# flow name -> (description, predicate over decode_ct() result)
DUMP_FLOWS = [
    ("tcp_dnat_masq_established",
     f"IPv4 TCP {CLI_V4}:{SP_DNAT} -> {RTR_C_V4}:{P_DNAT_PUBLISHED}, DNAT to {SRV_V4}:{P_DNAT_SERVER} "
     f"and masqueraded to {RTR_S_V4}; ESTABLISHED, held open",
     lambda d: d.get("proto") == 6 and d.get("dport") == P_DNAT_PUBLISHED),
    ("tcp_plain_established",
     f"IPv4 TCP {CLI_V4}:{SP_TCP_PLAIN} -> {SRV_V4}:{P_TCP_PLAIN}, no NAT; ESTABLISHED, held open",
     lambda d: d.get("proto") == 6 and d.get("dport") == P_TCP_PLAIN),
    ("tcp_time_wait",
     f"IPv4 TCP {CLI_V4}:{SP_TCP_TW} -> {SRV_V4}:{P_TCP_TW}, no NAT; closed by both sides -> TIME_WAIT",
     lambda d: d.get("proto") == 6 and d.get("dport") == P_TCP_TW),
    ("udp_plain",
     f"IPv4 UDP {CLI_V4}:{SP_UDP_PLAIN} -> {SRV_V4}:{P_UDP_PLAIN}, one datagram each way, no NAT",
     lambda d: d.get("proto") == 17 and d.get("dport") == P_UDP_PLAIN),
    ("udp_ct_mark",
     f"IPv4 UDP {CLI_V4}:{SP_UDP_MARK} -> {SRV_V4}:{P_UDP_MARK}, nft 'ct mark set {CT_MARK:#x}' in forward",
     lambda d: d.get("proto") == 17 and d.get("dport") == P_UDP_MARK),
    ("udp_zone7",
     f"IPv4 UDP {CLI_V4}:{SP_UDP_ZONE} -> {SRV_V4}:{P_UDP_ZONE}, nft 'ct zone set {CT_ZONE}' in raw prerouting "
     "(both directions)",
     lambda d: d.get("proto") == 17 and d.get("dport") == P_UDP_ZONE),
    ("udp_masq",
     f"IPv4 UDP {CLI_V4}:{SP_UDP_MASQ} -> {SRV_V4}:{P_UDP_MASQ}, masqueraded to {RTR_S_V4}",
     lambda d: d.get("proto") == 17 and d.get("dport") == P_UDP_MASQ),
    ("ipv6_tcp",
     f"IPv6 TCP [{CLI_V6}]:{SP_TCP6} -> [{SRV_V6}]:{P_TCP6}, no NAT; ESTABLISHED, held open",
     lambda d: d.get("proto") == 6 and d.get("dport") == P_TCP6),
    ("ipv6_udp",
     f"IPv6 UDP [{CLI_V6}]:{SP_UDP6} -> [{SRV_V6}]:{P_UDP6}, one datagram each way",
     lambda d: d.get("proto") == 17 and d.get("dport") == P_UDP6),
    ("icmp_echo",
     f"IPv4 ICMP echo request/reply {CLI_V4} -> {SRV_V4}, id={ICMP_ID:#x} seq=1",
     lambda d: d.get("proto") == 1 and d.get("icmp_id") == ICMP_ID),
    ("ipv6_icmp_echo",
     f"IPv6 ICMPv6 echo request/reply {CLI_V6} -> {SRV_V6}, id={ICMP6_ID:#x} seq=1",
     lambda d: d.get("proto") == 58 and d.get("icmp_id") == ICMP6_ID),
    ("unknown_proto_253",
     f"IPv4 raw IP protocol 253 {CLI_V4} -> {SRV_V4}, tracked by the generic tracker, unreplied",
     lambda d: d.get("proto") == 253),
    ("gre_v0",
     f"IPv4 GRE version 0 (no key) {CLI_V4} -> {SRV_V4}, unreplied",
     lambda d: d.get("proto") == 47),
    ("sctp_init",
     f"IPv4 SCTP INIT {CLI_V4}:{SCTP_SPORT} -> {SRV_V4}:{SCTP_DPORT} (raw socket, crc32c), unreplied",
     lambda d: d.get("proto") == 132),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--helper")
    ap.add_argument("helper_args", nargs="*")
    a = ap.parse_args()
    if a.helper:
        signal.alarm(HELPER_LIFETIME + 30)  # hard bound for every helper
        if a.helper == "dump":
            return helper_dump()
        if a.helper == "events":
            return helper_events(float(a.helper_args[0]) if a.helper_args else 20)
        if a.helper == "server":
            return helper_server()
        if a.helper == "client":
            return helper_client(a.helper_args[0])
        raise SystemExit("unknown helper " + a.helper)

    if os.geteuid() != 0:
        raise SystemExit("must run as root")
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    tag = "nfs-t-" + secrets.token_hex(4)
    ns_cli, ns_rtr, ns_srv = tag + "-cli", tag + "-rtr", tag + "-srv"
    created = [ns_cli, ns_rtr, ns_srv]
    procs = []
    written = []
    try:
        setup(ns_cli, ns_rtr, ns_srv)
        srv = helper_popen(ns_srv, "server")
        procs.append(srv)
        if readline_timeout(srv, 10).strip() != "ready":
            raise RuntimeError("server helper failed: " + srv.stderr.read())

        # ---------------- dump
        cli = helper_popen(ns_cli, "client", "main")
        procs.append(cli)
        res = json.loads(readline_timeout(cli, 60))
        for k, v in res.items():
            print(f"flow {k}: {'ok' if v['ok'] else 'FAILED'} {v['detail']}")
        time.sleep(0.5)
        p = nsexec(ns_rtr, sys.executable, SCRIPT, "--helper", "dump")
        dump = json.loads(p.stdout)
        lines = conntrack_lines(ns_rtr)
        kt_lines = conntrack_lines(ns_rtr, "extended,id,ktimestamp")
        datagrams = [bytes.fromhex(h) for h in dump["datagrams"]]
        msgs = [m for dg in datagrams for m in iter_nlmsgs(dg)]
        print(f"dump: {len(datagrams)} datagrams, {len(msgs)} messages, done={dump['done']}")
        ct_msgs = [(m, decode_ct(m)) for m, typ, fl in msgs if typ >> 8 == NFNL_SUBSYS_CTNETLINK]

        used = set()
        for name, flow, pred in DUMP_FLOWS:
            hits = [(m, d) for m, d in ct_msgs if pred(d)]
            if not hits:
                print(f"WARNING: no conntrack entry for {name} ({res.get(name)})")
                continue
            m, d = hits[0]
            used.add(d.get("id"))
            extra = [describe_msg(d), f"CTA_ID: {d.get('id')}"]
            write_fixture(out, name, m, flow,
                          [("conntrack -L -o extended,id", line_for_id(lines, d.get("id"))),
                           ("conntrack -L -o extended,id,ktimestamp",
                            line_for_id(kt_lines, d.get("id")))], extra)
            written.append(name)
        for m, d in ct_msgs:
            if d.get("id") not in used:
                print("unclaimed entry:", d, line_for_id(lines, d.get("id")))

        multi = [dg for dg in datagrams if sum(1 for _ in iter_nlmsgs(dg)) > 1]
        if multi:
            dg = multi[0]
            inner = [decode_ct(m) for m, typ, fl in iter_nlmsgs(dg)
                     if typ >> 8 == NFNL_SUBSYS_CTNETLINK]
            others = [typ for m, typ, fl in iter_nlmsgs(dg) if typ >> 8 != NFNL_SUBSYS_CTNETLINK]
            extra = [f"datagram {datagrams.index(dg) + 1} of {len(datagrams)} of the dump reply, "
                     f"{len(inner)} ctnetlink messages"
                     + (f" + non-ctnetlink types {others}" if others else "")]
            for i, d in enumerate(inner):
                extra.append(f"  message {i}: {describe_msg(d)} id={d.get('id')} "
                             f"proto={d.get('proto')} {d.get('src')} -> {d.get('dst')} "
                             f"dport={d.get('dport')}")
            write_fixture(out, "dump_datagram", dg,
                          "one recv() of the AF_UNSPEC ctnetlink dump holding several messages",
                          [("conntrack -L -o extended,id", l) for l in lines], extra)
            written.append("dump_datagram")
        done_dg = [dg for dg in datagrams if any(t == NLMSG_DONE for _, t, _ in iter_nlmsgs(dg))]
        if done_dg:
            m = [m for m, t, _ in iter_nlmsgs(done_dg[-1]) if t == NLMSG_DONE][0]
            write_fixture(out, "dump_done", m,
                          "the NLMSG_DONE message that ends the dump (payload: int error 0)",
                          [], [f"datagram held {sum(1 for _ in iter_nlmsgs(done_dg[-1]))} message(s)"])
            written.append("dump_done")

        # ---------------- events
        ev = helper_popen(ns_rtr, "events", "20")
        procs.append(ev)
        if readline_timeout(ev, 10).strip() != "ready":
            raise RuntimeError("events helper failed: " + ev.stderr.read())
        ce = subprocess.Popen(["ip", "netns", "exec", ns_rtr, "conntrack", "-E", "-o", "extended,id"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(ce)
        time.sleep(0.3)
        cli2 = helper_popen(ns_cli, "client", "event")
        procs.append(cli2)
        print("event flow:", readline_timeout(cli2, 30).strip())
        time.sleep(0.5)
        ev_lines_before = conntrack_lines(ns_rtr)
        nsexec(ns_rtr, "conntrack", "-D", "-p", "tcp", "--orig-port-dst", str(P_TCP_EVENT),
               check=False)
        time.sleep(0.5)
        stop_helper(ev)
        events = []
        for l in ev.stdout.read().splitlines():
            if l.startswith("{"):
                events.append(bytes.fromhex(json.loads(l)["hex"]))
        ce.send_signal(signal.SIGINT)
        try:
            ce_out, _ = ce.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            ce.kill()
            ce_out, _ = ce.communicate(timeout=5)
        ce_lines = [l for l in ce_out.splitlines() if f"dport={P_TCP_EVENT} " in l]
        print(f"events: {len(events)} datagrams; conntrack -E lines: {len(ce_lines)}")

        ev_msgs = []
        for dg in events:
            n = sum(1 for _ in iter_nlmsgs(dg))
            for m, typ, fl in iter_nlmsgs(dg):
                d = decode_ct(m)
                if d.get("proto") == 6 and d.get("dport") == P_TCP_EVENT:
                    ev_msgs.append((m, d, n))
        flow_ev = (f"IPv4 TCP {CLI_V4}:{SP_TCP_EVENT} -> {SRV_V4}:{P_TCP_EVENT}, no NAT; "
                   "events read on a socket bound to groups 1|2|4 (legacy mask), "
                   "entry removed with conntrack -D")
        upd_n = 0
        for m, d, n in ev_msgs:
            typ = d["nl_type"] & 0xFF
            state = d.get("tcp_state", "")
            if typ == IPCTNL_MSG_CT_DELETE:
                name, kind = "event_destroy_tcp", "DESTROY"
            elif d["nl_flags"] & 0x600:  # NLM_F_CREATE|NLM_F_EXCL => NEW group
                name, kind = "event_new_tcp", "NEW"
            else:
                upd_n += 1
                name, kind = f"event_update_tcp_{upd_n}_{state.lower()}", "UPDATE"
            ce_match = [l for l in ce_lines if l.lstrip().startswith(f"[{kind}]")]
            if kind == "UPDATE":
                ce_match = [l for l in ce_match if state in l] or ce_match
            lab = [("conntrack -L -o extended,id (before conntrack -D)",
                    line_for_id(ev_lines_before, d.get("id")))]
            lab += [("conntrack -E -o extended,id", l) for l in ce_match]
            extra = [describe_msg(d), f"event kind: {kind}; tcp state: {state or '-'}; "
                     f"CTA_ID: {d.get('id')}; messages in the recv() datagram: {n}"]
            if os.path.exists(os.path.join(out, name + ".bin")) and name in written:
                continue  # keep the first of a kind
            write_fixture(out, name, m, flow_ev + f" -- {kind} event", lab, extra)
            written.append(name)

        print("written:", " ".join(written))
    finally:
        for p in reversed(procs):
            stop_helper(p)
        for ns in created:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30)
        left = [l for l in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                          text=True).stdout.splitlines() if tag in l]
        if left:
            print("WARNING: namespaces left:", left, file=sys.stderr)


if __name__ == "__main__":
    main()
