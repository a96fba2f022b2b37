//! Input readers: message logs (CSV, Cloud API webhook JSON), detected from
//! content, plain or gzip, from files or stdin. Every row becomes a
//! [`Message`] or a [`Rejected`] with its file, line and reason.

pub mod csvlog;
mod records;
pub mod webhook;

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;

use crate::domain::{Category, Direction};
use crate::phone::E164;
use crate::time::Zone;

/// Meta's own `pricing` object from a status webhook, kept for reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetaPricing {
    pub billable: Option<bool>,
    pub pricing_model: Option<String>,
    pub pricing_type: Option<String>,
    pub category: Option<String>,
}

/// One message of the log, normalized and packed into 32 bytes: an
/// unsorted log is held whole, so this is the memory per message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Unix seconds ([`parse_timestamp`](crate::time::parse_timestamp)
    /// accepts years 2000 to 2100 only, so they fit).
    secs: u32,
    /// 1-based line (saturates at `u32::MAX`).
    pub line: u32,
    /// Contact digits (50 bits), category (3 bits), flags (4 bits).
    packed: u64,
    /// Fingerprint of the message id ([`crate::hash::id_hash`]); 0 = none.
    /// Also the key of its [`Extra`] in [`Inputs`].
    pub id_hash: u64,
    /// Interned template name (0 = none).
    pub template_name: u32,
    /// Interned business number (0 = not given).
    pub business_number: u16,
    /// Index into [`Inputs::files`].
    pub file: u16,
}

fn clamp_secs(ts: i64) -> u32 {
    // In range by parse_timestamp's years 2000..=2100; 0 marks a row
    // already rejected for its timestamp.
    u32::try_from(ts.max(0)).unwrap_or(u32::MAX)
}

const CONTACT_BITS: u32 = 50;
const CONTACT_MASK: u64 = (1 << CONTACT_BITS) - 1;
const CATEGORY_SHIFT: u32 = CONTACT_BITS;
const OUTBOUND: u64 = 1 << 53;
const TEMPLATE: u64 = 1 << 54;
const FAILED: u64 = 1 << 55;
const ENTRY_POINT: u64 = 1 << 56;

impl Message {
    pub fn new(file: u16, line: u64, ts: i64, direction: Direction, contact: E164) -> Message {
        // E.164 has at most 15 digits: < 10^15 < 2^50.
        let mut packed = contact.value() & CONTACT_MASK;
        if direction == Direction::Outbound {
            packed |= OUTBOUND;
        }
        Message {
            secs: clamp_secs(ts),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            packed,
            id_hash: 0,
            template_name: 0,
            business_number: 0,
            file,
        }
    }

    /// Unix seconds.
    pub fn ts(&self) -> i64 {
        i64::from(self.secs)
    }

    pub fn set_ts(&mut self, ts: i64) {
        self.secs = clamp_secs(ts);
    }

    pub fn contact(&self) -> E164 {
        E164::from_digits_value(self.packed & CONTACT_MASK)
    }

    pub fn direction(&self) -> Direction {
        if self.packed & OUTBOUND != 0 {
            Direction::Outbound
        } else {
            Direction::Inbound
        }
    }

    pub fn is_template(&self) -> bool {
        self.packed & TEMPLATE != 0
    }

    /// Template category (templates only).
    pub fn category(&self) -> Option<Category> {
        let i = ((self.packed >> CATEGORY_SHIFT) & 0b111) as usize;
        i.checked_sub(1).and_then(|i| Category::ALL.get(i).copied())
    }

    /// Marks the message a template of `category`, or not a template (`None`).
    pub fn set_template(&mut self, category: Option<Category>) {
        self.packed &= !(TEMPLATE | (0b111 << CATEGORY_SHIFT));
        if let Some(c) = category {
            self.packed |= TEMPLATE | ((c.index() as u64 + 1) << CATEGORY_SHIFT);
        }
    }

