//! Agreement between a clustering and gold labels, defined as scikit-learn defines them: adjusted
//! Rand index, (adjusted) mutual information, homogeneity, completeness and V-measure. Outliers
//! count as one more cluster, as scikit-learn counts the label -1.

use std::collections::BTreeMap;

/// How well predicted clusters agree with gold labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PartitionScores {
    /// Adjusted Rand index.
    pub ari: f64,
    /// Normalised mutual information (arithmetic mean normalisation).
    pub nmi: f64,
    /// Adjusted mutual information (arithmetic mean normalisation).
    pub ami: f64,
    /// Each cluster holds only one label.
    pub homogeneity: f64,
    /// Each label sits in one cluster.
    pub completeness: f64,
    /// Harmonic mean of homogeneity and completeness.
    pub v_measure: f64,
}

/// A contingency table: counts of points per (gold label, cluster).
struct Contingency {
    n: usize,
    cells: Vec<Vec<usize>>,
    rows: Vec<usize>,
    cols: Vec<usize>,
}

impl Contingency {
    fn new<A: Ord, B: Ord>(gold: &[A], predicted: &[B]) -> Self {
        let gold_index = first_seen_index(gold);
        let pred_index = first_seen_index(predicted);
        let mut cells = vec![vec![0; pred_index.len()]; gold_index.len()];
        for (g, p) in gold.iter().zip(predicted) {
            cells[gold_index[g]][pred_index[p]] += 1;
        }
        let rows = cells.iter().map(|r| r.iter().sum()).collect();
        let cols = (0..pred_index.len())
            .map(|j| cells.iter().map(|r| r[j]).sum())
            .collect();
        Contingency {
            n: gold.len(),
            cells,
            rows,
            cols,
        }
    }

    fn entropy(counts: &[usize], n: usize) -> f64 {
        counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n as f64;
                -p * p.ln()
            })
            .sum()
    }

    fn mutual_information(&self) -> f64 {
        let n = self.n as f64;
        let mut mi = 0.0;
        for (i, row) in self.cells.iter().enumerate() {
            for (j, &c) in row.iter().enumerate() {
                if c > 0 {
                    let c = c as f64;
                    mi += c / n * (n * c / (self.rows[i] as f64 * self.cols[j] as f64)).ln();
                }
            }
        }
        mi.max(0.0)
    }

    /// Expected mutual information of two random labelings with these marginals (Vinh et al.
    /// 2010), as scikit-learn's `expected_mutual_information`.
    fn expected_mutual_information(&self) -> f64 {
        let n = self.n;
        let ln_fact: Vec<f64> = std::iter::once(0.0)
            .chain((1..=n).scan(0.0, |acc, k| {
                *acc += (k as f64).ln();
                Some(*acc)
            }))
            .collect();
        let nf = n as f64;
        let mut emi = 0.0;
        for &a in &self.rows {
            for &b in &self.cols {
                let start = (a + b).saturating_sub(n).max(1);
                let end = a.min(b);
                for nij in start..=end {
                    let term = nij as f64 / nf * (nf * nij as f64 / (a as f64 * b as f64)).ln();
                    let log_p = ln_fact[a] + ln_fact[b] + ln_fact[n - a] + ln_fact[n - b]
                        - ln_fact[n]
                        - ln_fact[nij]
                        - ln_fact[a - nij]
                        - ln_fact[b - nij]
                        - ln_fact[n - a - b + nij];
                    emi += term * log_p.exp();
                }
            }
        }
        emi
    }
}

/// Numbers the distinct values 0.. in order of first appearance.
fn first_seen_index<T: Ord>(values: &[T]) -> BTreeMap<&T, usize> {
    let mut index = BTreeMap::new();
    for v in values {
        let next = index.len();
        index.entry(v).or_insert(next);
    }
    index
}

/// Unordered pairs among `k` items.
fn pairs(k: usize) -> f64 {
    let k = k as f64;
    k * (k - 1.0) / 2.0
}

/// Scores `predicted` clusters against `gold` labels (same length).
pub fn partition_scores<A: Ord, B: Ord>(gold: &[A], predicted: &[B]) -> PartitionScores {
    assert_eq!(gold.len(), predicted.len(), "one prediction per gold label");
    let t = Contingency::new(gold, predicted);
    let (gold_k, pred_k) = (t.rows.len(), t.cols.len());

    let sum_cells: f64 = t.cells.iter().flatten().map(|&c| pairs(c)).sum();
    let sum_rows: f64 = t.rows.iter().map(|&c| pairs(c)).sum();
    let sum_cols: f64 = t.cols.iter().map(|&c| pairs(c)).sum();
    let expected = sum_rows * sum_cols / pairs(t.n).max(1.0);
    let max_index = (sum_rows + sum_cols) / 2.0;
    // One cluster for everything on both sides, or singletons on both: perfect agreement.
    let ari = if max_index == expected {
        1.0
    } else {
        (sum_cells - expected) / (max_index - expected)
    };

    let h_gold = Contingency::entropy(&t.rows, t.n);
    let h_pred = Contingency::entropy(&t.cols, t.n);
    let mi = t.mutual_information();
    let homogeneity = if h_gold == 0.0 { 1.0 } else { mi / h_gold };
    let completeness = if h_pred == 0.0 { 1.0 } else { mi / h_pred };
    let v_measure = if homogeneity + completeness == 0.0 {
        0.0
    } else {
        2.0 * homogeneity * completeness / (homogeneity + completeness)
    };
    let mean_h = (h_gold + h_pred) / 2.0;
    let trivial = (gold_k == 1 && pred_k == 1) || (gold_k == t.n && pred_k == t.n);
    let nmi = if trivial {
        1.0
    } else if mi == 0.0 {
        0.0
    } else {
        mi / mean_h
    };
    let ami = if trivial {
        1.0
    } else {
        let emi = t.expected_mutual_information();
        let denominator = mean_h - emi;
        let denominator = if denominator < 0.0 {
            denominator.min(-f64::EPSILON)
        } else {
            denominator.max(f64::EPSILON)
        };
        (mi - emi) / denominator
    };
    PartitionScores {
        ari,
        nmi,
        ami,
        homogeneity,
        completeness,
        v_measure,
    }
}
