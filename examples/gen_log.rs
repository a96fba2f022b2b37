//! `gen_log`: synthetic WhatsApp Business Platform traffic for `wacost`.
//!
//! Models one month of a large business that talks to customers in several
//! markets: customers writing in (some from click-to-WhatsApp ads), the
//! business replying with free-form messages, marketing campaigns, order
//! updates (utility templates) and one-time passcodes (authentication, with
//! some authentication-international to India and Indonesia). It does not
//! classify windows or price anything: that is `wacost`'s job.
//!
//! ```text
//! cargo run --release --example gen_log -- --rows N --seed S [--contacts C] [--shuffle]
//!     [--format csv|webhook] [--start 2026-10-01T00:00:00Z] [--days 30] > log.csv
//! ```
//!
//! * `--rows N`: exactly N messages (CSV rows, or webhook lines). Default 1000.
//! * `--seed S`: PRNG seed (u64). Same arguments, same bytes. Default 1.
//! * `--contacts C`: distinct customers. Default N/10 (at least 1).
//! * `--shuffle`: deterministic Fisher-Yates shuffle instead of time order.
//! * `--format`: `csv` (default) or `webhook` (Cloud API webhook JSON Lines,
//!   one payload per message).
//! * `--start`: first instant of the period, RFC 3339 (or `YYYY-MM-DD`). Default
//!   2026-10-01T00:00:00Z.
//! * `--days`: length of the period. Default 30.
//!
//! CSV columns: `timestamp,direction,contact,type,category,id,status,entry_point,business_number`.
//! Timestamps are RFC 3339 UTC with `Z`. `status` is empty on inbound rows and
//! `delivered` or `failed` on outbound rows. `business_number` is the
//! `phone_number_id` of the line that carried the message.
//!
//! In webhook mode inbound messages are `messages[]` payloads (with a `referral`
//! object for ad clicks) and outbound messages are one `statuses[]` payload each:
//! `delivered` with a `pricing` object (`type` is always `regular`, `category`
//! the template category or `service`: the generator does not know about
//! windows), or `failed` with an `errors` array.
//!
//! Only `std` is used; the PRNG is SplitMix64. Numbers and dates are formatted
//! by hand into a reusable buffer, so 2M rows take a couple of seconds.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "\
usage: gen_log [--rows N] [--seed S] [--contacts C] [--shuffle]
               [--format csv|webhook] [--start RFC3339] [--days D]

Writes N synthetic WhatsApp Business Platform messages to stdout.
  --rows N        number of messages (default 1000)
  --seed S        PRNG seed, u64 (default 1)
  --contacts C    number of customers (default rows/10, at least 1)
  --shuffle       shuffle rows (deterministic) instead of sorting by time
  --format F      csv (default) or webhook (Cloud API webhook JSON Lines)
  --start T       first instant, e.g. 2026-10-01T00:00:00Z or 2026-10-01 (default 2026-10-01T00:00:00Z)
  --days D        length of the period in days (default 30)
";

// ---------------------------------------------------------------------------
// PRNG: SplitMix64 (Steele, Lea, Flood 2014). `mix64` is a bijection on u64,
// which also makes message ids unique without a set.

fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Rng {
    state: u64,
}

