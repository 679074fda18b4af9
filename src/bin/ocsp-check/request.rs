//! `ocsp-check request`: the DER request for a certificate, and the GET URL for its responder.

use std::path::PathBuf;

use base64::Engine as _;
use ocsp_verify::requests::{
    HttpMethod, RequestBuilder, get_url_len, http_responder_urls, write_get_url,
};
use ocsp_verify::{Certificate, Error, HashAlgorithm, Issuer};
use serde::Serialize;

use crate::Exit;
use crate::chain;
use crate::describe::hex;
use crate::input::InputError;
use crate::output::{self, OutputError, Written};
use crate::report::{self, ErrorReport, Format};

pub(crate) const LONG_ABOUT: &str = "\
Build the OCSP request (RFC 6960 section 4.1) for a certificate: a SHA-1 CertID (SHA-256 with \
--sha256) made from the certificate's serial and its issuer's name and key, and with --nonce a \
fresh 32-byte nonce from the operating system's random source. Prints the GET URL for the \
responder the certificate names in its authorityInfoAccess (or --url), writes the DER with \
--out, and prints the nonce in hex to pass to `verify --nonce`.

--out replaces a file atomically, keeping its permissions and owner, writes through a symlink, \
refuses anything that is not a regular file, and takes - for stdout (the report then goes to \
stderr). --cert may be a fullchain bundle, the issuer after the certificate: then --issuer can \
be left out.

The GET form is what RFC 5019 clients use when the whole URL is shorter than 255 bytes; \
longer requests are POSTed (the `method` line says which).";

pub(crate) const EXAMPLE: &str = "\
Example (then fetch the URL with any HTTP client, and verify the answer):
  ocsp-check request --cert test-vectors/generated/pki/rsa-ee.pem \\
      --issuer test-vectors/generated/pki/rsa-ca.pem --out request.der
  curl -s \"$URL\" > response.der   # or POST request.der with curl --data-binary
  ocsp-check verify --response response.der --cert ... --issuer ... [--nonce HEX]

Exit status: 0 the request was made, 4 an unreadable input, an issuer that is not the \
certificate's, or no http:// responder URL (give one with --url).";

/// Arguments of `request`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The certificate to ask about (PEM or DER); a bundle with its issuer next
    /// (fullchain.pem) makes --issuer optional.
    #[arg(long, value_name = "PATH")]
    cert: PathBuf,
    /// The certificate's issuer (PEM or DER; from a bundle, the one that issued --cert)
    /// [default: the certificate after the first in --cert].
    #[arg(long, value_name = "PATH")]
    issuer: Option<PathBuf>,
    /// Add a fresh random 32-byte nonce (RFC 9654), printed in hex for `verify --nonce`.
    #[arg(long)]
    nonce: bool,
    /// Hash the CertID with SHA-256 instead of SHA-1 (not every responder understands it).
    #[arg(long)]
    sha256: bool,
    /// Write the DER request to this file (`-`: stdout).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// The responder to ask instead of the one the certificate names (authorityInfoAccess).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Print exactly one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Print nothing on stdout (the request is still written with --out). Errors still print
    /// one line on stderr.
    #[arg(long, short = 'q', conflicts_with = "json")]
    quiet: bool,
}

/// Why a request could not be made.
enum Problem {
    Input(InputError),
    Request(Error),
    NoResponder,
    Random(String),
    Write(OutputError),
}

impl Problem {
    fn code(&self) -> &'static str {
        match self {
            Self::Input(_) => "input_error",
            Self::Request(error) => error.code(),
            Self::NoResponder => "no_responder_url",
            Self::Random(_) => "random_failed",
            Self::Write(_) => "output_error",
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Input(error) => write!(f, "{error}"),
            Self::Request(Error::IssuerNameMismatch) => f.write_str(
                "--issuer is not the certificate's issuer (its subject is not the \
                 certificate's issuer name)",
            ),
            Self::Request(error) => write!(f, "cannot build the request: {error}"),
            Self::NoResponder => f.write_str(
                "the certificate names no http:// OCSP responder (authorityInfoAccess); give \
                 one with --url",
            ),
            Self::Random(error) => write!(f, "no random bytes for the nonce: {error}"),
            Self::Write(error) => write!(f, "{error}"),
        }
    }
}

/// A fresh 32-byte nonce from the operating system (RFC 9654 section 2.1: "MUST use a length
/// of 32 octets").
pub(crate) fn fresh_nonce() -> Result<[u8; 32], String> {
    let mut nonce = [0u8; 32];
    getrandom::getrandom(&mut nonce).map_err(|e| e.to_string())?;
    Ok(nonce)
}

/// The first `http://` responder URL of `cert`, unless `url` overrides it.
pub(crate) fn responder_url(cert: &Certificate<'_>, url: Option<&str>) -> Option<String> {
    url.map(str::to_string)
        .or_else(|| http_responder_urls(cert).next().map(str::to_string))
}

/// `SHA-1` or `SHA-256`.
fn hash_name(hash: HashAlgorithm) -> &'static str {
    match hash {
        HashAlgorithm::Sha256 => "SHA-256",
        HashAlgorithm::Sha384 => "SHA-384",
        HashAlgorithm::Sha512 => "SHA-512",
        _ => "SHA-1",
    }
}

/// What `request` made.
struct Made {
    der: Vec<u8>,
    responder: String,
    get_url: String,
    method: HttpMethod,
    nonce: Option<[u8; 32]>,
    hash: HashAlgorithm,
    serial: String,
    written: Option<Written>,
}

