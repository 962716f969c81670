//! A journal kept outside the folder other jobs consult (the command line's `--journal PATH`) is made visible there,
//! so that a later job in that folder holds the devices it reset: a symbolic link to it, named after it.

use std::path::{Path, PathBuf};

use crate::error::Error;

/// Make `journal` visible to the jobs of `folder`: nothing when it is already there, else a link
/// `folder/<stem>-<hash of its path>.jsonl` pointing at it (made once; a run of the same journal finds it in place).
/// On platforms without unprivileged symbolic links (Windows) it only warns: the journal stays invisible to them.
pub(crate) fn register_in(folder: &Path, journal: &Path) -> Result<(), Error> {
    let cannot = |what: &str, e: std::io::Error| {
        Error::invalid(format!(
            "cannot {what}, so that other jobs there see the devices this job resets: {e}"
        ))
    };
    let target = std::fs::canonicalize(journal)
        .map_err(|e| cannot(&format!("find the journal {}", journal.display()), e))?;
    let folder_real = std::fs::canonicalize(folder).map_err(|e| {
        cannot(
            &format!("read the journals' folder {}", folder.display()),
            e,
        )
    })?;
    if target.parent() == Some(folder_real.as_path()) {
        return Ok(());
    }
    let link = folder.join(link_name(&target));
    match std::fs::canonicalize(&link) {
        Ok(there) if there == target => return Ok(()),
        Ok(_) => {
            return Err(Error::invalid(format!(
                "{} names another journal than {}: remove it to run this journal",
                link.display(),
                target.display()
            )));
        }
        // Absent, or dangling (its journal was removed): made anew.
        Err(_) => {
            let _ = std::fs::remove_file(&link);
        }
    }
    make_link(&target, &link)
        .map_err(|e| cannot(&format!("link {} to the journal", link.display()), e))
}

/// The links `register_in` made in `folder` for journals kept elsewhere whose file stem is `stem`
/// (`<stem>-<12 hex>.jsonl`), sorted: how a job is found by the name its run printed.
pub fn linked_journals(folder: &Path, stem: &str) -> Vec<PathBuf> {
    let is_link_of = |name: &str| {
        name.strip_prefix(stem)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|rest| rest.strip_suffix(".jsonl"))
            .is_some_and(|hex| hex.len() == 12 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let mut links: Vec<PathBuf> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_symlink() && is_link_of(&e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    links.sort();
    links
}

/// `<stem>-<12 hex of SHA-256 of the path>.jsonl`: one name per journal, readable in `jobs list`.
fn link_name(target: &Path) -> PathBuf {
    let digest = ring::digest::digest(&ring::digest::SHA256, target.as_os_str().as_encoded_bytes());
    let hex: String = digest.as_ref()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let stem = target
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    PathBuf::from(format!("{stem}-{hex}.jsonl"))
}

#[cfg(unix)]
fn make_link(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn make_link(target: &Path, link: &Path) -> std::io::Result<()> {
    tracing::warn!(
        journal = %target.display(),
        folder = %link.parent().map(|p| p.display().to_string()).unwrap_or_default(),
        "a journal outside the jobs folder is not linked there on this platform: later jobs there do not see it"
    );
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_journal_elsewhere_is_linked_once_and_one_in_the_folder_is_left_alone() {
        let root = std::env::temp_dir().join(format!("ipc-register-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (jobs, elsewhere) = (root.join("jobs"), root.join("elsewhere"));
        std::fs::create_dir_all(&jobs).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        let journal = elsewhere.join("mine.jsonl");
        std::fs::write(&journal, b"").unwrap();
        register_in(&jobs, &journal).unwrap();
        register_in(&jobs, &journal).unwrap();
        let links: Vec<_> = std::fs::read_dir(&jobs)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(links.len(), 1, "{links:?}");
        assert!(
            links[0]
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("mine-")
        );
        assert_eq!(
            std::fs::canonicalize(&links[0]).unwrap(),
            std::fs::canonicalize(&journal).unwrap()
        );
        // In the folder already: no link.
        let inside = jobs.join("job-1.jsonl");
        std::fs::write(&inside, b"").unwrap();
        register_in(&jobs, &inside).unwrap();
        assert_eq!(std::fs::read_dir(&jobs).unwrap().count(), 2);
        // A dangling link (its journal removed) is made anew.
        std::fs::remove_file(&journal).unwrap();
        std::fs::write(&journal, b"").unwrap();
        register_in(&jobs, &journal).unwrap();
        assert_eq!(std::fs::read_dir(&jobs).unwrap().count(), 2);
        let _ = std::fs::remove_dir_all(&root);
    }
}
