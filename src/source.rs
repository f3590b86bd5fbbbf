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
    index: LineIndex,
}

/// Where lines start and how many characters precede every [`CHECKPOINT_BYTES`]-th byte, so a
/// line and column cost a binary search and a short count, not a scan from the file's start
/// (a large file with many facts would otherwise take quadratic time to locate them).
#[derive(Debug, PartialEq, Eq, Default)]
struct LineIndex {
    /// Byte offset of the start of each line after the first.
    line_starts: Vec<u32>,
    /// (byte offset on a character boundary, characters before it), in order.
    checkpoints: Vec<(u32, u32)>,
}

const CHECKPOINT_BYTES: usize = 4096;

impl LineIndex {
    fn new(text: &str) -> Self {
        // Simple byte loops the compiler vectorizes: the rulebook's few hundred kilobytes are
        // indexed at every start-up. A character starts at every byte that is not a UTF-8
        // continuation byte, so counting those counts characters.
        let bytes = text.as_bytes();
        let line_starts = text
            .match_indices('\n')
            .map(|(offset, _)| to_u32(offset + 1))
            .collect();
        let mut checkpoints = Vec::new();
        let (mut offset, mut chars) = (0usize, 0usize);
        while offset < bytes.len() {
            checkpoints.push((to_u32(offset), to_u32(chars)));
            let mut end = (offset + CHECKPOINT_BYTES).min(bytes.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            chars += bytes
                .get(offset..end)
                .unwrap_or_default()
                .iter()
                .filter(|byte| (**byte & 0xC0) != 0x80)
                .count();
            offset = end;
        }
        Self {
            line_starts,
            checkpoints,
        }
    }

    /// Characters before byte `offset` (on a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let at = self
            .checkpoints
            .partition_point(|(byte, _)| (*byte as usize) <= offset);
        let (byte, chars) = at
            .checked_sub(1)
            .and_then(|i| self.checkpoints.get(i))
            .map_or((0, 0), |(b, c)| (*b as usize, *c as usize));
        chars + text.get(byte..offset).map_or(0, |s| s.chars().count())
    }
}

/// Offsets fit in 32 bits: files are refused above `app::MAX_FILE_BYTES` (10 MiB).
fn to_u32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
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
        let index = LineIndex::new(&text);
        Arc::new(Self {
            name: name.into(),
            text,
            index,
        })
    }

    /// 1-based line and column (in characters) of a byte offset; offsets past the end clamp.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line_index = self
            .index
            .line_starts
            .partition_point(|start| (*start as usize) <= offset);
        let line_start = line_index
            .checked_sub(1)
            .and_then(|i| self.index.line_starts.get(i))
            .map_or(0, |s| *s as usize);
        // Counting from the line's start is cheapest for ordinary lines; a very long line
        // (one line of megabytes) goes by the checkpoints, so locating every fact on it does
        // not take quadratic time.
        let column = if offset - line_start <= CHECKPOINT_BYTES {
            self.text
                .get(line_start..offset)
                .map_or(0, |line| line.chars().count())
        } else {
            self.index.chars_before(&self.text, offset)
                - self.index.chars_before(&self.text, line_start)
        };
        (line_index + 1, column + 1)
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
    fn the_index_agrees_with_a_scan_across_checkpoints() {
        let text: String = (0..3000)
            .map(|i| {
                if i % 7 == 0 {
                    "é\n".to_string()
                } else {
                    format!("k{i} = 1 ")
                }
            })
            .collect();
        let file = SourceFile::new("f.toml", text.clone());
        for offset in (0..text.len()).step_by(97) {
            let offset = floor_char_boundary(&text, offset);
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = before[start..].chars().count() + 1;
            assert_eq!(file.line_col(offset), (line, column), "offset {offset}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_text() {
        let file = SourceFile::new("f.toml", "\u{feff}a = 1\n");
        assert_eq!(file.text, "a = 1\n");
        assert_eq!(file.line_col(4), (1, 5));
    }
}
