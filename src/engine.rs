//! Evaluates a rulebook against a scenario: Kleene logic per element, verdicts, missing facts,
//! assumptions, fixes and exposure, one finding per rule and scope item.

use std::borrow::Cow;
use std::sync::Arc;

use crate::condition::{Collection, Expr, Literal, Node, Op, Quantifier, ScopeKind};
use crate::exposure::{Exposure, exposure};
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use crate::fnv::Fnv;
use crate::rulebook::{Definition, Element, ElementKind, Remedy, Rule, Rulebook};
use crate::scenario::{Disclosure, Facts, Practice, Scenario, StatedFact};
use crate::source::Location;
use crate::value::{Date, Value};
use crate::verdict::{Truth, Verdict};
use crate::vocabulary::{Domain, FactType, Match};

/// A fact read while deciding an element.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRead {
    /// Vocabulary path.
    pub path: String,
    /// The stated value.
    pub value: Value,
    /// Where it is stated.
    pub location: Location,
    /// The practice or disclosure it belongs to, when read through a quantifier.
    pub item: Option<String>,
}

/// A fact that is not stated, in the context it would be stated in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FactKey {
    /// Vocabulary path.
    pub path: String,
    /// The practice it belongs to, for `practice.*` facts.
    pub practice: Option<String>,
    /// The disclosure it belongs to, for `practice.disclosure.*` facts.
    pub disclosure: Option<String>,
}

/// The outcome of one element.
#[derive(Debug, Clone)]
pub struct ElementResult {
    /// Applies, exception or requires.
    pub kind: ElementKind,
    /// Element id.
    pub id: String,
    /// Plain words.
    pub text: String,
    /// Pinpoint citation.
    pub cite: String,
    /// The value as evaluated (before any presumption).
    pub value: Truth,
    /// Whether the value was unknown and a presumption decided it: true for `presumed`
    /// applies/requires elements, false for exceptions (defences the operator must show).
    pub presumed: bool,
    /// The value the presumption gives it (see [`crate::rulebook::Element::presumed_holds`]).
    pub presumed_holds: bool,
    /// Stated facts it read.
    pub facts: Vec<FactRead>,
    /// Unstated facts it read.
    pub unknown: Vec<FactKey>,
}

impl ElementResult {
    /// The value the verdict uses: a presumed unknown counts as true.
    pub fn effective(&self) -> Truth {
        if self.presumed {
            Truth::from(self.presumed_holds)
        } else {
            self.value
        }
    }
}

/// How much knowing one missing fact would settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decisiveness {
    /// Whatever its value, the verdict would be decided.
    SettlesAlone,
    /// Some of its values would decide the verdict.
    SettlesSome,
    /// It could change the verdict together with other facts.
    WithOthers,
}

/// A fact the scenario does not state, whose value could change the verdict.
#[derive(Debug, Clone)]
pub struct MissingFact {
    /// The fact.
    pub key: FactKey,
    /// What it means (from the vocabulary).
    pub meaning: String,
    /// How decisive it is.
    pub decisiveness: Decisiveness,
}

/// One rule evaluated for one scope item.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Statute pack id.
    pub statute: String,
    /// Pinpoint citation.
    pub citation: String,
    /// Rule title.
    pub title: String,
    /// First day of the rule version applied.
    pub version_effective: Date,
    /// First day after it, if any.
    pub version_until: Option<Date>,
    /// The verdict.
    pub verdict: Verdict,
    /// The practice, for practice and disclosure scope.
    pub practice: Option<String>,
    /// The disclosure, for disclosure scope.
    pub disclosure: Option<String>,
    /// Where the scope item starts in the scenario.
    pub location: Location,
    /// Every element in force, in rule order.
    pub elements: Vec<ElementResult>,
    /// Unstated facts that could change the verdict, most decisive first.
    pub missing_facts: Vec<MissingFact>,
    /// Presumptions the verdict rests on.
    pub assumptions: Vec<String>,
    /// What would cure each failed requirement.
    pub fixes: Vec<String>,
    /// The remedy in force.
    pub remedy: Option<Remedy>,
    /// The exposure estimate, where counts allow.
    pub exposure: Option<Exposure>,
    /// Stable hash of scenario id, rule id and scope item.
    pub fingerprint: String,
    /// The statute pack's notes in force on the date (e.g. an amendment awaiting its
    /// compliance date).
    pub notes: Vec<String>,
}

/// The findings for one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The scenario.
    pub scenario: Scenario,
    /// The date the law was read as of.
    pub as_of: Date,
    /// Findings of every rule in force, by rule id then scope item (file order).
    pub findings: Vec<Finding>,
}

/// The current scope item and what-if values while evaluating one finding.
#[derive(Clone, Copy)]
struct Env<'a> {
    book: &'a Rulebook,
    /// The statute pack's definitions, looked up once per rule.
    definitions: Option<&'a BTreeMap<String, Vec<Definition>>>,
    date: Date,
    scenario: &'a Scenario,
    practice: Option<&'a Practice>,
    disclosure: Option<&'a Disclosure>,
    /// The scenario's facts by path, hashed once per evaluation: conditions read facts by
    /// path thousands of times per scenario.
    tables: &'a Tables<'a>,
    /// The tables of `practice`, and the facts of `disclosure`.
    practice_tables: Option<&'a PracticeTables<'a>>,
    disclosure_facts: Option<&'a FactTable<'a>>,
    overrides: &'a [(FactKey, Value)],
    through_quantifier: bool,
}

