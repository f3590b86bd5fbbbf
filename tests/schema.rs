//! The JSON Schema of scenario files: the committed `docs/scenario.schema.json` is current, is a
//! valid draft 2020-12 schema, accepts every bundled scenario and rejects mistakes the loader
//! rejects. Set `CONSENTRY_UPDATE_GENERATED=1` to rewrite the committed copy.

#![expect(
    clippy::expect_used,
    reason = "test helpers fail loudly on a broken fixture"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use consentry::rulebook::Rulebook;
use consentry::schema;
use serde_json::Value as Json;

const COMMITTED: &str = "docs/scenario.schema.json";

fn generated() -> String {
    let book = Rulebook::embedded().expect("the embedded rulebook loads");
    schema::render(&book.vocabulary)
}

/// A scenario file as the JSON a JSON-Schema tool sees: TOML dates become `YYYY-MM-DD` strings.
fn toml_to_json(value: &toml::Value) -> Json {
    match value {
        toml::Value::String(s) => Json::String(s.clone()),
        toml::Value::Integer(i) => Json::from(*i),
        toml::Value::Float(f) => Json::from(*f),
        toml::Value::Boolean(b) => Json::Bool(*b),
        toml::Value::Datetime(d) => Json::String(d.to_string()),
        toml::Value::Array(items) => Json::Array(items.iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Json::Object(
            table
                .iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

fn scenario_json(text: &str) -> Json {
    let table: toml::Table = toml::from_str(text).expect("valid TOML");
    toml_to_json(&toml::Value::Table(table))
}

fn validator() -> jsonschema::Validator {
    let schema: Json = serde_json::from_str(&generated()).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, instance: &Json) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("readable folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

#[test]
fn the_committed_schema_is_current() {
    common::assert_generated_current(COMMITTED, &generated(), "schema");
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema: Json = serde_json::from_str(&generated()).expect("JSON");
    assert_eq!(schema["$schema"], schema::DIALECT);
    assert!(jsonschema::meta::is_valid(&schema));
}

#[test]
fn every_bundled_scenario_is_valid_under_the_schema() {
    let validator = validator();
    let mut files = Vec::new();
    toml_files(Path::new("scenarios"), &mut files);
    files.sort();
    assert!(files.len() > 10, "the scenarios are found");
    let mut problems = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).expect("readable scenario");
        for error in errors(&validator, &scenario_json(&text)) {
            problems.push(format!("{}: {error}", path.display()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = validator();
    let good = "[scenario]\nid = \"s\"\nas_of = 2024-01-01\n[[practice]]\nid = \"p\"\ndata = [\"fingerprint\"]\n[[practice.disclosure]]\nrecipient = \"X\"\nconsent = true\n";
    assert_eq!(
        errors(&validator, &scenario_json(good)),
        Vec::<String>::new()
    );
    for (what, text) in [
        ("a misspelled key", good.replace("data =", "dta =")),
        (
            "a wrong type",
            good.replace("consent = true", "consent = \"yes\""),
        ),
        (
            "an unknown data category",
            good.replace("fingerprint", "fingerprnt"),
        ),
        (
            "an unknown enum value",
            format!("{good}[operator]\nkind = \"compnay\"\n"),
        ),
        ("a missing scenario id", good.replace("id = \"s\"\n", "")),
        (
            "a scenario id not in kebab-case",
            good.replace("\"s\"", "\"My App\""),
        ),
        (
            "a negative count",
            good.replace(
                "[[practice.disclosure]]",
                "subjects_count = -1\n[[practice.disclosure]]",
            ),
        ),
        (
            "an unknown region",
            format!("{good}[service]\nusers = {{ \"US-XX\" = 3 }}\n"),
        ),
        (
            "an [expect] typo",
            format!("{good}[expect]\nlikely-violaton = [\"bipa.15b\"]\n"),
        ),
    ] {
        assert!(
            !errors(&validator, &scenario_json(&text)).is_empty(),
            "the schema accepts {what}"
        );
    }
}
