//! Measures how a set of scenarios covers the rulebook.
//!
//! Per rule: how many findings reach each verdict, which elements are never decisive, and
//! whether a violating and a compliant case exist.

use std::collections::BTreeMap;

use crate::engine::{Finding, ScenarioResult};
use crate::rulebook::{ElementKind, Rulebook};
use crate::verdict::{Truth, Verdict};

/// The verdict DESIGN.md §4's table gives for these element values (each an element's kind and
/// the value the verdict uses, i.e. after any presumption).
pub fn verdict_of(values: impl IntoIterator<Item = (ElementKind, Truth)>) -> Verdict {
    let (mut attaches, mut excepted, mut breach) = (Truth::True, Truth::False, Truth::False);
    for (kind, value) in values {
        match kind {
            ElementKind::Applies => attaches = attaches.and(value),
            ElementKind::Exception => excepted = excepted.or(value),
            ElementKind::Requires => breach = breach.or(!value),
        }
    }
    Verdict::from_truths(attaches.and(!excepted), breach)
}

/// Whether element `index` of `finding` is decisive: giving it another value (true, false or
/// unknown), every other element keeping the value the verdict used (after presumptions),
/// changes the finding's verdict under DESIGN.md §4's table.
pub fn decisive(finding: &Finding, index: usize) -> bool {
    let Some(element) = finding.elements.get(index) else {
        return false;
    };
    let current = element.effective();
    [Truth::True, Truth::False, Truth::Unknown]
        .into_iter()
        .filter(|value| *value != current)
        .any(|value| {
            let values = finding
                .elements
                .iter()
                .enumerate()
                .map(|(i, e)| (e.kind, if i == index { value } else { e.effective() }));
            verdict_of(values) != finding.verdict
        })
}

/// How often one element of a rule was evaluated and decisive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementCoverage {
    /// The element id.
    pub id: String,
    /// Applies, exception or requires (as in the rule's latest version having it).
    pub kind: ElementKind,
    /// Findings in which the element was in force.
    pub evaluated: usize,
    /// Findings in which it was decisive (see [`decisive`]).
    pub decisive: usize,
}

/// The coverage of one rule.
#[derive(Debug, Clone)]
pub struct RuleCoverage {
    /// The rule id.
    pub rule: String,
    /// Its statute pack.
    pub statute: String,
    /// Findings per verdict (every verdict present, possibly 0).
    pub verdicts: BTreeMap<Verdict, usize>,
    /// Every element of every version, in rule order (first version first).
    pub elements: Vec<ElementCoverage>,
}

impl RuleCoverage {
    /// How many findings reached `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.verdicts.get(&verdict).copied().unwrap_or(0)
    }

    /// Whether some finding reached `verdict`.
    pub fn reached(&self, verdict: Verdict) -> bool {
        self.count(verdict) > 0
    }

    /// The elements no finding depended on (never decisive, or never in force on a date a
    /// scenario was read as of).
    pub fn never_decisive(&self) -> impl Iterator<Item = &ElementCoverage> {
        self.elements.iter().filter(|e| e.decisive == 0)
    }

    /// The verdicts a rule should be shown to reach, likely-violation and compliant, that no
    /// finding reached.
    pub fn gaps(&self) -> Vec<Verdict> {
        [Verdict::LikelyViolation, Verdict::Compliant]
            .into_iter()
            .filter(|v| !self.reached(*v))
            .collect()
    }
}

/// The coverage of a rulebook by the findings of a run.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// One entry per rule of the rulebook, in reading order.
    pub rules: Vec<RuleCoverage>,
    /// Scenarios evaluated.
    pub scenarios: usize,
    /// Findings counted.
    pub findings: usize,
}

impl Coverage {
    /// Counts the verdicts and decisive elements of every finding in `results`.
    pub fn compute(book: &Rulebook, results: &[ScenarioResult]) -> Self {
        let mut rules: Vec<RuleCoverage> = book
            .rules_in_order()
            .filter_map(|versions| {
                let first = versions.first()?;
                let mut elements: Vec<ElementCoverage> = Vec::new();
                for version in versions {
                    for element in &version.elements {
                        match elements.iter_mut().find(|e| e.id == element.id) {
                            Some(existing) => existing.kind = element.kind,
                            None => elements.push(ElementCoverage {
                                id: element.id.clone(),
                                kind: element.kind,
                                evaluated: 0,
                                decisive: 0,
                            }),
                        }
                    }
                }
                Some(RuleCoverage {
                    rule: first.id.clone(),
                    statute: first.statute.clone(),
                    verdicts: Verdict::ALL.into_iter().map(|v| (v, 0)).collect(),
                    elements,
                })
            })
            .collect();
        let mut findings = 0;
        for finding in results.iter().flat_map(|r| &r.findings) {
            let Some(rule) = rules.iter_mut().find(|r| r.rule == finding.rule) else {
                continue;
            };
            findings += 1;
            *rule.verdicts.entry(finding.verdict).or_default() += 1;
            for (index, element) in finding.elements.iter().enumerate() {
                if let Some(entry) = rule.elements.iter_mut().find(|e| e.id == element.id) {
                    entry.evaluated += 1;
                    if decisive(finding, index) {
                        entry.decisive += 1;
                    }
                }
            }
        }
        Self {
            rules,
            scenarios: results.len(),
            findings,
        }
    }