#[derive(Default)]
struct Trace {
    /// Whether to record what was read; off for the what-if evaluations of missing facts,
    /// which need only the verdict.
    quiet: bool,
    reads: Vec<FactRead>,
    unknown: Vec<FactKey>,
}

/// A condition operand's value, borrowed from the scenario or the rulebook wherever it can
/// be: evaluation reads thousands of operands per scenario.
enum Operand<'a> {
    Known(Cow<'a, Value>),
    /// A string literal of the condition.
    Text(&'a str),
    Set(Set<'a>),
    Unknown,
}

/// The values of a definition or of a list literal, borrowed from the rulebook.
#[derive(Clone, Copy)]
enum Set<'a> {
    Strings(&'a [String]),
    Literals(&'a [Literal]),
}

/// The text values of a [`Set`].
#[derive(Clone)]
struct SetIter<'a> {
    set: Set<'a>,
    at: usize,
}

impl<'a> Iterator for SetIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            let at = self.at;
            self.at += 1;
            match self.set {
                Set::Strings(items) => return items.get(at).map(String::as_str),
                Set::Literals(items) => match items.get(at)? {
                    Literal::Str(s) => return Some(s),
                    _ => continue,
                },
            }
        }
    }
}

impl<'a> Set<'a> {
    fn iter(self) -> SetIter<'a> {
        SetIter { set: self, at: 0 }
    }
}

/// How much of each finding [`evaluate_with`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Every finding in full.
    #[default]
    Full,
    /// Not-applicable findings with their identity (rule, scope item, location, fingerprint,
    /// version) and verdict only, no elements, facts, remedy or notes: all that a report
    /// without `--all` reads of them; every other finding in full. Most findings of a
    /// scenario do not apply, and reasoning nobody reads was most of the cost of evaluating.
    Applicable,
}

/// Stated facts by path, for one scope item.
type FactTable<'a> = HashMap<&'a str, &'a StatedFact, BuildHasherDefault<Fnv>>;

fn table(facts: &Facts) -> FactTable<'_> {
    facts
        .iter()
        .map(|(path, fact)| (path.as_str(), fact))
        .collect()
}

/// The facts of a practice and of each of its disclosures.
struct PracticeTables<'a> {
    facts: FactTable<'a>,
    disclosures: Vec<FactTable<'a>>,
}

/// Every scope item's facts, by path.
struct Tables<'a> {
    scenario: FactTable<'a>,
    practices: Vec<PracticeTables<'a>>,
}

impl<'a> Tables<'a> {
    fn of(scenario: &'a Scenario) -> Self {
        Tables {
            scenario: table(&scenario.facts),
            practices: scenario
                .practices
                .iter()
                .map(|p| PracticeTables {
                    facts: table(&p.facts),
                    disclosures: p.disclosures.iter().map(|d| table(&d.facts)).collect(),
                })
                .collect(),
        }
    }
}

/// Evaluates every rule in force on the scenario's date (or `as_of_override`).
pub fn evaluate(
    book: &Rulebook,
    scenario: Scenario,
    as_of_override: Option<Date>,
) -> ScenarioResult {
    evaluate_with(book, scenario, as_of_override, Detail::Full)
}

/// [`evaluate`], building findings in `detail`.
pub fn evaluate_with(
    book: &Rulebook,
    scenario: Scenario,
    as_of_override: Option<Date>,
    detail: Detail,
) -> ScenarioResult {
    let as_of = as_of_override.unwrap_or(scenario.as_of);
    let mut findings = Vec::new();
    let tables = Tables::of(&scenario);
    for versions in book.rules_in_order() {
        let Some(rule) = versions.iter().find(|r| r.in_force(as_of)) else {
            continue;
        };
        let base = Env {
            book,
            definitions: book.definitions.get(&rule.statute),
            date: as_of,
            scenario: &scenario,
            practice: None,
            disclosure: None,
            tables: &tables,
            practice_tables: None,
            disclosure_facts: None,
            overrides: &[],
            through_quantifier: false,
        };
        match rule.scope {
            ScopeKind::Service => {
                let location = Location::new(&scenario.file, 0..0);
                findings.push(finding(rule, base, location, detail));
            }
            ScopeKind::Practice => {
                for (practice, practice_tables) in scenario.practices.iter().zip(&tables.practices)
                {
                    let env = Env {
                        practice: Some(practice),
                        practice_tables: Some(practice_tables),
                        ..base
                    };
                    findings.push(finding(rule, env, practice.location.clone(), detail));
                }
            }
            ScopeKind::Disclosure => {
                for (practice, practice_tables) in scenario.practices.iter().zip(&tables.practices)
                {
                    for (disclosure, disclosure_facts) in practice
                        .disclosures
                        .iter()
                        .zip(&practice_tables.disclosures)
                    {
                        let env = Env {
                            practice: Some(practice),
                            disclosure: Some(disclosure),
                            practice_tables: Some(practice_tables),
                            disclosure_facts: Some(disclosure_facts),
                            ..base
                        };
                        findings.push(finding(rule, env, disclosure.location.clone(), detail));
                    }
                }
            }
        }
    }
    ScenarioResult {
        scenario,
        as_of,
        findings,
    }
}

