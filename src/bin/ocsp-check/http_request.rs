//! What the exporter reads from a client: the request head (with `httparse`), the request
//! target and the `Host` (with `http`'s `Uri` and `Authority`), and a `/probe` query (with
//! `percent-encoding`). Bytes in, a typed request or the precise refusal out; nothing here
//! touches a socket, so the fuzz target `exporter_request` runs exactly this code.
//!
//! The checks, in order, each with its answer:
//!
//! 1. The head is at most [`MAX_HEAD`] bytes with at most [`MAX_HEADERS`] fields, else 431
//!    (Request Header Fields Too Large); what `httparse` cannot read is 400, an HTTP version
//!    other than 1.0 and 1.1 is 505.
//! 2. The request target is origin-form (`/path?query`) or absolute-form (`http://host/path`),
//!    else 400.
//! 3. RFC 9112, section 3.2: "A server MUST respond with a 400 (Bad Request) status code to any
//!    HTTP/1.1 request message that lacks a Host header field and to any request message that
//!    contains more than one Host header field line or a Host header field with an invalid
//!    field value." The host of an absolute-form target takes the place of the header's.
//! 4. The host must be one this exporter answers for ([`Hosts`]), else 421 (Misdirected
//!    Request): the defence against DNS rebinding.
//! 5. GET and HEAD only, else 405.
//!
//! A `/probe` query ([`probe_query`]) names one `target` and at most one `servername`, each
//! once, each checked as `--targets` checks them (`target_list`), else 400.

use std::net::{IpAddr, SocketAddr};

use http::uri::Authority;
use http::{Method, StatusCode, Uri};
use percent_encoding::percent_decode_str;

use super::target_list::{Target, check_servername, split_host_port};

/// The most bytes of a request head: the request line and every header field, up to and
/// including the blank line. Prometheus sends some 300.
pub(crate) const MAX_HEAD: usize = 8 * 1024;

/// The most header fields in a request head. Prometheus sends five or six, a browser some
/// fifteen.
pub(crate) const MAX_HEADERS: usize = 32;

/// Why a request is not answered as asked: the status, and a line that says why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

/// A request head read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) method: Method,
    /// The path of the target, as sent (`/metrics`).
    pub(crate) path: String,
    /// The query of the target, as sent (without the `?`).
    pub(crate) query: Option<String>,
    /// The host the request names, from an absolute-form target or the `Host` field, in lower
    /// case (an IPv6 address between brackets); `None` when it names none (HTTP/1.0 without
    /// `Host`, or an empty `Host`).
    pub(crate) host: Option<String>,
    /// The port the request names with its host.
    pub(crate) port: Option<u16>,
    /// The bytes of the head, blank line included; what follows is a body, never read.
    pub(crate) head_length: usize,
}

impl Request {
    /// HEAD: the answer's head without its body.
    pub(crate) fn head_only(&self) -> bool {
        self.method == Method::HEAD
    }
}

/// What the bytes received so far hold.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Head {
    /// A head not yet complete, and within the caps: read on.
    Partial,
    /// A complete head.
    Complete(Request),
}

