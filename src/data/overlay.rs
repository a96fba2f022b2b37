//! `--pricing DIR`: a pricing directory laid over the bundled data.
//!
//! A user adding Meta's next card should not have to copy every other card,
//! market and rule: an overlay directory holds only what changes, and is
//! merged into the bundled files before the one loader reads them (so the
//! bundled and the merged data are checked by the same code).
//!
//! What an overlay may hold, and how each file merges:
//!
//! * `rates/<CUR>.csv`, `tiers/<CUR>.csv`: a currency the bundled data lacks
//!   is added as it is. For a bundled currency the rows merge by card:
//!   - on a card date the bundled file has, an overlay row replaces the
//!     bundled row of the same (effective_from, market, category); in a
//!     tiers file the overlay's bands replace the whole ladder of that
//!     (effective_from, market, category);
//!   - a card date the bundled file lacks makes a new card, which starts as a
//!     copy of the card in force the day before (the bundled one, or an
//!     earlier new card of the same overlay): each copied cell keeps its
//!     value and source, becomes `carried` (an `unknown` stays unknown) and
//!     its source reads `carried by overlay from the card of DATE: ...`; the
//!     overlay's rows then replace cells (or ladders) on it.
//!
//!   So an overlay `rates/USD.csv` holding only
//!   `2027-01-01,Brazil,marketing,0.07,direct,my source` adds a USD card of
//!   2027-01-01 equal to the card in force before it except Brazil marketing.
//! * `markets.csv`: rows merge by (effective_from, prefix); a snapshot date
//!   the bundled map lacks starts as a copy of the snapshot in force before it.
//! * `calling_codes.csv` by prefix, `market_aliases.csv` by alias (compared
//!   as market names are): a row replaces the bundled row of its key, or is added.
//! * `rules.toml` (optional): every array of tables whose tables all have an
//!   `id` (the `[[era]]`s, and any later `[[exception]]`s) merges by `id`: the
//!   same id replaces the bundled table, a new id is added, and the array is
//!   kept sorted by `effective_from`. Any other top-level key replaces the
//!   bundled one.
//!
//! Errors in merged rows name the overlay file and line the row came from
//! (or the bundled file's, for a row it did not touch).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use super::legacy_header;
use super::markets::market_key;
use super::write::with_confidence;
use super::{effective_from, DataError};

/// Where a row of a merged file came from.
#[derive(Debug, Clone)]
struct Origin {
    file: String,
    line: u64,
}

/// A data row and its origin.
#[derive(Debug, Clone)]
struct Rec {
    cells: Vec<String>,
    origin: Origin,
}

/// How a file of a pricing directory merges.
#[derive(Debug, Clone, Copy)]
struct Spec {
    columns: &'static [&'static str],
    /// Files of the layout before a `confidence` column was added.
    legacy: bool,
    merge: Merge,
}

#[derive(Debug, Clone, Copy)]
enum Merge {
    /// Cards or snapshots by `effective_from` (column 0), each a set of
    /// groups of rows keyed by `group` columns.
    Dated {
        group: &'static [usize],
        confidence: Option<usize>,
        source: usize,
        what: &'static str,
    },
    /// Rows keyed by one column.
    Keyed { key: usize, market_name: bool },
}

const MARKET_COLUMNS: [&str; 5] = ["effective_from", "prefix", "country", "market", "source"];
const CALLING_COLUMNS: [&str; 3] = ["prefix", "country", "name"];
const ALIAS_COLUMNS: [&str; 3] = ["alias", "market", "source"];