    /// Not delivered: never billed.
    pub fn failed(&self) -> bool {
        self.packed & FAILED != 0
    }

    pub fn set_failed(&mut self, failed: bool) {
        self.set_flag(FAILED, failed);
    }

    /// Inbound from a free entry point (click-to-WhatsApp ad, page button).
    pub fn entry_point(&self) -> bool {
        self.packed & ENTRY_POINT != 0
    }

    pub fn set_entry_point(&mut self, entry_point: bool) {
        self.set_flag(ENTRY_POINT, entry_point);
    }

    fn set_flag(&mut self, flag: u64, on: bool) {
        if on {
            self.packed |= flag;
        } else {
            self.packed &= !flag;
        }
    }

    /// Everything but the position, as one comparable value: orders
    /// messages of the same second deterministically.
    pub fn content_key(&self) -> (u64, u64, u32, u16) {
        (
            self.packed,
            self.id_hash,
            self.template_name,
            self.business_number,
        )
    }
}

/// What only some commands need of a message: its id's text (detail rows,
/// reconcile) and Meta's pricing object (reconcile).
#[derive(Debug, Clone, Default)]
pub struct Extra {
    pub id: Box<str>,
    pub meta: Option<MetaPricing>,
}

/// A row that could not be used, and why. Never quotes a full number.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Rejected {
    pub file: String,
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
}

/// Which reader to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Csv,
    /// JSON Lines of webhook payloads (same reader as `webhook`).
    Jsonl,
    Webhook,
}

/// Interned strings shared by the readers (business numbers, templates).
#[derive(Debug, Default, Clone)]
pub struct Interner {
    names: Vec<String>,
    index: std::collections::HashMap<String, u32, crate::hash::BuildIntHasher>,
    /// The last names looked up: logs name a handful of business numbers
    /// and templates, row after row.
    recent: [u32; 4],
    next: usize,
}

impl Interner {
    pub fn new() -> Interner {
        Interner {
            names: vec![String::new()],
            index: Default::default(),
            recent: [0; 4],
            next: 0,
        }
    }

    pub fn get(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return 0;
        }
        for &i in &self.recent {
            if self.names.get(i as usize).is_some_and(|n| n == s) {
                return i;
            }
        }
        let i = match self.index.get(s) {
            Some(&i) => i,
            None => {
                let i = self.names.len() as u32;
                self.names.push(s.to_string());
                self.index.insert(s.to_string(), i);
                i
            }
        };
        self.recent[self.next] = i;
        self.next = (self.next + 1) % self.recent.len();
        i
    }

    pub fn name(&self, i: u32) -> &str {
        self.names.get(i as usize).map_or("", String::as_str)
    }
}

/// What the readers share: the time zone for naive times, file names and
/// interned strings.
#[derive(Debug)]
pub struct Inputs {
    pub zone: Zone,
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
    pub last_date: crate::time::LastDate,
}