/// Reads the head at the start of `bytes` (steps 1 to 3 above): complete, partial, or refused.
/// A partial head of [`MAX_HEAD`] bytes or more is refused with 431: it can only grow.
pub(crate) fn parse_head(bytes: &[u8]) -> Result<Head, Refusal> {
    let too_large = || {
        Refusal::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("a request head is at most {MAX_HEAD} bytes and {MAX_HEADERS} fields"),
        )
    };
    let capped = bytes.get(..MAX_HEAD).unwrap_or(bytes);
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut fields);
    let length = match request.parse(capped) {
        Ok(httparse::Status::Complete(length)) => length,
        Ok(httparse::Status::Partial) if capped.len() >= MAX_HEAD => return Err(too_large()),
        Ok(httparse::Status::Partial) => return Ok(Head::Partial),
        Err(httparse::Error::TooManyHeaders) => return Err(too_large()),
        Err(httparse::Error::Version) => return Err(version_refusal(capped)),
        Err(error) => return Err(Refusal::bad(format!("not an HTTP request: {error}"))),
    };
    // Complete: httparse has set the method, the target and the version.
    let (Some(method), Some(target), Some(version)) =
        (request.method, request.path, request.version)
    else {
        return Err(Refusal::bad("not an HTTP request"));
    };
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| Refusal::bad(format!("`{method}` is not a method")))?;
    let uri: Uri = target
        .parse()
        .map_err(|error| Refusal::bad(format!("`{target}` is not a request target: {error}")))?;
    let (path, query, named) = match (uri.scheme_str(), uri.authority()) {
        (None, None) if target.starts_with('/') => (uri.path(), uri.query(), None),
        (Some("http"), Some(authority)) => (uri.path(), uri.query(), Some(authority.clone())),
        _ => {
            return Err(Refusal::bad(format!(
                "`{target}` is not a request target this server takes: /path or http://host/path"
            )));
        }
    };
    let mut hosts = request
        .headers
        .iter()
        .filter(|field| field.name.eq_ignore_ascii_case("host"));
    let field = match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => return Err(Refusal::bad("more than one Host header field")),
        (Some(field), None) => Some(field.value),
        (None, _) if version == 1 => {
            return Err(Refusal::bad(
                "an HTTP/1.1 request without a Host header field",
            ));
        }
        (None, _) => None,
    };
    let field = match field.map(str::from_utf8) {
        Some(Ok(text)) => Some(text.trim()),
        Some(Err(_)) => return Err(Refusal::bad("a Host header field that is not ASCII")),
        None => None,
    };
    let authority = match (named, field) {
        // RFC 9112, section 3.2.2: the target's authority, whatever the field says.
        (Some(authority), _) => Some(authority),
        (None, None | Some("")) => None,
        (None, Some(text)) => Some(
            text.parse::<Authority>()
                .map_err(|_| Refusal::bad(format!("`Host: {text}` is not HOST[:PORT]")))?,
        ),
    };
    let (host, port) = match authority {
        Some(authority) => {
            let (host, port) = host_and_port(&authority)?;
            (Some(host), port)
        }
        None => (None, None),
    };
    Ok(Head::Complete(Request {
        method,
        path: path.to_string(),
        query: query.map(str::to_string),
        host,
        port,
        head_length: length,
    }))
}

/// 505 for a version HTTP names but this server does not speak (`HTTP/2.0`, the preface of
/// HTTP/2 with prior knowledge), 400 for a request line that is not HTTP at all.
fn version_refusal(bytes: &[u8]) -> Refusal {
    let line = bytes
        .split(|byte| *byte == b'\n')
        .next()
        .unwrap_or_default();
    let version = line.trim_ascii_end().rsplit(|byte| *byte == b' ').next();
    match version {
        Some(version) if version.starts_with(b"HTTP/") => Refusal::new(
            StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            "HTTP/1.0 and HTTP/1.1 only",
        ),
        _ => Refusal::bad("not an HTTP request line: HTTP/1.0 and HTTP/1.1 only"),
    }
}

/// The host (lower case) and the port of an authority without user information, whose port,
/// when written, is a number.
fn host_and_port(authority: &Authority) -> Result<(String, Option<u16>), Refusal> {
    let text = authority.as_str();
    let invalid = || Refusal::bad(format!("`{text}` is not HOST[:PORT]"));
    if text.contains('@') {
        return Err(invalid());
    }
    let host = authority.host();
    // http reads a port that is not a number (or past 65535) as no port at all.
    let written = text.len() > host.len();
    let port = authority.port_u16();
    if host.is_empty() || (written && port.is_none()) {
        return Err(invalid());
    }
    Ok((host.to_ascii_lowercase(), port))
}

/// The hosts this exporter answers for: the address a connection came in on, `localhost` when
/// that is a loopback address, and the names of `--allow-host`.
///
/// A page in a browser on the operator's machine can reach a loopback exporter through DNS
/// rebinding: it loads from `http://attacker.example:9916/`, whose name then resolves to
/// 127.0.0.1, and its scripts read the answers as same-origin. The browser still sends `Host:
/// attacker.example:9916`: refusing hosts not named here ends the attack. The address itself
/// (an IP literal) and `localhost` (RFC 6761, section 6.3: resolved to loopback by the system,
/// never by DNS; browsers do the same) cannot be rebound; a name under the operator's control
/// is allowed by naming it.
#[derive(Clone, Debug)]
pub(crate) struct Hosts {
    /// The names of `--allow-host`, in lower case.
    names: Vec<String>,
}

