//! The rule reference: the committed `docs/rules.md` is what `consentry rules --format markdown`
//! writes from the shipped rulebook, it has an anchor for every rule, and every example it
//! shows reaches the verdict it is named for. Set `CONSENTRY_UPDATE_GENERATED=1` to rewrite the
//! committed copy.

use std::fs;

use consentry::app::{self, Exit, RulesFormat, RulesOptions};
use consentry::rulebook::Rulebook;

const COMMITTED: &str = "docs/rules.md";

fn generated() -> String {
    let outcome = app::rules(&RulesOptions {
        format: RulesFormat::Markdown,
        ..RulesOptions::default()
    });
    assert_eq!(outcome.exit, Exit::Clean, "{}", outcome.stderr);
    outcome.stdout
}

#[test]
fn the_committed_rule_reference_is_current() {
    let fresh = generated();
    if std::env::var_os("CONSENTRY_UPDATE_GENERATED").is_some_and(|v| v == "1") {
        fs::write(COMMITTED, &fresh).expect("write the rule reference");
        return;
    }
    let committed = fs::read_to_string(COMMITTED).unwrap_or_default();
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
        let show = |text: &str| {
            text.lines()
                .skip(first.saturating_sub(2))
                .take(6)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{COMMITTED} is stale (first difference at line {}):\n--- committed\n{}\n+++ generated\n{}\n\nregenerate with: CONSENTRY_UPDATE_GENERATED=1 cargo test --test docs",
            first + 1,
            show(&committed),
            show(&fresh)
        );
    }
}

#[test]
fn every_rule_has_its_anchor_and_every_example_reaches_its_verdict() {
    let text = generated();
    let book = Rulebook::embedded().expect("the embedded rulebook loads");
    for id in book.rule_ids() {
        let anchor = format!("<a id=\"{id}\"></a>\n\n### {id} — ");
        assert_eq!(text.matches(&anchor).count(), 1, "one section for {id}");
    }
    for statute in book.statutes.keys() {
        assert!(text.contains(&format!("<a id=\"pack-{statute}\"></a>")));
    }
    for problem in [
        "could not be evaluated",
        "gives no finding of this rule",
        "the example does not reach it",
    ] {
        assert!(!text.contains(problem), "an example {problem}");
    }
    let examples = book
        .rules
        .values()
        .flatten()
        .filter(|r| r.examples.is_some())
        .count();
    assert_eq!(text.matches("- Violating: ").count(), examples);
    assert_eq!(text.matches("- Compliant: ").count(), examples);
}

#[test]
fn the_reference_is_the_same_bytes_run_after_run() {
    assert_eq!(generated(), generated());
}