/// The verdict with one fact given a what-if value (in `env.overrides`): only the elements
/// whose condition reads `path` are evaluated again; the others keep the values `decide` gave
/// them, which the override cannot change.
fn verdict_with(elements: &[(&Element, &ElementResult, bool)], env: Env<'_>) -> Verdict {
    let (mut attaches, mut excepted, mut breach) = (Truth::True, Truth::False, Truth::False);
    for &(element, result, reads) in elements {
        let effective = if reads {
            let mut trace = Trace {
                quiet: true,
                ..Trace::default()
            };
            let value = truth(&element.condition, env, &mut trace);
            if presumes(element, value, env) {
                Truth::from(element.presumed_holds)
            } else {
                value
            }
        } else {
            result.effective()
        };
        match element.kind {
            ElementKind::Applies => attaches = attaches.and(effective),
            ElementKind::Exception => excepted = excepted.or(effective),
            ElementKind::Requires => breach = breach.or(!effective),
        }
    }
    Verdict::from_truths(attaches.and(!excepted), breach)
}

/// Whether a presumption decides `element`, whose condition evaluated to `value`: it is
/// presumed, unknown, and none of the facts that lift its presumption is stated.
fn presumes(element: &Element, value: Truth, env: Env<'_>) -> bool {
    element.presumed
        && value == Truth::Unknown
        && element.presumed_while_unstated.iter().all(|path| {
            let mut quiet = Trace {
                quiet: true,
                ..Trace::default()
            };
            matches!(lookup(path, None, env, &mut quiet), Operand::Unknown)
        })
}

fn decide(rule: &Rule, env: Env<'_>) -> (Vec<ElementResult>, Verdict) {
    let mut results = Vec::new();
    let (mut attaches, mut excepted, mut breach) = (Truth::True, Truth::False, Truth::False);
    for element in rule.elements_on(env.date) {
        let mut trace = Trace::default();
        let value = truth(&element.condition, env, &mut trace);
        let presumed = presumes(element, value, env);
        // INVARIANT: the rulebook loader sets `presumed` on every exception unless the rule
        // opts out, so an unstated defence does not hold the verdict open.
        let result = ElementResult {
            kind: element.kind,
            id: element.id.clone(),
            text: element.text.clone(),
            cite: element.cite.clone(),
            value,
            presumed,
            presumed_holds: element.presumed_holds,
            facts: trace.reads,
            unknown: trace.unknown,
        };
        let effective = result.effective();
        match element.kind {
            ElementKind::Applies => attaches = attaches.and(effective),
            ElementKind::Exception => excepted = excepted.or(effective),
            ElementKind::Requires => breach = breach.or(!effective),
        }
        results.push(result);
    }
    (
        results,
        Verdict::from_truths(attaches.and(!excepted), breach),
    )
}

/// The verdict alone, every element evaluated without recording what it read (the values
/// are the same: recording never changes them).
fn verdict_only(rule: &Rule, env: Env<'_>) -> Verdict {
    let (mut attaches, mut excepted, mut breach) = (Truth::True, Truth::False, Truth::False);
    for element in rule.elements_on(env.date) {
        let mut trace = Trace {
            quiet: true,
            ..Trace::default()
        };
        let value = truth(&element.condition, env, &mut trace);
        let effective = if presumes(element, value, env) {
            Truth::from(element.presumed_holds)
        } else {
            value
        };
        match element.kind {
            ElementKind::Applies => attaches = attaches.and(effective),
            ElementKind::Exception => excepted = excepted.or(effective),
            ElementKind::Requires => breach = breach.or(!effective),
        }
    }
    Verdict::from_truths(attaches.and(!excepted), breach)
}

fn finding(rule: &Rule, env: Env<'_>, location: Location, detail: Detail) -> Finding {
    if detail == Detail::Applicable {
        let verdict = verdict_only(rule, env);
        if verdict == Verdict::NotApplicable {
            return identity_only(rule, env, location, verdict);
        }
    }
    let (elements, verdict) = decide(rule, env);
    let missing_facts = if verdict == Verdict::PossibleViolation {
        missing_facts(rule, env, &elements)
    } else {
        Vec::new()
    };
    let assumptions = elements
        .iter()
        .filter(|e| e.presumed)
        .map(|e| {
            let mut paths: Vec<&str> = e.unknown.iter().map(|k| k.path.as_str()).collect();
            paths.dedup();
            if !e.presumed_holds && e.kind != ElementKind::Exception {
                format!(
                    "presumed not to hold: {} (state {} to confirm or rebut)",
                    e.text,
                    paths.join(", ")
                )
            } else if e.kind == ElementKind::Exception {
                format!(
                    "presumed not to apply: {} (a defence the operator must show; state {} to rebut)",
                    e.text,
                    paths.join(", ")
                )
            } else {
                format!("presumed: {} (state {} to confirm or rebut)", e.text, paths.join(", "))
            }
        })
        .collect();
    let fixes = rule
        .elements_on(env.date)
        .zip(&elements)
        .filter(|(_, result)| {
            result.kind == ElementKind::Requires && result.effective() == Truth::False
        })
        .filter_map(|(element, _)| element.fix.clone())
        .collect();
    let remedy = rule.remedy_on(env.date).cloned();
    let exposure = match (&remedy, verdict) {
        (Some(remedy), Verdict::LikelyViolation | Verdict::PossibleViolation) => {
            exposure(remedy, env.scenario, env.practice)
        }
        _ => None,
    };
    Finding {
        elements,
        missing_facts,
        assumptions,
        fixes,
        remedy,
        exposure,
        notes: env
            .book
            .statutes
            .get(&rule.statute)
            .map(|statute| {
                statute
                    .notes_on(env.date)
                    .map(|n| format!("{} ({})", n.text.trim(), n.cite))
                    .collect()
            })
            .unwrap_or_default(),
        ..identity_only(rule, env, location, verdict)
    }
}

