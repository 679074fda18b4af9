//! rustls clients and servers over the test PKI in `test-vectors/generated/pki/tls/`, and a
//! handshake driven in memory, byte for byte. Shared by `tests/handshake.rs` and
//! `benches/handshake.rs`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::ServerCertVerifier;
use rustls::client::{Resumption, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::time_provider::TimeProvider;
use rustls::{
    ClientConfig, ClientConnection, Connection, ProtocolVersion, RootCertStore, ServerConfig,
    ServerConnection, SupportedProtocolVersion,
};

/// 2026-01-01T01:00:00Z: the time every TLS vector is meant to be verified at.
pub const NOW_SECS: u64 = 1_767_229_200;

pub fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW_SECS))
}

/// A clock stopped at [`NOW_SECS`], so that the certificates and the responses are valid.
#[derive(Debug)]
pub struct FixedTime;

impl TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(now())
    }
}

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/generated")
}

/// `pki/tls/<name>.der`.
pub fn cert(name: &str) -> CertificateDer<'static> {
    let path = vectors().join(format!("pki/tls/{name}.der"));
    let der = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    CertificateDer::from(der)
}

/// `pki/tls/<name>.key` (PKCS#8 PEM).
pub fn key(name: &str) -> PrivateKeyDer<'static> {
    let path = vectors().join(format!("pki/tls/{name}.key"));
    PrivateKeyDer::from_pem_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `responses/<name>` (a path under `responses/`, without `.der`).
pub fn response(name: &str) -> Vec<u8> {
    let path = vectors().join(format!("responses/{name}.der"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The root every client trusts.
pub fn roots() -> Arc<RootCertStore> {
    let mut store = RootCertStore::empty();
    store.add(cert("tls-root")).unwrap();
    Arc::new(store)
}

/// Which server certificate the server presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Server {
    /// `tls-server`, issued by `tls-int`; the chain carries the intermediate.
    Intermediate,
    /// `tls-server-direct`, issued directly by `tls-root`.
    Direct,
    /// `tls-server-muststaple`, issued by `tls-int`, with TLS feature status_request.
    MustStaple,
    /// `tls-server`, but the chain lacks the intermediate: the inner verifier refuses it.
    MissingIntermediate,
    /// `tls-server`, with `tls-int-impostor` (tls-int's name, another key) sent before
    /// `tls-int`: the inner verifier skips it, the adapter must too.
    WithImpostor,
}

impl Server {
    pub fn chain(self) -> Vec<CertificateDer<'static>> {
        match self {
            Self::Intermediate => vec![cert("tls-server"), cert("tls-int")],
            Self::Direct => vec![cert("tls-server-direct")],
            Self::MustStaple => vec![cert("tls-server-muststaple"), cert("tls-int")],
            Self::MissingIntermediate => vec![cert("tls-server")],
            Self::WithImpostor => vec![
                cert("tls-server"),
                cert("tls-int-impostor"),
                cert("tls-int"),
            ],
        }
    }

    pub fn key(self) -> PrivateKeyDer<'static> {
        match self {
            Self::Intermediate | Self::MissingIntermediate | Self::WithImpostor => {
                key("tls-server")
            }
            Self::Direct => key("tls-server-direct"),
            Self::MustStaple => key("tls-server-muststaple"),
        }
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

/// A server presenting `server`'s chain and stapling `ocsp` (nothing when `None`).
pub fn server_config(
    server: Server,
    ocsp: Option<Vec<u8>>,
    version: ProtocolVersion,
) -> Arc<ServerConfig> {
    let builder = ServerConfig::builder_with_details(provider(), Arc::new(FixedTime))
        .with_protocol_versions(versions(version))
        .unwrap()
        .with_no_client_auth();
    let config = match ocsp {
        Some(ocsp) => builder.with_single_cert_with_ocsp(server.chain(), server.key(), ocsp),
        None => builder.with_single_cert(server.chain(), server.key()),
    };
    Arc::new(config.unwrap())
}

/// rustls' own verifier over [`roots`], as every client has it without this crate.
pub fn webpki_verifier() -> Arc<WebPkiServerVerifier> {
    WebPkiServerVerifier::builder_with_provider(roots(), provider())
        .build()
        .unwrap()
}

/// A client at [`NOW_SECS`] that checks the server with `verifier`, with resumption off.
pub fn client_config(
    verifier: Arc<dyn ServerCertVerifier>,
    version: ProtocolVersion,
) -> Arc<ClientConfig> {
    let mut config = ClientConfig::builder_with_details(provider(), Arc::new(FixedTime))
        .with_protocol_versions(versions(version))
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // Every handshake a full one: rustls does not call the verifier on a resumed session.
    config.resumption = Resumption::disabled();
    Arc::new(config)
}

/// How a handshake ended, on each side.
#[derive(Debug)]
pub struct Handshake {
    pub client: Result<(), rustls::Error>,
    pub server: Result<(), rustls::Error>,
    pub version: Option<ProtocolVersion>,
}

/// Runs a full handshake between a client connecting to `localhost` and a server, passing the
/// bytes each writes to the other until both are done or one fails (and its alert reached the
/// other).
pub fn handshake(client: Arc<ClientConfig>, server: Arc<ServerConfig>) -> Handshake {
    let name = ServerName::try_from("localhost").unwrap();
    let mut client = Connection::Client(ClientConnection::new(client, name).unwrap());
    let mut server = Connection::Server(ServerConnection::new(server).unwrap());
    let mut client_result = Ok(());
    let mut server_result = Ok(());
    for _ in 0..16 {
        let sent = transfer(&mut client, &mut server, &mut server_result)
            + transfer(&mut server, &mut client, &mut client_result);
        let done = !client.is_handshaking() && !server.is_handshaking();
        if sent == 0 || done {
            break;
        }
    }
    if client_result.is_ok() && server_result.is_ok() {
        assert!(!client.is_handshaking(), "the client's handshake stalled");
        assert!(!server.is_handshaking(), "the server's handshake stalled");
    }
    Handshake {
        client: client_result,
        server: server_result,
        version: client.protocol_version(),
    }
}

/// Moves everything `from` wants to write into `to`; returns the number of bytes.
fn transfer(
    from: &mut Connection,
    to: &mut Connection,
    to_result: &mut Result<(), rustls::Error>,
) -> usize {
    let mut bytes = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut bytes).unwrap();
    }
    let mut rest = &bytes[..];
    while !rest.is_empty() && to_result.is_ok() {
        to.read_tls(&mut rest).unwrap();
        if let Err(error) = to.process_new_packets() {
            *to_result = Err(error);
        }
    }
    bytes.len()
}
