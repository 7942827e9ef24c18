//! `report.html`: one self-contained page (inline CSS and SVG, no script, nothing fetched; a
//! content security policy forbids any load) with the theme shares, their change over the periods,
//! the top talks and keywords of each theme, the clusters and the run's parameters.

use std::fmt::Write;

use super::svg::{
    bar_chart, escape, heatmap, keyword_bars, line_chart, percent, scatter, Bar, Cell, Dot, Series,
};
use super::RunReport;
use crate::compare::{Change, Interval, Trends, ALPHA};

/// Most themes drawn in the line chart (the largest ones; the heatmap shows them all).
const LINES: usize = 8;

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:1100px;padding:0 1.2em;color:#222}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.lead{color:#555}.chart{display:block;margin:1em 0;font-size:13px;overflow:visible}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{padding:.3em .7em;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.n{text-align:right;font-variant-numeric:tabular-nums}
.theme{margin:1.2em 0;padding:.6em 1em;border-left:4px solid #4e79a7;background:#fafafa}
.theme h3{margin:.1em 0}.kw{color:#555}.emerging,.new{color:#1a7f37}.declining,.gone{color:#b42318}
code{background:#f3f3f3;padding:0 .25em}";

/// Renders the page for `report`, titled `title`.
pub fn render(report: &RunReport, title: &str) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{t}</title><style>{STYLE}</style></head><body>
<h1>{t}</h1>
<p class="lead">{summary}</p>
"#,
        t = escape(title),
        summary = escape(&summary(report)),
    );
    shares(&mut page, report);
    over_time(&mut page, &report.trends);
    tracks(&mut page, &report.trends);
    map(&mut page, report);
    similarity(&mut page, report);
    themes(&mut page, report);
    clusters(&mut page, report);
    parameters(&mut page, report);
    page.push_str("</body></html>\n");
    page
}

fn summary(report: &RunReport) -> String {
    let periods: Vec<&str> = report
        .trends
        .periods
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    let mut text = format!(
        "{}, {}, {} ({}).",
        count(report.documents.len(), "document"),
        talks(report.talks.len()),
        count(report.clustering.k, "cluster"),
        report.clustering.algorithm
    );
    if !periods.is_empty() {
        let _ = write!(text, " Periods: {}.", periods.join(", "));
    }
    text
}

fn shares(page: &mut String, report: &RunReport) {
    let bars: Vec<Bar> = report
        .themes
        .iter()
        .filter(|t| t.talks > 0)
        .map(|t| Bar {
            label: t.name.clone(),
            share: t.share,
            note: format!("{}, {}", talks(t.talks), percent(t.share)),
        })
        .collect();
    page.push_str("<h2>Theme shares</h2>\n");
    page.push_str(&bar_chart("Share of talks per theme", &bars));
}

fn over_time(page: &mut String, trends: &Trends) {
    if trends.periods.len() < 2 {
        return;
    }
    let labels: Vec<String> = trends.periods.iter().map(|p| p.label.clone()).collect();
    let counts: Vec<String> = trends
        .periods
        .iter()
        .map(|p| format!("{} {}", p.label, talks(p.talks)))
        .collect();
    let _ = write!(
        page,
        "<h2>Themes over time</h2>\n<p>{}. Shares are of each period's talks; the bars are their 95% intervals (Wilson). A change is emerging or declining only when it is significant (two-proportion test, p &lt; {ALPHA}).",
        escape(&counts.join(", "))
    );
    if trends.without_period > 0 {
        let _ = write!(
            page,
            " {} without a year left out.",
            talks(trends.without_period)
        );
    }
    if !trends.small_periods.is_empty() {
        let small: Vec<String> = trends
            .small_periods
            .iter()
            .map(|p| format!("{} ({})", p.label, talks(p.talks)))
            .collect();
        let _ = write!(
            page,
            " Left out as too small to give shares: {}.",
            escape(&small.join(", "))
        );
    }
    page.push_str("</p>\n");
    let series: Vec<Series> = trends
        .themes
        .iter()
        .take(LINES)
        .map(|t| Series {
            name: t.name.clone(),
            shares: t.shares.clone(),
            intervals: t.intervals.clone(),
        })
        .collect();
    page.push_str(&line_chart("Theme shares per period", &labels, &series));

    let names: Vec<String> = trends.themes.iter().map(|t| t.name.clone()).collect();
    let cells: Vec<Vec<Cell>> = trends
        .themes
        .iter()
        .map(|t| {
            trends
                .rows
                .iter()
                .filter(|r| r.theme == t.theme)
                .map(|r| Cell {
                    share: r.share,
                    label: percent(r.share),
                    tooltip: format!(
                        "{} in {}: {}, {}; {}",
                        r.name,
                        r.period,
                        talks(r.talks),
                        percent(r.share),
                        keywords(r.keywords.iter().map(|k| k.word.as_str()), 6)
                    ),
                })
                .collect()
        })
        .collect();
    page.push_str("<h3>Theme x period</h3>\n");
    page.push_str(&heatmap(
        "Share of each period's talks per theme",
        &names,
        &labels,
        &cells,
        76,
    ));

    let first = &labels[0];
    let last = &labels[labels.len() - 1];
    let _ = write!(
        page,
        "<h3>From {f} to {l}</h3>\n<table><tr><th>theme</th><th>{f}</th><th>{l}</th><th>p</th><th>change</th></tr>\n",
        f = escape(first),
        l = escape(last)
    );
    for t in &trends.themes {
        let (a, b) = (t.shares[0], t.shares[t.shares.len() - 1]);
        let _ = writeln!(
            page,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="{c}">{c}</td></tr>"#,
            escape(&t.kind.label(&t.name)),
            with_interval(a, t.intervals[0]),
            with_interval(b, t.intervals[t.intervals.len() - 1]),
            p_value(t.p_value),
            c = t.change.as_str()
        );
    }
    page.push_str("</table>\n");
    let moving: Vec<String> = trends
        .rows
        .iter()
        .filter(|r| {
            matches!(
                r.change,
                Change::New | Change::Emerging | Change::Declining | Change::Gone
            )
        })
        .map(|r| {
            format!(
                "{} {} in {}",
                r.kind.label(&r.name),
                r.change.as_str(),
                r.period
            )
        })
        .collect();
    if !moving.is_empty() {
        let _ = writeln!(
            page,
            "<p>Against the previous period: {}.</p>",
            escape(&moving.join("; "))
        );
    }
}

/// A share with its interval: "12.5% (8.1-18.0%)".
fn with_interval(share: f32, interval: Interval) -> String {
    format!(
        "{} ({:.1}-{})",
        percent(share),
        interval.low * 100.0,
        percent(interval.high)
    )
}

/// A p-value as a table shows it.
fn p_value(p: Option<f64>) -> String {
    match p {
        None => "-".to_string(),
        Some(p) if p < 0.001 => "&lt;0.001".to_string(),
        Some(p) => format!("{p:.3}"),
    }
}

/// The talks on their 2-D UMAP layout, coloured by theme.
fn map(page: &mut String, report: &RunReport) {
    if report.map.is_empty() {
        return;
    }
    let groups: Vec<&str> = report.themes.iter().map(|t| t.id.as_str()).collect();
    // A talk described in two documents has two records, with the same title and theme.
    let mut by_id = std::collections::BTreeMap::new();
    for talk in &report.talks {
        by_id.entry(talk.talk_id).or_insert(talk);
    }
    let dots: Vec<Dot> = report
        .map
        .iter()
        .filter_map(|p| {
            let talk = by_id.get(&p.talk_id)?;
            let group = groups.iter().position(|&g| g == talk.theme)?;
            Some(Dot {
                x: p.x,
                y: p.y,
                group,
                tooltip: format!("{} ({})", talk.title, report.themes[group].name),
            })
        })
        .collect();
    let names: Vec<String> = report.themes.iter().map(|t| t.name.clone()).collect();
    page.push_str("<h2>Map of the talks</h2>\n<p>Each talk on a 2-D UMAP layout of its MiniLM vector: talks near each other are about similar things (distances between far groups mean little). Colours are themes, largest first; hover a dot for its title.</p>\n");
    page.push_str(&scatter("Talks on a 2-D UMAP layout", &dots, &names));
}

/// How close the themes' centroids are.
fn similarity(page: &mut String, report: &RunReport) {
    let s = &report.theme_similarity;
    if s.themes.len() < 2 {
        return;
    }
    let name = |id: &str| {
        report
            .themes
            .iter()
            .find(|t| t.id == id)
            .map_or(id.to_string(), |t| t.name.clone())
    };
    // Colour from the least similar pair (light) to identity (dark).
    let least = s.cosine.iter().flatten().fold(1.0f32, |m, &c| m.min(c));
    let rows: Vec<String> = s
        .themes
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{} {}", i + 1, name(id)))
        .collect();
    let columns: Vec<String> = (1..=s.themes.len()).map(|i| i.to_string()).collect();
    let cells: Vec<Vec<Cell>> = s
        .cosine
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &c)| Cell {
                    share: (c - least) / (1.0 - least).max(1e-6),
                    label: format!("{c:.2}"),
                    tooltip: format!("{} and {}: {c:.3}", name(&s.themes[i]), name(&s.themes[j])),
                })
                .collect()
        })
        .collect();
    page.push_str("<h2>How close the themes are</h2>\n<p>Cosine similarity between the centroids of the themes' talks: two themes whose talks read alike are dark.</p>\n");
    page.push_str(&heatmap(
        "Cosine similarity of theme centroids",
        &rows,
        &columns,
        &cells,
        40,
    ));
}

