//! Traffic for the lab: small servers in the server
//! namespace, a client that opens a few connections a second. Each runs
//! on its own thread that has entered its namespace; the rate is fixed and
//! every socket has a timeout, so the load stays small and bounded.

use std::io::{Read, Write};
use std::net::{
    Ipv4Addr, SocketAddr, SocketAddrV4, SocketAddrV6, TcpListener, TcpStream,
    UdpSocket,
};
use std::thread;
use std::time::Duration;

use anyhow::Context;

use super::lab::{Lab, ADDRS};
use crate::netns;

/// Pause between client rounds; one round opens four flows.
const ROUND: Duration = Duration::from_millis(700);
const IO_TIMEOUT: Duration = Duration::from_secs(2);
/// Every this many rounds, a connection is held open for a while so the
/// table shows established flows, not only closing ones.
const HOLD_EVERY: u32 = 10;
const HOLD_FOR: Duration = Duration::from_secs(45);

impl Lab {
    /// Starts the TCP and UDP echo servers; they stop with the process.
    pub fn start_servers(&self) -> anyhow::Result<()> {
        in_netns(self.server(), "lab-tcp-server", tcp_server)?;
        in_netns(self.server(), "lab-udp-server", udp_server)
    }

    /// Starts the client's steady trickle of connections.
    pub fn start_client(&self) -> anyhow::Result<()> {
        in_netns(self.client(), "lab-client", client)
    }
}

pub(super) fn in_netns(
    ns: String,
    name: &str,
    work: impl FnOnce() -> std::io::Result<()> + Send + 'static,
) -> anyhow::Result<()> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let entered = netns::enter(&ns).map_err(|e| format!("{e:#}"));
            let ok = entered.is_ok();
            let _ = ready_tx.send(entered);
            if ok {
                if let Err(e) = work() {
                    tracing::warn!(error = %e, "demo traffic stopped");
                }
            }
        })
        .context("starting a demo traffic thread")?;
    ready_rx
        .recv()
        .context("demo traffic thread died")?
        .map_err(anyhow::Error::msg)
}

fn tcp_server() -> std::io::Result<()> {
    let v4 = TcpListener::bind((ADDRS.server, ADDRS.server_port))?;
    let v6 = TcpListener::bind((ADDRS.server6, ADDRS.server_port))?;
    thread::spawn(move || serve_tcp(&v6));
    serve_tcp(&v4);
    Ok(())
}

pub(super) fn serve_tcp(listener: &TcpListener) {
    for stream in listener.incoming().flatten() {
        thread::spawn(move || {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(HOLD_FOR * 2));
            let mut buf = [0u8; 512];
            // Answer each request until the client closes.
            while let Ok(n @ 1..) = stream.read(&mut buf) {
                let reply = format!("HTTP/1.0 200 OK\r\n\r\n{n} bytes\n");
                if stream.write_all(reply.as_bytes()).is_err() {
                    break;
                }
            }
        });
    }
}

fn udp_server() -> std::io::Result<()> {
    let socket = UdpSocket::bind((ADDRS.server, ADDRS.udp_port))?;
    let mut buf = [0u8; 512];
    loop {
        let (n, from) = socket.recv_from(&mut buf)?;
        socket.send_to(&buf[..n], from)?;
    }
}

fn client() -> std::io::Result<()> {
    let published = SocketAddr::V4(SocketAddrV4::new(
        ADDRS.router_in,
        ADDRS.published_port,
    ));
    let published6 = SocketAddr::V6(SocketAddrV6::new(
        ADDRS.router_in6,
        ADDRS.published_port,
        0,
        0,
    ));
    let direct =
        SocketAddr::V4(SocketAddrV4::new(ADDRS.server, ADDRS.server_port));
    let mut round = 0u32;
    loop {
        round = round.wrapping_add(1);
        for target in [published, published6, direct] {
            let hold = round.is_multiple_of(HOLD_EVERY) && target == published;
            let _ = request(target, hold);
        }
        let _ = udp_query();
        thread::sleep(ROUND);
    }
}

/// One request; with `hold`, the connection stays open on another thread.
fn request(target: SocketAddr, hold: bool) -> std::io::Result<()> {
    let mut stream = TcpStream::connect_timeout(&target, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
    let mut buf = [0u8; 256];
    let _ = stream.read(&mut buf)?;
    if hold {
        thread::spawn(move || {
            thread::sleep(HOLD_FOR);
            drop(stream);
        });
    }
    Ok(())
}

fn udp_query() -> std::io::Result<()> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
    socket.set_read_timeout(Some(IO_TIMEOUT))?;
    socket.send_to(b"query", (ADDRS.server, ADDRS.udp_port))?;
    let mut buf = [0u8; 64];
    socket.recv_from(&mut buf)?;
    Ok(())
}

/// A web server answering every request on its own connection with
/// `body`, for the scenarios' labs.
pub(super) fn answer_http(
    at: SocketAddr,
    body: &'static [u8],
) -> std::io::Result<()> {
    let listener = TcpListener::bind(at)?;
    for stream in listener.incoming().flatten() {
        thread::spawn(move || {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
            let mut buf = [0u8; 512];
            if let Ok(1..) = stream.read(&mut buf) {
                let _ = stream.write_all(b"HTTP/1.0 200 OK\r\n\r\n");
                let _ = stream.write_all(body);
            }
        });
    }
    Ok(())
}

/// One request to `target` every `every`, each on a new connection,
/// for ever; failures are what the scenario shows.
pub(super) fn keep_requesting(
    target: SocketAddr,
    every: Duration,
) -> std::io::Result<()> {
    loop {
        if let Err(e) = request(target, false) {
            tracing::debug!(error = %e, %target, "a lab request failed");
        }
        thread::sleep(every);
    }
}
