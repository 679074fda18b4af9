//! The syntax of a server to probe (`HOST[:PORT]`) and of a `--targets` file: bytes in, typed
//! targets out, with nothing read from the system.
//!
//! Self-contained (the library and std only): the fuzz target `targets_file` compiles this file
//! by path, and so does `exporter_request` (a `/probe?target=` is checked by the same rules).

use ocsp_verify::pki_types::ServerName;

/// The most a `--targets` file may hold: 1 MiB, some 20,000 lines of `host:port name`.
pub(crate) const MAX_TARGETS_FILE: u64 = 1024 * 1024;

/// The most targets one run (or one exporter) probes.
pub(crate) const MAX_TARGETS: usize = 10_000;

/// The port of a server given without one: HTTPS's.
const DEFAULT_PORT: u16 = 443;

/// One server to probe: `HOST[:PORT]` as given, and the name to send in SNI and check the
/// certificate against (`None`: the host, or `--servername`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Target {
    pub(crate) server: String,
    pub(crate) servername: Option<String>,
}

/// `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT`, or a bare IPv6 address: the host and the port.
///
/// The host must be a DNS name or an IP address as rustls-pki-types' `ServerName` reads them
/// (letters, digits, `-` and `_` in labels of at most 63 characters, 253 in all; an IPv6
/// address only between brackets or bare): a URL, a `%` escape or a space is refused here,
/// before anything is resolved.
pub(crate) fn split_host_port(server: &str) -> Result<(String, u16), String> {
    if let Some((scheme, rest)) = server.split_once("://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        return Err(format!(
            "`{server}` is a URL ({scheme}://): give the server as HOST or HOST:PORT, as in \
             `ocsp-check tls {}`",
            if host.is_empty() { "example.com" } else { host }
        ));
    }
    let port = |text: &str| match text.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("`{text}` is not a port number")),
        Ok(port) => Ok(port),
    };
    let (host, port) = if let Some(rest) = server.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("`{server}`: no closing `]`"))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`{server}`: `[{host}]` is not an IPv6 address"));
        }
        match after.strip_prefix(':') {
            Some(text) => (host, port(text)?),
            None if after.is_empty() => (host, DEFAULT_PORT),
            None => return Err(format!("`{server}` is not HOST[:PORT]")),
        }
    } else {
        match server.split_once(':') {
            // More than one colon and no brackets: an IPv6 address without a port.
            Some((_, rest)) if rest.contains(':') => (server, DEFAULT_PORT),
            Some((host, text)) => (host, port(text)?),
            None if server.is_empty() => return Err("no server given".into()),
            None => (server, DEFAULT_PORT),
        }
    };
    if ServerName::try_from(host).is_err() {
        return Err(format!(
            "`{server}`: `{host}` is neither a DNS name nor an IP address"
        ));
    }
    Ok((host.to_string(), port))
}

/// Checks a name to send in SNI: a DNS name or an IP address.
pub(crate) fn check_servername(name: &str) -> Result<(), String> {
    ServerName::try_from(name)
        .map(|_| ())
        .map_err(|_| format!("`{name}` is not a server name (a DNS name or an IP address)"))
}

