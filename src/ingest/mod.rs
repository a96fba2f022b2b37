//! Input readers: message logs (CSV, Cloud API webhook JSON), detected from
//! content, plain or gzip, from files or stdin. Every row becomes a
//! [`Message`] or a [`Rejected`] with its file, line and reason.

mod analytics;
pub mod columnar;
pub mod csv_log;
mod csv_records;
pub mod figures;
pub mod identities;
mod inflate;
mod invoice;
pub mod plan;
pub mod prices;
pub mod profile;
pub mod progress;
pub mod ratecard;
mod records;
#[cfg(unix)]
pub mod stdin;
pub mod templates;
pub mod toolkit;
pub mod webhook;

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use crate::model::time::LocalAssumption;
use crate::model::{Extra, Interner, Message, MetaPricing, Rejected, Zone};

/// Which reader to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Csv,
    /// JSON Lines of webhook payloads (same reader as `webhook`).
    Jsonl,
    Webhook,
    /// JSON Lines of flat message records (Twilio BulkExport), read through
    /// the CSV reader and its profiles.
    Records,
    /// Parquet (a file: its index is at the end), columns as CSV's.
    Parquet,
    /// Arrow IPC, file or stream, columns as CSV's.
    Arrow,
}

impl InputFormat {
    /// Read by the CSV reader (Parquet and Arrow through CSV rows).
    pub fn is_tabular(self) -> bool {
        matches!(
            self,
            InputFormat::Csv | InputFormat::Parquet | InputFormat::Arrow
        )
    }
}

/// What the readers share: the time zone for naive times, file names and
/// interned strings.
#[derive(Debug)]
pub struct Inputs {
    /// `--tz`: the zone of naive times and of WABAs without their own.
    pub zone: Zone,
    /// Every zone of the run: `zone` first, then those of `--tz WABA=ZONE`;
    /// a message names its WABA's by index ([`Message::zone_index`]).
    pub zones: Vec<Zone>,
    /// WABA id -> index into `zones`.
    pub waba_zones: std::collections::HashMap<String, usize>,
    pub files: Vec<String>,
    pub business_numbers: Interner,
    pub templates: Interner,
    /// Rows read (messages + rejected).
    pub rows: u64,
    /// Webhook statuses merged into a message already seen.
    pub merged_statuses: u64,
    /// Notes for stderr (payloads of other webhook fields, ...).
    pub notes: Vec<String>,
    /// Webhook messages waiting for all their statuses.
    pub webhook: webhook::WebhookState,
    /// Keep ids' text and Meta's pricing ([`Extra`]) for each message.
    pub keep_extras: bool,
    extras: crate::hash::IntMap<u64, Extra>,
    /// The date the last timestamp read was on.
    pub last_date: crate::ingest::toolkit::timestamp::LastDate,
    /// What reading the rows had to assume, counted by kind
    /// (`nonexistent_local_time`, ...): shown, never silent.
    pub assumptions: std::collections::BTreeMap<&'static str, u64>,
    /// Some row or status of the inputs says `delivered` or `read`, so a
    /// message that stops at `sent` was not delivered (a run's files are
    /// one log: daily exports put deliveries in the next day's file).
    pub delivery_evidence: bool,
    /// The charging instant is the delivery time where the log has one
    /// (the `charge-at` rule switch; readers set message times by it).
    pub charge_at_delivery: bool,
    /// CSV rows merged into an earlier row's message by message id (one
    /// row per status): counted as status updates, not messages.
    pub status_rows: u64,
    /// Those rows, named, when [`Inputs::keep_extras`] is set (detail).
    pub merged_rows: Vec<MergedRow>,
    /// The `--profile` or `--map` CSV logs are read with; without one, each
    /// file's header may name its provider's profile (detected, noted).
    pub profile: Option<profile::Chosen>,
    /// How CSV contacts are read: `--default-country` (issue 15).
    pub numbers: crate::model::phone::Numbers,
    /// Template names to categories: `--templates` (issue 15).
    pub template_book: std::sync::Arc<templates::Book>,
    /// How to read the logs' text (`--encoding`, `--date-order`).
    pub text: TextSettings,
    /// CSV rows that were only delimiters (`;;;;`, an emptied spreadsheet
    /// row): skipped, not rows.
    pub delimiter_only_rows: u64,
    /// The offsets the current CSV file's timestamps were written with,
    /// against `--tz` ([`Inputs::tally_offset`]).
    pub offsets: OffsetTally,
    /// Customers named by user ids, and groups (issue 14).
    pub identities: identities::Identities,
    /// Charged and max prices the logs carry per message (issue 14).
    pub prices: prices::LogPrices,
}

