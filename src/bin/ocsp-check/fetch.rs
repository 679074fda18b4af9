//! `ocsp-check fetch`: ask the responder, verify the answer, save it for stapling.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ocsp_verify::fetch::{BadAnswer, FetchError, FetchMethod, Fetcher, Unreachable};
use ocsp_verify::{Certificate, Error, HashAlgorithm, Issuer, UnixTime};

use crate::Exit;
use crate::input::{self, InputError};
use crate::request::fresh_nonce;
use crate::verify::{Options, invalid_json, report_input_error};

pub(crate) const LONG_ABOUT: &str = "\
Ask the certificate's OCSP responder (the http:// URLs of its authorityInfoAccess, in order, or \
--url) over plain HTTP, with a fresh 32-byte nonce unless --no-nonce; verify the answer as \
`verify` does, with the nonce sent; print it as `verify` does (the same lines, the same JSON \
object); and with --out save it for a TLS server to staple, like OpenBSD's `ocspcheck -o`.

The response is saved only when it verified, whatever the status it gives: a revoked answer \
replaces an older good one, so that the server stops stapling `good` for a revoked certificate. \
The file is replaced atomically (written beside it, then renamed).

A responder that cannot be reached, times out, or answers something that is not a valid \
response exits 3, with the reason as the JSON error code: responder_unreachable, \
responder_timeout, http_status, bad_content_type, response_too_large, http_protocol, a parse \
error of the body (bad_der, ...), or the verifier's code for a response that does not verify \
(missing_nonce, invalid_signature, response_expired, ...). The request is sent by GET when the \
URL is shorter than 255 bytes, else by POST (RFC 5019); responses are read up to 64 KiB.";

pub(crate) const EXAMPLE: &str = "\
Examples:
  ocsp-check fetch --cert server.pem --issuer intermediate.pem --out /var/www/ocsp.der
  ocsp-check fetch --cert server.pem --issuer intermediate.pem --quiet --min-remaining 86400

Responders behind caches (RFC 5019) answer without a nonce: use --no-nonce for those.

Exit status: 0 good, 1 revoked, 2 unknown, 3 no valid response (unreachable, nonsense, or \
refused by the verifier), 4 usage or input error (no http:// responder URL: give --url), 5 good \
but fewer than --min-remaining seconds left.";

/// Arguments of `fetch`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The certificate to ask about (PEM or DER; the first of a bundle).
    #[arg(long, value_name = "PATH")]
    cert: PathBuf,
    /// The certificate's issuer (PEM or DER).
    #[arg(long, value_name = "PATH")]
    issuer: PathBuf,
    /// The responder to ask instead of those the certificate names (authorityInfoAccess).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Save the response, once verified, to this file (for a server to staple).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Send no nonce and expect none (responders behind caches ignore nonces; a response
    /// without one may be a replay of an older answer still within its validity).
    #[arg(long = "no-nonce")]
    no_nonce: bool,
    /// Hash the CertID with SHA-256 instead of SHA-1 (not every responder understands it).
    #[arg(long)]
    sha256: bool,
    /// Seconds allowed for the whole exchange, every responder URL included.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    #[command(flatten)]
    options: Options,
}

/// The bytes read from the files.
struct Inputs {
    cert: Vec<u8>,
    issuer: Vec<u8>,
    trusted: Vec<Vec<u8>>,
}

impl Inputs {
    fn read(args: &Args) -> Result<Self, InputError> {
        let trusted = args.options.trusted()?;
        Ok(Self {
            cert: input::certificate(&args.cert)?,
            issuer: input::certificate(&args.issuer)?,
            trusted,
        })
    }
}

