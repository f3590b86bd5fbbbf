//! Same input, same bytes out, whatever the thread count: the real binary checks the bundled
//! scenarios and a generated corpus (several batches of the streaming run) on one thread and
//! on the default pool, in every format, with waivers, and the reports must be identical.

#![expect(
    clippy::expect_used,
    reason = "the helper fails loudly when the binary cannot run"
)]

#[path = "../examples/corpus/generate.rs"]
mod generate;

use assert_cmd::Command;

/// More files than one batch of the streaming run on two threads, so batches join up.
const GENERATED: usize = 80;

fn run(
    threads: Option<&str>,
    format: &str,
    corpus: &std::path::Path,
) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let mut cmd = Command::cargo_bin("consentry").expect("binary");
    cmd.env("NO_COLOR", "1")
        .env("CONSENTRY_TODAY", "2026-01-01")
        .env_remove("RAYON_NUM_THREADS");
    if let Some(threads) = threads {
        cmd.env("RAYON_NUM_THREADS", threads);
    }
    let out = cmd
        .args(["check", "scenarios"])
        .arg(corpus)
        .args([
            "--waivers",
            "tests/fixtures/hong-waivers.toml",
            "--format",
            format,
        ])
        .output()
        .expect("runs");
    (out.stdout, out.stderr, out.status.code())
}

#[test]
fn reports_are_byte_identical_on_one_thread_and_on_the_default_pool() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut rng = generate::Rng(11);
    for i in 1..=GENERATED {
        std::fs::write(
            dir.path().join(format!("scenario-{i:06}.toml")),
            generate::scenario(i, &mut rng),
        )
        .expect("written");
    }
    for format in ["human", "json", "sarif", "junit", "markdown", "html"] {
        let one = run(Some("1"), format, dir.path());
        let default = run(None, format, dir.path());
        assert!(!one.0.is_empty(), "{format}: a report");
        assert_eq!(one.2, Some(1), "{format}: likely violations exit 1");
        assert!(
            one == default,
            "{format}: the reports differ with the thread count"
        );
    }
}
