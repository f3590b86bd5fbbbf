//! Compares every scenario's findings under two rulebooks and names what changed them.
//!
//! A finding appeared, disappeared, changed verdict or changed its reasoning; each change
//! carries the elements that made the difference and how the rule changed under them.

use crate::diagnostics::{Diagnostic, Severity};
use crate::engine::{ElementResult, FactKey, FactRead, Finding, ScenarioResult};
use crate::reading::{self, Change, ElementChange, VersionDates};
use crate::rulebook::{ElementKind, Rulebook, natural_key};
use crate::value::Date;
use crate::verdict::{Truth, Verdict};
use std::collections::BTreeMap;

/// How a finding differs between the base and the new rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Its verdict changed, neither side being not-applicable.
    Changed,
    /// Not-applicable or absent before, a finding with another verdict now.
    Appeared,
    /// A finding before, not-applicable or absent now.
    Disappeared,
    /// The same verdict, but other element values or missing facts.
    Reasoning,
}

impl ChangeKind {
    /// All kinds, in report order.
    pub const ALL: [ChangeKind; 4] = [
        ChangeKind::Changed,
        ChangeKind::Appeared,
        ChangeKind::Disappeared,
        ChangeKind::Reasoning,
    ];

    /// The contract name, e.g. `changed`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Changed => "changed",
            ChangeKind::Appeared => "appeared",
            ChangeKind::Disappeared => "disappeared",
            ChangeKind::Reasoning => "reasoning",
        }
    }
}

/// Why a finding appeared or disappeared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// The new rulebook has the rule and the base one does not.
    RuleAdded,
    /// The base rulebook has the rule and the new one does not.
    RuleRemoved,
    /// Both have the rule, but a version is in force on the scenario's date in only one.
    VersionInForce {
        /// The base rulebook's version in force, if any.
        before: Option<VersionDates>,
        /// The new rulebook's version in force, if any.
        after: Option<VersionDates>,
    },
    /// The rule is evaluated over other scope items (its scope changed).
    Scope,
    /// The elements: see [`FindingChange::elements`].
    Elements,
}

impl Cause {
    /// The cause's contract name, e.g. `rule-added`.
    pub fn name(&self) -> &'static str {
        match self {
            Cause::RuleAdded => "rule-added",
            Cause::RuleRemoved => "rule-removed",
            Cause::VersionInForce { .. } => "version-in-force",
            Cause::Scope => "scope",
            Cause::Elements => "elements",
        }
    }
}

/// An element's value in one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementValue {
    /// As evaluated, before any presumption.
    pub value: Truth,
    /// Whether a presumption decided it.
    pub presumed: bool,
    /// The value the verdict used.
    pub effective: Truth,
}

impl ElementValue {
    fn of(result: &ElementResult) -> Self {
        Self {
            value: result.value,
            presumed: result.presumed,
            effective: result.effective(),
        }
    }
}

/// A definition an element reads whose values differ between the rulebooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionChange {
    /// The name, without `$`.
    pub name: String,
    /// Values the new rulebook adds.
    pub added: Vec<String>,
    /// Values it drops.
    pub removed: Vec<String>,
}

/// One element that differs between the two findings.
#[derive(Debug, Clone)]
pub struct ElementDiff {
    /// The element id.
    pub id: String,
    /// Applies, exception or requires (as in the new rulebook when it has the element).
    pub kind: ElementKind,
    /// Its value in the base finding; `None` when the element is not in it.
    pub before: Option<ElementValue>,
    /// Its value in the new finding; `None` when the element is not in it.
    pub after: Option<ElementValue>,
    /// How the element itself changed between the rulebooks (condition, presumption, ...).
    pub rule_changes: Vec<ElementChange>,
    /// The definitions it reads whose values changed between the rulebooks.
    pub definitions: Vec<DefinitionChange>,
    /// Its condition in each rulebook, printed, when the condition changed.
    pub conditions: Option<(String, String)>,
    /// The facts it read in the new finding (the base one's when it was removed).
    pub facts: Vec<FactRead>,
}