/// How `path` (relative to the pricing directory) merges; `None` for a file
/// that is taken whole (a currency the bundled data lacks).
fn spec(path: &str) -> Option<Spec> {
    let dated = |group, confidence, source, what| Merge::Dated {
        group,
        confidence,
        source,
        what,
    };
    let (columns, legacy, merge): (&'static [&'static str], bool, Merge) = match path {
        "markets.csv" => (&MARKET_COLUMNS, false, dated(&[1], None, 4, "snapshot")),
        "calling_codes.csv" => (&CALLING_COLUMNS, false, keyed(0, false)),
        "market_aliases.csv" => (&ALIAS_COLUMNS, false, keyed(0, true)),
        p if p.starts_with("rates/") => (
            &super::rates::COLUMNS,
            true,
            dated(&[1, 2], Some(4), 5, "card"),
        ),
        p if p.starts_with("tiers/") => (
            &super::tiers::COLUMNS,
            true,
            dated(&[1, 2], Some(6), 7, "card"),
        ),
        _ => return None,
    };
    Some(Spec {
        columns,
        legacy,
        merge,
    })
}

fn keyed(key: usize, market_name: bool) -> Merge {
    Merge::Keyed { key, market_name }
}

/// A parsed data file: its rows in the current layout.
struct Table {
    rows: Vec<Rec>,
}

