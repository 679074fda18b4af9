//! The state directory: each verified answer written atomically, and read back at start.
//!
//! One file per certificate, named by the SHA-256 of the end-entity certificate (so that a
//! renewed certificate never picks up its predecessor's answer, and no label chosen by the
//! operator ends up in a path), holding the DER `OCSPResponse` exactly as received.
//!
//! A write goes to a temporary file in the same directory, which is flushed to disk, then
//! renamed over the old file, and the directory is flushed too (on Unix): a crash leaves either
//! the old answer or the new one, never half of one. A temporary file a crash left behind is
//! removed when a stapler starts and after each save, once it is a minute old (a writer holds
//! its own for milliseconds, so another stapler sharing the directory is not disturbed).
//!
//! What is read back is only ever a candidate: the stapler verifies it as if a responder had
//! just sent it. Only regular files are read: a symbolic link, a FIFO, a device or a
//! directory in a file's place is reported and left alone, and the file is opened so that
//! neither a link nor a FIFO swapped in at the last moment can be followed or block.

use core::time::Duration;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;
use std::vec::Vec;

use sha2::{Digest as _, Sha256};

use crate::display::Hex;
use crate::error::Error;
use crate::fetch::NotKept;

/// How old a temporary file must be before it counts as left behind.
const ABANDONED_AFTER: Duration = Duration::from_secs(60);

/// Why a file of the state directory was not used: reported, never served.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateFileProblem {
    /// The file could not be read (it exists: a missing file is no problem).
    #[error("it cannot be read ({0})")]
    Io(io::ErrorKind),
    /// Something other than a regular file is in its place: a symbolic link, a FIFO, a device,
    /// a socket or a directory. It is not opened.
    #[error("it is not a regular file but a {0}")]
    NotRegularFile(&'static str),
    /// The file is longer than the verifier's size cap (reading stopped there).
    #[error("it is longer than {0} bytes")]
    TooLarge(usize),
    /// What it holds does not verify for this certificate now: corrupt, tampered with, about
    /// another certificate, or stale (expired or too old).
    #[error("it does not verify: {0}")]
    Invalid(Error),
    /// It verifies, but says the certificate's status is `unknown`, which is never stapled.
    #[error("it says the certificate's status is unknown")]
    UnknownStatus,
    /// It verifies but was not kept: dated in the future, or contradicting a revocation.
    #[error("it cannot be stapled: {0}")]
    NotKept(NotKept),
}

/// What a save achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Saved {
    /// In place, and the directory flushed.
    Durable,
    /// In place (the rename succeeded), but flushing the directory failed.
    NotDurable(io::ErrorKind),
}

/// The file of the certificate whose DER is `end_entity`, in `dir`.
pub(crate) fn path_for(dir: &Path, end_entity: &[u8]) -> PathBuf {
    dir.join(std::format!("{}.ocsp", Hex(&Sha256::digest(end_entity))))
}

/// The bytes of the regular file at `path`, at most `max_len` of them; `Ok(None)` when there
/// is none.
pub(crate) fn read(path: &Path, max_len: usize) -> Result<Option<Vec<u8>>, StateFileProblem> {
    // What is there, without following a link.
    match fs::symlink_metadata(path) {
        Ok(metadata) => regular(&metadata)?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StateFileProblem::Io(error.kind())),
    }
    let file = match open_regular(path) {
        Ok(file) => file,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(StateFileProblem::Io(error.kind())),
    };
    // Swapped since the look: what was opened must be a regular file too.
    let metadata = file
        .metadata()
        .map_err(|error| StateFileProblem::Io(error.kind()))?;
    regular(&metadata)?;
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

fn regular(metadata: &fs::Metadata) -> Result<(), StateFileProblem> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_symlink() {
        "symbolic link"
    } else if kind.is_dir() {
        "directory"
    } else {
        special(&kind)
    };
    Err(StateFileProblem::NotRegularFile(what))
}

#[cfg(unix)]
fn special(kind: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if kind.is_fifo() {
        "FIFO"
    } else if kind.is_block_device() || kind.is_char_device() {
        "device"
    } else if kind.is_socket() {
        "socket"
    } else {
        "special file"
    }
}

#[cfg(not(unix))]
fn special(_: &fs::FileType) -> &'static str {
    "special file"
}

