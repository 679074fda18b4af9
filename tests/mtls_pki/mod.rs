//! mTLS over real parts, shared by `tests/mtls.rs` and `benches/mtls.rs`: a PKI made with the
//! openssl CLI in a scratch directory (a root, intermediates, client and server certificates),
//! real `openssl ocsp` responders behind HTTP listeners on 127.0.0.1, a counting (and
//! delaying) TCP relay, a rustls
//! server that requires client certificates on a loopback port, and two clients: rustls and
//! `openssl s_client`.
//!
//! The openssl CLI is required: `support::require_openssl` fails the test without it, rather than
//! letting it pass having checked nothing.

#![allow(dead_code)]
// Test code: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::{openssl, require_openssl, scratch_dir};
use ocsp_verify::fetch::{Fetcher, ManualMonotonicClock, MonotonicClock};
use ocsp_verify::mtls::{
    ClientCertEvent, OcspClientCertVerifier, OcspClientCertVerifierBuilder, PrefetchOptions,
};
use ocsp_verify::{Policy, Verifier};
use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::ClientCertVerifier;
use rustls::time_provider::TimeProvider;
use rustls::{
    ClientConfig, ClientConnection, ProtocolVersion, RootCertStore, ServerConfig, ServerConnection,
    StreamOwned, SupportedProtocolVersion,
};

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

const EC: [&str; 5] = [
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
];

/// Serials the intermediate's responder knows: good ones, and revoked ones (keyCompromise).
/// Any other serial is unknown to it.
pub const GOOD: [&str; 8] = [
    "1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008",
];
pub const REVOKED: [&str; 2] = ["2001", "2002"];
/// Not in any index: the responder answers "unknown".
pub const UNKNOWN: &str = "4001";

/// The intermediate in good standing, and the revoked one, as the root's responder knows them.
const INTERMEDIATE_SERIAL: &str = "3001";
const REVOKED_INTERMEDIATE_SERIAL: &str = "3002";

/// A CA made here: its name in files (`NAME.pem`, `NAME.key`, `NAME.der`).
#[derive(Clone, Debug)]
pub struct Ca {
    pub name: String,
}

impl Ca {
    pub fn pem(&self) -> String {
        format!("{}.pem", self.name)
    }
}

/// A client certificate and its key, with the chain a client sends.
pub struct Client {
    /// Leaf first, then the intermediate (if any).
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    /// The intermediates, PEM, for `openssl s_client -cert_chain`.
    pub chain_pem: PathBuf,
    pub serial: Vec<u8>,
}

impl Client {
    pub fn leaf(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }
}

/// A root, an intermediate (serial 3001, good) with its responder (delegated), the root's
/// responder (signing as the root), and a server certificate for `localhost`.
pub struct Pki {
    pub dir: PathBuf,
    pub root: Ca,
    pub intermediate: Ca,
    /// Answers for the root's certificates (intermediates); signs as the root itself.
    pub root_responder: Responder,
    /// Answers for the intermediate's certificates; a delegated responder signs.
    pub responder: Responder,
    counter: AtomicUsize,
}