impl Rng {
    fn new(seed: u64) -> Self {
        Rng {
            state: mix64(seed ^ 0x6A09_E667_F3BC_C909),
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift; the bias is below 2^-40 for our n.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    fn digits(&mut self, out: &mut Vec<u8>, n: usize) {
        for _ in 0..n {
            out.push(b'0' + self.below(10) as u8);
        }
    }
}

// ---------------------------------------------------------------------------
// Markets, numbers, business lines.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Pt,
    Es,
    En,
    De,
    Id,
}

struct Market {
    /// Share of contacts, in percent.
    weight: u32,
    /// Rough local offset, used only to give traffic a day/night rhythm.
    utc_offset_min: i64,
    lang: Lang,
    /// Authentication-international applies to some OTPs sent here.
    auth_intl: bool,
    /// Index into `LINES`: which business number talks to this market.
    line: usize,
}

const BR: usize = 0;
const MX: usize = 1;
const IN: usize = 2;
const US: usize = 3;
const CO: usize = 4;
const DE: usize = 5;
const GB: usize = 6;
const ID: usize = 7;

const MARKETS: [Market; 8] = [
    // Brazil
    Market {
        weight: 58,
        utc_offset_min: -180,
        lang: Lang::Pt,
        auth_intl: false,
        line: 0,
    },
    // Mexico
    Market {
        weight: 10,
        utc_offset_min: -360,
        lang: Lang::Es,
        auth_intl: false,
        line: 1,
    },
    // India
    Market {
        weight: 8,
        utc_offset_min: 330,
        lang: Lang::En,
        auth_intl: true,
        line: 2,
    },
    // United States
    Market {
        weight: 5,
        utc_offset_min: -300,
        lang: Lang::En,
        auth_intl: false,
        line: 2,
    },
    // Colombia
    Market {
        weight: 6,
        utc_offset_min: -300,
        lang: Lang::Es,
        auth_intl: false,
        line: 1,
    },
    // Germany
    Market {
        weight: 3,
        utc_offset_min: 120,
        lang: Lang::De,
        auth_intl: false,
        line: 2,
    },
    // United Kingdom
    Market {
        weight: 3,
        utc_offset_min: 60,
        lang: Lang::En,
        auth_intl: false,
        line: 2,
    },
    // Indonesia
    Market {
        weight: 7,
        utc_offset_min: 420,
        lang: Lang::Id,
        auth_intl: true,
        line: 2,
    },
];

struct Line {
    display: &'static str,
    id: &'static str,
}

/// One WABA, three business numbers: Brazil, Spanish-speaking Latin America, global.
const LINES: [Line; 3] = [
    Line {
        display: "551140041000",
        id: "104857600000001",
    },
    Line {
        display: "525541601000",
        id: "104857600000002",
    },
    Line {
        display: "14155550123",
        id: "104857600000003",
    },
];
const WABA_ID: &str = "102938475610293";

/// Brazilian area codes (DDD) in use.
const BR_DDD: [&str; 67] = [
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27", "28", "31", "32",
    "33", "34", "35", "37", "38", "41", "42", "43", "44", "45", "46", "47", "48", "49", "51", "53",
    "54", "55", "61", "62", "63", "64", "65", "66", "67", "68", "69", "71", "73", "74", "75", "77",
    "79", "81", "82", "83", "84", "85", "86", "87", "88", "89", "91", "92", "93", "94", "95", "96",
    "97", "98", "99",
];
const MX_AREA2: [&str; 3] = ["55", "33", "81"];
const MX_AREA3: [&str; 10] = [
    "222", "442", "664", "999", "477", "614", "998", "656", "844", "229",
];
const US_NPA: [&str; 15] = [
    "212", "305", "312", "415", "617", "646", "713", "786", "202", "404", "206", "702", "954",
    "347", "818",
];
const CO_PREFIX: [&str; 22] = [
    "300", "301", "302", "304", "305", "310", "311", "312", "313", "314", "315", "316", "317",
    "318", "319", "320", "321", "322", "323", "324", "350", "351",
];
const DE_PREFIX: [&str; 17] = [
    "151", "152", "157", "159", "160", "162", "163", "170", "171", "172", "173", "174", "175",
    "176", "177", "178", "179",
];
const ID_PREFIX: [&str; 29] = [
    "811", "812", "813", "821", "822", "823", "852", "853", "814", "815", "816", "855", "856",
    "857", "858", "817", "818", "819", "859", "877", "878", "895", "896", "897", "898", "899",
    "881", "882", "883",
];

/// Appends an E.164 number (digits only, no `+`) for market `m`.
fn gen_number(rng: &mut Rng, m: usize, out: &mut Vec<u8>) {
    match m {
        BR => {
            out.extend_from_slice(b"55");
            let r = rng.unit();
            let ddd = if r < 0.30 {
                "11"
            } else if r < 0.42 {
                "21"
            } else {
                *rng.pick(&BR_DDD)
            };
            out.extend_from_slice(ddd.as_bytes());
            out.push(b'9');
            out.push(*rng.pick(b"156789989"));
            rng.digits(out, 7);
        }
        MX => {
            out.extend_from_slice(b"52");
            if rng.chance(0.6) {
                out.extend_from_slice(rng.pick(&MX_AREA2).as_bytes());
                out.push(b'1' + rng.below(9) as u8);
                rng.digits(out, 7);
            } else {
                out.extend_from_slice(rng.pick(&MX_AREA3).as_bytes());
                out.push(b'1' + rng.below(9) as u8);
                rng.digits(out, 6);
            }
        }
        IN => {
            out.extend_from_slice(b"91");
            out.push(*rng.pick(b"9999887766"));
            rng.digits(out, 9);
        }
        US => {
            out.extend_from_slice(b"1");
            out.extend_from_slice(rng.pick(&US_NPA).as_bytes());
            // Exchange code NXX: N = 2..9, never 555 (fiction range).
            let n = b'2' + rng.below(8) as u8;
            let x1 = b'0' + rng.below(10) as u8;
            let x2 = b'0' + rng.below(10) as u8;
            let (x1, x2) = if n == b'5' && x1 == b'5' && x2 == b'5' {
                (b'5', b'6')
            } else {
                (x1, x2)
            };
            out.extend_from_slice(&[n, x1, x2]);
            rng.digits(out, 4);
        }
        CO => {
            out.extend_from_slice(b"57");
            out.extend_from_slice(rng.pick(&CO_PREFIX).as_bytes());
            out.push(b'1' + rng.below(9) as u8);
            rng.digits(out, 6);
        }
        DE => {
            out.extend_from_slice(b"49");
            let p = *rng.pick(&DE_PREFIX);
            out.extend_from_slice(p.as_bytes());
            out.push(b'1' + rng.below(9) as u8);
            rng.digits(out, if p.starts_with("15") { 7 } else { 6 });
        }
        GB => {
            out.extend_from_slice(b"447");
            out.push(b'4' + rng.below(6) as u8);
            rng.digits(out, 8);
        }
        _ => {
            debug_assert_eq!(m, ID);
            out.extend_from_slice(b"62");
            out.extend_from_slice(rng.pick(&ID_PREFIX).as_bytes());
            out.push(b'1' + rng.below(9) as u8);
            let more = if rng.chance(0.2) { 8 } else { 7 };
            rng.digits(out, more);
        }
    }
}

struct Contacts {
    digits: Vec<u8>,
    /// (start in `digits`, length, market)
    index: Vec<(u32, u8, u8)>,
}

impl Contacts {
    fn generate(rng: &mut Rng, n: usize) -> Contacts {
        let total: u32 = MARKETS.iter().map(|m| m.weight).sum();
        let mut digits = Vec::with_capacity(n * 13);
        let mut index = Vec::with_capacity(n);
        let mut seen: HashSet<u64> = HashSet::with_capacity(n);
        let mut tmp = Vec::with_capacity(16);
        while index.len() < n {
            let mut r = rng.below(u64::from(total)) as u32;
            let mut m = 0;
            while r >= MARKETS[m].weight {
                r -= MARKETS[m].weight;
                m += 1;
            }
            tmp.clear();
            gen_number(rng, m, &mut tmp);
            // Numbers have at most 13 digits, so the value itself is a unique key.
            let key = tmp.iter().fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
            if !seen.insert(key) {
                continue;
            }
            index.push((digits.len() as u32, tmp.len() as u8, m as u8));
            digits.extend_from_slice(&tmp);
        }
        Contacts { digits, index }
    }