/// A finding with its identity and verdict only ([`Detail::Applicable`]).
fn identity_only(rule: &Rule, env: Env<'_>, location: Location, verdict: Verdict) -> Finding {
    let practice = env.practice.map(|p| p.id.clone());
    let disclosure = env.disclosure.map(|d| d.name.clone());
    let fingerprint = fingerprint(
        &env.scenario.id,
        &rule.id,
        practice.as_deref(),
        disclosure.as_deref(),
    );
    Finding {
        rule: rule.id.clone(),
        statute: rule.statute.clone(),
        citation: rule.citation.clone(),
        title: rule.title.clone(),
        version_effective: rule.effective,
        version_until: rule.until,
        verdict,
        practice,
        disclosure,
        location,
        elements: Vec::new(),
        missing_facts: Vec::new(),
        assumptions: Vec::new(),
        fixes: Vec::new(),
        remedy: None,
        exposure: None,
        fingerprint,
        notes: Vec::new(),
    }
}

/// The unstated facts of undecided elements, each tried with every value it can take to see
/// how much it would settle; facts that cannot change the verdict are left out.
fn missing_facts(rule: &Rule, env: Env<'_>, elements: &[ElementResult]) -> Vec<MissingFact> {
    let mut keys: Vec<&FactKey> = Vec::new();
    for element in elements
        .iter()
        .filter(|e| !e.presumed && e.value == Truth::Unknown)
    {
        for key in &element.unknown {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    // The elements in force beside their results, and the paths each reads.
    let in_force: Vec<(&Element, &ElementResult)> =
        rule.elements_on(env.date).zip(elements).collect();
    let paths: Vec<Vec<&str>> = in_force
        .iter()
        .map(|(element, _)| element.condition.paths())
        .collect();
    let mut out: Vec<MissingFact> = keys
        .into_iter()
        .filter_map(|key| {
            let fact = env.book.vocabulary.fact(&key.path)?;
            let candidates: Vec<Value> = match fact.ty {
                FactType::Bool => vec![Value::Bool(true), Value::Bool(false)],
                FactType::Enum => fact.values.iter().cloned().map(Value::Str).collect(),
                _ => Vec::new(),
            };
            let decisiveness = if candidates.is_empty() {
                Decisiveness::WithOthers
            } else {
                let reading: Vec<(&Element, &ElementResult, bool)> = in_force
                    .iter()
                    .zip(&paths)
                    .map(|(&(element, result), paths)| {
                        (element, result, paths.contains(&key.path.as_str()))
                    })
                    .collect();
                let decided = candidates
                    .into_iter()
                    .filter(|value| {
                        let overrides = [(key.clone(), value.clone())];
                        let what_if = Env {
                            overrides: &overrides,
                            ..env
                        };
                        verdict_with(&reading, what_if) != Verdict::PossibleViolation
                    })
                    .count();
                let total = if fact.ty == FactType::Bool {
                    2
                } else {
                    fact.values.len()
                };
                match decided {
                    0 => Decisiveness::WithOthers,
                    n if n == total => Decisiveness::SettlesAlone,
                    _ => Decisiveness::SettlesSome,
                }
            };
            Some(MissingFact {
                key: key.clone(),
                meaning: fact.meaning.clone(),
                decisiveness,
            })
        })
        .collect();
    out.sort_by_key(|m| m.decisiveness);
    out
}

/// FNV-1a over the finding's identity: stable across runs, platforms and line changes.
fn fingerprint(
    scenario: &str,
    rule: &str,
    practice: Option<&str>,
    disclosure: Option<&str>,
) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [
        scenario,
        rule,
        practice.unwrap_or(""),
        disclosure.unwrap_or(""),
    ] {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn truth(expr: &Expr, env: Env<'_>, trace: &mut Trace) -> Truth {
    match &expr.node {
        Node::Lit(Literal::Bool(b)) => Truth::from(*b),
        Node::Path { .. } => match operand(expr, env, trace) {
            Operand::Known(value) => match value.as_ref() {
                Value::Bool(b) => Truth::from(*b),
                _ => Truth::Unknown,
            },
            _ => Truth::Unknown,
        },
        Node::Not(inner) => !truth(inner, env, trace),
        // Every operand is evaluated (no short-circuit) so the report shows every fact read.
        Node::And(items) => junction(
            items.iter().map(|e| (e, env)),
            Truth::True,
            Truth::and,
            trace,
        ),
        Node::Or(items) => junction(
            items.iter().map(|e| (e, env)),
            Truth::False,
            Truth::or,
            trace,
        ),
        Node::Cmp(left, op, right) => compare(left, *op, right, env, trace),
        Node::Quant(quantifier, collection, body) => {
            let (start, combine): (Truth, fn(Truth, Truth) -> Truth) = match quantifier {
                Quantifier::Any => (Truth::False, Truth::or),
                Quantifier::All => (Truth::True, Truth::and),
            };
            match collection {
                Collection::Disclosures => {
                    let facts = env
                        .practice_tables
                        .map(|t| t.disclosures.as_slice())
                        .unwrap_or_default();
                    let items = env
                        .practice
                        .map(|p| p.disclosures.as_slice())
                        .unwrap_or_default()
                        .iter()
                        .zip(facts)
                        .map(|(disclosure, facts)| {
                            let inner = Env {
                                disclosure: Some(disclosure),
                                disclosure_facts: Some(facts),
                                through_quantifier: true,
                                ..env
                            };
                            (body.as_ref(), inner)
                        });
                    junction(items, start, combine, trace)
                }
                Collection::Practices => {
                    let items = env
                        .scenario
                        .practices
                        .iter()
                        .zip(&env.tables.practices)
                        .map(|(practice, tables)| {
                            let inner = Env {
                                practice: Some(practice),
                                practice_tables: Some(tables),
                                through_quantifier: true,
                                ..env
                            };
                            (body.as_ref(), inner)
                        });
                    junction(items, start, combine, trace)
                }
            }
        }
        Node::Lit(_) | Node::List(_) | Node::Def(_) | Node::Offset(..) => Truth::Unknown,
    }
}

/// Folds `and` / `or` (and `all` / `any`) over its operands, keeping every fact read but only
/// the unstated facts that could still change the result: none once an operand decides it
/// (a false `and`, a true `or`), and otherwise only those of the undecided operands.
fn junction<'a, 'e>(
    operands: impl Iterator<Item = (&'e Expr, Env<'a>)>,
    start: Truth,
    combine: fn(Truth, Truth) -> Truth,
    trace: &mut Trace,
) -> Truth {
    let mut result = start;
    let mut undecided = Vec::new();
    for (expr, env) in operands {
        let mut sub = Trace {
            quiet: trace.quiet,
            ..Trace::default()
        };
        let value = truth(expr, env, &mut sub);
        result = combine(result, value);
        for read in sub.reads {
            if !trace.reads.contains(&read) {
                trace.reads.push(read);
            }
        }
        if value == Truth::Unknown {
            undecided.extend(sub.unknown);
        }
    }
    if result == Truth::Unknown {
        for key in undecided {
            if !trace.unknown.contains(&key) {
                trace.unknown.push(key);
            }
        }
    }
    result
}

fn operand<'a>(expr: &'a Expr, env: Env<'a>, trace: &mut Trace) -> Operand<'a> {
    let owned = |value: Value| Operand::Known(Cow::Owned(value));
    match &expr.node {
        Node::Lit(Literal::Bool(b)) => owned(Value::Bool(*b)),
        Node::Lit(Literal::Int(i)) => owned(Value::Int(*i)),
        Node::Lit(Literal::Str(s)) => Operand::Text(s),
        Node::Lit(Literal::Date(d)) => owned(Value::Date(*d)),
        Node::List(items) => Operand::Set(Set::Literals(items)),
        Node::Def(name) => Operand::Set(Set::Strings(
            env.definitions
                .and_then(|defs| defs.get(name.as_str()))
                .map_or(&[], |versions| Definition::on(versions, env.date)),
        )),
        Node::Path { path, key } => lookup(path, key.as_deref(), env, trace),
        Node::Offset(base, offset) => match operand(base, env, trace) {
            Operand::Known(value) => match value.as_ref() {
                Value::Date(date) => offset
                    .apply(*date)
                    .map_or(Operand::Unknown, |d| owned(Value::Date(d))),
                _ => Operand::Unknown,
            },
            _ => Operand::Unknown,
        },
        _ => match truth(expr, env, trace).known() {
            Some(b) => owned(Value::Bool(b)),
            None => Operand::Unknown,
        },
    }
}

/// The domain of a fact path operand (the values it compares hierarchically), looked up only
/// for the comparisons that need it.
fn domain_of(expr: &Expr, env: Env<'_>) -> Option<Domain> {
    match &expr.node {
        Node::Path { path, .. } => env.book.vocabulary.fact(path).map(|f| match f.ty {
            FactType::Taxonomy | FactType::ListTaxonomy => Domain::Taxonomy,
            FactType::Region | FactType::ListRegion | FactType::MapRegionInt => Domain::Region,
            // Values of every other domain relate only when equal (`Vocabulary::relate`), so
            // the fact's own closed list need not be named (and copied) here.
            _ => Domain::Text,
        }),
        _ => None,
    }
}

fn fact_key(path: &str, env: Env<'_>) -> FactKey {
    FactKey {
        path: path.to_string(),
        practice: env
            .practice
            .filter(|_| path.starts_with("practice."))
            .map(|p| p.id.clone()),
        disclosure: env
            .disclosure
            .filter(|_| path.starts_with("practice.disclosure."))
            .map(|d| d.name.clone()),
    }
}

/// Whether `key` is [`fact_key`]`(path, env)`, without building it.
fn is_key(key: &FactKey, path: &str, env: Env<'_>) -> bool {
    let practice = env
        .practice
        .filter(|_| path.starts_with("practice."))
        .map(|p| p.id.as_str());
    let disclosure = env
        .disclosure
        .filter(|_| path.starts_with("practice.disclosure."))
        .map(|d| d.name.as_str());
    key.path == path
        && key.practice.as_deref() == practice
        && key.disclosure.as_deref() == disclosure
}

fn lookup<'a>(path: &str, key: Option<&str>, env: Env<'a>, trace: &mut Trace) -> Operand<'a> {
    if path == "scenario.as_of" {
        // The date the law is read as of, `--as-of` included; today when the file is silent.
        if !trace.quiet && !trace.reads.iter().any(|r| r.path == path) {
            let location = env.scenario.fact(path).map_or_else(
                || Location::new(&env.scenario.file, 0..0),
                |f| f.location.clone(),
            );
            trace.reads.push(FactRead {
                path: path.to_string(),
                value: Value::Date(env.date),
                location,
                item: None,
            });
        }
        return Operand::Known(Cow::Owned(Value::Date(env.date)));
    }
    if let Some((_, value)) = env.overrides.iter().find(|(k, _)| is_key(k, path, env)) {
        return Operand::Known(Cow::Borrowed(value));
    }
    let stated: Option<&'a StatedFact> = if path.starts_with("practice.disclosure.") {
        env.disclosure_facts.and_then(|t| t.get(path).copied())
    } else if path.starts_with("practice.") {
        env.practice_tables.and_then(|t| t.facts.get(path).copied())
    } else {
        env.tables.scenario.get(path).copied()
    };
    let value: Option<Cow<'a, Value>> = match (stated, key) {
        (Some(fact), None) => Some(Cow::Borrowed(&fact.value)),
        (
            Some(StatedFact {
                value: Value::Map(map),
                ..
            }),
            Some(key),
        ) => map.get(key).map(|n| Cow::Owned(Value::Int(*n))),
        _ => None,
    };
    match (stated, value) {
        (Some(fact), Some(value)) => {
            if !trace.quiet {
                record_read(trace, path, key, &value, fact, env);
            }
            Operand::Known(value)
        }
        _ => {
            if !trace.quiet && !trace.unknown.iter().any(|k| is_key(k, path, env)) {
                trace.unknown.push(fact_key(path, env));
            }
            Operand::Unknown
        }
    }
}

