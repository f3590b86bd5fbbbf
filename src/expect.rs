//! Compares a scenario's findings with its `[expect]` block.

use crate::engine::ScenarioResult;
use crate::rulebook::Rulebook;
use crate::scenario::Expectation;
use crate::verdict::Verdict;

/// One `[expect]` entry (or an unlisted rule under `exhaustive`) the findings do not bear out.
#[derive(Debug, Clone)]
pub struct Mismatch {
    /// The entry, or `None` for a rule `exhaustive = true` requires but the block does not list.
    pub expectation: Option<Expectation>,
    /// The rule concerned.
    pub rule: String,
    /// The verdict the findings give.
    pub actual: Verdict,
}

/// The verdict the findings give for an entry: the strongest among the findings it covers
/// (not-applicable when the rule produced none, e.g. no such scope item or not in force).
pub fn actual_verdict(
    result: &ScenarioResult,
    rule: &str,
    practice: Option<&str>,
    disclosure: Option<&str>,
) -> Verdict {
    result
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .filter(|f| practice.is_none_or(|p| f.practice.as_deref() == Some(p)))
        .filter(|f| disclosure.is_none_or(|d| f.disclosure.as_deref() == Some(d)))
        .map(|f| f.verdict)
        .max_by_key(|v| v.strength())
        .unwrap_or(Verdict::NotApplicable)
}

/// Every way the findings differ from the scenario's `[expect]` (empty when they agree or
/// there is no `[expect]`).
/// Entries naming rules of statute packs filtered out of `book` (`--statute`) are not
/// checked.
pub fn check(result: &ScenarioResult, book: &Rulebook) -> Vec<Mismatch> {
    let Some(expect) = &result.scenario.expect else {
        return Vec::new();
    };
    let mut mismatches = Vec::new();
    for entry in expect
        .entries
        .iter()
        .filter(|e| book.rules.contains_key(&e.rule))
    {
        let actual = actual_verdict(
            result,
            &entry.rule,
            entry.practice.as_deref(),
            entry.disclosure.as_deref(),
        );
        if actual != entry.verdict {
            mismatches.push(Mismatch {
                expectation: Some(entry.clone()),
                rule: entry.rule.clone(),
                actual,
            });
        }
    }
    if expect.exhaustive {
        let mut rules: Vec<&str> = result.findings.iter().map(|f| f.rule.as_str()).collect();
        rules.dedup();
        for rule in rules {
            let actual = actual_verdict(result, rule, None, None);
            if actual != Verdict::NotApplicable && !expect.entries.iter().any(|e| e.rule == rule) {
                mismatches.push(Mismatch {
                    expectation: None,
                    rule: rule.to_string(),
                    actual,
                });
            }
        }
    }
    mismatches
}
