//! CSV message logs as real exports write them: any column order, aliases,
//! BOM, CRLF, `,` `;` or tab delimiters, quoted fields.

use std::io::BufRead;
use std::str::FromStr;

use super::csv_records::{Record, Records};
use super::profile::missing::{self, Missing};
use super::profile::{self, Detected, Origin, Profile, Words};
use super::toolkit::decode::strip_bom;
use super::toolkit::delimiter::sniff;
use super::toolkit::header::{self, folded_lower};
use super::toolkit::status::parse_status;
use super::toolkit::timestamp::{parse_timestamp, parse_timestamp_with, LastDate};
use super::{InputError, Inputs};
use crate::model::identity::{mask_user_id, parse_user_id, ContactKey};
use crate::model::phone::E164;
use crate::model::redact::quote_field;
use crate::model::time::Zone;
use crate::model::{Category, Delivery, Direction, InboundKind};
use crate::model::{Message, Rejected};
use crate::text::trim;

/// (canonical name, aliases) in the order they are looked for; a profile's
/// or map's names for a field replace these, the built-in Portuguese and
/// Spanish names (`profiles/builtin.toml`) come after them.
pub(super) const COLUMNS: &[(&str, &[&str])] = &[
    ("timestamp", &["timestamp", "time", "date", "sent_at"]),
    ("direction", &["direction", "dir"]),
    (
        "contact",
        &["contact", "wa_id", "recipient_id", "msisdn", "phone"],
    ),
    ("type", &["type", "message_type", "kind"]),
    (
        "category",
        &["category", "template_category", "pricing_category"],
    ),
    ("id", &["id", "message_id", "wamid"]),
    ("status", &["status"]),
    ("entry_point", &["entry_point", "referral"]),
    (
        "business_number",
        &[
            "business_number",
            "phone_number_id",
            "display_phone_number",
            "business_phone",
        ],
    ),
    ("template", &["template", "template_name"]),
    (
        "waba_id",
        &[
            "waba_id",
            "waba",
            "whatsapp_business_account_id",
            "business_account_id",
        ],
    ),
    (
        "delivered_at",
        &[
            "delivered_at",
            "delivered_time",
            "delivery_time",
            "delivered_timestamp",
        ],
    ),
    (
        "user_id",
        &[
            "user_id",
            "bsuid",
            "business_scoped_user_id",
            "recipient_user_id",
            "from_user_id",
            "whatsapp_bsuid",
        ],
    ),
    ("group_id", &["group_id", "group"]),
    (
        "charged_price",
        &[
            "charged_price",
            "charged",
            "final_price",
            "total_price",
            "totalprice",
            "whatsappmessage_totalprice",
            "price",
        ],
    ),
    (
        "max_price",
        &["max_price", "maxprice", "bid_amount", "bidamount"],
    ),
    (
        "price_currency",
        &[
            "price_currency",
            "price_unit",
            "priceunit",
            "currency",
            "whatsappmessage_currency",
        ],
    ),
];

const TS: usize = 0;
const DIR: usize = 1;
const CONTACT: usize = 2;
const TYPE: usize = 3;
const CAT: usize = 4;
const ID: usize = 5;
const STATUS: usize = 6;
const EP: usize = 7;
const BIZ: usize = 8;
const TPL: usize = 9;
const WABA: usize = 10;
const DELIVERED_AT: usize = 11;
const USER_ID: usize = 12;
const GROUP_ID: usize = 13;
const CHARGED: usize = 14;
const MAX_PRICE: usize = 15;
const PRICE_CURRENCY: usize = 16;
/// Fields a layout knows.
const FIELDS: usize = 17;

/// Column positions found in a header, and how a profile reads them.
#[derive(Debug, Clone)]
struct Layout {
    col: [Option<usize>; FIELDS],
    /// Separate `from`/`to` columns: the customer is `to` on outbound rows
    /// and `from` on inbound rows.
    from_to: Option<(usize, usize)>,
    width: usize,
    /// Each field's value words (the profile's, then the built-in ones).
    words: [Words; FIELDS],
    /// Each field's value on every row when the file has no such column.
    constant: [Box<str>; FIELDS],
}

