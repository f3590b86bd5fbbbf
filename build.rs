//! Embeds every file of `rules/` into the binary so `consentry check` works from any directory.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR")?;
    let rules_dir = Path::new(&manifest_dir).join("rules");
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    // The published URL of docs/rules.md, for SARIF's absolute `helpUri` (see report::doc_url).
    println!("cargo:rerun-if-env-changed=CONSENTRY_DOCS_URL");
    let mut files: Vec<_> = std::fs::read_dir(&rules_dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// The rule files of `rules/`, embedded at build time: (file name, contents).\npub static EMBEDDED_RULES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )?;
    }
    out.push_str("];\n");
    let out_dir = std::env::var("OUT_DIR")?;
    std::fs::write(Path::new(&out_dir).join("embedded_rules.rs"), out)?;
    Ok(())
}