fn tracks(page: &mut String, trends: &Trends) {
    let Some(tracks) = &trends.tracks else {
        return;
    };
    let _ = write!(
        page,
        "<h2>Themes against the official tracks</h2>\n<p>Pearson correlation across periods between a theme's share and the share of its track in the <code>{}</code> column.</p>\n<table><tr><th>theme</th><th>track</th><th>r</th><th>p</th><th>theme shares</th><th>track shares</th></tr>\n",
        escape(&tracks.column)
    );
    let series = |v: &[f32]| v.iter().map(|&s| percent(s)).collect::<Vec<_>>().join(" ");
    for c in &tracks.correlations {
        let _ = writeln!(
            page,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&c.theme),
            escape(&c.track),
            c.pearson.map_or("-".to_string(), |r| format!("{r:.2}")),
            p_value(c.p_value),
            series(&c.theme_shares),
            series(&c.track_shares)
        );
    }
    page.push_str("</table>\n");
}

/// Keyphrases drawn as bars per theme.
const KEYWORD_BARS: usize = 5;

fn themes(page: &mut String, report: &RunReport) {
    page.push_str("<h2>Themes</h2>\n");
    for theme in report.themes.iter().filter(|t| t.talks > 0) {
        let _ = writeln!(
            page,
            "<div class=\"theme\"><h3>{}</h3><p>{}, {} of all. <span class=\"kw\">Keywords: {}</span></p>",
            escape(&theme.kind.label(&theme.name)),
            talks(theme.talks),
            percent(theme.share),
            escape(&keywords(theme.keywords.iter().map(|k| k.word.as_str()), 10))
        );
        let top: Vec<Bar> = theme
            .keywords
            .iter()
            .take(KEYWORD_BARS)
            .map(|k| Bar {
                label: k.word.clone(),
                share: k.weight.max(0.0),
                note: format!("{:.3}", k.weight),
            })
            .collect();
        if !top.is_empty() {
            page.push_str(&keyword_bars(
                &format!("Keyphrases of {} by relevance", theme.name),
                &top,
            ));
        }
        page.push_str("<p>Top talks:</p><ul>");
        for title in &theme.examples {
            let _ = write!(page, "<li>{}</li>", escape(title));
        }
        page.push_str("</ul>");
        let per_period: Vec<String> = report
            .trends
            .rows
            .iter()
            .filter(|r| r.theme == theme.id && r.talks > 0)
            .map(|r| {
                format!(
                    "<li>{}: {}</li>",
                    escape(&r.period),
                    escape(&keywords(r.keywords.iter().map(|k| k.word.as_str()), 6))
                )
            })
            .collect();
        if report.trends.periods.len() > 1 && !per_period.is_empty() {
            let _ = write!(
                page,
                "<p>Keywords per period:</p><ul>{}</ul>",
                per_period.concat()
            );
        }
        page.push_str("</div>\n");
    }
}

