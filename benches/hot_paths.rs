//! Criterion benchmarks of wacost's hot paths (issue 6): CSV parsing,
//! classification and pricing, loading the bundled pricing data, and market
//! look-ups. The end-to-end comparison with DuckDB and a minimal CSV pass is
//! `bench/compare.sh`.
//!
//! ```text
//! cargo bench --bench hot_paths                 # everything
//! cargo bench --bench hot_paths -- pricing/     # one group
//! ```
//!
//! The input is a self-contained synthetic CSV month (see [`synthetic_csv`]),
//! so the benches need no file from `gen_log`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::io::Cursor;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use wacost::data::Pricing;
use wacost::ingest::{self, InputFormat, Inputs};
use wacost::model::phone::E164;
use wacost::model::time::{parse_date, Zone};
use wacost::model::Message;

/// Rows of the synthetic log.
const ROWS: usize = 100_000;
/// Distinct contacts in it.
const CONTACTS: u64 = 10_000;

/// SplitMix64: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// (calling code + national prefix, remaining digits, business number):
/// the markets `gen_log` uses, with Brazil the largest.
const MARKETS: [(&str, u32, &str); 8] = [
    ("55119", 8, "104857600000001"),
    ("55219", 8, "104857600000001"),
    ("52155", 7, "104857600000002"),
    ("5731", 8, "104857600000002"),
    ("919", 9, "104857600000003"),
    ("1212", 7, "104857600000003"),
    ("4915", 8, "104857600000003"),
    ("62812", 8, "104857600000003"),
];

/// The contact number of contact `c` (stable digits per contact).
fn contact_number(c: u64) -> String {
    let (prefix, rest, _) = MARKETS[(c % MARKETS.len() as u64) as usize];
    let mut r = Rng(c ^ 0xC0FF_EE00);
    let mut s = format!("+{prefix}");
    for _ in 0..rest {
        s.push(char::from(b'0' + r.below(10) as u8));
    }
    s
}

/// A month of traffic in `gen_log`'s columns, in time order: customers
/// writing in (some from ads), replies to recent writers (inside the customer
/// service window), marketing, utility and authentication templates, about
/// 1% failed.
fn synthetic_csv(rows: usize, contacts: u64) -> Vec<u8> {
    let mut rng = Rng(7);
    let numbers: Vec<String> = (0..contacts).map(contact_number).collect();
    let mut out = String::with_capacity(rows * 120);
    out.push_str(
        "timestamp,direction,contact,type,category,id,status,entry_point,business_number\n",
    );
    let start = 1_790_812_800i64; // 2026-10-01T00:00:00Z
    let step = (30 * 86_400) as f64 / rows as f64;
    let mut recent = [0u64; 64];
    for i in 0..rows {
        let ts = start + (i as f64 * step) as i64;
        let (h, m, s) = ((ts / 3600) % 24, (ts / 60) % 60, ts % 60);
        let day = 1 + (ts - start) / 86_400;
        let r = rng.below(100);
        let (dir, c, kind, cat, ep) = if r < 30 {
            let c = rng.below(contacts);
            recent[i % recent.len()] = c;
            let ep = if rng.below(20) == 0 { "ctwa" } else { "" };
            ("inbound", c, "text", "", ep)
        } else if r < 62 {
            let c = recent[rng.below(recent.len() as u64) as usize];
            ("outbound", c, "text", "", "")
        } else {
            let cat = match rng.below(10) {
                0..=4 => "marketing",
                5..=7 => "utility",
                _ => "authentication",
            };
            ("outbound", rng.below(contacts), "template", cat, "")
        };
        let status = match dir {
            "inbound" => "",
            _ if rng.below(100) == 0 => "failed",
            _ => "delivered",
        };
        let biz = MARKETS[(c % MARKETS.len() as u64) as usize].2;
        out.push_str(&format!(
            "2026-10-{day:02}T{h:02}:{m:02}:{s:02}Z,{dir},{},{kind},{cat},wamid.{:016x},{status},{ep},{biz}\n",
            numbers[c as usize],
            rng.next()
        ));
    }
    out.into_bytes()
}

/// Parses a CSV log into messages, as `wacost estimate` does.
fn parse(bytes: Vec<u8>) -> Vec<Message> {
    let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
    let mut msgs = Vec::with_capacity(ROWS);
    ingest::read_from(
        Box::new(Cursor::new(bytes)),
        "bench.csv",
        Some(InputFormat::Csv),
        &mut inputs,
        &mut |m| msgs.push(m),
        &mut |_| (),
    )
    .unwrap();
    msgs
}

