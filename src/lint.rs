//! Lints a loaded rulebook for what loads but cannot be what the author meant: elements that can
//! never hold or never fail, rules that can never attach or never be breached, definitions,
//! shared elements and vocabulary facts nothing reads, and dated versions that leave a gap.
//!
//! Every finding is a warning pointing into a rule file. The reasoning is sound, never
//! guessing: a warning says "can never" only when no complete statement of the facts a
//! condition reads makes it otherwise (see [`possible`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use crate::condition::{Expr, Literal, Node, Op, Quantifier};
use crate::diagnostics::Diagnostic;
use crate::exposure::EXPOSURE_FACTS;
use crate::rulebook::{Definition, Element, ElementKind, Rule, Rulebook};
use crate::source::Location;
use crate::value::Date;
use crate::vocabulary::{FactType, Vocabulary};

/// Facts read by the engine itself rather than by a rule's condition.
const ENGINE_FACTS: &[&str] = &["scenario.id", "scenario.title", "scenario.as_of"];

/// Most complete assignments tried for one condition; larger conditions are reasoned about
/// part by part (still sound, only less precise).
const MAX_ASSIGNMENTS: usize = 4_096;

/// Every lint warning of the rulebook, in rule-file order of the things they concern.
pub fn lint(book: &Rulebook) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut shared_reported = BTreeSet::new();
    for versions in book.rules.values() {
        for rule in versions {
            lint_rule(book, rule, &mut shared_reported, &mut out);
        }
        version_gaps(versions, &mut out);
    }
    unused_definitions(book, &mut out);
    definition_coverage(book, &mut out);
    unused_shared_elements(book, &mut out);
    unread_facts(book, &mut out);
    out.sort_by(|a, b| {
        (a.file_name.as_str(), a.span.as_ref().map(|s| s.start))
            .cmp(&(b.file_name.as_str(), b.span.as_ref().map(|s| s.start)))
    });
    out
}

fn warn(location: &Location, message: String, help: &str) -> Diagnostic {
    Diagnostic::error(&location.file, location.span.clone(), message)
        .warning()
        .with_help(help)
}

fn lint_rule(
    book: &Rulebook,
    rule: &Rule,
    shared_reported: &mut BTreeSet<(String, String)>,
    out: &mut Vec<Diagnostic>,
) {
    let definitions = book.definitions.get(&rule.statute);
    let mut requires = 0usize;
    let mut never_fail = 0usize;
    for element in &rule.elements {
        if element.kind == ElementKind::Requires {
            requires += 1;
        }
        let lifetime = lifetime_overlap(rule, element);
        if !lifetime {
            out.push(warn(
                &element.location,
                format!(
                    "element `{}` of `{}` is never in force while this version of the rule is",
                    element.id, rule.id
                ),
                "its `effective` / `until` dates lie outside the rule's: fix the dates or remove the element",
            ));
            continue;
        }
        let possible = possible(&element.condition, &book.vocabulary, definitions);
        if element.kind == ElementKind::Requires && !possible.can_false {
            never_fail += 1;
        }
        let Some((message, help)) = element_problem(element, possible) else {
            continue;
        };
        // A shared element says the same wherever it is used: report it once, where written.
        let location = match &element.shared {
            Some(name) => {
                if !shared_reported.insert((rule.statute.clone(), name.clone())) {
                    continue;
                }
                book.shared_elements
                    .get(&rule.statute)
                    .and_then(|shared| shared.get(name))
                    .unwrap_or(&element.location)
            }
            None => &element.location,
        };
        let subject = match &element.shared {
            Some(name) => format!("shared element `{name}`"),
            None => format!("element `{}` of `{}`", element.id, rule.id),
        };
        out.push(warn(location, format!("{subject} {message}"), help));
    }
    if requires == 0 {
        out.push(warn(
            &rule.location,
            format!(
                "rule `{}` has no `requires` element, so it can never be breached",
                rule.id
            ),
            "add the duties the rule demands as `[[rule.requires]]` elements",
        ));
    } else if never_fail == requires {
        out.push(warn(
            &rule.location,
            format!(
                "rule `{}` can never be breached: none of its `requires` elements can fail",
                rule.id
            ),
            "a requires element should be false for some statement of its facts",
        ));
    }
}

