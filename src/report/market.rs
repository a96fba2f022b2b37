//! `wacost market`: the country and Meta market of each number, or why it
//! has none.

use std::io::{self, Write};

use chrono::NaiveDate;

use super::columns::{Column, Empty, Row, Show};
use super::{render, Format};

/// One number as given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The number as privacy renders it, its ISO country and market.
    Found {
        number: String,
        country: String,
        market: String,
    },
    /// The number with its digits redacted, and why it has no market.
    Failed { number: String, error: String },
}

fn columns() -> Vec<Column> {
    vec![
        Column::text("number"),
        Column::text("country").empty(Empty::Omit),
        Column::text("market").empty(Empty::Omit).only(Show::DATA),
        Column::text("market_or_error")
            .header("market")
            .only(Show::TABLE),
        Column::text("error").empty(Empty::Omit).only(Show::DATA),
    ]
}

fn row(l: &Lookup) -> Row {
    match l {
        Lookup::Found {
            number,
            country,
            market,
        } => vec![
            number.clone().into(),
            country.clone().into(),
            market.clone().into(),
            market.clone().into(),
            "".into(),
        ],
        Lookup::Failed { number, error } => vec![
            number.clone().into(),
            "".into(),
            "".into(),
            format!("error: {error}").into(),
            error.clone().into(),
        ],
    }
}

/// The look-ups in the order given; the table names the market map's date.
pub fn render(
    lookups: &[Lookup],
    at: NaiveDate,
    format: Format,
    w: &mut dyn Write,
) -> io::Result<()> {
    let rows: Vec<Row> = lookups.iter().map(row).collect();
    match format {
        Format::Json => render::write_json(w, &render::json_array(&columns(), &rows)),
        Format::Csv => render::csv(w, &columns(), &rows),
        Format::Parquet => super::parquet::write(w, &columns(), &rows),
        Format::Xlsx => super::xlsx::write_one(w, "Markets", &columns(), &rows, ""),
        Format::Table => {
            writeln!(w, "{}", render::table_of(&columns(), &rows, false))?;
            writeln!(w, "Market map in force on {at}")
        }
        Format::Html => Err(Format::no_page("the market look-up")),
    }
}
