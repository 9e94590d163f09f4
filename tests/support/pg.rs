//! A throw-away PostgreSQL + PostGIS cluster for the tests (`scripts/pg-test-cluster.sh`), and
//! one schema per test so tests can run side by side.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// The shared test cluster's URL: `CORRIDOR_TEST_PG` when set (CI starts the cluster), else the
/// script starts one on port 25429 (and leaves it running for the next test run).
pub fn url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(u) = std::env::var("CORRIDOR_TEST_PG")
            && !u.is_empty()
        {
            return u;
        }
        start(25429)
    })
    .clone()
}

fn script() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-test-cluster.sh")
}

/// Starts (creating if needed) the cluster on `port`; returns its URL. Panics with the script's
/// message when PostgreSQL is not installed: these tests need it.
pub fn start(port: u16) -> String {
    let out = Command::new(script())
        .args(["start", &port.to_string()])
        .output()
        .expect("run scripts/pg-test-cluster.sh");
    assert!(
        out.status.success(),
        "could not start the test PostgreSQL cluster on port {port}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Stops the cluster on `port` (fast shutdown: connections are cut).
pub fn stop(port: u16) {
    let out = Command::new(script())
        .args(["stop", &port.to_string()])
        .output()
        .expect("run scripts/pg-test-cluster.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn client() -> postgres::Client {
    corridor::db::connect(&url(), None).expect("connect to the test cluster")
}

/// A fresh, empty schema named for the test (dropped first if a previous run left it).
pub fn schema(name: &str) -> String {
    let mut c = client();
    c.batch_execute(&format!(
        "drop schema if exists {name} cascade; create schema {name};"
    ))
    .expect("create the test schema");
    name.to_owned()
}
