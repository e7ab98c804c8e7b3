//! Logging in to a server that asks for passwords, and calls that carry
//! a session and its CSRF token, for the access tests.

use std::io::Write;
use std::process::{Command, Stdio};

use app::wire::access::SessionInfo;

use super::{Scratch, Server, PATIENCE};

/// Sets `user`'s password with `nfscope passwd`, as an operator would.
pub fn add_user(file: &str, user: &str, role: &str, password: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nfscope"))
        .args(["passwd", "--file", file, "--user", user, "--role", role])
        .stdin(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("running nfscope passwd");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{password}").unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success(), "nfscope passwd failed");
}

/// A state folder whose access file has an admin and a viewer.
pub fn users() -> Scratch {
    let state = Scratch::new("access");
    let file = format!("{}/access.toml", state.path());
    add_user(&file, "ada", "admin", "ada's password");
    add_user(&file, "vic", "viewer", "vic's password");
    state
}

pub const ADMIN: (&str, &str) = ("ada", "ada's password");
pub const VIEWER: (&str, &str) = ("vic", "vic's password");

/// A session: its cookie and its CSRF token.
#[derive(Clone, Debug)]
pub struct Login {
    pub cookie: String,
    pub csrf: String,
}

/// An answer: status, headers and body, whatever the status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub cookies: Vec<String>,
}

impl Reply {
    /// The message of an API error.
    pub fn error(&self) -> String {
        let json: serde_json::Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body));
        json["error"].as_str().unwrap_or_default().to_owned()
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// What a call carries besides its method and path.
#[derive(Clone, Copy, Debug, Default)]
pub struct With<'a> {
    pub login: Option<&'a Login>,
    pub csrf: bool,
    /// A JSON body, or a form when it starts with `form:`.
    pub body: Option<&'a str>,
    pub headers: &'a [(&'a str, &'a str)],
}

/// One request; redirects are not followed.
pub fn call(server: &Server, method: &str, path: &str, with: With) -> Reply {
    let agent = ureq::AgentBuilder::new()
        .redirects(0)
        .timeout(PATIENCE)
        .build();
    let mut request = agent.request(method, &format!("{}{path}", server.base));
    if let Some(login) = with.login {
        request = request.set("Cookie", &login.cookie);
        if with.csrf {
            request = request.set("X-CSRF-Token", &login.csrf);
        }
    }
    for (name, value) in with.headers {
        request = request.set(name, value);
    }
    let result = match with.body {
        Some(body) => match body.strip_prefix("form:") {
            Some(form) => request
                .set("Content-Type", "application/x-www-form-urlencoded")
                .send_string(form),
            None => request
                .set("Content-Type", "application/json")
                .send_string(body),
        },
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    Reply {
        status: response.status(),
        location: response.header("location").map(str::to_owned),
        cookies: response
            .all("set-cookie")
            .iter()
            .map(|c| c.to_string())
            .collect(),
        body: response.into_string().unwrap_or_default(),
    }
}

pub fn get(server: &Server, path: &str, login: Option<&Login>) -> Reply {
    call(
        server,
        "GET",
        path,
        With {
            login,
            ..With::default()
        },
    )
}

/// The `name=value` of cookie `name` among an answer's `Set-Cookie`s.
pub fn cookie_of(reply: &Reply, name: &str) -> Option<String> {
    reply
        .cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// Logs in through the login form, as a browser does.
pub fn login(server: &Server, (user, password): (&str, &str)) -> Login {
    let form =
        serde_urlencoded::to_string([("user", user), ("password", password)])
            .unwrap();
    let body = format!("form:{form}");
    let reply = call(
        server,
        "POST",
        "/login",
        With {
            body: Some(&body),
            ..With::default()
        },
    );
    assert_eq!(reply.status, 303, "login as {user}: {}", reply.body);
    let cookie =
        cookie_of(&reply, "nfscope_session").expect("a session cookie");
    let without_csrf = Login {
        cookie,
        csrf: String::new(),
    };
    let session: SessionInfo =
        get(server, "/api/session", Some(&without_csrf)).json();
    Login {
        csrf: session.csrf,
        ..without_csrf
    }
}

/// Starts a server that asks for passwords, and waits for its first dump
/// as `login`.
pub fn start(netns: &str, state: &Scratch, extra: &[&str]) -> (Server, Login) {
    let mut args = vec!["--state-dir", state.path()];
    args.extend_from_slice(extra);
    let server = Server::spawn(netns, &args, |_| {});
    let admin = login(&server, ADMIN);
    server.wait_for("the first dump", |s| {
        let status: app::wire::Health =
            get(s, "/api/status", Some(&admin)).json();
        status.synced
    });
    (server, admin)
}

/// Opens the WebSocket at `path` with `headers`; the refusal's status and
/// body otherwise.
pub fn websocket(
    server: &Server,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<(), (u16, String)> {
    use tungstenite::client::IntoClientRequest;
    let url = format!("{}{path}", server.base.replace("http://", "ws://"));
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        let name =
            tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
        request.headers_mut().insert(name, value.parse().unwrap());
    }
    let authority = server.base.trim_start_matches("http://");
    let socket = std::net::TcpStream::connect(authority).unwrap();
    socket.set_read_timeout(Some(PATIENCE)).unwrap();
    match tungstenite::client(request, socket) {
        Ok((mut ws, _)) => {
            let _ = ws.close(None);
            Ok(())
        }
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

/// Waits until `q` selects `n` flows, as `login`.
pub fn wait_for_flows(server: &Server, login: &Login, q: &str, n: usize) {
    let path = format!("/api/flows?q={}", urlencode(q));
    server.wait_for("the flows", |s| {
        let page: app::wire::FlowPage = get(s, &path, Some(login)).json();
        page.total == n
    });
}

pub fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)]).unwrap()[1..].to_owned()
}
