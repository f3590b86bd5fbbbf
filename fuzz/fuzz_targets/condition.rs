//! Fuzzes the condition language: parse any text; a condition that parses must print to text
//! that parses back to the same tree; one that also type-checks (in any scope, with the BIPA
//! pack's definitions) is linted and evaluated as the only element of a rule against a few
//! scenarios.
#![no_main]

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;

use consentry::condition::{self, MAX_CONDITION_LEN, ScopeKind};
use consentry::engine::evaluate;
use consentry::lint::possible;
use consentry::rulebook::{Element, ElementKind, Rule};
use consentry::source::{Location, SourceFile};
use consentry::value::Date;
use consentry::rulebook::Rulebook;
use consentry::scenario::Scenario;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static WORLD: RefCell<(Rulebook, Vec<Scenario>)> = RefCell::new({
        let book = common::book().clone();
        let scenarios = common::scenarios(&book);
        (book, scenarios)
    });
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(expr) = condition::parse(text) else {
        return;
    };
    let printed = expr.to_string();
    if printed.len() <= MAX_CONDITION_LEN {
        match condition::parse(&printed) {
            Ok(again) => assert_eq!(
                again.without_spans(),
                expr.without_spans(),
                "print/parse round trip changed the tree: {text:?} printed as {printed:?}"
            ),
            Err(e) => panic!("printed condition {printed:?} of {text:?} does not parse: {e}"),
        }
    }
    let book = common::book();
    let definitions: BTreeMap<String, Vec<String>> = book
        .definitions
        .get("bipa")
        .map(|defs| {
            defs.iter()
                .map(|(name, versions)| {
                    (name.clone(), versions.iter().flat_map(|d| d.values.clone()).collect())
                })
                .collect()
        })
        .unwrap_or_default();
    for scope in [ScopeKind::Service, ScopeKind::Practice, ScopeKind::Disclosure] {
        if condition::check(&expr, scope, &book.vocabulary, &definitions).is_err() {
            continue;
        }
        let _ = possible(&expr, &book.vocabulary, book.definitions.get("bipa"));
        let file = SourceFile::new("fuzz.toml", text);
        let location = Location::new(&file, 0..0);
        let element = |kind, id: &str| Element {
            kind,
            id: id.into(),
            text: "fuzzed".into(),
            cite: "fuzz".into(),
            condition: expr.clone(),
            fix: Some("fix".into()),
            presumed: kind != ElementKind::Requires,
            presumed_holds: kind == ElementKind::Applies,
            presumed_while_unstated: expr.paths().first().map(|p| vec![p.to_string()]).unwrap_or_default(),
            effective: None,
            until: None,
            shared: None,
            location: location.clone(),
        };
        let rule = Rule {
            id: "bipa.fuzz".into(),
            statute: "bipa".into(),
            title: "fuzzed".into(),
            citation: "fuzz".into(),
            scope,
            effective: Date::new(2000, 1, 1).unwrap_or(common::today()),
            until: None,
            summary: String::new(),
            why: String::new(),
            limitations: None,
            examples: None,
            elements: vec![
                element(ElementKind::Applies, "a"),
                element(ElementKind::Exception, "e"),
                element(ElementKind::Requires, "r"),
            ],
            remedies: Vec::new(),
            location,
        };
        // One rulebook (without its own rules) and one set of scenarios per thread: cloning
        // the rulebook for every input would make the target a hundred times slower.
        WORLD.with(|world| {
            let mut world = world.borrow_mut();
            world.0.rules.clear();
            world.0.rules.insert(rule.id.clone(), vec![rule.clone()]);
            let (book, scenarios) = &*world;
            for scenario in scenarios {
                let _ = evaluate(book, scenario.clone(), None);
            }
        });
    }
});
