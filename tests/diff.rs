//! `consentry diff`: the findings a rule change flips, checked against `check` run once with
//! each rulebook; the element that made the difference; exit codes; `--base-rev` in a
//! throwaway git repository.

#![expect(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = Command::cargo_bin("consentry")
        .expect("the binary is built")
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn json(args: &[&str]) -> Value {
    let out = run(args);
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr))
}

/// The written-release element of bipa.15b, as shipped.
const RELEASE: &str = "when = \"practice.consent.kind in $written_release_kinds\"";
/// The same element also accepting a checkbox.
const RELEASE_OR_CHECKBOX: &str = "when = \"practice.consent.kind in $written_release_kinds or practice.consent.kind == 'checkbox'\"";

/// A copy of `rules/` in `to`, with `bipa.toml` passed through `edit`.
fn copy_rules(to: &Path, edit: impl Fn(&str) -> String) {
    for entry in fs::read_dir("rules").expect("rules/") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a file name");
        let text = fs::read_to_string(&path).expect("a rule file");
        let text = if name == "bipa.toml" {
            edit(&text)
        } else {
            text
        };
        fs::write(to.join(name), text).expect("copy a rule file");
    }
}

fn checkbox_copy(to: &Path) {
    copy_rules(to, |text| {
        assert_eq!(
            text.matches(RELEASE).count(),
            1,
            "bipa.15b's release element"
        );
        text.replace(RELEASE, RELEASE_OR_CHECKBOX)
    });
}

type Key = (String, String, Option<String>, Option<String>);

/// Every finding's verdict from `check --format json --all`, by (scenario, rule, practice,
/// disclosure).
fn verdicts(rules: &str) -> BTreeMap<Key, String> {
    let report = json(&[
        "check",
        "scenarios",
        "--format",
        "json",
        "--all",
        "--rules",
        rules,
        "--fail-on",
        "never",
    ]);
    let mut out = BTreeMap::new();
    for scenario in report["scenarios"].as_array().expect("scenarios") {
        for finding in scenario["findings"].as_array().expect("findings") {
            let key = (
                scenario["id"].as_str().expect("id").to_string(),
                finding["rule"].as_str().expect("rule").to_string(),
                finding["practice"].as_str().map(String::from),
                finding["disclosure"].as_str().map(String::from),
            );
            out.insert(
                key,
                finding["verdict"].as_str().expect("verdict").to_string(),
            );
        }
    }
    out
}

#[test]
fn a_rule_change_lists_exactly_the_findings_whose_verdict_check_gives_differently() {
    let dir = tempfile::tempdir().expect("temp dir");
    checkbox_copy(dir.path());
    let copy = dir.path().to_str().expect("utf-8");

    // Independently: check with each rulebook, and compare the verdicts (absent = n/a).
    let (before, after) = (verdicts("rules"), verdicts(copy));
    let mut expected: Vec<Key> = Vec::new();
    for key in before.keys().chain(after.keys()) {
        let verdict = |side: &BTreeMap<Key, String>| {
            side.get(key)
                .cloned()
                .unwrap_or_else(|| "not-applicable".to_string())
        };
        if verdict(&before) != verdict(&after) && !expected.contains(key) {
            expected.push(key.clone());
        }
    }
    expected.sort();
    assert!(!expected.is_empty(), "the bundled checkbox fixture flips");

    let diff = json(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios",
        "--format",
        "json",
    ]);
    assert_eq!(diff["schema_version"], 1);
    assert_eq!(diff["base"]["source"], "rules");
    assert_eq!(diff["rules"]["source"], copy);
    assert_eq!(diff["errors"], Value::Array(vec![]));
    let changes = diff["changes"].as_array().expect("changes");
    let mut listed: Vec<Key> = changes
        .iter()
        .filter(|c| c["kind"] != "reasoning")
        .map(|c| {
            (
                c["scenario"].as_str().expect("scenario").to_string(),
                c["rule"].as_str().expect("rule").to_string(),
                c["practice"].as_str().map(String::from),
                c["disclosure"].as_str().map(String::from),
            )
        })
        .collect();
    listed.sort();
    assert_eq!(listed, expected);
    for change in changes {
        // Each verdict in the diff is the verdict `check` gives.
        let key = (
            change["scenario"].as_str().expect("scenario").to_string(),
            change["rule"].as_str().expect("rule").to_string(),
            change["practice"].as_str().map(String::from),
            change["disclosure"].as_str().map(String::from),
        );
        let na = "not-applicable".to_string();
        assert_eq!(
            change["before"]["verdict"],
            *before.get(&key).unwrap_or(&na)
        );
        assert_eq!(change["after"]["verdict"], *after.get(&key).unwrap_or(&na));
        // ... and names the element that changed it, with its condition before and after.
        assert_eq!(change["doc"], "docs/rules.md#bipa.15b");
        let element = &change["elements"][0];
        assert_eq!(element["id"], "written-release");
        assert_eq!(
            (&element["before"]["value"], &element["after"]["value"]),
            (&Value::Bool(false), &Value::Bool(true))
        );
        assert_eq!(element["rule_changes"], serde_json::json!(["condition"]));
        assert_eq!(
            element["conditions"]["after"],
            "practice.consent.kind in $written_release_kinds or practice.consent.kind == 'checkbox'"
        );
    }
    assert_eq!(diff["summary"]["changed"], 1);
    assert_eq!(
        diff["summary"]["reasoning"], 1,
        "the kiosk stays a violation on its notice: same verdict, other reasoning"
    );

    // The memo and the pull-request comment name the element; pinned with the path masked.
    let mask = |text: String| text.replace(copy, "COPY");
    let human = run(&["diff", "--base", "rules", "--rules", copy, "scenarios"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.contains(
        "bipa.15b@finger-clock  likely-violation → compliant\n   scenario bipa-15b-checkbox"
    ));
    assert!(
        human
            .stdout
            .contains("   ✗ → ✓  requires written-release: its condition changes\n")
    );
    insta::assert_snapshot!("human_checkbox_release", mask(human.stdout));
    let markdown = run(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios",
        "--format",
        "markdown",
    ]);
    assert!(markdown.stdout.contains("| `bipa-15b-checkbox` | [bipa.15b@finger-clock](docs/rules.md#bipa.15b) | likely-violation | compliant | `written-release` ✗ → ✓ |"));
    insta::assert_snapshot!("markdown_checkbox_release", mask(markdown.stdout));
}

