//! The `ocsp-check` command lines of the README and of `docs/`, run, and their output compared
//! with what the text shows.
//!
//! - Every ```` ```console ```` block of `README.md` and `docs/*.md` is a shell session: `$ `
//!   starts a command (continued by lines ending in `\`, and by a here-document up to its
//!   delimiter), and the lines up to the next `$ ` are what it prints, stdout and stderr as a
//!   terminal shows them. Each block runs in a `bash` of its own, in a scratch directory that
//!   holds a link to the repository's `test-vectors/`, with the `ocsp-check` under test first on
//!   the `PATH`. A command ending in `&` runs in the background, and the session waits until
//!   the port it serves on accepts connections (`openssl ocsp`: until it prints `ACCEPT`); its
//!   own output is compared only where the text shows some. What every foreground command
//!   prints must be the text, line for line.
//! - An HTML comment `<!-- doc-commands: the output of `COMMAND` ... -->` right before a
//!   ```` ```text ```` block says that block is what `COMMAND` prints (the README's demo).
//! - Every other `ocsp-check` command line of a fenced block (the runbook's, which name real
//!   hosts and system paths and so cannot run here) is parsed by the tool itself: run with
//!   `--help` after its arguments, which clap reads first, so an unknown option, a missing
//!   value or a value of the wrong type fails the test.
//!
//! Normalised, and nothing else: the loopback ports of a session (`127.0.0.1:PORT`,
//! `-accept PORT`, `-port PORT`), each replaced by a free port, in the commands and in the
//! text alike, so that sessions never collide with each other or with other tests; except 8888,
//! the port the test certificates name as their responder, which a `fetch` without `--url`
//! must use: a session that serves on it runs in a network namespace of its own where one can
//! be made (`unshare -n`), so that concurrent runs never meet on it. And for an `ocsp-check`
//! command that judges times without `--at` (it reads the clock: `fetch` from a live
//! responder), the RFC 3339 times and the spans ("1h 0m", "0s") of both sides.
//!
//! These tests need `bash`, `openssl` and `curl` (Debian: bash, openssl, curl) and fail,
//! saying so, without them.

#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use common::cli::{require, scratch_dir};

/// How long one command may take before the test fails: the slowest, a `tls` run over a lab
/// with a dead port, takes a second or two.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// The port the test certificates' authorityInfoAccess names (`http://127.0.0.1:8888/`).
const AIA_PORT: u16 = 8888;

fn repository() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `README.md` and every `docs/*.md`, by path relative to the repository, with their text.
fn documents() -> Vec<(String, String)> {
    let mut names = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(repository().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    docs.sort();
    names.extend(docs);
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(repository().join(&name)).unwrap();
            (name, text)
        })
        .collect()
}

/// A fenced block: its info string, its first line's number (1-based) and its lines, and the
/// line before its opening fence.
struct Block {
    info: String,
    line: usize,
    lines: Vec<String>,
    before: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = text.lines().enumerate();
    let mut previous = "";
    while let Some((number, line)) = lines.next() {
        if let Some(info) = line.strip_prefix("```") {
            let mut block = Block {
                info: info.trim().to_string(),
                line: number + 2,
                lines: Vec::new(),
                before: previous.to_string(),
            };
            for (_, inner) in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                block.lines.push(inner.to_string());
            }
            found.push(block);
            previous = "";
        } else {
            previous = line;
        }
    }
    found
}

/// One step of a session: the command as typed (continuation lines and here-document
/// included) and what the text shows it printing.
#[derive(Debug)]
struct Step {
    command: String,
    shown: Vec<String>,
}

fn steps(lines: &[String]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut lines = lines.iter();
    while let Some(line) = lines.next() {
        let Some(first) = line.strip_prefix("$ ") else {
            steps
                .last_mut()
                .unwrap_or_else(|| panic!("output before any command: {line}"))
                .shown
                .push(line.clone());
            continue;
        };
        let mut command = first.to_string();
        while command.ends_with('\\') {
            command.push('\n');
            command.push_str(lines.next().expect("a continuation line"));
        }
        if let Some(delimiter) = heredoc_delimiter(&command) {
            for body in lines.by_ref() {
                command.push('\n');
                command.push_str(body);
                if *body == delimiter {
                    break;
                }
            }
        }
        steps.push(Step {
            command,
            shown: Vec::new(),
        });
    }
    steps
}

