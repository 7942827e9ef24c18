//! Stage 6: how the themes change from one period to the next (a year, or a conference edition).
//!
//! Themes are assigned once over all periods, so a theme keeps its identity; this stage counts
//! them per period, computes shares with their 95% intervals and their change against the previous
//! period, labels each change (new, emerging, steady, declining, gone; emerging and declining only
//! when the change is significant), and finds each theme's keywords per period:
//! c-TF-IDF of the theme's talks in that period weighted with the IDF of all periods, as
//! BERTopic's topics over time. Given a column of official tracks, it also correlates theme shares
//! with track shares across periods.

mod significance;

pub use significance::{pearson_p, two_proportions_p, Interval, Proportion, ALPHA};

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::Serialize;

use crate::error::Error;
use crate::segment::Talk;
use crate::themes::{ClassTfidf, Keyword, Theme, ThemeAssignment, ThemeKind, TOP_KEYWORDS};

/// What makes a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodBy {
    /// The year (all conferences of a year together).
    #[default]
    Year,
    /// The conference and year, e.g. "KubeCon + CloudNativeCon Europe 2018".
    Event,
}

impl FromStr for PeriodBy {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        match name {
            "year" => Ok(PeriodBy::Year),
            "event" => Ok(PeriodBy::Event),
            _ => Err(Error::Setting(format!(
                "unknown period `{name}` (known: year, event)"
            ))),
        }
    }
}

/// A theme and the official track it is compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeTrack {
    /// Theme id.
    pub theme: String,
    /// Track value in the track column.
    pub track: String,
}

impl FromStr for ThemeTrack {
    type Err = Error;

    /// Parses `THEME=TRACK`.
    fn from_str(pair: &str) -> Result<Self, Error> {
        match pair.split_once('=') {
            Some((theme, track)) if !theme.trim().is_empty() && !track.trim().is_empty() => {
                Ok(ThemeTrack {
                    theme: theme.trim().to_string(),
                    track: track.trim().to_string(),
                })
            }
            _ => Err(Error::Setting(format!(
                "`{pair}` is not THEME=TRACK (e.g. ml-on-kubernetes=ai-ml)"
            ))),
        }
    }
}

/// Settings of the trend analysis.
#[derive(Debug, Clone)]
pub struct TrendOptions {
    /// What makes a period.
    pub by: PeriodBy,
    /// Smallest change of share (0.02 = 2 points) that counts as emerging or declining; the change
    /// must also be significant (two-proportion z-test, p < [`ALPHA`]).
    pub min_change: f32,
    /// A column of official tracks (of a CSV of talks) to compare theme shares with.
    pub track_column: Option<String>,
    /// The theme-track pairs to correlate.
    pub pairs: Vec<ThemeTrack>,
    /// Periods with fewer talks are left out: a share of two talks says nothing.
    pub min_period_talks: usize,
    /// A comparison: fail (before anything is embedded) unless the talks span two periods.
    pub require_two_periods: bool,
}

impl Default for TrendOptions {
    fn default() -> Self {
        TrendOptions {
            by: PeriodBy::Year,
            min_change: 0.02,
            track_column: None,
            pairs: Vec::new(),
            min_period_talks: 5,
            require_two_periods: false,
        }
    }
}

/// One period and its number of talks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    /// Display label, e.g. "2019".
    pub label: String,
    /// Its year.
    pub year: u16,
    /// Talks in the period.
    pub talks: usize,
}

/// How a theme's share changed against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The first period: nothing to compare with.
    First,
    /// No talks before, some now.
    New,
    /// The share rose by at least `min_change`, significantly.
    Emerging,
    /// Neither emerging nor declining.
    Steady,
    /// The share fell by at least `min_change`, significantly.
    Declining,
    /// Talks before, none now.
    Gone,
}

