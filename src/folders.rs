//! Searches folders for files: links are followed, but each folder is searched once and
//! only to a bounded depth, so link loops cost neither time nor a hang.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// Deepest folder nesting searched below a folder given on the command line.
pub const MAX_FOLDER_DEPTH: usize = 32;

/// One search over one or more folders, remembering the folders already searched.
pub struct FolderSearch<'a> {
    /// Which files to keep.
    keep: &'a dyn Fn(&Path) -> bool,
    /// The files kept, sorted.
    pub files: BTreeSet<PathBuf>,
    /// Folders that could not be read, links back to folders already searched (warnings),
    /// and folders nested too deep.
    pub errors: Vec<Diagnostic>,
    /// Folders searched, by canonical path: a link back to one of them is not followed
    /// again (two links to `.` would otherwise make the search exponential).
    visited: BTreeSet<PathBuf>,
}

impl<'a> FolderSearch<'a> {
    /// A search keeping the files for which `keep` holds.
    pub fn new(keep: &'a dyn Fn(&Path) -> bool) -> Self {
        Self {
            keep,
            files: BTreeSet::new(),
            errors: Vec::new(),
            visited: BTreeSet::new(),
        }
    }

    /// Searches `dir` and every folder below it; returns how many files it kept there, or
    /// `None` when `dir` was searched already in this search.
    pub fn folder(&mut self, dir: &Path) -> Option<usize> {
        self.folder_at(dir, 0)
    }

    fn folder_at(&mut self, dir: &Path, depth: usize) -> Option<usize> {
        let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        if !self.visited.insert(canonical) {
            if depth > 0 {
                self.errors.push(
                    Diagnostic::file_error(
                        dir.display().to_string(),
                        "this folder is a link to a folder already searched; its files are checked once",
                    )
                    .warning(),
                );
            }
            return None;
        }
        Some(self.search(dir, depth))
    }

    fn search(&mut self, dir: &Path, depth: usize) -> usize {
        if depth > MAX_FOLDER_DEPTH {
            self.errors.push(Diagnostic::file_error(
                dir.display().to_string(),
                format!(
                    "folder nesting deeper than {MAX_FOLDER_DEPTH} levels; not searched further"
                ),
            ));
            return 0;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.errors.push(Diagnostic::file_error(
                    dir.display().to_string(),
                    format!("cannot read folder: {}", io_reason(&e)),
                ));
                return 0;
            }
        };
        let mut found = 0;
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.errors.push(Diagnostic::file_error(
                        dir.display().to_string(),
                        format!("cannot list folder: {}", io_reason(&e)),
                    ));
                    continue;
                }
            };
            let path = entry.path();
            if path.is_dir() {
                found += self.folder_at(&path, depth + 1).unwrap_or(0);
            } else if (self.keep)(&path) {
                // Broken links and unreadable files are kept: reading them reports why, so
                // no file is skipped in silence.
                self.files.insert(path);
                found += 1;
            }
        }
        found
    }
}

/// Why a file or folder could not be read, in plain words.
pub fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            // "too many levels of symbolic links (os error 40)": the number means nothing to
            // a person and differs between systems.
            let text = err.to_string().to_lowercase();
            match text.find(" (os error") {
                Some(at) => text.get(..at).unwrap_or(&text).to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn two_links_back_to_the_folder_are_searched_once() -> std::io::Result<()> {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("a.toml"), "")?;
        symlink(".", dir.path().join("again"))?;
        symlink(".", dir.path().join("and-again"))?;
        let keep = |p: &Path| p.extension().is_some_and(|e| e == "toml");
        let mut search = FolderSearch::new(&keep);
        assert_eq!(search.folder(dir.path()), Some(1));
        assert_eq!(search.files.len(), 1);
        assert_eq!(search.errors.len(), 2);
        assert_eq!(search.folder(dir.path()), None);
        Ok(())
    }
}