impl Pki {
    pub fn new(name: &str) -> Self {
        require_openssl("the mTLS tests");
        let dir = scratch_dir(name);
        fs::write(
            dir.join("ext.cnf"),
            "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n\
             [responder]\nbasicConstraints=CA:FALSE\nextendedKeyUsage=OCSPSigning\n\
             [server]\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n\
             subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .unwrap();
        let mut root = vec!["req", "-x509"];
        root.extend(EC);
        root.extend([
            "-keyout",
            "root.key",
            "-subj",
            "/CN=mTLS Test Root",
            "-days",
            "30",
            "-out",
            "root.pem",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(&dir, &root);
        openssl(
            &dir,
            &[
                "x509", "-in", "root.pem", "-outform", "DER", "-out", "root.der",
            ],
        );
        let root = Ca {
            name: "root".into(),
        };

        // The root's responder knows the two intermediates.
        let expiry = "301231235959Z";
        fs::write(
            dir.join("root-index.txt"),
            format!(
                "V\t{expiry}\t\t{INTERMEDIATE_SERIAL}\tunknown\t/CN=mTLS Test Intermediate\n\
                 R\t{expiry}\t250101000000Z,keyCompromise\t{REVOKED_INTERMEDIATE_SERIAL}\tunknown\t/CN=mTLS Revoked Intermediate\n"
            ),
        )
        .unwrap();
        let root_responder =
            Responder::start(&dir, "root-index.txt", "root.pem", "root.pem", "root.key");

        let mut pki = Self {
            dir,
            root,
            intermediate: Ca { name: "int".into() },
            root_responder,
            // Replaced below, once the intermediate exists.
            responder: Responder::none(),
            counter: AtomicUsize::new(0),
        };
        let root_url = pki.root_responder.url();
        pki.issue_ca(
            "int",
            "/CN=mTLS Test Intermediate",
            INTERMEDIATE_SERIAL,
            &root_url,
        );
        pki.issue(
            "int-responder",
            "/CN=mTLS Intermediate Responder",
            "5001",
            &pki.intermediate,
            "responder",
        );
        let mut index = String::new();
        for serial in GOOD {
            index.push_str(&format!(
                "V\t{expiry}\t\t{serial}\tunknown\t/CN=good{serial}\n"
            ));
        }
        for serial in REVOKED {
            index.push_str(&format!(
                "R\t{expiry}\t250101000000Z,keyCompromise\t{serial}\tunknown\t/CN=revoked{serial}\n"
            ));
        }
        fs::write(pki.dir.join("int-index.txt"), index).unwrap();
        pki.responder = Responder::start(
            &pki.dir,
            "int-index.txt",
            "int.pem",
            "int-responder.pem",
            "int-responder.key",
        );
        pki.issue("server", "/CN=localhost", "6001", &pki.root, "server");
        pki
    }

    /// A CA certificate `name` issued by the root, its AIA naming `ocsp_url`.
    fn issue_ca(&self, name: &str, subject: &str, serial: &str, ocsp_url: &str) {
        let section = format!("ca_{name}");
        self.add_section(&format!(
            "[{section}]\nbasicConstraints=critical,CA:TRUE\n\
             keyUsage=critical,keyCertSign,cRLSign\nauthorityInfoAccess=OCSP;URI:{ocsp_url}\n"
        ));
        self.issue(name, subject, serial, &self.root, &section);
    }

    fn add_section(&self, section: &str) {
        let mut cnf = fs::read_to_string(self.dir.join("ext.cnf")).unwrap();
        cnf.push_str(section);
        fs::write(self.dir.join("ext.cnf"), cnf).unwrap();
    }

    /// `name.key`, `name.pem`, `name.der`: a certificate with `subject` and `serial` (hex),
    /// issued by `issuer`, with the extensions of `section` in ext.cnf.
    fn issue(&self, name: &str, subject: &str, serial: &str, issuer: &Ca, section: &str) {
        let (key, csr, pem, der) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
            format!("{name}.der"),
        );
        let mut request = vec!["req", "-new"];
        request.extend(EC);
        request.extend(["-keyout", &key, "-subj", subject, "-out", &csr]);
        openssl(&self.dir, &request);
        let (ca, ca_key, serial) = (
            issuer.pem(),
            format!("{}.key", issuer.name),
            format!("0x{serial}"),
        );
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca,
                "-CAkey",
                &ca_key,
                "-set_serial",
                &serial,
                "-days",
                "10",
                "-extfile",
                "ext.cnf",
                "-extensions",
                section,
                "-out",
                &pem,
            ],
        );
        openssl(
            &self.dir,
            &["x509", "-in", &pem, "-outform", "DER", "-out", &der],
        );
    }