/// Records a stated fact read, once per fact and scope item.
fn record_read(
    trace: &mut Trace,
    path: &str,
    key: Option<&str>,
    value: &Value,
    fact: &StatedFact,
    env: Env<'_>,
) {
    let item = env.through_quantifier.then(|| {
        match (
            env.practice.filter(|_| path.starts_with("practice.")),
            env.disclosure
                .filter(|_| path.starts_with("practice.disclosure.")),
        ) {
            (Some(p), Some(d)) => format!("{}/{}", p.id, d.name),
            (Some(p), None) => p.id.clone(),
            _ => String::new(),
        }
    });
    let seen = trace.reads.iter().any(|r| {
        r.location.span == fact.location.span
            && Arc::ptr_eq(&r.location.file, &fact.location.file)
            && r.item == item
            && match key {
                None => r.path == path,
                Some(k) => r.path.len() == path.len() + k.len() + 4 && r.path.starts_with(path),
            }
    });
    if !seen {
        trace.reads.push(FactRead {
            path: key.map_or_else(|| path.to_string(), |k| format!("{path}['{k}']")),
            value: value.clone(),
            location: fact.location.clone(),
            item,
        });
    }
}

fn relate_any<'s, 'q>(
    env: Env<'_>,
    domain: &Domain,
    stated: impl Iterator<Item = &'s str>,
    asked: impl Iterator<Item = &'q str> + Clone,
) -> Truth {
    match env.book.vocabulary.relate_lists(domain, stated, asked) {
        Match::Yes => Truth::True,
        Match::Maybe => Truth::Unknown,
        Match::No => Truth::False,
    }
}