/// `EOF` for a command with `<<'EOF'`, `<<"EOF"` or `<<EOF`.
fn heredoc_delimiter(command: &str) -> Option<String> {
    let rest = command
        .split_once("<<")?
        .1
        .trim_start_matches('-')
        .trim_start();
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .filter(|c| *c != '\'' && *c != '"')
        .collect();
    (!word.is_empty()).then_some(word)
}

/// The loopback ports a block names, each mapped to a free one (8888 excepted).
fn port_map(text: &str) -> BTreeMap<u16, u16> {
    let mut map = BTreeMap::new();
    for prefix in ["127.0.0.1:", "-accept ", "-port "] {
        for (at, _) in text.match_indices(prefix) {
            let digits: String = text[at + prefix.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let Ok(port) = digits.parse::<u16>() else {
                continue;
            };
            if port >= 1024 && port != AIA_PORT {
                map.entry(port).or_insert_with(free_port);
            }
        }
    }
    map
}

/// A port nothing listens on now: bound, then released.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port()
}

/// `text` with the ports of `map` replaced where they follow a port's prefix.
fn remap(text: &str, map: &BTreeMap<u16, u16>) -> String {
    let mut text = text.to_string();
    for (from, to) in map {
        for prefix in ["127.0.0.1:", "-accept ", "-port "] {
            // Only a whole number: 4431 must not turn 44310 into something else.
            let mut out = String::new();
            let mut rest = text.as_str();
            let needle = format!("{prefix}{from}");
            while let Some(at) = rest.find(&needle) {
                let after = &rest[at + needle.len()..];
                out.push_str(&rest[..at]);
                if after.starts_with(|c: char| c.is_ascii_digit()) {
                    out.push_str(&needle);
                } else {
                    out.push_str(&format!("{prefix}{to}"));
                }
                rest = after;
            }
            out.push_str(rest);
            text = out;
        }
    }
    text
}

/// Whether a command reads the clock: an `ocsp-check` command that judges times, without
/// `--at` (`demo` has a clock of its own; `show` and `request` judge no time).
fn reads_the_clock(command: &str) -> bool {
    let judges_times = ["verify", "fetch", "tls", "lint", "exporter"]
        .iter()
        .any(|sub| command.contains(&format!("ocsp-check {sub}")));
    judges_times && !command.contains("--at ")
}