fn clusters(page: &mut String, report: &RunReport) {
    let outliers = report.talks.iter().filter(|t| t.cluster.is_none()).count();
    let _ = write!(
        page,
        "<h2>Clusters</h2>\n<p>{} by {}{}.</p>\n<table><tr><th>#</th><th>name</th><th>talks</th><th>keywords</th><th>theme similarity</th><th>most central talks</th></tr>\n",
        count(report.clustering.k, "cluster"),
        escape(&report.clustering.algorithm),
        if outliers > 0 {
            format!("; {} left out as outliers", talks(outliers))
        } else {
            String::new()
        }
    );
    for c in &report.clusters {
        let _ = writeln!(
            page,
            r#"<tr><td class="n">{}</td><td>{}</td><td class="n">{}</td><td class="kw">{}</td><td class="n">{:.2}</td><td>{}</td></tr>"#,
            c.id,
            escape(&c.name),
            c.size,
            escape(&keywords(c.keywords.iter().map(|k| k.word.as_str()), 8)),
            c.theme_similarity,
            escape(
                &c.central
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" | ")
            )
        );
    }
    page.push_str("</table>\n");
}

fn parameters(page: &mut String, report: &RunReport) {
    let p = &report.parameters;
    let rows = [
        ("inputs", p.inputs.join(", ")),
        (
            "algorithm",
            format!("{} ({})", p.algorithm, p.algorithm_params),
        ),
        ("seed", p.seed.to_string()),
        ("theme threshold", p.theme_threshold.to_string()),
        ("taxonomy", p.taxonomy.clone()),
        (
            "periods by",
            format!("{:?}", report.trends.by).to_lowercase(),
        ),
        (
            "model",
            format!(
                "{} (sha256 {}) on {}",
                report.model.id, report.model.sha256, report.model.engine
            ),
        ),
        ("confthemes", report.tool_version.clone()),
    ];
    page.push_str("<h2>Parameters</h2>\n<table>\n");
    for (name, value) in rows {
        let _ = writeln!(page, "<tr><th>{name}</th><td>{}</td></tr>", escape(&value));
    }
    page.push_str("</table>\n");
    if !report.warnings.is_empty() {
        page.push_str("<h3>Warnings</h3>\n<ul>\n");
        for w in &report.warnings {
            let _ = writeln!(page, "<li>{}: {}</li>", escape(&w.file), escape(&w.message));
        }
        page.push_str("</ul>\n");
    }
}

/// "1 talk", "2 talks".
fn talks(n: usize) -> String {
    count(n, "talk")
}

/// `n` and the noun, plural unless `n` is 1.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The first `n` words, comma-separated.
fn keywords<'a>(words: impl Iterator<Item = &'a str>, n: usize) -> String {
    words.take(n).collect::<Vec<_>>().join(", ")
}
