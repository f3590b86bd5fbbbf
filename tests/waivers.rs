//! Waivers through the real binary: `consentry.toml` lookup, `--waivers` and `--no-waivers`,
//! expiry against a pinned date, unmatched and malformed waivers, and `--fail-on` in every
//! format.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const HONG: &str = "scenarios/tiktok-hong-2019.toml";
const TODAY: &str = "2026-01-01";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("CONSENTRY_TODAY", TODAY)
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A folder `apps/` holding the Hong scenario and `waivers` as its `consentry.toml`.
fn project(waivers: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let apps = dir.path().join("apps");
    fs::create_dir(&apps).expect("mkdir");
    fs::copy(HONG, apps.join("hong.toml")).expect("copy the Hong scenario");
    fs::write(apps.join("consentry.toml"), waivers).expect("write consentry.toml");
    dir
}

fn waiver(rule: &str, scope: Option<&str>, expires: &str) -> String {
    let scope = scope
        .map(|s| format!("scope = \"{s}\"\n"))
        .unwrap_or_default();
    format!(
        "[[waiver]]\nrule = \"{rule}\"\nscenario = \"tiktok-hong-2019\"\n{scope}reason = \"accepted by the privacy board\"\nowner = \"privacy@example.com\"\nexpires = {expires}\n\n"
    )
}

fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).expect("JSON on stdout")
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["scenarios"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn likely_rules() -> Vec<String> {
    let out = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["check", HONG, "--format", "json", "--no-waivers"],
    );
    let report = json(&out);
    let mut rules: Vec<String> = report["scenarios"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["verdict"] == "likely-violation")
        .filter_map(|f| f["rule"].as_str().map(String::from))
        .collect();
    rules.dedup();
    rules
}

#[test]
fn a_consentry_toml_next_to_the_scenarios_waives_and_the_run_passes() {
    let text: String = likely_rules()
        .iter()
        .map(|r| waiver(r, None, "2026-06-30"))
        .collect();
    let dir = project(&text);
    let out = run_in(dir.path(), &["check", "apps", "--format", "json"]);
    assert_eq!(
        out.code, 0,
        "every likely violation is waived\n{}",
        out.stderr
    );
    let report = json(&out);
    let waived = &findings(&report, "bipa.15a")
        .into_iter()
        .find(|f| f["verdict"] == "likely-violation")
        .expect("a likely bipa.15a finding")["waived"];
    assert_eq!(waived["owner"], "privacy@example.com");
    assert_eq!(waived["expires"], "2026-06-30");
    assert_eq!(waived["file"], "apps/consentry.toml");
    assert!(waived["line"].as_u64() > Some(0));
    assert_eq!(report["failing_findings"], 0);
    // The verdicts are kept.
    assert!(report["scenarios"][0]["summary"]["likely-violation"].as_u64() > Some(0));
    // Checking the single file finds the same consentry.toml.
    let single = run_in(dir.path(), &["check", "apps/hong.toml"]);
    assert_eq!(single.code, 0, "{}", single.stderr);
    assert!(
        single.stdout.contains("WAIVED until 2026-06-30"),
        "{}",
        single.stdout
    );
    // --no-waivers shows the report as it is.
    let plain = run_in(dir.path(), &["check", "apps", "--no-waivers"]);
    assert_eq!(plain.code, 1);
    assert!(!plain.stdout.contains("WAIVED"));
}