    pub fn der(&self, name: &str) -> CertificateDer<'static> {
        CertificateDer::from(fs::read(self.dir.join(format!("{name}.der"))).unwrap())
    }

    fn key(&self, name: &str) -> PrivateKeyDer<'static> {
        PrivateKeyDer::from_pem_file(self.dir.join(format!("{name}.key"))).unwrap()
    }

    /// The roots a server trusts for its clients (and a client for the server): the root.
    pub fn roots(&self) -> Arc<RootCertStore> {
        let mut roots = RootCertStore::empty();
        roots.add(self.der(&self.root.name)).unwrap();
        Arc::new(roots)
    }

    /// A client certificate with `serial` (hex) issued by `issuer` (sent along unless it is the
    /// root), whose AIA names `ocsp_urls` (none: no AIA at all).
    pub fn client(&self, serial: &str, issuer: &Ca, ocsp_urls: &[&str]) -> Client {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("client{n}");
        let section = format!("leaf_{name}");
        let mut extensions = format!(
            "[{section}]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
             extendedKeyUsage=clientAuth\n"
        );
        if !ocsp_urls.is_empty() {
            let aia: Vec<String> = ocsp_urls.iter().map(|u| format!("OCSP;URI:{u}")).collect();
            extensions.push_str(&format!("authorityInfoAccess={}\n", aia.join(",")));
        }
        self.add_section(&extensions);
        self.issue(&name, &format!("/CN={name}.test"), serial, issuer, &section);
        let mut chain = vec![self.der(&name)];
        let chain_pem = self.dir.join(format!("{name}-chain.pem"));
        if issuer.name != self.root.name {
            chain.push(self.der(&issuer.name));
            fs::copy(self.dir.join(issuer.pem()), &chain_pem).unwrap();
        } else {
            fs::write(&chain_pem, "").unwrap();
        }
        let serial = ocsp_verify::Certificate::from_der(&chain[0])
            .unwrap()
            .serial()
            .to_vec();
        Client {
            chain,
            key: self.key(&name),
            cert_pem: self.dir.join(format!("{name}.pem")),
            key_pem: self.dir.join(format!("{name}.key")),
            chain_pem,
            serial,
        }
    }

    /// An intermediate the root's responder says is revoked, with a responder of its own (that
    /// signs as the intermediate and knows the same serials as the good intermediate's).
    pub fn revoked_intermediate(&self) -> (Ca, Responder) {
        self.issue_ca(
            "int2",
            "/CN=mTLS Revoked Intermediate",
            REVOKED_INTERMEDIATE_SERIAL,
            &self.root_responder.url(),
        );
        fs::copy(
            self.dir.join("int-index.txt"),
            self.dir.join("int2-index.txt"),
        )
        .unwrap();
        let responder = Responder::start(
            &self.dir,
            "int2-index.txt",
            "int2.pem",
            "int2.pem",
            "int2.key",
        );
        (
            Ca {
                name: "int2".into(),
            },
            responder,
        )
    }

    /// A responder for the intermediate's certificates that signs with a self-made
    /// certificate ("Rogue Responder", id-kp-OCSPSigning, issued by nobody the server knows):
    /// a forged answer, unless the server trusts it for that issuer.
    pub fn rogue_responder(&self) -> (Responder, CertificateDer<'static>) {
        let mut rogue = vec!["req", "-x509"];
        rogue.extend(EC);
        rogue.extend([
            "-keyout",
            "rogue.key",
            "-subj",
            "/CN=Rogue Responder",
            "-days",
            "10",
            "-out",
            "rogue.pem",
            "-addext",
            "basicConstraints=CA:FALSE",
            "-addext",
            "extendedKeyUsage=OCSPSigning",
        ]);
        openssl(&self.dir, &rogue);
        openssl(
            &self.dir,
            &[
                "x509",
                "-in",
                "rogue.pem",
                "-outform",
                "DER",
                "-out",
                "rogue.der",
            ],
        );
        let responder = Responder::start(
            &self.dir,
            "int-index.txt",
            "int.pem",
            "rogue.pem",
            "rogue.key",
        );
        (responder, self.der("rogue"))
    }

    /// The intermediate's responder says `good` about `serial` (one of [`REVOKED`]) from now
    /// on: its index is rewritten (each request runs `openssl ocsp` anew, which reads it).
    pub fn reinstate(&self, serial: &str) {
        let path = self.dir.join("int-index.txt");
        let index = fs::read_to_string(&path).unwrap();
        let revoked = format!("\t{serial}\t");
        let mut found = false;
        let rewritten: String = index
            .lines()
            .map(|line| {
                if line.starts_with("R\t") && line.contains(&revoked) {
                    found = true;
                    let fields: Vec<&str> = line.split('\t').collect();
                    format!("V\t{}\t\t{}\n", fields[1], fields[3..].join("\t"))
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert!(found, "{serial} is not revoked in the index");
        fs::write(path, rewritten).unwrap();
    }

    /// The intermediate's certificate signed again, by a root nobody trusts (`/CN=Untrusted
    /// Root`): the same subject and key, another issuer and serial. A client sending it before
    /// the real intermediate offers a path that leads nowhere first.
    pub fn cross_signed_intermediate(&self) -> CertificateDer<'static> {
        let mut root = vec!["req", "-x509"];
        root.extend(EC);
        root.extend([
            "-keyout",
            "untrusted.key",
            "-subj",
            "/CN=Untrusted Root",
            "-days",
            "30",
            "-out",
            "untrusted.pem",
        ]);
        openssl(&self.dir, &root);
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                "int.csr",
                "-CA",
                "untrusted.pem",
                "-CAkey",
                "untrusted.key",
                "-set_serial",
                "0x3003",
                "-days",
                "10",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "ca_int",
                "-out",
                "int-cross.pem",
            ],
        );
        openssl(
            &self.dir,
            &[
                "x509",
                "-in",
                "int-cross.pem",
                "-outform",
                "DER",
                "-out",
                "int-cross.der",
            ],
        );
        self.der("int-cross")
    }

    /// The server's certificate chain and key.
    pub fn server_identity(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        (vec![self.der("server")], self.key("server"))
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

/// A real `openssl ocsp` responder behind an HTTP listener on 127.0.0.1: each request (GET or
/// POST) is answered by the openssl CLI in responder mode (`openssl ocsp -index ... -reqin
/// ... -respout ...`), with responses valid for an hour (`-nmin 60`). (`openssl ocsp -port`
/// would listen on every interface; these tests bind loopback only.) Stops when dropped.
pub struct Responder {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl Responder {
    fn none() -> Self {
        Self {
            port: 0,
            stop: Arc::new(AtomicBool::new(true)),
        }
    }

    fn start(dir: &Path, index: &str, ca: &str, rsigner: &str, rkey: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let args: Arc<Vec<String>> = Arc::new(
            [
                "ocsp", "-index", index, "-CA", ca, "-rsigner", rsigner, "-rkey", rkey, "-nmin",
                "60",
            ]
            .map(String::from)
            .to_vec(),
        );
        let dir = dir.to_path_buf();
        thread::spawn(move || {
            let requests = Arc::new(AtomicUsize::new(0));
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (dir, args, requests) =
                            (dir.clone(), Arc::clone(&args), Arc::clone(&requests));
                        thread::spawn(move || {
                            let n = requests.fetch_add(1, Ordering::Relaxed);
                            answer(stream, &dir, &args, port, n);
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self { port, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One HTTP exchange of the responder: the OCSP request from a POST body or a GET path, the
/// response from `openssl ocsp`.
fn answer(stream: TcpStream, dir: &Path, args: &[String], port: u16, n: usize) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let der = if request_line.starts_with("POST ") {
        let mut body = vec![0; length];
        reader.read_exact(&mut body).map(|()| body).ok()
    } else {
        request_line
            .split(' ')
            .nth(1)
            .and_then(|path| path.strip_prefix('/'))
            .and_then(|path| base64_decode(&percent_decode(path)))
    };
    let (req, resp) = (
        format!("request-{port}-{n}.der"),
        format!("response-{port}-{n}.der"),
    );
    let response = der.and_then(|der| {
        fs::write(dir.join(&req), der).ok()?;
        let out = Command::new("openssl")
            .args(args)
            .args(["-reqin", &req, "-respout", &resp])
            .current_dir(dir)
            .output()
            .ok()?;
        out.status.success().then_some(())?;
        fs::read(dir.join(&resp)).ok()
    });
    let mut stream = stream;
    let _ = match response {
        Some(body) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(&body))
        }
        None => stream.write_all(
            b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        ),
    };
    let _ = stream.shutdown(Shutdown::Write);
}

fn percent_decode(text: &str) -> String {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes().filter(|b| *b != b'=') {
        let value = u32::try_from(ALPHABET.iter().position(|a| *a == byte)?).ok()?;
        buffer = (buffer << 6) | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A loopback TCP relay to `127.0.0.1:target` that counts connections (one per fetch: the
/// fetcher opens a connection per request) and waits `delay` before relaying each (and, when
/// held, until released).
pub struct Relay {
    pub port: u16,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    released: Arc<AtomicBool>,
}

impl Relay {
    pub fn start(target: u16, delay: Duration) -> Self {
        Self::spawn(target, delay, true)
    }

    /// A relay that holds every connection, without reaching `target`, until
    /// [`Relay::release`].
    pub fn held(target: u16) -> Self {
        Self::spawn(target, Duration::ZERO, false)
    }

    /// Lets the connections held, and those to come, through.
    pub fn release(&self) {
        self.released.store(true, Ordering::SeqCst);
    }

    fn spawn(target: u16, delay: Duration, released: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let released = Arc::new(AtomicBool::new(released));
        let (count, stopped, open) = (
            Arc::clone(&connections),
            Arc::clone(&stop),
            Arc::clone(&released),
        );
        thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        count.fetch_add(1, Ordering::SeqCst);
                        let open = Arc::clone(&open);
                        thread::spawn(move || {
                            while !open.load(Ordering::SeqCst) {
                                thread::sleep(Duration::from_millis(5));
                            }
                            relay(client, target, delay)
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self {
            port,
            connections,
            stop,
            released,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // No connection is held forever.
        self.release();
    }
}

fn relay(client: TcpStream, target: u16, delay: Duration) {
    client.set_nonblocking(false).unwrap();
    thread::sleep(delay);
    let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
        return;
    };
    for stream in [&client, &server] {
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
    }
    let (mut client_in, mut server_out) =
        (client.try_clone().unwrap(), server.try_clone().unwrap());
    let upstream = thread::spawn(move || {
        let _ = std::io::copy(&mut client_in, &mut server_out);
        let _ = server_out.shutdown(Shutdown::Write);
    });
    let (mut server_in, mut client_out) = (server, client);
    let _ = std::io::copy(&mut server_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Both);
    let _ = upstream.join();
}

/// Test time: the system's wall clock moved by an offset the test sets, shared by the server's
/// `ServerConfig` (the `now` rustls passes the verifier) and the verifier's prefetcher, and a
/// monotonic clock ([`ManualMonotonicClock`]) that stands still until the test moves both
/// together: the verifier's backoffs and refresh deadlines are measured on the monotonic one
/// (give it with [`Clock::monotonic`]).
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicU64,
    mono: ManualMonotonicClock,
}

impl Clock {
    /// Time passes: the wall clock is `offset` ahead of the system's, and the monotonic clock
    /// moves on by as much as the offset grew. It never goes back.
    pub fn advance_to(&self, offset: Duration) {
        let before = self.offset_secs.swap(offset.as_secs(), Ordering::SeqCst);
        let step = offset.as_secs().checked_sub(before).unwrap_or_else(|| {
            panic!(
                "the clock goes back: from {before} s to {} s",
                offset.as_secs()
            )
        });
        self.mono.advance(Duration::from_secs(step));
    }

    /// The wall clock jumps to `offset` from the system's (ahead, or back); monotonic time
    /// does not move, as it would not on a real machine whose clock is set.
    pub fn jump_to(&self, offset: Duration) {
        self.offset_secs.store(offset.as_secs(), Ordering::SeqCst);
    }

    pub fn now(&self) -> UnixTime {
        let real = UnixTime::now().as_secs();
        UnixTime::since_unix_epoch(Duration::from_secs(
            real + self.offset_secs.load(Ordering::SeqCst),
        ))
    }

    /// The monotonic clock, for `with_monotonic_clock` (clones share its time).
    pub fn monotonic(&self) -> Arc<dyn MonotonicClock> {
        Arc::new(self.mono.clone())
    }
}

impl TimeProvider for Clock {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.now())
    }
}

static TLS12: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
static TLS13: [&SupportedProtocolVersion; 1] = [&rustls::version::TLS13];

pub fn versions(version: ProtocolVersion) -> &'static [&'static SupportedProtocolVersion] {
    match version {
        ProtocolVersion::TLSv1_2 => &TLS12,
        ProtocolVersion::TLSv1_3 => &TLS13,
        other => panic!("unsupported {other:?}"),
    }
}

/// A server that requires client certificates, checked by `verifier`, at `clock`'s time.
pub fn server_config(
    pki: &Pki,
    verifier: Arc<dyn ClientCertVerifier>,
    clock: Arc<Clock>,
    version: ProtocolVersion,
) -> Arc<ServerConfig> {
    let (chain, key) = pki.server_identity();
    Arc::new(
        ServerConfig::builder_with_details(provider(), clock)
            .with_protocol_versions(versions(version))
            .unwrap()
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .unwrap(),
    )
}

/// A client presenting `client`'s chain, trusting the PKI's root, resumption off (every
/// handshake a full one: rustls does not call the verifier on a resumed session).
pub fn client_config(pki: &Pki, client: &Client, version: ProtocolVersion) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots.add(pki.der(&pki.root.name)).unwrap();
    let mut config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions(version))
        .unwrap()
        .with_root_certificates(roots)
        .with_client_auth_cert(client.chain.clone(), client.key.clone_key())
        .unwrap();
    config.resumption = Resumption::disabled();
    Arc::new(config)
}

/// A loopback server for `config`: each connection's handshake, then one line read and one
/// written back (`hello <n>`); the result of each handshake, as the server saw it, is sent on
/// a channel. Stops accepting when dropped.
pub struct TlsServer {
    pub port: u16,
    results: mpsc::Receiver<Result<(), rustls::Error>>,
    stop: Arc<AtomicBool>,
}

impl TlsServer {
    pub fn start(config: Arc<ServerConfig>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let (sender, results) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((socket, _)) => {
                        let (config, sender) = (Arc::clone(&config), sender.clone());
                        thread::spawn(move || {
                            let _ = sender.send(serve(config, socket));
                        });
                    }
                    Err(_) => thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        Self {
            port,
            results,
            stop,
        }
    }

    /// The server's view of the next handshake to end.
    pub fn next_result(&self) -> Result<(), rustls::Error> {
        self.results
            .recv_timeout(Duration::from_secs(20))
            .expect("the server saw no handshake end within 20 s")
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(config: Arc<ServerConfig>, mut socket: TcpStream) -> Result<(), rustls::Error> {
    socket.set_nonblocking(false).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut connection = ServerConnection::new(config).unwrap();
    while connection.is_handshaking() {
        if let Err(error) = connection.complete_io(&mut socket) {
            // complete_io has sent the alert already.
            return Err(rustls_error(&error)
                .unwrap_or_else(|| rustls::Error::General(format!("I/O: {error}"))));
        }
    }
    let mut stream = StreamOwned::new(connection, socket);
    let mut line = String::new();
    let read = BufReader::new(&mut stream).read_line(&mut line);
    if let Err(error) = read {
        return Err(
            rustls_error(&error).unwrap_or_else(|| rustls::Error::General(format!("I/O: {error}")))
        );
    }
    let _ = stream.write_all(format!("hello {}", line.trim()).as_bytes());
    stream.conn.send_close_notify();
    let _ = stream.flush();
    Ok(())
}

/// The rustls error inside an I/O error, if any.
pub fn rustls_error(error: &std::io::Error) -> Option<rustls::Error> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        .cloned()
}

/// How a client's connection went.
#[derive(Debug)]
pub struct Connected {
    /// What the server wrote back, or the error (a rustls error, the alert received).
    pub reply: Result<String, rustls::Error>,
    pub elapsed: Duration,
}

/// A TLS client stream to `localhost` on loopback `port`, reads timing out after 20 s.
pub fn tls_stream(
    port: u16,
    config: Arc<ClientConfig>,
) -> StreamOwned<ClientConnection, TcpStream> {
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let connection =
        ClientConnection::new(config, ServerName::try_from("localhost").unwrap()).unwrap();
    StreamOwned::new(connection, socket)
}

/// Connects with `config`, sends one line, reads the reply to the end.
pub fn connect(port: u16, config: Arc<ClientConfig>) -> Connected {
    let started = Instant::now();
    let mut stream = tls_stream(port, config);
    let mut reply = String::new();
    let result = stream
        .write_all(b"client\n")
        .and_then(|()| stream.flush())
        .and_then(|()| stream.read_to_string(&mut reply).map(drop));
    let reply =
        match result {
            Ok(()) => Ok(reply),
            Err(error) => Err(rustls_error(&error)
                .unwrap_or_else(|| rustls::Error::General(format!("I/O: {error}")))),
        };
    Connected {
        reply,
        elapsed: started.elapsed(),
    }
}

/// What `openssl s_client` did.
#[derive(Debug)]
pub struct SClient {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

/// `openssl s_client -cert -key` against the server on `port`: sends one line, reads until
/// the server closes; killed after 20 s.
pub fn s_client(pki: &Pki, port: u16, client: &Client, tls13: bool) -> SClient {
    let started = Instant::now();
    let connect = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_client".to_string(),
        "-connect".into(),
        connect,
        "-servername".into(),
        "localhost".into(),
        "-CAfile".into(),
        pki.root.pem(),
        "-verify_return_error".into(),
        "-cert".into(),
        client.cert_pem.display().to_string(),
        "-key".into(),
        client.key_pem.display().to_string(),
        "-quiet".into(),
        if tls13 { "-tls1_3" } else { "-tls1_2" }.into(),
    ];
    if fs::metadata(&client.chain_pem).is_ok_and(|m| m.len() > 0) {
        args.push("-cert_chain".into());
        args.push(client.chain_pem.display().to_string());
    }
    let mut child = Command::new("openssl")
        .args(&args)
        .current_dir(&pki.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(b"s_client\n");
    // Kept open: s_client -quiet reads until the server closes, not until stdin ends.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("openssl s_client did not finish within 20 s");
        }
        thread::sleep(Duration::from_millis(10));
    };
    drop(stdin);
    let mut stdout = String::new();
    let mut stderr = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    SClient {
        success: status.success(),
        stdout,
        stderr,
        elapsed: started.elapsed(),
    }
}

/// The events an observer saw, in order.
pub type Seen = Arc<Mutex<Vec<ClientCertEvent>>>;

/// A verifier for the PKI's roots with `policy`, at `clock`'s time (wall and monotonic),
/// fetching with short timeouts, prefetch off unless `configure` turns it on; and the events
/// it reports.
pub fn observed(
    pki: &Pki,
    clock: &Arc<Clock>,
    policy: Policy,
    configure: impl FnOnce(OcspClientCertVerifierBuilder) -> OcspClientCertVerifierBuilder,
) -> (Arc<OcspClientCertVerifier>, Seen) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let provider = provider();
    let fetcher = Fetcher::new(Verifier::new(
        provider.signature_verification_algorithms.all,
    ))
    .with_connect_timeout(Duration::from_secs(2))
    .with_timeout(Duration::from_secs(3));
    let builder = OcspClientCertVerifier::webpki_builder(pki.roots(), provider, policy)
        .with_fetcher(fetcher)
        .with_prefetch(PrefetchOptions::disabled())
        .with_time_provider(Arc::<Clock>::clone(clock))
        .with_monotonic_clock(clock.monotonic())
        .with_observer(move |event| log.lock().unwrap().push(event.clone()));
    (configure(builder).build().unwrap(), seen)
}