/// Times (`2026-11-30T00:39:55Z`) and spans (`1h 0m`, `0s`, `59m 59s`) replaced by
/// placeholders.
fn without_times(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = time_at(&chars[i..]) {
            out.push_str("<time>");
            i += len;
        } else if let Some(len) =
            span_at(&chars[i..]).filter(|_| i == 0 || !chars[i - 1].is_alphanumeric())
        {
            out.push_str("<span>");
            i += len;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// The length of an RFC 3339 time (`YYYY-MM-DDTHH:MM:SSZ`) at the start of `chars`.
fn time_at(chars: &[char]) -> Option<usize> {
    const SHAPE: &str = "dddd-dd-ddTdd:dd:ddZ";
    let fits = chars.len() >= SHAPE.len()
        && SHAPE.chars().zip(chars).all(|(shape, c)| match shape {
            'd' => c.is_ascii_digit(),
            other => other == *c,
        });
    fits.then_some(SHAPE.len())
}

/// The length of a span at the start of `chars`: one or two `<digits><d|h|m|s>` separated by a
/// space, ending at a word boundary.
fn span_at(chars: &[char]) -> Option<usize> {
    let unit = |from: usize| -> Option<usize> {
        let digits = chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let end = from + digits;
        let at_unit = digits > 0 && matches!(chars.get(end), Some('d' | 'h' | 'm' | 's'));
        let bounded = !chars.get(end + 1).is_some_and(|c| c.is_alphanumeric());
        (at_unit && bounded).then_some(end + 1)
    };
    let first = unit(0)?;
    if chars.get(first) == Some(&' ')
        && let Some(second) = unit(first + 1)
    {
        return Some(second);
    }
    Some(first)
}

/// A `bash` reading commands from a pipe, in a scratch directory, stdout and stderr on one
/// pipe read line by line; background processes it started are killed when it is dropped.
struct Session {
    bash: Child,
    input: ChildStdin,
    output: Receiver<String>,
    background: Vec<u32>,
    dir: PathBuf,
    count: usize,
}

/// Printed after each command with its exit status, to find where its output ends.
const MARK: &str = "@@doc-commands-done";

impl Session {
    /// A session in a scratch directory of its own; with `isolated`, in a network namespace
    /// of its own too (its own loopback), where one exists (see [`own_network`]).
    fn start(name: &str, isolated: bool) -> Self {
        let dir = scratch_dir(name);
        std::os::unix::fs::symlink(repository().join("test-vectors"), dir.join("test-vectors"))
            .unwrap();
        let bin = Path::new(env!("CARGO_BIN_EXE_ocsp-check"))
            .parent()
            .unwrap();
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let isolated = isolated && own_network();
        let mut bash = if isolated {
            let mut command = Command::new("unshare");
            command.args(["-n", "bash", "--noprofile", "--norc"]);
            command
        } else {
            let mut command = Command::new("bash");
            command.args(["--noprofile", "--norc"]);
            command
        };
        let mut bash = bash
            .current_dir(&dir)
            .env("PATH", path)
            .env("LC_ALL", "C")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("runs bash");
        let input = bash.stdin.take().unwrap();
        let stdout = bash.stdout.take().unwrap();
        let (sender, output) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut session = Self {
            bash,
            input,
            output,
            background: Vec::new(),
            dir,
            count: 0,
        };
        session.send("exec 2>&1");
        if isolated {
            let (printed, status) = session.run("ip link set lo up");
            assert_eq!(
                status, 0,
                "loopback of the session's namespace: {printed:?}"
            );
        }
        session
    }

    fn send(&mut self, text: &str) {
        writeln!(self.input, "{text}").expect("bash reads");
        self.input.flush().unwrap();
    }

    /// Runs `command` in the foreground: what it printed, and its exit status.
    fn run(&mut self, command: &str) -> (Vec<String>, i32) {
        self.send(command);
        self.send(&format!(
            "__s=$?; printf '{MARK} %d\\n' \"$__s\"; (exit $__s)"
        ));
        let deadline = Instant::now() + COMMAND_LIMIT;
        let mut lines = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.output.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find(MARK) {
                        if at > 0 {
                            lines.push(line[..at].to_string());
                        }
                        let status = line[at + MARK.len()..].trim().parse().unwrap();
                        return (lines, status);
                    }
                    lines.push(line);
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("`{command}` still runs after {COMMAND_LIMIT:?}; printed {lines:?}")
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("bash ended during `{command}`; printed {lines:?}")
                }
            }
        }
    }

    /// Starts `command` (without its `&`) in the background, its output in a file of its own;
    /// waits until the port it serves on accepts connections, then until it has printed
    /// `shown` lines. Returns those lines.
    fn start_background(&mut self, command: &str, shown: usize) -> Vec<String> {
        self.count += 1;
        let log = format!(".background-{}.log", self.count);
        let (lines, status) = self.run(&format!("{command} >{log} 2>&1 &\necho \"$!\""));
        assert_eq!(status, 0, "`{command}` did not start: {lines:?}");
        let pid = lines
            .last()
            .and_then(|l| l.trim().parse().ok())
            .expect("a pid");
        self.background.push(pid);
        let log = self.dir.join(log);
        let port = serving_port(command)
            .unwrap_or_else(|| panic!("`{command}` runs in the background but names no port"));
        // `openssl ocsp` serves one connection at a time and hangs on one that sends nothing:
        // it is ready when it says so (`ACCEPT [::]:PORT`), not probed.
        let says_when_ready = command.starts_with("openssl ocsp");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let printed = std::fs::read_to_string(&log).unwrap_or_default();
            let listening = if says_when_ready {
                printed.lines().any(|line| line.starts_with("ACCEPT "))
            } else {
                std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
            };
            if listening && printed.lines().count() >= shown {
                return printed.lines().take(shown).map(str::to_string).collect();
            }
            assert!(
                Instant::now() < deadline,
                "`{command}` does not serve on port {port} (is it taken?): {printed}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for pid in &self.background {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let _ = self.bash.kill();
        let _ = self.bash.wait();
    }
}