/// Finds the columns of a header, read with `prof` (a `--profile`, a
/// `--map` or a detected profile) over the built-in names and words.
fn layout(headers: &[String], file: &str, prof: Option<&Profile>) -> Result<Layout, InputError> {
    let builtin = profile::builtin();
    let mut lay = Layout {
        col: [None; FIELDS],
        from_to: None,
        width: headers.len(),
        words: Default::default(),
        constant: Default::default(),
    };
    for (i, (name, aliases)) in COLUMNS.iter().enumerate() {
        lay.col[i] = find_column(headers, name, aliases, prof);
        lay.words[i] = words_for(name, prof, builtin);
        if let Some(c) = prof.and_then(|p| p.constants.get(*name)) {
            lay.constant[i] = c.as_str().into();
        }
    }
    let from = find_column(headers, "from", &["from"], prof);
    let to = find_column(headers, "to", &["to"], prof);
    if lay.col[CONTACT].is_none() {
        match (from, to) {
            (Some(f), Some(t)) => lay.from_to = Some((f, t)),
            (Some(c), None) | (None, Some(c)) => lay.col[CONTACT] = Some(c),
            (None, None) => {}
        }
    }
    let missing: Vec<usize> = [TS, DIR, CONTACT]
        .into_iter()
        .filter(|&r| {
            lay.col[r].is_none()
                && lay.constant[r].is_empty()
                && !(r == CONTACT && (lay.from_to.is_some() || lay.col[USER_ID].is_some()))
        })
        .collect();
    if !missing.is_empty() {
        return Err(InputError::Format {
            file: file.to_string(),
            msg: missing_columns(headers, &missing, prof),
        });
    }
    Ok(lay)
}

/// The column of one field: the profile's names when it names the field
/// (an empty list: the file has none), else the aliases, then the
/// built-in Portuguese and Spanish names.
fn find_column(
    headers: &[String],
    name: &str,
    aliases: &[&str],
    prof: Option<&Profile>,
) -> Option<usize> {
    let find = |names: &[String]| {
        names
            .iter()
            .find_map(|a| headers.iter().position(|h| h == a))
    };
    if let Some(names) = prof.and_then(|p| p.columns.get(name)) {
        return find(names);
    }
    aliases
        .iter()
        .find_map(|a| headers.iter().position(|h| h == a))
        .or_else(|| find(profile::builtin().names_of(name)))
}

/// A field's words: the profile's first, then the built-in ones.
fn words_for(name: &str, prof: Option<&Profile>, builtin: &Profile) -> Words {
    let mut words = Words::default();
    for p in prof.into_iter().chain([builtin]) {
        if let Some(w) = p.values.get(name) {
            words.extend(w);
        }
    }
    words
}

/// All the required columns a header lacks, with the names accepted for
/// each and a `--map` snippet to paste.
#[cold]
fn missing_columns(headers: &[String], missing: &[usize], prof: Option<&Profile>) -> String {
    let missing: Vec<Missing> = missing
        .iter()
        .map(|&r| {
            let (own, local) = accepted(r, prof);
            Missing {
                name: COLUMNS[r].0,
                own,
                local,
            }
        })
        .collect();
    missing::message(headers, &missing)
}

/// The names a required field is found under: the profile's or the
/// reader's own, and the built-in Portuguese and Spanish ones.
fn accepted(r: usize, prof: Option<&Profile>) -> (Vec<String>, Vec<String>) {
    let (name, aliases) = COLUMNS[r];
    if let Some(names) = prof.and_then(|p| p.columns.get(name)) {
        return (names.clone(), Vec::new());
    }
    let mut own: Vec<String> = aliases.iter().map(|a| a.to_string()).collect();
    if r == CONTACT {
        own.extend(["to".into(), "from".into()]);
    }
    (own, profile::builtin().names_of(name).to_vec())
}

