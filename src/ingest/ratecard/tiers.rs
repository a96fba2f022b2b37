//! `Tier Pricing.csv`: per market, one row per volume band, five columns
//! (From, To, Rate type, Rate, vs. List rate) per category group.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use rust_decimal::Decimal;

use super::{
    alnum_key, card_mark, collapse, header_category, is_na, parse_rate, CardReader, DecimalMark,
    ImportError, Imported, ImportedTier, RateCell, Row, RATE_EXPECTED, TIER_HEADER,
};
use crate::model::Category;

const VOLUME_EXPECTED: &str = "a whole number of messages such as 25000001 or 25,000,001";
const GROUP_COLUMNS: [(&str, &str); 5] = [
    ("from", "From"),
    ("to", "To"),
    ("ratetype", "Rate type"),
    ("rate", "Rate"),
    ("vslistrate", "vs. List rate"),
];
const DEFAULT_GROUPS: [Category; 3] = [
    Category::Utility,
    Category::Authentication,
    Category::AuthenticationInternational,
];

/// A category as the group row of Tier Pricing.csv names it.
fn group_title(category: Category) -> &'static str {
    match category {
        Category::Marketing => "Marketing",
        Category::Utility => "Utility",
        Category::Authentication => "Authentication",
        Category::AuthenticationInternational => "Auth-Intl",
        Category::Service => "Service",
    }
}

/// First column (0-based) of group `g`.
fn group_base(g: usize) -> usize {
    2 + 5 * g
}

/// Parses a volume cell (`25,000,001`, `25000001`; `25.000.001` on a card
/// with decimal commas); `Ok(None)` for `--`/empty.
fn parse_volume(cell: &str, mark: Option<DecimalMark>) -> Result<Option<u64>, String> {
    let grouped = match mark {
        Some(DecimalMark::Comma) => cell.trim().replace('.', ","),
        _ => cell.trim().to_string(),
    };
    let s = grouped.as_str();
    if is_na(s) || s == "\u{221e}" {
        return Ok(None);
    }
    let ok = !s.starts_with(',')
        && !s.ends_with(',')
        && !s.contains(",,")
        && s.chars().all(|c| c.is_ascii_digit() || c == ',');
    if !ok {
        return Err(if s.starts_with('-') {
            "is negative".into()
        } else {
            "is not a whole number".into()
        });
    }
    // Western (25,000,001) and Indian (2,50,00,001) grouping both reduce to digits.
    s.replace(',', "")
        .parse::<u64>()
        .map(Some)
        .map_err(|e| format!("is not a usable count ({e})"))
}

/// Parses `0%`, `-5%`, `-12.5 %`.
fn parse_percent(cell: &str) -> Option<Decimal> {
    let s = cell
        .trim()
        .strip_suffix('%')?
        .trim()
        .replace('\u{2212}', "-");
    Decimal::from_str(&s).ok()
}

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

/// Number of category groups: the header is 2 + 5 columns per group.
fn group_count(header: &Row) -> Result<usize, ImportError> {
    let width = header.width();
    if width < 7 || !(width - 2).is_multiple_of(5) {
        return Err(ImportError::BadHeader {
            line: header.line,
            column: width,
            field: "(column count)".into(),
            value: width.to_string(),
            problem: "columns is not 2 + 5 per category group".into(),
            expected: format!("17 columns: {TIER_HEADER}"),
        });
    }
    Ok((width - 2) / 5)
}

/// Every group's columns are From, To, Rate type, Rate, vs. List rate.
fn check_group_columns(header: &Row, groups: usize) -> Result<(), ImportError> {
    for g in 0..groups {
        for (k, (key, title)) in GROUP_COLUMNS.iter().enumerate() {
            let col = group_base(g) + k;
            let cell = header.cell(col);
            if alnum_key(cell) != *key {
                return Err(ImportError::BadHeader {
                    line: header.line,
                    column: col + 1,
                    field: (*title).into(),
                    value: collapse(cell),
                    problem: "is not the expected column".into(),
                    expected: format!("{title} here ({TIER_HEADER})"),
                });
            }
        }
    }
    Ok(())
}

