//! Every scenario under `scenarios/`: its human and JSON report, as a user sees it by default,
//! pinned by insta snapshots,
//! and its `[expect]` block checked.

use std::path::{Path, PathBuf};

use consentry::app::{self, CheckOptions, Exit, FailOn, Format, RuleOptions};
use consentry::report::{Report, render_human, render_json};
use consentry::rulebook::Rulebook;

fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .to_path_buf()
}

#[test]
fn every_scenario_report_is_pinned() {
    let book = Rulebook::embedded().expect("the embedded rulebook loads");
    insta::glob!("../scenarios", "**/*.toml", |path| {
        let (results, errors) = app::run_scenarios(&book, &[relative(path)], None);
        assert!(
            errors.is_empty(),
            "{}: {}",
            path.display(),
            errors
                .iter()
                .map(|e| e.render(false))
                .collect::<Vec<_>>()
                .join("\n")
        );
        // What a user sees by default: every finding but the not-applicable ones (and, in
        // the human memo, the compliant ones), so a review reads the reasoning that
        // matters. Not-applicable verdicts are pinned by each scenario's [expect].
        let report = Report::new(&book, &results, &errors).with_all(false);
        insta::assert_snapshot!("human", render_human(&report, false));
        insta::assert_snapshot!("json", render_json(&report));
    });
}

#[test]
fn every_expectation_in_scenarios_holds() {
    let outcome = app::test(&CheckOptions {
        paths: vec![PathBuf::from("scenarios")],
        rules: RuleOptions::default(),
        as_of: None,
        format: Format::Human,
        fail_on: FailOn::Likely,
        all: false,
        color: false,
        ..CheckOptions::default()
    });
    assert_eq!(
        outcome.exit,
        Exit::Clean,
        "{}\n{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(
        !outcome.stdout.contains("none  "),
        "every scenario has an [expect] block:\n{}",
        outcome.stdout
    );
}
