//! Devices to reset, from arguments, a file or stdin: one ID per line, or CSV with a header (the Intune portal's
//! export names the column "Device ID"; Graph's objects say `id`, `managedDeviceId` or `deviceId`). The delimiter is
//! the header's: a comma, or the semicolon that Excel writes in many European locales, or a tab.

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
    /// The operating system the input states (the portal export's `OS` column), if it has one.
    pub os: Option<String>,
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

    /// The library's target, with the OS the input states, or why it cannot be one (reported for this device; the
    /// run goes on).
    pub fn target(&self) -> Result<Target, Error> {
        let target = Target::new(
            self.device_id.clone(),
            self.user_id.clone(),
            self.detected_app_id.clone(),
        )?;
        Ok(match &self.os {
            Some(os) => target.with_platform(os.as_str()),
            None => target,
        })
    }
}

/// The names of the ID column (lowercase), best first: Graph's device IDs, then the portal's export, then a bare
/// `id` (which some exports use for another object's ID, so it is the last resort).
const ID_COLUMNS: [&[&str]; 3] = [&["deviceid", "manageddeviceid"], &["device id"], &["id"]];
/// The delimiters a header may use; on a tie in count, the earlier wins.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];
const USER_COLUMNS: [&str; 3] = ["userid", "user id", "user_id"];
const APP_COLUMNS: [&str; 3] = ["detectedappid", "detected app id", "detected_app_id"];
/// The portal export's `OS` column (Graph's `operatingSystem`).
const OS_COLUMNS: [&str; 4] = [
    "os",
    "operating system",
    "operatingsystem",
    "operating_system",
];

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
    if let Some(delimiter) = delimiter(first.trim()) {
        parse_csv(what, bytes, delimiter)
    } else {
        Ok(text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| Row {
                device_id: l.trim().to_string(),
                user_id: None,
                detected_app_id: None,
                os: None,
                line: i + 1,
            })
            .collect())
    }
}

/// How often `delimiter` occurs in `line` outside double quotes.
fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            // A doubled quote inside a quoted field toggles twice: no change, as it should be.
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            n += 1;
        }
    }
    n
}

/// The fields of the header `line` split at `delimiter` (quotes removed, trimmed).
fn header_fields(line: &str, delimiter: u8) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The rank of a header name among [`ID_COLUMNS`] (0 is best), if it is one.
fn id_rank(name: &str) -> Option<usize> {
    let name = name.trim().to_ascii_lowercase();
    ID_COLUMNS
        .iter()
        .position(|names| names.contains(&name.as_str()))
}

/// The ID column among `headers`: the best-ranked name, the first of equals; its place in the header does not
/// matter (the portal's "Device ID" may come before Graph's managedDeviceId).
fn id_column<'a>(headers: impl IntoIterator<Item = &'a str>) -> Option<usize> {
    headers
        .into_iter()
        .enumerate()
        .filter_map(|(i, h)| id_rank(h).map(|rank| (rank, i)))
        .min()
        .map(|(_, i)| i)
}

