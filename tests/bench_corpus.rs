//! The benchmark corpus generator (`examples/bench_corpus.rs`) writes what the benchmarks
//! claim to measure: valid scenarios with 1 to 6 practices, biometric and ordinary data,
//! children, several regions, up to 3 disclosures per practice with third countries, and
//! about a fifth of the facts unstated; and the same seed gives the same bytes.

#[path = "../examples/corpus/generate.rs"]
mod generate;

use assert_cmd::Command;
use generate::{Rng, scenario};

const FILES: usize = 40;

fn corpus(seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    (1..=FILES).map(|i| scenario(i, &mut rng)).collect()
}

#[test]
fn a_generated_corpus_validates_and_has_the_promised_mix() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let files = corpus(7);
    for (i, text) in files.iter().enumerate() {
        std::fs::write(dir.path().join(format!("scenario-{:06}.toml", i + 1)), text)
            .expect("written");
    }
    let out = Command::cargo_bin("consentry")
        .expect("binary")
        .env("NO_COLOR", "1")
        .arg("validate")
        .arg(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("scenarios: {FILES} valid, 0 with errors")),
        "{stdout}"
    );

    let practices: Vec<usize> = files
        .iter()
        .map(|f| f.matches("[[practice]]").count())
        .collect();
    assert!(
        practices.iter().all(|n| (1..=6).contains(n)),
        "{practices:?}"
    );
    assert!(practices.iter().any(|&n| n >= 4), "{practices:?}");
    let all = files.concat();
    for needed in [
        "face-geometry",
        "children-under-13",
        "US-IL",
        "\"FR\"",
        "country = \"CN\"",
    ] {
        assert!(all.contains(needed), "no `{needed}` in the corpus");
    }
    let disclosures = all.matches("[[practice.disclosure]]").count();
    let total_practices: usize = practices.iter().sum();
    assert!(disclosures > 0 && disclosures <= 3 * total_practices);
    // About a fifth of the optional facts are left out: the notice section lists seven.
    let notice_keys = all.matches("\nnames_biometrics = ").count();
    let share = notice_keys as f64 / total_practices as f64;
    assert!((0.65..=0.95).contains(&share), "stated share {share}");
}

#[test]
fn the_same_seed_gives_the_same_bytes() {
    assert_eq!(corpus(7), corpus(7));
    assert_ne!(corpus(7), corpus(8));
}