/// The targets in a `--targets` file's bytes: UTF-8 text, one `HOST[:PORT] [SERVERNAME]` a line;
/// `#` starts a comment (a whole line, or the rest of one); blank lines are skipped. Every
/// server and name is checked ([`split_host_port`], [`check_servername`]); an error names the
/// line. At most [`MAX_TARGETS`] targets; the caller caps the bytes at [`MAX_TARGETS_FILE`].
pub(crate) fn parse(bytes: &[u8]) -> Result<Vec<Target>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "is not UTF-8 text (at byte {}): not a targets file",
            e.valid_up_to()
        )
    })?;
    let mut targets = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index.saturating_add(1);
        let content = line.split('#').next().unwrap_or_default();
        let mut words = content.split_whitespace();
        let Some(server) = words.next() else {
            continue;
        };
        let servername = words.next();
        if let Some(extra) = words.next() {
            return Err(format!(
                "line {number}: `{extra}` after the server name: one `HOST[:PORT] [SERVERNAME]` \
                 a line"
            ));
        }
        split_host_port(server).map_err(|problem| format!("line {number}: {problem}"))?;
        if let Some(name) = servername {
            check_servername(name).map_err(|problem| format!("line {number}: {problem}"))?;
        }
        if targets.len() == MAX_TARGETS {
            return Err(format!(
                "line {number}: more than {MAX_TARGETS} targets, the most one run probes"
            ));
        }
        targets.push(Target {
            server: server.to_string(),
            servername: servername.map(str::to_string),
        });
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port() {
        let ok = |s: &str| split_host_port(s).unwrap();
        assert_eq!(ok("example.com"), ("example.com".into(), 443));
        assert_eq!(ok("example.com:8443"), ("example.com".into(), 8443));
        assert_eq!(ok("_acme.example.com:1"), ("_acme.example.com".into(), 1));
        assert_eq!(ok("127.0.0.1:4433"), ("127.0.0.1".into(), 4433));
        assert_eq!(ok("[::1]:4433"), ("::1".into(), 4433));
        assert_eq!(ok("[::1]"), ("::1".into(), 443));
        assert_eq!(ok("::1"), ("::1".into(), 443));
        let err = |s: &str| split_host_port(s).unwrap_err();
        assert_eq!(err("example.com:https"), "`https` is not a port number");
        assert_eq!(err("example.com:0"), "`0` is not a port number");
        assert_eq!(err("example.com:65536"), "`65536` is not a port number");
        assert_eq!(err("[::1"), "`[::1`: no closing `]`");
        assert_eq!(err("[::1]x"), "`[::1]x` is not HOST[:PORT]");
        assert_eq!(
            err("[example.com]:443"),
            "`[example.com]:443`: `[example.com]` is not an IPv6 address"
        );
        assert_eq!(err(""), "no server given");
        assert_eq!(
            err("%zz:443"),
            "`%zz:443`: `%zz` is neither a DNS name nor an IP address"
        );
        assert_eq!(
            err("a b"),
            "`a b`: `a b` is neither a DNS name nor an IP address"
        );
        assert_eq!(
            err(":443"),
            "`:443`: `` is neither a DNS name nor an IP address"
        );
        assert!(err("https://example.com/").contains("is a URL (https://)"));
    }

    #[test]
    fn files_of_targets() {
        let text = b"# monitored\n\nexample.com\n  127.0.0.1:4433 localhost # the lab\n[::1]:443\n";
        assert_eq!(
            parse(text).unwrap(),
            [
                Target {
                    server: "example.com".into(),
                    servername: None
                },
                Target {
                    server: "127.0.0.1:4433".into(),
                    servername: Some("localhost".into())
                },
                Target {
                    server: "[::1]:443".into(),
                    servername: None
                },
            ]
        );
        assert_eq!(
            parse(b"a b c\n").unwrap_err(),
            "line 1: `c` after the server name: one `HOST[:PORT] [SERVERNAME]` a line"
        );
        assert_eq!(
            parse(b"\nx:y\n").unwrap_err(),
            "line 2: `y` is not a port number"
        );
        assert_eq!(
            parse(b"example.com bad/name\n").unwrap_err(),
            "line 1: `bad/name` is not a server name (a DNS name or an IP address)"
        );
        assert_eq!(
            parse(b"ok\n\xff\n").unwrap_err(),
            "is not UTF-8 text (at byte 3): not a targets file"
        );
        assert!(parse(b"").unwrap().is_empty());
        let many = "example.com\n".repeat(MAX_TARGETS + 1);
        assert_eq!(
            parse(many.as_bytes()).unwrap_err(),
            "line 10001: more than 10000 targets, the most one run probes"
        );
        assert_eq!(
            parse(many.as_bytes().split_at(12 * MAX_TARGETS).0)
                .unwrap()
                .len(),
            MAX_TARGETS
        );
    }
}
