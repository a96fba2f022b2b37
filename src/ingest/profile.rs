//! Reader profiles: how one provider's export names its columns and writes
//! its words, as data. Bundled profiles are `profiles/*.toml` (compiled
//! in, like the pricing data); `--map FILE` is the same shape for any other
//! export; `profiles/builtin.toml` holds the Portuguese and Spanish words
//! every file is read with. A new provider is a TOML file and a fixture.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::toolkit::header::{folded_lower, normalise};
use super::toolkit::status::parse_status;
use super::InputError;

pub mod missing;

/// The bundled profiles, by the names `--profile` takes.
const BUNDLED: &[(&str, &str)] = &[
    ("twilio", include_str!("../../profiles/twilio.toml")),
    ("gupshup", include_str!("../../profiles/gupshup.toml")),
    ("360dialog", include_str!("../../profiles/360dialog.toml")),
    ("infobip", include_str!("../../profiles/infobip.toml")),
    ("zenvia", include_str!("../../profiles/zenvia.toml")),
    ("blip", include_str!("../../profiles/blip.toml")),
    ("wati", include_str!("../../profiles/wati.toml")),
    ("chatwoot", include_str!("../../profiles/chatwoot.toml")),
    ("respondio", include_str!("../../profiles/respondio.toml")),
    ("vonage", include_str!("../../profiles/vonage.toml")),
    ("ycloud", include_str!("../../profiles/ycloud.toml")),
    ("kaleyra", include_str!("../../profiles/kaleyra.toml")),
];

/// The words and column names every CSV log is read with.
const BUILTIN: &str = include_str!("../../profiles/builtin.toml");

/// The names `--profile` accepts.
pub fn names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}

/// The fields a profile may name: the CSV reader's columns and the two
/// columns a customer is read from by direction.
pub const FIELDS: &[&str] = &[
    "timestamp",
    "direction",
    "contact",
    "type",
    "category",
    "id",
    "status",
    "entry_point",
    "business_number",
    "template",
    "waba_id",
    "delivered_at",
    "user_id",
    "group_id",
    "charged_price",
    "max_price",
    "price_currency",
    "from",
    "to",
];

/// One profile or `--map` file, as written in TOML.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Written {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    source: Vec<String>,
    #[serde(default)]
    detect: Vec<Vec<String>>,
    #[serde(default)]
    columns: BTreeMap<String, Names>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, Names>>,
    #[serde(default)]
    constants: BTreeMap<String, String>,
    #[serde(default)]
    ignore: Vec<String>,
}

/// One name or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    fn list(&self) -> &[String] {
        match self {
            Names::One(s) => std::slice::from_ref(s),
            Names::Many(v) => v,
        }
    }
}

/// A profile ready for reading: header names normalised as the reader
/// normalises headers, value words folded.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub name: String,
    pub description: String,
    /// Where the shape is documented.
    pub source: Vec<String>,
    /// Header signatures: a header holding every name of one of them is
    /// this provider's export.
    pub detect: Vec<Vec<String>>,
    /// field -> the header names it may have, in order of preference.
    pub columns: BTreeMap<String, Vec<String>>,
    /// field -> its words.
    pub values: BTreeMap<String, Words>,
    /// field -> the value of every row when the file has no such column.
    pub constants: BTreeMap<String, String>,
    /// Columns known and deliberately not read (not noted as unread).
    pub ignore: Vec<String>,
}

/// Where a run's profile comes from, for the note that names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `--profile NAME`.
    Given,
    /// `--map FILE`.
    Map(String),
}

/// The profile a run was told to use.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub profile: Profile,
    pub origin: Origin,
}

