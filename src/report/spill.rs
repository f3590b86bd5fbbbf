//! A byte buffer that moves to a temporary file once it grows large: where a format's header
//! needs run totals known only at the end, its scenario sections wait here, not in memory.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes kept in memory before the buffer moves to a file.
const IN_MEMORY: usize = 8 * 1024 * 1024;

/// Names temporary files apart within one process.
static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Appended bytes, in memory while small and in a temporary file (deleted on drop) after.
#[derive(Default)]
pub(crate) struct Spill {
    memory: Vec<u8>,
    file: Option<(BufWriter<File>, PathBuf)>,
}

impl Spill {
    /// Appends `bytes`.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        if let Some((file, _)) = &mut self.file {
            return file.write_all(bytes);
        }
        self.memory.extend_from_slice(bytes);
        if self.memory.len() > IN_MEMORY {
            // Without a writable temporary folder the bytes stay in memory: slower to hold,
            // never a failed report.
            if let Some((mut file, path)) = temporary() {
                file.write_all(&self.memory)?;
                self.memory = Vec::new();
                self.file = Some((file, path));
            }
        }
        Ok(())
    }

    /// Copies every byte appended, in order, to `out`.
    pub(crate) fn copy_to(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match &mut self.file {
            None => out.write_all(&self.memory),
            Some((file, _)) => {
                file.flush()?;
                let inner = file.get_mut();
                inner.seek(SeekFrom::Start(0))?;
                let mut buffer = vec![0; 256 * 1024];
                loop {
                    let n = inner.read(&mut buffer)?;
                    if n == 0 {
                        return Ok(());
                    }
                    out.write_all(buffer.get(..n).unwrap_or_default())?;
                }
            }
        }
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some((_, path)) = self.file.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A new temporary file, open for reading and writing.
fn temporary() -> Option<(BufWriter<File>, PathBuf)> {
    let dir = std::env::temp_dir();
    for _ in 0..16 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("consentry-{}-{n}.part", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path);
        if let Ok(file) = file {
            return Some((BufWriter::with_capacity(256 * 1024, file), path));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_back_in_order_from_memory_and_from_a_file() {
        let mut small = Spill::default();
        let _ = small.write(b"abc");
        let mut out = Vec::new();
        let _ = small.copy_to(&mut out);
        assert_eq!(out, b"abc");

        let mut large = Spill::default();
        let chunk = vec![b'x'; IN_MEMORY / 3 + 7];
        let mut expected = Vec::new();
        for i in 0..5u8 {
            let mut piece = chunk.clone();
            piece.push(i);
            let _ = large.write(&piece);
            expected.extend_from_slice(&piece);
        }
        assert!(large.file.is_some(), "moved to a file past the limit");
        let mut out = Vec::new();
        let _ = large.copy_to(&mut out);
        assert_eq!(out, expected);
    }
}