fn element_problem(element: &Element, possible: Possible) -> Option<(String, &'static str)> {
    let presumed_note = if element.presumed {
        " when its facts are stated (it holds only by presumption while they are not)"
    } else {
        ""
    };
    match element.kind {
        ElementKind::Applies if !possible.can_true => Some((
            format!("can never hold{presumed_note}, so the rule never attaches"),
            "no statement of the facts it reads makes the condition true: check the values it compares",
        )),
        ElementKind::Applies if !possible.can_false => Some((
            "always holds when its facts are stated: it is no condition".into(),
            "a condition true for every value of its facts decides nothing; remove it or fix the values",
        )),
        ElementKind::Exception if !possible.can_false => Some((
            "always holds when its facts are stated, so the rule never attaches".into(),
            "an exception true for every value of its facts takes every case out of the rule",
        )),
        ElementKind::Exception if !possible.can_true => Some((
            "can never hold: the defence is never available".into(),
            "no statement of the facts it reads makes the condition true: check the values it compares",
        )),
        ElementKind::Requires if !possible.can_false => Some((
            "can never fail, so it is never breached".into(),
            "a requirement true for every value of its facts checks nothing: check the values it compares",
        )),
        ElementKind::Requires if !possible.can_true => Some((
            format!("can never be met{presumed_note}: every case the rule reaches breaches it"),
            "no statement of the facts it reads makes the condition true: check the values it compares",
        )),
        _ => None,
    }
}

/// Whether an element is in force on some day this version of its rule is.
fn lifetime_overlap(rule: &Rule, element: &Element) -> bool {
    let starts_before_rule_ends = match (element.effective, rule.until) {
        (Some(start), Some(end)) => start < end,
        _ => true,
    };
    let ends_after_rule_starts = element.until.is_none_or(|end| end > rule.effective);
    starts_before_rule_ends && ends_after_rule_starts
}

fn version_gaps(versions: &[Rule], out: &mut Vec<Diagnostic>) {
    for pair in versions.windows(2) {
        if let [earlier, later] = pair {
            if let Some(until) = earlier.until.filter(|until| *until < later.effective) {
                out.push(warn(
                    &later.location,
                    format!(
                        "no version of `{}` is in force from {until} until {}",
                        later.id, later.effective
                    ),
                    "start this version on the day the earlier one ends, or say in a comment why the duty lapsed",
                ));
            }
        }
    }
}

fn unused_definitions(book: &Rulebook, out: &mut Vec<Diagnostic>) {
    for (statute, definitions) in &book.definitions {
        let read: BTreeSet<&str> = book
            .rules
            .values()
            .flatten()
            .filter(|r| &r.statute == statute)
            .flat_map(|r| &r.elements)
            .flat_map(|e| e.condition.definitions())
            .collect();
        for (name, versions) in definitions {
            if read.contains(name.as_str()) {
                continue;
            }
            if let Some(first) = versions.first() {
                out.push(warn(
                    &first.location,
                    format!("definition `${name}` is not read by any rule of `{statute}`"),
                    "use it in a condition or remove it",
                ));
            }
        }
    }
}

/// A definition a rule reads must have a version in force on every day the rule is; on a day
/// it has none, `$name` is the empty set and the condition is decided by the gap.
fn definition_coverage(book: &Rulebook, out: &mut Vec<Diagnostic>) {
    let mut reported = BTreeSet::new();
    for rule in book.rules.values().flatten() {
        let Some(definitions) = book.definitions.get(&rule.statute) else {
            continue;
        };
        let names: BTreeSet<&str> = rule
            .elements
            .iter()
            .flat_map(|e| e.condition.definitions())
            .collect();
        for name in names {
            let Some(versions) = definitions.get(name) else {
                continue;
            };
            if let Some((from, to)) = first_gap(versions, rule.effective, rule.until) {
                if !reported.insert((rule.statute.clone(), name.to_string())) {
                    continue;
                }
                let to = to.map_or_else(|| "on".to_string(), |d| format!("until {d}"));
                if let Some(first) = versions.first() {
                    out.push(warn(
                        &first.location,
                        format!(
                            "definition `${name}` has no version in force from {from} {to}, while `{}` reads it",
                            rule.id
                        ),
                        "give the versions `effective` / `until` dates that meet, so every day has one",
                    ));
                }
            }
        }
    }
}

