//! How far a share can be trusted: the 95% Wilson score interval of a share, the two-proportion
//! z-test of a change of share, and the p-value of Pearson's r (Student's t). The distributions
//! are `statrs`'.
//!
//! With 20-27 talks a period one talk is worth 4-5 points of share: these are what tells a change
//! from the noise of which talks a period happened to have.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// A change of share is significant under this two-sided p-value.
pub const ALPHA: f64 = 0.05;

/// The standard normal quantile of a 95% two-sided interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// `talks` of a period's `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Proportion {
    /// Talks of the theme (or track) in the period.
    pub talks: usize,
    /// All talks of the period.
    pub total: usize,
}

impl Proportion {
    /// The share, 0 for an empty period.
    pub fn share(self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.talks as f64 / self.total as f64
        }
    }

    /// The 95% Wilson score interval of the share: unlike the normal approximation it stays
    /// within [0, 1] and is not empty at 0 or 1 talks. An empty period gives [0, 1].
    pub fn wilson(self) -> Interval {
        if self.total == 0 {
            return Interval {
                low: 0.0,
                high: 1.0,
            };
        }
        let n = self.total as f64;
        let p = self.share();
        let z2 = Z_95 * Z_95;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = Z_95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        Interval {
            low: (centre - half).max(0.0) as f32,
            high: (centre + half).min(1.0) as f32,
        }
    }
}

/// A 95% interval of a share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub low: f32,
    /// Upper end.
    pub high: f32,
}

/// Two-sided p-value of the pooled two-proportion z-test that `before` and `now` have the same
/// share; none when it cannot be computed (an empty period, or no talk or every talk of both).
pub fn two_proportions_p(before: Proportion, now: Proportion) -> Option<f64> {
    if before.total == 0 || now.total == 0 {
        return None;
    }
    let (n0, n1) = (before.total as f64, now.total as f64);
    let pooled = (before.talks + now.talks) as f64 / (n0 + n1);
    let variance = pooled * (1.0 - pooled) * (1.0 / n0 + 1.0 / n1);
    if variance <= 0.0 {
        return None;
    }
    let z = (now.share() - before.share()).abs() / variance.sqrt();
    Some(2.0 * Normal::standard().sf(z))
}

/// Two-sided p-value of Pearson's `r` over `n` points (t = r sqrt((n - 2) / (1 - r^2)) with n - 2
/// degrees of freedom); none under three points.
pub fn pearson_p(r: f64, n: usize) -> Option<f64> {
    if n < 3 {
        return None;
    }
    let df = (n - 2) as f64;
    let rest = 1.0 - r * r;
    if rest <= 0.0 {
        return Some(0.0);
    }
    let t = r.abs() * (df / rest).sqrt();
    let student = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(2.0 * student.sf(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), table I: 81 of 263 gives 0.2553 to 0.3662; 0 of 10, 0 to 0.2775.
        let i = Proportion {
            talks: 81,
            total: 263,
        }
        .wilson();
        assert!(close(i.low.into(), 0.2553, 1e-4) && close(i.high.into(), 0.3662, 1e-4));
        let i = Proportion {
            talks: 0,
            total: 10,
        }
        .wilson();
        assert!(i.low == 0.0 && close(i.high.into(), 0.2775, 1e-4));
        let i = Proportion { talks: 0, total: 0 }.wilson();
        assert_eq!((i.low, i.high), (0.0, 1.0));
    }

    #[test]
    fn two_proportions_matches_a_hand_computed_test() {
        // 10 of 100 against 25 of 100: pooled 0.175, z = 0.15 / sqrt(0.175 * 0.825 * 0.02) = 2.7915.
        let p = two_proportions_p(
            Proportion {
                talks: 10,
                total: 100,
            },
            Proportion {
                talks: 25,
                total: 100,
            },
        )
        .unwrap();
        assert!(close(p, 0.005247, 2e-6), "{p}");
        // One talk of 25 against two of 25 is noise.
        let p = two_proportions_p(
            Proportion {
                talks: 1,
                total: 25,
            },
            Proportion {
                talks: 2,
                total: 25,
            },
        )
        .unwrap();
        assert!(p > 0.5, "{p}");
        let none = Proportion {
            talks: 0,
            total: 20,
        };
        assert_eq!(two_proportions_p(none, none), None);
    }

    #[test]
    fn pearson_p_matches_the_t_table() {
        // r = 0.80538 over 5 points gives t = 2.3534 with 3 degrees of freedom, the table's
        // two-sided 10% point.
        let p = pearson_p(0.805_38, 5).unwrap();
        assert!(close(p, 0.10, 2e-4), "{p}");
        assert_eq!(pearson_p(0.9, 2), None);
        assert_eq!(pearson_p(1.0, 6), Some(0.0));
    }
}