/// The JSON object `request` prints.
#[derive(Debug, Default, Serialize)]
struct RequestReport {
    url: Option<String>,
    method: Option<&'static str>,
    responder: Option<String>,
    nonce: Option<String>,
    hash_algorithm: Option<&'static str>,
    serial: Option<String>,
    /// The DER request, base64.
    request: Option<String>,
    /// Where it was written (`-` for stdout).
    out: Option<String>,
    error: Option<ErrorReport>,
}

impl RequestReport {
    /// The report when the request could not be made.
    pub(crate) fn failed(error: ErrorReport) -> Self {
        Self {
            error: Some(error),
            ..Self::default()
        }
    }
}

/// The JSON of `request` when its arguments could not be used.
pub(crate) fn usage_json(error: ErrorReport) -> String {
    report::json(&RequestReport::failed(error))
}

/// Runs `request`.
pub(crate) fn run(args: &Args) -> Exit {
    let format = Format::of(args.json, args.quiet);
    let to_stderr = args.out.as_deref().is_some_and(output::is_stdout);
    match make(args) {
        Ok(made) => {
            let report = RequestReport {
                url: Some(made.get_url.clone()),
                method: Some(method_name(made.method)),
                responder: Some(made.responder.clone()),
                nonce: made.nonce.as_ref().map(|n| hex(n)),
                hash_algorithm: Some(hash_name(made.hash)),
                serial: Some(made.serial.clone()),
                request: Some(base64::engine::general_purpose::STANDARD.encode(&made.der)),
                out: made.written.as_ref().map(Written::shown),
                error: None,
            };
            report::print(format, &report, &human_lines(&made), to_stderr);
            Exit::Good
        }
        Err(problem) => {
            let report =
                RequestReport::failed(ErrorReport::new(problem.code(), problem.to_string()));
            report::print(format, &report, &[], to_stderr);
            report::error_line(format, &problem);
            Exit::Usage
        }
    }
}

fn make(args: &Args) -> Result<Made, Problem> {
    let pair =
        chain::cert_and_issuer(&args.cert, args.issuer.as_deref()).map_err(Problem::Input)?;
    let cert = Certificate::from_der(&pair.cert).map_err(Problem::Request)?;
    let issuer = Certificate::from_der(&pair.issuer).map_err(Problem::Request)?;
    let hash = if args.sha256 {
        HashAlgorithm::Sha256
    } else {
        HashAlgorithm::Sha1
    };
    let nonce = if args.nonce {
        Some(fresh_nonce().map_err(Problem::Random)?)
    } else {
        None
    };
    let der =
        encode(&cert, &issuer, hash, nonce.as_ref().map(|n| &n[..])).map_err(Problem::Request)?;
    let responder = responder_url(&cert, args.url.as_deref()).ok_or(Problem::NoResponder)?;
    let get_url = get_url(&responder, &der).map_err(Problem::Request)?;
    let written = match &args.out {
        Some(out) => Some(output::write(out, &der).map_err(Problem::Write)?),
        None => None,
    };
    Ok(Made {
        method: HttpMethod::for_request(&responder, &der),
        der,
        responder,
        get_url,
        nonce,
        hash,
        serial: hex(cert.serial()),
        written,
    })
}

/// The DER `OCSPRequest`.
pub(crate) fn encode(
    cert: &Certificate<'_>,
    issuer: &Certificate<'_>,
    hash: HashAlgorithm,
    nonce: Option<&[u8]>,
) -> Result<Vec<u8>, Error> {
    let issuer = Issuer::from(issuer);
    let builder = RequestBuilder::new(cert, &issuer).with_hash_algorithm(hash);
    let mut der = vec![0u8; builder.encoded_len(nonce)?];
    let len = builder.encode(nonce, &mut der)?;
    der.truncate(len);
    Ok(der)
}

/// `{responder}/{url-encoded base64 of the DER}` (RFC 6960 Appendix A.1).
fn get_url(responder: &str, der: &[u8]) -> Result<String, Error> {
    let len = get_url_len(responder, der).unwrap_or(usize::MAX);
    let mut out = vec![0u8; len];
    let len = write_get_url(responder, der, &mut out)?;
    out.truncate(len);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn method_name(method: HttpMethod) -> &'static str {
    match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
    }
}

fn human_lines(made: &Made) -> Vec<String> {
    let mut lines = vec![format!("url:      {}", made.get_url)];
    lines.push(match made.method {
        HttpMethod::Get => "method:   GET (the URL is shorter than 255 bytes)".to_string(),
        HttpMethod::Post => format!(
            "method:   POST the DER to {} with Content-Type application/ocsp-request (the GET \
             URL is 255 bytes or longer)",
            made.responder
        ),
    });
    lines.push(format!(
        "certID:   {}, serial {}",
        hash_name(made.hash),
        made.serial
    ));
    if let Some(nonce) = &made.nonce {
        lines.push(format!(
            "nonce:    {} (pass it to `ocsp-check verify --nonce`)",
            hex(nonce)
        ));
    }
    match &made.written {
        Some(Written::File(path)) => lines.push(format!(
            "request:  {} ({} bytes, DER)",
            path.display(),
            made.der.len()
        )),
        Some(Written::Stdout) => {
            lines.push(format!(
                "request:  to stdout ({} bytes, DER)",
                made.der.len()
            ));
        }
        None => {}
    }
    lines
}