impl Inputs {
    pub fn new(zone: Zone) -> Inputs {
        Inputs {
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

    /// Interns a business number; more than 65,535 distinct ones is an error
    /// of the row.
    pub fn business_number(&mut self, s: &str) -> Result<u16, String> {
        u16::try_from(self.business_numbers.get(s))
            .map_err(|_| "more than 65,535 distinct business numbers in one run".to_string())
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

/// Opens a path (`-` is stdin), transparently gunzipping `.gz` content.
pub fn open(path: &str) -> Result<Box<dyn BufRead>, InputError> {
    let raw: Box<dyn Read> = if path == "-" {
        Box::new(io::stdin().lock())
    } else {
        let f = std::fs::File::open(Path::new(path)).map_err(|source| InputError::Io {
            file: path.to_string(),
            source,
        })?;
        Box::new(f)
    };
    let mut br = BufReader::with_capacity(1 << 16, raw);
    let head = br.fill_buf().map_err(|source| InputError::Io {
        file: path.to_string(),
        source,
    })?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let gz = flate2::read::MultiGzDecoder::new(br);
        Ok(Box::new(BufReader::with_capacity(1 << 16, gz)))
    } else {
        Ok(Box::new(br))
    }
}

/// Guesses the format from the first bytes: JSON starts with `{` or `[`.
pub fn detect(reader: &mut dyn BufRead) -> io::Result<InputFormat> {
    let head = reader.fill_buf()?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    Ok(match first {
        Some(b'{' | b'[') => InputFormat::Webhook,
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
    let reader = open(path)?;
    let name = if path == "-" {
        "<stdin>".to_string()
    } else {
        path.to_string()
    };
    read_from(reader, &name, format, inputs, out, rejected)
}

/// Reads one already opened input named `name` (for messages): the readers
/// without the file system, for tests and fuzzing.
pub fn read_from(
    mut reader: Box<dyn BufRead>,
    name: &str,
    format: Option<InputFormat>,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let name = name.to_string();
    let format = match format {
        Some(f) => f,
        None => detect(&mut reader).map_err(|source| InputError::Io {
            file: name.clone(),
            source,
        })?,
    };
    if inputs.files.len() >= usize::from(u16::MAX) {
        return Err(InputError::Format {
            file: name,
            msg: "too many input files (at most 65535)".into(),
        });
    }
    let file_idx = inputs.files.len() as u16;
    inputs.files.push(name.clone());
    match format {
        InputFormat::Csv => csvlog::read(reader, &name, file_idx, inputs, out, rejected),
        InputFormat::Jsonl | InputFormat::Webhook => {
            webhook::read(reader, &name, file_idx, inputs, out, rejected)
        }
    }
}

/// Longest field value, in characters, that a reason quotes.
const QUOTE_MAX_CHARS: usize = 60;

/// Quotes an input field in a rejection reason, note or error: every
/// reader goes through this. Digit runs that could be a phone number are
/// masked ([`crate::phone::redact_digits`]; dates stay readable), and a
/// value longer than 60 characters is cut, with `…` and its full length:
/// `"mmm…" (1048576 bytes)`.
pub fn quote_field(s: &str) -> String {
    let r = crate::phone::redact_digits(s);
    match r.char_indices().nth(QUOTE_MAX_CHARS) {
        None => format!("{r:?}"),
        Some((cut, _)) => format!("{:?} ({} bytes)", format!("{}…", &r[..cut]), s.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::quote_field;

    #[test]
    fn quote_field_masks_numbers_and_keeps_words_and_times() {
        assert_eq!(quote_field("promo"), "\"promo\"");
        assert_eq!(quote_field(""), "\"\"");
        assert_eq!(
            quote_field("2026-10-05T10:00:00-03:00"),
            "\"2026-10-05T10:00:00-03:00\""
        );
        assert_eq!(quote_field("+55 11 91234-5678"), "\"+55 11 *****-**78\"");
        assert_eq!(quote_field("a\"b\nc"), "\"a\\\"b\\nc\"");
    }

    #[test]
    fn quote_field_cuts_long_values() {
        let long = "m".repeat(1 << 20);
        let q = quote_field(&long);
        assert_eq!(q, format!("\"{}…\" (1048576 bytes)", "m".repeat(60)));
        // Cut on characters, never inside one.
        let q = quote_field(&"ç".repeat(100));
        assert!(q.starts_with(&format!("\"{}…\"", "ç".repeat(60))), "{q}");
        assert!(q.ends_with("(200 bytes)"), "{q}");
        // A number cut in the middle is masked before the cut.
        let q = quote_field(&format!("{}5511912345678", "x".repeat(55)));
        assert!(!q.contains("55119"), "{q}");
        assert_eq!(
            quote_field(&"x".repeat(60)),
            format!("\"{}\"", "x".repeat(60))
        );
    }
}
