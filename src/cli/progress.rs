//! Progress on stderr: a spinner and an embedding bar on a terminal, one line per stage otherwise
//! (logs, CI), nothing with `--quiet`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use confthemes::bench::{BenchObserver, BenchResult};
use confthemes::ingest::Warning;
use confthemes::pipeline::Observer;

/// Draws the progress of one command.
pub struct CliProgress {
    bar: ProgressBar,
    /// Print plain stage lines because no bar can be drawn.
    plain: bool,
    /// Each stage and when it started, for --timings.
    started: Mutex<Vec<(String, Instant)>>,
}

impl CliProgress {
    pub fn new(quiet: bool) -> Self {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let target = if quiet || !terminal {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len} [{elapsed}]")
                .expect("valid template"),
        );
        CliProgress {
            bar,
            plain: !quiet && !terminal,
            started: Mutex::new(Vec::new()),
        }
    }

    /// Seconds spent in each stage so far, e.g. `embedding 80.12 s, clustering 1.03 s`.
    pub fn timings(&self) -> String {
        let started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        let ends = started
            .iter()
            .skip(1)
            .map(|(_, t)| *t)
            .chain([Instant::now()]);
        started
            .iter()
            .zip(ends)
            .map(|((name, start), end)| format!("{name} {:.2} s", (end - *start).as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The most memory this process has held (its peak resident set), in MiB; Linux only.
pub fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

impl BenchObserver for CliProgress {
    fn embedding(&self, embedder: &str) {
        Observer::stage(self, &format!("embedding with {embedder}"));
    }

    fn embedded(&self, done: usize, total: usize) {
        Observer::embedded(self, done, total);
    }

    fn result(&self, result: &BenchResult) {
        if self.plain {
            eprintln!(
                "{} {}: ARI {:.3} in {:.2} s",
                result.embedder, result.algorithm, result.ari, result.seconds
            );
        }
    }
}

impl Observer for CliProgress {
    fn stage(&self, name: &str) {
        if self.plain {
            eprintln!("{name} ...");
        }
        self.started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.to_string(), Instant::now()));
        self.bar.set_message(name.to_string());
        self.bar.enable_steady_tick(Duration::from_millis(120));
    }

    fn embedded(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }

    fn warning(&self, warning: &Warning) {
        let message = super::args::flag_names(&warning.message, false);
        self.bar
            .suspend(|| eprintln!("warning: {}: {message}", warning.file));
    }
}
