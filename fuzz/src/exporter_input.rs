//! `exporter_request` and `targets_file`: what `ocsp-check exporter` reads from the network (a
//! request head, its target, its `Host`, a `/probe` query) and what `ocsp-check tls` and the
//! exporter read from `--targets`. The tool's own modules are compiled here by path, so the
//! fuzzer runs exactly the code the tool runs; each body asserts what the parsers promise, not
//! only that they do not panic.

#![allow(clippy::expect_used, clippy::panic)]

#[path = "../../src/bin/ocsp-check/target_list.rs"]
#[allow(dead_code)]
mod target_list;

#[path = "../../src/bin/ocsp-check/http_request.rs"]
#[allow(dead_code)]
mod http_request;

use std::net::SocketAddr;

use http_request::{Head, Hosts, MAX_HEAD, Refusal};

/// A refusal is an error status with a reason phrase and a message.
fn check_refusal(refusal: &Refusal) {
    assert!(
        refusal.status.is_client_error() || refusal.status.is_server_error(),
        "a refusal with {}",
        refusal.status
    );
    assert!(refusal.status.canonical_reason().is_some());
    assert!(!refusal.message.is_empty());
}

/// A `/probe` query: a target accepted is one `--targets` would accept; a refusal is a 400.
fn check_query(query: &str) {
    match http_request::probe_query(query) {
        Ok(target) => {
            target_list::split_host_port(&target.server).expect("an accepted target's server");
            if let Some(name) = &target.servername {
                target_list::check_servername(name).expect("an accepted target's name");
            }
        }
        Err(refusal) => {
            check_refusal(&refusal);
            assert_eq!(refusal.status, http::StatusCode::BAD_REQUEST);
        }
    }
}

/// Reads `data` as the bytes a client sent: the head (complete, partial or refused), then the
/// host, method and query checks of a complete one; and `data` as a query of its own.
pub fn exporter_request(data: &[u8]) {
    let hosts = Hosts::new(&["exporter.example".to_string()]).expect("a valid name");
    let local = SocketAddr::from(([127, 0, 0, 1], 9916));
    match http_request::parse_head(data) {
        Err(refusal) => check_refusal(&refusal),
        // A partial head below the cap: more bytes may complete it.
        Ok(Head::Partial) => assert!(data.len() < MAX_HEAD),
        Ok(Head::Complete(request)) => {
            assert!(request.head_length <= data.len().min(MAX_HEAD));
            // The head alone reads the same: what follows it (a body) changes nothing.
            let head = data.get(..request.head_length).expect("within the data");
            assert_eq!(
                http_request::parse_head(head),
                Ok(Head::Complete(request.clone()))
            );
            if let Some(host) = &request.host {
                assert!(!host.is_empty());
                assert_eq!(host, &host.to_ascii_lowercase());
            }
            if let Err(refusal) = hosts.check(&request, local) {
                check_refusal(&refusal);
                assert_eq!(refusal.status, http::StatusCode::MISDIRECTED_REQUEST);
            }
            match http_request::check_method(&request) {
                Ok(()) => assert!(
                    request.method == http::Method::GET || request.method == http::Method::HEAD
                ),
                Err(refusal) => assert_eq!(refusal.status, http::StatusCode::METHOD_NOT_ALLOWED),
            }
            if let Some(query) = &request.query {
                check_query(query);
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        check_query(text);
    }
}

/// Reads `data` as a `--targets` file: what it accepts, `ocsp-check` accepts line by line, and
/// written back one `SERVER [NAME]` a line it reads the same.
pub fn targets_file(data: &[u8]) {
    match target_list::parse(data) {
        Ok(targets) => {
            assert!(targets.len() <= target_list::MAX_TARGETS);
            let mut text = String::new();
            for target in &targets {
                target_list::split_host_port(&target.server).expect("an accepted server");
                if let Some(name) = &target.servername {
                    target_list::check_servername(name).expect("an accepted name");
                }
                text.push_str(&target.server);
                if let Some(name) = &target.servername {
                    text.push(' ');
                    text.push_str(name);
                }
                text.push('\n');
            }
            assert_eq!(target_list::parse(text.as_bytes()), Ok(targets));
        }
        Err(message) => {
            let lines = data.split(|byte| *byte == b'\n').count();
            match message.strip_prefix("line ") {
                Some(rest) => {
                    let number: usize = rest
                        .split(':')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .expect("the line's number");
                    assert!((1..=lines).contains(&number), "line {number} of {lines}");
                }
                None => assert!(message.starts_with("is not UTF-8 text"), "{message}"),
            }
        }
    }
}
