//! Writing a result without destroying what is at its path.
//!
//! - `-` is standard output.
//! - A symbolic link at the path is followed, as the shell's `>` follows it: the file at the end
//!   of the chain of links is what gets replaced (its temporary is made in that file's
//!   directory), and the link stays a link, pointing where it pointed. A link whose target does
//!   not exist yet creates the target.
//! - A file that the caller could not open for writing (read-only, or another user's that the
//!   caller may not write) is not replaced, as `>` would refuse it: even where the directory
//!   would allow the rename ([`check_replaceable`]). A privileged caller may write any file
//!   with `>`, and so replaces it here too.
//! - A device, a FIFO or a socket (`/dev/null`, `/dev/stdout`, a named pipe) is opened and written
//!   directly: it is never replaced by a regular file.
//! - A regular file (or nothing yet) is written whole or not at all: into a temporary file
//!   created exclusively, with a short random name, in the same directory (so a link sitting at
//!   a predictable name is never followed and no file of the user's is consumed, and names up to
//!   the system's limit work), then renamed onto the path. An existing file keeps its mode and
//!   (when neurode may change it) its owner; a new one gets the usual mode (`0666` less the
//!   umask).
//! - Two outputs of one command that would write one file (the same path, or one file reached
//!   through links, `.` or `..`) are refused before anything runs ([`same_file`]); standard
//!   output and devices may take several.
//! - The temporaries in flight are removed if the process receives SIGINT or SIGTERM
//!   ([`clean_up_on_signals`]), SIGHUP or SIGQUIT, and when anything fails.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

/// What a path names, for telling whether two outputs would land in one file: the file itself
/// (through symbolic links) where it exists, else its directory (through links) and its name,
/// else the path made absolute. `-` (standard output) names itself.
fn identity(path: &Path) -> PathBuf {
    if path == Path::new("-") {
        return path.to_path_buf();
    }
    // A link whose target does not exist yet is followed by hand: writing it creates the target.
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::read_link(&path) {
            Ok(target) => path = path.parent().map_or(target.clone(), |d| d.join(&target)),
            Err(_) => break,
        }
    }
    if let Ok(real) = fs::canonicalize(&path) {
        return real;
    }
    let absolute = std::env::current_dir().map_or_else(|_| path.clone(), |d| d.join(&path));
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => fs::canonicalize(dir).map_or(absolute.clone(), |d| d.join(name)),
        _ => absolute,
    }
}

/// The first two of `outputs` (each an option's name and its path) that would write one file:
/// the same path, or two paths reaching one file through links, `.` or `..`. Standard output
/// (`-`) and devices may be named twice.
pub fn same_file<'a>(outputs: &[(&'a str, &'a Path)]) -> Option<(&'a str, &'a str, &'a Path)> {
    let shared = |p: &Path| {
        p == Path::new("-")
            || fs::metadata(p).is_ok_and(|m| {
                let t = m.file_type();
                t.is_char_device() || t.is_block_device() || t.is_fifo() || t.is_socket()
            })
    };
    let ids: Vec<PathBuf> = outputs.iter().map(|(_, p)| identity(p)).collect();
    for (k, (name, path)) in outputs.iter().enumerate() {
        if shared(path) {
            continue;
        }
        if let Some(j) = (0..k).find(|&j| ids[j] == ids[k]) {
            return Some((outputs[j].0, name, path));
        }
    }
    None
}

/// The temporary files being written, removed if a signal ends the process.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Longest chain of symbolic links followed before giving up (as the kernel does).
const MAX_LINKS: usize = 40;

/// Removes the temporary files in flight and exits (128 + the signal: 130 on SIGINT, 143 on
/// SIGTERM, 129 on SIGHUP (a closed terminal), 131 on SIGQUIT) when the process receives one of
/// them. Installed once; later calls do nothing.
pub fn clean_up_on_signals() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let Ok(mut signals) =
            signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP, SIGQUIT])
        else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                remove_in_flight();
                std::process::exit(128 + signal);
            }
        });
    });
}

fn remove_in_flight() {
    let list = IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner);
    for path in list.iter() {
        let _ = fs::remove_file(path);
    }
}

/// A temporary file registered for removal on a signal while it lives.
struct InFlight(PathBuf);

impl InFlight {
    fn new(path: &Path) -> Self {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(path.to_path_buf());
        InFlight(path.to_path_buf())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut list = IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner);
        list.retain(|p| p != &self.0);
    }
}

/// The path a write to `path` ends up at: `path` itself, or the end of the chain of symbolic
/// links at it (which may not exist yet).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow"
    )))
}

/// Why the existing regular file `target` (whose metadata is `m`) may not be replaced: the
/// caller could not open it for writing, as `>` would open it (the probe opens it for writing
/// without truncating, so the file is not changed). `None` when it may be replaced.
fn replace_refusal(target: &Path, m: &fs::Metadata) -> Option<io::Error> {
    match OpenOptions::new().write(true).open(target) {
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            let reason = if m.permissions().readonly() {
                "the file is read-only".to_string()
            } else {
                format!(
                    "the file is not writable by you: mode {:03o}, owner uid {}",
                    m.mode() & 0o777,
                    m.uid()
                )
            };
            Some(io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!("permission denied ({reason})"),
            ))
        }
        // Anything else (a read-only file system, a busy executable) is for the write to meet.
        _ => None,
    }
}