impl Hosts {
    /// The hosts allowed besides the listening address: `names`, each checked as a DNS name
    /// or an IP address.
    pub(crate) fn new(names: &[String]) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for name in names {
            check_servername(name).map_err(|problem| format!("--allow-host {problem}"))?;
            allowed.push(name.to_ascii_lowercase());
        }
        Ok(Self { names: allowed })
    }

    /// Whether `request`, which came in on `local`, names a host this exporter answers for
    /// (step 4 above). A request that names no host is answered: only an HTTP/1.0 client can
    /// send one, and browsers (the rebinding attack's vehicle) always name the host.
    pub(crate) fn check(&self, request: &Request, local: SocketAddr) -> Result<(), Refusal> {
        let Some(host) = &request.host else {
            return Ok(());
        };
        let on_our_port = request.port.is_none_or(|port| port == local.port());
        let literal = host
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .unwrap_or(host)
            .parse::<IpAddr>()
            .ok();
        let ours = match literal {
            Some(ip) => on_our_port && ip.to_canonical() == local.ip().to_canonical(),
            None if host == "localhost" => on_our_port && local.ip().to_canonical().is_loopback(),
            None => false,
        };
        if ours || self.names.iter().any(|name| name == host) {
            return Ok(());
        }
        let port = request.port.map(|p| format!(":{p}")).unwrap_or_default();
        Err(Refusal::new(
            StatusCode::MISDIRECTED_REQUEST,
            format!(
                "this exporter answers for {local} and --allow-host names, not for \
                 `{host}{port}` (the defence against DNS rebinding; add --allow-host {host} if \
                 it is yours)"
            ),
        ))
    }
}

/// Whether the method is one this exporter answers (step 5 above).
pub(crate) fn check_method(request: &Request) -> Result<(), Refusal> {
    if request.method == Method::GET || request.method == Method::HEAD {
        Ok(())
    } else {
        Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{}: only GET and HEAD", request.method),
        ))
    }
}

/// The `target` (and `servername`) of a `/probe` query. Keys and values are percent-decoded
/// (and `+` is a space, as in a form); other keys (blackbox's `module`) are not ours to judge.
pub(crate) fn probe_query(query: &str) -> Result<Target, Refusal> {
    let (mut server, mut servername) = (None, None);
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match decode(key)?.as_str() {
            "target" => &mut server,
            "servername" => &mut servername,
            _ => continue,
        };
        if slot.is_some() {
            return Err(Refusal::bad(format!(
                "`{}` given twice in the query",
                decode(key)?
            )));
        }
        *slot = Some(decode(value)?);
    }
    let server = server.ok_or_else(|| Refusal::bad("/probe needs ?target=HOST:PORT"))?;
    split_host_port(&server).map_err(Refusal::bad)?;
    if let Some(name) = &servername {
        check_servername(name).map_err(Refusal::bad)?;
    }
    Ok(Target { server, servername })
}