impl Profile {
    /// A bundled profile by name.
    pub fn bundled(name: &str) -> Result<Profile, InputError> {
        let key = name
            .trim()
            .to_ascii_lowercase()
            .replace(['-', '.', ' '], "");
        let key = if key == "respond" { "respondio" } else { &key };
        bundled_all()
            .iter()
            .find(|p| p.name == key)
            .cloned()
            .ok_or_else(|| InputError::Format {
                file: format!("--profile {name}"),
                msg: format!("no such profile (known: {})", names().join(", ")),
            })
    }

    /// A `--map FILE`: the profile shape, read from a file.
    pub fn map_file(path: &str) -> Result<Profile, InputError> {
        let text = std::fs::read_to_string(path).map_err(|source| InputError::Io {
            file: path.to_string(),
            source,
        })?;
        Profile::parse(&text).map_err(|msg| InputError::Format {
            file: path.to_string(),
            msg,
        })
    }

    /// Reads a profile's TOML and checks its fields and words.
    pub fn parse(text: &str) -> Result<Profile, String> {
        let w: Written = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut p = Profile {
            name: w.name,
            description: w.description,
            source: w.source,
            detect: w.detect.iter().map(|s| normalised(s)).collect(),
            ignore: normalised(&w.ignore),
            ..Profile::default()
        };
        for (field, names) in &w.columns {
            p.columns
                .insert(known_field(field)?.to_string(), normalised(names.list()));
        }
        for (field, words) in &w.values {
            p.values.insert(field.clone(), words_of(field, words)?);
        }
        for (field, value) in w.constants {
            p.constants.insert(known_field(&field)?.to_string(), value);
        }
        Ok(p)
    }

    /// The header names a field may have in this profile.
    pub fn names_of(&self, field: &str) -> &[String] {
        self.columns.get(field).map_or(&[], Vec::as_slice)
    }

    /// Whether a normalised header holds every name of one signature.
    fn matches(&self, headers: &[String]) -> bool {
        self.detect
            .iter()
            .any(|sig| !sig.is_empty() && sig.iter().all(|n| headers.contains(n)))
    }
}

/// Every bundled profile, parsed once.
fn bundled_all() -> &'static [Profile] {
    static ALL: OnceLock<Vec<Profile>> = OnceLock::new();
    ALL.get_or_init(|| {
        BUNDLED
            .iter()
            .filter_map(|(_, text)| Profile::parse(text).ok())
            .collect()
    })
}

/// The Portuguese and Spanish column names and words, parsed once.
pub fn builtin() -> &'static Profile {
    static B: OnceLock<Profile> = OnceLock::new();
    B.get_or_init(|| Profile::parse(BUILTIN).unwrap_or_default())
}

/// What a header says about which provider wrote it.
#[derive(Debug)]
pub enum Detected {
    None,
    One(&'static Profile),
    /// Several profiles' signatures are in the header: none is used.
    Ambiguous(Vec<&'static str>),
}

/// The bundled profile whose signature a normalised header holds.
pub fn detect(headers: &[String]) -> Detected {
    let found: Vec<&'static Profile> = bundled_all()
        .iter()
        .filter(|p| p.matches(headers))
        .collect();
    match found.as_slice() {
        [] => Detected::None,
        [one] => Detected::One(one),
        many => Detected::Ambiguous(many.iter().map(|p| p.name.as_str()).collect()),
    }
}

fn normalised(names: &[String]) -> Vec<String> {
    names.iter().map(|n| normalise(n)).collect()
}

fn known_field(field: &str) -> Result<&'static str, String> {
    let f = normalise(field);
    FIELDS
        .iter()
        .find(|k| **k == f)
        .copied()
        .ok_or_else(|| format!("unknown field {field:?} (known: {})", FIELDS.join(", ")))
}

/// The words of one field's `[values.FIELD]` table: canonical word ->
/// the export's words for it.
fn words_of(field: &str, table: &BTreeMap<String, Names>) -> Result<Words, String> {
    let mut words = Words::default();
    for (canonical, list) in table {
        let canonical = canonical_word(field, canonical)?;
        for w in list.list() {
            words.add(w, canonical);
        }
    }
    Ok(words)
}

/// A canonical word of a field as the reader's parsers take it.
fn canonical_word<'a>(field: &str, word: &'a str) -> Result<&'a str, String> {
    let ok = match field {
        "direction" => ["inbound", "outbound"].contains(&word),
        "category" => [
            "marketing",
            "utility",
            "authentication",
            "authentication_international",
            "service",
        ]
        .contains(&word),
        "status" => parse_status(word).is_some(),
        "type" | "entry_point" => !word.is_empty(),
        _ => {
            return Err(format!(
            "[values.{field}]: only direction, type, category, status and entry_point have words"
        ))
        }
    };
    if ok {
        Ok(word)
    } else {
        Err(format!(
            "[values.{field}]: {word:?} is not a {field} wacost reads"
        ))
    }
}