/// Checks, before anything is computed, that [`write_file`] may replace what is at `path`: a
/// regular file there (through symbolic links) must be one the caller could open for writing.
/// Standard output, devices, FIFOs and paths with nothing at them pass.
///
/// Error: one line, `cannot replace <path>: permission denied (the file is read-only)` or
/// `... (the file is not writable by you: mode 644, owner uid 0)`, naming the link's target too
/// when `path` is a link.
pub fn check_replaceable(path: &Path) -> Result<(), String> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    let Ok(target) = resolve_links(path) else {
        return Ok(());
    };
    let Ok(m) = fs::metadata(&target) else {
        return Ok(());
    };
    if !m.file_type().is_file() {
        return Ok(());
    }
    match replace_refusal(&target, &m) {
        None => Ok(()),
        Some(e) if target == path => Err(format!("cannot replace {}: {e}", path.display())),
        Some(e) => Err(format!(
            "cannot replace {} (a symbolic link to {}): {e}",
            path.display(),
            target.display()
        )),
    }
}

/// Writes what `write` produces to `path` (see the module documentation).
///
/// Error: the first I/O error (resolving, creating, writing, syncing, renaming), or a
/// `PermissionDenied` error when the file at the path is one the caller could not open for
/// writing ([`check_replaceable`]); nothing is left behind but what was at the path before.
pub fn write_file(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    if path.as_os_str() == "-" {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        write(&mut out)?;
        return out.flush();
    }
    let target = resolve_links(path)?;
    let existing = match fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    if let Some(m) = &existing {
        let t = m.file_type();
        if t.is_dir() {
            return Err(io::Error::other("it is a directory"));
        }
        if t.is_char_device() || t.is_block_device() || t.is_fifo() || t.is_socket() {
            let file = OpenOptions::new().write(true).open(&target)?;
            let mut out = BufWriter::new(file);
            write(&mut out)?;
            return out.flush();
        }
        if let Some(e) = replace_refusal(&target, m) {
            return Err(e);
        }
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".neurode-")
        .suffix(".tmp")
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(&dir)
        .map_err(without_temporary_name)?;
    let guard = InFlight::new(tmp.path());
    let mut out = BufWriter::new(tmp.as_file());
    write(&mut out)?;
    out.flush()?;
    drop(out);
    if let Some(m) = &existing {
        keep_mode_and_owner(tmp.as_file(), m)?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target)
        .map_err(|e| without_temporary_name(e.error))?;
    drop(guard);
    Ok(())
}

/// The operating system's reason alone (`No such file or directory (os error 2)`): the
/// temporary's name, which tempfile adds to its errors, means nothing to the user, who is told
/// the target's path instead.
fn without_temporary_name(e: io::Error) -> io::Error {
    let code = e.raw_os_error();
    if let Some(code) = code {
        return io::Error::from_raw_os_error(code);
    }
    // tempfile's errors read `<reason> at path "<temporary>"`: the reason alone.
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((reason, _)) => io::Error::new(e.kind(), reason.to_string()),
        None => e,
    }
}

/// Gives the new file the mode of the one it replaces, and its owner where it differs (which
/// only a privileged process can change; a refusal is not an error).
fn keep_mode_and_owner(file: &File, old: &fs::Metadata) -> io::Result<()> {
    file.set_permissions(Permissions::from_mode(old.mode() & 0o7777))?;
    let new = file.metadata()?;
    if (new.uid(), new.gid()) != (old.uid(), old.gid()) {
        match std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {}
            Err(e) => return Err(e),
        }
        // Changing the owner may clear set-id bits: set the mode again.
        file.set_permissions(Permissions::from_mode(old.mode() & 0o7777))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("neurode-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn links_are_followed_to_their_end() {
        let dir = scratch("links");
        let end = dir.join("end.csv");
        std::os::unix::fs::symlink("end.csv", dir.join("a")).unwrap();
        std::os::unix::fs::symlink(dir.join("a"), dir.join("b")).unwrap();
        assert_eq!(resolve_links(&dir.join("b")).unwrap(), end);
        assert_eq!(resolve_links(&end).unwrap(), end);
        std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
        assert!(resolve_links(&dir.join("loop")).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_nothing_behind() {
        let dir = scratch("failed");
        let path = dir.join("x.csv");
        fs::write(&path, "before").unwrap();
        let e = write_file(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("boom"))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "boom");
        assert_eq!(fs::read_to_string(&path).unwrap(), "before");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        let in_flight = IN_FLIGHT.lock().unwrap().clone();
        assert!(
            in_flight.iter().all(|p| !p.starts_with(&dir)),
            "{in_flight:?}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