/// What a run tells its readers about its exports (issue 15): the country
/// of national numbers and the categories of template names.
#[derive(Debug, Clone, Default)]
pub struct ReaderSettings {
    pub default_country: Option<crate::model::phone::Country>,
    pub templates: std::sync::Arc<templates::Book>,
}

impl ReaderSettings {
    /// Sets an [`Inputs`]'s readers by these settings.
    pub fn apply(&self, inputs: &mut Inputs) {
        inputs.numbers = crate::model::phone::Numbers::new(self.default_country);
        inputs.template_book = self.templates.clone();
    }
}

/// How one file's timestamps were written: with an offset that agrees with
/// the zone they are read in, one that differs, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OffsetTally {
    pub without: u64,
    pub agreeing: u64,
    pub differing: u64,
    /// The first differing offset and the zone's at that instant.
    pub first: Option<(i32, i32)>,
}

/// A row merged into the message of an earlier row with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergedRow {
    pub file: u16,
    pub line: u32,
    /// The message's first row.
    pub into_line: u32,
}

impl Inputs {
    pub fn new(zone: Zone) -> Inputs {
        Inputs {
            zones: vec![zone.clone()],
            waba_zones: Default::default(),
            zone,
            files: Vec::new(),
            business_numbers: Interner::new(),
            templates: Interner::new(),
            rows: 0,
            merged_statuses: 0,
            notes: Vec::new(),
            webhook: webhook::WebhookState::default(),
            keep_extras: false,
            extras: Default::default(),
            last_date: Default::default(),
            assumptions: Default::default(),
            delivery_evidence: false,
            charge_at_delivery: true,
            status_rows: 0,
            merged_rows: Vec::new(),
            profile: None,
            numbers: Default::default(),
            template_book: Default::default(),
            text: TextSettings::default(),
            delimiter_only_rows: 0,
            offsets: OffsetTally::default(),
            identities: Default::default(),
            prices: Default::default(),
        }
    }

    /// What a CSV file's header says it can tell: without a status column
    /// it carries no delivery evidence; without a business number every
    /// message is from one number (noted once per file).
    pub fn note_file_columns(&mut self, file: u16, has_status: bool, has_business: bool) {
        let name = self.name_of(file).to_string();
        if !has_status {
            self.notes.push(format!("{name}: no status column: every message is assumed delivered (Meta bills delivered messages only)"));
        }
        if !has_business {
            self.notes.push(format!("{name}: no business number column (business_number, phone_number_id): windows are kept per customer, as if one business number sent every message"));
        }
    }

    /// A status word no reader knows: the message is billed as delivered,
    /// and the first few rows are noted.
    pub fn unknown_status(&mut self, file: u16, line: u64, word: &str) {
        let n = self.assumptions.entry("unknown_status_word").or_default();
        *n += 1;
        if *n <= 5 {
            let note = format!(
                "{}:{line}: status {} is not a word wacost knows ({}): the message is assumed delivered",
                self.name_of(file),
                crate::model::redact::quote_field(word),
                toolkit::status::STATUS_WORDS
            );
            self.notes.push(note);
        }
    }

    /// Gives WABAs their own time zones (`--tz WABA=ZONE`): each distinct
    /// zone gets an index, the default's is 0.
    pub fn set_waba_zones(&mut self, wabas: &[(String, Zone)]) {
        let (zones, index) = crate::model::time::zone_table(&self.zone, wabas);
        self.zones = zones;
        self.waba_zones = index.into_iter().collect();
    }