    fn number(&self, c: u32) -> &[u8] {
        let (s, l, _) = self.index[c as usize];
        &self.digits[s as usize..s as usize + l as usize]
    }

    fn market(&self, c: u32) -> usize {
        self.index[c as usize].2 as usize
    }
}

// ---------------------------------------------------------------------------
// Events.

// Message kinds. Inbound first, then outbound from K_OUT_TEMPLATE on.
const K_IN_TEXT: u8 = 0;
const K_IN_IMAGE: u8 = 1;
const K_IN_AUDIO: u8 = 2;
const K_IN_BUTTON: u8 = 3;
const K_OUT_TEMPLATE: u8 = 4;
const K_OUT_TEXT: u8 = 5;
const K_OUT_IMAGE: u8 = 6;
const K_OUT_INTERACTIVE: u8 = 7;

const KIND_TYPE: [&str; 8] = [
    "text",
    "image",
    "audio",
    "button",
    "template",
    "text",
    "image",
    "interactive",
];

// Template categories.
const CAT_NONE: u8 = 0;
const CAT_MARKETING: u8 = 1;
const CAT_UTILITY: u8 = 2;
const CAT_AUTH: u8 = 3;
const CAT_AUTH_INTL: u8 = 4;

const CAT_CSV: [&str; 5] = [
    "",
    "marketing",
    "utility",
    "authentication",
    "authentication_international",
];
/// Webhook `pricing.category`. Meta's status reference spells the last one with a hyphen.
const CAT_WEBHOOK: [&str; 5] = [
    "service",
    "marketing",
    "utility",
    "authentication",
    "authentication-international",
];

// Failure reasons (0 = delivered).
const F_NONE: u8 = 0;
const F_UNDELIVERABLE: u8 = 1; // 131026
const F_ECOSYSTEM: u8 = 2; // 131049, marketing only
const F_REENGAGEMENT: u8 = 3; // 131047, free-form message outside the window

#[derive(Clone, Copy)]
struct Ev {
    ts: i64,
    seq: u32,
    contact: u32,
    kind: u8,
    cat: u8,
    ctwa: bool,
    fail: u8,
}

struct Gen<'a> {
    rng: Rng,
    contacts: &'a Contacts,
    evs: Vec<Ev>,
    start: i64,
    end: i64,
    seq: u32,
    /// Cumulative weights of the local hour at which an episode starts.
    hour_cdf: [u32; 24],
    /// Campaign send times: (day offset, local hour).
    campaigns: Vec<(i64, i64)>,
}

const HOUR_WEIGHTS: [u32; 24] = [
    10, 5, 3, 2, 2, 4, 10, 20, 40, 60, 70, 70, 60, 60, 70, 70, 70, 70, 70, 80, 80, 70, 40, 20,
];

