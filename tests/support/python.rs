//! The Python interpreter of the interop tests: the official SDK's venv,
//! made by `.ci/python-env` (`target/interop-venv`), or `A2A_PYTHON`.

use std::path::{Path, PathBuf};

/// The Python interpreter that has the SDK, or `None` outside CI when there
/// is none (after saying so loudly).
pub fn interpreter() -> Option<PathBuf> {
    let path = match std::env::var_os("A2A_PYTHON") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv/bin/python"),
    };
    if path.exists() {
        return Some(path);
    }
    let in_ci = std::env::var_os("CI").is_some_and(|value| !value.is_empty());
    assert!(
        !in_ci,
        "the Python interop environment is missing: no interpreter at {}. \
         Run `.ci/python-env` before `cargo test` (or set A2A_PYTHON to a python \
         that has a2a-sdk 1.3.0 installed).",
        path.display()
    );
    eprintln!(
        "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
         !! NOT RUN: the Python interop test needs the official SDK's venv.\n\
         !! No interpreter at {}.\n\
         !! Run `.ci/python-env` first (CI fails instead of skipping).\n\
         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n",
        path.display()
    );
    None
}

/// The interpreter of the official SDK of protocol v0.3: `A2A_PYTHON_V03`, or
/// the venv `.ci/python-env-v0_3` makes (`target/interop-venv-v0_3`). In CI
/// it must be there; elsewhere a test without it says it did not run.
pub fn interpreter_v0_3() -> Option<PathBuf> {
    let path = match std::env::var_os("A2A_PYTHON_V03") {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv-v0_3/bin/python"),
    };
    if path.exists() {
        return Some(path);
    }
    let in_ci = std::env::var_os("CI").is_some_and(|value| !value.is_empty());
    assert!(
        !in_ci,
        "no a2a-sdk 0.3 interpreter at {}: run `.ci/python-env-v0_3` (or set A2A_PYTHON_V03)",
        path.display()
    );
    eprintln!(
        "\n!! NOT RUN: the v0.3 interop test needs the official v0.3 SDK's venv (no interpreter at {}).\n\
         !! Run `.ci/python-env-v0_3` first (CI fails instead of skipping).\n",
        path.display()
    );
    None
}

/// A Python process that is killed when dropped, also when a test panics.
pub struct Process(pub std::process::Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `python tests/python/<script> args…`, quiet and unbuffered, its output piped.
pub fn command(python: &Path, script: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(python);
    command
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/python")
                .join(script),
        )
        .args(args)
        .env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command
}

/// Runs a script that reports its steps as JSON lines (`{"step", "ok", …}`)
/// without blocking the runtime (the agent it talks to may run on it), and
/// returns the steps. Panics, with the script's stderr, if it does not
/// finish within `limit`, prints a line that is not JSON, reports a failed
/// step or exits unsuccessfully.
pub async fn run_steps(
    python: &Path,
    script: &str,
    args: &[&str],
    limit: std::time::Duration,
) -> Vec<serde_json::Value> {
    use std::io::{BufRead as _, Read as _};
    let started = std::time::Instant::now();
    let mut child = command(python, script, args).spawn().expect("the script starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let mut process = Process(child);
    let lines = std::thread::spawn(move || {
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status = loop {
        if let Some(status) = process.0.try_wait().expect("poll the script") {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = process.0.kill();
            let _ = process.0.wait();
            break None;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let lines = lines.join().expect("stdout reader");
    let errors = errors.join().expect("stderr reader");
    for line in &lines {
        println!("{line}");
    }
    let Some(status) = status else {
        panic!("{script} {args:?} did not finish within {limit:?}; stderr:\n{errors}");
    };
    let steps: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("{script} printed a line that is not JSON ({err}): {line}"))
        })
        .collect();
    if let Some(failed) = steps.iter().find(|step| step["ok"] != true) {
        panic!(
            "{script} {args:?}: step {} failed: {}\n{}\nstderr:\n{errors}",
            failed["step"],
            failed["error"],
            failed["trace"].as_str().unwrap_or_default()
        );
    }
    assert!(
        status.success(),
        "{script} {args:?} exited with {status}; stderr:\n{errors}"
    );
    steps
}

/// Starts a script that serves an agent and prints `READY <port> …` once it
/// accepts connections; returns the process and the words after `READY`.
pub async fn start_agent(
    python: &Path,
    script: &str,
    args: &[&str],
    limit: std::time::Duration,
) -> (Process, Vec<String>) {
    use std::io::BufRead as _;
    let mut child = command(python, script, args).spawn().expect("the agent starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let process = Process(child);
    // Drained, so that the agent never blocks on a full pipe.
    let name = script.to_owned();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("[{name}] {line}");
        }
    });
    let (sender, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines().map_while(Result::ok);
        let _ = sender.send(lines.find(|line| line.starts_with("READY ")));
        for _ in lines {}
    });
    let started = std::time::Instant::now();
    loop {
        match ready.try_recv() {
            Ok(Some(line)) => {
                let words = line.split_whitespace().skip(1).map(str::to_owned).collect();
                return (process, words);
            }
            Ok(None) => panic!("{script} ended before it was ready"),
            Err(_) if started.elapsed() > limit => panic!("{script} was not ready within {limit:?}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}
