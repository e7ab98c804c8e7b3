//! The "hostile clients" findings of a probe of the running server: other
//! sites' pages and rebound DNS names, missing security headers, clients
//! that never read, window moves and filters that stall the server, idle
//! connections that take every file descriptor, and small answers in the
//! wrong shape. Each test plays the attack against the real server.

mod common;

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::*;
use nfscope::http::{MAX_FILTER_VALUES, MAX_PAGE_LIMIT, SEND_TIMEOUT};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderName;
use tungstenite::{Message, WebSocket};

/// The attacks load the machine: one test of this file at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// An HTTP answer read off the socket as it came.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The message of an API error; fails unless the body is one.
    fn error(&self) -> String {
        let json: serde_json::Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body));
        json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {}", self.body))
            .to_owned()
    }
}

fn authority(server: &Server) -> &str {
    server.base.trim_start_matches("http://")
}

/// Sends the request line and `headers` (`Host` among them, or not) on a
/// new connection and reads the whole answer.
fn raw(server: &Server, line: &str, headers: &[&str]) -> Answer {
    let mut socket = TcpStream::connect(authority(server)).unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut request = format!("{line} HTTP/1.1\r\n");
    for h in headers {
        request.push_str(&format!("{h}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    socket.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let mut answer = Answer {
        status: status.parse().unwrap(),
        headers,
        body: body.to_owned(),
    };
    if answer.header("transfer-encoding") == Some("chunked") {
        answer.body = dechunk(body);
    }
    answer
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// `GET path` naming the server as a browser would.
fn get(server: &Server, path: &str) -> Answer {
    let host = format!("Host: {}", authority(server));
    raw(server, &format!("GET {path}"), &[&host])
}

type Socket = WebSocket<TcpStream>;

/// Opens `/api/ws?query` with `headers`; the refusal's status and body
/// otherwise.
fn stream(
    server: &Server,
    query: &str,
    headers: &[(&str, &str)],
) -> Result<Socket, (u16, String)> {
    let url =
        format!("{}/api/ws?{query}", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    let socket = TcpStream::connect(authority(server)).unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    match tungstenite::client(request, socket) {
        Ok((ws, _)) => Ok(ws),
        Err(tungstenite::HandshakeError::Failure(
            tungstenite::Error::Http(response),
        )) => {
            let body = response.body().clone().unwrap_or_default();
            Err((
                response.status().as_u16(),
                String::from_utf8_lossy(&body).into_owned(),
            ))
        }
        Err(e) => panic!("WebSocket handshake: {e}"),
    }
}

/// `n` one-packet UDP flows from the lab's client to its router.
fn flood(lab: &Lab, n: u16) {
    in_netns(&lab.client(), move || {
        let socket = UdpSocket::bind((ADDRS.client, 0)).unwrap();
        for port in 1..=n {
            let _ = socket.send_to(b"x", (ADDRS.router_in, 10_000 + port));
        }
    });
}

fn error_of(body: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"));
    json["error"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn only_allowed_hosts_and_origins_are_answered() {
    let _one = one_at_a_time();
    let lab = lab();
    let server = Server::start(&lab.router(), &["--allow-host", "nas.example"]);
    let port = authority(&server).rsplit(':').next().unwrap().to_owned();

    // DNS rebinding: the attacker's name, now resolving to 127.0.0.1.
    let evil = format!("Host: evil.example:{port}");
    for path in ["/api/flows", "/api/status", "/", "/pkg/nfscope.css"] {
        let answer = raw(&server, &format!("GET {path}"), &[&evil]);
        assert_eq!(answer.status, 403, "{path}");
        let error = answer.error();
        assert!(
            error.contains(&format!("\"evil.example:{port}\"")),
            "{error}"
        );
        assert!(
            error.contains(&format!("--allow-host evil.example:{port}")),
            "{error}"
        );
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "nas.example".to_owned(),
        "nas.example:8443".to_owned(),
    ] {
        let answer =
            raw(&server, "GET /api/status", &[&format!("Host: {host}")]);
        assert_eq!(answer.status, 200, "{host}");
    }
    let missing = raw(&server, "GET /api/status", &[]);
    assert_eq!(missing.status, 400);
    assert!(missing.error().contains("no Host header"));
    let garbled = raw(&server, "GET /api/status", &["Host: a b"]);
    assert_eq!(garbled.status, 400);
    assert!(garbled.error().contains("\"a b\""));

    // Another site's page opening the stream.
    let (status, body) =
        stream(&server, "q=", &[("Origin", "http://evil.example")])
            .expect_err("a foreign origin is refused");
    assert_eq!(status, 403);
    let error = error_of(&body);
    assert!(error.contains("\"http://evil.example\""), "{error}");
    assert!(error.contains("--allow-host evil.example:80"), "{error}");
    let own = format!("http://localhost:{port}");
    assert!(stream(&server, "q=", &[("Origin", &own)]).is_ok());
    assert!(stream(&server, "q=", &[("Origin", "https://nas.example")]).is_ok());
    // Programs that are not browsers send no Origin.
    assert!(stream(&server, "q=", &[]).is_ok());
}

#[test]
fn every_answer_carries_the_security_headers() {
    let _one = one_at_a_time();
    let lab = lab();
    let server = Server::start(&lab.router(), &[]);

    let page = get(&server, "/");
    assert_eq!(page.status, 200);
    let policy = page.header("content-security-policy").expect("a CSP");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in {policy}"));
    let script = policy
        .split("; ")
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    // Beside the nonce, only the app's bundle, for its preload link.
    let bundle = format!("{}/pkg/nfscope.js", authority(&server));
    assert_eq!(
        script,
        format!("script-src 'nonce-{nonce}' 'wasm-unsafe-eval' {bundle}")
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains(&format!("ws://{}", authority(&server))));
    // Every script of the page carries it: the theme's, the hydration's.
    let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
    assert!(scripts.len() >= 2, "{}", page.body);
    for s in &scripts {
        let tag = s.split('>').next().unwrap();
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "<script{tag}>");
    }
    let again = get(&server, "/");
    let other = again.header("content-security-policy").unwrap();
    assert!(!other.contains(nonce), "a nonce serves one answer only");

    let evil = raw(&server, "GET /api/status", &["Host: evil.example"]);
    let answers = [
        page,
        get(&server, "/api/status"),
        get(&server, "/api/nope"),
        get(&server, "/pkg/nfscope.css"),
        get(&server, "/no/such/page"),
        evil,
    ];
    for answer in &answers {
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("referrer-policy"), Some("same-origin"));
        let csp = answer.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
    let json = answers[1].header("content-security-policy").unwrap();
    assert!(json.starts_with("default-src 'none'"), "{json}");
}

#[test]
fn a_client_holds_bounded_resources() {
    let _one = one_at_a_time();
    let lab = lab();
    let server = Server::start(&lab.router(), &["--max-websockets", "2"]);

    let over =
        get(&server, &format!("/api/flows?limit={}", MAX_PAGE_LIMIT + 1));
    assert_eq!(over.status, 400);
    let error = over.error();
    assert!(error.contains(&MAX_PAGE_LIMIT.to_string()), "{error}");
    assert!(error.contains("offset"), "{error}");
    assert_eq!(
        get(&server, &format!("/api/flows?limit={MAX_PAGE_LIMIT}")).status,
        200
    );

    // Tens of megabytes in a snapshot: more than the sockets buffer.
    const FLOWS: u16 = 30_000;
    flood(&lab, FLOWS);
    server.wait_for("the flood", |s| s.status().entries >= usize::from(FLOWS));

    // A delta client that never reads.
    let stalled = stream(&server, "q=", &[]).unwrap();
    shrink_receive_buffer(stalled.get_ref());
    let _window = stream(&server, "q=&limit=10", &[]).unwrap();
    let (status, body) = stream(&server, "q=", &[]).expect_err("full");
    assert_eq!(status, 503);
    let error = error_of(&body);
    assert!(error.contains("all 2 are open"), "{error}");
    assert!(error.contains("--max-websockets"), "{error}");

    // Once a send has waited SEND_TIMEOUT, the stalled stream is dropped
    // and its place is free.
    let began = Instant::now();
    let end = began + SEND_TIMEOUT + PATIENCE;
    loop {
        assert!(Instant::now() < end, "the stalled stream was kept");
        if stream(&server, "q=&limit=10", &[]).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    eprintln!("stalled stream dropped after {:?}", began.elapsed());
    drop(stalled);
}

fn shrink_receive_buffer(socket: &TcpStream) {
    let size: libc::c_int = 4096;
    // SAFETY: a valid socket and an int-sized option value.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&size as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "SO_RCVBUF");
}

/// Runs `attack` on `threads` threads for `duration` while timing
/// `/api/status`; the slowest answer.
fn slowest_status_during(
    server: &Server,
    threads: usize,
    duration: Duration,
    attack: impl Fn(&AtomicBool, &AtomicUsize) + Send + Sync + 'static,
) -> Duration {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let attack = Arc::new(attack);
    let attackers: Vec<_> = (0..threads)
        .map(|_| {
            let (stop, done, attack) =
                (Arc::clone(&stop), Arc::clone(&done), Arc::clone(&attack));
            std::thread::spawn(move || attack(&stop, &done))
        })
        .collect();
    // Let the attack get going before timing.
    std::thread::sleep(Duration::from_millis(300));
    let end = Instant::now() + duration;
    let mut slowest = Duration::ZERO;
    let mut calls = 0;
    while Instant::now() < end {
        let began = Instant::now();
        server.status();
        slowest = slowest.max(began.elapsed());
        calls += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        a.join().expect("attacker panicked");
    }
    let attacks = done.load(Ordering::Relaxed);
    eprintln!("{calls} status calls, slowest {slowest:?}; {attacks} attacks");
    assert!(attacks > 0, "the attack did not run");
    slowest
}

#[test]
fn status_answers_under_window_and_filter_attacks() {
    let _one = one_at_a_time();
    let lab = lab();
    let server = Server::start(&lab.router(), &[]);
    const FLOWS: u16 = 30_000;
    flood(&lab, FLOWS);
    server.wait_for("the flood", |s| s.status().entries >= usize::from(FLOWS));
    let bound = Duration::from_millis(500);
    let attack_for = Duration::from_secs(3);

    // The probe's filter: 6,000 addresses.
    // Short addresses, so that 6,000 fit in a URL.
    let hosts = |n: usize| -> String {
        let list: Vec<String> = (0..n)
            .map(|i| format!("{}.{}.0.1", i / 100 + 1, i % 100))
            .collect();
        format!("host:{}", list.join(","))
    };
    let probe = get(&server, &format!("/api/flows?q={}", hosts(6000)));
    assert_eq!(probe.status, 400);
    let error = probe.error();
    assert!(error.contains(&MAX_FILTER_VALUES.to_string()), "{error}");

    // Two pages moving their windows as fast as they can.
    let url = server.base.clone();
    let slowest =
        slowest_status_during(&server, 2, attack_for, move |stop, done| {
            let ws_url = format!(
                "{}/api/ws?q=&sort=-sport&offset=0&limit=50",
                url.replace("http://", "ws://")
            );
            let (mut ws, _) = tungstenite::connect(ws_url).unwrap();
            if let tungstenite::stream::MaybeTlsStream::Plain(s) = ws.get_ref()
            {
                s.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
            }
            let mut offset = 0;
            while !stop.load(Ordering::Relaxed) {
                offset = (offset + 37) % 20_000;
                let window = format!(r#"{{"offset": {offset}, "limit": 50}}"#);
                ws.send(Message::text(window)).unwrap();
                done.fetch_add(1, Ordering::Relaxed);
                // Take what came, so the server's sends never wait.
                while ws.read().is_ok() {}
            }
        });
    assert!(
        slowest < bound,
        "status took {slowest:?} under window moves"
    );

    // Four clients asking for the heaviest filter allowed, in a loop.
    let path = format!("/api/flows?limit=50&q={}", hosts(MAX_FILTER_VALUES));
    let base = server.base.clone();
    let slowest =
        slowest_status_during(&server, 4, attack_for, move |stop, done| {
            while !stop.load(Ordering::Relaxed) {
                let answer = ureq::get(&format!("{base}{path}")).call();
                assert!(answer.is_ok(), "{answer:?}");
                done.fetch_add(1, Ordering::Relaxed);
            }
        });
    assert!(
        slowest < bound,
        "status took {slowest:?} under heavy filters"
    );
}

#[test]
fn idle_connections_do_not_starve_status_or_dumps() {
    let _one = one_at_a_time();
    let lab = lab();
    const NOFILE: libc::rlim_t = 256;
    // The dump that must still run is the one that refreshes counters.
    let refresh = ["--ct-refresh", "1"];
    let server = Server::start_with(&lab.router(), &refresh, |command| {
        // SAFETY: setrlimit is async-signal-safe; nothing else runs here.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: NOFILE,
                    rlim_max: NOFILE,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    });

    // More idle connections than the server has descriptors, opened again
    // and again so that they never time out.
    let stop = Arc::new(AtomicBool::new(false));
    let addr = authority(&server).to_owned();
    let opened = Arc::new(AtomicUsize::new(0));
    let flooder = {
        let (stop, opened) = (Arc::clone(&stop), Arc::clone(&opened));
        std::thread::spawn(move || {
            let end = Instant::now() + 3 * PATIENCE;
            while !stop.load(Ordering::Relaxed) && Instant::now() < end {
                let batch: Vec<TcpStream> = (0..NOFILE + 50)
                    .filter_map(|_| {
                        let addr = addr.parse().unwrap();
                        let timeout = Duration::from_millis(500);
                        TcpStream::connect_timeout(&addr, timeout).ok()
                    })
                    .collect();
                opened.fetch_add(batch.len(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_secs(2));
                drop(batch);
            }
        })
    };
    let end = Instant::now() + PATIENCE;
    while opened.load(Ordering::Relaxed) < NOFILE as usize {
        assert!(Instant::now() < end, "the idle connections did not open");
        std::thread::sleep(Duration::from_millis(20));
    }

    let began = Instant::now();
    let status = server.status();
    let took = began.elapsed();
    assert!(took < Duration::from_secs(2), "status took {took:?}");
    assert!(status.synced);

    // A flow made now, whose counters only a dump can bring: events carry
    // none, so a dump must open its socket and complete meanwhile.
    const PACKETS: u64 = 5;
    in_netns(&lab.client(), || {
        let socket = UdpSocket::bind((ADDRS.client, 0)).unwrap();
        for _ in 0..PACKETS {
            socket.send_to(b"x", (ADDRS.router_in, 9999)).unwrap();
        }
    });
    server.wait_for("the new flow's counters from a dump", |s| {
        s.flows("q=dport:9999")
            .flows
            .iter()
            .any(|f| f.counters.is_some_and(|c| c.orig.packets >= PACKETS))
    });
    let conntrack = server.status().collectors["conntrack"].clone();
    assert!(conntrack.error.is_none(), "{:?}", conntrack.error);
    eprintln!("{} idle connections opened", opened.load(Ordering::Relaxed));
    stop.store(true, Ordering::Relaxed);
    flooder.join().unwrap();
}

#[test]
fn small_answers_have_the_right_shape() {
    let _one = one_at_a_time();
    let lab = lab();
    let server = Server::start(&lab.router(), &[]);

    let long = get(&server, &format!("/pkg/{}", "a".repeat(256)));
    assert_eq!(long.status, 404);
    let through_a_file = get(&server, "/pkg/nfscope.css/x");
    assert_eq!(through_a_file.status, 404);

    // HEAD tells the length GET sends, or none.
    let host = format!("Host: {}", authority(&server));
    for path in ["/", "/api/status", "/pkg/nfscope.css"] {
        let head = raw(&server, &format!("HEAD {path}"), &[&host]);
        assert_eq!(head.status, 200, "{path}");
        if let Some(length) = head.header("content-length") {
            let body = get(&server, path).body;
            // Pages and the status change between two calls; not by much.
            let length: usize = length.parse().unwrap();
            assert!(length > 0, "HEAD {path}: content-length 0");
            assert!(length.abs_diff(body.len()) < 64, "HEAD {path}: {length}");
        }
    }

    // The API's rejections are JSON, whatever rejected them.
    let ws_headers = [
        "Connection: Upgrade",
        "Upgrade: websocket",
        "Sec-WebSocket-Version: 13",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut all = vec![host.clone()];
        all.extend(ws_headers.iter().map(|h| h.to_string()));
        all.extend(extra.iter().map(|h| h.to_string()));
        all
    };
    let refs = |v: &[String]| -> Vec<String> { v.to_vec() };
    // A change carries the token: then the router tells the method.
    let session: app::wire::access::SessionInfo =
        serde_json::from_str(&get(&server, "/api/session").body).unwrap();
    let csrf = format!("X-CSRF-Token: {}", session.csrf);
    let cases: Vec<(&str, Vec<String>, u16, &str)> = vec![
        ("GET /api/flows/%FF", vec![host.clone()], 400, ""),
        ("GET /api/flows?q=a&q=b", vec![host.clone()], 400, "q"),
        (
            "GET /api/ws?q=&q=",
            refs(&with(&["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="])),
            400,
            "q",
        ),
        ("GET /api/ws", vec![host.clone()], 400, ""),
        (
            "GET /api/ws",
            refs(&with(&["Sec-WebSocket-Key: not-a-key"])),
            400,
            "not-a-key",
        ),
        (
            "POST /api/status",
            vec![host.clone(), "Content-Length: 0".into(), csrf],
            405,
            "",
        ),
    ];
    for (line, headers, status, mentions) in cases {
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let answer = raw(&server, line, &headers);
        assert_eq!(answer.status, status, "{line}: {}", answer.body);
        let error = answer.error();
        assert!(
            !error.is_empty() && error.contains(mentions),
            "{line}: {error}"
        );
    }
    // A good key still opens the stream.
    let good = with(&["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]);
    let good: Vec<&str> = good.iter().map(String::as_str).collect();
    let mut socket = TcpStream::connect(authority(&server)).unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut request = String::from("GET /api/ws?q= HTTP/1.1\r\n");
    for h in good {
        request.push_str(&format!("{h}\r\n"));
    }
    request.push_str("\r\n");
    socket.write_all(request.as_bytes()).unwrap();
    let mut first = [0u8; 12];
    socket.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 101");
}