/// A query key or value: `+` a space, `%XX` the byte, UTF-8 once decoded.
fn decode(text: &str) -> Result<String, Refusal> {
    let spaced = text.replace('+', " ");
    percent_decode_str(&spaced)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| Refusal::bad(format!("`{text}` is not UTF-8 once decoded")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(bytes: &[u8]) -> Request {
        match parse_head(bytes) {
            Ok(Head::Complete(request)) => request,
            other => panic!("{other:?}"),
        }
    }

    fn refused(bytes: &[u8]) -> (u16, String) {
        match parse_head(bytes) {
            Err(refusal) => (refusal.status.as_u16(), refusal.message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn heads() {
        let request = complete(b"GET /probe?target=a%3A1 HTTP/1.1\r\nHost: 127.0.0.1:9916\r\n\r\n");
        assert_eq!(request.method, Method::GET);
        assert_eq!(request.path, "/probe");
        assert_eq!(request.query.as_deref(), Some("target=a%3A1"));
        assert_eq!(request.host.as_deref(), Some("127.0.0.1"));
        assert_eq!(request.port, Some(9916));
        assert_eq!(request.head_length, 58);
        // Absolute form: its authority is the host, whatever Host says.
        let request =
            complete(b"HEAD http://Exporter.Example:80/metrics HTTP/1.1\r\nHost: x\r\n\r\nbody");
        assert!(request.head_only());
        assert_eq!(request.host.as_deref(), Some("exporter.example"));
        assert_eq!(
            (request.path.as_str(), request.port),
            ("/metrics", Some(80))
        );
        // HTTP/1.0 may name no host; IPv6 between brackets.
        assert_eq!(complete(b"GET / HTTP/1.0\r\n\r\n").host, None);
        let request = complete(b"GET / HTTP/1.1\r\nhost: [::1]:1\r\n\r\n");
        assert_eq!(
            (request.host.as_deref(), request.port),
            (Some("[::1]"), Some(1))
        );
        assert_eq!(
            parse_head(b"GET /metrics HTTP/1.1\r\nHost: a\r\n"),
            Ok(Head::Partial)
        );
        assert_eq!(parse_head(b""), Ok(Head::Partial));
    }

    #[test]
    fn refusals() {
        assert_eq!(refused(b"NONSENSE\r\n\r\n").0, 400);
        assert_eq!(refused(b"GET / SPDY/3\r\n\r\n").0, 400);
        assert_eq!(
            refused(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            (505, "HTTP/1.0 and HTTP/1.1 only".into())
        );
        assert_eq!(
            refused(b"GET / HTTP/1.1\r\n\r\n"),
            (
                400,
                "an HTTP/1.1 request without a Host header field".into()
            )
        );
        assert_eq!(
            refused(b"GET / HTTP/1.1\r\nHost: a\r\nHOST: b\r\n\r\n"),
            (400, "more than one Host header field".into())
        );
        for host in ["a b", "user@a", "a:b", "a:99999", "[::1", ":80"] {
            let head = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
            assert_eq!(refused(head.as_bytes()).0, 400, "{host}");
        }
        assert_eq!(
            refused(b"GET https://a/ HTTP/1.1\r\nHost: a\r\n\r\n").0,
            400
        );
        assert_eq!(refused(b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n").0, 400);
        assert_eq!(refused(b"GET metrics HTTP/1.1\r\nHost: a\r\n\r\n").0, 400);
        // The caps: a head that can only grow past MAX_HEAD, and too many fields.
        let mut huge = b"GET / HTTP/1.1\r\nX: ".to_vec();
        huge.resize(MAX_HEAD, b'a');
        assert_eq!(refused(&huge).0, 431);
        assert_eq!(parse_head(&huge[..MAX_HEAD - 1]), Ok(Head::Partial));
        let many = format!(
            "GET / HTTP/1.1\r\n{}\r\n",
            "A: b\r\n".repeat(MAX_HEADERS + 1)
        );
        assert_eq!(refused(many.as_bytes()).0, 431);
    }

    #[test]
    fn hosts() {
        let local: SocketAddr = "127.0.0.1:9916".parse().unwrap();
        let hosts = Hosts::new(&["Prometheus.Example".into()]).unwrap();
        let check = |host: &str, local: SocketAddr| {
            let head = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");
            hosts
                .check(&complete(head.as_bytes()), local)
                .map_err(|r| r.status.as_u16())
        };
        for host in [
            "127.0.0.1:9916",
            "127.0.0.1",
            "localhost:9916",
            "LOCALHOST",
            "prometheus.example",
            "prometheus.example:443",
        ] {
            assert_eq!(check(host, local), Ok(()), "{host}");
        }
        for host in [
            "127.0.0.1:9917",
            "127.0.0.2:9916",
            "attacker.example:9916",
            "localhost.:9916",
            "[::1]:9916",
        ] {
            assert_eq!(check(host, local), Err(421), "{host}");
        }
        // On a public address, localhost is not this server.
        let public: SocketAddr = "192.0.2.1:9916".parse().unwrap();
        assert_eq!(check("localhost:9916", public), Err(421));
        assert_eq!(check("192.0.2.1:9916", public), Ok(()));
        // An IPv4 client of a dual-stack socket.
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:9916".parse().unwrap();
        assert_eq!(check("127.0.0.1:9916", mapped), Ok(()));
        let v6: SocketAddr = "[::1]:9916".parse().unwrap();
        assert_eq!(check("[::1]:9916", v6), Ok(()));
        assert!(Hosts::new(&["bad name".into()]).is_err());
        // HTTP/1.0 without Host.
        assert_eq!(
            hosts.check(&complete(b"GET / HTTP/1.0\r\n\r\n"), local),
            Ok(())
        );
    }

    #[test]
    fn queries() {
        let target = |server: &str, servername: Option<&str>| Target {
            server: server.into(),
            servername: servername.map(Into::into),
        };
        assert_eq!(
            probe_query("target=127.0.0.1%3A4433&module=ocsp"),
            Ok(target("127.0.0.1:4433", None))
        );
        assert_eq!(
            probe_query("target=%5B%3A%3A1%5D:443&servername=example.com"),
            Ok(target("[::1]:443", Some("example.com")))
        );
        assert_eq!(
            probe_query("tar%67et=a.example&&"),
            Ok(target("a.example", None))
        );
        let refused = |query: &str| probe_query(query).unwrap_err();
        assert_eq!(refused("").message, "/probe needs ?target=HOST:PORT");
        assert_eq!(refused("target=").message, "no server given");
        assert_eq!(
            refused("target=a&target=b").message,
            "`target` given twice in the query"
        );
        assert_eq!(
            refused("target=%ff").message,
            "`%ff` is not UTF-8 once decoded"
        );
        assert_eq!(refused("target=a+b").status, StatusCode::BAD_REQUEST);
        assert_eq!(refused("target=%zz").status, StatusCode::BAD_REQUEST);
        assert!(
            refused("target=http://example.com/")
                .message
                .contains("is a URL")
        );
        assert_eq!(
            refused("target=a&servername=").message,
            "`` is not a server name (a DNS name or an IP address)"
        );
    }
}
