//! Fuzzes the rulebook loader: any bytes as a statute pack (or, by the first byte, as the
//! vocabulary, taxonomy or regions file) beside the embedded files. A rulebook that loads is
//! linted, listed, explained, turned into a schema and evaluated against a few scenarios.
#![no_main]

mod common;

use consentry::engine::evaluate;
use consentry::lint::lint;
use consentry::report;
use consentry::rulebook::{Rulebook, embedded_files};
use consentry::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let replaced = match selector % 4 {
        0 => "fuzz.toml",
        1 => "vocabulary.toml",
        2 => "taxonomy.toml",
        _ => "regions.toml",
    };
    let text = String::from_utf8_lossy(rest).into_owned();
    let mut files: Vec<_> = embedded_files()
        .into_iter()
        .filter(|f| !f.name.ends_with(&format!("/{replaced}")))
        .collect();
    files.push(SourceFile::new(format!("fuzz/{replaced}"), text));
    match Rulebook::load(&files) {
        Ok(book) => {
            common::render_all(&lint(&book));
            let _ = report::rules_json(&book);
            for versions in book.rules.values() {
                let _ = report::render_rule(&book, versions, false);
            }
            if replaced == "vocabulary.toml" || replaced == "taxonomy.toml" || replaced == "regions.toml" {
                let _ = consentry::schema::render(&book.vocabulary);
            }
            for (i, scenario) in common::scenarios(&book).into_iter().enumerate() {
                let result = evaluate(&book, scenario, None);
                let results = [result];
                let report = report::Report::new(&book, &results, &[]).with_all(true);
                // The JSON of the large first scenario costs more than the rest of the run:
                // the smaller ones exercise the same renderer.
                if i > 0 {
                    let _ = report::render_json(&report);
                }
                let _ = report::render_human(&report, false);
            }
        }
        Err(errors) => common::render_all(&errors),
    }
});
