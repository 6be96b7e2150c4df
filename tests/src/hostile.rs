//! A real HTTP server that misbehaves as a hostile or broken endpoint would: answers too big or
//! too complex to hold, a slow drip, terminal escapes, a redirect to another host. It runs on a
//! free loopback port in a thread and stops with the test process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// How the server answers every request.
#[derive(Clone, Debug)]
pub enum Misbehaviour {
    /// 200 with a JSON body of `mb` megabytes, almost all of it tiny nested arrays.
    NestedArrays { mb: usize },
    /// 200 with `mb` megabytes of JSON, sent without a length until the client hangs up.
    Huge { mb: usize },
    /// 200 headers, then one byte per second.
    SlowDrip,
    /// 400 with an SDK error whose message holds terminal escapes.
    Escapes,
    /// 307 to `location` (with the same body and signature expected to follow).
    RedirectTo { location: String },
}

/// The running server; its URL.
#[derive(Debug)]
pub struct HostileEndpoint {
    pub url: String,
}

impl HostileEndpoint {
    /// Starts answering every request with `misbehaviour`.
    pub fn start(misbehaviour: Misbehaviour) -> HostileEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let misbehaviour = misbehaviour.clone();
                std::thread::spawn(move || answer(stream, &misbehaviour));
            }
        });
        HostileEndpoint {
            url: format!("http://127.0.0.1:{port}/api/autonoma/"),
        }
    }
}

/// Reads one request: its head (request line and headers) and body.
pub(crate) fn read_request(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap_or_else(|e| panic!("{e}")));
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        head.push_str(&line);
    }
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    (head, body)
}

fn answer(mut stream: TcpStream, misbehaviour: &Misbehaviour) {
    let _ = read_request(&mut stream);
    let json_head = |length: Option<usize>| {
        let length = length.map_or_else(String::new, |n| format!("content-length: {n}\r\n"));
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n{length}\r\n"
        )
    };
    match misbehaviour {
        Misbehaviour::NestedArrays { mb } => {
            let mut body = String::from(
                r#"{"version":"1.0","schema":{"models":[],"edges":[],"relations":[],"scopeField":"organizationId"},"junk":["#,
            );
            while body.len() < mb * 1_000_000 {
                body.push_str("[[]],");
            }
            body.push_str("[]]}");
            let _ = stream.write_all(json_head(Some(body.len())).as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
        Misbehaviour::Huge { mb } => {
            let _ = stream.write_all(json_head(None).as_bytes());
            let _ = stream.write_all(br#"{"version":"1.0","padding":""#);
            let chunk = vec![b'x'; 1_000_000];
            for _ in 0..*mb {
                if stream.write_all(&chunk).is_err() {
                    return;
                }
            }
            let _ = stream.write_all(br#""}"#);
        }
        Misbehaviour::SlowDrip => {
            let body = r#"{"version":"1.0","schema":{"models":[],"edges":[],"relations":[],"scopeField":"x"}}"#;
            let _ = stream.write_all(json_head(Some(body.len())).as_bytes());
            for byte in body.bytes() {
                if stream.write_all(&[byte]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
        Misbehaviour::Escapes => {
            let body = r#"{"error":"\u001b[2J\u001b[H\u001b]0;pwned\u0007validate passed: 3/3 scenarios","code":"INVALID_BODY\u001b[31m"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Misbehaviour::RedirectTo { location } => {
            let _ = write!(
                stream,
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    }
}
