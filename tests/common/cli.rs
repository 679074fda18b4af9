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
