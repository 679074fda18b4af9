//! Writing `--out`: `-` is stdout; a path is replaced atomically, and only when it is a regular
//! file or nothing yet.
//!
//! A stapling server reads the file while we replace it, so the new bytes go to a temporary
//! file in the same directory, are synced to disk, and are renamed over the old file: a reader
//! sees the old response or the new one, never half of one. A symlink is followed and its
//! target replaced (the link stays); the replaced file keeps its permissions and owner. A
//! FIFO, a device, a socket or a directory is refused: renaming over it would put a regular
//! file where something else was.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// Where the bytes went.
#[derive(Debug)]
pub(crate) enum Written {
    /// Standard output (`--out -`).
    Stdout,
    /// A file: the path written (the symlink's target when `--out` is a symlink).
    File(PathBuf),
}

impl Written {
    /// As the report names it: the path, or `-` for stdout.
    pub(crate) fn shown(&self) -> String {
        match self {
            Self::Stdout => "-".into(),
            Self::File(path) => path.display().to_string(),
        }
    }
}

/// Why `--out` could not be written.
#[derive(Debug)]
pub(crate) struct OutputError {
    path: PathBuf,
    problem: String,
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

/// Whether `--out` names stdout.
pub(crate) fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Writes `bytes` to `path` (see the module docs).
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<Written, OutputError> {
    let fail = |problem: String| OutputError {
        path: path.to_path_buf(),
        problem,
    };
    if is_stdout(path) {
        let mut stdout = io::stdout().lock();
        stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| fail(format!("cannot write to stdout ({e})")))?;
        return Ok(Written::Stdout);
    }
    let target = resolve(path).map_err(fail)?;
    let existing = match fs::metadata(&target) {
        Ok(metadata) if metadata.is_file() => Some(metadata),
        Ok(metadata) => {
            return Err(fail(format!(
                "is {}, not a regular file: refusing to replace it (give a file path, or - for \
                 stdout)",
                kind(&metadata)
            )));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(format!("cannot look at it ({e})"))),
    };
    replace(&target, bytes, existing.as_ref())
        .map_err(|e| fail(format!("cannot write it ({e})")))?;
    Ok(Written::File(target))
}

/// The file a path names: itself, or the final target of a symlink.
fn resolve(path: &Path) -> Result<PathBuf, String> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => fs::canonicalize(path).map_err(|e| {
            format!("is a symlink whose target cannot be reached ({e}): refusing to replace it")
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// "a FIFO", "a directory", ... for the refusal.
fn kind(metadata: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let file_type = metadata.file_type();
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if metadata.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The temporary file beside `target`, written, synced, and renamed over it.
fn replace(target: &Path, bytes: &[u8], existing: Option<&fs::Metadata>) -> io::Result<()> {
    let directory = match target.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("the path names no file"))?;
    let (temporary, mut file) = create_temporary(directory, name)?;
    let written = (|| {
        file.write_all(bytes)?;
        if let Some(existing) = existing {
            keep_owner_and_mode(&file, existing)?;
        }
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
        return written;
    }
    // The rename itself is durable once the directory is synced; a failure here loses nothing.
    if let Ok(directory) = File::open(directory) {
        let _ = directory.sync_all();
    }
    Ok(())
}

/// A new file `.NAME.PID.N.tmp` in `directory`, never an existing one.
fn create_temporary(directory: &Path, name: &std::ffi::OsStr) -> io::Result<(PathBuf, File)> {
    let mut attempt = 0u32;
    loop {
        let mut file_name = std::ffi::OsString::from(".");
        file_name.push(name);
        file_name.push(format!(".{}.{attempt}.tmp", std::process::id()));
        let path = directory.join(file_name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(unix)]
fn keep_owner_and_mode(file: &File, existing: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let mine = file.metadata()?;
    if (mine.uid(), mine.gid()) != (existing.uid(), existing.gid()) {
        std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid())).map_err(
            |e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot give the new file the old one's owner {}:{} ({e})",
                        existing.uid(),
                        existing.gid()
                    ),
                )
            },
        )?;
    }
    file.set_permissions(existing.permissions())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, existing: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(existing.permissions())
}
