//! The charts of `report.html`, drawn as inline SVG: a bar chart, a line chart and a heatmap.
//! Plain markup, no script and no fonts to fetch, so the page renders offline in any browser.

use std::fmt::Write;

use crate::compare::Interval;

/// Colours of the series, in order (Tableau 10, readable on white and for most colour blindness).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A percentage with one decimal, e.g. "12.5%".
pub fn percent(share: f32) -> String {
    format!("{:.1}%", share * 100.0)
}

/// One bar: a label, a share in [0, 1] and a tooltip.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Shown left of the bar.
    pub label: String,
    /// Its length, as a share.
    pub share: f32,
    /// Shown right of the bar, e.g. "12 talks, 24.0%".
    pub note: String,
}

const LABEL_WIDTH: usize = 330;

/// Horizontal bars, one per row, longest share scaled to the full width.
pub fn bar_chart(title: &str, bars: &[Bar]) -> String {
    horizontal_bars(title, bars, "bar-chart")
}

/// A theme's keyphrases as bars of their weights (BERTopic's `visualize_barchart`).
pub fn keyword_bars(title: &str, bars: &[Bar]) -> String {
    horizontal_bars(title, bars, "keyword-bars")
}

fn horizontal_bars(title: &str, bars: &[Bar], class: &str) -> String {
    let (row, width, bar_width) = (26, 860, 380);
    let height = row * bars.len() + 10;
    let max = bars
        .iter()
        .map(|b| b.share)
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let mut svg = open(title, width, height, class);
    for (i, bar) in bars.iter().enumerate() {
        let y = 5 + i * row;
        let length = (bar.share / max * bar_width as f32).max(1.0);
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{x}" y="{ry}" width="{length:.1}" height="18" fill="{fill}"><title>{tip}</title></rect><text x="{nx:.1}" y="{ty}">{note}</text>"#,
            lx = LABEL_WIDTH - 8,
            ty = y + 14,
            label = escape(&bar.label),
            x = LABEL_WIDTH,
            ry = y + 1,
            fill = PALETTE[0],
            tip = escape(&format!("{}: {}", bar.label, bar.note)),
            nx = LABEL_WIDTH as f32 + length + 6.0,
            note = escape(&bar.note),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A named series of shares, one per x position, each with its 95% interval.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// One share per x label.
    pub shares: Vec<f32>,
    /// One interval per share, drawn as an error bar.
    pub intervals: Vec<Interval>,
}

/// Lines of shares over the `x` labels (periods) with an error bar at each point, and a legend
/// on the right. The series are shifted apart by a few pixels so that their bars do not overlap.
pub fn line_chart(title: &str, x: &[String], series: &[Series]) -> String {
    let (width, height) = (860, 340);
    let (left, right, top, bottom) = (50.0, 560.0, 15.0, 290.0);
    let max = series
        .iter()
        .flat_map(|s| {
            s.intervals
                .iter()
                .map(|i| i.high)
                .chain(s.shares.iter().copied())
        })
        .fold(0.0f32, f32::max);
    let top_share = nice_ceiling(max);
    let px = |i: usize| {
        if x.len() < 2 {
            (left + right) / 2.0
        } else {
            left + (right - left) * i as f32 / (x.len() - 1) as f32
        }
    };
    let py = |share: f32| bottom - (bottom - top) * share / top_share;
    let mut svg = open(title, width, height, "line-chart");
    for step in 0..=4 {
        let share = top_share * step as f32 / 4.0;
        let y = py(share);
        let _ = write!(
            svg,
            r##"<line x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}" stroke="#ddd"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{label:.0}%</text>"##,
            tx = left - 6.0,
            ty = y + 4.0,
            label = share * 100.0,
        );
    }
    for (i, label) in x.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            px(i),
            bottom + 20.0,
            escape(label)
        );
    }
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let shift = 3.0 * (k as f32 - (series.len() - 1) as f32 / 2.0);
        let px = |i: usize| px(i) + shift;
        let points: Vec<String> = s
            .shares
            .iter()
            .enumerate()
            .map(|(i, &v)| format!("{:.1},{:.1}", px(i), py(v)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"/>"#,
            points.join(" ")
        );
        for (i, (&v, interval)) in s.shares.iter().zip(&s.intervals).enumerate() {
            let _ = write!(
                svg,
                r#"<line class="interval" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{colour}" stroke-width="1.5" stroke-opacity="0.55"/><circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="{colour}"><title>{}</title></circle>"#,
                py(interval.high),
                py(interval.low),
                py(v),
                escape(&format!(
                    "{}, {}: {} (95% interval {} to {})",
                    s.name,
                    x[i],
                    percent(v),
                    percent(interval.low),
                    percent(interval.high)
                )),
                x = px(i),
            );
        }
        let ly = top + 4.0 + 20.0 * k as f32;
        let _ = write!(
            svg,
            r#"<rect x="{lx}" y="{ry:.1}" width="14" height="4" fill="{colour}"/><text x="{tx}" y="{ty:.1}">{name}</text>"#,
            lx = right + 20.0,
            ry = ly,
            tx = right + 40.0,
            ty = ly + 6.0,
            name = escape(&s.name),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A talk on a scatter map: its coordinates, its group (an index into the legend) and its
/// tooltip.
#[derive(Debug, Clone)]
pub struct Dot {
    /// Horizontal coordinate, any scale.
    pub x: f32,
    /// Vertical coordinate, same scale.
    pub y: f32,
    /// Index of its group in the legend; groups past the palette are grey.
    pub group: usize,
    /// Shown on hover.
    pub tooltip: String,
}

/// Grey of dots whose group has no palette colour.
const OTHER: &str = "#bab0ac";

/// Dots on a plane scaled to fit, coloured by group, with a legend of `groups` on the right
/// (the first nine in palette colours, the rest grey and named "other").
pub fn scatter(title: &str, dots: &[Dot], groups: &[String]) -> String {
    let (width, height) = (860, 420);
    let (left, right, top, bottom) = (10.0, 560.0, 10.0, 410.0);
    let span = |values: &mut dyn Iterator<Item = f32>| {
        values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
    };
    let (x0, x1) = span(&mut dots.iter().map(|d| d.x));
    let (y0, y1) = span(&mut dots.iter().map(|d| d.y));
    let scale = ((right - left) / (x1 - x0).max(1e-6)).min((bottom - top) / (y1 - y0).max(1e-6));
    let colour = |group: usize| {
        if group + 1 < PALETTE.len() {
            PALETTE[group]
        } else {
            OTHER
        }
    };
    let mut svg = open(title, width, height, "map");
    let _ = write!(
        svg,
        r##"<rect x="{left}" y="{top}" width="{}" height="{}" fill="none" stroke="#ddd"/>"##,
        right - left,
        bottom - top
    );
    // Larger groups first, so the small ones are drawn on top.
    let mut order: Vec<&Dot> = dots.iter().collect();
    order.sort_by_key(|d| d.group);
    for d in order {
        let _ = write!(
            svg,
            r##"<circle class="talk" cx="{:.1}" cy="{:.1}" r="3.5" fill="{}" stroke="#fff" stroke-width="0.5"><title>{}</title></circle>"##,
            left + (d.x - x0) * scale,
            bottom - (d.y - y0) * scale,
            colour(d.group),
            escape(&d.tooltip)
        );
    }
    let named = groups.len().min(PALETTE.len() - 1);
    let legend = groups[..named]
        .iter()
        .map(String::as_str)
        .chain((groups.len() > named).then_some("other"));
    for (k, name) in legend.enumerate() {
        let ly = top + 4.0 + 20.0 * k as f32;
        let _ = write!(
            svg,
            r#"<circle cx="{cx}" cy="{cy:.1}" r="5" fill="{}"/><text x="{tx}" y="{ty:.1}">{}</text>"#,
            colour(k),
            escape(name),
            cx = right + 27.0,
            cy = ly + 2.0,
            tx = right + 40.0,
            ty = ly + 6.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One cell of a heatmap: its strength, its printed value and its tooltip.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Colour intensity (relative to the largest cell).
    pub share: f32,
    /// Printed in the cell, e.g. "12.5%".
    pub label: String,
    /// Shown on hover, e.g. the period's keywords.
    pub tooltip: String,
}

/// A grid of cells: one row per `rows` label, one column per `columns` label, `cell_width`
/// pixels wide, darker for larger.
pub fn heatmap(
    title: &str,
    rows: &[String],
    columns: &[String],
    cells: &[Vec<Cell>],
    cell_width: usize,
) -> String {
    let (cell_w, cell_h) = (cell_width, 26);
    let width = LABEL_WIDTH + cell_w * columns.len() + 10;
    let height = 30 + cell_h * rows.len();
    let max = cells
        .iter()
        .flatten()
        .map(|c| c.share)
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let mut svg = open(title, width, height, "heatmap");
    for (j, label) in columns.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="18" text-anchor="middle">{}</text>"#,
            LABEL_WIDTH + cell_w * j + cell_w / 2,
            escape(label)
        );
    }
    for (i, (label, row)) in rows.iter().zip(cells).enumerate() {
        let y = 26 + cell_h * i;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            LABEL_WIDTH - 8,
            y + 17,
            escape(label)
        );
        for (j, cell) in row.iter().enumerate() {
            let strength = cell.share / max;
            let ink = if strength > 0.55 { "#fff" } else { "#222" };
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="#fff"><title>{tip}</title></rect><text x="{tx}" y="{ty}" text-anchor="middle" fill="{ink}">{value}</text>"##,
                x = LABEL_WIDTH + cell_w * j,
                w = cell_w,
                h = cell_h,
                fill = blue(strength),
                tip = escape(&cell.tooltip),
                tx = LABEL_WIDTH + cell_w * j + cell_w / 2,
                ty = y + 17,
                value = escape(&cell.label),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The opening tag of a chart, with an accessible title.
fn open(title: &str, width: usize, height: usize, class: &str) -> String {
    format!(
        r#"<svg class="chart {class}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = escape(title)
    )
}

/// A blue from near white (0) to dark (1).
fn blue(strength: f32) -> String {
    let s = strength.clamp(0.0, 1.0);
    let mix = |light: f32, dark: f32| (light + (dark - light) * s).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(247.0, 8.0),
        mix(251.0, 48.0),
        mix(255.0, 107.0)
    )
}

/// The smallest of 5%, 10%, 20%, 25%, 50%, 100% at or above `share` (the y axis's top).
fn nice_ceiling(share: f32) -> f32 {
    [0.05, 0.1, 0.2, 0.25, 0.5, 1.0]
        .into_iter()
        .find(|&c| share <= c)
        .unwrap_or(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        let bars = [Bar {
            label: "<script>\"x\" & y".into(),
            share: 0.5,
            note: "1 talk".into(),
        }];
        let svg = bar_chart("A & B", &bars);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;&quot;x&quot; &amp; y"));
        assert!(svg.contains(r#"aria-label="A &amp; B""#));
    }

    #[test]
    fn shapes_scale_with_their_values() {
        let bars = [
            Bar {
                label: "a".into(),
                share: 0.4,
                note: String::new(),
            },
            Bar {
                label: "b".into(),
                share: 0.1,
                note: String::new(),
            },
        ];
        let svg = bar_chart("t", &bars);
        assert!(svg.contains(r#"width="380.0""#) && svg.contains(r#"width="95.0""#));
        assert_eq!(blue(0.0), "#f7fbff");
        assert_eq!(blue(1.0), "#08306b");
        assert_eq!(nice_ceiling(0.21), 0.25);
        let lines = line_chart(
            "t",
            &["2018".into(), "2019".into()],
            &[Series {
                name: "s".into(),
                shares: vec![0.0, 0.2],
                intervals: vec![
                    Interval {
                        low: 0.0,
                        high: 0.1,
                    },
                    Interval {
                        low: 0.15,
                        high: 0.25,
                    },
                ],
            }],
        );
        // 25% (the top of the second interval) is the axis top; the first point sits on the
        // bottom line, the second's error bar spans from the top line to 15%.
        assert!(
            lines.contains(r#"points="50.0,290.0 560.0,70.0""#),
            "{lines}"
        );
        assert!(
            lines.contains(r#"class="interval" x1="560.0" y1="15.0" x2="560.0" y2="125.0""#),
            "{lines}"
        );
    }
}