fn is_entry_point(v: &str) -> bool {
    let v = trim(v);
    !(v.is_empty()
        || ["none", "false", "0", "no", "null", "n/a"]
            .iter()
            .any(|w| v.eq_ignore_ascii_case(w)))
}

pub(super) fn read(
    reader: Box<dyn BufRead>,
    name: &str,
    file_idx: u16,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    read_headed(reader, (name, file_idx), true, inputs, out, rejected)
}

/// Reads a CSV log whose header is line 1 of the user's file, or, when
/// `header_is_a_line` is false, a header written before the file's first
/// line (JSON Lines records, `ingest::records`).
pub(super) fn read_headed(
    mut reader: Box<dyn BufRead>,
    (name, file_idx): (&str, u16),
    header_is_a_line: bool,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let head = reader.fill_buf().map_err(|source| InputError::Io {
        file: name.to_string(),
        source,
    })?;
    let delim = sniff(strip_bom(head)).delimiter;
    let mut recs = Records::new(reader, delim);
    let Some(headers) = header_row(&mut recs, name)? else {
        inputs.notes.push(format!("{name}: empty file, no rows"));
        return Ok(());
    };
    if !header_is_a_line {
        recs.number_from_next();
    }
    let prof = choose_profile(&headers, name, inputs);
    let lay = layout(&headers, name, prof.as_ref())?;
    note_unread(&headers, &lay, prof.as_ref(), name, inputs);
    inputs.note_file_columns(file_idx, lay.col[STATUS].is_some(), lay.col[BIZ].is_some());
    let file = CsvFile {
        name,
        file_idx,
        delim,
        headers: &headers,
        lay: &lay,
    };
    read_rows(&file, &mut recs, inputs, out, rejected).map(|()| {
        inputs.note_records(file_idx, recs.tally());
        inputs.warn_offsets(file_idx);
    })
}

/// The profile a file is read with: the run's `--profile` or `--map`, else
/// the bundled profile its header fits, if only one does; noted.
fn choose_profile(headers: &[String], name: &str, inputs: &mut Inputs) -> Option<Profile> {
    if let Some(chosen) = &inputs.profile {
        let how = match &chosen.origin {
            Origin::Given => format!("profile {} (--profile)", chosen.profile.name),
            Origin::Map(path) => format!("the map {path} (--map)"),
        };
        inputs.notes.push(format!("{name}: read with {how}"));
        return Some(chosen.profile.clone());
    }
    match profile::detect(headers) {
        Detected::None => None,
        Detected::One(p) => {
            inputs.notes.push(format!(
                "{name}: read with profile {} (detected from its header; --profile NAME or --map FILE to read it otherwise)",
                p.name
            ));
            Some(p.clone())
        }
        Detected::Ambiguous(names) => {
            inputs.notes.push(format!(
                "{name}: its header fits the profiles {}: read with none (choose one with --profile)",
                names.join(", ")
            ));
            None
        }
    }
}

/// Notes, once per file, the columns no field reads and the profile does
/// not list as known (`ignore`): nothing in a header is dropped unsaid.
fn note_unread(
    headers: &[String],
    lay: &Layout,
    prof: Option<&Profile>,
    name: &str,
    inputs: &mut Inputs,
) {
    let read =
        |i: usize| lay.col.contains(&Some(i)) || lay.from_to.is_some_and(|(f, t)| f == i || t == i);
    let unread: Vec<String> = headers
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.is_empty() && !read(*i))
        .filter(|(_, h)| !prof.is_some_and(|p| p.ignore.contains(h)))
        .map(|(_, h)| quote_field(h))
        .collect();
    if unread.is_empty() {
        return;
    }
    inputs.notes.push(format!(
        "{name}: column{} not read: {} (a --map FILE can say what a column is: see README \"Your export\")",
        if unread.len() > 1 { "s" } else { "" },
        unread.join(", ")
    ));
}

