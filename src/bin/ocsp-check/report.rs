//! What every subcommand's report shares: the JSON error object, and printing one report (one
//! JSON object, human lines, or nothing) on stdout, or on stderr when stdout carries the
//! bytes of `--out -`.

use serde::Serialize;

use ocsp_verify::Error;

use crate::time::rfc3339;

/// The `error` object of every JSON report: a stable snake_case `code`, a sentence, and the
/// times of a time error (the time of the check, and the bound it crossed), else null.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ErrorReport {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) time: Option<String>,
    pub(crate) not_before: Option<String>,
    pub(crate) not_after: Option<String>,
}

impl ErrorReport {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            time: None,
            not_before: None,
            not_after: None,
        }
    }

    /// The verifier's error, with its times.
    pub(crate) fn of(error: &Error) -> Self {
        let mut report = Self::new(error.code(), error.to_string());
        match *error {
            Error::ResponseExpired { time, not_after }
            | Error::ResponseTooOld { time, not_after }
            | Error::ResponderExpired { time, not_after } => {
                report.time = Some(rfc3339(time));
                report.not_after = Some(rfc3339(not_after));
            }
            Error::ResponseNotYetValid { time, not_before }
            | Error::ResponderNotYetValid { time, not_before } => {
                report.time = Some(rfc3339(time));
                report.not_before = Some(rfc3339(not_before));
            }
            _ => {}
        }
        report
    }
}

/// Where a report goes, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Human,
    Json,
    Quiet,
}

impl Format {
    pub(crate) fn of(json: bool, quiet: bool) -> Self {
        match (json, quiet) {
            (true, _) => Self::Json,
            (false, true) => Self::Quiet,
            (false, false) => Self::Human,
        }
    }
}

/// Prints one report: the JSON object, or the human lines, or nothing under `--quiet`; on
/// stderr instead of stdout when `to_stderr` (stdout carries `--out -`).
pub(crate) fn print<T: Serialize>(format: Format, report: &T, lines: &[String], to_stderr: bool) {
    let text = match format {
        Format::Quiet => return,
        Format::Json => json(report),
        Format::Human => lines.join("\n"),
    };
    if text.is_empty() {
        return;
    }
    if to_stderr {
        eprintln!("{text}");
    } else {
        stdout(&format!("{text}\n"));
    }
}

/// Writes `text` to stdout. A reader that went away (`ocsp-check tls --targets ... | head`)
/// ends the output, not the tool with a panic: the exit status still says what was found.
pub(crate) fn stdout(text: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// One JSON object on one line.
pub(crate) fn json<T: Serialize>(report: &T) -> String {
    // The reports are plain structs of strings, numbers and options: serializing cannot fail.
    serde_json::to_string(report).unwrap_or_else(|e| {
        format!(r#"{{"error":{{"code":"internal_error","message":"cannot write JSON: {e}"}}}}"#)
    })
}

/// The one `error:` line of a command that stops, on stderr (not under `--json`, whose object
/// carries the error).
pub(crate) fn error_line(format: Format, message: &dyn std::fmt::Display) {
    if format != Format::Json {
        eprintln!("error: {message}");
    }
}
