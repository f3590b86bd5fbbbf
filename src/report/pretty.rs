//! Pretty-printed JSON written piece by piece: a value serialized at the depth it sits at in
//! a larger document, with the same bytes `serde_json::to_string_pretty` gives it there.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

/// serde_json's `PrettyFormatter` (two-space indent), starting at a given depth instead of
/// the top, so one element of an array can be written alone and spliced into the document.
pub(crate) struct Indented {
    depth: usize,
    has_value: bool,
}

impl Indented {
    /// A formatter for a value nested `depth` levels deep.
    pub(crate) fn at(depth: usize) -> Self {
        Self {
            depth,
            has_value: false,
        }
    }
}

fn indent<W: ?Sized + Write>(writer: &mut W, depth: usize) -> io::Result<()> {
    const SPACES: &[u8] = b"                                                                ";
    let mut left = depth * 2;
    while left > 0 {
        let n = left.min(SPACES.len());
        writer.write_all(SPACES.get(..n).unwrap_or_default())?;
        left -= n;
    }
    Ok(())
}

impl Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            writer.write_all(b"\n")?;
            indent(writer, self.depth)?;
        }
        writer.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        indent(writer, self.depth)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            writer.write_all(b"\n")?;
            indent(writer, self.depth)?;
        }
        writer.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        writer.write_all(if first { b"\n" } else { b",\n" })?;
        indent(writer, self.depth)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _writer: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Appends `,\n`, the indent of `depth`, and `value` pretty-printed at that depth: one element
/// of an array whose elements sit at `depth` (the first element's comma is dropped when the
/// array is put together).
pub(crate) fn element<T: Serialize + ?Sized>(out: &mut Vec<u8>, depth: usize, value: &T) {
    out.extend_from_slice(b",\n");
    let _ = indent(out, depth);
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, Indented::at(depth));
    // INVARIANT: serializing into a `Vec` fails only on a map with non-string keys, which no
    // report value has.
    let _ = value.serialize(&mut serializer);
}

/// Writes the elements gathered by [`element`] as the array `[...]` whose elements sit at
/// `depth`, exactly as `to_string_pretty` would print the whole array.
pub(crate) fn close_array(out: &mut dyn Write, depth: usize, any: bool) -> io::Result<()> {
    if any {
        out.write_all(b"\n")?;
        indent(out, depth.saturating_sub(1))?;
    }
    out.write_all(b"]")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nested_value_reads_as_it_does_inside_the_whole_document() {
        let inner = json!({"a": [1, {"b": []}], "c": {}, "d": "x"});
        let whole = json!({"list": [inner.clone(), inner.clone()]});
        let expected = serde_json::to_string_pretty(&whole).unwrap_or_default();
        let mut items = Vec::new();
        element(&mut items, 2, &inner);
        element(&mut items, 2, &inner);
        let mut out = b"{\n  \"list\": [".to_vec();
        out.extend_from_slice(items.get(1..).unwrap_or_default());
        let _ = close_array(&mut out, 2, true);
        out.extend_from_slice(b"\n}");
        assert_eq!(String::from_utf8_lossy(&out), expected);
    }
}
