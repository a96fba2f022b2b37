//! Charts as inline SVG, so the report is one file that opens without a
//! network. Geometry is computed in `Decimal` like the money it draws (no
//! float ever touches an amount); every bar carries a `<title>` with its
//! exact value, which a browser shows on hover and a screen reader reads.

use std::fmt::Write;

use rust_decimal::Decimal;

use super::escape;

/// Series colours, distinct in print and for the common colour blindness
/// (Okabe and Ito's palette).
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// The colour of the `i`-th series.
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Values to draw as columns: `values[x][series]`.
#[derive(Debug, Default)]
pub struct Grid {
    pub xs: Vec<String>,
    pub series: Vec<String>,
    pub values: Vec<Vec<Decimal>>,
}

/// Columns of one x stacked, or side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Stacked,
    Grouped,
}

/// How a value is written on an axis or in a title.
pub type Label<'a> = &'a dyn Fn(Decimal) -> String;

const WIDTH: i64 = 720;
const HEIGHT: i64 = 280;
const LEFT: i64 = 96;
const BOTTOM: i64 = 36;
const TOP: i64 = 12;
/// The widest a column gets, so one month does not fill the chart.
const MAX_BAR: i64 = 90;

/// A coordinate as SVG writes it: one decimal, no trailing zeros.
fn px(d: Decimal) -> String {
    d.round_dp(1).normalize().to_string()
}

impl Grid {
    /// The largest column: a stack's sum, or one value.
    fn top(&self, layout: Layout) -> Decimal {
        let per_x = self.values.iter().map(|v| match layout {
            Layout::Stacked => v.iter().copied().filter(|d| *d > Decimal::ZERO).sum(),
            Layout::Grouped => v.iter().copied().max().unwrap_or_default(),
        });
        per_x.max().unwrap_or_default()
    }
}

/// A column chart with its axis, x labels and a legend.
pub fn columns(g: &Grid, layout: Layout, label: Label<'_>, title: &str) -> String {
    let top = g.top(layout);
    let plot_h = Decimal::from(HEIGHT - TOP - BOTTOM);
    let scale = |v: Decimal| {
        if top.is_zero() {
            Decimal::ZERO
        } else {
            v.max(Decimal::ZERO) / top * plot_h
        }
    };
    let mut s = open(WIDTH, HEIGHT, title);
    axis(&mut s, top, label);
    let slot = Decimal::from(WIDTH - LEFT) / Decimal::from(g.xs.len().max(1));
    for (i, x) in g.xs.iter().enumerate() {
        let x0 = Decimal::from(LEFT) + slot * Decimal::from(i);
        column(&mut s, g, i, (x0, slot), layout, &scale, label);
        let mid = px(x0 + slot / Decimal::TWO);
        let _ = write!(
            s,
            r#"<text x="{mid}" y="{}" text-anchor="middle" class="x">{}</text>"#,
            HEIGHT - BOTTOM + 18,
            escape(x)
        );
    }
    s.push_str("</svg>");
    s + &legend(&g.series)
}

/// The bars of one x: stacked from the axis up, or side by side.
fn column(
    s: &mut String,
    g: &Grid,
    i: usize,
    (x0, slot): (Decimal, Decimal),
    layout: Layout,
    scale: &dyn Fn(Decimal) -> Decimal,
    label: Label<'_>,
) {
    let n = Decimal::from(g.series.len().max(1));
    let width = match layout {
        Layout::Stacked => slot * Decimal::new(6, 1),
        Layout::Grouped => slot * Decimal::new(8, 1) / n,
    }
    .min(Decimal::from(MAX_BAR));
    let all = match layout {
        Layout::Stacked => width,
        Layout::Grouped => width * n,
    };
    let left = x0 + (slot - all) / Decimal::TWO;
    let mut base = Decimal::from(HEIGHT - BOTTOM);
    for (k, v) in g.values[i].iter().enumerate() {
        let h = scale(*v);
        let x = match layout {
            Layout::Stacked => left,
            Layout::Grouped => left + width * Decimal::from(k),
        };
        let y = match layout {
            Layout::Stacked => base - h,
            Layout::Grouped => Decimal::from(HEIGHT - BOTTOM) - h,
        };
        let name = format!("{} · {}: {}", g.xs[i], g.series[k], label(*v));
        rect(s, (x, y, width, h), colour(k), &name);
        if layout == Layout::Stacked {
            base -= h;
        }
    }
}

