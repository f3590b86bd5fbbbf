//! What the fuzz targets share: the embedded rulebook, loaded once, and a few scenarios.

#![allow(dead_code, reason = "each target uses a part of it")]

use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

use consentry::diagnostics::Diagnostic;
use consentry::report;
use consentry::rulebook::Rulebook;
use consentry::scenario::Scenario;
use consentry::source::SourceFile;
use consentry::value::Date;

/// The embedded rulebook; it loads, or the target cannot run at all.
pub fn book() -> &'static Rulebook {
    static BOOK: OnceLock<Rulebook> = OnceLock::new();
    BOOK.get_or_init(|| match Rulebook::embedded() {
        Ok(book) => book,
        Err(errors) => panic!("the embedded rulebook does not load: {}", errors.len()),
    })
}

/// A fixed "today", so a run does not depend on the clock.
pub fn today() -> Date {
    Date::new(2025, 6, 1).unwrap_or(Date { year: 2025, month: 6, day: 1 })
}

/// Renders every diagnostic both ways, as the CLI would.
pub fn render_all(diagnostics: &[Diagnostic]) {
    for diag in diagnostics {
        let _ = diag.render(false);
        let _ = diag.render(true);
        let _ = report::diagnostic_json(diag);
        let _ = diag.line_col();
    }
}

/// Scenarios that reach every kind of scope item, to evaluate fuzzed rules against.
pub fn scenarios(book: &Rulebook) -> Vec<Scenario> {
    const TEXTS: &[&str] = &[
        include_str!("../../scenarios/tiktok-hong-2019.toml"),
        include_str!("../../scenarios/fixtures/bipa/15d-violation.toml"),
        "[scenario]\nid = \"empty\"\nas_of = 2024-09-01\n",
    ];
    let ids: BTreeSet<&str> = book.rule_ids().collect();
    TEXTS
        .iter()
        .filter_map(|text| {
            let file: Arc<SourceFile> = SourceFile::new("seed.toml", *text);
            Scenario::load(&file, &book.vocabulary, &ids, today()).ok()
        })
        .collect()
}