impl Change {
    /// The label used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::First => "first",
            Change::New => "new",
            Change::Emerging => "emerging",
            Change::Steady => "steady",
            Change::Declining => "declining",
            Change::Gone => "gone",
        }
    }

    /// Classifies the move from `before` to `now`; `p` is the two-proportion test's p-value.
    fn between(before: Proportion, now: Proportion, p: Option<f64>, min_change: f32) -> Change {
        let delta = now.share() - before.share();
        let significant = p.is_some_and(|p| p < ALPHA);
        match (before.talks, now.talks) {
            (0, 0) => Change::Steady,
            (0, _) => Change::New,
            (_, 0) => Change::Gone,
            _ if significant && delta >= f64::from(min_change) => Change::Emerging,
            _ if significant && -delta >= f64::from(min_change) => Change::Declining,
            _ => Change::Steady,
        }
    }
}

/// One theme in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// Period label.
    pub period: String,
    /// Theme id.
    pub theme: String,
    /// Theme name.
    pub name: String,
    /// From the taxonomy or discovered in the talks.
    pub kind: ThemeKind,
    /// Talks of the theme in the period.
    pub talks: usize,
    /// Fraction of the period's talks.
    pub share: f32,
    /// 95% Wilson interval of the share.
    pub interval: Interval,
    /// Share minus the previous period's share (none in the first period).
    pub delta_share: Option<f32>,
    /// Two-sided p-value of the change against the previous period (two-proportion z-test; none
    /// in the first period or when it cannot be computed).
    pub p_value: Option<f64>,
    /// What the change amounts to.
    pub change: Change,
    /// The theme's keywords in this period (c-TF-IDF with the IDF of all periods).
    pub keywords: Vec<Keyword>,
}

/// A theme from the first period to the last.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeTrend {
    /// Theme id.
    pub theme: String,
    /// Theme name.
    pub name: String,
    /// From the taxonomy or discovered in the talks.
    pub kind: ThemeKind,
    /// Its share in each period, in period order.
    pub shares: Vec<f32>,
    /// The 95% Wilson interval of each share.
    pub intervals: Vec<Interval>,
    /// Two-sided p-value of the change from the first period to the last.
    pub p_value: Option<f64>,
    /// The change from the first period to the last.
    pub change: Change,
}

/// A track's share in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackShare {
    /// Period label.
    pub period: String,
    /// Track value.
    pub track: String,
    /// Talks of the track in the period.
    pub talks: usize,
    /// Fraction of the period's talks.
    pub share: f32,
}

/// How closely a theme's shares follow a track's across periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Correlation {
    /// Theme id.
    pub theme: String,
    /// Track value.
    pub track: String,
    /// The theme's share per period.
    pub theme_shares: Vec<f32>,
    /// The track's share per period.
    pub track_shares: Vec<f32>,
    /// Pearson's r over the periods (none under three periods, or when a series is flat).
    pub pearson: Option<f32>,
    /// Two-sided p-value of r (Student's t with periods - 2 degrees of freedom).
    pub p_value: Option<f64>,
}

/// Theme shares against the official tracks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackComparison {
    /// The track column.
    pub column: String,
    /// Every track's share per period, in period then track order.
    pub shares: Vec<TrackShare>,
    /// One entry per theme-track pair asked for.
    pub correlations: Vec<Correlation>,
}

/// Themes over periods.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Trends {
    /// What makes a period.
    pub by: PeriodBy,
    /// The periods in time order.
    pub periods: Vec<Period>,
    /// One row per period and theme (themes with no talks at all left out), period by period.
    pub rows: Vec<TrendRow>,
    /// Each theme from the first period to the last, in the themes' report order.
    pub themes: Vec<ThemeTrend>,
    /// Talks with no year, left out of every period.
    pub without_period: usize,
    /// Periods left out for having fewer than `min_period_talks` talks.
    pub small_periods: Vec<Period>,
    /// Theme shares against official tracks, when a track column was given.
    pub tracks: Option<TrackComparison>,
}

/// The periods of a set of talks, known before anything is embedded: a run that cannot be
/// compared stops here rather than after the embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Periods {
    /// The periods kept, in time order.
    kept: Vec<Period>,
    /// The periods left out for having fewer than `min_period_talks` talks.
    small: Vec<Period>,
    /// The kept period of each talk, if any.
    slot: Vec<Option<usize>>,
    /// Talks with no year.
    without_period: usize,
}