impl Gen<'_> {
    fn push(&mut self, ts: i64, contact: u32, kind: u8, cat: u8, ctwa: bool, fail: u8) {
        if ts < self.start || ts >= self.end {
            return;
        }
        let fail = if fail != F_NONE || kind < K_OUT_TEMPLATE {
            fail
        } else if self.rng.chance(0.008) {
            if cat == CAT_MARKETING && self.rng.chance(0.5) {
                F_ECOSYSTEM
            } else {
                F_UNDELIVERABLE
            }
        } else {
            F_NONE
        };
        self.evs.push(Ev {
            ts,
            seq: self.seq,
            contact,
            kind,
            cat,
            ctwa,
            fail,
        });
        self.seq = self.seq.wrapping_add(1);
    }

    /// A random instant in the period, at a plausible local hour for contact `c`.
    fn episode_start(&mut self, c: u32) -> i64 {
        let days = (self.end - self.start) / 86_400;
        let day = self.rng.below(days.max(1) as u64) as i64;
        let total = self.hour_cdf[23];
        let r = self.rng.below(u64::from(total)) as u32;
        let hour = self.hour_cdf.iter().position(|&c| r < c).unwrap_or(12) as i64;
        let off = MARKETS[self.contacts.market(c)].utc_offset_min * 60;
        self.start + day * 86_400 + hour * 3600 + self.rng.below(3600) as i64 - off
    }

    fn inbound(&mut self, t: i64, c: u32, ctwa: bool) {
        let r = self.rng.unit();
        let kind = if ctwa || r < 0.85 {
            K_IN_TEXT
        } else if r < 0.93 {
            K_IN_IMAGE
        } else {
            K_IN_AUDIO
        };
        self.push(t, c, kind, CAT_NONE, ctwa, F_NONE);
    }

    fn reply(&mut self, t: i64, c: u32, fail: u8) {
        let r = self.rng.unit();
        let kind = if r < 0.88 {
            K_OUT_TEXT
        } else if r < 0.95 {
            K_OUT_IMAGE
        } else {
            K_OUT_INTERACTIVE
        };
        self.push(t, c, kind, CAT_NONE, false, fail);
    }

    fn template(&mut self, t: i64, c: u32, cat: u8) {
        self.push(t, c, K_OUT_TEMPLATE, cat, false, F_NONE);
    }

    /// Delay of a business reply after a customer message; `true` when it is
    /// too late for a free-form message (Meta rejects it with 131047).
    fn reply_delay(&mut self) -> (i64, bool) {
        let r = self.rng.unit();
        if r < 0.93 {
            (self.rng.between(15, 1200), false)
        } else if r < 0.98 {
            (self.rng.between(3600, 20 * 3600), false)
        } else {
            (self.rng.between(24 * 3600 + 60, 30 * 3600), true)
        }
    }

    /// Customer writes in; one to four exchanges; sometimes an order confirmation.
    fn support(&mut self, c: u32) {
        let mut t = self.episode_start(c);
        self.inbound(t, c, false);
        let turns = 1 + self.rng.below(4);
        for turn in 0..turns {
            let (d, late) = self.reply_delay();
            t += d;
            self.reply(t, c, if late { F_REENGAGEMENT } else { F_NONE });
            if self.rng.chance(0.3) {
                t += self.rng.between(10, 120);
                self.reply(t, c, if late { F_REENGAGEMENT } else { F_NONE });
            }
            if turn + 1 < turns {
                t += self.rng.between(60, 3 * 3600);
                self.inbound(t, c, false);
            }
        }
        if self.rng.chance(0.25) {
            t += self.rng.between(60, 5400);
            self.template(t, c, CAT_UTILITY);
        }
    }

    /// Click-to-WhatsApp ad: entry-point message, reply (usually fast), follow-ups.
    fn ctwa(&mut self, c: u32) {
        let t0 = self.episode_start(c);
        self.inbound(t0, c, true);
        let r = self.rng.unit();
        let (d, late) = if r < 0.85 {
            (self.rng.between(30, 1800), false)
        } else if r < 0.95 {
            (self.rng.between(3600, 23 * 3600), false)
        } else {
            (self.rng.between(24 * 3600 + 1800, 40 * 3600), true)
        };
        let first = t0 + d;
        let mut t = first;
        if late {
            // The window has closed: only a template can reach the customer.
            self.template(t, c, CAT_MARKETING);
        } else {
            self.reply(t, c, F_NONE);
            for _ in 0..self.rng.below(3) {
                t += self.rng.between(60, 3600);
                self.inbound(t, c, false);
                t += self.rng.between(20, 600);
                self.reply(t, c, F_NONE);
            }
        }
        if self.rng.chance(0.5) {
            t += self.rng.between(120, 3600);
            self.template(t, c, CAT_UTILITY);
        }
        if self.rng.chance(0.5) {
            let f = first + self.rng.between(24 * 3600, 80 * 3600);
            self.template(f, c, CAT_MARKETING);
        }
        if self.rng.chance(0.4) {
            let f = first + self.rng.between(28 * 3600, 100 * 3600);
            self.template(f, c, CAT_UTILITY);
        }
    }

    /// A marketing campaign reaches the contact; some reply, a few buy.
    fn campaign(&mut self, c: u32) {
        let (day, hour) = *self.rng.pick(&self.campaigns);
        let off = MARKETS[self.contacts.market(c)].utc_offset_min * 60;
        let mut t = self.start + day * 86_400 + hour * 3600 - off + self.rng.below(5400) as i64;
        self.template(t, c, CAT_MARKETING);
        if self.rng.chance(0.22) {
            t += self.rng.between(60, 6 * 3600);
            if self.rng.chance(0.5) {
                self.push(t, c, K_IN_BUTTON, CAT_NONE, false, F_NONE);
            } else {
                self.inbound(t, c, false);
            }
            t += self.rng.between(30, 900);
            self.reply(t, c, F_NONE);
            if self.rng.chance(0.3) {
                t += self.rng.between(300, 3600);
                self.template(t, c, CAT_UTILITY);
            }
        }
    }

    /// An order: confirmation, shipped, delivered (utility), sometimes a chat first.
    fn order(&mut self, c: u32) {
        let mut t = self.episode_start(c);
        if self.rng.chance(0.45) {
            self.inbound(t, c, false);
            t += self.rng.between(20, 900);
            self.reply(t, c, F_NONE);
            t += self.rng.between(60, 1800);
        }
        self.template(t, c, CAT_UTILITY);
        t += self.rng.between(86_400, 3 * 86_400);
        self.template(t, c, CAT_UTILITY);
        if self.rng.chance(0.3) {
            let q = t + self.rng.between(600, 7200);
            self.inbound(q, c, false);
            let (d, late) = self.reply_delay();
            self.reply(q + d, c, if late { F_REENGAGEMENT } else { F_NONE });
        }
        t += self.rng.between(2 * 86_400, 6 * 86_400);
        self.template(t, c, CAT_UTILITY);
    }

    /// One-time passcode, sometimes resent, sometimes followed by a question.
    fn otp(&mut self, c: u32) {
        let t = self.episode_start(c);
        let cat = if MARKETS[self.contacts.market(c)].auth_intl && self.rng.chance(0.6) {
            CAT_AUTH_INTL
        } else {
            CAT_AUTH
        };
        self.template(t, c, cat);
        if self.rng.chance(0.12) {
            let r = t + self.rng.between(60, 300);
            self.template(r, c, cat);
        }
        if self.rng.chance(0.08) {
            let q = t + self.rng.between(120, 1200);
            self.inbound(q, c, false);
            let r = q + self.rng.between(20, 600);
            self.reply(r, c, F_NONE);
        }
    }

    /// A standalone utility message (payment reminder, appointment), rarely answered.
    fn reminder(&mut self, c: u32) {
        let t = self.episode_start(c);
        self.template(t, c, CAT_UTILITY);
        if self.rng.chance(0.2) {
            let q = t + self.rng.between(300, 4 * 3600);
            self.inbound(q, c, false);
            let r = q + self.rng.between(20, 900);
            self.reply(r, c, F_NONE);
        }
    }

    fn run(&mut self, rows: usize) {
        let n = self.contacts.index.len() as u64;
        let heavy = (n / 20).max(1);
        while self.evs.len() < rows {
            // A few customers are much more active than the rest.
            let c = if self.rng.chance(0.3) {
                self.rng.below(heavy)
            } else {
                self.rng.below(n)
            } as u32;
            let r = self.rng.unit();
            if r < 0.25 {
                self.support(c);
            } else if r < 0.32 {
                self.ctwa(c);
            } else if r < 0.68 {
                self.campaign(c);
            } else if r < 0.81 {
                self.order(c);
            } else if r < 0.95 {
                self.otp(c);
            } else {
                self.reminder(c);
            }
        }
        self.evs.truncate(rows);
    }
}