/// The header's names, normalised; `None` for an empty file.
fn header_row(recs: &mut Lines, name: &str) -> Result<Option<Vec<String>>, InputError> {
    let headers: Vec<String> = match recs.next() {
        Ok(Some(h)) => (0..h.width())
            .map(|c| header::normalise(&String::from_utf8_lossy(h.bytes(c))))
            .collect(),
        Ok(None) => Vec::new(),
        Err(e) => {
            return Err(InputError::Format {
                file: name.to_string(),
                msg: format!("cannot read the header row: {e}"),
            })
        }
    };
    let empty = headers.is_empty() || (headers.len() == 1 && headers[0].is_empty());
    Ok((!empty).then_some(headers))
}

/// The records of a CSV log.
type Lines = Records<Box<dyn BufRead>>;

/// Reads every row after the header: a message, or a rejected row.
fn read_rows(
    file: &CsvFile<'_>,
    recs: &mut Lines,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let mut last_line = 1;
    loop {
        let rec = match recs.next() {
            Ok(Some(rec)) => rec,
            Ok(None) => return Ok(()),
            Err(e) => {
                return Err(InputError::Format {
                    file: file.name.to_string(),
                    msg: format!("line {}: {e}", last_line + 1),
                })
            }
        };
        inputs.rows += 1;
        last_line = rec.line;
        if let Some((at, first_line)) = one_row(file, &rec, inputs, out, rejected) {
            recs.rewind(at, first_line);
        }
    }
}

/// One record: a message or a rejected row. After a runaway quote, the
/// offset and line to read again from: the lines it swallowed.
#[inline]
fn one_row(
    file: &CsvFile<'_>,
    rec: &Record<'_>,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Option<(u64, u64)> {
    if let Some((runaway, resume)) = quotes::runaway_quote(file, rec, &inputs.zone) {
        rejected(runaway);
        return resume.map(|(first_line, at)| (rec.start + at as u64, first_line));
    }
    match row(rec, file.lay, file.file_idx, inputs) {
        Ok(m) => out(m),
        Err((field, reason)) => rejected(Rejected {
            file: file.name.to_string(),
            line: rec.line,
            field: field.map(str::to_string),
            reason,
        }),
    }
    None
}

/// What the rows of one CSV file share.
struct CsvFile<'a> {
    name: &'a str,
    file_idx: u16,
    delim: u8,
    headers: &'a [String],
    lay: &'a Layout,
}

/// The canonical name of column `col` when wacost reads it.
fn column_name(lay: &Layout, col: usize) -> Option<&'static str> {
    let i = lay.col.iter().position(|&c| c == Some(col));
    i.and_then(|i| COLUMNS.get(i)).map(|c| c.0).or_else(|| {
        lay.from_to
            .and_then(|(f, t)| [(f, "from"), (t, "to")].into_iter().find(|x| x.0 == col))
            .map(|x| x.1)
    })
}

type RowError = (Option<&'static str>, String);

/// Field `i` of a row: its cell, as the reader's word when the profile or
/// the built-in words know it; the profile's constant without a column.
#[inline]
fn field<'r>(rec: &'r Record<'_>, lay: &'r Layout, i: usize) -> Result<&'r str, RowError> {
    let Some(c) = lay.col[i] else {
        return Ok(&lay.constant[i]);
    };
    let text = rec.text(c).ok_or_else(|| {
        (
            Some(COLUMNS[i].0),
            format!(
                "field {} is not valid UTF-8 (save the export as UTF-8)",
                COLUMNS[i].0
            ),
        )
    })?;
    Ok(lay.words[i].get(text).unwrap_or(text))
}

