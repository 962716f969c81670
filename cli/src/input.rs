//! Devices to reset, from arguments, a file or stdin: one ID per line, or CSV with a header (the Intune portal's
//! export names the column "Device ID"; Graph's objects say `id`, `managedDeviceId` or `deviceId`).

use std::io::Read;

use intune_passcode::{Error, Target};

use crate::exit::Fail;

/// One device as the input gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The device ID as written (trimmed).
    pub device_id: String,
    /// The user's ID for the `/users/{id}` route.
    pub user_id: Option<String>,
    /// The detected app's ID for its route.
    pub detected_app_id: Option<String>,
    /// The line it came from (1-based), for messages.
    pub line: usize,
}

impl Row {
    /// One spelling for each GUID (the library's), so that `ABCD…`, `abcd…` and `{abcd…}` dedupe, name the job and
    /// key the journal as one device.
    pub fn canonicalise(&mut self) {
        use intune_passcode::canonical_id;
        self.device_id = canonical_id(std::mem::take(&mut self.device_id));
        self.user_id = self.user_id.take().map(canonical_id);
        self.detected_app_id = self.detected_app_id.take().map(canonical_id);
    }

    /// The library's target, or why it cannot be one (reported for this device; the run goes on).
    pub fn target(&self) -> Result<Target, Error> {
        Target::new(
            self.device_id.clone(),
            self.user_id.clone(),
            self.detected_app_id.clone(),
        )
    }
}

const ID_COLUMNS: [&str; 4] = ["deviceid", "manageddeviceid", "device id", "id"];
const USER_COLUMNS: [&str; 3] = ["userid", "user id", "user_id"];
const APP_COLUMNS: [&str; 3] = ["detectedappid", "detected app id", "detected_app_id"];

/// Read `source` (`-` is stdin) into rows; a structural problem is a usage error naming the line.
pub fn read(source: &str) -> Result<Vec<Row>, Fail> {
    let mut bytes = Vec::new();
    let what = if source == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Fail::usage(format!("stdin: {e}")))?;
        "stdin".to_string()
    } else {
        bytes = std::fs::read(source).map_err(|e| Fail::usage(format!("--input {source}: {e}")))?;
        source.to_string()
    };
    parse(&what, &bytes)
}

/// Parse the bytes of an input named `what`.
pub fn parse(what: &str, bytes: &[u8]) -> Result<Vec<Row>, Fail> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        return Err(Fail::usage(format!(
            "{what}: line {line} is not UTF-8 text (save the file as UTF-8)"
        )));
    }
    let text = std::str::from_utf8(bytes).expect("checked above");
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let single_header =
        ID_COLUMNS.contains(&first.trim().trim_matches('"').to_ascii_lowercase().as_str());
    if first.contains(',') || first.contains('"') || single_header {
        parse_csv(what, bytes)
    } else {
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Row {
                device_id: l.trim().to_string(),
                user_id: None,
                detected_app_id: None,
                line: i + 1,
            })
            .collect())
    }
}

fn parse_csv(what: &str, bytes: &[u8]) -> Result<Vec<Row>, Fail> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Fail::usage(format!("{what}: the header line cannot be read: {e}")))?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str()))
    };
    let Some(id_col) = find(&ID_COLUMNS) else {
        return Err(Fail::usage(format!(
            "{what}: no device ID column in the header ({}); name it deviceId, managedDeviceId or \"Device ID\"",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let (user_col, app_col) = (find(&USER_COLUMNS), find(&APP_COLUMNS));
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Fail::usage(format!("{what}: line {line}: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let field = |col: Option<usize>| {
            col.and_then(|c| record.get(c))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let Some(device_id) = field(Some(id_col)) else {
            return Err(Fail::usage(format!(
                "{what}: line {line} has no value in the column '{}'",
                &headers[id_col]
            )));
        };
        rows.push(Row {
            device_id,
            user_id: field(user_col),
            detected_app_id: field(app_col),
            line,
        });
    }
    Ok(rows)
}

/// Drop repeated devices (same ID and route), keeping the first; the count dropped.
pub fn dedupe(rows: Vec<Row>) -> (Vec<Row>, usize) {
    let mut seen = std::collections::HashSet::new();
    let before = rows.len();
    let kept: Vec<Row> = rows
        .into_iter()
        .filter(|r| {
            seen.insert((
                r.device_id.clone(),
                r.user_id.clone(),
                r.detected_app_id.clone(),
            ))
        })
        .collect();
    let dropped = before - kept.len();
    (kept, dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(rows: &[Row]) -> Vec<&str> {
        rows.iter().map(|r| r.device_id.as_str()).collect()
    }

    #[test]
    fn plain_lines_bom_crlf_and_blank_lines() {
        let rows = parse("t", b"\xEF\xBB\xBFa\r\n\r\n b \r\nc").unwrap();
        assert_eq!(ids(&rows), ["a", "b", "c"]);
        assert_eq!(rows[2].line, 4);
    }

    #[test]
    fn csv_with_the_portals_header_quotes_and_extra_columns() {
        let text = "\"Device name\",\"Device ID\",\"OS\"\r\n\"Pixel, 7\",\"d-1\",\"Android\"\r\n\r\nx,d-2,iOS\r\n";
        let rows = parse("t", text.as_bytes()).unwrap();
        assert_eq!(ids(&rows), ["d-1", "d-2"]);
        let rows = parse("t", b"deviceId,userId,detectedAppId\nd,u,\ne,,a\n").unwrap();
        assert_eq!(rows[0].user_id.as_deref(), Some("u"));
        assert_eq!(rows[0].detected_app_id, None);
        assert_eq!(rows[1].detected_app_id.as_deref(), Some("a"));
    }

    #[test]
    fn a_missing_column_and_non_utf8_are_usage_errors_naming_what_is_wrong() {
        let e = parse("f.csv", b"name,os\nx,y\n").unwrap_err();
        assert!(
            e.message.contains("no device ID column") && e.message.contains("name, os"),
            "{}",
            e.message
        );
        let e = parse("f.txt", b"a\nb\n\xff\xfe\n").unwrap_err();
        assert!(e.message.contains("line 3 is not UTF-8"), "{}", e.message);
    }

    #[test]
    fn a_one_column_csv_has_its_header_recognised() {
        let rows = parse("t", b"deviceId\r\nd-1\r\nd-2\r\n").unwrap();
        assert_eq!(ids(&rows), ["d-1", "d-2"]);
    }

    #[test]
    fn duplicates_are_dropped_keeping_the_first() {
        let rows = parse("t", b"a\nb\na\n").unwrap();
        let (kept, dropped) = dedupe(rows);
        assert_eq!((ids(&kept), dropped), (vec!["a", "b"], 1));
    }
}
