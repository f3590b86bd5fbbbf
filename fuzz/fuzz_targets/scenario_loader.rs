//! Fuzzes the scenario loader: any bytes as a scenario file, checked against the embedded
//! rulebook; a scenario that loads is evaluated and rendered in every report format.
#![no_main]

mod common;

use std::collections::BTreeSet;

use consentry::engine::evaluate;
use consentry::report::{self, Report};
use consentry::scenario::Scenario;
use consentry::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let book = common::book();
    let text = String::from_utf8_lossy(data);
    let file = SourceFile::new("fuzz.toml", text.into_owned());
    let ids: BTreeSet<&str> = book.rule_ids().collect();
    match Scenario::load(&file, &book.vocabulary, &ids, common::today()) {
        Ok(scenario) => {
            let result = evaluate(book, scenario, None);
            let _ = consentry::expect::check(&result, book);
            let results = [result];
            let report = Report::new(book, &results, &[]).with_all(true);
            let _ = report::render_human(&report, false);
            let _ = report::render_json(&report);
        }
        Err(errors) => common::render_all(&errors),
    }
});