/// One row as a message: the per-row hot path (no allocation but the
/// interners' first sight of a name).
fn row(
    rec: &Record<'_>,
    lay: &Layout,
    file: u16,
    inputs: &mut Inputs,
) -> Result<Message, RowError> {
    if rec.width() != lay.width {
        return Err(width_error(rec, lay));
    }
    let waba = trim(field(rec, lay, WABA)?);
    let zone = inputs.zone_of_waba(waba);
    let ts_s = field(rec, lay, TS)?;
    let ts = parse_timestamp_with(ts_s, &inputs.zones[zone], &mut inputs.last_date)
        .map_err(|e| (Some("timestamp"), e.to_string()))?;
    inputs.tally_offset(zone, ts);
    let direction =
        Direction::from_str(field(rec, lay, DIR)?).map_err(|e| (Some("direction"), e))?;
    let contact = customer(rec, lay, direction, inputs)?;
    let kind = inbound_kind(rec, lay, direction)?;
    let (template, assumed) = template_or_assumed(rec, lay, direction, inputs)?;
    let id = trim(field(rec, lay, ID)?);
    let entry_point = direction == Direction::Inbound && is_entry_point(field(rec, lay, EP)?);
    let biz = trim(field(rec, lay, BIZ)?);
    let tpl = trim(field(rec, lay, TPL)?);
    let mut m = Message::new(file, rec.line, ts, direction, contact);
    if let Some(category) = template {
        m.set_template(Some(category));
        m.template_name = inputs.templates.get(tpl);
    }
    m.set_entry_point(entry_point);
    m.set_inbound_kind(kind);
    if let Some(a) = inputs.last_date.assumed {
        // Counted once the row is a message (a rejected row assumed nothing).
        inputs.assume_time(a, file, rec.line, ts_s);
        m.set_local_assumption(Some(a));
    }
    m.id_hash = delivery_id_hash(id, contact);
    inputs.add_extra(m.id_hash, id, None);
    let number = business(inputs, biz, waba)?;
    m.set_business(number, zone);
    if direction == Direction::Outbound {
        delivery(rec, lay, &mut m, inputs, zone)?;
        log_price(rec, lay, &m, inputs)?;
    }
    if let Some(kind) = assumed {
        assume_row(inputs, kind, file, rec.line);
    }
    Ok(m)
}

/// The template category of a row, or what is assumed when the file does
/// not say: a template in a file without a category column is priced as
/// marketing
/// (`category_missing`); an outbound row with neither a type nor a category
/// as a non-template message (`type_missing`). Never silent: counted.
#[inline]
fn template_or_assumed(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
    inputs: &Inputs,
) -> Result<(Option<Category>, Option<&'static str>), RowError> {
    let found = template_category(rec, lay, direction, inputs);
    if direction == Direction::Inbound {
        return found.map(|c| (c, None));
    }
    let type_s = trim(field(rec, lay, TYPE)?);
    let cat_s = trim(field(rec, lay, CAT)?);
    match found {
        // A blank cell of a category column is a bad row (rejected); a
        // file without the column cannot say.
        Err(_) if lay.col[CAT].is_none() && is_template(lay, type_s, cat_s) => {
            Ok((Some(Category::Marketing), Some("category_missing")))
        }
        // A log with a category column and no type column says a
        // non-template by an empty category.
        Ok(None)
            if type_s.is_empty()
                && cat_s.is_empty()
                && (lay.col[TYPE].is_some() || lay.col[CAT].is_none()) =>
        {
            Ok((None, Some("type_missing")))
        }
        other => other.map(|c| (c, None)),
    }
}

/// Counts an assumption a row needed; the first rows of each kind are
/// noted with their file and line.
fn assume_row(inputs: &mut Inputs, kind: &'static str, file: u16, line: u64) {
    let n = inputs.assumptions.entry(kind).or_default();
    *n += 1;
    if *n > 3 {
        return;
    }
    let name = inputs
        .files
        .get(usize::from(file))
        .map_or("-", String::as_str);
    let what = match kind {
        "category_missing" => "a template without a category: priced as marketing (give the file a category column, or --templates FILE)",
        _ => "an outbound row without a type or category: priced as a non-template (service) message (name its type column in a --map FILE, see README \"Your export\")",
    };
    let note = format!("{name}:{line}: {what}");
    inputs.notes.push(note);
}