/// The first stretch of `[start, end)` that no version of a definition covers.
fn first_gap(
    versions: &[Definition],
    start: Date,
    end: Option<Date>,
) -> Option<(Date, Option<Date>)> {
    let mut covered_until = start;
    loop {
        if end.is_some_and(|end| covered_until >= end) {
            return None;
        }
        let next = versions
            .iter()
            .filter(|d| d.effective.is_none_or(|e| e <= covered_until))
            .filter(|d| d.until.is_none_or(|u| u > covered_until))
            .map(|d| d.until)
            .max_by(|a, b| match (a, b) {
                (None, None) => std::cmp::Ordering::Equal,
                (None, _) => std::cmp::Ordering::Greater,
                (_, None) => std::cmp::Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            });
        match next {
            Some(None) => return None,
            Some(Some(until)) => covered_until = until,
            None => {
                let resumes = versions
                    .iter()
                    .filter_map(|d| d.effective)
                    .filter(|e| *e > covered_until)
                    .min();
                let gap_end = match (resumes, end) {
                    (Some(r), Some(e)) => Some(r.min(e)),
                    (r, e) => r.or(e),
                };
                return Some((covered_until, gap_end));
            }
        }
    }
}

fn unused_shared_elements(book: &Rulebook, out: &mut Vec<Diagnostic>) {
    for (statute, shared) in &book.shared_elements {
        let used: BTreeSet<&str> = book
            .rules
            .values()
            .flatten()
            .filter(|r| &r.statute == statute)
            .flat_map(|r| &r.elements)
            .filter_map(|e| e.shared.as_deref())
            .collect();
        for (name, location) in shared {
            if !used.contains(name.as_str()) {
                out.push(warn(
                    location,
                    format!("shared element `{name}` is not used by any rule of `{statute}`"),
                    "take it into a rule with `use = \"...\"`, or remove it",
                ));
            }
        }
    }
}

/// Facts whose `read_by` names only rules of loaded packs, none of which reads them, unless
/// each of those rules names the fact in its `limitations` (the place to say why the encoding
/// leaves it out). Facts with an empty `read_by` describe the scenario for people; facts
/// naming a rule of a pack that is not loaded (planned packs, or packs left out with
/// `--statute`) wait for that pack.
fn unread_facts(book: &Rulebook, out: &mut Vec<Diagnostic>) {
    let read: BTreeSet<&str> = book
        .rules
        .values()
        .flatten()
        .flat_map(|r| &r.elements)
        .flat_map(|e| e.condition.paths())
        .chain(EXPOSURE_FACTS.iter().copied())
        .chain(ENGINE_FACTS.iter().copied())
        .collect();
    for fact in book.vocabulary.facts.values() {
        if fact.read_by.is_empty()
            || fact.replaced_by.is_some()
            || read.contains(fact.path.as_str())
        {
            continue;
        }
        let all_loaded = fact.read_by.iter().all(|id| {
            let statute = id.split('.').next().unwrap_or_default();
            book.statutes.contains_key(statute)
        });
        // A rule explains leaving the fact out by naming it in its `limitations`.
        let explained = fact.read_by.iter().all(|id| {
            book.rules.get(id).is_some_and(|versions| {
                versions.iter().any(|r| {
                    r.limitations
                        .as_deref()
                        .is_some_and(|l| l.contains(fact.path.as_str()))
                })
            })
        });
        if all_loaded && !explained {
            let mut names = String::new();
            for (i, id) in fact.read_by.iter().enumerate() {
                let _ = write!(names, "{}`{id}`", if i > 0 { ", " } else { "" });
            }
            out.push(warn(
                &fact.location,
                format!(
                    "fact `{}` is listed as read by {names}, but no loaded rule reads it",
                    fact.path
                ),
                "read it in a condition, or say in the rule's `limitations` (and here, in a comment) why the encoding leaves it out",
            ));
        }
    }
}