impl Periods {
    /// Finds the period of each talk and checks what `options` asks of them: two periods for a
    /// comparison, and the track column and tracks to correlate with.
    pub fn of(talks: &[Talk], options: &TrendOptions) -> Result<Periods, Error> {
        let period_of: Vec<Option<(u16, String)>> =
            talks.iter().map(|t| period_key(t, options.by)).collect();
        let mut all: BTreeMap<&(u16, String), usize> = BTreeMap::new();
        for key in period_of.iter().flatten() {
            *all.entry(key).or_default() += 1;
        }
        let period = |((year, label), talks): (&(u16, String), usize)| Period {
            label: label.clone(),
            year: *year,
            talks,
        };
        let (kept, small): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|&(_, n)| n >= options.min_period_talks);
        let index: BTreeMap<&(u16, String), usize> =
            kept.iter().enumerate().map(|(i, &(k, _))| (k, i)).collect();
        let slot = period_of
            .iter()
            .map(|k| k.as_ref().and_then(|k| index.get(k).copied()))
            .collect();
        let periods = Periods {
            kept: kept.into_iter().map(period).collect(),
            small: small.into_iter().map(period).collect(),
            slot,
            without_period: period_of.iter().filter(|k| k.is_none()).count(),
        };
        if options.require_two_periods && periods.kept.len() < 2 {
            let found: Vec<&str> = periods.kept.iter().map(|p| p.label.as_str()).collect();
            return Err(Error::Data(format!(
                "compare needs talks from two periods or more; found {} ({} talks without a year)",
                if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                },
                periods.without_period
            )));
        }
        if let Some(column) = &options.track_column {
            periods.check_tracks(talks, column, &options.pairs)?;
        }
        Ok(periods)
    }

    /// The talks of the kept periods must have the track column and every paired track.
    fn check_tracks(
        &self,
        talks: &[Talk],
        column: &str,
        pairs: &[ThemeTrack],
    ) -> Result<(), Error> {
        if !talks.iter().any(|t| track_of(t, column).is_some()) {
            return Err(Error::Data(format!(
                "no talk has a `{column}` column to compare themes with"
            )));
        }
        for pair in pairs {
            let found = talks
                .iter()
                .zip(&self.slot)
                .any(|(t, p)| p.is_some() && track_of(t, column) == Some(pair.track.as_str()));
            if !found {
                return Err(Error::Data(format!(
                    "no talk has `{}` in the `{column}` column",
                    pair.track
                )));
            }
        }
        Ok(())
    }
}

