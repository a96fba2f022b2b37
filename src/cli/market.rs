//! `wacost market`: the country and Meta market of phone numbers.

use std::io::{self, Write};

use anyhow::Result;
use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde_json::json;

use super::{exit, Global};
use crate::model::phone::E164;
use crate::model::redact::redact_digits;
use crate::model::time::parse_date;
use crate::report::Format;

#[derive(Debug, Args)]
pub struct MarketArgs {
    /// Phone numbers: +55 (11) 98765-4321, 5511987654321, 0055...
    #[arg(required = true, value_name = "NUMBER")]
    pub numbers: Vec<String>,
    /// Date of the market map to use (YYYY-MM-DD) [default: today in --tz]
    #[arg(long, value_name = "DATE")]
    pub at: Option<String>,
}

pub fn run(g: &Global, a: &MarketArgs) -> Result<u8> {
    let pricing = g.pricing()?;
    let mut zone = g.zone()?;
    let date = match &a.at {
        Some(s) => {
            parse_date(s).ok_or_else(|| anyhow::anyhow!("--at {s:?} is not a YYYY-MM-DD date"))?
        }
        None => zone.local_date(chrono::Utc::now().timestamp()),
    };
    // Masked by default like every output: the market stays readable.
    let privacy = g.privacy()?;
    let mut rows = Vec::new();
    let mut ok = 0;
    for raw in &a.numbers {
        let res = E164::parse(raw).map_err(|e| e.to_string()).and_then(|n| {
            pricing
                .markets
                .resolve(n, date)
                .map(|r| (n, r))
                .map_err(|e| e.to_string())
        });
        match res {
            Ok((n, r)) => {
                ok += 1;
                rows.push(json!({"number": privacy.render(n, r.cc_len), "country": r.country_str(), "market": pricing.markets.name(r.market)}));
            }
            Err(e) => {
                eprintln!("wacost: {:?}: {e}", redact_digits(raw));
                rows.push(json!({"number": redact_digits(raw), "error": e}));
            }
        }
    }
    if ok == 0 {
        return Ok(exit::USAGE);
    }
    let out = io::stdout();
    let mut w = out.lock();
    match g.format() {
        Format::Json => {
            serde_json::to_writer_pretty(&mut w, &rows)?;
            writeln!(w)?;
        }
        Format::Csv => {
            let mut c = csv::Writer::from_writer(&mut w);
            c.write_record(["number", "country", "market", "error"])?;
            for r in &rows {
                let f = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                c.write_record([f("number"), f("country"), f("market"), f("error")])?;
            }
            c.flush()?;
        }
        Format::Table => {
            let mut t = Table::new();
            t.load_preset(UTF8_FULL_CONDENSED)
                .set_header(["number", "country", "market"]);
            for r in &rows {
                let f = |k: &str| r.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                t.add_row([
                    f("number"),
                    f("country"),
                    if r.get("error").is_some() {
                        format!("error: {}", f("error"))
                    } else {
                        f("market")
                    },
                ]);
            }
            writeln!(w, "{t}")?;
            writeln!(w, "Market map in force on {date}")?;
        }
    }
    Ok(exit::OK)
}