/// One field's words: the export's word (folded, lower case) -> the word
/// the reader understands. The per-row look-up does not allocate on ASCII
/// cells, and most cells miss a 256-bit filter of (length, first byte).
#[derive(Debug, Clone, Default)]
pub struct Words {
    pairs: Vec<(Box<str>, Box<str>)>,
    filter: [u64; 4],
    /// The meaning of any other non-empty cell (the word `*`).
    any: Option<Box<str>>,
}

impl Words {
    /// Adds an export's word for `canonical`; a word already given keeps
    /// its first meaning (a map's words come before the built-in ones).
    pub fn add(&mut self, word: &str, canonical: &str) {
        let w = folded_lower(word);
        if w == "*" {
            self.any.get_or_insert_with(|| canonical.into());
            return;
        }
        if w.is_empty() || self.pairs.iter().any(|(x, _)| **x == *w) {
            return;
        }
        if w.is_ascii() {
            let k = filter_key(w.len(), w.as_bytes()[0]);
            self.filter[k / 64] |= 1 << (k % 64);
        }
        self.pairs.push((w.into(), canonical.into()));
    }

    /// Every word of `other` not given here yet.
    pub fn extend(&mut self, other: &Words) {
        for (w, c) in &other.pairs {
            self.add(w, c);
        }
        if let Some(any) = &other.any {
            self.any.get_or_insert_with(|| any.clone());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.any.is_none()
    }

    /// The canonical word of a cell, if it is one of these words.
    #[inline]
    pub fn get(&self, cell: &str) -> Option<&str> {
        if self.is_empty() {
            return None;
        }
        let cell = crate::text::trim(cell);
        let b = cell.as_bytes();
        let first = *b.first()?;
        let hit = if !cell.is_ascii() {
            self.find(|w| folded_eq(cell, w))
        } else if self.filter[filter_key(b.len(), first) / 64]
            & (1 << (filter_key(b.len(), first) % 64))
            == 0
        {
            None
        } else {
            self.find(|w| w.eq_ignore_ascii_case(cell))
        };
        hit.or(self.any.as_deref())
    }

    fn find(&self, hit: impl Fn(&str) -> bool) -> Option<&str> {
        self.pairs.iter().find(|(w, _)| hit(w)).map(|(_, c)| &**c)
    }
}

#[inline]
fn filter_key(len: usize, first: u8) -> usize {
    ((len & 7) << 5) | usize::from(first.to_ascii_lowercase() & 31)
}

/// Whether `cell`, lower-cased with its accents folded, is `word` (itself
/// folded), without allocating.
fn folded_eq(cell: &str, word: &str) -> bool {
    let mut w = word.chars();
    for c in cell.chars().flat_map(char::to_lowercase) {
        if w.next() != Some(unaccent(c)) {
            return false;
        }
    }
    w.next().is_none()
}

/// A lower-case letter without its accent (Portuguese and Spanish).
fn unaccent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' => 'a',
        'é' | 'ê' | 'è' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ô' | 'õ' | 'ò' | 'ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ñ' => 'n',
        c => c,
    }
}

#[cfg(test)]
mod tests;
