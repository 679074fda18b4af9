//! Running the `ocsp-check` binary from the CLI tests.

use std::process::{Command, Output};

use serde_json::Value;

/// Runs `ocsp-check` with `args`.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ocsp-check"))
        .args(args)
        .output()
        .expect("runs")
}

/// The one JSON object a `--json` run prints: exactly one line on stdout.
pub fn json_of(output: &Output) -> Value {
    let stdout = stdout(output);
    assert_eq!(
        stdout.lines().count(),
        1,
        "exactly one line of JSON: {stdout}"
    );
    serde_json::from_str(&stdout).expect("JSON")
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 on stdout")
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 on stderr")
}

/// A path under `test-vectors/generated/`, as the tool takes it.
pub fn generated(path: &str) -> String {
    super::vectors()
        .join("generated")
        .join(path)
        .display()
        .to_string()
}

/// A fresh directory of its own for one test, under the target's scratch space.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cli")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Runs `ocsp-check` with `args` in `dir` (the current directory when `None`), and fails the
/// test when it has not ended within `limit`: for inputs that used to make it hang. Returns the
/// output and how long it ran.
pub fn run_within(
    args: &[&str],
    dir: Option<&std::path::Path>,
    limit: std::time::Duration,
) -> (Output, std::time::Duration) {
    run_command_within(
        {
            let mut command = Command::new(env!("CARGO_BIN_EXE_ocsp-check"));
            command.args(args);
            command
        },
        dir,
        limit,
    )
}

/// [`run_within`] for any command.
pub fn run_command_within(
    mut command: Command,
    dir: Option<&std::path::Path>,
    limit: std::time::Duration,
) -> (Output, std::time::Duration) {
    use std::io::Read as _;
    use std::process::Stdio;
    use std::time::Instant;

    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    // Drained on threads, so that a chatty child never blocks on a full pipe.
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    let output = Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    };
    (output, elapsed)
}

/// A FIFO at `path` fed by a thread writing `byte` for ever (until the reader goes away): an
/// endless input that needs no device node.
pub fn endless_fifo(path: &std::path::Path, byte: u8) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("runs mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        use std::io::Write as _;
        // Opening blocks until the tool opens the other end.
        let Ok(mut fifo) = std::fs::OpenOptions::new().write(true).open(&path) else {
            return;
        };
        let chunk = [byte; 64 * 1024];
        // Ends with an error (EPIPE) once the tool closes its end.
        while fifo.write_all(&chunk).is_ok() {}
    });
}

/// Fails the test, saying why, when `tool` (run with `args`) does not run: a check that was
/// skipped must not pass as one that ran.
pub fn require(tool: &str, args: &[&str], package: &str) {
    let ok = Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|out| out.status.success());
    assert!(
        ok,
        "this test needs `{tool}`, which does not run here: install it (Debian: apt-get install \
         {package})"
    );
}

/// `promtool check metrics` on `text`: its verdict, with what it said.
pub fn promtool_check_metrics(text: &str) {
    use std::io::Write as _;
    use std::process::Stdio;
    require("promtool", &["--version"], "prometheus");
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs promtool");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("writes to promtool");
    let output = child.wait_with_output().expect("promtool ends");
    assert!(
        output.status.success() && output.stdout.is_empty() && output.stderr.is_empty(),
        "promtool check metrics refused the exposition ({}):\n{}{}\n--- the text:\n{text}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// One sample of the Prometheus text format: the metric name, its labels (in order) and the
/// value.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    /// The value of a label, if the sample has it.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the Prometheus text format (version 0.0.4): `# HELP` and `# TYPE` lines are checked
/// for shape and skipped; each sample line is `name{key="value",...} value`, with the label
/// values' escapes (`\\`, `\"`, `\n`) undone. Panics on anything else.
pub fn parse_exposition(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            let kind = words.next().unwrap_or_default();
            assert!(
                matches!(kind, "HELP" | "TYPE") && words.next().is_some(),
                "a comment that is neither HELP nor TYPE: {line}"
            );
            if kind == "TYPE" {
                let kind = words.next().unwrap_or_default();
                assert!(
                    ["gauge", "counter", "untyped", "histogram", "summary"].contains(&kind),
                    "{line}"
                );
            }
            continue;
        }
        assert!(!line.trim().is_empty(), "a blank line in the exposition");
        let name_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(line.len());
        let name = &line[..name_end];
        assert!(!name.is_empty(), "no metric name: {line}");
        let mut rest = &line[name_end..];
        let mut labels = Vec::new();
        if let Some(inner) = rest.strip_prefix('{') {
            let mut chars = inner.char_indices().peekable();
            loop {
                let start = chars.peek().map(|(i, _)| *i).expect("labels end");
                if inner[start..].starts_with('}') {
                    rest = &inner[start + 1..];
                    break;
                }
                let eq = inner[start..].find('=').expect("label =") + start;
                let key = inner[start..eq].trim_start_matches(',').to_string();
                assert!(
                    inner[eq + 1..].starts_with('"'),
                    "label value quoted: {line}"
                );
                while chars.peek().is_some_and(|(i, _)| *i <= eq + 1) {
                    chars.next();
                }
                let mut value = String::new();
                loop {
                    let (_, c) = chars.next().expect("label value ends");
                    match c {
                        '"' => break,
                        '\\' => match chars.next().expect("escape").1 {
                            'n' => value.push('\n'),
                            other => value.push(other),
                        },
                        other => value.push(other),
                    }
                }
                labels.push((key, value));
                if chars.peek().is_some_and(|(_, c)| *c == ',') {
                    chars.next();
                }
            }
        }
        let value = rest.trim();
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            number => number
                .parse()
                .unwrap_or_else(|_| panic!("not a value: `{number}` in {line}")),
        };
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    samples
}