/// The categories of the groups, from the group row above the header
/// (`,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,`), or Meta's usual three
/// with a warning; each named once.
fn group_categories(
    preamble: &[Row],
    header: &Row,
    groups: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Category>, ImportError> {
    let (group_line, categories) = match group_row(preamble, groups) {
        Some(found) => found,
        None => (header.line, default_groups(header, groups, warnings)?),
    };
    let mut seen = HashSet::new();
    match categories.iter().position(|cat| !seen.insert(*cat)) {
        None => Ok(categories),
        Some(g) => Err(ImportError::BadHeader {
            line: group_line,
            column: group_base(g) + 1,
            field: "category group".into(),
            value: group_title(categories[g]).into(),
            problem: "names a category twice".into(),
            expected: "each of Utility, Authentication, Auth-Intl once".into(),
        }),
    }
}

/// The last preamble row naming a category above every group: (its line, the categories).
fn group_row(preamble: &[Row], groups: usize) -> Option<(u64, Vec<Category>)> {
    preamble.iter().rev().find_map(|row| {
        (0..groups)
            .map(|g| header_category(row.cell(group_base(g))))
            .collect::<Option<Vec<_>>>()
            .map(|cats| (row.line, cats))
    })
}

/// Without a group row: Utility, Authentication, Auth-Intl from left to right.
fn default_groups(
    header: &Row,
    groups: usize,
    warnings: &mut Vec<String>,
) -> Result<Vec<Category>, ImportError> {
    if groups > DEFAULT_GROUPS.len() {
        return Err(ImportError::MissingColumn {
            line: header.line,
            field: "category group row".into(),
            found: format!("{groups} groups and no row naming them"),
            expected: "a row above the header like ,,Utility,,,,,Authentication,,,,,Auth-Intl,,,,"
                .into(),
        });
    }
    warnings.push(format!(
        "lines 1-{}: no group row naming the categories above the header; assumed Utility, Authentication, Auth-Intl from left to right",
        header.line.saturating_sub(1)
    ));
    Ok(DEFAULT_GROUPS.iter().take(groups).copied().collect())
}

// ---------------------------------------------------------------------------------------------
// One band
// ---------------------------------------------------------------------------------------------

/// The five cells of one category group on one row.
struct BandCells<'r> {
    row: &'r Row,
    base: usize,
    category: Category,
    /// The card's decimal mark.
    mark: Option<DecimalMark>,
}

/// One band as read, before the ladder checks.
struct Band {
    from: u64,
    to: Option<u64>,
    rate: Decimal,
}

impl BandCells<'_> {
    fn cell(&self, k: usize) -> &str {
        self.row.cell(self.base + k)
    }

    /// Every cell of the group says "no band" (`n/a`, `--`, empty).
    fn is_empty(&self) -> bool {
        (0..5).all(|k| is_na(self.cell(k)))
    }

    fn bad(&self, k: usize, problem: impl Into<String>, expected: &str) -> ImportError {
        let field = format!("{} {}", group_title(self.category), GROUP_COLUMNS[k].1);
        ImportError::value(self.row, self.base + k, field, problem, expected)
    }

    fn from(&self) -> Result<u64, ImportError> {
        match parse_volume(self.cell(0), self.mark) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(self.bad(
                0,
                "gives no start although the band has other cells",
                VOLUME_EXPECTED,
            )),
            Err(p) => Err(self.bad(0, p, VOLUME_EXPECTED)),
        }
    }

    fn to(&self, from: u64) -> Result<Option<u64>, ImportError> {
        let to = parse_volume(self.cell(1), self.mark).map_err(|p| {
            self.bad(
                1,
                p,
                "a whole number of messages, or -- or empty for no upper bound",
            )
        })?;
        match to {
            Some(to) if to < from => Err(self.bad(
                1,
                format!("is below the band's From ({from})"),
                "a To at or above From, or -- for no upper bound",
            )),
            _ => Ok(to),
        }
    }

    /// `LIST`, `TIER` or empty, upper-cased.
    fn rate_type(&self) -> Result<String, ImportError> {
        let kind = self.cell(2).to_ascii_uppercase();
        if !matches!(kind.as_str(), "LIST" | "TIER" | "") {
            return Err(self.bad(2, "is not a rate type", "LIST or TIER"));
        }
        Ok(kind)
    }

    fn rate(&self, currency: &str) -> Result<Decimal, ImportError> {
        match parse_rate(self.cell(3), Some(currency), self.mark) {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(self.bad(3, "is missing for a band", RATE_EXPECTED)),
            Err(p) => Err(self.bad(3, p, RATE_EXPECTED)),
        }
    }

    /// The `vs. List rate` cell is only checked, never used: a warning when it is
    /// no percentage or a LIST band shows a discount.
    fn vs_list_warning(&self, kind: &str) -> Option<String> {
        let cell = self.cell(4);
        if cell.is_empty() {
            return None;
        }
        let at = format!(
            "line {}, column {} (`{} vs. List rate`)",
            self.row.line,
            self.base + 5,
            group_title(self.category)
        );
        match parse_percent(cell) {
            None => Some(format!(
                "{at}: {cell:?} is not a percentage like -5%; ignored"
            )),
            Some(p) if kind == "LIST" && !p.is_zero() => {
                Some(format!("{at}: a LIST band shows a {p}% discount"))
            }
            Some(_) => None,
        }
    }

    /// Reads the band, warnings into `warnings`.
    fn read(&self, currency: &str, warnings: &mut Vec<String>) -> Result<Band, ImportError> {
        let from = self.from()?;
        let to = self.to(from)?;
        let kind = self.rate_type()?;
        let rate = self.rate(currency)?;
        warnings.extend(self.vs_list_warning(&kind));
        Ok(Band { from, to, rate })
    }
}

