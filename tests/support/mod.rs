//! Test support: a throwaway PKI made with the openssl CLI, a real `openssl ocsp` responder on
//! loopback, and a tiny HTTP server that answers with canned bytes.
//!
//! Every test that needs openssl fails, with a message that says so, when the CLI is missing:
//! a skipped comparison must not pass as a green one.

#![allow(dead_code)]
// Test code: a panic is a failed test. clippy.toml exempts `#[test]` functions from the
// restriction lints; this exempts the helpers beside them as well.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Fails the test `test`, saying why, when the openssl CLI does not run.
pub fn require_openssl(test: &str) {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        ok,
        "{test} needs the openssl command-line tool, which is not available: install openssl \
         (Debian: apt-get install openssl)"
    );
}

/// A fresh directory under the target directory's scratch space.
pub fn scratch_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ocsp-{name}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn openssl_stdout(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A CA, a delegated OCSP responder certificate, and an index with a good (serial 0x1001), a
/// revoked (0x1002) and no entry for 0x1003. Leaves are issued later, once the responder
/// port is known, so their AIA can name it.
pub struct Pki {
    pub dir: PathBuf,
}

pub const GOOD_SERIAL: &str = "1001";
pub const REVOKED_SERIAL: &str = "1002";
pub const UNKNOWN_SERIAL: &str = "1003";

impl Pki {
    pub fn new(name: &str) -> Self {
        let dir = scratch_dir(name);
        fs::write(
            dir.join("ext.cnf"),
            "[responder]\nbasicConstraints=CA:FALSE\nextendedKeyUsage=OCSPSigning\n",
        )
        .unwrap();
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-subj",
            "/CN=Test OCSP CA",
            "-days",
            "30",
            "-out",
            "ca.pem",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(&dir, &ca);
        openssl(
            &dir,
            &["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"],
        );
        let mut csr = vec!["req", "-new"];
        csr.extend(ec);
        csr.extend([
            "-keyout",
            "responder.key",
            "-subj",
            "/CN=Test OCSP Responder",
            "-out",
            "responder.csr",
        ]);
        openssl(&dir, &csr);
        openssl(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                "responder.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                "0x2001",
                "-days",
                "10",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "responder",
                "-out",
                "responder.pem",
            ],
        );
        fs::write(
            dir.join("index.txt"),
            format!(
                "V\t301231235959Z\t\t{GOOD_SERIAL}\tunknown\t/CN=good.test\n\
                 R\t301231235959Z\t250101000000Z,keyCompromise\t{REVOKED_SERIAL}\tunknown\t/CN=revoked.test\n"
            ),
        )
        .unwrap();
        Self { dir }
    }

    /// Issues a leaf with `serial` (hex) whose AIA names `ocsp_urls`; returns its DER.
    pub fn leaf(&self, name: &str, serial: &str, ocsp_urls: &[&str]) -> Vec<u8> {
        self.leaf_with(name, serial, ocsp_urls, &[])
    }

    /// Like [`Pki::leaf`], with more extension lines for openssl's config (for example
    /// `subjectAltName=DNS:good.test` or `tlsfeature=status_request`). The key is `NAME.key`.
    pub fn leaf_with(
        &self,
        name: &str,
        serial: &str,
        ocsp_urls: &[&str],
        extensions: &[&str],
    ) -> Vec<u8> {
        let aia: Vec<String> = ocsp_urls.iter().map(|u| format!("OCSP;URI:{u}")).collect();
        let section = format!("leaf_{name}");
        let mut cnf = fs::read_to_string(self.dir.join("ext.cnf")).unwrap();
        cnf.push_str(&format!("[{section}]\nbasicConstraints=CA:FALSE\n"));
        if !aia.is_empty() {
            cnf.push_str(&format!("authorityInfoAccess={}\n", aia.join(",")));
        }
        for line in extensions {
            cnf.push_str(&format!("{line}\n"));
        }
        fs::write(self.dir.join("ext.cnf"), cnf).unwrap();
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let der = format!("{name}.der");
        let subject = format!("/CN={name}.test");
        openssl(
            &self.dir,
            &[
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                &key,
                "-subj",
                &subject,
                "-out",
                &csr,
            ],
        );
        let serial = format!("0x{serial}");
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-set_serial",
                &serial,
                "-days",
                "10",
                "-extfile",
                "ext.cnf",
                "-extensions",
                &section,
                "-out",
                &pem,
            ],
        );
        openssl(
            &self.dir,
            &["x509", "-in", &pem, "-outform", "DER", "-out", &der],
        );
        fs::read(self.dir.join(der)).unwrap()
    }

    pub fn ca_der(&self) -> Vec<u8> {
        fs::read(self.dir.join("ca.der")).unwrap()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        // Kept after a failure, for a look at what openssl made.
        if !thread::panicking() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A running `openssl ocsp` responder, killed on drop.
pub struct Responder {
    child: Child,
    pub port: u16,
}

impl Responder {
    /// Starts `openssl ocsp -port 0` (OpenSSL picks a free port and prints it) signing with
    /// the delegated responder certificate, with responses valid for an hour (`-nmin 60`).
    pub fn start(pki: &Pki) -> Self {
        Self::start_with_validity(pki, 60)
    }

    /// Like [`Responder::start`], with responses valid for `minutes`.
    pub fn start_with_validity(pki: &Pki, minutes: u32) -> Self {
        let minutes = minutes.to_string();
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let log = pki.dir.join(format!(
            "responder-{}.log",
            STARTED.fetch_add(1, Ordering::Relaxed)
        ));
        let out = fs::File::create(&log).unwrap();
        let child = Command::new("openssl")
            .args([
                "ocsp",
                "-index",
                "index.txt",
                "-port",
                "0",
                "-rsigner",
                "responder.pem",
                "-rkey",
                "responder.key",
                "-CA",
                "ca.pem",
                "-nmin",
                &minutes,
                "-ignore_err",
            ])
            .current_dir(&pki.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap();
        let mut responder = Self { child, port: 0 };
        // "ACCEPT [::]:40475 PID=5538"
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let text = fs::read_to_string(&log).unwrap_or_default();
            let port = text
                .lines()
                .find_map(|line| line.strip_prefix("ACCEPT "))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|addr| addr.rsplit(':').next())
                .and_then(|port| port.parse().ok());
            if let Some(port) = port {
                responder.port = port;
                return responder;
            }
            if let Ok(Some(status)) = responder.child.try_wait() {
                panic!("openssl ocsp exited ({status}): {text}");
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("openssl ocsp did not report its port");
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on: bound, then released.
pub fn dead_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// What the canned server does with each connection.
#[derive(Clone)]
pub enum Answer {
    /// Writes these bytes and closes.
    Bytes(Vec<u8>),
    /// Reads the request and says nothing for this long, then closes.
    Silent(Duration),
    /// Writes `head`, then up to `total` bytes of zeros, and closes.
    Stream { head: Vec<u8>, total: usize },
}

impl Answer {
    /// An HTTP/1.1 answer with `status`, an optional content type, and `body`.
    pub fn http(status: &str, content_type: Option<&str>, body: &[u8]) -> Self {
        let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
        if let Some(content_type) = content_type {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body);
        Self::Bytes(bytes)
    }

    pub fn ocsp(body: &[u8]) -> Self {
        Self::http("200 OK", Some("application/ocsp-response"), body)
    }
}

/// A loopback HTTP server that answers every connection with the same canned answer, records
/// what it was asked, and stops by itself after `lifetime`.
pub struct Canned {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<Vec<u8>>>>,
    pub written: Arc<AtomicUsize>,
}

impl Canned {
    pub fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let written = Arc::new(AtomicUsize::new(0));
        let (seen, count) = (Arc::clone(&requests), Arc::clone(&written));
        thread::spawn(move || {
            let stop = Instant::now() + Duration::from_secs(30);
            while Instant::now() < stop {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (answer, seen, count) =
                            (answer.clone(), Arc::clone(&seen), Arc::clone(&count));
                        thread::spawn(move || serve(stream, answer, seen, count));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            port,
            requests,
            written,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

fn serve(
    stream: TcpStream,
    answer: Answer,
    seen: Arc<Mutex<Vec<Vec<u8>>>>,
    written: Arc<AtomicUsize>,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = Vec::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(value) = line
            .to_ascii_lowercase()
            .strip_prefix("content-length:")
            .map(|v| v.trim().to_string())
        {
            content_length = value.parse().unwrap_or(0);
        }
        request.extend_from_slice(line.as_bytes());
        if line == "\r\n" {
            break;
        }
    }
    let mut body = vec![0u8; content_length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    request.extend_from_slice(&body);
    seen.lock().unwrap().push(request);
    let mut stream = stream;
    match answer {
        Answer::Bytes(bytes) => {
            let _ = stream.write_all(&bytes);
            written.fetch_add(bytes.len(), Ordering::Relaxed);
        }
        Answer::Silent(for_how_long) => thread::sleep(for_how_long),
        Answer::Stream { head, total } => {
            if stream.write_all(&head).is_err() {
                return;
            }
            let chunk = vec![0u8; 16 * 1024];
            let mut sent = 0;
            while sent < total {
                match stream.write(&chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        sent += n;
                        written.fetch_add(n, Ordering::Relaxed);
                    }
                }
            }
        }
    }
}