/// One finding (scenario, rule, practice, disclosure) that differs.
#[derive(Debug, Clone)]
pub struct FindingChange {
    /// What kind of difference.
    pub kind: ChangeKind,
    /// The scenario id.
    pub scenario: String,
    /// The scenario file.
    pub file: String,
    /// The date the law was read as of.
    pub as_of: Date,
    /// The rule id.
    pub rule: String,
    /// The practice, for practice and disclosure scope.
    pub practice: Option<String>,
    /// The disclosure, for disclosure scope.
    pub disclosure: Option<String>,
    /// The base finding; `None` when the base rulebook gave none.
    pub before: Option<Finding>,
    /// The new finding; `None` when the new rulebook gave none.
    pub after: Option<Finding>,
    /// Why it appeared or disappeared ([`Cause::Elements`] for the other kinds).
    pub cause: Cause,
    /// The elements whose value or presence differs.
    pub elements: Vec<ElementDiff>,
    /// Missing facts the new finding lists and the base one does not.
    pub missing_added: Vec<FactKey>,
    /// Missing facts the base finding listed and the new one does not.
    pub missing_removed: Vec<FactKey>,
}

impl FindingChange {
    /// The verdict before (not-applicable when there was no finding).
    pub fn verdict_before(&self) -> Verdict {
        self.before
            .as_ref()
            .map_or(Verdict::NotApplicable, |f| f.verdict)
    }

    /// The verdict after (not-applicable when there is no finding).
    pub fn verdict_after(&self) -> Verdict {
        self.after
            .as_ref()
            .map_or(Verdict::NotApplicable, |f| f.verdict)
    }

    /// The finding in the `[expect]` syntax: `bipa.15b@practice/disclosure`.
    pub fn target(&self) -> String {
        match (&self.practice, &self.disclosure) {
            (Some(p), Some(d)) => format!("{}@{p}/{d}", self.rule),
            (Some(p), None) => format!("{}@{p}", self.rule),
            _ => self.rule.clone(),
        }
    }
}

/// The comparison of one run of scenarios under two rulebooks.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// Every finding that differs, by scenario file, then rule, then scope item.
    pub changes: Vec<FindingChange>,
    /// Scenarios compared (loaded under both rulebooks).
    pub scenarios: usize,
    /// Findings compared: every (scenario, rule, scope item) either rulebook gave.
    pub findings: usize,
    /// Problems: files that did not load under one or both rulebooks, and warnings.
    pub errors: Vec<Diagnostic>,
}

impl Diff {
    /// How many changes of `kind` there are.
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// Whether anything changed (a verdict or the reasoning).
    pub fn any_change(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// One rulebook and what it gave for a run of scenarios.
pub struct Side<'a> {
    /// The rulebook.
    pub book: &'a Rulebook,
    /// Where it was read from, in words (`rules`, `main:rules`).
    pub source: &'a str,
    /// The scenarios it loaded and evaluated.
    pub results: &'a [ScenarioResult],
    /// The problems of the run.
    pub errors: &'a [Diagnostic],
}

/// Compares the run under `base` with the run under `new`. Scenarios are matched by file; a
/// file that loads under one rulebook and not the other is an error (with the diagnostics of
/// the side that failed), never skipped. Findings are matched by (scenario, rule, practice,
/// disclosure); a missing finding counts as not-applicable, so a rule that does not apply to
/// a scenario under either rulebook is not listed.
pub fn compare(base: &Side<'_>, new: &Side<'_>) -> Diff {
    let mut diff = Diff::default();
    let by_file = |results: &'_ [ScenarioResult]| -> BTreeMap<String, usize> {
        results
            .iter()
            .enumerate()
            .map(|(i, r)| (r.scenario.file.name.clone(), i))
            .collect()
    };
    let base_files = by_file(base.results);
    let new_files = by_file(new.results);
    for result in new.results {
        let Some(before) = base_files
            .get(&result.scenario.file.name)
            .and_then(|i| base.results.get(*i))
        else {
            continue;
        };
        diff.scenarios += 1;
        compare_scenario(base.book, before, new.book, result, &mut diff);
    }
    diff.errors = merge_errors(base, new, &base_files, &new_files);
    diff
}