/// Horizontal bars, one per item, largest first as given.
pub fn bars(items: &[(String, Decimal)], label: Label<'_>, title: &str) -> String {
    const ROW: i64 = 24;
    const NAME: i64 = 180;
    const VALUE: i64 = 170;
    let height = ROW * items.len() as i64 + 8;
    let top = items.iter().map(|i| i.1).max().unwrap_or_default();
    let room = Decimal::from(WIDTH - NAME - VALUE);
    let mut s = open(WIDTH, height, title);
    for (k, (name, v)) in items.iter().enumerate() {
        let y = Decimal::from(ROW * k as i64 + 4);
        let w = if top > Decimal::ZERO {
            (*v).max(Decimal::ZERO) / top * room
        } else {
            Decimal::ZERO
        };
        let text = escape(name);
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end" class="y">{text}</text>"#,
            NAME - 8,
            px(y + Decimal::from(16))
        );
        rect(
            &mut s,
            (
                Decimal::from(NAME),
                y + Decimal::from(3),
                w,
                Decimal::from(ROW - 6),
            ),
            colour(0),
            &format!("{name}: {}", label(*v)),
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" class="v">{}</text>"#,
            px(Decimal::from(NAME + 6) + w),
            px(y + Decimal::from(16)),
            escape(&label(*v))
        );
    }
    s + "</svg>"
}

fn open(width: i64, height: i64, title: &str) -> String {
    let t = escape(title);
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#
    )
}

/// The value axis: zero, half and the top, with grid lines.
fn axis(s: &mut String, top: Decimal, label: Label<'_>) {
    let plot_h = Decimal::from(HEIGHT - TOP - BOTTOM);
    for part in [Decimal::ZERO, Decimal::new(5, 1), Decimal::ONE] {
        let y = px(Decimal::from(HEIGHT - BOTTOM) - plot_h * part);
        let _ = write!(
            s,
            r#"<line x1="{LEFT}" x2="{WIDTH}" y1="{y}" y2="{y}" class="grid"/><text x="{}" y="{y}" text-anchor="end" dy="4" class="y">{}</text>"#,
            LEFT - 6,
            escape(&label(tick(top * part, top)))
        );
    }
}

/// An axis value rounded to what a reader compares: cents, or four
/// decimals on a chart of fractions of a cent.
fn tick(v: Decimal, top: Decimal) -> Decimal {
    let dp = if top >= Decimal::new(1, 1) { 2 } else { 4 };
    v.round_dp(dp).normalize()
}

fn rect(
    s: &mut String,
    (x, y, w, h): (Decimal, Decimal, Decimal, Decimal),
    fill: &str,
    title: &str,
) {
    let _ = write!(
        s,
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"><title>{}</title></rect>"#,
        px(x),
        px(y),
        px(w),
        px(h),
        escape(title)
    );
}

/// The series' colours and names, as HTML under the chart.
pub fn legend(series: &[String]) -> String {
    let mut s = String::from(r#"<ul class="legend">"#);
    for (i, name) in series.iter().enumerate() {
        let _ = write!(
            s,
            r#"<li><span style="background:{}"></span>{}</li>"#,
            colour(i),
            escape(name)
        );
    }
    s + "</ul>"
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn grid() -> Grid {
        Grid {
            xs: vec!["2026-09".into(), "2026-10".into()],
            series: vec!["marketing".into(), "utility".into()],
            values: vec![vec![dec!(1), dec!(1)], vec![dec!(4), dec!(0)]],
        }
    }

    fn heights(svg: &str) -> Vec<String> {
        svg.split("height=\"")
            .skip(1)
            .filter_map(|p| p.split('"').next())
            .map(String::from)
            .collect()
    }

    #[test]
    fn stacked_columns_scale_to_the_tallest_stack() {
        let svg = columns(&grid(), Layout::Stacked, &|d| d.to_string(), "t");
        // 4 is the top: the plot is 232 px high, so 1 is 58 px.
        assert_eq!(heights(&svg), ["58", "58", "232", "0"]);
        assert!(
            svg.contains("<title>2026-10 · marketing: 4</title>"),
            "{svg}"
        );
        assert!(svg.contains(r#"class="legend""#));
    }

    #[test]
    fn grouped_columns_scale_to_the_largest_value_and_text_is_escaped() {
        let mut g = grid();
        g.xs[0] = "<b>".into();
        let svg = columns(&g, Layout::Grouped, &|d| d.to_string(), "a & b");
        assert_eq!(heights(&svg), ["58", "58", "232", "0"]);
        assert!(svg.contains("&lt;b&gt;") && svg.contains("a &amp; b"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn bars_are_proportional_and_all_zero_draws_nothing_tall() {
        let svg = bars(
            &[("Brazil".into(), dec!(2)), ("India".into(), dec!(1))],
            &|d| d.to_string(),
            "m",
        );
        let widths: Vec<&str> = svg
            .split("width=\"")
            .skip(2)
            .filter_map(|p| p.split('"').next())
            .collect();
        assert_eq!(widths, ["370", "185"]);
        let flat = columns(
            &Grid {
                values: vec![vec![dec!(0), dec!(0)]; 2],
                ..grid()
            },
            Layout::Stacked,
            &|d| d.to_string(),
            "z",
        );
        assert!(heights(&flat).iter().all(|h| h == "0"), "{flat}");
    }
}