// ---------------------------------------------------------------------------------------------
// Ladders
// ---------------------------------------------------------------------------------------------

/// The bands read so far, with what the checks across rows need.
#[derive(Default)]
struct Ladders {
    /// Line of each (market, category, From).
    seen: HashMap<(String, Category, u64), u64>,
    /// Last band so far of each ladder: (its To, its line).
    last_band: HashMap<(String, Category), (Option<u64>, u64)>,
    rows: Vec<ImportedTier>,
}

/// Why a band does not continue its ladder: (problem, expected). Bands must tile
/// the month: the first from message 0 or 1, each next one right after the
/// previous To (what pricing/tiers loading demands).
fn tiling_problem(
    last: Option<(Option<u64>, u64)>,
    ladder: &str,
    from: u64,
) -> Option<(String, String)> {
    match last {
        None if from <= 1 => None,
        None => Some((
            format!("starts the {ladder} ladder above message 1"),
            "0 or 1 on a market's first band".to_string(),
        )),
        Some((Some(prev_to), _)) if Some(from) == prev_to.checked_add(1) => None,
        Some((Some(prev_to), prev_line)) => Some((
            format!(
                "does not follow the band ending at {prev_to} on line {prev_line} ({})",
                if from > prev_to { "gap" } else { "overlap" }
            ),
            format!("{} (the previous To + 1)", prev_to.saturating_add(1)),
        )),
        Some((None, prev_line)) => Some((
            format!("follows the unbounded band on line {prev_line}"),
            "no further band after a band whose To is -- or empty".to_string(),
        )),
    }
}

impl Ladders {
    /// Adds a band of `market` after checking it is new and continues its ladder.
    fn add(&mut self, market: &str, cells: &BandCells, band: Band) -> Result<(), ImportError> {
        self.check_new(market, cells, band.from)?;
        let ladder = (market.to_string(), cells.category);
        let last = self.last_band.get(&ladder).copied();
        let name = format!("{market} {}", cells.category);
        if let Some((problem, expected)) = tiling_problem(last, &name, band.from) {
            return Err(cells.bad(0, problem, &expected));
        }
        self.last_band.insert(ladder, (band.to, cells.row.line));
        self.rows.push(ImportedTier {
            market: market.to_string(),
            category: cells.category,
            from: band.from,
            to: band.to,
            rate: band.rate,
        });
        Ok(())
    }

    /// A market's ladder of a category has one band starting at `from`.
    fn check_new(&mut self, market: &str, cells: &BandCells, from: u64) -> Result<(), ImportError> {
        let (category, line) = (cells.category, cells.row.line);
        let Some(first_line) = self.seen.insert((market.to_string(), category, from), line) else {
            return Ok(());
        };
        Err(ImportError::Duplicate {
            line,
            column: cells.base + 1,
            field: format!("{} From", group_title(category)),
            value: cells.cell(0).into(),
            what: format!("the {market} {category} band from {from}"),
            what_kind: "market, category and From".into(),
            first_line,
        })
    }