#[test]
fn a_definition_change_is_named_with_the_values_it_adds() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_rules(dir.path(), |text| {
        let from = "values = [\"written-release\", \"electronic-signature\"]";
        assert_eq!(text.matches(from).count(), 1);
        text.replace(
            from,
            "values = [\"written-release\", \"electronic-signature\", \"checkbox\"]",
        )
    });
    let copy = dir.path().to_str().expect("utf-8");
    let out = run(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios/fixtures/bipa",
    ]);
    assert!(
        out.stdout
            .contains("   ✗ → ✓  requires written-release: $written_release_kinds adds checkbox\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn fail_on_change_sets_the_exit_code_and_output_writes_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("rules");
    fs::create_dir(&copy).expect("mkdir");
    checkbox_copy(&copy);
    let copy = copy.to_str().expect("utf-8");
    let changed = run(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios",
        "--fail-on-change",
    ]);
    assert_eq!(changed.code, 1, "{}", changed.stderr);
    let same = run(&["diff", "--base", "rules", "scenarios", "--fail-on-change"]);
    assert_eq!(
        same.code, 0,
        "rules/ is the embedded rulebook: {}",
        same.stdout
    );
    assert!(same.stdout.contains("No finding changes"));
    // Outside the statute that changed, nothing changes.
    let coppa = run(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios",
        "--statute",
        "coppa",
        "--fail-on-change",
    ]);
    assert_eq!(coppa.code, 0, "{}", coppa.stdout);
    // --as-of reads every scenario on one date.
    let dated = json(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios/fixtures/bipa/15b-checkbox.toml",
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(dated["as_of"], "2024-01-01");
    assert_eq!(dated["changes"][0]["as_of"], "2024-01-01");
    let report = dir.path().join("diff.md");
    let written = run(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios",
        "--format",
        "markdown",
        "--output",
        report.to_str().expect("utf-8"),
    ]);
    assert_eq!((written.code, written.stdout.as_str()), (0, ""));
    assert!(
        fs::read_to_string(&report)
            .expect("the report")
            .starts_with("## consentry diff")
    );
}

#[test]
fn bad_input_exits_2_and_a_scenario_loading_under_one_rulebook_only_is_an_error() {
    let out = run(&["diff", "--base", "no-such-folder", "scenarios"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read rules folder"),
        "{}",
        out.stderr
    );
    let out = run(&["diff", "scenarios"]);
    assert_eq!(out.code, 2, "--base or --base-rev is required");
    // A vocabulary without `scenario.sources`: every scenario stating it fails under the copy.
    let dir = tempfile::tempdir().expect("temp dir");
    copy_rules(dir.path(), str::to_string);
    let vocabulary = fs::read_to_string(dir.path().join("vocabulary.toml")).expect("vocabulary");
    let at = vocabulary
        .find("path = \"scenario.sources\"")
        .expect("the fact");
    let start = vocabulary[..at].rfind("[[fact]]").expect("its entry");
    let end = at + vocabulary[at..].find("[[fact]]").expect("the next entry");
    fs::write(
        dir.path().join("vocabulary.toml"),
        format!("{}{}", &vocabulary[..start], &vocabulary[end..]),
    )
    .expect("write");
    let copy = dir.path().to_str().expect("utf-8");
    let out = run(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios/fixtures/padfa",
        "--fail-on-change",
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains(&format!(
        "error: under {copy}: unknown key `sources` in `[scenario]`\n  --> scenarios/fixtures/padfa/compliant.toml:12:1"
    )), "{}", out.stderr);
    let report = json(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios/fixtures/padfa",
        "--format",
        "json",
    ]);
    let errors = report["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e["line"].as_u64() > Some(0) && e["column"] == 1)
    );
}

