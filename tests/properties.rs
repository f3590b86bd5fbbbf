//! Property tests (proptest) over scenarios generated from the vocabulary and conditions
//! generated from the grammar: determinism, monotonicity in information, and the condition
//! language's print/parse round trip. Case counts are kept small so `cargo test` stays fast;
//! `PROPTEST_CASES=5000 cargo test --test properties` runs a longer search.

#![expect(
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers fail loudly on a broken fixture"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use consentry::condition::{self, Collection, Expr, Literal, Node, Op, Quantifier};
use consentry::engine::{Finding, ScenarioResult, evaluate};
use consentry::report::{Report, render_human, render_json};
use consentry::rulebook::{ElementKind, Rulebook};
use consentry::scenario::Scenario;
use consentry::source::SourceFile;
use consentry::value::Date;
use consentry::verdict::{Truth, Verdict};
use consentry::vocabulary::{FactDef, FactType};
use proptest::prelude::*;
use proptest::test_runner::Config;

fn book() -> &'static Rulebook {
    static BOOK: OnceLock<Rulebook> = OnceLock::new();
    BOOK.get_or_init(|| Rulebook::embedded().expect("the embedded rulebook loads"))
}

fn config(cases: u32) -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------
// Scenarios from the vocabulary

/// Where a fact is written in a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Top,
    Practice,
    Disclosure,
}

fn place(path: &str) -> Place {
    if path.starts_with("practice.disclosure.") {
        Place::Disclosure
    } else if path.starts_with("practice.") {
        Place::Practice
    } else {
        Place::Top
    }
}

/// Facts the generator leaves alone: ids and names that identify scope items (changing them
/// renames findings), the date (it picks the rule versions), and deprecated facts.
fn is_generated(fact: &FactDef) -> bool {
    !matches!(
        fact.path.as_str(),
        "scenario.id" | "scenario.as_of" | "practice.id" | "practice.disclosure.id"
    ) && fact.replaced_by.is_none()
}

fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

fn list_of(values: Vec<String>) -> String {
    let items: Vec<String> = values.iter().map(|v| quoted(v)).collect();
    format!("[{}]", items.join(", "))
}

const REGIONS: &[&str] = &["US", "US-IL", "US-CA", "US-TX", "EU", "FR", "CN"];
const COUNTRIES: &[&str] = &["US", "CN", "FR", "DE", "IE"];

