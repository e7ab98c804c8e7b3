//! Who may see and change what: every route of the router as nobody, a
//! viewer, an admin without and with the CSRF token, on a writable and a
//! read-only nfscope; share links; foreign hosts and origins; listens
//! that need a password; and a flood of wrong passwords.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use app::wire::access::{SessionInfo, Share};
use app::wire::history::FlowRecord;
use app::wire::{FlowKey, FlowPage};
use common::access::*;
use common::*;

/// Wrong passwords in a row a client may send before it waits.
const FREE_FAILURES: usize = 3;

/// Flows of the tests: `10.9.0.1:PORT → 10.9.0.2:53`.
const PORTS: [u16; 3] = [3001, 3002, 3003];

fn keys(server: &Server, login: &Login) -> Vec<FlowKey> {
    let page: FlowPage =
        get(server, "/api/flows?q=dport:53&sort=sport", Some(login)).json();
    page.flows.iter().map(|f| f.key).collect()
}

fn lab_with_flows() -> Lab {
    let lab = lab();
    for port in PORTS {
        insert_udp(&lab.router(), port, &[]);
    }
    lab
}

fn make_share(
    server: &Server,
    admin: &Login,
    key: &FlowKey,
    ttl: &str,
) -> Share {
    let body = format!(r#"{{"key": "{key}", "ttl": {ttl}}}"#);
    let reply = call(
        server,
        "POST",
        "/api/shares",
        With {
            login: Some(admin),
            csrf: true,
            body: Some(&body),
            ..With::default()
        },
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

/// One change: its route as the router names it, a request that an
/// admin may make, and what the admin then gets.
struct Change {
    method: &'static str,
    route: &'static str,
    path: String,
    body: Option<String>,
    ok: u16,
}

/// Every change route, with requests that change something real: the
/// table must name each route the router has.
fn changes(key: &FlowKey, shares: &[String; 2], csrf: &str) -> Vec<Change> {
    let form = |fields: &str| format!("form:{fields}&csrf={}", urlencode(csrf));
    let table = vec![
        Change {
            method: "DELETE",
            route: "/api/flows/{key}",
            path: format!("/api/flows/{key}"),
            body: None,
            ok: 200,
        },
        Change {
            method: "POST",
            route: "/api/flows/delete",
            path: "/api/flows/delete?q=dport%3A53".into(),
            body: None,
            ok: 200,
        },
        Change {
            method: "POST",
            route: "/api/settings",
            path: "/api/settings".into(),
            body: Some(r#"{"accounting": true}"#.into()),
            ok: 200,
        },
        Change {
            method: "POST",
            route: "/api/shares",
            path: "/api/shares".into(),
            body: Some(format!(r#"{{"key": "{key}", "ttl": "1h"}}"#)),
            ok: 201,
        },
        Change {
            method: "DELETE",
            route: "/api/shares/{id}",
            path: format!("/api/shares/{}", shares[0]),
            body: None,
            ok: 204,
        },
        Change {
            method: "POST",
            route: "/shares",
            path: "/shares".into(),
            body: Some(form(&format!("key={key}&ttl=1h"))),
            ok: 303,
        },
        Change {
            method: "POST",
            route: "/shares/{id}/revoke",
            path: format!("/shares/{}/revoke", shares[1]),
            body: Some(form("")),
            ok: 303,
        },
        Change {
            method: "POST",
            route: "/api/invalid/capture",
            path: "/api/invalid/capture".into(),
            body: Some(r#"{"on": false}"#.into()),
            ok: 200,
        },
        Change {
            method: "POST",
            route: "/findings/capture",
            path: "/findings/capture".into(),
            body: Some(form("on=0")),
            ok: 303,
        },
        // Outside a broken demo there is nothing to repair: a 404 for
        // an admin, and the same refusals as any change for the others.
        Change {
            method: "POST",
            route: "/api/demo/remedy",
            path: "/api/demo/remedy".into(),
            body: None,
            ok: 404,
        },
        Change {
            method: "POST",
            route: "/findings/remedy",
            path: "/findings/remedy".into(),
            body: Some(form("")),
            ok: 404,
        },
    ];
    let listed: BTreeSet<(String, String)> = table
        .iter()
        .map(|c| (c.method.to_owned(), c.route.to_owned()))
        .collect();
    let routed: BTreeSet<(String, String)> = nfscope::http::change_routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    assert_eq!(listed, routed, "a change route is missing from this table");
    table
}

/// Sends `change` as `login`, with the CSRF token or not (a form's
/// field is left out too).
fn send(
    server: &Server,
    change: &Change,
    login: Option<&Login>,
    csrf: bool,
) -> Reply {
    let body = change.body.as_deref().map(|b| match csrf {
        true => b.to_owned(),
        false => b.split("&csrf=").next().unwrap().to_owned(),
    });
    let with = With {
        login,
        csrf,
        body: body.as_deref(),
        ..With::default()
    };
    call(server, change.method, &change.path, with)
}

fn refused(reply: &Reply, status: u16, why: &str, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    assert!(
        reply.body.contains(why),
        "{what}: {:?} lacks {why:?}",
        reply.body
    );
}

#[test]
fn every_change_needs_an_admin_of_a_writable_nfscope_and_the_csrf_token() {
    let lab = lab_with_flows();
    let state = users();
    let (server, admin) = start(&lab.router(), &state, &[]);
    wait_for_flows(&server, &admin, "dport:53", PORTS.len());
    let viewer = login(&server, VIEWER);
    let key = keys(&server, &admin)[0];
    let shares =
        [0, 1].map(|_| make_share(&server, &admin, &key, "3600").link.id);
    let table = changes(&key, &shares, &admin.csrf);

    for change in &table {
        let what = format!("{} {}", change.method, change.path);
        refused(
            &send(&server, change, None, false),
            401,
            "log in first",
            &what,
        );
        refused(
            &send(&server, change, Some(&viewer), true),
            403,
            "vic is a viewer",
            &what,
        );
        refused(
            &send(&server, change, Some(&admin), false),
            403,
            "CSRF",
            &what,
        );
        let forged = Login {
            csrf: viewer.csrf.clone(),
            ..admin.clone()
        };
        refused(
            &send(&server, change, Some(&forged), true),
            403,
            "not this session",
            &what,
        );
    }
    assert_eq!(
        keys(&server, &admin).len(),
        PORTS.len(),
        "nothing was deleted"
    );
    for change in &table {
        let reply = send(&server, change, Some(&admin), true);
        let what = format!("{} {}", change.method, change.path);
        assert_eq!(reply.status, change.ok, "{what}: {}", reply.body);
    }
    server.wait_for("the deleted flow to end", |s| {
        !keys(s, &admin).contains(&key)
    });

    // Any other method on any path, known or not, is a change too.
    let paths = [
        "/api/flows",
        "/api/status",
        "/",
        "/rules",
        "/api/new",
        "/metrics",
    ];
    for path in paths
        .iter()
        .copied()
        .chain(table.iter().map(|c| c.path.as_str()))
    {
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            let with = With {
                login: Some(&viewer),
                csrf: true,
                ..With::default()
            };
            let reply = call(&server, method, path, with);
            assert_eq!(
                reply.status, 403,
                "{method} {path} as a viewer: {}",
                reply.body
            );
        }
    }
}

#[test]
fn read_only_refuses_every_change_whoever_asks() {
    let lab = lab_with_flows();
    let state = users();
    let (server, admin) = start(&lab.router(), &state, &["--read-only"]);
    wait_for_flows(&server, &admin, "dport:53", PORTS.len());
    let key = keys(&server, &admin)[0];
    let ids = ["a".to_owned(), "b".to_owned()];
    for change in changes(&key, &ids, &admin.csrf) {
        let what = format!("{} {}", change.method, change.path);
        refused(
            &send(&server, &change, Some(&admin), true),
            403,
            "read-only",
            &what,
        );
    }
    let session: SessionInfo =
        get(&server, "/api/session", Some(&admin)).json();
    assert!(session.read_only);
    // Logging out is no change to the system.
    let form = format!("form:csrf={}", urlencode(&admin.csrf));
    let with = With {
        login: Some(&admin),
        body: Some(&form),
        ..With::default()
    };
    assert_eq!(call(&server, "POST", "/logout", with).status, 303);
    refused(
        &get(&server, "/api/status", Some(&admin)),
        401,
        "logged out",
        "after logout",
    );
    drop(server);

    for args in [&["--no-auth", "--read-only"][..], &["--kiosk"]] {
        let open = Server::start(&lab.router(), args);
        let session: SessionInfo =
            serde_json::from_str(&open.get("/api/session").unwrap()).unwrap();
        assert!(session.read_only, "{args:?}");
        let anyone = Login {
            cookie: String::new(),
            csrf: session.csrf,
        };
        for change in changes(&key, &ids, &anyone.csrf) {
            let what =
                format!("{} {} with {args:?}", change.method, change.path);
            refused(
                &send(&open, &change, Some(&anyone), true),
                403,
                "read-only",
                &what,
            );
        }
        assert_eq!(open.flows("q=dport:53").total, PORTS.len());
    }
}

#[test]
fn the_kiosk_opens_at_the_root_with_kiosk() {
    let lab = lab_with_flows();
    let kiosk = Server::start(&lab.router(), &["--kiosk"]);
    assert_eq!(get(&kiosk, "/", None).status, 303);
    assert!(kiosk.get("/kiosk").unwrap().contains("data-kiosk"));
}

#[test]
fn every_read_needs_a_login_and_the_share_list_an_admin() {
    let lab = lab_with_flows();
    let state = users();
    let (server, admin) = start(&lab.router(), &state, &[]);
    wait_for_flows(&server, &admin, "dport:53", PORTS.len());
    let viewer = login(&server, VIEWER);
    let key = keys(&server, &admin)[0];
    let api = [
        "/api/flows".to_owned(),
        format!("/api/flows/{key}"),
        "/api/status".into(),
        "/api/history".into(),
        "/api/kiosk".into(),
        "/api/flows?from=-1h".into(),
        "/api/session".into(),
        "/metrics".into(),
    ];
    let pages = [
        "/".to_owned(),
        "/rules".into(),
        format!("/flow/{key}"),
        "/kiosk".into(),
        "/?from=-1h".into(),
    ];
    for path in &api {
        refused(&get(&server, path, None), 401, "log in first", path);
        assert_eq!(get(&server, path, Some(&viewer)).status, 200, "{path}");
    }
    // The ruleset answers 503 until it is first read.
    let ruleset = get(&server, "/api/ruleset", Some(&viewer)).status;
    assert!(ruleset == 200 || ruleset == 503, "{ruleset}");
    for path in &pages {
        let reply = get(&server, path, None);
        assert_eq!(reply.status, 303, "{path}");
        let back = format!("/login?next={}", urlencode(path));
        assert_eq!(reply.location.as_deref(), Some(back.as_str()), "{path}");
        let page = get(&server, path, Some(&viewer));
        assert_eq!(page.status, 200, "{path}");
        // The header's link to the account (and its logout) shows; the
        // kiosk has no header.
        let header = path != "/kiosk";
        assert_eq!(page.body.contains("data-session="), header, "{path}");
    }
    for path in ["/api/shares", "/shares"] {
        refused(&get(&server, path, Some(&viewer)), 403, "only admins", path);
        assert_eq!(get(&server, path, Some(&admin)).status, 200, "{path}");
    }
    for path in ["/login", "/pkg/nfscope.css"] {
        let status = get(&server, path, None).status;
        assert!(status == 200 || status == 404, "{path}: {status}");
    }
    let cookie = [("Cookie", viewer.cookie.as_str())];
    for path in ["/api/ws?q=", "/api/ws/status", "/api/ws/ruleset"] {
        assert_eq!(websocket(&server, path, &[]).unwrap_err().0, 401, "{path}");
        assert!(websocket(&server, path, &cookie).is_ok(), "{path}");
    }
    // A scraper of /metrics sends the Basic credentials of a user.
    let scrape = |(user, password): (&str, &str)| {
        use base64::Engine;
        let pair = format!("{user}:{password}");
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        );
        let headers = [("Authorization", basic.as_str())];
        let with = With {
            headers: &headers,
            ..With::default()
        };
        call(&server, "GET", "/metrics", with)
    };
    let wrong = (VIEWER.0, "not vic's password");
    refused(
        &scrape(wrong),
        401,
        "wrong user or password",
        "a wrong scrape",
    );
    let scraped = scrape(VIEWER);
    assert_eq!(scraped.status, 200, "{}", scraped.body);
    assert!(scraped.body.contains("nfscope_history_lost_total"));
    let stale = [("Cookie", "nfscope_session=eyJwIjoic2Vzc2lvbiJ9.AAAA")];
    let with = With {
        headers: &stale,
        ..With::default()
    };
    refused(
        &call(&server, "GET", "/api/status", with),
        401,
        "log in again",
        "a forged cookie",
    );
}

#[test]
fn share_links_open_their_flow_only_until_they_expire_or_are_revoked() {
    let lab = lab_with_flows();
    let state = users();
    let (server, admin) = start(&lab.router(), &state, &[]);
    wait_for_flows(&server, &admin, "dport:53", PORTS.len());
    let [a, b, c] = keys(&server, &admin)[..] else {
        panic!("three flows")
    };
    let share = make_share(&server, &admin, &a, "\"1h\"");
    let token = share.page.split("share=").nth(1).unwrap().to_owned();

    let record: FlowRecord = get(&server, &share.api, None).json();
    assert_eq!(record.flow.key, a);
    let page = get(&server, &share.page, None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&a.to_string()));
    assert!(!page.body.contains(&b.to_string()));
    // No account to show: the header's account link stays hidden.
    assert!(!page.body.contains("data-session="));
    let cookie =
        cookie_of(&page, "nfscope_share").expect("the stream's cookie");
    assert!(
        page.cookies[0].contains("Path=/api/ws; "),
        "{:?}",
        page.cookies
    );
    assert!(page.cookies[0].contains("HttpOnly; SameSite=Strict"));

    let other_routes = [
        format!("/api/flows/{b}"),
        format!("/flow/{b}"),
        "/api/flows".into(),
        "/api/status".into(),
        "/api/shares".into(),
        "/api/kiosk".into(),
        "/".into(),
        "/rules".into(),
        "/kiosk".into(),
    ];
    for path in &other_routes {
        let reply = get(&server, &format!("{path}?share={token}"), None);
        refused(&reply, 403, "opens one flow only", path);
    }
    let change = call(&server, "DELETE", &share.api, With::default());
    refused(
        &change,
        403,
        "opens one flow only",
        "DELETE with a share link",
    );

    // The flow page's own stream, by the cookie; nothing else.
    let with_cookie = [("Cookie", cookie.as_str())];
    let own = format!("/api/ws?q=key%3A{a}&offset=0&limit=0&open={a}");
    assert!(websocket(&server, &own, &with_cookie).is_ok());
    for path in [
        format!("/api/ws?q=key%3A{b}&offset=0&limit=0&open={b}"),
        "/api/ws?q=".into(),
        "/api/ws/status".into(),
    ] {
        assert_eq!(
            websocket(&server, &path, &with_cookie).unwrap_err().0,
            401,
            "{path}"
        );
    }

    // Tampered: another flow's key in the claims, under the old tag.
    let (body, tag) = token.split_once('.').unwrap();
    let claims = String::from_utf8(base64_url(body))
        .unwrap()
        .replace(&a.to_string(), &b.to_string());
    let forged = format!("{}.{tag}", base64_url_encode(claims.as_bytes()));
    for (bad, why) in [(forged.as_str(), "signature"), ("garbage", "malformed")]
    {
        let reply = get(&server, &format!("/api/flows/{b}?share={bad}"), None);
        refused(&reply, 403, why, bad);
    }

    let short = make_share(&server, &admin, &c, "1");
    std::thread::sleep(Duration::from_millis(1500));
    refused(
        &get(&server, &short.api, None),
        403,
        "expired",
        "a link of one second",
    );

    let kept = make_share(&server, &admin, &b, "\"1d\"");
    let revoke = With {
        login: Some(&admin),
        csrf: true,
        ..With::default()
    };
    let path = format!("/api/shares/{}", share.link.id);
    assert_eq!(call(&server, "DELETE", &path, revoke).status, 204);
    refused(
        &get(&server, &share.api, None),
        403,
        "revoked",
        "a revoked link",
    );

    // Revocations and links survive a restart.
    server.stop();
    let (server, _) = start(&lab.router(), &state, &[]);
    refused(
        &get(&server, &share.api, None),
        403,
        "revoked",
        "after a restart",
    );
    let record: FlowRecord = get(&server, &kept.api, None).json();
    assert_eq!(record.flow.key, b);
}

fn base64_url(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .unwrap()
}

fn base64_url_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn foreign_hosts_and_origins_are_refused_with_passwords_too() {
    let lab = lab_with_flows();
    let state = users();
    let (server, admin) = start(&lab.router(), &state, &[]);
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let evil_host = format!("evil.example:{port}");
    let host = [("Host", evil_host.as_str())];
    let with = With {
        login: Some(&admin),
        headers: &host,
        ..With::default()
    };
    refused(
        &call(&server, "GET", "/api/status", with),
        403,
        "not allowed",
        "foreign Host",
    );

    let origin = [("Origin", "http://evil.example")];
    let with = With {
        login: Some(&admin),
        csrf: true,
        headers: &origin,
        ..With::default()
    };
    let change = call(&server, "POST", "/api/flows/delete?q=", with);
    refused(&change, 403, "origin", "a change from another site");
    let form = "form:user=ada&password=x";
    let with = With {
        headers: &origin,
        body: Some(form),
        ..With::default()
    };
    refused(
        &call(&server, "POST", "/login", with),
        403,
        "origin",
        "a login from another site",
    );

    let cookie = [
        ("Cookie", admin.cookie.as_str()),
        ("Origin", "http://evil.example"),
    ];
    let (status, body) = websocket(&server, "/api/ws?q=", &cookie).unwrap_err();
    assert_eq!(status, 403, "{body}");
    let own = format!("http://127.0.0.1:{port}");
    let cookie = [("Cookie", admin.cookie.as_str()), ("Origin", own.as_str())];
    assert!(websocket(&server, "/api/ws?q=", &cookie).is_ok());
}

/// The first line nfscope writes to stderr when it refuses to start, or
/// `None` when it starts.
fn refusal(args: &[&str]) -> Option<String> {
    let state = Scratch::new("listen");
    let lab = lab();
    let mut child = Command::new(env!("CARGO_BIN_EXE_nfscope"))
        .args([
            "serve",
            "--netns",
            &lab.router(),
            "--state-dir",
            state.path(),
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let end = Instant::now() + Duration::from_secs(3);
    while Instant::now() < end {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return Some(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn a_public_listen_needs_a_password_or_no_auth_and_read_only() {
    let any = ["--listen", "0.0.0.0:0"];
    let why = refusal(&any).expect("no password on 0.0.0.0");
    assert!(why.contains("needs a password"), "{why}");
    assert!(why.contains("nfscope passwd --file"), "{why}");
    let why =
        refusal(&[&any[..], &["--no-auth"]].concat()).expect("no-auth alone");
    assert!(why.contains("needs --read-only"), "{why}");
    assert_eq!(
        refusal(&[&any[..], &["--no-auth", "--read-only"]].concat()),
        None
    );
    assert_eq!(refusal(&["--listen", "127.0.0.1:0"]), None);
    let state = users();
    let file = format!("{}/access.toml", state.path());
    assert_eq!(
        refusal(&[&any[..], &["--access-file", &file]].concat()),
        None
    );
}

#[test]
fn a_flood_of_wrong_passwords_is_turned_away_per_client() {
    let lab = lab();
    let state = users();
    let (server, admin) =
        start(&lab.router(), &state, &["--trusted-proxy", "127.0.0.1"]);
    let login_from = |client: &str, password: &str| {
        let form = format!("form:user=ada&password={}", urlencode(password));
        let xff = [("X-Forwarded-For", client)];
        call(
            &server,
            "POST",
            "/login",
            With {
                body: Some(&form),
                headers: &xff,
                ..With::default()
            },
        )
    };
    let started = Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let tries: Vec<_> = (0..40)
            .map(|_| scope.spawn(|| login_from("203.0.113.5", "wrong").status))
            .collect();
        let status_during: Vec<_> = (0..5)
            .map(|_| {
                let at = Instant::now();
                let ok =
                    get(&server, "/api/status", Some(&admin)).status == 200;
                (ok, at.elapsed())
            })
            .collect();
        for (ok, took) in status_during {
            assert!(
                ok && took < Duration::from_secs(1),
                "status took {took:?}"
            );
        }
        tries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let wrong = statuses.iter().filter(|s| **s == 401).count();
    let turned_away =
        statuses.iter().filter(|s| **s == 429 || **s == 503).count();
    assert_eq!(wrong + turned_away, statuses.len(), "{statuses:?}");
    assert!(turned_away >= 30, "{statuses:?}");
    // Wrong passwords one after the other: then the client waits.
    let throttled = (0..=FREE_FAILURES)
        .any(|_| login_from("203.0.113.5", "wrong").status == 429);
    assert!(throttled, "no wait after {FREE_FAILURES} wrong passwords");
    let late = login_from("203.0.113.5", ADMIN.1);
    refused(
        &late,
        429,
        "try again in",
        "the flooding client, right password",
    );
    assert_eq!(
        login_from("203.0.113.6", ADMIN.1).status,
        303,
        "another client"
    );
}
