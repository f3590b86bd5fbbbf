//! Source files and positions: turns byte offsets into the line and column a person reads.

use std::ops::Range;
use std::sync::Arc;

/// A file's name (as shown to the user) and its text, shared by everything that points into it.
#[derive(Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Path as the user gave it (or `rules/<name>` for the embedded rulebook).
    pub name: String,
    /// Full text of the file.
    pub text: String,
    /// Byte offset where each line starts, so a position is found by binary search rather
    /// than by scanning the text from the start (files hold hundreds of located facts).
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// Wraps a file for sharing between loaders, findings and diagnostics. A leading
    /// byte-order mark is dropped: it is not part of the text a person reads, and keeping it
    /// would shift every column of the first line.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Arc::new(Self {
            name: name.into(),
            text,
            line_starts,
        })
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end clamp.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        // The number of lines starting at or before the offset is its 1-based line.
        let line = self.line_starts.partition_point(|start| *start <= offset);
        let line_start = self
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        (line.max(1), column)
    }
}

/// A position in a source file: the span and its derived line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: Arc<SourceFile>,
    /// Byte range in the file.
    pub span: Range<usize>,
    /// 1-based line of the span's start.
    pub line: usize,
    /// 1-based column of the span's start.
    pub column: usize,
}

impl Location {
    /// The location of `span` in `file`.
    pub fn new(file: &Arc<SourceFile>, span: Range<usize>) -> Self {
        let (line, column) = file.line_col(span.start);
        Self {
            file: Arc::clone(file),
            span,
            line,
            column,
        }
    }

    /// `file:line:column`, the form editors and terminals turn into links.
    pub fn display(&self) -> String {
        format!("{}:{}:{}", self.file.name, self.line, self.column)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let file = SourceFile::new("f.toml", "a = 1\nbé = 2\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        // `=` after the two-byte `é` is the fourth character of line 2.
        assert_eq!(file.line_col(10), (2, 4));
        assert_eq!(file.line_col(999), (3, 1));
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let file = SourceFile::new("f.toml", "\u{feff}a = 1\n");
        assert_eq!(file.text, "a = 1\n");
        assert_eq!(file.line_col(4), (1, 5));
    }
}