fn compare(left: &Expr, op: Op, right: &Expr, env: Env<'_>, trace: &mut Trace) -> Truth {
    let result = compare_values(left, op, right, env, trace);
    // A stated value broader than what the rule asks (`biometric` for `face-geometry`, `US`
    // for `US-IL`) leaves the comparison open: name the fact as one to make more specific.
    if result == Truth::Unknown && !trace.quiet {
        if let Node::Path { path, .. } = &left.node {
            if !trace.unknown.iter().any(|k| is_key(k, path, env)) {
                trace.unknown.push(fact_key(path, env));
            }
        }
    }
    result
}

fn compare_values(left: &Expr, op: Op, right: &Expr, env: Env<'_>, trace: &mut Trace) -> Truth {
    let l = operand(left, env, trace);
    let r = operand(right, env, trace);
    let domain = || {
        domain_of(left, env)
            .or_else(|| domain_of(right, env))
            .unwrap_or(Domain::Text)
    };
    // A text operand, stated or literal.
    fn text<'o>(operand: &'o Operand<'_>) -> Option<&'o str> {
        match operand {
            Operand::Text(s) => Some(s),
            Operand::Known(value) => match value.as_ref() {
                Value::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }
    match (op, &l, &r) {
        (_, Operand::Unknown, _) | (_, _, Operand::Unknown) => Truth::Unknown,
        (Op::Eq | Op::Ne, Operand::Known(a), Operand::Known(b)) => {
            let (a, b) = (a.as_ref(), b.as_ref());
            let equal = match (a, b) {
                (Value::Int(_) | Value::Number(_), Value::Int(_) | Value::Number(_)) => {
                    a.as_f64() == b.as_f64()
                }
                _ => a == b,
            };
            Truth::from(if op == Op::Eq { equal } else { !equal })
        }
        (Op::Lt | Op::Le | Op::Gt | Op::Ge, Operand::Known(a), Operand::Known(b)) => {
            let (a, b) = (a.as_ref(), b.as_ref());
            let ordering = match (a, b) {
                (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
                _ => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(x, y)| x.partial_cmp(&y)),
            };
            match ordering {
                Some(o) => Truth::from(match op {
                    Op::Lt => o.is_lt(),
                    Op::Le => o.is_le(),
                    Op::Gt => o.is_gt(),
                    _ => o.is_ge(),
                }),
                None => Truth::Unknown,
            }
        }
        (Op::Eq | Op::Ne, Operand::Text(_), Operand::Known(_) | Operand::Text(_))
        | (Op::Eq | Op::Ne, Operand::Known(_), Operand::Text(_)) => {
            let equal = text(&l).is_some() && text(&l) == text(&r);
            Truth::from(if op == Op::Eq { equal } else { !equal })
        }
        (Op::In, Operand::Known(_) | Operand::Text(_), Operand::Set(set)) => match text(&l) {
            Some(s) => relate_any(env, &domain(), std::iter::once(s), set.iter()),
            None => Truth::Unknown,
        },
        (Op::Contains, Operand::Known(a), Operand::Known(_) | Operand::Text(_)) => {
            match (a.as_ref(), text(&r)) {
                (Value::List(items), Some(s)) => relate_any(
                    env,
                    &domain(),
                    items.iter().map(String::as_str),
                    std::iter::once(s),
                ),
                _ => Truth::Unknown,
            }
        }
        (Op::Overlaps, Operand::Known(a), Operand::Set(set)) => match a.as_ref() {
            Value::List(items) => {
                relate_any(env, &domain(), items.iter().map(String::as_str), set.iter())
            }
            _ => Truth::Unknown,
        },
        // INVARIANT: the rulebook loader type-checks every condition, so no other shape occurs.
        _ => Truth::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use super::*;
    use crate::rulebook::embedded_files;
    use crate::source::SourceFile;

    const PACK: &str = r#"
[statute]
id = "demo"
title = "Demo Act"
citation = "Demo 1"
version = "2024-01-01"
summary = "a test pack"

[[definition]]
name = "bio"
of = "taxonomy"
values = ["face-geometry", "fingerprint"]
text = "biometric identifiers"
cite = "Demo 1(a)"

[[definition]]
name = "releases"
of = "practice.consent.kind"
values = ["written-release"]
text = "releases before 2024"
cite = "Demo 1(b)"
until = 2024-01-01

[[definition]]
name = "releases"
of = "practice.consent.kind"
values = ["written-release", "electronic-signature"]
text = "releases from 2024"
cite = "Demo 1(b)"
effective = 2024-01-01

[[rule]]
id = "demo.1"
title = "Release before capture"
citation = "Demo 1(c)"
scope = "practice"
effective = 2000-01-01
summary = "s"
why = "w"

[[rule.applies]]
id = "biometric"
text = "biometric data"
cite = "Demo 1(a)"
when = "practice.data overlaps $bio"

[[rule.applies]]
id = "in-illinois"
text = "conduct in Illinois"
cite = "Demo 1(d)"
when = "practice.illinois_nexus == true"
presumed = true

[[rule.exceptions]]
id = "glba"
text = "GLBA"
cite = "Demo 2"
when = "operator.exemptions contains 'glba-financial-institution'"

[[rule.requires]]
id = "release"
text = "a release"
cite = "Demo 1(c)"
when = "practice.consent.kind in $releases"
fix = "get a release"

[[rule.requires]]
id = "notice"
text = "written notice"
cite = "Demo 1(c)"
when = "practice.notice.written == true"
fix = "give notice"

[[rule.remedy]]
text = "damages"
cite = "Demo 3"
kind = "liquidated-damages"
currency = "USD"
low = 1000
high = 5000
unit = "person"
count = "persons-in-region"
region = "US-IL"

[[rule]]
id = "demo.2"
title = "No disclosure without consent"
citation = "Demo 4"
scope = "practice"
effective = 2000-01-01
summary = "s"
why = "w"

[[rule.applies]]
id = "discloses"
text = "a disclosure"
cite = "Demo 4"
when = "any(practice.disclosure, practice.disclosure.consent == false)"
"#;

    fn book() -> Rulebook {
        let mut files: Vec<Arc<SourceFile>> = embedded_files()
            .into_iter()
            .filter(|f| {
                [
                    "rules/vocabulary.toml",
                    "rules/taxonomy.toml",
                    "rules/regions.toml",
                ]
                .contains(&f.name.as_str())
            })
            .collect();
        files.push(SourceFile::new("demo.toml", PACK));
        match Rulebook::load(&files) {
            Ok(book) => book,
            Err(errors) => {
                let rendered: Vec<String> = errors.iter().map(|e| e.render(false)).collect();
                unreachable!("demo pack must load: {}", rendered.join("\n"))
            }
        }
    }

    fn run(book: &Rulebook, practice: &str) -> ScenarioResult {
        let text = format!(
            "[scenario]\nid = \"t\"\nas_of = 2023-06-01\n[operator]\nkind = \"company\"\n[service]\nusers = {{ \"US\" = 100, \"US-IL\" = 40 }}\n[[practice]]\nid = \"p\"\n{practice}\n"
        );
        let file = SourceFile::new("t.toml", text);
        let ids: BTreeSet<&str> = book.rule_ids().collect();
        match Scenario::load(&file, &book.vocabulary, &ids, Date::today()) {
            Ok(scenario) => evaluate(book, scenario, None),
            Err(errors) => {
                let rendered: Vec<String> = errors.iter().map(|e| e.render(false)).collect();
                unreachable!("scenario must load: {}", rendered.join("\n"))
            }
        }
    }

    fn demo1(result: &ScenarioResult) -> Option<&Finding> {
        result.findings.iter().find(|f| f.rule == "demo.1")
    }

    #[test]
    fn stated_breach_is_a_likely_violation_with_facts_fixes_and_exposure() {
        let book = book();
        let result = run(
            &book,
            "data = [\"face-geometry\"]\n[practice.consent]\nkind = \"none\"\n[practice.notice]\nwritten = true",
        );
        let finding = demo1(&result);
        assert_eq!(finding.map(|f| f.verdict), Some(Verdict::LikelyViolation));
        assert_eq!(
            finding.map(|f| f.fixes.clone()),
            Some(vec!["get a release".to_string()])
        );
        let assumptions = finding.map(|f| f.assumptions.len());
        assert_eq!(
            assumptions,
            Some(2),
            "illinois nexus presumed; the GLBA defence presumed not to apply"
        );
        let exposure = finding.and_then(|f| f.exposure.clone());
        assert_eq!(
            exposure.as_ref().map(|x| (x.persons, x.low, x.high)),
            Some((40, Some(40_000.0), 200_000.0))
        );
        let release = finding.and_then(|f| f.elements.iter().find(|e| e.id == "release"));
        let read = release.and_then(|e| e.facts.first());
        assert_eq!(
            read.map(|r| (r.path.as_str(), r.location.line)),
            Some(("practice.consent.kind", 12))
        );
    }

    #[test]
    fn unstated_requirements_make_a_possible_violation_naming_the_facts() {
        let book = book();
        let result = run(&book, "data = [\"face-geometry\"]");
        let finding = demo1(&result);
        assert_eq!(finding.map(|f| f.verdict), Some(Verdict::PossibleViolation));
        let missing: Vec<&str> = finding
            .map(|f| {
                f.missing_facts
                    .iter()
                    .map(|m| m.key.path.as_str())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            missing,
            vec!["practice.consent.kind", "practice.notice.written"]
        );
        // The unstated exemption is a defence: presumed not to apply, and said so.
        assert!(finding.is_some_and(|f| {
            f.assumptions
                .iter()
                .any(|a| a.starts_with("presumed not to apply: GLBA"))
        }));
    }

    #[test]
    fn rebutting_a_presumption_or_an_exception_makes_it_not_applicable() {
        let book = book();
        let rebutted = run(&book, "data = [\"fingerprint\"]\nillinois_nexus = false");
        assert_eq!(
            demo1(&rebutted).map(|f| f.verdict),
            Some(Verdict::NotApplicable)
        );
        let other_data = run(&book, "data = [\"name\"]");
        assert_eq!(
            demo1(&other_data).map(|f| f.verdict),
            Some(Verdict::NotApplicable)
        );
    }

    #[test]
    fn a_parent_category_is_unknown_for_a_specific_child() {
        let book = book();
        let result = run(
            &book,
            "data = [\"biometric\"]\n[practice.consent]\nkind = \"none\"",
        );
        let finding = demo1(&result);
        assert_eq!(finding.map(|f| f.verdict), Some(Verdict::PossibleViolation));
        assert!(finding.is_some_and(|f| {
            f.missing_facts
                .iter()
                .any(|m| m.key.path == "practice.data")
        }));
    }

    #[test]
    fn dated_definitions_follow_the_as_of_date() {
        let book = book();
        let facts = "data = [\"face-geometry\"]\n[practice.consent]\nkind = \"electronic-signature\"\n[practice.notice]\nwritten = true";
        let before = run(&book, facts);
        assert_eq!(
            demo1(&before).map(|f| f.verdict),
            Some(Verdict::LikelyViolation)
        );
        let scenario = before.scenario.clone();
        let after = evaluate(&book, scenario, Date::parse("2024-06-01"));
        assert_eq!(demo1(&after).map(|f| f.verdict), Some(Verdict::Compliant));
    }

    #[test]
    fn quantifiers_range_over_disclosures() {
        let book = book();
        let with = run(
            &book,
            "[[practice.disclosure]]\nrecipient = \"X\"\nconsent = false",
        );
        let verdict = |r: &ScenarioResult| {
            r.findings
                .iter()
                .find(|f| f.rule == "demo.2")
                .map(|f| f.verdict)
        };
        assert_eq!(
            verdict(&with),
            Some(Verdict::Compliant),
            "no requires: attaches, nothing breached"
        );
        let without = run(&book, "");
        assert_eq!(verdict(&without), Some(Verdict::NotApplicable));
        let unknown = run(&book, "[[practice.disclosure]]\nrecipient = \"X\"");
        assert_eq!(verdict(&unknown), Some(Verdict::Compliant));
    }

    #[test]
    fn fingerprints_are_stable_and_distinguish_scope_items() {
        let a = fingerprint("s", "bipa.15b", Some("p"), None);
        assert_eq!(a, fingerprint("s", "bipa.15b", Some("p"), None));
        assert_ne!(a, fingerprint("s", "bipa.15b", Some("q"), None));
        assert_ne!(
            fingerprint("s", "r", Some("ab"), None),
            fingerprint("s", "r", Some("a"), Some("b"))
        );
        assert_eq!(a.len(), 16);
    }
}