/// The row's business number, interned; a row that names only its WABA is
/// that WABA's one number (windows never cross WABAs).
#[inline]
fn business(inputs: &mut Inputs, number: &str, waba: &str) -> Result<u16, RowError> {
    let named = if number.is_empty() && !waba.is_empty() {
        inputs.business_number(&format!("waba:{waba}"))
    } else {
        inputs.business_number(number)
    };
    named.map_err(|e| (Some("business_number"), e))
}

/// The status evidence of an outbound row, and its delivery time when the
/// log has a column for it (the charging instant, unless `charge-at=sent`).
#[inline]
fn delivery(
    rec: &Record<'_>,
    lay: &Layout,
    m: &mut Message,
    inputs: &mut Inputs,
    zone: usize,
) -> Result<(), RowError> {
    let status = field(rec, lay, STATUS)?;
    let d = match parse_status(status) {
        Some(d) => d,
        None => {
            inputs.unknown_status(m.file, rec.line, status);
            Delivery::Unknown
        }
    };
    m.set_delivery(d);
    let at = trim(field(rec, lay, DELIVERED_AT)?);
    if !at.is_empty() && d != Delivery::Failed {
        // Read in the date order the file's timestamps are read in.
        let mut last = LastDate::default();
        last.order = inputs.last_date.order;
        let ts = parse_timestamp_with(at, &inputs.zones[zone], &mut last)
            .map_err(|e| (Some("delivered_at"), e.to_string()))?;
        m.set_delivery(Delivery::Delivered);
        if inputs.charge_at_delivery && ts > m.ts() {
            m.set_ts(ts);
        }
    }
    inputs.delivery_evidence |= m.delivery() == Delivery::Delivered;
    Ok(())
}

/// The charged and max prices of an outbound row, kept beside its message
/// (issue 14); a log without price columns reads two empty constants.
#[inline]
fn log_price(
    rec: &Record<'_>,
    lay: &Layout,
    m: &Message,
    inputs: &mut Inputs,
) -> Result<(), RowError> {
    let charged_s = field(rec, lay, CHARGED)?;
    let max_s = field(rec, lay, MAX_PRICE)?;
    if charged_s.is_empty() && max_s.is_empty() {
        return Ok(());
    }
    let price = |name, s| super::prices::parse_price(s).map_err(|e| (Some(name), e));
    let charged = price("charged_price", charged_s)?;
    let max = price("max_price", max_s)?;
    let column = super::prices::parse_currency(field(rec, lay, PRICE_CURRENCY)?)
        .map_err(|e| (Some("price_currency"), e))?;
    let p = super::prices::log_price(charged, max, column);
    let key = super::prices::key(m.id_hash, m.file, m.line);
    inputs.prices.record(key, p);
    Ok(())
}

/// The type words of calls, reactions and system messages (accents folded).
const KIND_WORDS: &[(&[&str], InboundKind)] = &[
    (
        &[
            "call",
            "voice_call",
            "voice",
            "video_call",
            "chamada",
            "ligacao",
            "llamada",
        ],
        InboundKind::Call,
    ),
    (&["reaction", "reacao", "reaccion"], InboundKind::Reaction),
    (&["system", "sistema"], InboundKind::System),
];

/// A type cell's kind of row; most cells (`text`, `template`) are none of
/// these, so ASCII cells are compared as they are, without folding.
#[inline]
fn kind_of(type_s: &str) -> InboundKind {
    if type_s.is_empty() {
        return InboundKind::Message;
    }
    let folded;
    let t = if type_s.is_ascii() {
        type_s
    } else {
        folded = folded_lower(type_s);
        folded.as_str()
    };
    KIND_WORDS
        .iter()
        .find(|(words, _)| words.iter().any(|w| t.eq_ignore_ascii_case(w)))
        .map_or(InboundKind::Message, |(_, k)| *k)
}