/// The problems of both runs, each once. An error of a file that loaded under the other
/// rulebook, or that differs from the other run's, names the rulebook it comes from
/// ("under main:rules: unknown key ..."), keeping its location.
fn merge_errors(
    base: &Side<'_>,
    new: &Side<'_>,
    base_files: &BTreeMap<String, usize>,
    new_files: &BTreeMap<String, usize>,
) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let same = |a: &Diagnostic, b: &Diagnostic| {
        a.file_name == b.file_name && a.span == b.span && a.message == b.message
    };
    for (side, other, other_files) in [(base, new, new_files), (new, base, base_files)] {
        for d in side.errors {
            let in_other = other.errors.iter().any(|o| same(o, d));
            let diag = if d.severity == Severity::Error
                && (other_files.contains_key(&d.file_name) || !in_other)
            {
                under(d, side.source)
            } else {
                d.clone()
            };
            if !out.iter().any(|o| same(o, &diag)) {
                out.push(diag);
            }
        }
    }
    out
}

/// `d` with its message prefixed by the rulebook it was found under.
fn under(d: &Diagnostic, source: &str) -> Diagnostic {
    let message = format!("under {source}: {}", d.message);
    let mut out = match (&d.file, &d.span) {
        (Some(file), Some(span)) => Diagnostic::error(file, span.clone(), message),
        _ => Diagnostic::file_error(d.file_name.clone(), message),
    };
    if let Some(label) = &d.label {
        out = out.with_label(label.clone());
    }
    out.with_help(
        d.help.clone().unwrap_or_else(|| {
            "a scenario must load under both rulebooks to be compared".to_string()
        }),
    )
}

type Key = (String, Option<String>, Option<String>);

fn key(finding: &Finding) -> Key {
    (
        finding.rule.clone(),
        finding.practice.clone(),
        finding.disclosure.clone(),
    )
}

