//! A journal's index: `<journal>.idx`, a small sidecar listing what the journal holds (devices `ok`, `sending` or
//! `unknown`, with when their request left), so that checking a run against every other job of a folder reads a few
//! bytes per device instead of replaying every journal. The journal stays the truth: an index made for another length
//! of its journal is stale and is rebuilt from it.
//!
//! Format (text, one record per line, fields split by tabs; IDs cannot hold tabs or newlines, `Target` refuses
//! control characters):
//! ```text
//! intune-passcode-index 1 <journal length> <graph root> <tenant or -> <job id>
//! <device id> <o|s|u> <sent_at, Unix seconds, or ->
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::convert::parse_time;

use super::event::Event;
use super::state::DeviceState;

const MAGIC: &str = "intune-passcode-index 1";

/// What one journal holds, for the cross-job check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Holdings {
    /// The Graph root it was made for, without its version (`https://graph.microsoft.com`).
    pub(crate) graph_root: String,
    /// Its directory, when known.
    pub(crate) tenant_id: Option<String>,
    /// Devices it holds as sent: ID, state (`Ok`, `Sending` or `Unknown`), when its request left (Unix seconds).
    pub(crate) devices: Vec<(String, DeviceState, Option<u64>)>,
}

/// Where a journal's index is.
pub(crate) fn index_path(journal: &Path) -> PathBuf {
    let mut p = journal.as_os_str().to_owned();
    p.push(".idx");
    PathBuf::from(p)
}

/// A Graph URL without its version, in one spelling: the two versions of one Graph reach the same devices, and so do
/// the spellings of one host (letter case, an explicit default port, `localhost` for a loopback address).
pub(crate) fn graph_root(graph_base: &str) -> String {
    let b = graph_base.trim_end_matches('/');
    let lower = b.to_ascii_lowercase();
    let b = if lower.ends_with("/v1.0") || lower.ends_with("/beta") {
        &b[..b.rfind('/').unwrap_or(b.len())]
    } else {
        b
    };
    let Ok(mut u) = url::Url::parse(b) else {
        return b.to_string();
    };
    // The url crate already lowers the host and drops a default port.
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    };
    if loopback {
        let _ = u.set_host(Some("127.0.0.1"));
    }
    u.as_str().trim_end_matches('/').to_string()
}

/// What the journal at `path` (`len` bytes long now) holds: from its index when the index was made for this length,
/// else replayed from the journal (and the index written again, best effort). `None`: not a journal (another
/// `.jsonl` file), or unreadable.
pub(crate) fn holdings(path: &Path, len: u64) -> Option<Holdings> {
    if let Some(h) = read_index(&index_path(path), len) {
        return Some(h);
    }
    // Cheap refusal first: a file whose first line is not a journal header is not a journal, however large it is
    // (another program's JSON Lines in the same folder are read no further than that line).
    if !starts_with_header(path) {
        return None;
    }
    let r = super::Journal::open(path).ok()?.replay;
    let (graph_root, tenant_id, job_id) = match &r.header {
        Event::Header {
            graph_base,
            tenant_id,
            job_id,
            ..
        } => (
            self::graph_root(graph_base),
            tenant_id.clone(),
            job_id.clone(),
        ),
        _ => return None,
    };
    let mut devices: Vec<_> = r
        .order
        .iter()
        .filter_map(|id| r.devices.get(id))
        .filter(|d| {
            matches!(
                d.state,
                DeviceState::Ok | DeviceState::Sending | DeviceState::Unknown
            )
        })
        .map(|d| {
            let sent = d.sent_at.as_deref().and_then(parse_time).map(unix);
            (d.device_id.clone(), d.state, sent)
        })
        .collect();
    devices.shrink_to_fit();
    let h = Holdings {
        graph_root,
        tenant_id,
        devices,
    };
    // Only the whole lines the replay read: a torn last line (a run in progress, a crash) is in no index.
    let _ = write_index(&index_path(path), r.good_len.min(len), &job_id, &h);
    Some(h)
}