/// Whether a condition can be true, and whether it can be false, over complete statements of
/// the facts it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Possible {
    /// Some statement of the facts makes it true.
    pub can_true: bool,
    /// Some statement of the facts makes it false.
    pub can_false: bool,
}

const BOTH: Possible = Possible {
    can_true: true,
    can_false: true,
};

/// The values a condition can take when every fact it reads is stated, given the vocabulary
/// and the pack's definitions (every dated version of each).
///
/// Sound by construction: boolean and enum facts take each of their values, numbers and dates
/// each side of every literal they are compared with, definitions each of their versions; any
/// other comparison (lists, taxonomy, regions, quantifiers) is a free variable limited only by
/// what the comparison alone can give. Treating those as independent can only add
/// possibilities, so "can never be true" is never claimed wrongly. Conditions with too many
/// combinations are split at `and` / `or` / `not`, again only adding possibilities.
pub fn possible(
    expr: &Expr,
    vocab: &Vocabulary,
    definitions: Option<&BTreeMap<String, Vec<Definition>>>,
) -> Possible {
    let analysis = Analysis { vocab, definitions };
    analysis.possible(expr)
}

struct Analysis<'a> {
    vocab: &'a Vocabulary,
    definitions: Option<&'a BTreeMap<String, Vec<Definition>>>,
}

/// A variable of the enumeration and the values it takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Var {
    /// A boolean, enum, number or date fact (a map entry is `path['key']`).
    Fact(String),
    /// The version of a definition.
    Def(String),
    /// An opaque comparison or quantifier, by node address.
    Atom(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Bool(bool),
    Str(String),
    Num(f64),
    Version(usize),
}

type Assignment = HashMap<Var, Val>;