impl Trends {
    /// Counts the themes (`assigned[i]` is the theme of `talks[i]`; `themes` in report order)
    /// per period.
    pub fn build(
        talks: &[Talk],
        periods: Periods,
        assigned: &[ThemeAssignment],
        themes: &[Theme],
        options: &TrendOptions,
    ) -> Result<Trends, Error> {
        let Periods {
            kept: periods,
            small: small_periods,
            slot,
            without_period,
        } = periods;
        let shown: Vec<&Theme> = themes.iter().filter(|t| t.talks > 0).collect();
        // members[t][p]: the talks of shown theme t in period p.
        let mut members: Vec<Vec<Vec<usize>>> = vec![vec![Vec::new(); periods.len()]; shown.len()];
        for (i, p) in slot.iter().enumerate() {
            let theme = shown.iter().position(|t| t.id == assigned[i].theme);
            if let (Some(p), Some(t)) = (p, theme) {
                members[t][*p].push(i);
            }
        }
        let texts: Vec<String> = talks.iter().map(Talk::text).collect();
        let idf = ClassTfidf::fit(
            &shown
                .iter()
                .map(|t| {
                    (0..talks.len())
                        .filter(|&i| assigned[i].theme == t.id)
                        .map(|i| texts[i].as_str())
                        .collect()
                })
                .collect::<Vec<Vec<&str>>>(),
        );

        let counts: Vec<Vec<Proportion>> = members
            .iter()
            .map(|by_period| {
                by_period
                    .iter()
                    .zip(&periods)
                    .map(|(m, period)| Proportion {
                        talks: m.len(),
                        total: period.talks,
                    })
                    .collect()
            })
            .collect();
        // The p-value and the change from `before` to `now`.
        let change = |before: Proportion, now: Proportion| {
            let p = two_proportions_p(before, now);
            (p, Change::between(before, now, p, options.min_change))
        };
        let trends: Vec<ThemeTrend> = shown
            .iter()
            .zip(&counts)
            .map(|(theme, series)| {
                let (p_value, change) = match (series.first(), series.last()) {
                    (Some(&first), Some(&last)) if series.len() > 1 => change(first, last),
                    _ => (None, Change::First),
                };
                ThemeTrend {
                    theme: theme.id.clone(),
                    name: theme.name.clone(),
                    kind: theme.kind,
                    shares: series.iter().map(|s| s.share() as f32).collect(),
                    intervals: series.iter().map(|s| s.wilson()).collect(),
                    p_value,
                    change,
                }
            })
            .collect();
        let mut rows = Vec::new();
        for (p, period) in periods.iter().enumerate() {
            for ((theme, series), by_period) in shown.iter().zip(&counts).zip(&members) {
                let now = series[p];
                let before = p.checked_sub(1).map(|q| series[q]);
                let (p_value, change) = before.map_or((None, Change::First), |b| change(b, now));
                let subset: Vec<&str> = by_period[p].iter().map(|&i| texts[i].as_str()).collect();
                rows.push(TrendRow {
                    period: period.label.clone(),
                    theme: theme.id.clone(),
                    name: theme.name.clone(),
                    kind: theme.kind,
                    talks: now.talks,
                    share: now.share() as f32,
                    interval: now.wilson(),
                    delta_share: before.map(|b| (now.share() - b.share()) as f32),
                    p_value,
                    change,
                    keywords: idf.keywords(&subset, TOP_KEYWORDS),
                });
            }
        }
        let tracks = match &options.track_column {
            Some(column) => Some(compare_tracks(
                talks,
                &slot,
                &periods,
                &trends,
                column,
                &options.pairs,
            )?),
            None => None,
        };
        Ok(Trends {
            by: options.by,
            without_period,
            small_periods,
            periods,
            rows,
            themes: trends,
            tracks,
        })
    }
}

/// A talk's value in a column of its CSV row.
fn track_of<'t>(talk: &'t Talk, column: &str) -> Option<&'t str> {
    talk.extra
        .iter()
        .find(|f| f.column == column)
        .map(|f| f.value.as_str())
}

/// The period of a talk: its year, and its label.
fn period_key(talk: &Talk, by: PeriodBy) -> Option<(u16, String)> {
    let year = talk.meta.year?;
    let label = match (by, &talk.meta.conference) {
        (PeriodBy::Event, Some(conference)) => format!("{conference} {year}"),
        _ => year.to_string(),
    };
    Some((year, label))
}