/// The engine calls, in one place: the engine's API is being refactored, so
/// this is the only code to adapt when it changes.
mod engine_api {

    use wacost::data::Pricing;
    use wacost::engine::{self, Options, Outcome};
    use wacost::model::time::Zone;
    use wacost::model::Message;

    /// What `wacost estimate --tz UTC` uses.
    pub fn setup() -> (Pricing, Options, Zone) {
        let pricing = Pricing::bundled().unwrap();
        let opts = Options::new("USD");
        (pricing, opts, Zone::parse("UTC").unwrap())
    }

    /// Orders messages in time, as the engine requires before pricing.
    pub fn sort(msgs: &mut [Message]) {
        engine::sort_messages(msgs);
    }

    /// Classifies and prices sorted messages; returns the number billed.
    pub fn classify_and_price(
        pricing: &Pricing,
        opts: &Options,
        zone: &Zone,
        msgs: &[Message],
    ) -> u64 {
        let mut billed = 0u64;
        engine::price_sorted(
            pricing,
            opts,
            zone,
            msgs,
            Default::default(),
            &mut |_: &Message, p: &engine::Priced| {
                billed += u64::from(p.outcome == Outcome::Billable);
            },
        )
        .unwrap();
        billed
    }
}

fn bench_parse(c: &mut Criterion) {
    let bytes = synthetic_csv(ROWS, CONTACTS);
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sample_size(20);
    g.bench_function("csv_100k_rows", |b| {
        b.iter_batched(
            || bytes.clone(),
            |bytes| parse(black_box(bytes)).len(),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn bench_classify_price(c: &mut Criterion) {
    let bytes = synthetic_csv(ROWS, CONTACTS);
    let (pricing, opts, zone) = engine_api::setup();
    let mut sorted = parse(bytes);
    engine_api::sort(&mut sorted);
    assert!(engine_api::classify_and_price(&pricing, &opts, &zone, &sorted) > 0);
    let mut g = c.benchmark_group("classify_price");
    g.throughput(Throughput::Elements(ROWS as u64));
    g.sample_size(20);
    g.bench_function("price_100k_sorted", |b| {
        b.iter(|| engine_api::classify_and_price(&pricing, &opts, &zone, black_box(&sorted)));
    });
    g.bench_function("sort_and_price_100k", |b| {
        b.iter_batched(
            || sorted.clone(),
            |mut msgs| {
                engine_api::sort(&mut msgs);
                engine_api::classify_and_price(&pricing, &opts, &zone, &msgs)
            },
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn bench_pricing(c: &mut Criterion) {
    let mut g = c.benchmark_group("pricing");
    g.throughput(Throughput::Elements(1));
    // What a run in USD loads: the data, and the USD cards read on first use.
    g.bench_function("bundled", |b| {
        b.iter(|| {
            let p = Pricing::bundled().unwrap();
            assert!(p.cards("USD").is_ok());
            p
        })
    });
    // Every currency read (`rates check`).
    g.bench_function("bundled_all_currencies", |b| {
        b.iter(|| {
            let p = Pricing::bundled().unwrap();
            assert!(p.currencies().iter().all(|c| p.cards(c).is_ok()));
            p
        })
    });
    g.finish();

    let pricing = Pricing::bundled().unwrap();
    let date = parse_date("2026-10-01").unwrap();
    let numbers: Vec<E164> = [
        "+5511912345678",
        "+5215512345678",
        "+919812345678",
        "+12125550123",
        "+17875550123",
        "+4915112345678",
        "+447412345678",
        "+6281212345678",
        "+263771234567",
        "+2348031234567",
    ]
    .iter()
    .map(|s| E164::parse(s).unwrap())
    .collect();
    let mut g = c.benchmark_group("market");
    g.throughput(Throughput::Elements(numbers.len() as u64));
    g.bench_function("resolve_10_numbers", |b| {
        b.iter(|| {
            numbers
                .iter()
                .filter(|&&n| pricing.markets.resolve(black_box(n), date).is_ok())
                .count()
        });
    });
    g.finish();
}

criterion_group!(benches, bench_parse, bench_classify_price, bench_pricing);
criterion_main!(benches);
