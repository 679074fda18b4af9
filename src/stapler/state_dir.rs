//! The state directory: each verified answer written atomically, and read back at start.
//!
//! One file per certificate, named by the SHA-256 of the end-entity certificate (so that a
//! renewed certificate never picks up its predecessor's answer, and no label chosen by the
//! operator ends up in a path), holding the DER `OCSPResponse` exactly as received.
//!
//! A write goes to a temporary file in the same directory, which is flushed to disk, then
//! renamed over the old file, and the directory is flushed too (on Unix): a crash leaves either
//! the old answer or the new one, never half of one. What is read back is only ever a
//! candidate: the stapler verifies it as if a responder had just sent it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::string::String;
use std::sync::atomic::{AtomicU64, Ordering};
use std::vec::Vec;

use sha2::{Digest as _, Sha256};

use crate::error::Error;

/// Why a file of the state directory was not used: reported, never served.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileProblem {
    /// The file could not be read (it exists: a missing file is no problem).
    #[error("it cannot be read ({0})")]
    Io(io::ErrorKind),
    /// The file is longer than the verifier's size cap (reading stopped there).
    #[error("it is longer than {0} bytes")]
    TooLarge(usize),
    /// What it holds does not verify for this certificate now: corrupt, tampered with, about
    /// another certificate, or stale (expired or too old).
    #[error("it does not verify: {0}")]
    Invalid(Error),
    /// It verifies but says `unknown`, which is never served.
    #[error("it says the certificate's status is unknown")]
    Unknown,
}

/// The file of the certificate whose DER is `end_entity`, in `dir`.
pub(crate) fn path_for(dir: &Path, end_entity: &[u8]) -> PathBuf {
    let digest = Sha256::digest(end_entity);
    let mut name = String::with_capacity(70);
    for byte in digest {
        name.push(hex_digit(byte >> 4));
        name.push(hex_digit(byte & 0x0f));
    }
    name.push_str(".ocsp");
    dir.join(name)
}

/// The bytes of the file at `path`, at most `max_len` of them; `Ok(None)` when there is none.
pub(crate) fn read(path: &Path, max_len: usize) -> Result<Option<Vec<u8>>, StateFileProblem> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StateFileProblem::Io(error.kind())),
    };
    // Read one byte past the cap at most, to tell "exactly the cap" from "more".
    let limit = u64::try_from(max_len).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|error| StateFileProblem::Io(error.kind()))?;
    if bytes.len() > max_len {
        return Err(StateFileProblem::TooLarge(max_len));
    }
    Ok(Some(bytes))
}

/// Replaces the file at `path` (in `dir`) by one holding `bytes`, atomically and durably.
pub(crate) fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(std::format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)
    })();
    if let Err(error) = written {
        // Best effort: the temporary file is ours, and useless now.
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    // The rename itself is made durable by flushing the directory (POSIX has no other way;
    // elsewhere the rename is as durable as the platform makes it).
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(std::format!(
            "ocsp-verify-state-dir-{name}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn names_are_the_certificate_hash() {
        let path = path_for(Path::new("/state"), b"certificate");
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(name.len(), 64 + 5);
        assert!(name.ends_with(".ocsp"));
        assert_ne!(path, path_for(Path::new("/state"), b"another"));
    }

    #[test]
    fn writes_replace_atomically_and_leave_nothing_behind() {
        let dir = scratch("write");
        let path = path_for(&dir, b"ee");
        assert_eq!(read(&path, 100), Ok(None));
        write_atomically(&dir, &path, b"first").unwrap();
        write_atomically(&dir, &path, b"second").unwrap();
        assert_eq!(read(&path, 100), Ok(Some(b"second".to_vec())));
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(names, std::slice::from_ref(&path));
        // The cap: exactly at it is read, past it is refused.
        assert_eq!(read(&path, 6), Ok(Some(b"second".to_vec())));
        assert_eq!(read(&path, 5), Err(StateFileProblem::TooLarge(5)));
        // A directory where the file should be cannot be read as one.
        let _ = fs::remove_file(&path);
        fs::create_dir(&path).unwrap();
        assert!(matches!(read(&path, 100), Err(StateFileProblem::Io(_))));
        // Nor replaced: the write fails, and its temporary file is gone.
        assert!(write_atomically(&dir, &path, b"third").is_err());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }
}