fn git(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=consentry tests",
            "-c",
            "user.email=tests@example.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `--base-rev` in a repository made for the test, so it runs the same in a fresh clone, a
/// shallow one, or a tarball without `.git`. Without git it is skipped, saying so.
#[test]
fn base_rev_reads_the_rules_folder_as_committed() {
    let probe = std::process::Command::new("git").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: git is not available");
        return;
    }
    let repo = tempfile::tempdir().expect("temp dir");
    let rules = repo.path().join("rules");
    fs::create_dir(&rules).expect("mkdir");
    copy_rules(&rules, str::to_string);
    assert!(git(repo.path(), &["init", "-q"]));
    assert!(git(repo.path(), &["add", "."]));
    assert!(git(
        repo.path(),
        &["commit", "-q", "-m", "rules as shipped"]
    ));
    // The working tree accepts a checkbox; HEAD does not.
    checkbox_copy(&rules);
    let dir = rules.to_str().expect("utf-8");
    let report = json(&[
        "diff",
        "--base-rev",
        "HEAD",
        "--rules",
        dir,
        "scenarios",
        "--format",
        "json",
    ]);
    assert_eq!(report["base"]["source"], format!("HEAD:{dir}"));
    assert_eq!(report["summary"]["changed"], 1, "{report}");
    assert_eq!(report["changes"][0]["rule"], "bipa.15b");
    let out = run(&[
        "diff",
        "--base-rev",
        "HEAD",
        "--rules",
        dir,
        "scenarios",
        "--fail-on-change",
    ]);
    assert_eq!(out.code, 1);

    // A file broken at the revision is named as it was then: REV:DIR/FILE:line:column.
    let bipa = rules.join("bipa.toml");
    let text = fs::read_to_string(&bipa).expect("bipa.toml");
    fs::write(
        &bipa,
        text.replacen(
            "[[rule]]\nid = \"bipa.15a\"",
            "[[rule]]\nid = \"bipa.15a\"\nscpoe = 1",
            1,
        ),
    )
    .expect("break it");
    assert!(git(repo.path(), &["commit", "-q", "-am", "a typo"]));
    fs::write(&bipa, &text).expect("fix it in the working tree");
    let out = run(&["diff", "--base-rev", "HEAD", "--rules", dir, "scenarios"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(" --> HEAD:{dir}/bipa.toml:")),
        "{}",
        out.stderr
    );

    let out = run(&[
        "diff",
        "--base-rev",
        "no-such-branch",
        "--rules",
        dir,
        "scenarios",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        out.stderr
    );
    let outside = tempfile::tempdir().expect("temp dir");
    copy_rules(outside.path(), str::to_string);
    let out = run(&[
        "diff",
        "--base-rev",
        "HEAD",
        "--rules",
        outside.path().to_str().expect("utf-8"),
        "scenarios",
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a git repository"),
        "{}",
        out.stderr
    );
}

/// Renaming a rule: its findings disappear under the old id and appear under the new one, each
/// saying why; scenarios whose `[expect]` names the old id still load under both rulebooks.
#[test]
fn a_renamed_rule_disappears_and_appears_and_scenarios_naming_it_still_compare() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_rules(dir.path(), |text| {
        text.replacen("id = \"bipa.15c\"", "id = \"bipa.15x\"", 1)
    });
    let copy = dir.path().to_str().expect("utf-8");
    let report = json(&[
        "diff",
        "--base",
        "rules",
        "--rules",
        copy,
        "scenarios/fixtures/bipa",
        "--format",
        "json",
    ]);
    assert_eq!(report["errors"], Value::Array(vec![]), "{report}");
    let changes = report["changes"].as_array().expect("changes");
    assert!(!changes.is_empty());
    for change in changes {
        match change["rule"].as_str() {
            Some("bipa.15c") => {
                assert_eq!(
                    (&change["kind"], &change["cause"]),
                    (&Value::from("disappeared"), &Value::from("rule-removed"))
                );
                assert_eq!(change["after"]["finding"], false);
            }
            Some("bipa.15x") => {
                assert_eq!(
                    (&change["kind"], &change["cause"]),
                    (&Value::from("appeared"), &Value::from("rule-added"))
                );
            }
            other => panic!("only the renamed rule changes, not {other:?}"),
        }
    }
    // Outside a diff, an [expect] naming a rule the rulebook lacks is still an error.
    let out = run(&[
        "test",
        "scenarios/fixtures/bipa/15c-violation.toml",
        "--rules",
        copy,
    ]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("names unknown rule `bipa.15c`"),
        "{}",
        out.stderr
    );
}