    /// Counts how the last timestamp read was written, against `zone`'s
    /// offset at `ts`.
    #[inline]
    pub fn tally_offset(&mut self, zone: usize, ts: i64) {
        let t = &mut self.offsets;
        // UTC instants (`Z`, `+00:00`) are how machines write time: they say
        // nothing of the WABA's zone.
        let Some(written) = self.last_date.offset.filter(|&o| o != 0) else {
            t.without += 1;
            return;
        };
        let local = self.zones.get_mut(zone).map_or(0, |z| z.offset_at(ts));
        if written == local {
            t.agreeing += 1;
        } else {
            t.differing += 1;
            t.first.get_or_insert((written, local));
        }
    }

    /// After a CSV file: a warning when every timestamp carried an offset
    /// and none agreed with the zone it is read in (a log written in
    /// Brazil, read with `--tz UTC`: days and months shift).
    pub fn warn_offsets(&mut self, file: u16) {
        let t = std::mem::take(&mut self.offsets);
        let Some((written, local)) = t.first.filter(|_| t.without == 0 && t.agreeing == 0) else {
            return;
        };
        let zone = self.zone.name();
        let note = format!(
            "warning: {}: every timestamp carries a UTC offset ({}) that differs from --tz {zone} ({}): days, months, tiers and rule dates are read in {zone}; give the WABA's own zone with --tz if that is not it",
            self.name_of(file),
            fmt_offset(written),
            fmt_offset(local)
        );
        self.notes.push(note);
    }

    /// The zone index of a WABA id (0, `--tz`, for one not given its own).
    #[inline]
    pub fn zone_of_waba(&self, waba: &str) -> usize {
        if self.waba_zones.is_empty() {
            return 0;
        }
        self.waba_zones.get(waba).copied().unwrap_or(0)
    }

    /// The time zone of a message's WABA.
    pub fn zone_of(&self, m: &Message) -> &Zone {
        self.zones.get(m.zone_index()).unwrap_or(&self.zone)
    }

    fn name_of(&self, file: u16) -> &str {
        self.files
            .get(usize::from(file))
            .map_or("-", String::as_str)
    }

    /// Counts an assumption a row's timestamp needed; the first few of each
    /// kind are noted with their file and line.
    pub fn assume_time(&mut self, a: LocalAssumption, file: u16, line: u64, text: &str) {
        let n = self.assumptions.entry(a.as_str()).or_default();
        *n += 1;
        if *n <= 5 {
            let name = self.name_of(file);
            let note = format!(
                "{name}:{line}: timestamp {} in {}: {}",
                crate::model::redact::quote_field(text),
                self.zone.name(),
                a.explain()
            );
            self.notes.push(note);
        }
    }

    /// Stores a message's id text and Meta pricing under its id's
    /// fingerprint when [`Inputs::keep_extras`] is set (the first row of an
    /// id keeps its place).
    pub fn add_extra(&mut self, id_hash: u64, id: &str, meta: Option<MetaPricing>) {
        if self.keep_extras && id_hash != 0 {
            self.extras.entry(id_hash).or_insert_with(|| Extra {
                id: id.into(),
                meta,
            });
        }
    }

    pub fn extra(&self, m: &Message) -> Option<&Extra> {
        self.extras.get(&m.id_hash)
    }

    /// The message id's text, when kept.
    pub fn id_of(&self, m: &Message) -> &str {
        self.extra(m).map_or("", |e| &e.id)
    }

    pub fn file_name(&self, m: &Message) -> &str {
        self.files.get(m.file as usize).map_or("", String::as_str)
    }

    /// Interns a business number; more than 4,095 distinct ones (the bits
    /// [`Message::window_key`] gives them) is an error of the row.
    pub fn business_number(&mut self, s: &str) -> Result<u16, String> {
        let max = (1u32 << crate::model::message::BUSINESS_NUMBER_BITS) - 1;
        match self.business_numbers.get(s) {
            n if n <= max => Ok(n as u16),
            _ => Err(format!("more than {max} distinct business numbers in one run: split the log by business number")),
        }
    }
}