/// Runs `fetch`.
pub(crate) fn run(args: &Args) -> Exit {
    let options = &args.options;
    let inputs = match Inputs::read(args) {
        Ok(inputs) => inputs,
        Err(error) => return report_input_error(&error, options.json),
    };
    let nonce = if args.no_nonce {
        None
    } else {
        match fresh_nonce() {
            Ok(nonce) => Some(nonce),
            Err(error) => {
                return report_error(
                    options,
                    Exit::Usage,
                    "random_failed",
                    &format!("no random bytes for the nonce: {error}"),
                );
            }
        }
    };
    let nonce = nonce.as_ref().map(|n| &n[..]);
    let now = options.at.unwrap_or_else(UnixTime::now);

    // The files were checked to hold certificates when read.
    let (Ok(cert), Ok(issuer)) = (
        Certificate::from_der(&inputs.cert),
        Certificate::from_der(&inputs.issuer),
    ) else {
        return report_error(
            options,
            Exit::Usage,
            "input_error",
            "unreadable certificate",
        );
    };
    let trusted: Vec<Certificate<'_>> = inputs
        .trusted
        .iter()
        .filter_map(|der| Certificate::from_der(der).ok())
        .collect();
    let fetcher = Fetcher::new(options.verifier().with_trusted_responders(&trusted))
        .with_timeout(Duration::from_secs(args.timeout.max(1)))
        .with_connect_timeout(Duration::from_secs(args.timeout.clamp(1, 5)))
        .with_method(FetchMethod::Auto)
        .with_hash_algorithm(if args.sha256 {
            HashAlgorithm::Sha256
        } else {
            HashAlgorithm::Sha1
        })
        .with_responder_url(args.url.as_deref());

    match fetcher.fetch(&cert, &Issuer::from(&issuer), nonce, now) {
        Ok(fetched) => {
            if let Some(out) = &args.out
                && let Err(error) = save(out, fetched.der())
            {
                return report_error(
                    options,
                    Exit::Usage,
                    "output_error",
                    &format!("{}: cannot write the response ({error})", out.display()),
                );
            }
            // The answer the fetcher verified, printed as `verify` prints one.
            options.report(&Ok(fetched.answer()), now)
        }
        Err(error) => {
            let (exit, code) = classify(&error);
            match &error {
                // The responder answered with an OCSP response that was refused: an answer,
                // printed as `verify` prints a refused response.
                FetchError::InvalidResponse { error: refused, .. } => {
                    let exit = options.report(&Err(*refused), now);
                    if *refused == Error::MissingNonce && !options.quiet && !options.json {
                        eprintln!("hint: the responder ignores nonces: try --no-nonce");
                    }
                    exit
                }
                _ => report_error(options, exit, code, &error.to_string()),
            }
        }
    }
}

/// The exit status and the stable JSON error code of a failed fetch.
fn classify(error: &FetchError) -> (Exit, &'static str) {
    match error {
        FetchError::Unreachable { reason, .. } => match reason {
            Unreachable::Timeout => (Exit::Invalid, "responder_timeout"),
            Unreachable::ServerError(_) => (Exit::Invalid, "http_status"),
            // A URL that cannot be used at all is the caller's (or the certificate's) mistake.
            Unreachable::InvalidUrl(_) => (Exit::Usage, "invalid_url"),
            _ => (Exit::Invalid, "responder_unreachable"),
        },
        FetchError::BadAnswer { reason, .. } => match reason {
            BadAnswer::Status(_) => (Exit::Invalid, "http_status"),
            BadAnswer::ContentType(_) => (Exit::Invalid, "bad_content_type"),
            BadAnswer::TooLarge(_) => (Exit::Invalid, "response_too_large"),
            BadAnswer::Malformed(error) => (Exit::Invalid, error.code()),
            BadAnswer::Protocol(_) => (Exit::Invalid, "http_protocol"),
            _ => (Exit::Invalid, "bad_answer"),
        },
        FetchError::InvalidResponse { error, .. } => (Exit::Invalid, error.code()),
        FetchError::InvalidRequest(error) => (Exit::Usage, error.code()),
        FetchError::NoResponderUrl => (Exit::Usage, "no_responder_url"),
        _ => (Exit::Invalid, "fetch_failed"),
    }
}

/// One line on stderr (even under `--quiet`), or the JSON object with the error.
fn report_error(options: &Options, exit: Exit, code: &str, message: &str) -> Exit {
    if options.json {
        println!("{}", invalid_json(code, message));
    } else {
        let hint = match code {
            "no_responder_url" => "; give one with --url",
            _ => "",
        };
        eprintln!("error: {message}{hint}");
    }
    exit
}

/// Writes `bytes` beside `path`, then renames it over `path`: a server reading the file sees
/// the old response or the new one, never half of one.
fn save(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let mut temporary = file_name.to_os_string();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary);
    std::fs::write(&temporary, bytes)?;
    std::fs::rename(&temporary, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temporary);
    })
}