/// Reads `text` (named `label` in errors) as a table of `spec`'s layout.
fn read_table(spec: &Spec, label: &str, text: &str) -> Result<Table, DataError> {
    let text = crate::text::strip_bom_str(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut legacy = None;
    let mut rows = Vec::new();
    for record in rdr.records() {
        let record = record.map_err(|e| csv_error(label, &e))?;
        let line = record.position().map_or(0, |p| p.line());
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let Some(old) = legacy else {
            legacy = Some(header_is_legacy(spec, label, line, &cells)?);
            continue;
        };
        let cells = upgraded(spec, old, cells);
        if cells.len() < spec.columns.len() {
            return Err(short_row(spec, label, line, cells.len()));
        }
        rows.push(Rec {
            cells,
            origin: Origin {
                file: label.to_string(),
                line,
            },
        });
    }
    Ok(Table { rows })
}

/// A row with fewer cells than the layout: named where the user wrote it.
fn short_row(spec: &Spec, label: &str, line: u64, found: usize) -> DataError {
    DataError::at(
        label,
        line,
        format!(
            "{found} fields, expected {} ({})",
            spec.columns.len(),
            spec.columns.join(",")
        ),
    )
}

fn csv_error(label: &str, e: &csv::Error) -> DataError {
    let line = e.position().map_or(0, |p| p.line());
    DataError::at(label, line, e.to_string())
}

/// Whether a header is the layout before the confidence column; an error
/// when it is neither layout.
fn header_is_legacy(
    spec: &Spec,
    label: &str,
    line: u64,
    cells: &[String],
) -> Result<bool, DataError> {
    let starts = |want: &[&str]| {
        want.iter()
            .enumerate()
            .all(|(i, w)| cells.get(i).map(String::as_str) == Some(*w))
    };
    if starts(spec.columns) {
        return Ok(false);
    }
    let old = legacy_header(spec.columns);
    if spec.legacy && starts(&old) {
        return Ok(true);
    }
    let mut accepted = vec![spec.columns.join(",")];
    if spec.legacy {
        accepted.push(old.join(","));
    }
    Err(DataError::at(
        label,
        line,
        format!("header must be {}", accepted.join(" or ")),
    ))
}

/// A row in the current layout: the confidence column inserted into a
/// legacy row, extra columns (which the loader ignores) dropped.
fn upgraded(spec: &Spec, legacy: bool, cells: Vec<String>) -> Vec<String> {
    let mut cells = match legacy {
        true => with_confidence(cells, spec.columns),
        false => cells,
    };
    cells.truncate(spec.columns.len());
    cells
}

/// The text of a merged file and the origin of each of its lines.
struct Written {
    text: String,
    /// Index = line - 1; `None` for the header.
    lines: Vec<Option<Origin>>,
}

/// Writes a header and rows as CSV, noting where each line came from.
fn write_table(columns: &[&str], rows: &[Rec]) -> Written {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let mut lines = vec![None];
    let _ = w.write_record(columns);
    let _ = w.flush();
    // Only the bytes a record added are scanned for its lines (a quoted
    // cell may hold newlines): linear in the file, not quadratic.
    let mut scanned = w.get_ref().len();
    for rec in rows {
        let _ = w.write_record(&rec.cells);
        let _ = w.flush();
        let buf = w.get_ref();
        let added = buf[scanned..].iter().filter(|&&b| b == b'\n').count();
        scanned = buf.len();
        lines.extend(std::iter::repeat_n(Some(rec.origin.clone()), added));
    }
    let bytes = w.into_inner().unwrap_or_default();
    Written {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        lines,
    }
}

/// Rows by card date, each card's rows in file order.
type ByDate = BTreeMap<NaiveDate, Vec<Rec>>;

fn by_date(rows: Vec<Rec>) -> Result<ByDate, DataError> {
    let mut cards = ByDate::new();
    for rec in rows {
        let cell = rec.cells.first().map_or("", String::as_str);
        let date = effective_from(&rec.origin.file, rec.origin.line, cell)?;
        cards.entry(date).or_default().push(rec);
    }
    Ok(cards)
}

/// The group a row belongs to on its card.
fn group_of(rec: &Rec, group: &[usize]) -> Vec<String> {
    group
        .iter()
        .map(|&i| rec.cells.get(i).cloned().unwrap_or_default())
        .collect()
}

/// A copy of a row of the card of `prev` on a new card of `date`: carried.
fn carried(rec: &Rec, date: NaiveDate, prev: NaiveDate, merge: &Merge) -> Rec {
    let mut rec = rec.clone();
    let Merge::Dated {
        confidence,
        source,
        what,
        ..
    } = *merge
    else {
        return rec;
    };
    rec.cells[0] = date.to_string();
    if let Some(c) = confidence.and_then(|c| rec.cells.get_mut(c)) {
        if !c.is_empty() {
            *c = "carried".into();
        }
    }
    if let Some(s) = rec.cells.get_mut(source) {
        *s = format!("carried by overlay from the {what} of {prev}: {s}");
    }
    rec
}

/// The start of a new card of `date`: the card in force the day before, carried.
fn new_card(cards: &ByDate, date: NaiveDate, merge: &Merge) -> Vec<Rec> {
    let Some((&prev, rows)) = cards.range(..date).next_back() else {
        return Vec::new();
    };
    rows.iter().map(|r| carried(r, date, prev, merge)).collect()
}

/// Replaces every group the overlay rows name on a card with those rows.
fn replace_groups(card: &mut Vec<Rec>, rows: Vec<Rec>, group: &[usize]) {
    let named: HashSet<Vec<String>> = rows.iter().map(|r| group_of(r, group)).collect();
    card.retain(|r| !named.contains(&group_of(r, group)));
    card.extend(rows);
}

fn merge_dated(base: Vec<Rec>, over: Vec<Rec>, merge: &Merge) -> Result<Vec<Rec>, DataError> {
    let Merge::Dated { group, .. } = *merge else {
        return Ok(base);
    };
    let mut cards = by_date(base)?;
    for (date, rows) in by_date(over)? {
        if !cards.contains_key(&date) {
            let start = new_card(&cards, date, merge);
            cards.insert(date, start);
        }
        if let Some(card) = cards.get_mut(&date) {
            replace_groups(card, rows, group);
        }
    }
    Ok(cards.into_values().flatten().collect())
}

fn merge_keyed(mut base: Vec<Rec>, over: Vec<Rec>, key: usize, market_name: bool) -> Vec<Rec> {
    let key_of = |r: &Rec| {
        let cell = r.cells.get(key).map_or("", String::as_str);
        match market_name {
            true => market_key(cell),
            false => cell.to_string(),
        }
    };
    let mut at: HashMap<String, usize> = base
        .iter()
        .enumerate()
        .map(|(i, r)| (key_of(r), i))
        .collect();
    for rec in over {
        match at.get(&key_of(&rec)) {
            Some(&i) => base[i] = rec,
            None => {
                at.insert(key_of(&rec), base.len());
                base.push(rec);
            }
        }
    }
    base
}

/// How a DataError of a merged file is put back on its origin.
#[derive(Debug)]
enum FileMap {
    /// Taken whole from the overlay: the same lines, the overlay's name.
    Same(String),
    /// Merged: the origin of each line, and a name for the whole.
    Lines(Vec<Option<Origin>>, String),
}

/// The files of the bundled data with an overlay merged in.
#[derive(Debug)]
pub(super) struct Merged {
    pub files: Vec<(String, String)>,
    maps: HashMap<String, FileMap>,
}

/// Merges the overlay files `over` (relative path, text) into `base`;
/// `dir` names the overlay in errors and origins.
pub(super) fn merge(
    base: &[(&str, &str)],
    over: &[(String, String)],
    dir: &str,
) -> Result<Merged, DataError> {
    let mut merged = Merged {
        files: base
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect(),
        maps: HashMap::new(),
    };
    for (path, text) in over {
        let label = format!("{dir}/{path}");
        match merged.files.iter().position(|(p, _)| p == path) {
            None => merged.add(path, text, label),
            Some(i) => merged.merge_file(i, text, label, dir)?,
        }
    }
    Ok(merged)
}

impl Merged {
    /// An overlay file the bundled data lacks (a new currency).
    fn add(&mut self, path: &str, text: &str, label: String) {
        self.files.push((path.to_string(), text.to_string()));
        self.maps.insert(path.to_string(), FileMap::Same(label));
    }

    fn merge_file(
        &mut self,
        i: usize,
        text: &str,
        label: String,
        dir: &str,
    ) -> Result<(), DataError> {
        let path = self.files[i].0.clone();
        let whole = format!("{path} (bundled + overlay {dir})");
        if path == "rules.toml" {
            self.files[i].1 = merge_rules(&self.files[i].1, text, &label)?;
            self.maps.insert(path, FileMap::Same(whole));
            return Ok(());
        }
        let Some(spec) = spec(&path) else {
            self.files[i].1 = text.to_string();
            self.maps.insert(path, FileMap::Same(label));
            return Ok(());
        };
        let base = read_table(&spec, &path, &self.files[i].1)?.rows;
        let over = read_table(&spec, &label, text)?.rows;
        let rows = match spec.merge {
            Merge::Keyed { key, market_name } => merge_keyed(base, over, key, market_name),
            dated => merge_dated(base, over, &dated)?,
        };
        let written = write_table(spec.columns, &rows);
        self.files[i].1 = written.text;
        self.maps.insert(path, FileMap::Lines(written.lines, whole));
        Ok(())
    }

    /// An error of the loader, put back on the file and line it came from.
    pub fn locate(&self, e: DataError) -> DataError {
        match e {
            DataError::At { file, line, msg } => match self.maps.get(&file) {
                Some(FileMap::Same(label)) => DataError::at(label, line, msg),
                Some(FileMap::Lines(lines, whole)) => {
                    match lines.get((line as usize).wrapping_sub(1)) {
                        Some(Some(o)) => DataError::at(&o.file, o.line, msg),
                        _ => DataError::at(whole, line, msg),
                    }
                }
                None => DataError::At { file, line, msg },
            },
            DataError::File { file, msg } => match self.maps.get(&file) {
                Some(FileMap::Same(label) | FileMap::Lines(_, label)) => DataError::File {
                    file: label.clone(),
                    msg,
                },
                None => DataError::File { file, msg },
            },
            other => other,
        }
    }
}

/// rules.toml with the overlay's merged in (see the module doc).
fn merge_rules(base: &str, over: &str, label: &str) -> Result<String, DataError> {
    let bad = |file: &str, e: &dyn std::fmt::Display| DataError::File {
        file: file.to_string(),
        msg: e.to_string(),
    };
    let mut table: toml::Table = toml::from_str(base).map_err(|e| bad("rules.toml", &e))?;
    let over: toml::Table = toml::from_str(over).map_err(|e| bad(label, &e))?;
    for (key, value) in over {
        merge_rule_key(&mut table, key, value);
    }
    toml::to_string(&table).map_err(|e| bad(label, &e))
}

fn merge_rule_key(table: &mut toml::Table, key: String, value: toml::Value) {
    match (table.get_mut(&key), value) {
        (Some(toml::Value::Array(old)), toml::Value::Array(new)) if by_id(old) && by_id(&new) => {
            merge_by_id(old, new);
        }
        (_, value) => {
            table.insert(key, value);
        }
    }
}

/// An array of tables that all have an `id` string.
fn by_id(array: &[toml::Value]) -> bool {
    array
        .iter()
        .all(|v| v.get("id").is_some_and(toml::Value::is_str))
}

fn merge_by_id(old: &mut Vec<toml::Value>, new: Vec<toml::Value>) {
    for t in new {
        match old.iter().position(|o| o.get("id") == t.get("id")) {
            Some(i) => old[i] = t,
            None => old.push(t),
        }
    }
    let from = |t: &toml::Value| match t.get("effective_from") {
        Some(toml::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    old.sort_by_key(from);
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE_RATES: &str = "effective_from,market,category,rate,source\n\
2026-01-01,Brazil,marketing,0.0625,a\n2026-01-01,Brazil,utility,unknown,gap\n2026-01-01,India,marketing,0.0118,b\n";

    fn merged_text(base: &str, over: &str, path: &str) -> String {
        let m = merge(
            &[(path, base)],
            &[(path.to_string(), over.to_string())],
            "ov",
        )
        .unwrap();
        m.files[0].1.clone()
    }

    #[test]
    fn a_new_card_date_starts_as_a_carried_copy() {
        let over = "effective_from,market,category,rate,confidence,source\n2027-01-01,Brazil,marketing,0.07,direct,mine\n";
        let text = merged_text(BASE_RATES, over, "rates/USD.csv");
        assert!(
            text.contains("2026-01-01,Brazil,marketing,0.0625,direct,a\n"),
            "{text}"
        );
        assert!(
            text.contains("2027-01-01,Brazil,marketing,0.07,direct,mine\n"),
            "{text}"
        );
        assert!(
            !text.contains("2027-01-01,Brazil,marketing,0.0625"),
            "{text}"
        );
        assert!(
            text.contains("2027-01-01,India,marketing,0.0118,carried,carried by overlay from the card of 2026-01-01: b\n"),
            "{text}"
        );
        assert!(
            text.contains("2027-01-01,Brazil,utility,unknown,,carried by overlay"),
            "{text}"
        );
    }

    #[test]
    fn a_row_of_a_bundled_card_replaces_its_cell() {
        let over =
            "effective_from,market,category,rate,source\n2026-01-01,India,marketing,0.02,mine\n";
        let text = merged_text(BASE_RATES, over, "rates/USD.csv");
        assert!(
            text.contains("2026-01-01,India,marketing,0.02,direct,mine"),
            "{text}"
        );
        assert!(!text.contains("0.0118"), "{text}");
        assert_eq!(text.lines().count(), 4, "{text}");
    }

    #[test]
    fn a_short_row_is_named_in_the_overlay() {
        let over = "effective_from,market,category,rate,confidence,source\n\
2027-01-01,Brazil,marketing,0.07,direct,s\n2027-01-01,Brazil,utility,0.007,mine\n";
        let spec = spec("rates/USD.csv").unwrap();
        let e = read_table(&spec, "ov/rates/USD.csv", over)
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.starts_with("ov/rates/USD.csv:3: 5 fields, expected 6"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_overlay_line() {
        let over = "effective_from,market,category,rate,source\n2027-01-01,India,marketing,0.02,x\n2027-01-01,Brazil,marketing,0.07,mine\n";
        let m = merge(
            &[("rates/USD.csv", BASE_RATES)],
            &[("rates/USD.csv".into(), over.into())],
            "ov",
        )
        .unwrap();
        let written_line = m.files[0]
            .1
            .lines()
            .position(|l| l.contains("mine"))
            .unwrap() as u64
            + 1;
        let e = m.locate(DataError::at("rates/USD.csv", written_line, "bad"));
        assert_eq!(e.to_string(), "ov/rates/USD.csv:3: bad");
        let e = merge(
            &[("rates/USD.csv", BASE_RATES)],
            &[("rates/USD.csv".into(), "a,b\n".into())],
            "ov",
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("ov/rates/USD.csv:1: header must be"),
            "{e}"
        );
    }

    #[test]
    fn tier_ladders_are_replaced_whole() {
        let base = "effective_from,market,category,from,to,rate,source\n\
2026-01-01,India,utility,0,100,1,a\n2026-01-01,India,utility,101,,0.9,a\n2026-01-01,India,authentication,0,,1,a\n";
        let over = "effective_from,market,category,from,to,rate,confidence,source\n2026-01-01,India,utility,0,,0.5,direct,m\n";
        let text = merged_text(base, over, "tiers/INR.csv");
        assert!(!text.contains("0.9"), "{text}");
        assert!(
            text.contains("India,utility,0,,0.5,direct,m")
                && text.contains("authentication,0,,1,direct,a"),
            "{text}"
        );
    }

    #[test]
    fn a_new_tier_card_or_snapshot_starts_from_the_one_before() {
        let base = "effective_from,market,category,from,to,rate,source\n\
2026-01-01,India,utility,0,100,1,a\n2026-01-01,India,utility,101,,0.9,a\n";
        let over = "effective_from,market,category,from,to,rate,source\n2027-01-01,India,authentication,0,,2,m\n";
        let text = merged_text(base, over, "tiers/INR.csv");
        assert!(
            text.contains("2027-01-01,India,utility,101,,0.9,carried,carried by overlay from the card of 2026-01-01: a"),
            "{text}"
        );
        let base = "effective_from,prefix,country,market,source\n2025-01-01,55,BR,Brazil,a\n2025-01-01,91,IN,India,a\n";
        let over = "effective_from,prefix,country,market,source\n2027-01-01,91,IN,Rest of Asia,m\n";
        let text = merged_text(base, over, "markets.csv");
        assert!(
            text.contains(
                "2027-01-01,55,BR,Brazil,carried by overlay from the snapshot of 2025-01-01: a"
            ) && text.contains("2027-01-01,91,IN,Rest of Asia,m")
                && !text.contains("2027-01-01,91,IN,India"),
            "{text}"
        );
    }

    #[test]
    fn eras_merge_by_id() {
        let base = "[[era]]\nid = \"a\"\neffective_from = \"2024-01-01\"\n\n[[era]]\nid = \"b\"\neffective_from = \"2025-01-01\"\n";
        let over = "[[era]]\nid = \"c\"\neffective_from = \"2024-06-01\"\n\n[[era]]\nid = \"b\"\neffective_from = \"2025-02-01\"\n\n[[exception]]\nid = \"x\"\n";
        let text = merge_rules(base, over, "ov/rules.toml").unwrap();
        let t: toml::Table = toml::from_str(&text).unwrap();
        let ids: Vec<_> = t["era"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["a", "c", "b"]);
        assert_eq!(t["era"][2]["effective_from"].as_str(), Some("2025-02-01"));
        assert_eq!(t["exception"][0]["id"].as_str(), Some("x"));
    }

    #[test]
    fn aliases_and_calling_codes_merge_by_key() {
        let base = "alias,market,source\nUAE,United Arab Emirates,a\n";
        let text = merged_text(
            base,
            "alias,market,source\nuae,Brazil,b\nKSA,Saudi Arabia,c\n",
            "market_aliases.csv",
        );
        assert_eq!(
            text,
            "alias,market,source\nuae,Brazil,b\nKSA,Saudi Arabia,c\n"
        );
    }
}