/// Whether the file's first line (read alone, at most 64 KiB) is a journal header.
fn starts_with_header(path: &Path) -> bool {
    use std::io::{BufRead, Read};
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = Vec::new();
    if std::io::BufReader::new(file.take(64 * 1024))
        .read_until(b'\n', &mut first)
        .is_err()
    {
        return false;
    }
    matches!(
        serde_json::from_slice::<Event>(first.trim_ascii_end()),
        Ok(Event::Header { .. })
    )
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn read_index(path: &Path, len: u64) -> Option<Holdings> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.split('\n');
    let mut head = lines.next()?.split('\t');
    if head.next()? != MAGIC || head.next()?.parse::<u64>().ok()? != len {
        return None;
    }
    let graph_root = head.next()?.to_string();
    let tenant_id = Some(head.next()?).filter(|t| *t != "-").map(str::to_string);
    let mut devices = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let mut f = line.split('\t');
        let id = f.next()?;
        let state = match f.next()? {
            "o" => DeviceState::Ok,
            "s" => DeviceState::Sending,
            "u" => DeviceState::Unknown,
            _ => return None,
        };
        let sent = match f.next()? {
            "-" => None,
            s => Some(s.parse().ok()?),
        };
        devices.push((id.to_string(), state, sent));
    }
    Some(Holdings {
        graph_root,
        tenant_id,
        devices,
    })
}

fn write_index(path: &Path, len: u64, job_id: &str, h: &Holdings) -> std::io::Result<()> {
    let mut out = format!(
        "{MAGIC}\t{len}\t{}\t{}\t{job_id}\n",
        h.graph_root,
        h.tenant_id.as_deref().unwrap_or("-")
    );
    for (id, state, sent) in &h.devices {
        let s = match state {
            DeviceState::Ok => 'o',
            DeviceState::Sending => 's',
            _ => 'u',
        };
        match sent {
            Some(t) => out.push_str(&format!("{id}\t{s}\t{t}\n")),
            None => out.push_str(&format!("{id}\t{s}\t-\n")),
        }
    }
    // Whole or not at all: a reader never sees half an index.
    let tmp = path.with_extension(format!("idx.{}.tmp", std::process::id()));
    let mut o = std::fs::File::options();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let result = o
        .open(&tmp)
        .and_then(|mut f| f.write_all(out.as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graph_root_has_no_version_and_one_spelling() {
        for b in [
            "https://graph.microsoft.com/v1.0/",
            "https://graph.microsoft.com/beta",
            "https://graph.microsoft.com",
            "https://Graph.Microsoft.com:443/V1.0",
        ] {
            assert_eq!(graph_root(b), "https://graph.microsoft.com");
        }
        for b in [
            "http://localhost:8080/v1.0/",
            "http://127.0.0.1:8080/beta",
            "http://127.1:8080/v1.0",
            "http://[::1]:8080/v1.0",
        ] {
            assert_eq!(graph_root(b), "http://127.0.0.1:8080", "{b}");
        }
        assert_ne!(
            graph_root("http://127.0.0.1:8081/v1.0"),
            "http://127.0.0.1:8080"
        );
    }

    #[test]
    fn an_index_reads_back_and_a_stale_one_is_ignored() {
        let dir = std::env::temp_dir().join(format!("ipc-index-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("j.jsonl.idx");
        let h = Holdings {
            graph_root: "https://g".into(),
            tenant_id: None,
            devices: vec![
                ("a".into(), DeviceState::Ok, Some(5)),
                ("b".into(), DeviceState::Unknown, None),
            ],
        };
        write_index(&p, 42, "job", &h).unwrap();
        assert_eq!(read_index(&p, 42), Some(h));
        assert_eq!(read_index(&p, 43), None, "made for another length");
        std::fs::write(&p, "garbage\n").unwrap();
        assert_eq!(read_index(&p, 42), None);
    }

    #[test]
    fn another_programs_json_lines_are_not_a_journal() {
        let dir = std::env::temp_dir().join(format!("ipc-index-other-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("events.jsonl");
        std::fs::write(&p, "{\"event\":\"click\"}\n{\"event\":\"header\"}\n").unwrap();
        assert_eq!(holdings(&p, 40), None);
        assert!(!index_path(&p).exists(), "no index is made for it");
    }
}