/// The delimiter of a CSV whose header is `line`, or None when the input is a plain list of IDs. Of the delimiters
/// the header holds outside quotes, one that yields an ID column wins, else the most frequent; a header with none is
/// a one-column CSV when it is quoted or names an ID column.
fn delimiter(line: &str) -> Option<u8> {
    let held: Vec<(u8, usize)> = DELIMITERS
        .iter()
        .map(|d| (*d, count_outside_quotes(line, *d)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let names_id = |d: u8| {
        let fields = header_fields(line, d);
        id_column(fields.iter().map(String::as_str)).is_some()
    };
    if let Some((d, _)) = held.iter().find(|(d, _)| names_id(*d)) {
        return Some(*d);
    }
    // max_by_key keeps the last of equals: reversed, so that the earlier delimiter wins a tie.
    if let Some((d, _)) = held.iter().rev().max_by_key(|(_, n)| *n) {
        return Some(*d);
    }
    (line.contains('"') || id_rank(line.trim_matches('"')).is_some()).then_some(b',')
}

fn parse_csv(what: &str, bytes: &[u8], delimiter: u8) -> Result<Vec<Row>, Fail> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(delimiter)
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
    let Some(id_col) = id_column(headers.iter()) else {
        return Err(Fail::usage(format!(
            "{what}: no device ID column in the header ({}); name it deviceId, managedDeviceId or \"Device ID\"",
            headers.iter().collect::<Vec<_>>().join(", ")
        )));
    };
    let (user_col, app_col, os_col) = (find(&USER_COLUMNS), find(&APP_COLUMNS), find(&OS_COLUMNS));
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
            os: field(os_col),
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
    fn delimiters_inside_quotes_do_not_count_and_the_one_that_names_an_id_column_wins() {
        assert_eq!(count_outside_quotes("a,b,\"c,d\",e", b','), 3);
        assert_eq!(count_outside_quotes("\"a;b;c\";d", b';'), 1);
        assert_eq!(
            header_fields("\"Device ID\" , Name ,OS", b','),
            ["Device ID", "Name", "OS"]
        );
        // More semicolons than commas, but only inside quotes: a comma-separated export.
        let rows = parse("t", b"Device ID,\"Name; a; b; c\"\nd-1,\"x; y\"\n").unwrap();
        assert_eq!(ids(&rows), ["d-1"]);
        // More commas than semicolons, but only the semicolon yields an ID column.
        let rows = parse("t", b"Device ID;Notes, with, commas\nd-2;a, b, c\n").unwrap();
        assert_eq!(ids(&rows), ["d-2"]);
    }

    #[test]
    fn a_one_column_csv_has_its_header_recognised() {
        let rows = parse("t", b"deviceId\r\nd-1\r\nd-2\r\n").unwrap();
        assert_eq!(ids(&rows), ["d-1", "d-2"]);
    }

    #[test]
    fn a_semicolon_export_is_read_with_quoted_semicolons_and_commas() {
        // Excel in many European locales: `;` between fields, `,` inside them.
        let text = "\"Device name\";\"Device ID\";\"OS\"\r\n\"Pixel; 7, pro\";\"d-1\";\"Android\"\r\nx;d-2;iOS\r\n";
        let rows = parse("t", text.as_bytes()).unwrap();
        assert_eq!(ids(&rows), ["d-1", "d-2"]);
        // An unquoted comma in the header does not win over the semicolon that names the ID column.
        let rows = parse("t", b"Name, first;deviceId;userId\nA, B;d-3;u-3\n").unwrap();
        assert_eq!(ids(&rows), ["d-3"]);
        assert_eq!(rows[0].user_id.as_deref(), Some("u-3"));
    }

    #[test]
    fn a_tab_separated_export_is_read() {
        let rows = parse(
            "t",
            b"Device name\tDevice ID\tOS\n\"a\tb, c\"\td-1\tAndroid\nx\td-2\tiOS\n",
        )
        .unwrap();
        assert_eq!(ids(&rows), ["d-1", "d-2"]);
        let rows = parse("t", b"deviceId\tdetectedAppId\nd-3\tapp\n").unwrap();
        assert_eq!(rows[0].detected_app_id.as_deref(), Some("app"));
    }

    #[test]
    fn the_id_column_is_picked_by_name_not_by_position() {
        let rows = parse("t", b"Device ID,managedDeviceId,id\nportal,graph,object\n").unwrap();
        assert_eq!(ids(&rows), ["graph"]);
        let rows = parse("t", b"id;\"Device ID\"\nobject;portal\n").unwrap();
        assert_eq!(ids(&rows), ["portal"]);
        let rows = parse("t", b"ID\tname\nobject\tx\n").unwrap();
        assert_eq!(ids(&rows), ["object"]);
    }

    #[test]
    fn duplicates_are_dropped_keeping_the_first() {
        let rows = parse("t", b"a\nb\na\n").unwrap();
        let (kept, dropped) = dedupe(rows);
        assert_eq!((ids(&kept), dropped), (vec!["a", "b"], 1));
    }
}
