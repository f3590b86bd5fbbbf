//! Reads the rule files of a folder as they were at a git revision (`consentry diff --base-rev`).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use crate::app::MAX_FILE_BYTES;
use crate::diagnostics::Diagnostic;
use crate::source::SourceFile;

/// The `*.toml` files directly in `dir` as they were at revision `rev`, sorted by name and
/// named `REV:DIR/FILE` (e.g. `main:rules/bipa.toml`) so diagnostics say which copy they
/// point into. Runs `git` in `dir`; git missing, a folder outside a repository, an unknown
/// revision, or a folder that held no rule file then, is an error naming `--base-rev`.
pub fn rule_files_at(dir: &Path, rev: &str) -> Result<Vec<Arc<SourceFile>>, Diagnostic> {
    let shown = display_dir(dir);
    // A revision starting with `-` would be read by git as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(
            Diagnostic::file_error("--base-rev", format!("`{rev}` is not a git revision"))
                .with_help("give a branch, tag or commit, e.g. `--base-rev origin/main`"),
        );
    }
    let tree = format!("{rev}^{{tree}}");
    git(dir, &["rev-parse", "--verify", "--quiet", &tree]).map_err(|failure| match failure {
        GitFailure::Failed(detail) if detail.is_empty() => Diagnostic::file_error(
            "--base-rev",
            format!("unknown revision `{rev}` in the repository of `{shown}`"),
        )
        .with_help("check the name with `git log --oneline`; in CI fetch the base branch first (`git fetch origin main`)"),
        other => other.into_diagnostic(&shown),
    })?;
    // `-l` gives each blob's size, so an oversized file is refused before it is read; `-z`
    // keeps unusual names unquoted. Paths are relative to `dir` (git's default for ls-tree).
    let listing = git(dir, &["ls-tree", "-l", "-z", rev, "--", "."])
        .map_err(|failure| failure.into_diagnostic(&shown))?;
    let mut entries: Vec<(String, u64)> = listing
        .split('\0')
        .filter_map(|entry| {
            let (meta, name) = entry.split_once('\t')?;
            let mut fields = meta.split_whitespace();
            let (_mode, kind, _hash, size) = (
                fields.next()?,
                fields.next()?,
                fields.next()?,
                fields.next()?,
            );
            (kind == "blob" && name.ends_with(".toml") && !name.contains('/'))
                .then(|| (name.to_string(), size.parse().unwrap_or(u64::MAX)))
        })
        .collect();
    entries.sort();
    if entries.is_empty() {
        return Err(Diagnostic::file_error(
            format!("{rev}:{shown}"),
            format!("no rule files (*.toml) in `{shown}` at revision `{rev}`"),
        ));
    }
    let mut files = Vec::new();
    for (name, size) in entries {
        let label = if shown == "." {
            format!("{rev}:{name}")
        } else {
            format!("{rev}:{shown}/{name}")
        };
        if size > MAX_FILE_BYTES {
            return Err(Diagnostic::file_error(
                label,
                format!("file is {size} bytes, over the limit of {MAX_FILE_BYTES} bytes"),
            ));
        }
        let text = git(dir, &["show", &format!("{rev}:./{name}")])
            .map_err(|failure| failure.into_diagnostic(&shown))?;
        files.push(SourceFile::new(label, text));
    }
    Ok(files)
}

/// The folder as diagnostics name it: as given, without a trailing separator.
fn display_dir(dir: &Path) -> String {
    let text = dir.display().to_string();
    let trimmed = text.trim_end_matches(['/', '\\']);
    if trimmed.is_empty() {
        text
    } else {
        trimmed.to_string()
    }
}

/// Why a git command gave no output.
enum GitFailure {
    /// git could not be started (not installed, or not on `PATH`).
    NotRun(String),
    /// git ran and failed; its first line of stderr (empty when it said nothing).
    Failed(String),
    /// git's output was not UTF-8 text.
    NotText,
}

impl GitFailure {
    fn into_diagnostic(self, dir: &str) -> Diagnostic {
        match self {
            GitFailure::NotRun(reason) => {
                Diagnostic::file_error("--base-rev", format!("cannot run `git`: {reason}"))
                    .with_help("install git, or compare against a folder with `--base DIR`")
            }
            GitFailure::Failed(detail) => Diagnostic::file_error(
                "--base-rev",
                format!("git cannot read `{dir}`: {detail}"),
            )
            .with_help(
                "`--base-rev` reads the `--rules` folders from the git repository they are in",
            ),
            GitFailure::NotText => Diagnostic::file_error(
                "--base-rev",
                format!("a rule file in `{dir}` is not UTF-8 text at that revision"),
            ),
        }
    }
}

/// Runs `git ARGS` in `dir` and returns its stdout.
fn git(dir: &Path, args: &[&str]) -> Result<String, GitFailure> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        // Never page, prompt or read the user's pager settings: this is a pipe.
        .env("GIT_PAGER", "cat")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| {
            GitFailure::NotRun(if e.kind() == std::io::ErrorKind::NotFound {
                "git is not installed, or not on PATH".to_string()
            } else {
                crate::folders::io_reason(&e)
            })
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .trim()
            .trim_start_matches("fatal: ")
            .to_string();
        return Err(GitFailure::Failed(first));
    }
    String::from_utf8(output.stdout).map_err(|_| GitFailure::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_that_look_like_options_are_refused_before_running_git() {
        let err = rule_files_at(Path::new("rules"), "--output=/tmp/x").err();
        assert_eq!(
            err.map(|d| d.message.clone()),
            Some("`--output=/tmp/x` is not a git revision".to_string())
        );
    }

    #[test]
    fn folders_are_named_without_a_trailing_separator() {
        assert_eq!(display_dir(Path::new("rules/")), "rules");
        assert_eq!(display_dir(Path::new("/")), "/");
        assert_eq!(display_dir(Path::new(".")), ".");
    }
}