/// An input that cannot be read at all (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: io::Error,
    },
    #[error("{file}: {msg}")]
    Format { file: String, msg: String },
}

/// How the user said to read the logs' text; `None` detects it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextSettings {
    /// `--encoding`: else a BOM, UTF-16's zero bytes, UTF-8, or
    /// Windows-1252 (`toolkit::decode::detect`).
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// `--date-order`: how to read 05/10/2026.
    pub date_order: Option<toolkit::timestamp::DateOrder>,
}

/// `+03:00`, `-03:00`.
fn fmt_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Opens a path (`-` is stdin), transparently gunzipping `.gz` content;
/// a big file read with stderr on a terminal shows a progress bar
/// ([`progress::wrap`]).
pub fn open(path: &str) -> Result<Box<dyn BufRead>, InputError> {
    let io_err = |source| InputError::Io {
        file: path.to_string(),
        source,
    };
    let raw: Box<dyn Read + Send> = if path == "-" {
        stdin_reader()
    } else {
        let f = std::fs::File::open(Path::new(path)).map_err(io_err)?;
        // A pipe or a device has no size to show progress against.
        let len = f
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .map_or(0, |m| m.len());
        progress::wrap(Box::new(f), path, len)
    };
    gunzipped(raw).map_err(io_err)
}

/// `raw` buffered, and gunzipped when it starts with gzip's magic bytes.
fn gunzipped(raw: Box<dyn Read + Send>) -> io::Result<Box<dyn BufRead>> {
    let mut br = BufReader::with_capacity(1 << 16, raw);
    if br.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        Ok(inflate::gunzip(br))
    } else {
        Ok(Box::new(br))
    }
}

/// Stdin: from its first byte again when a streamed run kept it.
fn stdin_reader() -> Box<dyn Read + Send> {
    #[cfg(unix)]
    return stdin::reader();
    #[cfg(not(unix))]
    Box::new(io::stdin())
}

/// Guesses the format from the first bytes, in whatever encoding they are:
/// JSON starts with `{` or `[`; a first object with Twilio's message keys
/// is a message record, not a webhook.
pub fn detect(reader: &mut dyn BufRead) -> io::Result<InputFormat> {
    let head = reader.fill_buf()?;
    Ok(match toolkit::decode::first_char(head) {
        Some('{') if records::looks_like_records(&String::from_utf8_lossy(head)) => {
            InputFormat::Records
        }
        Some('{' | '[') => InputFormat::Webhook,
        _ => InputFormat::Csv,
    })
}

/// Reads one input into `out`, rejected rows into `rejected`.
pub fn read_input(
    path: &str,
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    if let Some(kind) = columnar_kind(path, format)? {
        let rows = columnar::open_as_csv(path, kind)?;
        return read_from(rows, path, Some(InputFormat::Csv), inputs, out, rejected);
    }
    let reader = open(path)?;
    let name = if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    };
    read_from(reader, &name, format, inputs, out, rejected)
}

/// A Parquet or Arrow IPC file, told by `--input` or its magic bytes.
fn columnar_kind(
    path: &str,
    format: Option<InputFormat>,
) -> Result<Option<columnar::Columnar>, InputError> {
    use columnar::Columnar;
    let found = columnar::sniff(path);
    let needs_file = |what: &str| {
        InputError::Format {
        file: if path == "-" { "<stdin>".into() } else { path.into() },
        msg: format!("not a {what} file: --input {} reads {what} files by name (not stdin, not .gz: the index is in the file)", what.to_lowercase()),
    }
    };
    match format {
        Some(InputFormat::Parquet) => found
            .filter(|k| *k == Columnar::Parquet)
            .map(Some)
            .ok_or_else(|| needs_file("Parquet")),
        Some(InputFormat::Arrow) => found
            .filter(|k| *k != Columnar::Parquet)
            .map(Some)
            .ok_or_else(|| needs_file("Arrow")),
        Some(_) => Ok(None),
        None => Ok(found),
    }
}

