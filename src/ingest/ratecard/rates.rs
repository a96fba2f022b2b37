//! `Pricing.csv`: one row per market, one column per category.

use std::collections::{BTreeMap, HashMap};

use super::{
    alnum_key, card_mark, header_category, header_display, parse_rate, CardReader, ImportError,
    Imported, ImportedRate, RateCell, Row, RATES_HEADER, RATE_EXPECTED,
};
use crate::model::Category;

/// Where the header puts the currency and each category.
struct Columns {
    currency: usize,
    categories: BTreeMap<Category, usize>,
}

/// The columns the header names; other columns are warned about and ignored.
fn scan_header(
    header: &Row,
    warnings: &mut Vec<String>,
) -> Result<(Option<usize>, BTreeMap<Category, usize>), ImportError> {
    let mut currency = None;
    let mut categories = BTreeMap::new();
    for (i, cell) in header.cells.iter().enumerate().skip(1) {
        let name = header_display(cell);
        if name.is_empty() {
            continue;
        }
        if alnum_key(&name) == "currency" {
            currency = Some(i);
        } else if let Some(cat) = header_category(&name) {
            category_once(header, &mut categories, cat, i, name)?;
        } else {
            warnings.push(format!(
                "line {}, column {}: header {name:?} is not a column wacost reads; ignored (read: {RATES_HEADER})",
                header.line,
                i + 1
            ));
        }
    }
    Ok((currency, categories))
}

/// Notes the column of a category, which the header names once.
fn category_once(
    header: &Row,
    categories: &mut BTreeMap<Category, usize>,
    cat: Category,
    col: usize,
    name: String,
) -> Result<(), ImportError> {
    match categories.insert(cat, col) {
        None => Ok(()),
        Some(first) => Err(ImportError::BadHeader {
            line: header.line,
            column: col + 1,
            field: cat.to_string(),
            value: name,
            problem: format!("repeats column {}", first + 1),
            expected: format!("each category once: {RATES_HEADER}"),
        }),
    }
}

impl Columns {
    /// Reads the header: Currency, Marketing, Utility and Authentication are
    /// required; a card without Authentication-International or Service is
    /// read with a warning.
    fn read(header: &Row, warnings: &mut Vec<String>) -> Result<Columns, ImportError> {
        let (currency, categories) = scan_header(header, warnings)?;
        let missing = |field: &str| ImportError::MissingColumn {
            line: header.line,
            field: field.into(),
            found: found_columns(header),
            expected: RATES_HEADER.into(),
        };
        let currency = currency.ok_or_else(|| missing("Currency"))?;
        for (required, title) in [
            (Category::Marketing, "Marketing"),
            (Category::Utility, "Utility"),
            (Category::Authentication, "Authentication"),
        ] {
            if !categories.contains_key(&required) {
                return Err(missing(title));
            }
        }
        warnings.extend(optional_column_warnings(header, &categories));
        Ok(Columns {
            currency,
            categories,
        })
    }
}

/// The header's non-empty cells, for an error saying what was found.
fn found_columns(header: &Row) -> String {
    let cells: Vec<String> = header.cells.iter().map(|c| header_display(c)).collect();
    cells
        .into_iter()
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

fn optional_column_warnings(header: &Row, categories: &BTreeMap<Category, usize>) -> Vec<String> {
    let mut warnings = Vec::new();
    if !categories.contains_key(&Category::AuthenticationInternational) {
        warnings.push(format!(
            "line {}: no Authentication-International column (a card from before June 2024?): no authentication_international rows written",
            header.line
        ));
    }
    if !categories.contains_key(&Category::Service) {
        warnings.push(format!(
            "line {}: no Service column (older card layout): no service rows written; add service rates for this date by hand if they are not free",
            header.line
        ));
    }
    warnings
}

/// The market cell, which every row of a Pricing.csv card fills.
fn market_cell(row: &Row) -> Result<&str, ImportError> {
    let raw = row.cell(0);
    if raw.is_empty() {
        return Err(ImportError::value(
            row,
            0,
            "Market",
            "is empty",
            "a market name such as India or Rest of Africa on every row",
        ));
    }
    Ok(raw)
}

/// A Pricing.csv card being read.
struct RatesCard<'h> {
    header: &'h Row,
    columns: Columns,
    width: usize,
    /// Line of each market's row.
    seen: HashMap<String, u64>,
    rows: Vec<ImportedRate>,
}

impl<'h> RatesCard<'h> {
    /// Every rate cell of the data rows, for the card's decimal mark.
    fn rate_cells<'r>(&self, data: &'r [Row], card: &CardReader) -> Vec<RateCell<'r>> {
        let rows = data
            .iter()
            .filter(|r| !r.is_blank() && !r.is_note(card.markets));
        rows.flat_map(|row| {
            self.columns
                .categories
                .values()
                .map(move |&col| (row, col, header_display(self.header.cell(col))))
        })
        .collect()
    }

    /// Reads one market's row: its currency, then one rate per category column.
    fn read_row(&mut self, row: &Row, card: &mut CardReader) -> Result<(), ImportError> {
        let raw_market = market_cell(row)?;
        let code = card.currency(row, self.columns.currency)?;
        let market = card.market_name(raw_market, row.line);
        self.check_once(row, &market)?;
        card.warnings.extend(self.short_row_warning(row, &market));
        for (&category, &col) in &self.columns.categories {
            let rate = parse_rate(row.cell(col), Some(code), card.mark).map_err(|problem| {
                let field = header_display(self.header.cell(col));
                ImportError::value(row, col, field, problem, RATE_EXPECTED)
            })?;
            self.rows.push(ImportedRate {
                market: market.clone(),
                category,
                rate,
            });
        }
        Ok(())
    }

    /// A row with fewer cells than the header: the missing cells are n/a.
    fn short_row_warning(&self, row: &Row, market: &str) -> Option<String> {
        (row.cells.len() < self.width).then(|| {
            format!(
                "line {}: {market} has {} fields but the header has {}; the missing cells are read as n/a",
                row.line,
                row.cells.len(),
                self.width
            )
        })
    }

    /// A market has one row per card.
    fn check_once(&mut self, row: &Row, market: &str) -> Result<(), ImportError> {
        match self.seen.insert(market.to_string(), row.line) {
            None => Ok(()),
            Some(first_line) => Err(ImportError::Duplicate {
                line: row.line,
                column: 1,
                field: "Market".into(),
                value: row.cell(0).into(),
                what: format!("market {market}"),
                what_kind: "market".into(),
                first_line,
            }),
        }
    }
}

/// Reads a Pricing.csv card's header and data rows.
pub(super) fn parse(
    header: &Row,
    data: &[Row],
    card: &mut CardReader,
) -> Result<Imported, ImportError> {
    let mut rates = RatesCard {
        header,
        columns: Columns::read(header, &mut card.warnings)?,
        width: header.width(),
        seen: HashMap::new(),
        rows: Vec::new(),
    };
    card.mark = card_mark(&rates.rate_cells(data, card))?;
    for row in data {
        if row.is_blank() || card.skip_note(row, "a market") {
            continue;
        }
        rates.read_row(row, card)?;
    }
    Ok(Imported::Rates {
        currency: card.card_currency(header)?,
        rows: rates.rows,
    })
}
