//! `wacost market`: the country and Meta market of phone numbers.

use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;

use super::{date_or_today, to_stdout, Exit, Global};
use crate::data::Pricing;
use crate::model::phone::{Numbers, Privacy};
use crate::model::redact::redact_digits;
use crate::report::market::{self, Lookup};

#[derive(Debug, Args)]
pub struct MarketArgs {
    /// Phone numbers: +55 (11) 98765-4321, 5511987654321, 0055...
    #[arg(required = true, value_name = "NUMBER")]
    pub numbers: Vec<String>,
    /// Date of the market map to use (YYYY-MM-DD) [default: today in --tz]
    #[arg(long, value_name = "DATE", value_parser = super::parse_date)]
    pub at: Option<NaiveDate>,
}

pub fn run(g: &Global, a: &MarketArgs) -> Result<Exit> {
    let pricing = g.pricing()?;
    let date = date_or_today(a.at, g)?;
    // Masked by default like every output: the market stays readable.
    let privacy = g.privacy()?;
    let mut numbers = Numbers::new(g.default_country()?);
    let lookups: Vec<Lookup> = a
        .numbers
        .iter()
        .map(|raw| look_up(&pricing, &privacy, &mut numbers, raw, date))
        .collect();
    if lookups.iter().all(|l| matches!(l, Lookup::Failed { .. })) {
        return Ok(Exit::Usage);
    }
    to_stdout(|w| market::render(&lookups, date, g.format(), w))?;
    Ok(Exit::Ok)
}

/// One number's market, or why it has none (said on stderr too, redacted).
/// Numbers are read as the CSV readers read them: a national one only in
/// `--default-country`, said on stderr.
fn look_up(
    pricing: &Pricing,
    privacy: &Privacy,
    numbers: &mut Numbers,
    raw: &str,
    date: NaiveDate,
) -> Lookup {
    let read = numbers.read(raw).map_err(|e| e.to_string());
    if let (Ok(r), Some(cc)) = (&read, numbers.default_country()) {
        if r.assumed {
            eprintln!(
                "wacost: {:?}: read as a national number of {}",
                redact_digits(raw),
                cc.code()
            );
        }
    }
    let res = read.map(|r| r.number).and_then(|n| {
        let r = pricing
            .markets
            .resolve(n, date)
            .map_err(|e| e.to_string())?;
        Ok((n, r))
    });
    match res {
        Ok((n, r)) => Lookup::Found {
            number: privacy.render(n, r.cc_len),
            country: r.country_str().to_string(),
            market: pricing.markets.name(r.market).to_string(),
        },
        Err(e) => {
            eprintln!("wacost: {:?}: {e}", redact_digits(raw));
            Lookup::Failed {
                number: redact_digits(raw),
                error: e,
            }
        }
    }
}