fn compare_scenario<'a>(
    base_book: &Rulebook,
    before: &'a ScenarioResult,
    new_book: &Rulebook,
    after: &'a ScenarioResult,
    diff: &mut Diff,
) {
    let index = |result: &'_ ScenarioResult| -> BTreeMap<Key, usize> {
        result
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| (key(f), i))
            .collect()
    };
    let (before_index, after_index) = (index(before), index(after));
    let mut keys: Vec<Key> = before_index
        .keys()
        .chain(after_index.keys())
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    // Findings come rule by rule, each rule's in scope-item (file) order.
    let practice_index = |p: &Option<String>| {
        p.as_ref().map_or(0, |p| {
            after
                .scenario
                .practices
                .iter()
                .position(|x| &x.id == p)
                .map_or(usize::MAX, |i| i + 1)
        })
    };
    let disclosure_index = |p: &Option<String>, d: &Option<String>| {
        let practice = p
            .as_ref()
            .and_then(|p| after.scenario.practices.iter().find(|x| &x.id == p));
        d.as_ref().map_or(0, |d| {
            practice
                .and_then(|p| p.disclosures.iter().position(|x| &x.name == d))
                .map_or(usize::MAX, |i| i + 1)
        })
    };
    keys.sort_by_cached_key(|(rule, p, d)| {
        (natural_key(rule), practice_index(p), disclosure_index(p, d))
    });
    diff.findings += keys.len();
    let find = |result: &'a ScenarioResult, index: &BTreeMap<Key, usize>, k: &Key| {
        index.get(k).and_then(|i| result.findings.get(*i))
    };
    for k in keys {
        let old: Option<&Finding> = find(before, &before_index, &k);
        let new: Option<&Finding> = find(after, &after_index, &k);
        let verdict = |f: Option<&Finding>| f.map_or(Verdict::NotApplicable, |f| f.verdict);
        let (vb, va) = (verdict(old), verdict(new));
        let kind = match (vb, va) {
            (Verdict::NotApplicable, Verdict::NotApplicable) => continue,
            (Verdict::NotApplicable, _) => ChangeKind::Appeared,
            (_, Verdict::NotApplicable) => ChangeKind::Disappeared,
            (b, a) if b != a => ChangeKind::Changed,
            _ => ChangeKind::Reasoning,
        };
        let (rule, practice, disclosure) = k;
        let missing = |f: Option<&Finding>| -> Vec<FactKey> {
            f.map(|f| f.missing_facts.iter().map(|m| m.key.clone()).collect())
                .unwrap_or_default()
        };
        let (mb, ma) = (missing(old), missing(new));
        let missing_added: Vec<FactKey> = ma.iter().filter(|k| !mb.contains(k)).cloned().collect();
        let missing_removed: Vec<FactKey> =
            mb.iter().filter(|k| !ma.contains(k)).cloned().collect();
        // Most findings keep their verdict and reasoning: settle that before reading the rule
        // in both rulebooks to say how its elements changed.
        if kind == ChangeKind::Reasoning
            && missing_added.is_empty()
            && missing_removed.is_empty()
            && old
                .zip(new)
                .is_some_and(|(o, n)| element_diffs(o, n, &RuleChanges::new()).is_empty())
        {
            continue;
        }
        let rule_changes = element_rule_changes(base_book, new_book, &rule, after.as_of);
        let elements = match (old, new) {
            (Some(o), Some(n)) => element_diffs(o, n, &rule_changes),
            // A finding on one side only: the elements that decided its verdict there.
            (None, Some(n)) => crate::report::deciding(n)
                .into_iter()
                .map(|e| added(e, &rule_changes))
                .collect(),
            (Some(o), None) => crate::report::deciding(o)
                .into_iter()
                .map(|e| removed(e, &rule_changes))
                .collect(),
            (None, None) => Vec::new(),
        };
        let cause = cause(base_book, new_book, &rule, after.as_of, old, new);
        diff.changes.push(FindingChange {
            kind,
            scenario: after.scenario.id.clone(),
            file: after.scenario.file.name.clone(),
            as_of: after.as_of,
            rule,
            practice,
            disclosure,
            before: old.cloned(),
            after: new.cloned(),
            cause,
            elements,
            missing_added,
            missing_removed,
        });
    }
}

/// Why a finding is present on one side only (or not-applicable there).
fn cause(
    base_book: &Rulebook,
    new_book: &Rulebook,
    rule: &str,
    date: Date,
    old: Option<&Finding>,
    new: Option<&Finding>,
) -> Cause {
    let (in_base, in_new) = (
        base_book.rules.contains_key(rule),
        new_book.rules.contains_key(rule),
    );
    if !in_base && in_new {
        return Cause::RuleAdded;
    }
    if in_base && !in_new {
        return Cause::RuleRemoved;
    }
    let dates = |book: &Rulebook| {
        book.rule_on(rule, date).map(|r| VersionDates {
            effective: r.effective,
            until: r.until,
        })
    };
    let (before, after) = (dates(base_book), dates(new_book));
    if before.is_none() || after.is_none() {
        return Cause::VersionInForce { before, after };
    }
    if old.is_none() || new.is_none() {
        return Cause::Scope;
    }
    Cause::Elements
}

/// How one element of the rule in force changed between the rulebooks.
#[derive(Debug, Clone, Default)]
struct RuleChange {
    what: Vec<ElementChange>,
    definitions: Vec<DefinitionChange>,
    conditions: Option<(String, String)>,
}

/// Per element id of the rule in force on the scenario's date: how the element changed
/// between the rulebooks, and which definitions it reads changed.
type RuleChanges = BTreeMap<String, RuleChange>;

