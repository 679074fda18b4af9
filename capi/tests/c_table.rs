//! The C tests' table of vectors, `capi/tests/vectors.h`, is generated from the two manifests
//! `tests/vectors.rs` checks (`test-vectors/generated/manifest.json` and
//! `test-vectors/real-world/manifest.json`): every verification case, with the verdict the Rust
//! tests expect. This test fails when the committed table is not what the manifests make, so
//! the C tests cannot drift from the Rust ones. `OCSP_CAPI_BLESS=1 cargo test -p
//! ocsp-verify-capi --test c_table` rewrites it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::as_conversions
)]

use std::collections::BTreeSet;
use std::ffi::CStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn manifest(relative: &str) -> Value {
    let path = repository().join("test-vectors").join(relative);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

/// Seconds since the Unix epoch of a `YYYY-MM-DDTHH:MM:SSZ` time (the manifests' form).
fn seconds(value: &str) -> u64 {
    let bytes = value.as_bytes();
    assert!(
        bytes.len() == 20 && bytes[19] == b'Z',
        "not RFC 3339 UTC: {value}"
    );
    let number = |range: std::ops::Range<usize>| value[range].parse::<i64>().unwrap();
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    // Days from the civil date (the proleptic Gregorian calendar), March-based years.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    let secs = days * 86_400 + number(11..13) * 3600 + number(14..16) * 60 + number(17..19);
    u64::try_from(secs).unwrap()
}

/// `ResponseExpired` to `RESPONSE_EXPIRED`.
fn screaming(camel: &str) -> String {
    let mut out = String::new();
    for (index, c) in camel.chars().enumerate() {
        if c.is_ascii_uppercase() && index > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The names of every result code, as the library gives them.
fn result_names() -> BTreeSet<String> {
    (0..200)
        .map(|number| {
            let name = ocsp_verify_c::ocsp_result_name(number);
            // SAFETY: a static NUL-terminated string.
            unsafe { CStr::from_ptr(name) }
                .to_str()
                .unwrap()
                .to_string()
        })
        .filter(|name| name != "unknown")
        .collect()
}

/// The `OCSP_RESULT_*` constant the manifest's `expect` names.
fn expected_result(expect: &Value, names: &BTreeSet<String>) -> String {
    let Some(error) = expect.get("error").and_then(Value::as_str) else {
        return "OCSP_RESULT_OK".into();
    };
    let name = match (error, expect.get("response_status").and_then(Value::as_str)) {
        ("UnsuccessfulResponse", Some(status)) => format!("RESPONDER_{}", screaming(status)),
        (error, _) => screaming(error),
    };
    assert!(
        names.contains(&name.to_ascii_lowercase()),
        "the manifests expect {error}, which has no C result code {name}"
    );
    format!("OCSP_RESULT_{name}")
}

fn c_string(value: Option<&str>) -> String {
    match value {
        Some(text) => {
            assert!(!text.contains(['"', '\\']), "{text}");
            format!("\"{text}\"")
        }
        None => "NULL".into(),
    }
}

/// One case as a C initializer.
fn entry(
    name: &str,
    case: &Value,
    folder: &str,
    response: &str,
    names: &BTreeSet<String>,
) -> String {
    let path = |value: &Value| format!("{folder}/{}", value.as_str().unwrap());
    let expect = &case["expect"];
    let options = &case["options"];
    let now = seconds(case["now"].as_str().unwrap());
    let option = |key: &str| {
        options[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{name}: {key}"))
    };

    let trusted: Vec<String> = case["trusted_responders"]
        .as_array()
        .into_iter()
        .flatten()
        .map(path)
        .collect();
    assert!(
        trusted.len() <= 2,
        "{name}: the C table holds two trusted responders"
    );
    let trusted = |index: usize| c_string(trusted.get(index).map(String::as_str));

    let status = match expect.get("status").and_then(Value::as_str) {
        Some("good") => "OCSP_CERT_STATUS_GOOD",
        Some("revoked") => "OCSP_CERT_STATUS_REVOKED",
        Some("unknown") => "OCSP_CERT_STATUS_UNKNOWN",
        None => "OCSP_CERT_STATUS_NONE",
        Some(other) => panic!("{name}: status {other}"),
    };
    let check_revocation = expect.get("revocation_time").is_some();
    let revocation_time = expect["revocation_time"].as_str().map_or(0, seconds);
    let reason = match &expect["revocation_reason"] {
        Value::Number(code) => code.to_string(),
        _ => "OCSP_REVOCATION_REASON_NOT_GIVEN".into(),
    };
    if let Some(time) = expect.get("time").and_then(Value::as_str) {
        assert_eq!(
            seconds(time),
            now,
            "{name}: a time error is at the time of the check"
        );
    }
    let limit = ["not_after", "not_before"]
        .iter()
        .find_map(|key| expect.get(*key).and_then(Value::as_str))
        .map_or(0, seconds);
    let responder = match case.get("responder").and_then(Value::as_str) {
        Some("issuer") => "OCSP_RESPONDER_ISSUER",
        Some("delegated") => "OCSP_RESPONDER_DELEGATED",
        Some("trusted") => "OCSP_RESPONDER_TRUSTED",
        None => "OCSP_RESPONDER_NONE",
        Some(other) => panic!("{name}: responder {other}"),
    };
    let decision = match case.get("decision") {
        Some(decision) => {
            let verdict = |key: &str| match decision[key].as_str() {
                Some("accept") => "OCSP_VERDICT_ACCEPT",
                Some("reject") => "OCSP_VERDICT_REJECT",
                other => panic!("{name}: {key} {other:?}"),
            };
            let features = match decision["tls_features"].as_str() {
                Some("none_required") => "OCSP_TLS_FEATURES_NONE_REQUIRED",
                Some("status_request") => "OCSP_TLS_FEATURES_STATUS_REQUEST",
                Some("unsupported") => "OCSP_TLS_FEATURES_UNSUPPORTED",
                other => panic!("{name}: tls_features {other:?}"),
            };
            format!(
                "true, {features}, {}, {}",
                verdict("soft_fail"),
                verdict("hard_fail")
            )
        }
        None => "false, OCSP_TLS_FEATURES_NONE_REQUIRED, OCSP_VERDICT_REJECT, OCSP_VERDICT_REJECT"
            .into(),
    };

    format!(
        "    {{\"{name}\", \"{folder}/{response}\", \"{cert}\", \"{issuer}\", {{{t0}, {t1}}}, {nonce},\n     \
         {now}u, {skew}u, {max_age}u, {max_age_nnu}u, {max_lifetime}u, {max_len}u, {sha1},\n     \
         {result}, {status}, {check_revocation}, {revocation_time}u, {reason}, {limit}u, {responder},\n     \
         {decision}}},\n",
        cert = path(&case["cert"]),
        issuer = path(&case["issuer"]),
        t0 = trusted(0),
        t1 = trusted(1),
        nonce = c_string(case["nonce"].as_str()),
        skew = option("skew"),
        max_age = option("max_age"),
        max_age_nnu = option("max_age_without_next_update"),
        max_lifetime = option("max_lifetime"),
        max_len = option("max_response_size"),
        sha1 = options["allow_sha1"].as_bool().unwrap(),
        result = expected_result(expect, names),
    )
}

/// The whole of `vectors.h`.
fn table() -> String {
    let names = result_names();
    let mut out = String::from(
        "/* Generated by capi/tests/c_table.rs from test-vectors/generated/manifest.json and\n \
         * test-vectors/real-world/manifest.json (the cases tests/vectors.rs checks); do not\n \
         * edit: OCSP_CAPI_BLESS=1 cargo test -p ocsp-verify-capi --test c_table rewrites it. */\n\n\
         #include \"vectors_type.h\"\n\nstatic const struct vector VECTORS[] = {\n",
    );
    let mut count = 0;
    for case in manifest("generated/manifest.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let response = case["response"].as_str().unwrap();
        out.push_str(&entry(name, case, "generated", response, &names));
        count += 1;
    }
    for file in manifest("real-world/manifest.json").as_array().unwrap() {
        let response = file["file"].as_str().unwrap();
        for (index, case) in file
            .get("verify")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let name = format!("{response}#{index}");
            out.push_str(&entry(&name, case, "real-world", response, &names));
            count += 1;
        }
    }
    writeln!(out, "}};\n\n#define VECTOR_COUNT {count}").unwrap();
    out
}

#[test]
fn the_c_table_is_what_the_manifests_make() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors.h");
    let table = table();
    if std::env::var_os("OCSP_CAPI_BLESS").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == table,
        "capi/tests/vectors.h is not what the manifests make: run \
         `OCSP_CAPI_BLESS=1 cargo test -p ocsp-verify-capi --test c_table` and commit it"
    );
}

#[test]
fn the_calendar_matches_known_instants() {
    assert_eq!(seconds("1970-01-01T00:00:00Z"), 0);
    assert_eq!(seconds("2026-01-01T01:00:00Z"), 1_767_229_200);
    assert_eq!(seconds("2026-01-08T00:00:00Z"), 1_767_830_400);
    assert_eq!(seconds("2000-02-29T12:00:00Z"), 951_825_600);
}