impl Analysis<'_> {
    fn possible(&self, expr: &Expr) -> Possible {
        let mut domains: BTreeMap<Var, Vec<Val>> = BTreeMap::new();
        self.collect(expr, &mut domains);
        let total = domains
            .values()
            .try_fold(1usize, |acc, d| acc.checked_mul(d.len().max(1)));
        match total {
            Some(total) if total <= MAX_ASSIGNMENTS => self.enumerate(expr, &domains),
            _ => match &expr.node {
                Node::Not(inner) => {
                    let p = self.possible(inner);
                    Possible {
                        can_true: p.can_false,
                        can_false: p.can_true,
                    }
                }
                Node::And(items) => {
                    let parts: Vec<Possible> = items.iter().map(|e| self.possible(e)).collect();
                    Possible {
                        can_true: parts.iter().all(|p| p.can_true),
                        can_false: parts.iter().any(|p| p.can_false),
                    }
                }
                Node::Or(items) => {
                    let parts: Vec<Possible> = items.iter().map(|e| self.possible(e)).collect();
                    Possible {
                        can_true: parts.iter().any(|p| p.can_true),
                        can_false: parts.iter().all(|p| p.can_false),
                    }
                }
                _ => BOTH,
            },
        }
    }

    fn enumerate(&self, expr: &Expr, domains: &BTreeMap<Var, Vec<Val>>) -> Possible {
        let vars: Vec<(&Var, &Vec<Val>)> = domains.iter().collect();
        let mut indices = vec![0usize; vars.len()];
        let mut result = Possible {
            can_true: false,
            can_false: false,
        };
        loop {
            let assignment: Assignment = vars
                .iter()
                .zip(&indices)
                .filter_map(|((var, values), i)| {
                    values.get(*i).map(|v| ((*var).clone(), v.clone()))
                })
                .collect();
            if self.eval(expr, &assignment) {
                result.can_true = true;
            } else {
                result.can_false = true;
            }
            if result.can_true && result.can_false {
                return result;
            }
            // Next assignment, odometer style.
            let mut position = 0;
            loop {
                let Some((index, (_, values))) = indices.get_mut(position).zip(vars.get(position))
                else {
                    return result;
                };
                *index += 1;
                if *index < values.len() {
                    break;
                }
                *index = 0;
                position += 1;
            }
        }
    }

    /// The variables of `expr` with their domains.
    fn collect(&self, expr: &Expr, domains: &mut BTreeMap<Var, Vec<Val>>) {
        match &expr.node {
            Node::Path { path, key: None } => {
                if self
                    .vocab
                    .fact(path)
                    .is_some_and(|f| f.ty == FactType::Bool)
                {
                    domains.insert(
                        Var::Fact(path.clone()),
                        vec![Val::Bool(true), Val::Bool(false)],
                    );
                }
            }
            Node::Not(inner) => self.collect(inner, domains),
            Node::And(items) | Node::Or(items) => {
                items.iter().for_each(|e| self.collect(e, domains));
            }
            Node::Cmp(left, op, right) => {
                if self.exact(left, *op, right) {
                    self.collect_operand(left, right, domains);
                    self.collect_operand(right, left, domains);
                } else {
                    domains.insert(Var::Atom(address(expr)), self.atom_values(expr));
                }
            }
            Node::Quant(..) => {
                domains.insert(Var::Atom(address(expr)), self.atom_values(expr));
            }
            // An offset date is only ever a comparison operand, which `exact` leaves opaque.
            Node::Lit(_) | Node::List(_) | Node::Def(_) | Node::Path { .. } | Node::Offset(..) => {}
        }
    }

    fn collect_operand(&self, operand: &Expr, other: &Expr, domains: &mut BTreeMap<Var, Vec<Val>>) {
        match &operand.node {
            Node::Path { path, key } => {
                let Some(fact) = self.vocab.fact(path) else {
                    return;
                };
                let var = Var::Fact(var_name(path, key.as_deref()));
                let values = match (fact.ty, key) {
                    (FactType::Bool, None) => vec![Val::Bool(true), Val::Bool(false)],
                    (FactType::Enum, None) => fact.values.iter().cloned().map(Val::Str).collect(),
                    (FactType::MapRegionInt, Some(_)) => number_points(other, true, Some(0.0)),
                    (FactType::Int, None) => number_points(other, true, fact.min),
                    (FactType::Number, None) => number_points(other, false, fact.min),
                    (FactType::Date, None) => date_points(other),
                    _ => return,
                };
                let entry = domains.entry(var).or_default();
                for value in values {
                    if !entry.contains(&value) {
                        entry.push(value);
                    }
                }
            }
            Node::Def(name) => {
                let versions = self
                    .definitions
                    .and_then(|d| d.get(name))
                    .map_or(1, |v| v.len().max(1));
                domains.insert(
                    Var::Def(name.clone()),
                    (0..versions).map(Val::Version).collect(),
                );
            }
            _ => self.collect(operand, domains),
        }
    }

    /// Whether a comparison is decided by the enumerated variables (rather than opaque).
    fn exact(&self, left: &Expr, op: Op, right: &Expr) -> bool {
        let fact_ty = |e: &Expr| match &e.node {
            Node::Path { path, key } => self.vocab.fact(path).map(|f| (f.ty, key.is_some())),
            _ => None,
        };
        let is_bool_expr = |e: &Expr| {
            matches!(
                e.node,
                Node::Lit(Literal::Bool(_))
                    | Node::Not(_)
                    | Node::And(_)
                    | Node::Or(_)
                    | Node::Cmp(..)
                    | Node::Quant(..)
            ) || fact_ty(e) == Some((FactType::Bool, false))
        };
        let numeric = |e: &Expr| {
            matches!(
                fact_ty(e),
                Some((FactType::Int | FactType::Number | FactType::Date, false))
                    | Some((FactType::MapRegionInt, true))
            )
        };
        let literal = |e: &Expr| matches!(e.node, Node::Lit(Literal::Int(_) | Literal::Date(_)));
        match op {
            Op::Eq | Op::Ne => {
                (is_bool_expr(left) && is_bool_expr(right))
                    || (fact_ty(left) == Some((FactType::Enum, false))
                        && matches!(right.node, Node::Lit(Literal::Str(_))))
                    || (fact_ty(right) == Some((FactType::Enum, false))
                        && matches!(left.node, Node::Lit(Literal::Str(_))))
                    || (numeric(left) && literal(right))
                    || (numeric(right) && literal(left))
            }
            Op::Lt | Op::Le | Op::Gt | Op::Ge => {
                (numeric(left) && literal(right)) || (numeric(right) && literal(left))
            }
            Op::In => {
                fact_ty(left) == Some((FactType::Enum, false))
                    && matches!(right.node, Node::List(_) | Node::Def(_))
            }
            Op::Contains | Op::Overlaps => false,
        }
    }

    /// What an opaque comparison or quantifier can be, judged on its own.
    fn atom_values(&self, expr: &Expr) -> Vec<Val> {
        let p = match &expr.node {
            Node::Quant(Quantifier::Any, _, body) => Possible {
                // No items: false. Otherwise as the body.
                can_true: self.possible(body).can_true,
                can_false: true,
            },
            Node::Quant(Quantifier::All, _, body) => Possible {
                can_true: true,
                can_false: self.possible(body).can_false,
            },
            Node::Cmp(_, Op::In | Op::Overlaps, set) if self.always_empty(set) => Possible {
                can_true: false,
                can_false: true,
            },
            _ => BOTH,
        };
        let mut values = Vec::new();
        if p.can_true {
            values.push(Val::Bool(true));
        }
        if p.can_false {
            values.push(Val::Bool(false));
        }
        values
    }

    /// A list literal with no text values, or a definition empty in every version.
    fn always_empty(&self, set: &Expr) -> bool {
        match &set.node {
            Node::List(items) => !items.iter().any(|l| matches!(l, Literal::Str(_))),
            Node::Def(name) => self
                .definitions
                .and_then(|d| d.get(name))
                .is_none_or(|versions| versions.iter().all(|v| v.values.is_empty())),
            _ => false,
        }
    }

    fn eval(&self, expr: &Expr, a: &Assignment) -> bool {
        match &expr.node {
            Node::Lit(Literal::Bool(b)) => *b,
            Node::Path { path, key: None } => {
                matches!(a.get(&Var::Fact(path.clone())), Some(Val::Bool(true)))
            }
            Node::Not(inner) => !self.eval(inner, a),
            Node::And(items) => items.iter().all(|e| self.eval(e, a)),
            Node::Or(items) => items.iter().any(|e| self.eval(e, a)),
            Node::Cmp(left, op, right) if self.exact(left, *op, right) => {
                self.compare(left, *op, right, a)
            }
            Node::Cmp(..) | Node::Quant(..) => {
                matches!(a.get(&Var::Atom(address(expr))), Some(Val::Bool(true)))
            }
            Node::Lit(_) | Node::List(_) | Node::Def(_) | Node::Path { .. } | Node::Offset(..) => {
                false
            }
        }
    }

    fn value(&self, expr: &Expr, a: &Assignment) -> Option<Val> {
        match &expr.node {
            Node::Lit(Literal::Str(s)) => Some(Val::Str(s.clone())),
            Node::Lit(Literal::Int(i)) => Some(Val::Num(*i as f64)),
            Node::Lit(Literal::Date(d)) => Some(Val::Num(d.days_since_epoch() as f64)),
            Node::Path { path, key } => a.get(&Var::Fact(var_name(path, key.as_deref()))).cloned(),
            _ => Some(Val::Bool(self.eval(expr, a))),
        }
    }

    fn set(&self, expr: &Expr, a: &Assignment) -> Vec<String> {
        match &expr.node {
            Node::List(items) => items
                .iter()
                .filter_map(|l| match l {
                    Literal::Str(s) => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            Node::Def(name) => {
                let version = match a.get(&Var::Def(name.clone())) {
                    Some(Val::Version(v)) => *v,
                    _ => 0,
                };
                self.definitions
                    .and_then(|d| d.get(name))
                    .and_then(|versions| versions.get(version))
                    .map(|d| d.values.clone())
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    fn compare(&self, left: &Expr, op: Op, right: &Expr, a: &Assignment) -> bool {
        if op == Op::In {
            return match self.value(left, a) {
                Some(Val::Str(s)) => self.set(right, a).contains(&s),
                _ => false,
            };
        }
        let (Some(l), Some(r)) = (self.value(left, a), self.value(right, a)) else {
            return false;
        };
        let ordering = match (&l, &r) {
            (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
            _ => None,
        };
        match op {
            Op::Eq => l == r,
            Op::Ne => l != r,
            Op::Lt => ordering.is_some_and(std::cmp::Ordering::is_lt),
            Op::Le => ordering.is_some_and(std::cmp::Ordering::is_le),
            Op::Gt => ordering.is_some_and(std::cmp::Ordering::is_gt),
            Op::Ge => ordering.is_some_and(std::cmp::Ordering::is_ge),
            Op::In | Op::Contains | Op::Overlaps => false,
        }
    }
}

fn address(expr: &Expr) -> usize {
    std::ptr::from_ref(expr) as usize
}

fn var_name(path: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("{path}['{key}']"),
        None => path.to_string(),
    }
}

/// Points each side of the literal `other`, so every outcome of comparing with it is reached.
fn number_points(other: &Expr, integer: bool, min: Option<f64>) -> Vec<Val> {
    let Node::Lit(Literal::Int(c)) = other.node else {
        return Vec::new();
    };
    let c = c as f64;
    let mut points = vec![c - 1.0, c, c + 1.0];
    if !integer {
        points.extend([c - 0.5, c + 0.5]);
    }
    if let Some(min) = min {
        points.push(min);
    }
    points
        .into_iter()
        .filter(|p| min.is_none_or(|m| *p >= m))
        .map(Val::Num)
        .collect()
}

fn date_points(other: &Expr) -> Vec<Val> {
    let Node::Lit(Literal::Date(d)) = other.node else {
        return Vec::new();
    };
    let day = d.days_since_epoch() as f64;
    vec![Val::Num(day - 1.0), Val::Num(day), Val::Num(day + 1.0)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::parse;
    use crate::rulebook::Rulebook;

    fn book() -> Rulebook {
        Rulebook::embedded()
            .unwrap_or_else(|errors| unreachable!("embedded rulebook: {}", errors.len()))
    }

    fn check(text: &str) -> Possible {
        let book = book();
        let expr = parse(text).unwrap_or_else(|e| unreachable!("{text}: {e}"));
        possible(&expr, &book.vocabulary, book.definitions.get("bipa"))
    }

    #[test]
    fn contradictions_and_tautologies_over_enum_and_bool_facts_are_found() {
        let never = Possible {
            can_true: false,
            can_false: true,
        };
        let always = Possible {
            can_true: true,
            can_false: false,
        };
        assert_eq!(
            check("practice.consent.kind == 'none' and practice.consent.kind == 'checkbox'"),
            never
        );
        assert_eq!(
            check("practice.notice.written == true or practice.notice.written == false"),
            always
        );
        assert_eq!(
            check("not (practice.notice.written or not practice.notice.written)"),
            never
        );
        assert_eq!(check("practice.subjects_count < 0"), never);
        assert_eq!(check("practice.subjects_count >= 0"), always);
        assert_eq!(check("practice.data overlaps []"), never);
        assert_eq!(
            check("practice.consent.kind in $written_release_kinds"),
            BOTH
        );
    }

    #[test]
    fn opaque_comparisons_are_never_claimed_impossible() {
        assert_eq!(check("practice.data overlaps $biometric_identifiers"), BOTH);
        assert_eq!(
            check("practice.regions contains 'US-IL' and not (practice.regions contains 'US-IL')"),
            BOTH,
            "a contradiction over lists is not detected: opaque atoms are independent"
        );
        assert_eq!(
            check("practice.period.start < 2024-08-02 and practice.period.start >= 2024-08-02"),
            Possible {
                can_true: false,
                can_false: true
            }
        );
    }

    #[test]
    fn the_shipped_rulebook_lints_clean() {
        let warnings: Vec<String> = lint(&book()).iter().map(|d| d.render(false)).collect();
        assert!(warnings.is_empty(), "{}", warnings.join("\n"));
    }
}
