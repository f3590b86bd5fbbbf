//! The rule reference: the committed `docs/rules.md` is what `consentry rules --format markdown`
//! writes from the shipped rulebook, it has an anchor for every rule, and every example it
//! shows reaches the verdict it is named for. Set `CONSENTRY_UPDATE_GENERATED=1` to rewrite the
//! committed copy.

mod common;

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
    common::assert_generated_current(COMMITTED, &generated(), "docs");
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