fn element_rule_changes(
    base_book: &Rulebook,
    new_book: &Rulebook,
    rule: &str,
    date: Date,
) -> RuleChanges {
    let mut out: RuleChanges = BTreeMap::new();
    let (Some(before), Some(after)) = (
        reading::read(base_book, rule, date),
        reading::read(new_book, rule, date),
    ) else {
        return out;
    };
    for change in reading::compare(&before, &after) {
        match change {
            Change::ElementChanged { element, what } => {
                let entry = out.entry(element.id.clone()).or_default();
                if what.contains(&ElementChange::Condition) {
                    entry.conditions = before
                        .elements
                        .iter()
                        .find(|e| e.id == element.id)
                        .map(|old| (old.condition.to_string(), element.condition.to_string()));
                }
                entry.what = what;
            }
            Change::Definition {
                name,
                read_by,
                added,
                removed,
                ..
            } => {
                for id in read_by {
                    out.entry(id)
                        .or_default()
                        .definitions
                        .push(DefinitionChange {
                            name: name.clone(),
                            added: added.clone(),
                            removed: removed.clone(),
                        });
                }
            }
            _ => {}
        }
    }
    out
}

fn element_diff(
    element: &ElementResult,
    before: Option<ElementValue>,
    after: Option<ElementValue>,
    changes: &RuleChanges,
) -> ElementDiff {
    let change = changes.get(&element.id).cloned().unwrap_or_default();
    ElementDiff {
        id: element.id.clone(),
        kind: element.kind,
        before,
        after,
        rule_changes: change.what,
        definitions: change.definitions,
        conditions: change.conditions,
        facts: element.facts.clone(),
    }
}

fn added(element: &ElementResult, changes: &RuleChanges) -> ElementDiff {
    element_diff(element, None, Some(ElementValue::of(element)), changes)
}

fn removed(element: &ElementResult, changes: &RuleChanges) -> ElementDiff {
    element_diff(element, Some(ElementValue::of(element)), None, changes)
}

