//! Helpers shared by the integration tests that check a committed generated file.

#![expect(
    clippy::panic,
    reason = "a stale generated file fails the test with a diff"
)]

use std::fs;

/// Checks that the committed `path` equals `fresh`, showing the first difference when it does
/// not; with `CONSENTRY_UPDATE_GENERATED=1` it writes `fresh` to `path` instead.
/// `test` names the test target that regenerates it.
pub fn assert_generated_current(path: &str, fresh: &str, test: &str) {
    if std::env::var_os("CONSENTRY_UPDATE_GENERATED").is_some_and(|v| v == "1") {
        if let Err(e) = fs::write(path, fresh) {
            panic!("cannot write {path}: {e}");
        }
        return;
    }
    let committed = fs::read_to_string(path).unwrap_or_default();
    if committed == fresh {
        return;
    }
    let first = committed
        .lines()
        .zip(fresh.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()));
    let show = |text: &str| {
        text.lines()
            .skip(first.saturating_sub(2))
            .take(6)
            .collect::<Vec<_>>()
            .join("\n")
    };
    panic!(
        "{path} is stale (first difference at line {}):\n--- committed\n{}\n+++ generated\n{}\n\nregenerate with: CONSENTRY_UPDATE_GENERATED=1 cargo test --test {test}",
        first + 1,
        show(&committed),
        show(fresh)
    );
}
