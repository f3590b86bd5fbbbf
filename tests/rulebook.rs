//! The shipped rulebook: loads cleanly, its vocabulary documents who reads each fact, and the
//! bundled scenarios drive every rule to every verdict it can reach (counted by the library's
//! coverage, the one `consentry rules --coverage` prints).

#![expect(
    clippy::panic,
    reason = "test helpers fail loudly on a broken fixture or binary"
)]

use std::path::PathBuf;

use consentry::app;
use consentry::coverage::Coverage;
use consentry::engine::ScenarioResult;
use consentry::rulebook::Rulebook;
use consentry::verdict::Verdict;

fn book() -> Rulebook {
    match Rulebook::embedded() {
        Ok(book) => book,
        Err(errors) => panic!(
            "{}",
            errors
                .iter()
                .map(|e| e.render(false))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn every_fact_a_rule_reads_lists_that_rule_in_read_by() {
    let book = book();
    let mut problems = Vec::new();
    for rule in book.rules.values().flatten() {
        for element in &rule.elements {
            for path in element.condition.paths() {
                let fact = book
                    .vocabulary
                    .fact(path)
                    .expect("paths are checked at load");
                if !fact.read_by.contains(&rule.id) {
                    problems.push(format!("{path}: add \"{}\" to read_by", rule.id));
                }
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "rules/vocabulary.toml is stale:\n{}",
        problems.join("\n")
    );
}

#[test]
fn read_by_names_only_rules_that_exist_in_loaded_packs() {
    let book = book();
    let mut problems = Vec::new();
    for fact in book.vocabulary.facts.values() {
        for id in &fact.read_by {
            let statute = id.split('.').next().unwrap_or_default();
            if book.statutes.contains_key(statute) && !book.rules.contains_key(id) {
                problems.push(format!("{}: read_by names unknown rule {id}", fact.path));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Verdicts a rule cannot reach, with the reason; every other (rule, verdict) pair must be
/// reached by some bundled scenario.
const UNREACHABLE: &[(&str, Verdict, &str)] = &[];

/// The coverage of the shipped rulebook by the bundled scenarios, computed by the library
/// (`consentry rules --coverage`), so the tests and the command count the same way.
fn coverage(book: &Rulebook) -> (Coverage, Vec<ScenarioResult>) {
    let (results, errors) = app::run_scenarios(book, &[PathBuf::from("scenarios")], None);
    assert!(
        errors.is_empty(),
        "{}",
        errors
            .iter()
            .map(|e| e.render(false))
            .collect::<Vec<_>>()
            .join("\n")
    );
    (Coverage::compute(book, &results), results)
}

#[test]
fn scenarios_drive_every_rule_to_every_reachable_verdict() {
    let book = book();
    let (coverage, _) = coverage(&book);
    let mut missing = Vec::new();
    for id in book.rule_ids() {
        let rule = coverage.rule(id).expect("every rule has a coverage entry");
        for verdict in Verdict::ALL {
            let exempt = UNREACHABLE
                .iter()
                .any(|(rule, v, _)| *rule == id && *v == verdict);
            if !exempt && !rule.reached(verdict) {
                missing.push(format!("{id}: no scenario reaches {verdict}"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// The floor under the one above, which a rule may not be exempted from: a rule with no
/// violating case is not shown to bite, and one with no compliant case is not shown to be
/// satisfiable.
#[test]
fn every_rule_has_a_bundled_scenario_reaching_likely_violation_and_one_reaching_compliant() {
    let book = book();
    let (coverage, _) = coverage(&book);
    let gaps: Vec<String> = coverage
        .gaps()
        .iter()
        .map(|(rule, missing)| {
            let names: Vec<&str> = missing.iter().map(|v| v.name()).collect();
            format!("{}: no scenario reaches {}", rule.rule, names.join(" or "))
        })
        .collect();
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));
    assert_eq!(coverage.rules.len(), book.rule_ids().count());
}

/// Coverage recomputes verdicts to decide which elements are decisive; its table must give
/// every finding the verdict the engine gave.
#[test]
fn the_coverage_verdict_table_agrees_with_the_engine_on_every_finding() {
    let book = book();
    let (_, results) = coverage(&book);
    for finding in results.iter().flat_map(|r| &r.findings) {
        let again = consentry::coverage::verdict_of(
            finding.elements.iter().map(|e| (e.kind, e.effective())),
        );
        assert_eq!(
            again, finding.verdict,
            "{} {:?}",
            finding.rule, finding.practice
        );
    }
}

/// Every rule version names a violating and a compliant example; each must be a bundled
/// fixture that, read on its own date, selects that version and gives the verdict it is
/// named for. This keeps the generated rule reference honest.
#[test]
fn every_rule_version_has_examples_that_reach_their_verdicts() {
    let book = book();
    let mut problems = Vec::new();
    for rule in book.rules.values().flatten() {
        let Some((violating, compliant)) = &rule.examples else {
            problems.push(format!(
                "{} (from {}): no examples",
                rule.id, rule.effective
            ));
            continue;
        };
        for (path, wanted) in [
            (violating, Verdict::LikelyViolation),
            (compliant, Verdict::Compliant),
        ] {
            let (results, errors) = app::run_scenarios(&book, &[PathBuf::from(path)], None);
            if !errors.is_empty() || results.len() != 1 {
                problems.push(format!(
                    "{} (from {}): example {path} does not load",
                    rule.id, rule.effective
                ));
                continue;
            }
            for result in &results {
                if !rule.in_force(result.as_of) {
                    problems.push(format!(
                        "{} (from {}): example {path} is dated {}, outside this version",
                        rule.id, rule.effective, result.as_of
                    ));
                }
                let got = consentry::expect::actual_verdict(result, &rule.id, None, None);
                if got != wanted {
                    problems.push(format!(
                        "{} (from {}): example {path} gives {got}, not {wanted}",
                        rule.id, rule.effective
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