fn date() -> impl Strategy<Value = String> {
    (2000u16..2031, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn subset(values: Vec<String>, max: usize) -> BoxedStrategy<String> {
    let len = values.len();
    prop::sample::subsequence(values, 0..=max.min(len))
        .prop_map(list_of)
        .boxed()
}

/// A TOML value of the fact's type, from its allowed values.
fn value(fact: &FactDef) -> BoxedStrategy<String> {
    let book = book();
    let terms: Vec<String> = book
        .vocabulary
        .terms
        .iter()
        .filter(|t| t.replaced_by.is_none())
        .map(|t| t.id.clone())
        .collect();
    let regions: Vec<String> = REGIONS.iter().map(|s| (*s).to_string()).collect();
    let countries: Vec<String> = COUNTRIES.iter().map(|s| (*s).to_string()).collect();
    let min = fact.min.unwrap_or(0.0) as i64;
    match fact.ty {
        FactType::Bool => any::<bool>().prop_map(|b| b.to_string()).boxed(),
        FactType::Int => (min..min + 5_000).prop_map(|n| n.to_string()).boxed(),
        FactType::Number => (0u32..10_000)
            .prop_map(|n| format!("{}.5", n / 100))
            .boxed(),
        FactType::Date => date().boxed(),
        FactType::Str => Just(quoted("text")).boxed(),
        FactType::Enum => prop::sample::select(fact.values.clone())
            .prop_map(|v| quoted(&v))
            .boxed(),
        FactType::ListEnum => subset(fact.values.clone(), 4),
        FactType::ListString => Just(list_of(vec!["a source".into()])).boxed(),
        FactType::Taxonomy => prop::sample::select(terms).prop_map(|v| quoted(&v)).boxed(),
        // Biased toward what the shipped rules ask about, so findings are often decided.
        FactType::ListTaxonomy => prop_oneof![
            subset(terms, 3),
            subset(
                vec!["face-geometry".into(), "fingerprint".into(), "video".into()],
                2
            ),
        ]
        .boxed(),
        FactType::Region => prop::sample::select(regions)
            .prop_map(|v| quoted(&v))
            .boxed(),
        FactType::ListRegion => {
            prop_oneof![subset(regions, 3), Just(list_of(vec!["US-IL".into()]))].boxed()
        }
        FactType::Country => prop::sample::select(countries)
            .prop_map(|v| quoted(&v))
            .boxed(),
        FactType::ListCountry => subset(countries, 2),
        FactType::MapRegionInt => (0i64..2_000_000, 0i64..200_000)
            .prop_map(|(us, il)| format!("{{ \"US\" = {us}, \"US-IL\" = {il} }}"))
            .boxed(),
    }
}

/// Each fact of a place, stated (with some value) or not; facts the rules read are stated
/// more often than the rest.
fn facts_at(where_: Place, stated: f64) -> BoxedStrategy<Vec<(String, String)>> {
    let read: BTreeSet<&str> = book()
        .rules
        .values()
        .flatten()
        .flat_map(|r| &r.elements)
        .flat_map(|e| e.condition.paths())
        .collect();
    let strategies: Vec<BoxedStrategy<Option<(String, String)>>> = book()
        .vocabulary
        .facts
        .values()
        .filter(|f| is_generated(f) && place(&f.path) == where_)
        .map(|f| {
            let path = f.path.clone();
            let weight = if read.contains(f.path.as_str()) {
                stated
            } else {
                stated / 4.0
            };
            prop::option::weighted(weight, value(f).prop_map(move |v| (path.clone(), v))).boxed()
        })
        .collect();
    strategies
        .prop_map(|facts| facts.into_iter().flatten().collect())
        .boxed()
}

/// Facts as (path, TOML value) pairs.
type FactList = Vec<(String, String)>;

/// A scenario as the facts it states; rendered to TOML by [`Generated::toml`].
#[derive(Debug, Clone)]
struct Generated {
    as_of: String,
    top: Vec<(String, String)>,
    practices: Vec<(FactList, Vec<FactList>)>,
}

impl Generated {
    fn toml(&self) -> String {
        let mut tables: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (path, value) in &self.top {
            let (table, key) = path.split_once('.').unwrap_or(("scenario", path));
            tables
                .entry(table)
                .or_default()
                .push(format!("{key} = {value}"));
        }
        let mut out = format!("[scenario]\nid = \"generated\"\nas_of = {}\n", self.as_of);
        for line in tables.remove("scenario").unwrap_or_default() {
            out.push_str(&line);
            out.push('\n');
        }
        for (table, lines) in tables {
            out.push_str(&format!("\n[{table}]\n{}\n", lines.join("\n")));
        }
        for (i, (facts, disclosures)) in self.practices.iter().enumerate() {
            out.push_str(&format!("\n[[practice]]\nid = \"p{}\"\n", i + 1));
            let mut facts = facts.clone();
            // A practice cannot end before it starts (the loader refuses it): order the two.
            let start = facts.iter().position(|(p, _)| p == "practice.period.start");
            let end = facts.iter().position(|(p, _)| p == "practice.period.end");
            if let (Some(s), Some(e)) = (start, end) {
                if facts[e].1 < facts[s].1 {
                    let (a, b) = (facts[s].1.clone(), facts[e].1.clone());
                    facts[s].1 = b;
                    facts[e].1 = a;
                }
            }
            for (path, value) in &facts {
                let key = path.trim_start_matches("practice.");
                out.push_str(&format!("{key} = {value}\n"));
            }
            for (j, facts) in disclosures.iter().enumerate() {
                out.push_str(&format!("\n[[practice.disclosure]]\nid = \"d{}\"\n", j + 1));
                for (path, value) in facts {
                    let key = path.trim_start_matches("practice.disclosure.");
                    out.push_str(&format!("{key} = {value}\n"));
                }
            }
        }
        out
    }
}

fn scenario(stated: f64) -> impl Strategy<Value = Generated> {
    let practice = (
        facts_at(Place::Practice, stated),
        prop::collection::vec(facts_at(Place::Disclosure, stated), 0..3),
    );
    (
        // BIPA is in force from 2008-10-03; the dates straddle its 2024 amendment.
        (2009u16..2027, 1u8..13, 1u8..29).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        facts_at(Place::Top, stated),
        prop::collection::vec(practice, 1..3),
    )
        .prop_map(|(as_of, top, practices)| Generated {
            as_of,
            top,
            practices,
        })
}

/// Facts that make the shipped BIPA rules attach, so findings are often decided.
const BIPA_CORE_TOP: &[(&str, &str)] = &[("operator.kind", "\"company\"")];
const BIPA_CORE_PRACTICE: &[(&str, &str)] = &[
    ("practice.data", "[\"face-geometry\"]"),
    ("practice.regions", "[\"US-IL\"]"),
    ("practice.illinois_nexus", "true"),
    ("practice.biometric.identification", "\"identify-1-to-n\""),
    ("practice.processing_location", "\"operator-servers\""),
];

/// Half the scenarios random, half random on top of [`BIPA_CORE_TOP`] and
/// [`BIPA_CORE_PRACTICE`] (each core fact kept with some chance, so it can also be the one
/// added later).
fn realistic(stated: f64) -> impl Strategy<Value = Generated> {
    let keep = prop::collection::vec(prop::bool::weighted(0.8), BIPA_CORE_PRACTICE.len() + 1);
    (scenario(stated), any::<bool>(), keep).prop_map(|(mut generated, core, keep)| {
        if !core {
            return generated;
        }
        let set = |facts: &mut Vec<(String, String)>, core: &[(&str, &str)], keep: &[bool]| {
            for ((path, value), kept) in core.iter().zip(keep) {
                facts.retain(|(p, _)| p != path);
                if *kept {
                    facts.push(((*path).to_string(), (*value).to_string()));
                }
            }
        };
        set(&mut generated.top, BIPA_CORE_TOP, &keep[..1]);
        for (facts, _) in &mut generated.practices {
            set(facts, BIPA_CORE_PRACTICE, &keep[1..]);
        }
        generated
    })
}

fn load(text: &str) -> Scenario {
    let book = book();
    let ids: BTreeSet<&str> = book.rule_ids().collect();
    let file = SourceFile::new("generated.toml", text);
    let today = Date::new(2026, 1, 1).expect("a date");
    match Scenario::load(&file, &book.vocabulary, &ids, today) {
        Ok(scenario) => scenario,
        Err(errors) => panic!(
            "a generated scenario must load:\n{text}\n{}",
            errors
                .iter()
                .map(|e| e.render(false))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn report_bytes(result: ScenarioResult) -> (String, String) {
    let results = [result];
    let report = Report::new(book(), &results, &[]).with_all(true);
    (render_json(&report), render_human(&report, false))
}

proptest! {
    #![proptest_config(config(48))]

    /// The same input gives byte-identical JSON and human output, run after run.
    #[test]
    fn the_same_scenario_gives_byte_identical_reports(generated in realistic(0.3)) {
        let text = generated.toml();
        let first = report_bytes(evaluate(book(), load(&text), None));
        let second = report_bytes(evaluate(book(), load(&text), None));
        prop_assert_eq!(first, second);
    }
}

/// A fact a scenario could state at one place: the path, and which practice and disclosure.
#[derive(Debug, Clone)]
struct Addition {
    path: String,
    practice: usize,
    disclosure: usize,
    value: String,
}

fn addition() -> impl Strategy<Value = (Generated, Addition)> {
    realistic(0.4).prop_flat_map(|generated| {
        let facts: Vec<&FactDef> = book()
            .vocabulary
            .facts
            .values()
            .filter(|f| generated_fact_unstated(f, &generated))
            .collect();
        let strategies: Vec<BoxedStrategy<Addition>> = facts
            .into_iter()
            .map(|f| {
                let path = f.path.clone();
                let practices = generated.practices.len();
                let disclosures = generated
                    .practices
                    .iter()
                    .map(|(_, d)| d.len())
                    .max()
                    .unwrap_or(0)
                    .max(1);
                (value(f), 0..practices, 0..disclosures)
                    .prop_map(move |(value, practice, disclosure)| Addition {
                        path: path.clone(),
                        practice,
                        disclosure,
                        value,
                    })
                    .boxed()
            })
            .collect();
        (Just(generated), prop::strategy::Union::new(strategies))
    })
}

fn generated_fact_unstated(fact: &FactDef, generated: &Generated) -> bool {
    is_generated(fact) && !generated.top.iter().any(|(p, _)| *p == fact.path)
}

/// The scenario with one more fact, when the fact is unstated at the chosen place (after the
/// loader's defaults: `practice.regions` defaults to the regions of `service.users`, so it is
/// not unknown there) and the place exists.
fn with_addition(generated: &Generated, loaded: &Scenario, add: &Addition) -> Option<Generated> {
    let mut out = generated.clone();
    let entry = (add.path.clone(), add.value.clone());
    match place(&add.path) {
        Place::Top => {
            if loaded.facts.contains_key(&add.path) {
                return None;
            }
            out.top.push(entry);
        }
        Place::Practice => {
            let practice = loaded.practices.get(add.practice)?;
            if practice.facts.contains_key(&add.path) {
                return None;
            }
            // Stating one end of the period before the other end would make it invalid.
            let other = match add.path.as_str() {
                "practice.period.start" => practice.facts.get("practice.period.end"),
                "practice.period.end" => practice.facts.get("practice.period.start"),
                _ => None,
            };
            if let Some(other) = other {
                let other = other.value.to_string();
                let inverted = if add.path.ends_with("start") {
                    add.value > other
                } else {
                    add.value < other
                };
                if inverted {
                    return None;
                }
            }
            out.practices.get_mut(add.practice)?.0.push(entry);
        }
        Place::Disclosure => {
            let disclosure = loaded
                .practices
                .get(add.practice)?
                .disclosures
                .get(add.disclosure)?;
            if disclosure.facts.contains_key(&add.path) {
                return None;
            }
            out.practices
                .get_mut(add.practice)?
                .1
                .get_mut(add.disclosure)?
                .push(entry);
        }
    }
    Some(out)
}

/// Every (path, practice, disclosure) the scenario states, after the loader's defaults.
fn stated_keys(scenario: &Scenario) -> BTreeSet<(String, Option<String>, Option<String>)> {
    let mut keys = BTreeSet::new();
    for path in scenario.facts.keys() {
        keys.insert((path.clone(), None, None));
    }
    for practice in &scenario.practices {
        for path in practice.facts.keys() {
            keys.insert((path.clone(), Some(practice.id.clone()), None));
        }
        for disclosure in &practice.disclosures {
            for path in disclosure.facts.keys() {
                keys.insert((
                    path.clone(),
                    Some(practice.id.clone()),
                    Some(disclosure.name.clone()),
                ));
            }
        }
    }
    keys
}

/// Whether the duty attaches, from the elements as the verdict used them.
fn attaches(finding: &Finding) -> Truth {
    let mut applies = Truth::True;
    let mut excepted = Truth::False;
    for element in &finding.elements {
        match element.kind {
            ElementKind::Applies => applies = applies.and(element.effective()),
            ElementKind::Exception => excepted = excepted.or(element.effective()),
            ElementKind::Requires => {}
        }
    }
    applies.and(!excepted)
}

proptest! {
    #![proptest_config(config(64))]

    /// Monotonicity in information. Stating one previously unknown fact (unknown after the
    /// loader's defaults) may turn a possible-violation into any verdict. It never changes a
    /// finding's `likely-violation` or `not-applicable` verdict, nor a `compliant` verdict
    /// whose duty is known to attach, as long as no element decided by presumption read the
    /// new fact as unknown: stating a presumed fact false is a rebuttal, which DESIGN.md §4
    /// allows to change the verdict. A `compliant` verdict whose attachment was itself unknown
    /// ("the duty, if it attaches, is met", DESIGN.md §4) may become `not-applicable` when the
    /// new fact shows the duty does not attach, and never anything else: the violation stays
    /// false, only the open question of attachment is settled.
    #[test]
    fn stating_an_unknown_fact_never_reverses_a_decided_verdict(
        (generated, add) in addition()
    ) {
        let before_scenario = load(&generated.toml());
        let Some(more) = with_addition(&generated, &before_scenario, &add) else {
            return Ok(());
        };
        let after_scenario = load(&more.toml());
        let new_keys: BTreeSet<_> = stated_keys(&after_scenario)
            .difference(&stated_keys(&before_scenario))
            .cloned()
            .collect();
        let before = evaluate(book(), before_scenario, None);
        let after = evaluate(book(), after_scenario, None);
        prop_assert_eq!(before.findings.len(), after.findings.len());
        for (old, new) in before.findings.iter().zip(&after.findings) {
            prop_assert_eq!((&old.rule, &old.practice, &old.disclosure), (&new.rule, &new.practice, &new.disclosure));
            let rebutted = old.elements.iter().filter(|e| e.presumed).any(|e| {
                e.unknown.iter().any(|k| {
                    new_keys.contains(&(k.path.clone(), k.practice.clone(), k.disclosure.clone()))
                })
            });
            if rebutted {
                continue;
            }
            let allowed: &[Verdict] = match old.verdict {
                Verdict::PossibleViolation => continue,
                Verdict::LikelyViolation => &[Verdict::LikelyViolation],
                Verdict::NotApplicable => &[Verdict::NotApplicable],
                Verdict::Compliant if attaches(old) == Truth::True => &[Verdict::Compliant],
                Verdict::Compliant => &[Verdict::Compliant, Verdict::NotApplicable],
            };
            prop_assert!(
                allowed.contains(&new.verdict),
                "{} {:?}/{:?}: {} became {} after stating {} = {}\n{}",
                old.rule, old.practice, old.disclosure, old.verdict, new.verdict,
                add.path, add.value, more.toml()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The condition language

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "contains", "overlaps", "true", "false", "any", "all",
];

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-z_][a-z0-9_]{0,6}", 1..4)
        .prop_map(|parts| parts.join("."))
        .prop_filter("not a keyword", |p| !KEYWORDS.contains(&p.as_str()))
}

fn text() -> impl Strategy<Value = String> {
    // Either quote may appear, not both: the language has no escapes.
    prop_oneof!["[a-zA-Z0-9 _.-]{0,8}", "[a-z ']{0,8}", "[a-z \"]{0,8}"]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Int),
        text().prop_map(Literal::Str),
        (0u16..10_000, 1u8..13, 1u8..29)
            .prop_map(|(y, m, d)| Literal::Date(Date::new(y, m, d).expect("a valid date"))),
    ]
}

fn leaf() -> BoxedStrategy<Expr> {
    let node = prop_oneof![
        literal().prop_map(Node::Lit),
        prop::collection::vec(literal(), 0..4).prop_map(Node::List),
        (name(), prop::option::of(text())).prop_map(|(path, key)| Node::Path { path, key }),
        "[a-z_][a-z0-9_]{0,8}".prop_map(Node::Def),
    ];
    node.prop_map(|node| Expr { node, span: 0..0 }).boxed()
}

fn op() -> impl Strategy<Value = Op> {
    prop::sample::select(vec![
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::Contains,
        Op::Overlaps,
    ])
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        let e = |node| Expr { node, span: 0..0 };
        prop_oneof![
            inner.clone().prop_map(move |x| e(Node::Not(Box::new(x)))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(move |xs| e(Node::And(xs))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(move |xs| e(Node::Or(xs))),
            (inner.clone(), op(), inner.clone()).prop_map(move |(l, o, r)| e(Node::Cmp(
                Box::new(l),
                o,
                Box::new(r)
            ))),
            (
                prop::sample::select(vec![Quantifier::Any, Quantifier::All]),
                prop::sample::select(vec![Collection::Practices, Collection::Disclosures]),
                inner,
            )
                .prop_map(move |(q, c, body)| e(Node::Quant(q, c, Box::new(body)))),
        ]
    })
}

proptest! {
    #![proptest_config(config(512))]

    /// Printing a condition and parsing the text gives back the same tree, and printing that
    /// gives the same text.
    #[test]
    fn conditions_round_trip_through_print_and_parse(tree in expr()) {
        let printed = tree.to_string();
        let parsed = condition::parse(&printed);
        prop_assert!(parsed.is_ok(), "{printed:?} does not parse: {:?}", parsed.err());
        let parsed = parsed.expect("checked");
        prop_assert_eq!(parsed.without_spans(), tree.without_spans(), "{}", printed);
        prop_assert_eq!(parsed.to_string(), printed);
    }

    /// Any text that parses prints to text that parses to the same tree.
    #[test]
    fn parsed_text_round_trips(text in "[a-z_. ()'\\[\\],$<>=!0-9-]{0,40}") {
        if let Ok(tree) = condition::parse(&text) {
            let printed = tree.to_string();
            let again = condition::parse(&printed);
            prop_assert!(again.is_ok(), "{text:?} printed as {printed:?}");
            prop_assert_eq!(again.expect("checked").without_spans(), tree.without_spans());
        }
    }
}