    /// Warns about ladders whose last band has an upper bound.
    fn open_end_warnings(&self) -> Vec<String> {
        let mut last: BTreeMap<(&str, Category), Option<u64>> = BTreeMap::new();
        for r in &self.rows {
            last.insert((r.market.as_str(), r.category), r.to);
        }
        last.into_iter()
            .filter_map(|((market, category), to)| {
                to.map(|to| {
                    format!("{market} {category}: the last band ends at {to}; no rate for messages above it")
                })
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The card
// ---------------------------------------------------------------------------------------------

/// A Tier Pricing.csv card being read.
struct TiersCard {
    categories: Vec<Category>,
    /// The market of the rows: named on its first row, carried to the next ones.
    market: Option<String>,
    ladders: Ladders,
}

impl TiersCard {
    /// The `Rate` cell of every group of the data rows, for the card's decimal mark.
    fn rate_cells<'r>(&self, data: &'r [Row], card: &CardReader) -> Vec<RateCell<'r>> {
        let rows = data
            .iter()
            .filter(|r| !r.is_blank() && !r.is_note(card.markets));
        rows.flat_map(|row| {
            self.categories
                .iter()
                .enumerate()
                .map(move |(g, &c)| (row, group_base(g) + 3, format!("{} Rate", group_title(c))))
        })
        .collect()
    }

    fn read_row(&mut self, row: &Row, card: &mut CardReader) -> Result<(), ImportError> {
        if row.is_blank() {
            return Ok(());
        }
        if card.skip_note(row, "a band") {
            // Rows after a note must name their market again.
            self.market = None;
            return Ok(());
        }
        let market = self.current_market(row, card)?;
        if row.only_first() {
            return Ok(()); // the market's name on a row of its own; its bands follow
        }
        let code = card.currency(row, 1)?;
        let mark = card.mark;
        self.read_bands(row, &market, (code, mark), &mut card.warnings)
    }

    /// The bands of a row, one per category group that has cells.
    fn read_bands(
        &mut self,
        row: &Row,
        market: &str,
        (currency, mark): (&str, Option<DecimalMark>),
        warnings: &mut Vec<String>,
    ) -> Result<(), ImportError> {
        for (g, &category) in self.categories.iter().enumerate() {
            let base = group_base(g);
            let cells = BandCells {
                row,
                base,
                category,
                mark,
            };
            if !cells.is_empty() {
                let band = cells.read(currency, warnings)?;
                self.ladders.add(market, &cells, band)?;
            }
        }
        Ok(())
    }

    /// The row's market: its own first cell, or the one carried from above.
    fn current_market(&mut self, row: &Row, card: &mut CardReader) -> Result<String, ImportError> {
        let raw = row.cell(0);
        if !raw.is_empty() {
            self.market = Some(card.market_name(raw, row.line));
        }
        self.market.clone().ok_or_else(|| {
            ImportError::value(
                row,
                0,
                "Market (per rate card)",
                "is empty and no earlier row named a market",
                "the market name on the first row of each market's bands",
            )
        })
    }
}

/// Reads a Tier Pricing.csv card: the preamble's group row, the header and the bands.
pub(super) fn parse(
    preamble: &[Row],
    header: &Row,
    data: &[Row],
    card: &mut CardReader,
) -> Result<Imported, ImportError> {
    let groups = group_count(header)?;
    check_group_columns(header, groups)?;
    let mut tiers = TiersCard {
        categories: group_categories(preamble, header, groups, &mut card.warnings)?,
        market: None,
        ladders: Ladders::default(),
    };
    card.mark = card_mark(&tiers.rate_cells(data, card))?;
    for row in data {
        tiers.read_row(row, card)?;
    }
    let currency = card.card_currency(header)?;
    card.warnings.extend(tiers.ladders.open_end_warnings());
    Ok(Imported::Tiers {
        currency,
        rows: tiers.ladders.rows,
    })
}
