//! The logistic model that scores candidate talk starts: fitted by Newton's method with an L2
//! penalty (deterministic: no sampling, no random start), stored as a CSV of cue weights.

use std::sync::LazyLock;

use super::cues::{Cue, Features, CUES};

/// The shipped model, fitted by `examples/fit_segmenter.rs`.
const SHIPPED: &str = include_str!("../boundary_model.csv");

static SHIPPED_MODEL: LazyLock<BoundaryModel> = LazyLock::new(|| {
    BoundaryModel::from_csv(SHIPPED).expect("the shipped boundary_model.csv is valid")
});

/// L2 penalty on every weight but the intercept (in units of one example's loss).
const RIDGE: f64 = 1.0;
const NEWTON_STEPS: usize = 30;

/// One candidate with its annotation, for fitting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Example {
    /// The candidate's cues.
    pub features: Features,
    /// An annotator starts a talk on it.
    pub talk: bool,
}

/// Weights of a logistic model over [`Cue`]s and the probability at which a candidate starts a
/// talk.
#[derive(Debug, Clone, PartialEq)]
pub struct BoundaryModel {
    weights: [f64; CUES],
    threshold: f64,
}

impl Default for BoundaryModel {
    /// The shipped model.
    fn default() -> Self {
        SHIPPED_MODEL.clone()
    }
}

impl BoundaryModel {
    /// The probability that a candidate with these cues starts a talk.
    pub fn probability(&self, features: &Features) -> f64 {
        sigmoid(dot(&self.weights, &features.0))
    }

    /// True when a candidate with these cues starts a talk.
    pub fn accepts(&self, features: &Features) -> bool {
        self.probability(features) >= self.threshold
    }

    /// The weight of `cue`.
    pub fn weight(&self, cue: Cue) -> f64 {
        self.weights[cue as usize]
    }

    /// Fits the weights to `examples`, then the threshold that maximises F1 over them.
    pub fn fit(examples: &[Example]) -> BoundaryModel {
        let mut w = [0.0; CUES];
        for _ in 0..NEWTON_STEPS {
            let mut gradient = [0.0; CUES];
            let mut hessian = vec![[0.0; CUES]; CUES];
            for e in examples {
                let x = &e.features.0;
                let p = sigmoid(dot(&w, x));
                let residual = p - f64::from(u8::from(e.talk));
                let curvature = (p * (1.0 - p)).max(1e-9);
                for i in 0..CUES {
                    gradient[i] += residual * x[i];
                    if x[i] != 0.0 {
                        for j in 0..CUES {
                            hessian[i][j] += curvature * x[i] * x[j];
                        }
                    }
                }
            }
            for i in 1..CUES {
                gradient[i] += RIDGE * w[i];
                hessian[i][i] += RIDGE;
            }
            hessian[0][0] += 1e-6;
            let step = solve(hessian, gradient);
            let mut change: f64 = 0.0;
            for i in 0..CUES {
                w[i] -= step[i];
                change = change.max(step[i].abs());
            }
            if change < 1e-9 {
                break;
            }
        }
        let mut model = BoundaryModel {
            weights: w,
            threshold: 0.5,
        };
        model.threshold = model.best_threshold(examples);
        model
    }

    /// The threshold in 0.05..=0.95 (steps of 0.05) with the best F1 over `examples`; the lowest
    /// of equals.
    fn best_threshold(&self, examples: &[Example]) -> f64 {
        let scores: Vec<(f64, bool)> = examples
            .iter()
            .map(|e| (self.probability(&e.features), e.talk))
            .collect();
        let positives = scores.iter().filter(|(_, t)| *t).count();
        let mut best = (0.5, -1.0);
        for step in 1..=19 {
            let t = f64::from(step) * 0.05;
            let found = scores.iter().filter(|(p, _)| *p >= t).count();
            let hits = scores.iter().filter(|(p, talk)| *p >= t && *talk).count();
            let f1 = if found + positives == 0 {
                0.0
            } else {
                2.0 * hits as f64 / (found + positives) as f64
            };
            if f1 > best.1 + 1e-12 {
                best = (t, f1);
            }
        }
        best.0
    }

    /// The model as CSV: `cue,weight` rows, then `threshold,<value>`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("cue,weight\n");
        for cue in Cue::ALL {
            out.push_str(&format!("{},{:.6}\n", cue.name(), self.weight(cue)));
        }
        out.push_str(&format!("threshold,{:.2}\n", self.threshold));
        out
    }

    /// Reads [`BoundaryModel::to_csv`]'s form; every cue must have a weight.
    pub fn from_csv(text: &str) -> Result<BoundaryModel, String> {
        let mut weights = [f64::NAN; CUES];
        let mut threshold = None;
        for (n, line) in text.lines().enumerate().skip(1) {
            let (name, value) = line
                .split_once(',')
                .ok_or_else(|| format!("line {}: expected name,value", n + 1))?;
            let value: f64 = value
                .trim()
                .parse()
                .map_err(|e| format!("line {}: {e}", n + 1))?;
            if name == "threshold" {
                threshold = Some(value);
            } else {
                let cue =
                    Cue::named(name).ok_or_else(|| format!("line {}: no cue {name}", n + 1))?;
                weights[cue as usize] = value;
            }
        }
        if let Some(cue) = Cue::ALL.into_iter().find(|&c| weights[c as usize].is_nan()) {
            return Err(format!("no weight for {}", cue.name()));
        }
        Ok(BoundaryModel {
            weights,
            threshold: threshold.ok_or("no threshold")?,
        })
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn dot(a: &[f64; CUES], b: &[f64; CUES]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (`a` is the penalised Hessian:
/// symmetric positive definite, so it does not fail).
fn solve(mut a: Vec<[f64; CUES]>, mut b: [f64; CUES]) -> [f64; CUES] {
    for col in 0..CUES {
        let pivot = (col..CUES)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let diag = a[col][col];
        if diag.abs() < 1e-12 {
            continue;
        }
        for row in col + 1..CUES {
            let factor = a[row][col] / diag;
            if factor != 0.0 {
                let pivot_row = a[col];
                for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                    *x -= factor * p;
                }
                b[row] -= factor * b[col];
            }
        }
    }
    let mut x = [0.0; CUES];
    for row in (0..CUES).rev() {
        let rest: f64 = (row + 1..CUES).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-12 {
            0.0
        } else {
            (b[row] - rest) / a[row][row]
        };
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_reads_and_round_trips() {
        let model = BoundaryModel::default();
        assert_eq!(BoundaryModel::from_csv(&model.to_csv()).unwrap(), model);
    }

    #[test]
    fn fitting_separates_a_cue_that_decides() {
        let example = |cue: Cue, talk: bool| {
            let mut f = Features([0.0; CUES]);
            f.0[0] = 1.0;
            f.0[cue as usize] = 1.0;
            Example { features: f, talk }
        };
        let mut examples = Vec::new();
        for _ in 0..20 {
            examples.push(example(Cue::SpeakerAfterDash, true));
            examples.push(example(Cue::EventWords, false));
        }
        let model = BoundaryModel::fit(&examples);
        assert!(model.weight(Cue::SpeakerAfterDash) > 1.0);
        assert!(model.weight(Cue::EventWords) < -1.0);
        assert!(model.accepts(&examples[0].features));
        assert!(!model.accepts(&examples[1].features));
    }

    #[test]
    fn a_model_missing_a_cue_is_refused() {
        let text = "cue,weight\nBias,1.0\nthreshold,0.5\n";
        assert!(BoundaryModel::from_csv(text)
            .unwrap_err()
            .starts_with("no weight"));
    }
}
