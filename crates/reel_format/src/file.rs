//! Recording files on disk: who is still writing one.
//!
//! A writer holds an advisory exclusive lock on the file while it writes and drops it when
//! the file is closed (after its end frame, or when the process dies), so a reader can tell
//! a file that is still growing from one whose writer stopped without finishing it. The
//! lock never stops anyone from reading: it is advisory and only [`is_being_written`]
//! looks at it. Only Unix has it (`flock`); elsewhere files are never reported as open,
//! because Windows' locks are mandatory and would block readers.

use std::fs::File;

/// Marks `file` as being written by this process until it is closed.
///
/// Returns `false` when another process already holds the lock (two writers on one
/// file) or the platform has no advisory locks; writing goes on either way.
pub fn lock_for_writing(file: &File) -> bool {
    #[cfg(unix)]
    {
        file.try_lock().is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

/// Whether some writer (in any process) holds `file` open for writing under
/// [`lock_for_writing`].
pub fn is_being_written(file: &File) -> bool {
    #[cfg(unix)]
    {
        match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
                false
            }
            Err(std::fs::TryLockError::WouldBlock) => true,
            Err(std::fs::TryLockError::Error(_)) => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        false
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_locked_file_reads_as_being_written_until_closed() {
        let dir = std::env::temp_dir().join(format!("reel-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("a.reel");
        let writer = File::create(&path).expect("create");
        let reader = File::open(&path).expect("open");
        assert!(!is_being_written(&reader), "nobody writes yet");
        assert!(lock_for_writing(&writer));
        assert!(is_being_written(&reader));
        // Asking does not take the lock away from the writer.
        assert!(is_being_written(&reader));
        assert!(!lock_for_writing(
            &File::options().write(true).open(&path).expect("open")
        ));
        drop(writer);
        assert!(!is_being_written(&reader));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
