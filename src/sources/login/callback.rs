//! The two ways the browser's answer comes back, offered at once: a
//! loopback listener on the client's redirect address (the browser is on
//! this machine, or the port is forwarded over SSH), and the address the
//! browser ended on, pasted by the user (plain SSH).

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// The most a callback request may send before it is dropped.
const MAX_REQUEST: usize = 16 * 1024;
/// How long a connected browser may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an idle listener checks whether it was cancelled.
const POLL: Duration = Duration::from_millis(100);

/// One answer candidate: an address to read as a callback.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrival {
    /// An address (from the listener or pasted).
    Address(String),
    /// The paste input ended (no more lines will come).
    InputClosed,
}

/// Binds the loopback listener for `redirect_uri` (only `http://127.0.0.1:PORT/…`
/// or `localhost`); `Err` says why not (the port is taken, say).
pub fn bind(redirect_uri: &str) -> Result<TcpListener, String> {
    let url = url::Url::parse(redirect_uri).map_err(|e| format!("bad redirect address {redirect_uri}: {e}"))?;
    let host = url.host_str().unwrap_or("");
    if url.scheme() != "http" || !(host == "127.0.0.1" || host == "localhost") {
        return Err(format!("the redirect address {redirect_uri} is not on this machine"));
    }
    let port = url.port().unwrap_or(80);
    TcpListener::bind(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))
}

/// Starts both ways: the listener (when there is one) answers the browser
/// and forwards the address it was sent to; each non-empty line of `input`
/// is forwarded as pasted. Read the receiver until an address works.
pub fn arrivals(listener: Option<TcpListener>, input: impl BufRead + Send + 'static) -> Receiver<Arrival> {
    let (tx, rx) = mpsc::channel();
    if let Some(listener) = listener {
        listen(listener, tx.clone(), Arc::new(AtomicBool::new(false)));
    }
    std::thread::spawn(move || read_pasted(input, &tx));
    rx
}

/// Serves the listener on a thread of its own until `cancel` is set or the
/// receiver is gone: each `/callback` request is answered and forwarded.
pub fn listen(listener: TcpListener, tx: Sender<Arrival>, cancel: Arc<AtomicBool>) {
    std::thread::spawn(move || serve(listener, &tx, &cancel));
}

fn read_pasted(input: impl BufRead, tx: &Sender<Arrival>) {
    for line in input.lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        if !line.is_empty() && tx.send(Arrival::Address(line.to_string())).is_err() {
            return;
        }
    }
    let _ = tx.send(Arrival::InputClosed);
}

fn serve(listener: TcpListener, tx: &Sender<Arrival>, cancel: &AtomicBool) {
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    if listener.set_nonblocking(true).is_err() {
        return;
    }
    while !cancel.load(Ordering::Relaxed) {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(POLL);
                continue;
            }
            Err(_) => continue,
        };
        if stream.set_nonblocking(false).is_err() {
            continue;
        }
        match request_target(&mut stream) {
            Some(target) if target.starts_with("/callback") => {
                respond(&mut stream, "200 OK", "stagehand received the sign-in: go back to your terminal.");
                if tx.send(Arrival::Address(format!("http://127.0.0.1:{port}{target}"))).is_err() {
                    return;
                }
            }
            _ => respond(&mut stream, "404 Not Found", "stagehand is waiting for /callback here."),
        }
    }
}

/// The request target of an HTTP GET (`/callback?code=…`), read within
/// the size and time budgets.
fn request_target(stream: &mut TcpStream) -> Option<String> {
    stream.set_read_timeout(Some(REQUEST_TIMEOUT)).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_REQUEST {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let mut words = head.lines().next()?.split(' ');
    (words.next()? == "GET").then(|| words.next().map(String::from)).flatten()
}

fn respond(stream: &mut TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><title>stagehand</title><p>{text}</p>\n");
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_lines_arrive_then_the_end() {
        let rx = arrivals(None, std::io::Cursor::new("\n  http://127.0.0.1:8055/callback?code=x  \n"));
        assert_eq!(rx.recv().unwrap(), Arrival::Address("http://127.0.0.1:8055/callback?code=x".into()));
        assert_eq!(rx.recv().unwrap(), Arrival::InputClosed);
    }

    #[test]
    fn the_listener_answers_the_browser_and_forwards_the_address() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (input, _keep_open) = std::io::pipe().unwrap();
        let rx = arrivals(Some(listener), std::io::BufReader::new(input));
        let get = |path: &str| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).unwrap();
            answer
        };
        assert!(get("/favicon.ico").starts_with("HTTP/1.1 404"));
        assert!(get("/callback?code=c&state=s").contains("go back to your terminal"));
        let expected = format!("http://127.0.0.1:{port}/callback?code=c&state=s");
        assert_eq!(rx.recv().unwrap(), Arrival::Address(expected));
    }

    #[test]
    fn a_cancelled_listener_lets_go_of_its_port() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, _rx) = mpsc::channel();
        let cancel = Arc::new(AtomicBool::new(false));
        listen(listener, tx, cancel.clone());
        cancel.store(true, Ordering::Relaxed);
        let freed = (0..50).any(|_| {
            std::thread::sleep(POLL);
            TcpListener::bind(addr).is_ok()
        });
        assert!(freed, "the port stays taken after cancel");
    }

    #[test]
    fn only_loopback_redirects_are_listened_on() {
        assert!(bind("https://example.com/callback").unwrap_err().contains("not on this machine"));
        assert!(bind("http://10.0.0.1:8055/callback").is_err());
    }
}
