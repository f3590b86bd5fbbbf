//! Micro-benchmarks of one scenario's path through consentry, stage by stage: reading the
//! file, parsing it as generic TOML (what `examples/floor.rs` does), loading and checking it
//! against the vocabulary, evaluating it against the full embedded rulebook, rendering its
//! JSON report, and the one-off start-up cost of loading the rulebook.
//!
//! `cargo bench --bench evaluate` prints the median time per scenario of each stage for a
//! few real-case scenarios and for generated ones (`examples/corpus/generate.rs`, seed 7).
//! Evaluation is timed twice: in full (`engine::evaluate`, every finding with its reasoning)
//! and as `check` does it without `--all` (`Detail::Applicable`: not-applicable findings
//! without their reasoning, which no report then shows).
//! A hand-written median-of-samples timer instead of a bench crate: it adds nothing to the
//! dependencies `cargo test` compiles. Numbers, not assertions: nothing here fails on time.

#[path = "../examples/corpus/generate.rs"]
mod generate;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use consentry::engine::{Detail, evaluate, evaluate_with};
use consentry::report::{Report, render_json};
use consentry::rulebook::Rulebook;
use consentry::scenario::Scenario;
use consentry::source::SourceFile;
use consentry::value::Date;

/// Samples per measurement; the median is reported.
const SAMPLES: usize = 15;
/// Each sample runs the measured step for at least this long.
const SAMPLE_TIME: Duration = Duration::from_millis(20);
/// Generated scenarios timed together (their mean per scenario is reported).
const GENERATED: usize = 200;

/// The median over [`SAMPLES`] samples of the time `step` takes once.
fn median(mut step: impl FnMut()) -> Duration {
    // Warm up, and find how many runs fill a sample.
    let start = Instant::now();
    step();
    let once = start.elapsed().max(Duration::from_nanos(50));
    let runs = (SAMPLE_TIME.as_nanos() / once.as_nanos()).clamp(1, 1_000_000);
    let runs = u32::try_from(runs).unwrap_or(1);
    let mut samples: Vec<Duration> = (0..SAMPLES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..runs {
                step();
            }
            start.elapsed() / runs
        })
        .collect();
    samples.sort();
    samples.get(SAMPLES / 2).copied().unwrap_or_default()
}

fn micros(d: Duration) -> String {
    format!("{:>10.1}", d.as_secs_f64() * 1e6)
}

/// The stages of one scenario, timed on `texts` (file name, text) and divided by their number.
fn stages(book: &Rulebook, label: &str, texts: &[(String, String)]) {
    let ids: BTreeSet<&str> = book.rule_ids().collect();
    let today = Date::today();
    let files: Vec<Arc<SourceFile>> = texts
        .iter()
        .map(|(name, text)| SourceFile::new(name.clone(), text.clone()))
        .collect();
    let scenarios: Vec<Scenario> = files
        .iter()
        .filter_map(|f| Scenario::load(f, &book.vocabulary, &ids, today).ok())
        .collect();
    if scenarios.len() != files.len() {
        println!("{label}: a scenario does not load; skipped");
        return;
    }
    let n = u32::try_from(texts.len()).unwrap_or(1).max(1);
    let dir = std::env::temp_dir().join(format!("consentry-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let paths: Vec<std::path::PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, (_, text))| {
            let path = dir.join(format!("{i}.toml"));
            let _ = std::fs::write(&path, text);
            path
        })
        .collect();

    let read = median(|| {
        for path in &paths {
            black_box(std::fs::read_to_string(path).ok());
        }
    }) / n;
    let parse = median(|| {
        for (_, text) in texts {
            black_box(text.parse::<toml::Table>().ok());
        }
    }) / n;
    let load = median(|| {
        for (name, text) in texts {
            let file = SourceFile::new(name.clone(), text.clone());
            black_box(Scenario::load(&file, &book.vocabulary, &ids, today).ok());
        }
    }) / n;
    let clone = median(|| {
        for scenario in &scenarios {
            black_box(scenario.clone());
        }
    }) / n;
    let eval = median(|| {
        for scenario in &scenarios {
            black_box(evaluate(book, scenario.clone(), None));
        }
    }) / n;
    let applicable = median(|| {
        for scenario in &scenarios {
            black_box(evaluate_with(
                book,
                scenario.clone(),
                None,
                Detail::Applicable,
            ));
        }
    }) / n;
    let results: Vec<_> = scenarios
        .iter()
        .map(|s| evaluate(book, s.clone(), None))
        .collect();
    let findings = results.iter().map(|r| r.findings.len()).sum::<usize>() / texts.len().max(1);
    let mut bytes = 0;
    let render = median(|| {
        bytes = 0;
        for result in &results {
            let report = Report::new(book, std::slice::from_ref(result), &[]);
            bytes += black_box(render_json(&report)).len();
        }
    }) / n;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{label:<28}{}{}{}{}{}{}{:>9}{:>10}",
        micros(read),
        micros(parse),
        micros(load),
        micros(eval.saturating_sub(clone)),
        micros(applicable.saturating_sub(clone)),
        micros(render),
        findings,
        bytes / texts.len().max(1) / 1024,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and wants speed.
    let quick = !std::env::args().any(|a| a == "--bench");
    let startup = median(|| {
        black_box(Rulebook::embedded().ok());
    });
    let Ok(book) = Rulebook::embedded() else {
        println!("the embedded rulebook does not load");
        return;
    };
    println!(
        "rulebook: load and check the embedded rulebook once per process: {:.2} ms",
        startup.as_secs_f64() * 1e3
    );
    println!(
        "\nmedian µs per scenario            read     parse      load  evaluate  as check    render  findings  JSON KiB"
    );
    println!(
        "{:<28}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}",
        "", "(file)", "(toml)", "(+check)", "(full)", "does", "(json)"
    );
    for name in [
        "tiktok-hong-2019",
        "bipa-rosenbach-six-flags-2019",
        "coppa-epic-fortnite-2022",
    ] {
        let path = format!("scenarios/{name}.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => stages(&book, name, &[(path, text)]),
            Err(e) => println!("{path}: {e}"),
        }
        if quick {
            return;
        }
    }
    let mut rng = generate::Rng(7);
    let generated: Vec<(String, String)> = (1..=GENERATED)
        .map(|i| {
            (
                format!("scenario-{i:06}.toml"),
                generate::scenario(i, &mut rng),
            )
        })
        .collect();
    for (i, one) in generated.iter().take(3).enumerate() {
        stages(
            &book,
            &format!("generated #{}", i + 1),
            std::slice::from_ref(one),
        );
    }
    stages(
        &book,
        &format!("generated, mean of {GENERATED}"),
        &generated,
    );
}