/// Whether sessions can have a network namespace of their own (`unshare -n`, as root or where
/// user namespaces allow it, and `ip` to bring its loopback up). A session that must serve on
/// the fixed port [`AIA_PORT`] takes one, so that two runs of this test at once (two clones,
/// two helpers) never meet on it; without one, the port must be free.
fn own_network() -> bool {
    static OWN: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OWN.get_or_init(|| {
        Command::new("unshare")
            .args(["-n", "ip", "link", "set", "lo", "up"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    })
}

/// The port a background command serves on: `-accept N`, `-port N` or `--listen HOST:N`.
fn serving_port(command: &str) -> Option<u16> {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.windows(2).find_map(|pair| match pair[0] {
        "-accept" | "-port" => pair[1].parse().ok(),
        "--listen" => pair[1].rsplit(':').next()?.parse().ok(),
        _ => None,
    })
}

/// Runs the steps of one session and returns every difference from the text, and how many
/// `ocsp-check` commands ran.
fn run_session(name: &str, where_: &str, steps: &[Step]) -> (Vec<String>, usize) {
    // Only `openssl ocsp` serves on the fixed port, and it says when it is ready: nothing
    // needs to reach into the namespace from outside.
    let fixed_port = steps
        .iter()
        .any(|step| step.command.contains(&format!("-port {AIA_PORT}")));
    let mut session = Session::start(name, fixed_port);
    let mut differences = Vec::new();
    let mut ran = 0;
    for step in steps {
        let command = step.command.trim_end();
        let printed = if let Some(command) = command.strip_suffix('&') {
            session.start_background(command.trim_end(), step.shown.len())
        } else {
            let (printed, _status) = session.run(command);
            printed
        };
        if command.contains("ocsp-check ") {
            ran += 1;
        }
        let normalise = |lines: &[String]| -> Vec<String> {
            if reads_the_clock(command) {
                lines.iter().map(|l| without_times(l)).collect()
            } else {
                lines.to_vec()
            }
        };
        let (printed, shown) = (normalise(&printed), normalise(&step.shown));
        if printed != shown {
            differences.push(format!(
                "{where_}: `{command}`\n--- the text shows:\n{}\n--- it prints:\n{}\n",
                shown.join("\n"),
                printed.join("\n")
            ));
        }
    }
    (differences, ran)
}

#[test]
fn every_console_session_prints_what_the_text_shows() {
    require("bash", &["--version"], "bash");
    require("openssl", &["version"], "openssl");
    require("curl", &["--version"], "curl");
    let mut differences = Vec::new();
    let mut ran = BTreeMap::new();
    for (file, text) in documents() {
        for (index, block) in blocks(&text).into_iter().enumerate() {
            let where_ = format!("{file}:{}", block.line);
            let session = format!("{}-{index}", file.replace(['/', '.'], "-"));
            if block.info == "console" {
                let map = port_map(&block.lines.join("\n"));
                let lines: Vec<String> = block.lines.iter().map(|l| remap(l, &map)).collect();
                let (found, count) = run_session(&session, &where_, &steps(&lines));
                differences.extend(found);
                *ran.entry(file.clone()).or_insert(0) += count;
            } else if let Some(command) = output_of(&block.before) {
                assert_eq!(
                    block.info, "text",
                    "{where_}: the output of a command is ```text"
                );
                let step = Step {
                    command: command.to_string(),
                    shown: block.lines.clone(),
                };
                let (found, count) = run_session(&session, &where_, &[step]);
                differences.extend(found);
                *ran.entry(file.clone()).or_insert(0) += count;
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The sessions were found: the README's demo, and the reference's every subcommand.
    assert_eq!(ran.get("README.md"), Some(&1), "{ran:?}");
    assert!(ran.get("docs/cli.md").is_some_and(|n| *n >= 15), "{ran:?}");
    eprintln!("ocsp-check commands run, by file: {ran:?}");
}

/// `COMMAND` of `<!-- doc-commands: the output of `COMMAND` ... -->`.
fn output_of(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("<!-- doc-commands: the output of `")?;
    Some(rest.split_once('`')?.0)
}

/// The arguments of every `ocsp-check` invocation in a logical line of shell (continuations
/// joined), up to the first shell operator or comment; `$...` words (a script's own
/// arguments) left out.
fn invocations(line: &str) -> Vec<Vec<String>> {
    let words = shell_words(line);
    let mut found = Vec::new();
    for (at, word) in words.iter().enumerate() {
        if !(word == "ocsp-check" || word.ends_with("/ocsp-check")) {
            continue;
        }
        let args: Vec<String> = words[at + 1..]
            .iter()
            .skip_while(|w| *w == "--")
            .take_while(|w| !matches!(w.as_str(), "|" | ";" | "&&" | "||" | "&" | ")" | ">"))
            .filter(|w| !w.starts_with('$'))
            .cloned()
            .collect();
        if !args.is_empty() {
            found.push(args);
        }
    }
    found
}

/// Words of a line of shell: quotes removed, operators as words of their own, a comment cut.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                quoted = true;
                for inner in chars.by_ref() {
                    if inner == c {
                        break;
                    }
                    word.push(inner);
                }
            }
            '#' if word.is_empty() && !quoted => break,
            ' ' | '\t' | '\n' => {
                if !word.is_empty() || quoted {
                    words.push(std::mem::take(&mut word));
                }
                quoted = false;
            }
            '|' | ';' | '&' | ')' | '(' | '>' | '<' => {
                if !word.is_empty() || quoted {
                    words.push(std::mem::take(&mut word));
                }
                quoted = false;
                let mut operator = c.to_string();
                if let Some(&next) = chars.peek()
                    && ((next == c && matches!(c, '|' | '&')) || (c == '>' && next == '>'))
                {
                    operator.push(next);
                    chars.next();
                }
                words.push(operator);
            }
            '=' if word.ends_with("ExecStart") || word.ends_with("ExecStartPost") => {
                words.push(std::mem::take(&mut word));
            }
            other => word.push(other),
        }
    }
    if !word.is_empty() || quoted {
        words.push(word);
    }
    words
}

#[test]
fn every_other_command_line_parses() {
    let mut failures = Vec::new();
    let mut parsed = 0;
    for (file, text) in documents() {
        for block in blocks(&text) {
            // Console sessions are run; usage synopses (```text) are not commands.
            if matches!(
                block.info.as_str(),
                "console" | "text" | "rust" | "c" | "toml"
            ) {
                continue;
            }
            let mut logical = String::new();
            for (offset, line) in block.lines.iter().enumerate() {
                if let Some(head) = line.strip_suffix('\\') {
                    logical.push_str(head);
                    logical.push(' ');
                    continue;
                }
                logical.push_str(line);
                for args in invocations(&logical) {
                    parsed += 1;
                    let mut with_help: Vec<&str> = args.iter().map(String::as_str).collect();
                    with_help.push("--help");
                    let output = common::cli::run(&with_help);
                    if output.status.code() != Some(0) {
                        failures.push(format!(
                            "{file}:{} `ocsp-check {}` does not parse: {}",
                            block.line + offset,
                            args.join(" "),
                            String::from_utf8_lossy(&output.stderr).trim()
                        ));
                    }
                }
                logical.clear();
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The README's and the runbook's command lines were found.
    assert!(parsed >= 14, "only {parsed} command lines found");
    eprintln!("ocsp-check command lines parsed: {parsed}");
}

/// The normalisation touches times and spans, and only them.
#[test]
fn times_and_spans_are_all_that_is_normalised() {
    assert_eq!(
        without_times("  thisUpdate:  2026-11-30T00:39:55Z (0s ago)"),
        "  thisUpdate:  <time> (<span> ago)"
    );
    assert_eq!(
        without_times("refresh:     1h 0m left, less than --min-remaining 7200 (2h 0m)"),
        "refresh:     <span> left, less than --min-remaining 7200 (<span>)"
    );
    assert_eq!(
        without_times("serial 1001, 69 bytes, os error 111"),
        "serial 1001, 69 bytes, os error 111"
    );
    assert_eq!(without_times("sha256WithRSA 2s3"), "sha256WithRSA 2s3");
    let map = BTreeMap::from([(4431, 40001), (9916, 40002)]);
    assert_eq!(
        remap(
            "127.0.0.1:4431 127.0.0.1:44310 -accept 4431 -port 8888 http://127.0.0.1:9916/",
            &map
        ),
        "127.0.0.1:40001 127.0.0.1:44310 -accept 40001 -port 8888 http://127.0.0.1:40002/"
    );
}

/// The metric families of `ocsp-check` are listed once, in the runbook's tables: every family
/// the tool writes is listed there, and every family listed there is written. The families
/// come from the exporter's `/metrics` over two servers stapling a good and a revoked answer
/// (the probe's families, the revocation's and the exporter's own) and from `fetch --prometheus` against a
/// responder nobody answers for (the fetch's).
#[test]
fn the_runbook_lists_every_metric_the_tool_writes() {
    use common::cli::{ExporterProcess, SServer, dead_port, generated, http_get, parse_exposition};

    require("openssl", &["version"], "openssl");
    let dir = scratch_dir("doc-metrics");
    let staple = |name: &str| generated(&format!("responses/tls/tls-server-{name}.der"));
    let good = SServer::start(Some(Path::new(&staple("good"))));
    let revoked = SServer::start(Some(Path::new(&staple("revoked"))));
    let targets = dir.join("targets");
    let lines = format!(
        "{} localhost\n{} localhost\n",
        good.target(),
        revoked.target()
    );
    std::fs::write(&targets, lines).unwrap();
    let root = generated("pki/tls/tls-root.pem");
    let exporter = ExporterProcess::start(&[
        "--targets",
        targets.to_str().unwrap(),
        "--ca",
        &root,
        "--at",
        "2026-01-01T01:00:00Z",
    ]);
    let (status, _, scraped) = http_get(exporter.port, "/metrics");
    assert_eq!(status, 200, "{scraped}");
    let fetched = common::cli::run(&[
        "fetch",
        "--cert",
        &generated("pki/rsa-ee.pem"),
        "--issuer",
        &generated("pki/rsa-ca.pem"),
        "--url",
        &format!("http://127.0.0.1:{}/", dead_port()),
        "--prometheus",
    ]);
    let fetched = String::from_utf8(fetched.stdout).unwrap();
    let written: std::collections::BTreeSet<String> = parse_exposition(&scraped)
        .into_iter()
        .chain(parse_exposition(&fetched))
        .map(|sample| sample.name)
        .collect();

    let runbook = std::fs::read_to_string(repository().join("docs/runbook.md")).unwrap();
    let listed: std::collections::BTreeSet<String> = runbook
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(name, _)| name.to_string())
        .filter(|name| name.starts_with("ocsp_probe_") || name.starts_with("ocsp_exporter_"))
        .collect();
    let unlisted: Vec<&String> = written.difference(&listed).collect();
    let unwritten: Vec<&String> = listed.difference(&written).collect();
    assert!(
        unlisted.is_empty() && unwritten.is_empty(),
        "written but not in the runbook's tables: {unlisted:?}; \
         in the tables but never written: {unwritten:?}"
    );
    assert!(written.len() >= 20, "{written:?}");
    eprintln!("metric families, written and listed: {}", written.len());
}