    /// The coverage of one rule.
    pub fn rule(&self, id: &str) -> Option<&RuleCoverage> {
        self.rules.iter().find(|r| r.rule == id)
    }

    /// The rules no finding drives to likely-violation, or to compliant, with what is missing.
    pub fn gaps(&self) -> Vec<(&RuleCoverage, Vec<Verdict>)> {
        self.rules
            .iter()
            .map(|r| (r, r.gaps()))
            .filter(|(_, missing)| !missing.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ElementResult;
    use crate::source::{Location, SourceFile};
    use crate::value::Date;

    fn element(kind: ElementKind, id: &str, value: Truth, presumed: bool) -> ElementResult {
        ElementResult {
            kind,
            id: id.to_string(),
            text: String::new(),
            cite: String::new(),
            value,
            presumed,
            presumed_holds: kind != ElementKind::Exception,
            facts: Vec::new(),
            unknown: Vec::new(),
        }
    }

    fn finding(elements: Vec<ElementResult>) -> Finding {
        let verdict = verdict_of(elements.iter().map(|e| (e.kind, e.effective())));
        Finding {
            rule: "demo.1".into(),
            statute: "demo".into(),
            citation: String::new(),
            title: String::new(),
            version_effective: Date::new(2000, 1, 1).unwrap_or(Date {
                year: 2000,
                month: 1,
                day: 1,
            }),
            version_until: None,
            verdict,
            practice: None,
            disclosure: None,
            location: Location::new(&SourceFile::new("t.toml", ""), 0..0),
            elements,
            missing_facts: Vec::new(),
            assumptions: Vec::new(),
            fixes: Vec::new(),
            remedy: None,
            exposure: None,
            fingerprint: String::new(),
            notes: Vec::new(),
        }
    }

    use ElementKind::{Applies, Exception, Requires};
    use Truth::{False, True, Unknown};

    fn decisive_ids(f: &Finding) -> Vec<&str> {
        (0..f.elements.len())
            .filter(|i| decisive(f, *i))
            .filter_map(|i| f.elements.get(i).map(|e| e.id.as_str()))
            .collect()
    }

    #[test]
    fn the_table_of_design_section_4() {
        assert_eq!(
            verdict_of([(Applies, True), (Requires, False)]),
            Verdict::LikelyViolation
        );
        assert_eq!(
            verdict_of([(Applies, True), (Requires, Unknown)]),
            Verdict::PossibleViolation
        );
        assert_eq!(
            verdict_of([(Applies, Unknown), (Requires, True)]),
            Verdict::Compliant
        );
        assert_eq!(
            verdict_of([(Applies, False), (Requires, False)]),
            Verdict::NotApplicable
        );
        assert_eq!(
            verdict_of([(Applies, True), (Exception, True), (Requires, False)]),
            Verdict::NotApplicable
        );
        assert_eq!(
            verdict_of([]),
            Verdict::Compliant,
            "no elements: attaches, no breach"
        );
    }

    #[test]
    fn one_failed_requirement_is_decisive_two_are_not() {
        let one = finding(vec![
            element(Applies, "a", True, false),
            element(Exception, "x", False, false),
            element(Requires, "r1", False, false),
            element(Requires, "r2", True, false),
        ]);
        assert_eq!(one.verdict, Verdict::LikelyViolation);
        // The threshold and the defence decide too: either flipped takes the case out.
        assert_eq!(decisive_ids(&one), vec!["a", "x", "r1"]);
        let two = finding(vec![
            element(Applies, "a", True, false),
            element(Requires, "r1", False, false),
            element(Requires, "r2", False, false),
        ]);
        assert_eq!(decisive_ids(&two), vec!["a"]);
    }

    #[test]
    fn presumptions_count_with_the_value_they_give() {
        // An unknown, presumed threshold counts as held: it is decisive (false would take the
        // case out), though its raw value is unknown.
        let presumed = finding(vec![
            element(Applies, "nexus", Unknown, true),
            element(Requires, "r", False, false),
        ]);
        assert_eq!(presumed.verdict, Verdict::LikelyViolation);
        assert_eq!(decisive_ids(&presumed), vec!["nexus", "r"]);
        // A compliant finding: every requirement is decisive (false would breach), a
        // threshold that fails is what makes it not-applicable instead.
        let compliant = finding(vec![
            element(Applies, "a", True, false),
            element(Requires, "r1", True, false),
            element(Requires, "r2", True, false),
        ]);
        assert_eq!(decisive_ids(&compliant), vec!["a", "r1", "r2"]);
        let na = finding(vec![
            element(Applies, "a", False, false),
            element(Applies, "b", False, false),
            element(Requires, "r", False, false),
        ]);
        assert_eq!(na.verdict, Verdict::NotApplicable);
        assert!(
            decisive_ids(&na).is_empty(),
            "two failed thresholds: neither alone decides"
        );
    }
}
