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