/// Reads one already opened input named `name` (for messages): the readers
/// without the file system, for tests and fuzzing. Its text is decoded to
/// UTF-8 first ([`TextSettings`]), and the date order its first dates
/// decide is learned.
pub fn read_from(
    reader: Box<dyn BufRead>,
    name: &str,
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let name = name.to_string();
    let io_error = |source| InputError::Io {
        file: name.clone(),
        source,
    };
    let (mut reader, decoding) =
        toolkit::decode::reader(reader, inputs.text.encoding).map_err(io_error)?;
    let format = match format {
        Some(f) => f,
        None => detect(&mut reader).map_err(io_error)?,
    };
    if inputs.files.len() >= usize::from(u16::MAX) {
        return Err(InputError::Format {
            file: name,
            msg: "too many input files (at most 65535)".into(),
        });
    }
    let file_idx = inputs.files.len() as u16;
    inputs.files.push(name.clone());
    if decoding.guessed {
        inputs.notes.push(format!("{name}: {}", decoding.explain()));
    }
    let head = reader.fill_buf().map_err(io_error)?;
    inputs.learn_date_order(&name, head);
    let read = match format {
        InputFormat::Csv => csv_log::read(reader, &name, file_idx, inputs, out, rejected),
        InputFormat::Parquet | InputFormat::Arrow => Err(InputError::Format {
            file: name.clone(),
            msg: "Parquet and Arrow are read from files by name".into(),
        }),
        InputFormat::Records => records::read(reader, &name, file_idx, inputs, out, rejected),
        InputFormat::Jsonl | InputFormat::Webhook => {
            webhook::read(reader, &name, file_idx, inputs, out, rejected)
        }
    };
    inputs.count_date_orders(&name);
    read
}

/// What reading text found, said on stderr and counted.
impl Inputs {
    /// How this file's dates like 05/10/2026 read: `--date-order`, else
    /// the order its first dates decide (noted), else day first, counted.
    fn learn_date_order(&mut self, name: &str, head: &[u8]) {
        use toolkit::timestamp::sniff_date_order;
        self.last_date.order = self.text.date_order;
        if self.last_date.order.is_some() {
            return;
        }
        if let Some((order, date)) = sniff_date_order(head) {
            self.notes.push(format!(
                "{name}: dates read as {} ({date} says so); set --date-order to say otherwise",
                order.pattern()
            ));
            self.last_date.order = Some(order);
        }
    }

    /// Moves the dates of file `name` read day first for want of an order
    /// into `assumptions` (`date_order_assumed`); warns when later dates of
    /// the file were month first.
    fn count_date_orders(&mut self, name: &str) {
        let n = std::mem::take(&mut self.last_date.orders_assumed);
        let month_first = std::mem::take(&mut self.last_date.month_first_seen);
        if n > 0 {
            *self.assumptions.entry("date_order_assumed").or_default() += n;
        }
        if n > 0 && month_first {
            self.notes.push(format!(
                "{name}: {n} dates that read either way were read day first, but other dates of the file are month first (M/D/YYYY): set --date-order mdy"
            ));
        }
    }

    /// What the CSV splitter took out of a file or read otherwise: rows of
    /// delimiters only, rows read as Windows-1252.
    fn note_records(&mut self, file: u16, tally: csv_records::Tally) {
        let name = self.name_of(file).to_string();
        if tally.delimiter_only_rows > 0 {
            self.delimiter_only_rows += tally.delimiter_only_rows;
            self.notes.push(format!(
                "{name}: {} empty rows (only delimiters) skipped",
                tally.delimiter_only_rows
            ));
        }
        if tally.windows_1252_rows > 0 {
            self.notes.push(format!(
                "{name}: {} rows are not UTF-8 (the first on line {}): read as Windows-1252; name the encoding with --encoding",
                tally.windows_1252_rows, tally.first_windows_1252_line
            ));
        }
    }
}