/// Track shares per period and their correlation with the paired themes (the column and the
/// tracks were checked by [`Periods::of`]).
fn compare_tracks(
    talks: &[Talk],
    slot: &[Option<usize>],
    periods: &[Period],
    themes: &[ThemeTrend],
    column: &str,
    pairs: &[ThemeTrack],
) -> Result<TrackComparison, Error> {
    let mut per_period: Vec<BTreeMap<String, usize>> = vec![BTreeMap::new(); periods.len()];
    for (talk, p) in talks.iter().zip(slot) {
        if let (Some(p), Some(track)) = (p, track_of(talk, column)) {
            *per_period[*p].entry(track.to_string()).or_default() += 1;
        }
    }
    let track_share = |p: usize, track: &str| {
        per_period[p].get(track).copied().unwrap_or(0) as f32 / periods[p].talks.max(1) as f32
    };
    let shares = per_period
        .iter()
        .enumerate()
        .flat_map(|(p, tracks)| {
            tracks.iter().map(move |(track, &n)| TrackShare {
                period: periods[p].label.clone(),
                track: track.clone(),
                talks: n,
                share: n as f32 / periods[p].talks.max(1) as f32,
            })
        })
        .collect();
    let mut correlations = Vec::new();
    for pair in pairs {
        let Some(theme) = themes.iter().find(|t| t.theme == pair.theme) else {
            return Err(Error::Data(format!(
                "theme `{}` has no talks (themes with talks: {})",
                pair.theme,
                themes
                    .iter()
                    .map(|t| t.theme.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let track_shares: Vec<f32> = (0..periods.len())
            .map(|p| track_share(p, &pair.track))
            .collect();
        let r = pearson(&theme.shares, &track_shares);
        correlations.push(Correlation {
            theme: pair.theme.clone(),
            track: pair.track.clone(),
            pearson: r,
            p_value: r.and_then(|r| pearson_p(r.into(), periods.len())),
            theme_shares: theme.shares.clone(),
            track_shares,
        });
    }
    Ok(TrackComparison {
        column: column.to_string(),
        shares,
        correlations,
    })
}

/// Pearson's correlation of two series of equal length; none under three points or when either
/// series is constant.
pub fn pearson(x: &[f32], y: &[f32]) -> Option<f32> {
    let n = x.len().min(y.len());
    if n < 3 {
        return None;
    }
    let mean = |v: &[f32]| v[..n].iter().map(|&a| f64::from(a)).sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y).take(n) {
        let (dx, dy) = (f64::from(a) - mx, f64::from(b) - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{DocMeta, Field};

    fn talk(year: Option<u16>, text: &str, track: &str) -> Talk {
        Talk {
            kind: crate::segment::TalkKind::Talk,
            file: "t.csv".into(),
            index: 1,
            title: text.into(),
            speakers: Vec::new(),
            body: String::new(),
            start_line: 1,
            end_line: 1,
            meta: DocMeta {
                conference: Some("KubeCon".into()),
                edition: None,
                year,
            },
            extra: vec![Field {
                column: "track".into(),
                value: track.into(),
            }],
        }
    }

    fn theme(id: &str, talks: usize) -> Theme {
        Theme {
            id: id.into(),
            name: id.to_uppercase(),
            kind: ThemeKind::Taxonomy,
            talks,
            share: 0.0,
            keywords: Vec::new(),
            examples: Vec::new(),
        }
    }

    fn assigned(themes: &[&str]) -> Vec<ThemeAssignment> {
        themes
            .iter()
            .map(|t| ThemeAssignment {
                theme: t.to_string(),
                score: 0.5,
                nearest_phrase: 0.5,
                second: None,
                scores: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn shares_changes_and_keywords_per_period() {
        let talks = vec![
            talk(Some(2019), "envoy mesh", "net"),
            talk(Some(2018), "envoy sidecar", "net"),
            talk(Some(2019), "gpu training", "ai"),
            talk(Some(2019), "gpu inference", "ai"),
            talk(Some(2018), "istio mesh", "net"),
            talk(None, "undated envoy", "net"),
        ];
        let a = assigned(&["mesh", "mesh", "ml", "ml", "mesh", "mesh"]);
        let themes = [theme("mesh", 4), theme("ml", 2), theme("cost", 0)];
        let options = TrendOptions {
            track_column: Some("track".into()),
            pairs: vec!["ml=ai".parse().unwrap()],
            min_period_talks: 1,
            ..TrendOptions::default()
        };
        let periods = Periods::of(&talks, &options).unwrap();
        let trends = Trends::build(&talks, periods, &a, &themes, &options).unwrap();
        let labels: Vec<&str> = trends.periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["2018", "2019"]);
        assert_eq!(trends.without_period, 1);
        assert_eq!(trends.rows.len(), 4, "cost has no talks and is left out");
        let row = |p: &str, t: &str| {
            trends
                .rows
                .iter()
                .find(|r| r.period == p && r.theme == t)
                .unwrap()
        };
        assert_eq!(
            (row("2018", "mesh").talks, row("2018", "mesh").share),
            (2, 1.0)
        );
        assert_eq!(row("2018", "mesh").change, Change::First);
        let mesh19 = row("2019", "mesh");
        assert!((mesh19.share - 1.0 / 3.0).abs() < 1e-6);
        assert!((mesh19.delta_share.unwrap() + 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(
            mesh19.change,
            Change::Steady,
            "2 of 2 talks to 1 of 3 is not significant (p {:?})",
            mesh19.p_value
        );
        assert!(mesh19.interval.low < mesh19.share && mesh19.share < mesh19.interval.high);
        assert_eq!(row("2019", "ml").change, Change::New);
        assert_eq!(row("2019", "ml").keywords[0].word, "gpu");
        let words: Vec<&str> = mesh19.keywords.iter().map(|k| k.word.as_str()).collect();
        assert_eq!(
            words,
            ["mesh", "envoy"],
            "only 2019's mesh talk counts; envoy is commoner overall"
        );
        assert_eq!(trends.themes[1].change, Change::New);
        let tracks = trends.tracks.unwrap();
        assert_eq!(tracks.correlations[0].track_shares, [0.0, 2.0 / 3.0]);
        assert_eq!(
            tracks.correlations[0].pearson, None,
            "two periods are too few"
        );

        let fewer = TrendOptions {
            min_period_talks: 3,
            ..TrendOptions::default()
        };
        let periods = Periods::of(&talks, &fewer).unwrap();
        let trends = Trends::build(&talks, periods, &a, &themes, &fewer).unwrap();
        assert_eq!(trends.periods.len(), 1, "2018 has two talks");
        assert_eq!(trends.small_periods[0].label, "2018");
    }

    #[test]
    fn change_needs_points_and_significance() {
        let change = |before: (usize, usize), now: (usize, usize)| {
            let before = Proportion {
                talks: before.0,
                total: before.1,
            };
            let now = Proportion {
                talks: now.0,
                total: now.1,
            };
            Change::between(before, now, two_proportions_p(before, now), 0.02)
        };
        assert_eq!(change((10, 100), (25, 100)), Change::Emerging);
        assert_eq!(change((50, 100), (20, 100)), Change::Declining);
        assert_eq!(
            change((1, 25), (2, 25)),
            Change::Steady,
            "4 points, one talk: noise"
        );
        assert_eq!(
            change((1000, 10000), (1150, 10000)),
            Change::Steady,
            "significant but under 2 points"
        );
        assert_eq!(change((0, 25), (1, 25)), Change::New);
        assert_eq!(change((3, 30), (0, 30)), Change::Gone);
    }

    #[test]
    fn pearson_matches_a_hand_computed_value() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]).unwrap() - 0.99796).abs() < 1e-4);
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_missing_track_or_theme_is_a_clear_error() {
        let talks = vec![talk(Some(2019), "a", "net")];
        let a = assigned(&["mesh"]);
        let themes = [theme("mesh", 1)];
        let with = |column: &str, pair: &str| TrendOptions {
            track_column: Some(column.into()),
            pairs: vec![pair.parse().unwrap()],
            min_period_talks: 1,
            ..TrendOptions::default()
        };
        let err = |o: TrendOptions| {
            Periods::of(&talks, &o)
                .and_then(|periods| Trends::build(&talks, periods, &a, &themes, &o))
                .unwrap_err()
                .to_string()
        };
        assert!(err(with("label", "mesh=net")).contains("no talk has a `label` column"));
        assert!(err(with("track", "mesh=ai")).contains("no talk has `ai`"));
        assert!(err(with("track", "ml=net")).contains("theme `ml` has no talks"));
        assert!("ml".parse::<ThemeTrack>().is_err());
        let comparison = TrendOptions {
            require_two_periods: true,
            min_period_talks: 1,
            ..TrendOptions::default()
        };
        assert_eq!(
            err(comparison),
            "compare needs talks from two periods or more; found 2019 (0 talks without a year)"
        );
    }
}