/// What an inbound row is, from its type; a call the business made is not
/// a message Meta bills per message.
#[inline]
fn inbound_kind(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
) -> Result<InboundKind, RowError> {
    let kind = kind_of(trim(field(rec, lay, TYPE)?));
    if direction == Direction::Outbound && kind == InboundKind::Call {
        return Err((
            Some("type"),
            "a call the business made: Meta bills calls per minute through the Calling API, which wacost does not price (a call the user makes opens the customer service window: give it direction inbound)".into(),
        ));
    }
    Ok(kind)
}

#[cold]
fn width_error(rec: &Record<'_>, lay: &Layout) -> RowError {
    (
        None,
        format!(
            "row has {} fields, the header has {}",
            rec.width(),
            lay.width
        ),
    )
}

/// A message id's fingerprint; a group message's rows (one per member
/// delivered, under one id) each stay their own delivery.
#[inline]
fn delivery_id_hash(id: &str, contact: ContactKey) -> u64 {
    let h = crate::hash::id_hash(id);
    if contact.is_group() && !id.is_empty() {
        return crate::hash::mix64(h ^ contact.value());
    }
    h
}

/// The customer: the phone number, else the business-scoped user id (a
/// `user_id` column, or a user id in the contact column); a member of the
/// group a `group_id` names.
#[inline]
fn customer(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
    inputs: &mut Inputs,
) -> Result<ContactKey, RowError> {
    let who = person(rec, lay, direction, inputs)?;
    if lay.col[GROUP_ID].is_none() {
        return Ok(who);
    }
    match trim(field(rec, lay, GROUP_ID)?) {
        "" => Ok(who),
        g => {
            let g = g.to_string();
            (inputs.identities.member(&g, Some(who))).map_err(|e| (Some("group_id"), e))
        }
    }
}

/// A phone number, a user id, or both (which links them).
#[inline]
fn person(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
    inputs: &mut Inputs,
) -> Result<ContactKey, RowError> {
    if lay.col[USER_ID].is_none() {
        // The fast path: a number; a user id in the contact cell (a
        // message sent to one) is the rare other case.
        match contact(rec, lay, direction, inputs) {
            Ok(n) => return Ok(n.into()),
            Err(e) => {
                let Some(u) = contact_cell(rec, lay, direction).and_then(parse_user_id) else {
                    return Err(e);
                };
                return (inputs.identities.customer(None, Some(u)))
                    .map_err(|e| (Some("contact"), e));
            }
        }
    }
    let cell = contact_cell(rec, lay, direction);
    let in_cell = cell.and_then(parse_user_id);
    let user = match trim(field(rec, lay, USER_ID)?) {
        "" => in_cell,
        u => Some(parse_user_id(u).ok_or_else(|| {
            (
                Some("user_id"),
                format!("user_id {}: not a business-scoped user id (a country code, a period and letters or digits, e.g. BR.1234567890)", mask_user_id(u)),
            )
        })?),
    };
    let empty = cell.is_none_or(|c| trim(c).is_empty());
    let phone = if in_cell.is_some() || (empty && user.is_some()) {
        None
    } else {
        Some(contact(rec, lay, direction, inputs)?)
    };
    inputs
        .identities
        .customer(phone, user)
        .map_err(|e| (Some("contact"), e))
}

/// The contact cell (or `from`/`to` by direction), when readable.
fn contact_cell<'r>(rec: &'r Record<'_>, lay: &'r Layout, direction: Direction) -> Option<&'r str> {
    match lay.from_to {
        Some((f, t)) => rec.text(if direction == Direction::Inbound {
            f
        } else {
            t
        }),
        None => field(rec, lay, CONTACT).ok(),
    }
}