// ---------------------------------------------------------------------------
// Dates (proleptic Gregorian, H. Hinnant's algorithms).

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400;
    let mp = i64::from(if m > 2 { m - 3 } else { m + 9 });
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = (if z >= 0 { z } else { z - 146_096 }) / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn num(s: &[u8], from: usize, len: usize) -> Option<u32> {
    let part = s.get(from..from + len)?;
    let mut v = 0u32;
    for &b in part {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD`, or `YYYY-MM-DD[T ]HH:MM:SS` followed by `Z` or `±HH:MM`.
fn parse_start(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let (y, mo, d) = (num(b, 0, 4)?, num(b, 5, 2)?, num(b, 8, 2)?);
    if b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let day = days_from_civil(i64::from(y), mo, d);
    if civil_from_days(day) != (i64::from(y), mo, d) {
        return None;
    }
    if b.len() == 10 {
        return Some(day * 86_400);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (h, mi, se) = (num(b, 11, 2)?, num(b, 14, 2)?, num(b, 17, 2)?);
    if h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let off = match b.get(i..) {
        Some(b"Z" | b"z") => 0,
        Some(rest)
            if rest.len() == 6 && (rest[0] == b'+' || rest[0] == b'-') && rest[3] == b':' =>
        {
            let oh = i64::from(num(rest, 1, 2)?);
            let om = i64::from(num(rest, 4, 2)?);
            let o = oh * 3600 + om * 60;
            if rest[0] == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    Some(day * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(se) - off)
}

// ---------------------------------------------------------------------------
// Output helpers.

const HEX: &[u8; 16] = b"0123456789abcdef";
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn push_u64(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}

fn push_2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push_hex64(out: &mut Vec<u8>, v: u64) {
    for i in (0..16).rev() {
        out.push(HEX[((v >> (i * 4)) & 0xf) as usize]);
    }
}

/// Formats RFC 3339 UTC timestamps, caching the date part (rows are mostly sorted).
struct Clock {
    day: i64,
    date: [u8; 11],
}

impl Clock {
    fn new() -> Self {
        Clock {
            day: i64::MIN,
            date: *b"0000-00-00T",
        }
    }

    fn push(&mut self, out: &mut Vec<u8>, ts: i64) {
        let day = ts.div_euclid(86_400);
        if day != self.day {
            self.day = day;
            let (y, m, d) = civil_from_days(day);
            let mut v = Vec::with_capacity(11);
            let y = y.clamp(0, 9999) as u32;
            push_2(&mut v, y / 100);
            push_2(&mut v, y % 100);
            v.push(b'-');
            push_2(&mut v, m);
            v.push(b'-');
            push_2(&mut v, d);
            v.push(b'T');
            self.date.copy_from_slice(&v);
        }
        out.extend_from_slice(&self.date);
        let s = ts.rem_euclid(86_400) as u32;
        push_2(out, s / 3600);
        out.push(b':');
        push_2(out, s / 60 % 60);
        out.push(b':');
        push_2(out, s % 60);
        out.push(b'Z');
    }
}

struct Ids {
    k1: u64,
    k2: u64,
}

impl Ids {
    fn new(seed: u64) -> Self {
        Ids {
            k1: mix64(seed ^ 0xA5A5_0001),
            k2: mix64(seed ^ 0x5A5A_0002),
        }
    }

    /// `wamid.` + 32 hex digits; the first 16 are a bijection of `seq`, hence unique.
    fn push(&self, out: &mut Vec<u8>, seq: u32) {
        out.extend_from_slice(b"wamid.");
        push_hex64(out, mix64(u64::from(seq) ^ self.k1));
        push_hex64(out, mix64(u64::from(seq).wrapping_add(self.k2)));
    }
}

fn write_csv(out: &mut Vec<u8>, e: &Ev, contacts: &Contacts, clock: &mut Clock, ids: &Ids) {
    clock.push(out, e.ts);
    let inbound = e.kind < K_OUT_TEMPLATE;
    out.extend_from_slice(if inbound {
        b",inbound,+"
    } else {
        b",outbound,+"
    });
    out.extend_from_slice(contacts.number(e.contact));
    out.push(b',');
    out.extend_from_slice(KIND_TYPE[e.kind as usize].as_bytes());
    out.push(b',');
    out.extend_from_slice(CAT_CSV[e.cat as usize].as_bytes());
    out.push(b',');
    ids.push(out, e.seq);
    out.extend_from_slice(match (inbound, e.fail) {
        (true, _) => b",",
        (false, F_NONE) => b",delivered",
        (false, _) => b",failed",
    });
    out.extend_from_slice(if e.ctwa { b",ctwa," } else { b",," });
    out.extend_from_slice(
        LINES[MARKETS[contacts.market(e.contact)].line]
            .id
            .as_bytes(),
    );
    out.push(b'\n');
}

// Webhook text pools (no characters that need JSON escaping).

const FIRST_PT: [&str; 12] = [
    "Ana", "Bruno", "Camila", "Diego", "Fernanda", "Gustavo", "Juliana", "Lucas", "Mariana",
    "Rafael", "Beatriz", "Thiago",
];
const LAST_PT: [&str; 8] = [
    "Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Almeida",
];
const FIRST_ES: [&str; 8] = [
    "Sofia",
    "Mateo",
    "Valentina",
    "Santiago",
    "Camila",
    "Diego",
    "Lucia",
    "Andres",
];
const LAST_ES: [&str; 6] = [
    "Garcia",
    "Hernandez",
    "Lopez",
    "Martinez",
    "Rodriguez",
    "Gomez",
];
const FIRST_EN: [&str; 8] = [
    "Priya", "Rahul", "Emily", "James", "Ananya", "Michael", "Olivia", "Arjun",
];
const LAST_EN: [&str; 6] = ["Sharma", "Patel", "Smith", "Johnson", "Brown", "Singh"];
const FIRST_DE: [&str; 6] = ["Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie"];
const LAST_DE: [&str; 5] = ["Schmidt", "Mueller", "Weber", "Fischer", "Wagner"];
const FIRST_ID: [&str; 6] = ["Putri", "Budi", "Siti", "Agus", "Dewi", "Rizky"];
const LAST_ID: [&str; 5] = ["Wijaya", "Santoso", "Pratama", "Saputra", "Lestari"];

const BODY_PT: [&str; 8] = [
    "Oi, tudo bem? Queria saber do meu pedido",
    "Qual o prazo de entrega para o meu CEP?",
    "Tem esse produto em outra cor?",
    "Obrigado!",
    "Consigo pagar no Pix?",
    "Ainda tem desconto?",
    "O rastreio nao atualiza desde ontem",
    "Quero trocar o tamanho",
];
const BODY_ES: [&str; 6] = [
    "Hola, quiero saber el estado de mi pedido",
    "Tienen envio a mi ciudad?",
    "Gracias!",
    "Cuanto cuesta el envio?",
    "Sigue vigente la promocion?",
    "Quiero cambiar la talla",
];
const BODY_EN: [&str; 6] = [
    "Hi, where is my order?",
    "Can I change my delivery address?",
    "Thanks!",
    "Is the discount still available?",
    "I did not receive the code",
    "Do you ship to my city?",
];
const BODY_DE: [&str; 4] = [
    "Hallo, wo ist meine Bestellung?",
    "Danke!",
    "Kann ich die Lieferadresse aendern?",
    "Gibt es den Rabatt noch?",
];
const BODY_ID: [&str; 4] = [
    "Halo, pesanan saya sudah dikirim?",
    "Terima kasih!",
    "Apakah promonya masih berlaku?",
    "Bisa kirim ke Surabaya?",
];
const AD_HEADLINE: [&str; 4] = [
    "Frete gratis hoje",
    "Ate 40 por cento off",
    "Novidades da semana",
    "Compre pelo WhatsApp",
];
const BUTTONS: [(&str, &str); 3] = [
    ("QUERO_OFERTA", "Quero a oferta"),
    ("VER_PRODUTOS", "Ver produtos"),
    ("PARAR_PROMOCOES", "Parar promocoes"),
];

fn pool_pick<'a>(xs: &'a [&'a str], h: u64) -> &'a str {
    xs[(h % xs.len() as u64) as usize]
}

fn push_name(out: &mut Vec<u8>, lang: Lang, c: u32) {
    let h = mix64(u64::from(c) ^ 0x4E41_4D45);
    let (f, l): (&[&str], &[&str]) = match lang {
        Lang::Pt => (&FIRST_PT, &LAST_PT),
        Lang::Es => (&FIRST_ES, &LAST_ES),
        Lang::En => (&FIRST_EN, &LAST_EN),
        Lang::De => (&FIRST_DE, &LAST_DE),
        Lang::Id => (&FIRST_ID, &LAST_ID),
    };
    out.extend_from_slice(pool_pick(f, h).as_bytes());
    out.push(b' ');
    out.extend_from_slice(pool_pick(l, h >> 32).as_bytes());
}

fn push_b64(out: &mut Vec<u8>, mut h: u64, n: usize) {
    for i in 0..n {
        if i % 10 == 0 {
            h = mix64(h ^ i as u64);
        }
        out.push(B64URL[(h & 63) as usize]);
        h >>= 6;
    }
}

fn write_webhook(out: &mut Vec<u8>, e: &Ev, contacts: &Contacts, ids: &Ids) {
    let m = &MARKETS[contacts.market(e.contact)];
    let line = &LINES[m.line];
    let number = contacts.number(e.contact);
    let h = mix64(u64::from(e.seq) ^ 0x424F_4459);
    out.extend_from_slice(b"{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"");
    out.extend_from_slice(WABA_ID.as_bytes());
    out.extend_from_slice(b"\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"");
    out.extend_from_slice(line.display.as_bytes());
    out.extend_from_slice(b"\",\"phone_number_id\":\"");
    out.extend_from_slice(line.id.as_bytes());
    out.extend_from_slice(b"\"},");
    if e.kind < K_OUT_TEMPLATE {
        out.extend_from_slice(b"\"contacts\":[{\"profile\":{\"name\":\"");
        push_name(out, m.lang, e.contact);
        out.extend_from_slice(b"\"},\"wa_id\":\"");
        out.extend_from_slice(number);
        out.extend_from_slice(b"\"}],\"messages\":[{\"from\":\"");
        out.extend_from_slice(number);
        out.extend_from_slice(b"\",\"id\":\"");
        ids.push(out, e.seq);
        out.extend_from_slice(b"\",\"timestamp\":\"");
        push_u64(out, e.ts.max(0) as u64);
        out.extend_from_slice(b"\",\"type\":\"");
        out.extend_from_slice(KIND_TYPE[e.kind as usize].as_bytes());
        out.extend_from_slice(b"\",");
        match e.kind {
            K_IN_IMAGE => {
                out.extend_from_slice(b"\"image\":{\"mime_type\":\"image/jpeg\",\"sha256\":\"");
                push_hex64(out, h);
                push_hex64(out, mix64(h ^ 1));
                push_hex64(out, mix64(h ^ 2));
                push_hex64(out, mix64(h ^ 3));
                out.extend_from_slice(b"\",\"id\":\"");
                push_u64(out, 1_000_000_000_000_000 + h % 9_000_000_000_000_000);
                out.extend_from_slice(b"\"}");
            }
            K_IN_AUDIO => {
                out.extend_from_slice(
                    b"\"audio\":{\"mime_type\":\"audio/ogg; codecs=opus\",\"sha256\":\"",
                );
                push_hex64(out, h);
                push_hex64(out, mix64(h ^ 1));
                push_hex64(out, mix64(h ^ 2));
                push_hex64(out, mix64(h ^ 3));
                out.extend_from_slice(b"\",\"id\":\"");
                push_u64(out, 1_000_000_000_000_000 + h % 9_000_000_000_000_000);
                out.extend_from_slice(b"\",\"voice\":true}");
            }
            K_IN_BUTTON => {
                let (payload, text) = BUTTONS[(h % BUTTONS.len() as u64) as usize];
                out.extend_from_slice(b"\"button\":{\"payload\":\"");
                out.extend_from_slice(payload.as_bytes());
                out.extend_from_slice(b"\",\"text\":\"");
                out.extend_from_slice(text.as_bytes());
                out.extend_from_slice(b"\"}");
            }
            _ => {
                let pool: &[&str] = match m.lang {
                    Lang::Pt => &BODY_PT,
                    Lang::Es => &BODY_ES,
                    Lang::En => &BODY_EN,
                    Lang::De => &BODY_DE,
                    Lang::Id => &BODY_ID,
                };
                out.extend_from_slice(b"\"text\":{\"body\":\"");
                out.extend_from_slice(pool_pick(pool, h).as_bytes());
                out.extend_from_slice(b"\"}");
            }
        }
        if e.ctwa {
            out.extend_from_slice(b",\"referral\":{\"source_url\":\"https://fb.me/");
            push_b64(out, h ^ 0x55, 9);
            out.extend_from_slice(b"\",\"source_type\":\"ad\",\"source_id\":\"1202");
            push_u64(out, 10_000_000_000_000 + (h >> 8) % 90_000_000_000_000);
            out.extend_from_slice(b"\",\"headline\":\"");
            out.extend_from_slice(pool_pick(&AD_HEADLINE, h >> 16).as_bytes());
            out.extend_from_slice(
                b"\",\"body\":\"Fale com a gente pelo WhatsApp\",\"ctwa_clid\":\"ARA",
            );
            push_b64(out, h ^ 0xC1D, 60);
            out.extend_from_slice(b"\"}");
        }
        out.extend_from_slice(b"}]},\"field\":\"messages\"}]}]}\n");
    } else {
        out.extend_from_slice(b"\"statuses\":[{\"id\":\"");
        ids.push(out, e.seq);
        out.extend_from_slice(if e.fail == F_NONE {
            b"\",\"status\":\"delivered\",\"timestamp\":\""
        } else {
            b"\",\"status\":\"failed\",\"timestamp\":\""
        });
        push_u64(out, e.ts.max(0) as u64);
        out.extend_from_slice(b"\",\"recipient_id\":\"");
        out.extend_from_slice(number);
        out.push(b'"');
        match e.fail {
            F_NONE => {
                out.extend_from_slice(b",\"pricing\":{\"billable\":true,\"pricing_model\":\"PMP\",\"type\":\"regular\",\"category\":\"");
                out.extend_from_slice(CAT_WEBHOOK[e.cat as usize].as_bytes());
                out.extend_from_slice(b"\"}");
            }
            F_ECOSYSTEM => out.extend_from_slice(
                b",\"errors\":[{\"code\":131049,\"title\":\"This message was not delivered to maintain healthy ecosystem engagement.\",\"message\":\"This message was not delivered to maintain healthy ecosystem engagement.\",\"error_data\":{\"details\":\"In order to maintain a healthy ecosystem engagement, the message failed to be delivered.\"},\"href\":\"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/\"}]",
            ),
            F_REENGAGEMENT => out.extend_from_slice(
                b",\"errors\":[{\"code\":131047,\"title\":\"Re-engagement message\",\"message\":\"Re-engagement message\",\"error_data\":{\"details\":\"Message failed to send because more than 24 hours have passed since the customer last replied to this number.\"},\"href\":\"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/\"}]",
            ),
            _ => out.extend_from_slice(
                b",\"errors\":[{\"code\":131026,\"title\":\"Message undeliverable\",\"message\":\"Message undeliverable\",\"error_data\":{\"details\":\"Message Undeliverable.\"},\"href\":\"https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/\"}]",
            ),
        }
        out.extend_from_slice(b"}]},\"field\":\"messages\"}]}]}\n");
    }
}

// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    Webhook,
}

struct Args {
    rows: usize,
    seed: u64,
    contacts: Option<usize>,
    shuffle: bool,
    format: Format,
    start: i64,
    days: i64,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        rows: 1000,
        seed: 1,
        contacts: None,
        shuffle: false,
        format: Format::Csv,
        start: days_from_civil(2026, 10, 1) * 86_400,
        days: 30,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (flag.clone(), None),
        };
        let value = |it: &mut std::iter::Skip<std::env::Args>| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match name.as_str() {
            "-h" | "--help" => return Ok(None),
            "--shuffle" => a.shuffle = true,
            "--rows" | "-n" => {
                let v = value(&mut it)?;
                a.rows = v
                    .parse()
                    .map_err(|_| format!("--rows: not a count: {v:?}"))?;
            }
            "--seed" => {
                let v = value(&mut it)?;
                a.seed = v.parse().map_err(|_| format!("--seed: not a u64: {v:?}"))?;
            }
            "--contacts" => {
                let v = value(&mut it)?;
                let c: usize = v
                    .parse()
                    .map_err(|_| format!("--contacts: not a count: {v:?}"))?;
                if c == 0 {
                    return Err("--contacts must be at least 1".into());
                }
                a.contacts = Some(c);
            }
            "--format" => {
                let v = value(&mut it)?;
                a.format = match v.to_ascii_lowercase().as_str() {
                    "csv" => Format::Csv,
                    "webhook" | "jsonl" | "json" => Format::Webhook,
                    _ => return Err(format!("--format: expected csv or webhook, got {v:?}")),
                };
            }
            "--start" => {
                let v = value(&mut it)?;
                a.start = parse_start(&v).ok_or_else(|| {
                    format!("--start: expected RFC 3339 (2026-10-01T00:00:00Z) or YYYY-MM-DD, got {v:?}")
                })?;
            }
            "--days" => {
                let v = value(&mut it)?;
                a.days = v
                    .parse()
                    .map_err(|_| format!("--days: not a number: {v:?}"))?;
                if !(1..=3660).contains(&a.days) {
                    return Err("--days must be between 1 and 3660".into());
                }
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if a.rows > u32::MAX as usize {
        return Err("--rows must be below 2^32".into());
    }
    Ok(Some(a))
}

fn run(a: &Args) -> io::Result<()> {
    let n_contacts = a.contacts.unwrap_or((a.rows / 10).max(1));
    let mut rng = Rng::new(a.seed);
    let contacts = Contacts::generate(&mut rng, n_contacts);

    let mut hour_cdf = [0u32; 24];
    let mut acc = 0;
    for (slot, w) in hour_cdf.iter_mut().zip(HOUR_WEIGHTS) {
        acc += w;
        *slot = acc;
    }
    // About two campaigns a week, alternating 10:00 and 18:00 local time.
    let n_campaigns = (a.days * 8 / 30).max(1);
    let campaigns = (0..n_campaigns)
        .map(|i| ((i * a.days) / n_campaigns + 1).min(a.days - 1).max(0))
        .zip([10, 18].into_iter().cycle())
        .collect();

    let mut g = Gen {
        rng,
        contacts: &contacts,
        evs: Vec::with_capacity(a.rows + 64),
        start: a.start,
        end: a.start + a.days * 86_400,
        seq: 0,
        hour_cdf,
        campaigns,
    };
    g.run(a.rows);
    let mut evs = std::mem::take(&mut g.evs);
    let mut rng = g.rng;
    evs.sort_unstable_by_key(|e| (e.ts, e.seq));
    if a.shuffle {
        for i in (1..evs.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            evs.swap(i, j);
        }
    }

    let ids = Ids::new(a.seed);
    let mut clock = Clock::new();
    let stdout = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    if a.format == Format::Csv {
        buf.extend_from_slice(
            b"timestamp,direction,contact,type,category,id,status,entry_point,business_number\n",
        );
    }
    for e in &evs {
        match a.format {
            Format::Csv => write_csv(&mut buf, e, &contacts, &mut clock, &ids),
            Format::Webhook => write_webhook(&mut buf, e, &contacts, &ids),
        }
        if buf.len() >= 1 << 16 {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    w.flush()
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("gen_log: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        // `gen_log ... | head` is fine.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_log: {e}");
            ExitCode::from(1)
        }
    }
}