/// The elements whose value, presumption, kind or presence differs between two findings.
fn element_diffs(old: &Finding, new: &Finding, changes: &RuleChanges) -> Vec<ElementDiff> {
    let mut out = Vec::new();
    for element in &new.elements {
        match old.elements.iter().find(|e| e.id == element.id) {
            None => out.push(added(element, changes)),
            Some(previous) => {
                let (b, a) = (ElementValue::of(previous), ElementValue::of(element));
                if b != a || previous.kind != element.kind {
                    out.push(element_diff(element, Some(b), Some(a), changes));
                }
            }
        }
    }
    for element in &old.elements {
        if !new.elements.iter().any(|e| e.id == element.id) {
            out.push(removed(element, changes));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::*;
    use crate::engine::evaluate;
    use crate::rulebook::embedded_files;
    use crate::scenario::Scenario;
    use crate::source::SourceFile;

    /// The embedded rulebook with `edit` applied to `rules/bipa.toml`.
    fn book(edit: impl Fn(&str) -> String) -> Rulebook {
        let files: Vec<Arc<SourceFile>> = embedded_files()
            .into_iter()
            .map(|f| {
                if f.name == "rules/bipa.toml" {
                    SourceFile::new(f.name.clone(), edit(&f.text))
                } else {
                    f
                }
            })
            .collect();
        match Rulebook::load(&files) {
            Ok(book) => book,
            Err(errors) => unreachable!(
                "{}",
                errors
                    .iter()
                    .map(|e| e.render(false))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }

    const SCENARIO: &str = r#"
[scenario]
id = "clock"
as_of = 2023-06-01
[operator]
kind = "company"
[service]
users = { "US-IL" = 10 }
[[practice]]
id = "clock-in"
data = ["fingerprint"]
subjects = ["employees"]
[practice.notice]
written = true
names_biometrics = true
states_purpose = true
states_retention = true
before_collection = true
[practice.consent]
kind = "checkbox"
from = "subject"
before_collection = true
"#;

    fn run(book: &Rulebook) -> Vec<ScenarioResult> {
        let file = SourceFile::new("clock.toml", SCENARIO);
        let ids: BTreeSet<&str> = book.rule_ids().collect();
        match Scenario::load(&file, &book.vocabulary, &ids, Date::today()) {
            Ok(scenario) => vec![evaluate(book, scenario, None)],
            Err(errors) => unreachable!("{}", errors.len()),
        }
    }

    fn side<'a>(book: &'a Rulebook, source: &'a str, results: &'a [ScenarioResult]) -> Side<'a> {
        Side {
            book,
            source,
            results,
            errors: &[],
        }
    }

    #[test]
    fn accepting_a_checkbox_as_a_release_makes_15b_compliant_naming_the_element_and_definition() {
        let base = book(str::to_string);
        let new = book(|text| {
            text.replacen(
                "values = [\"written-release\"]\n",
                "values = [\"written-release\", \"checkbox\"]\n",
                1,
            )
        });
        let (base_results, new_results) = (run(&base), run(&new));
        let diff = compare(
            &side(&base, "rules", &base_results),
            &side(&new, "copy", &new_results),
        );
        assert_eq!(diff.scenarios, 1);
        let change = diff
            .changes
            .iter()
            .find(|c| c.rule == "bipa.15b")
            .expect("bipa.15b changes");
        assert_eq!(change.kind, ChangeKind::Changed);
        assert_eq!(
            (change.verdict_before(), change.verdict_after()),
            (Verdict::LikelyViolation, Verdict::Compliant)
        );
        assert_eq!(change.cause, Cause::Elements);
        let ids: Vec<&str> = change.elements.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["written-release"]);
        let element = change.elements.first().expect("the element");
        assert_eq!(element.before.map(|v| v.value), Some(Truth::False));
        assert_eq!(element.after.map(|v| v.value), Some(Truth::True));
        assert!(element.rule_changes.is_empty(), "the condition is the same");
        assert_eq!(
            element.definitions,
            vec![DefinitionChange {
                name: "written_release_kinds".into(),
                added: vec!["checkbox".into()],
                removed: vec![],
            }]
        );
        assert!(
            diff.changes.iter().all(|c| c.rule == "bipa.15b"),
            "{:?}",
            diff.changes
                .iter()
                .map(FindingChange::target)
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_same_rulebook_gives_no_change_and_a_new_rule_appears_only_where_it_applies() {
        let base = book(str::to_string);
        let results = run(&base);
        let same = compare(&side(&base, "a", &results), &side(&base, "b", &results));
        assert!(!same.any_change());
        assert!(same.findings > 0);
        // Without bipa.15c in the base, its not-applicable findings are not listed, and its
        // possible violation appears as a rule added.
        let without = book(|text| text.replacen("id = \"bipa.15c\"", "id = \"bipa.15x\"", 1));
        let without_results = run(&without);
        let diff = compare(
            &side(&without, "old", &without_results),
            &side(&base, "new", &results),
        );
        let kinds: Vec<(String, ChangeKind, Cause)> = diff
            .changes
            .iter()
            .map(|c| (c.rule.clone(), c.kind, c.cause.clone()))
            .collect();
        assert!(kinds.contains(&(
            "bipa.15c".to_string(),
            ChangeKind::Appeared,
            Cause::RuleAdded
        )));
        assert!(kinds.contains(&(
            "bipa.15x".to_string(),
            ChangeKind::Disappeared,
            Cause::RuleRemoved
        )));
    }

    #[test]
    fn a_scenario_loading_under_one_rulebook_only_is_an_error_with_its_diagnostics() {
        let base = book(str::to_string);
        let results = run(&base);
        let file = SourceFile::new("clock.toml", SCENARIO);
        let problem = [Diagnostic::error(&file, 10..15, "unknown key `x`")];
        let failed = Side {
            book: &base,
            source: "copy",
            results: &[],
            errors: &problem,
        };
        let diff = compare(&side(&base, "rules", &results), &failed);
        let messages: Vec<&str> = diff.errors.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, vec!["under copy: unknown key `x`"]);
        assert_eq!(diff.errors.first().map(|d| d.line_col()), Some((2, 10)));
        assert_eq!(diff.scenarios, 0);
    }
}