/// The customer's phone number: the contact column, or `from`/`to` by
/// direction.
#[inline]
fn contact(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
    inputs: &mut Inputs,
) -> Result<E164, RowError> {
    let contact_s = match lay.from_to {
        Some((f, t)) => {
            let c = if direction == Direction::Inbound {
                f
            } else {
                t
            };
            rec.text(c).ok_or_else(|| {
                (
                    Some("contact"),
                    "field contact is not valid UTF-8".to_string(),
                )
            })?
        }
        None => field(rec, lay, CONTACT)?,
    };
    // `--default-country` reads national numbers (issue 15); E.164 ones
    // take `E164::parse`'s path inside `read`.
    let read = inputs.numbers.read(contact_s).map_err(|e| {
        (
            Some("contact"),
            format!("contact {}: {e}", quote_field(contact_s)),
        )
    })?;
    if read.assumed {
        let n = inputs.assumptions.entry("default_country").or_default();
        *n += 1;
        if *n == 1 {
            let cc = inputs.numbers.default_country().map(|c| c.to_string());
            inputs.notes.push(format!(
                "numbers without a country code are read as numbers of {} (--default-country), each counted as a default_country assumption",
                cc.unwrap_or_default()
            ));
        }
    }
    Ok(read.number)
}

/// The template category of an outbound template; `None` for any other
/// message.
#[inline]
fn template_category(
    rec: &Record<'_>,
    lay: &Layout,
    direction: Direction,
    inputs: &Inputs,
) -> Result<Option<Category>, RowError> {
    let type_s = trim(field(rec, lay, TYPE)?);
    let cat_s = trim(field(rec, lay, CAT)?);
    let tpl = trim(field(rec, lay, TPL)?);
    // A row naming its template is one, unless its type says otherwise.
    let named = !tpl.is_empty() && (type_s.is_empty() || type_s.eq_ignore_ascii_case("template"));
    if direction == Direction::Inbound || !(named || is_template(lay, type_s, cat_s)) {
        return Ok(None);
    }
    let book = &inputs.template_book;
    if !cat_s.is_empty() || tpl.is_empty() || book.is_empty() {
        return template_of(cat_s).map(Some);
    }
    // `--templates` (issue 15): the category of the template's name.
    let why = match book.category(tpl) {
        super::templates::Lookup::Found(c) => return Ok(Some(c)),
        super::templates::Lookup::Missing => {
            format!("not among the {} templates of --templates", book.len())
        }
        super::templates::Lookup::Ambiguous(each) => format!(
            "its languages have different categories in --templates ({each}) and the row names none"
        ),
    };
    Err((
        Some("category"),
        format!(
            "template without category: template {} is {why}",
            quote_field(tpl)
        ),
    ))
}

/// The type column says template; without one, a category other than
/// service marks a template.
#[inline]
fn is_template(lay: &Layout, type_s: &str, cat_s: &str) -> bool {
    let typed = lay.col[TYPE].is_some() || !lay.constant[TYPE].is_empty();
    if typed && !type_s.is_empty() {
        type_s.eq_ignore_ascii_case("template")
    } else {
        !cat_s.is_empty() && !cat_s.eq_ignore_ascii_case("service")
    }
}

/// A template's category: given, and not service.
#[inline]
fn template_of(cat_s: &str) -> Result<Category, RowError> {
    if cat_s.is_empty() {
        return Err((
            Some("category"),
            format!(
                "template without category (accepted: {}; a log without categories: give the templates' categories with --templates FILE)",
                template_categories()
            ),
        ));
    }
    let c = Category::from_str(cat_s).map_err(|e| (Some("category"), e.to_string()))?;
    if c == Category::Service {
        return Err((
            Some("category"),
            format!(
                "a template cannot have category service (accepted: {})",
                template_categories()
            ),
        ));
    }
    Ok(c)
}

fn template_categories() -> &'static str {
    "marketing, utility, authentication, authentication_international"
}

mod quotes;
#[cfg(test)]
mod tests;