/// The value of the one sample of `name` whose labels include `labels`.
pub fn value_of(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.name == name && labels.iter().all(|(k, v)| s.label(k) == Some(*v)))
        .collect();
    assert!(
        matching.len() <= 1,
        "more than one sample of {name} with {labels:?}: {matching:?}"
    );
    matching.first().map(|s| s.value)
}

/// A running `openssl s_server` on a loopback port of its choosing, stapling `status_file`
/// (nothing when `None`), killed on drop.
pub struct SServer {
    child: std::process::Child,
    /// Held open: without `-quiet` (which hides the `ACCEPT` line), s_server reads its stdin
    /// and drops its connections at end of file.
    _stdin: std::process::ChildStdin,
    pub port: u16,
}

impl SServer {
    /// `openssl s_server -accept 127.0.0.1:0` with the shipped TLS chain (`tls-server` issued
    /// by `tls-int`), its port read from its `ACCEPT` line.
    pub fn start(status_file: Option<&std::path::Path>) -> Self {
        use std::io::BufRead as _;
        use std::process::Stdio;
        let pki = |name: &str| generated(&format!("pki/tls/{name}"));
        let mut command = Command::new("openssl");
        command.args([
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-naccept",
            "1000",
            "-cert",
            &pki("tls-server.pem"),
            "-key",
            &pki("tls-server.key"),
            "-cert_chain",
            &pki("tls-int.pem"),
        ]);
        if let Some(file) = status_file {
            command.arg("-status_file").arg(file);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("runs openssl s_server (install openssl)");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("ACCEPT ") {
                    let _ = sender.send(address.to_string());
                    break;
                }
            }
            // Keep reading, so that s_server never blocks on a full pipe.
            for _ in lines {}
        });
        let address = match receiver.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok(address) => address,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("openssl s_server did not report its port");
            }
        };
        let port = address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in s_server's ACCEPT line");
        Self {
            child,
            _stdin: stdin,
            port,
        }
    }

    pub fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that nothing listens on: bound, then released.
pub fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Sends `request` (the raw bytes) to 127.0.0.1:`port` and reads the whole answer: the status
/// code, the head and the body.
pub fn http(port: u16, request: &[u8]) -> (u16, String, String) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    // The exporter may answer before the whole request is sent (too large): a failed write is
    // fine, the answer is what counts.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8(answer).expect("UTF-8 answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, head.to_string(), body.to_string())
}

/// `GET path` to 127.0.0.1:`port`.
pub fn http_get(port: u16, path: &str) -> (u16, String, String) {
    http(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
    )
}

/// `ocsp-check exporter --listen 127.0.0.1:0` with `args`, as a child process killed when the
/// test ends; its port read from the line it prints once listening.
pub struct ExporterProcess {
    child: std::process::Child,
    pub port: u16,
}

impl ExporterProcess {
    pub fn start(args: &[&str]) -> Self {
        use std::io::BufRead as _;
        use std::process::Stdio;
        let mut child = Command::new(env!("CARGO_BIN_EXE_ocsp-check"))
            .args(["exporter", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs the exporter");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let Ok(line) = receiver.recv_timeout(std::time::Duration::from_secs(10)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the exporter did not say where it listens");
        };
        // "listening on http://127.0.0.1:PORT/ (6 targets; ...)"
        let port = line
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("not the line expected: {line}"));
        Self { child, port }
    }

    /// The process id, for its `/proc/PID/status`.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ExporterProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `promtool ARGS` succeeds, or the test fails with what it said.
pub fn promtool(args: &[&str]) {
    require("promtool", &["--version"], "prometheus");
    let output = Command::new("promtool")
        .args(args)
        .output()
        .expect("runs promtool");
    assert!(
        output.status.success(),
        "promtool {args:?}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `docs/FILE` (rules for Prometheus), which `docs/runbook.md` shows word for word in the
/// ```yaml block after the line `<!-- FILE: kept identical to docs/FILE by TEST -->`: the
/// file's text, once the test has checked both are the same.
pub fn runbook_shows(file: &str, test: &str) -> String {
    let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/");
    let text = std::fs::read_to_string(format!("{docs}{file}")).expect("the rules file");
    let runbook = std::fs::read_to_string(format!("{docs}runbook.md")).expect("the runbook");
    let marker = format!("<!-- {file}: kept identical to docs/{file} by {test} -->\n");
    let block = runbook
        .split_once(&marker)
        .and_then(|(_, rest)| rest.strip_prefix("```yaml\n"))
        .and_then(|rest| rest.split_once("```\n"))
        .map(|(block, _)| block)
        .unwrap_or_else(|| panic!("no block after {marker} in docs/runbook.md"));
    assert_eq!(block, text, "docs/runbook.md's copy of docs/{file} differs");
    text
}