/// Opens `path` for reading without following a final symbolic link and without blocking
/// (on a FIFO, say).
#[cfg(unix)]
fn open_regular(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_regular(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Replaces the file at `path` (in `dir`) by one holding `bytes`, atomically, and durably when
/// the directory can be flushed.
pub(crate) fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<Saved> {
    write_then_flush(dir, path, bytes, flush_directory)
}

/// Flushes a directory's entries to disk: what makes a rename durable on POSIX.
fn flush_directory(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// [`write_atomically`], with the directory flushed by `flush`.
fn write_then_flush(
    dir: &Path,
    path: &Path,
    bytes: &[u8],
    flush: impl FnOnce(&Path) -> io::Result<()>,
) -> io::Result<Saved> {
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
    // elsewhere the rename is as durable as the platform makes it). The file is in place
    // either way: a failure here is told apart from a failed save.
    match flush(dir) {
        Ok(()) => Ok(Saved::Durable),
        Err(error) => Ok(Saved::NotDurable(error.kind())),
    }
}

/// Removes the temporary files of interrupted writes in `dir` (by name: `.<64 hex
/// digits>.ocsp.<pid>.<n>.tmp`), once a minute old; returns those removed.
pub(crate) fn remove_abandoned(dir: &Path, now: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !is_temporary_name(name) {
            continue;
        }
        // The entry itself, not what a link points to.
        let old_enough = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= ABANDONED_AFTER);
        if old_enough && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

fn is_temporary_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let Some((hash, rest)) = rest.split_once(".ocsp.") else {
        return false;
    };
    let Some(rest) = rest.strip_suffix(".tmp") else {
        return false;
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    hash.len() == 64
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && rest
            .split_once('.')
            .is_some_and(|(pid, n)| digits(pid) && digits(n))
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
        assert_eq!(
            write_atomically(&dir, &path, b"first").unwrap(),
            Saved::Durable
        );
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
        // A directory where the file should be is not read as one ...
        fs::remove_file(&path).unwrap();
        fs::create_dir(&path).unwrap();
        assert_eq!(
            read(&path, 100),
            Err(StateFileProblem::NotRegularFile("directory"))
        );
        // ... nor replaced: the write fails, and its temporary file is gone.
        assert!(write_atomically(&dir, &path, b"third").is_err());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_reported_not_followed_nor_waited_on() {
        let dir = scratch("special");
        // A link to a readable file of our own: not followed.
        let target = dir.join("elsewhere");
        fs::write(&target, b"not an answer").unwrap();
        let link = path_for(&dir, b"linked");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(
            read(&link, 100),
            Err(StateFileProblem::NotRegularFile("symbolic link"))
        );
        // A FIFO: reported at once, never opened (a blocking open would hang this test).
        let fifo = path_for(&dir, b"fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|status| status.success()) {
            assert_eq!(
                read(&fifo, 100),
                Err(StateFileProblem::NotRegularFile("FIFO"))
            );
            // Opened directly, it does not block either, and is refused.
            let file = open_regular(&fifo).unwrap();
            assert_eq!(
                regular(&file.metadata().unwrap()),
                Err(StateFileProblem::NotRegularFile("FIFO"))
            );
        }
        // A link swapped in is not followed by the open either.
        assert!(open_regular(&link).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_that_cannot_be_flushed_is_not_a_failed_save() {
        let dir = scratch("flush");
        let path = path_for(&dir, b"ee");
        let failing = |_: &Path| Err(io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(
            write_then_flush(&dir, &path, b"answer", failing).unwrap(),
            Saved::NotDurable(io::ErrorKind::PermissionDenied)
        );
        // In place all the same, and nothing left behind.
        assert_eq!(read(&path, 100), Ok(Some(b"answer".to_vec())));
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_files_left_behind_are_removed_once_old() {
        let dir = scratch("abandoned");
        let answer = path_for(&dir, b"ee");
        fs::write(&answer, b"answer").unwrap();
        let name = answer.file_name().unwrap().to_str().unwrap();
        let left = dir.join(std::format!(".{name}.4242.7.tmp"));
        fs::write(&left, b"half").unwrap();
        let unrelated = dir.join(".notes.tmp");
        fs::write(&unrelated, b"mine").unwrap();
        // Young: kept (another stapler may be writing it).
        assert!(remove_abandoned(&dir, SystemTime::now()).is_empty());
        let later = SystemTime::now() + Duration::from_secs(61);
        assert_eq!(remove_abandoned(&dir, later), std::slice::from_ref(&left));
        assert!(!left.exists());
        assert!(answer.exists() && unrelated.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn temporary_names() {
        let hash = "a".repeat(64);
        assert!(is_temporary_name(&std::format!(".{hash}.ocsp.12.0.tmp")));
        for name in [
            std::format!("{hash}.ocsp.12.0.tmp"),
            std::format!(".{hash}.ocsp.12.tmp"),
            std::format!(".{hash}.ocsp.x.0.tmp"),
            std::format!(".{}.ocsp.1.0.tmp", "a".repeat(63)),
            std::format!(".{hash}.ocsp"),
        ] {
            assert!(!is_temporary_name(&name), "{name}");
        }
    }
}
