//! Inputs the fuzz targets (`fuzz/`) found to crash or hang, replayed through the same library
//! calls on every `cargo test`: `tests/fuzz-regressions/<target>/<artifact>`. Each must run
//! to an answer (a result or diagnostics) without a panic. How long they take is measured by
//! the benchmarks (`scripts/bench.sh`), not asserted here: timing bounds in tests fail on busy
//! machines and pass on slow code.

#![expect(
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use consentry::condition::{self, ScopeKind};
use consentry::engine::evaluate;
use consentry::lint::lint;
use consentry::report::{self, Report};
use consentry::rulebook::{Rulebook, embedded_files};
use consentry::scenario::Scenario;
use consentry::source::SourceFile;
use consentry::value::Date;

fn artifacts(target: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(format!("tests/fuzz-regressions/{target}"))
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.is_file());
    paths.sort();
    paths
}

fn today() -> Date {
    Date::new(2025, 6, 1).expect("a date")
}

/// What `fuzz_targets/scenario_loader.rs` does with an input.
fn scenario_loader(data: &[u8]) {
    let book = Rulebook::embedded().expect("the embedded rulebook");
    let file = SourceFile::new("fuzz.toml", String::from_utf8_lossy(data).into_owned());
    let ids: BTreeSet<&str> = book.rule_ids().collect();
    match Scenario::load(&file, &book.vocabulary, &ids, today()) {
        Ok(scenario) => {
            let results = [evaluate(&book, scenario, None)];
            let report = Report::new(&book, &results, &[]).with_all(true);
            let _ = report::render_human(&report, false);
            let _ = report::render_json(&report);
        }
        Err(errors) => errors.iter().for_each(|e| {
            let _ = e.render(false);
        }),
    }
}

/// What `fuzz_targets/rule_loader.rs` does with an input: the first byte picks the file.
fn rule_loader(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let replaced = [
        "fuzz.toml",
        "vocabulary.toml",
        "taxonomy.toml",
        "regions.toml",
    ][usize::from(selector % 4)];
    let mut files: Vec<_> = embedded_files()
        .into_iter()
        .filter(|f| !f.name.ends_with(&format!("/{replaced}")))
        .collect();
    files.push(SourceFile::new(
        format!("fuzz/{replaced}"),
        String::from_utf8_lossy(rest).into_owned(),
    ));
    match Rulebook::load(&files) {
        Ok(book) => {
            let _ = lint(&book);
            let _ = consentry::schema::render(&book.vocabulary);
        }
        Err(errors) => errors.iter().for_each(|e| {
            let _ = e.render(false);
        }),
    }
}

/// What `fuzz_targets/condition.rs` does with an input (parse, round trip, check).
fn condition_target(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = condition::parse(text) else {
        return;
    };
    let printed = expr.to_string();
    if printed.len() <= condition::MAX_CONDITION_LEN {
        let again = condition::parse(&printed).expect("the printed condition parses");
        assert_eq!(again.without_spans(), expr.without_spans());
    }
    let book = Rulebook::embedded().expect("the embedded rulebook");
    for scope in [
        ScopeKind::Service,
        ScopeKind::Practice,
        ScopeKind::Disclosure,
    ] {
        let _ = condition::check(&expr, scope, &book.vocabulary, &Default::default());
    }
}

/// A fuzz target's name and what it does with one input.
type Target = (&'static str, fn(&[u8]));

#[test]
fn every_committed_fuzz_artifact_runs_to_an_answer() {
    let targets: [Target; 3] = [
        ("scenario_loader", scenario_loader),
        ("rule_loader", rule_loader),
        ("condition", condition_target),
    ];
    for (target, run) in targets {
        for path in artifacts(target) {
            let data = fs::read(&path).expect("readable artifact");
            run(&data);
        }
    }
}

/// Regression for the rule-loader timeout (`timeout-285ca26f…`): locating a position scanned
/// the file from its start, so a file with many located values took quadratic time. The line
/// index that fixed it must still put every fact of a 1,000-practice file on its own line
/// (the load time itself is in the benchmarks).
#[test]
fn locating_many_facts_in_a_large_file_finds_their_lines() {
    let book = Rulebook::embedded().expect("the embedded rulebook");
    let mut text = String::from("[scenario]\nid = \"large\"\nas_of = 2024-01-01\n");
    for i in 0..1_000 {
        text.push_str(&format!(
            "\n[[practice]]\nid = \"p{i}\"\ndata = [\"fingerprint\"]\nregions = [\"US-IL\"]\nsubjects_count = {i}\nbefore_account = true\nillinois_nexus = true\nsource = \"a camera\"\ndescription = \"a practice\"\n[practice.notice]\nwritten = true\nstates_purpose = true\nstates_retention = false\nbefore_collection = true\nonline_policy = true\n[practice.consent]\nkind = \"none\"\nbefore_collection = false\n[practice.retention]\nwritten_policy = false\npolicy_public = false\nmax_days = 30\n"
        ));
    }
    let file = SourceFile::new("large.toml", text);
    let ids: BTreeSet<&str> = book.rule_ids().collect();
    let scenario = Scenario::load(&file, &book.vocabulary, &ids, today()).expect("it loads");
    assert_eq!(scenario.practices.len(), 1_000);
    let last = scenario.practices.last().expect("a practice");
    let fact = last
        .facts
        .get("practice.retention.max_days")
        .expect("the last practice states max_days");
    let (line, column) = file.line_col(fact.location.span.start);
    // 3 header lines, then 23 lines per practice (a blank line first); max_days is the last.
    assert_eq!((line, column), (3 + 1_000 * 23, 12));
}
