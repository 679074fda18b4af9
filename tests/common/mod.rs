//! Helpers shared by the integration tests: reading vectors, times, hex, error names.

#![allow(dead_code)]

pub mod der_builder;

#[cfg(feature = "cli")]
pub mod cli;
pub mod ring;
#[cfg(feature = "stapler")]
pub mod stapling;

use std::path::{Path, PathBuf};
use std::time::Duration;

use ocsp_verify::display::Rfc3339;
use ocsp_verify::{Error, UnixTime};

/// `test-vectors/` of this crate.
pub fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors")
}

/// Reads a file under `test-vectors/`.
pub fn read(relative: impl AsRef<Path>) -> Vec<u8> {
    let path = vectors().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads and parses a JSON file under `test-vectors/`.
pub fn json(relative: &str) -> serde_json::Value {
    serde_json::from_slice(&read(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// `YYYY-MM-DDTHH:MM:SSZ` to a `UnixTime`.
pub fn time(value: &str) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs(value)))
}

/// `YYYY-MM-DDTHH:MM:SSZ` to unix seconds.
pub fn secs(value: &str) -> u64 {
    let b = value.as_bytes();
    assert!(
        b.len() == 20 && b[19] == b'Z',
        "not a UTC RFC 3339 time: {value}"
    );
    let n = |r: std::ops::Range<usize>| value[r].parse::<u64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    let (y, mp) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y / 400;
    let yoe = y - era * 400;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

/// Hex to bytes.
pub fn hex(value: &str) -> Vec<u8> {
    assert!(value.len().is_multiple_of(2), "odd hex: {value}");
    (0..value.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&value[i..i + 2], 16).unwrap())
        .collect()
}

/// Bytes to lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The variant name of an error, without its payload: `BadDer(CertId)` is `BadDer`,
/// `ResponseExpired { .. }` is `ResponseExpired`.
pub fn variant(error: &Error) -> String {
    let debug = format!("{error:?}");
    debug
        .split(['(', ' '])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// An error as the manifests write it: `{"error": variant}`, with the times of a time error
/// (RFC 3339) and the status of an unsuccessful response.
pub fn error_json(error: &Error) -> serde_json::Value {
    let mut json = serde_json::json!({"error": variant(error)});
    let rfc3339 = |time: &UnixTime| serde_json::Value::from(Rfc3339::new(*time).to_string());
    match error {
        Error::ResponseExpired { time, not_after }
        | Error::ResponseTooOld { time, not_after }
        | Error::ResponderExpired { time, not_after } => {
            json["time"] = rfc3339(time);
            json["not_after"] = rfc3339(not_after);
        }
        Error::ResponseNotYetValid { time, not_before }
        | Error::ResponderNotYetValid { time, not_before } => {
            json["time"] = rfc3339(time);
            json["not_before"] = rfc3339(not_before);
        }
        Error::UnsuccessfulResponse(status) => {
            json["response_status"] = serde_json::Value::from(status.name());
        }
        _ => {}
    }
    json
}

/// Dotted form of an OID's content bytes.
pub fn dotted(oid_contents: &[u8]) -> String {
    const_oid::ObjectIdentifier::from_bytes(oid_contents)
        .map(|oid| oid.to_string())
        .unwrap_or_else(|e| format!("<bad oid {e}>"))
}

/// Dotted OID of the contents of an AlgorithmIdentifier (OID TLV first).
pub fn algorithm_oid(algorithm: &[u8]) -> String {
    assert_eq!(
        algorithm[0], 0x06,
        "AlgorithmIdentifier must start with an OID"
    );
    let len = usize::from(algorithm[1]);
    dotted(&algorithm[2..2 + len])
}