#[test]
fn an_expired_waiver_does_not_suppress_and_is_reported_as_expired() {
    let dir = project(&waiver("bipa.15a", None, "2025-12-31"));
    let out = run_in(dir.path(), &["check", "apps", "--format", "json"]);
    assert_eq!(out.code, 1, "the finding counts again");
    let report = json(&out);
    for finding in findings(&report, "bipa.15a") {
        assert!(finding["waived"].is_null(), "{finding:#}");
    }
    let warning = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["severity"] == "warning")
        .expect("a warning");
    assert!(
        warning["message"]
            .as_str()
            .is_some_and(|m| m.contains("expired on 2025-12-31")),
        "{warning:#}"
    );
    assert_eq!(warning["file"], "apps/consentry.toml");
    assert_eq!(report["waivers"][0]["status"], "expired");
    let human = run_in(dir.path(), &["check", "apps"]);
    assert!(
        human.stderr.contains("warning: waiver of `bipa.15a`"),
        "{}",
        human.stderr
    );
    assert!(
        human.stderr.contains("apps/consentry.toml:"),
        "{}",
        human.stderr
    );
    assert!(human.stdout.contains("Waiver expired on 2025-12-31"));
    // The same waiver still applies on its last day.
    let last_day = Command::cargo_bin("consentry")
        .expect("binary")
        .current_dir(dir.path())
        .env("CONSENTRY_TODAY", "2025-12-31")
        .args(["check", "apps", "--format", "json"])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&last_day.stdout).expect("JSON");
    assert_eq!(report["waivers"][0]["status"], "applied");
}

#[test]
fn an_unmatched_waiver_is_reported_in_every_format() {
    let text = format!(
        "{}{}",
        waiver("bipa.15a", Some("face-scan-unposte"), "2026-06-30"),
        "[[waiver]]\nrule = \"bipa.15a\"\nscenario = \"gone-app\"\nreason = \"r\"\nowner = \"o\"\nexpires = 2026-06-30\n"
    );
    let dir = project(&text);
    let out = run_in(dir.path(), &["check", "apps"]);
    assert!(out.stderr.contains("matches no finding"), "{}", out.stderr);
    assert!(
        out.stderr.contains("did you mean `face-scan-unposted`?"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("names scenario `gone-app`, which this run did not check"),
        "the folder is checked whole, so a waiver of a missing scenario is stale\n{}",
        out.stderr
    );
    for format in ["markdown", "html", "junit", "sarif", "json"] {
        let out = run_in(dir.path(), &["check", "apps", "--format", format]);
        assert!(
            out.stdout.contains("unmatched"),
            "{format} reports the unmatched waiver"
        );
    }
    // Checking one file speaks only for that file: the other scenario's waiver is not stale.
    let single = run_in(dir.path(), &["check", "apps/hong.toml"]);
    assert!(!single.stderr.contains("gone-app"), "{}", single.stderr);
}

#[test]
fn a_malformed_waiver_file_is_an_error_with_its_location_and_exits_2() {
    let dir = project(
        "[[waiver]]\nrule = \"bipa.15a\"\nscenario = \"tiktok-hong-2019\"\nreason = \"r\"\nexpires = 2026-06-30\n",
    );
    let out = run_in(dir.path(), &["check", "apps"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("waiver is missing `owner`"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("apps/consentry.toml:1:1"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("tiktok-hong-2019"),
        "the report is still written"
    );
    let validate = run_in(dir.path(), &["validate", "apps"]);
    assert_eq!(validate.code, 2, "validate checks waiver files too");
    let explicit = run_in(dir.path(), &["check", "apps", "--waivers", "no-such.toml"]);
    assert_eq!(explicit.code, 2);
    assert!(
        explicit.stderr.contains("no-such.toml"),
        "{}",
        explicit.stderr
    );
}

#[test]
fn fail_on_sets_the_exit_code_in_every_format_and_no_progress_bar_outside_a_terminal() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for format in ["human", "json", "sarif", "junit", "markdown", "html"] {
        for (level, code) in [("likely", 1), ("possible", 1), ("never", 0)] {
            let out = run_in(
                root,
                &[
                    "check",
                    HONG,
                    "--format",
                    format,
                    "--fail-on",
                    level,
                    "--no-waivers",
                ],
            );
            assert_eq!(out.code, code, "{format} --fail-on {level}");
        }
    }
    let many = run_in(root, &["check", "scenarios", "--format", "json"]);
    assert!(
        many.stderr.is_empty(),
        "nothing on stderr in a pipe: {}",
        many.stderr
    );
}
