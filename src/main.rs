//! The `confthemes` command line: parses flags into the library's configuration
//! ([`confthemes::config`]), calls [`confthemes::app`] and prints what came back.

/// The binary's own modules: flags (parsing only) and progress drawing.
mod cli {
    pub mod args;
    pub mod progress;
}

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::args::{self, Cli, Command};
use cli::progress::{self, CliProgress};
use confthemes::app::{self, BenchOutcome, Outcome};
use confthemes::config::RunConfig;
use confthemes::Error;

// mimalloc: about +50% embedding throughput over the system allocator (fewer page faults).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match execute(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", args::with_flag_names(&err));
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

fn execute(cli: Cli) -> Result<(), Error> {
    if let Some(threads) = cli.threads() {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .map_err(|e| Error::Setting(format!("threads: {e}")))?;
    }
    match cli.command {
        Command::Run(args) => theme(&args.pipeline, &args.config()?),
        Command::Compare(args) => theme(&args.pipeline, &args.config()?),
        Command::Assign(args) => {
            let progress = CliProgress::new(args.quiet);
            let outcome = app::assign(&args.config()?, &progress)?;
            finish(&progress, false, args.json, &outcome)
        }
        Command::Segment(args) => {
            let talks = app::segment(&args.files, &CliProgress::new(false))?;
            if args.json {
                print_json(&talks)
            } else {
                print_talks(&talks);
                Ok(())
            }
        }
        Command::Bench(args) => {
            let progress = CliProgress::new(args.quiet);
            let outcome = app::bench(&args.config()?, &progress)?;
            progress.finish();
            if args.json {
                print_json(&outcome)
            } else {
                print_bench(&outcome);
                Ok(())
            }
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "confthemes",
                &mut std::io::stdout(),
            );
            Ok(())
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .and_then(|()| std::io::stdout().write_all(&page))
                .map_err(|e| Error::output("<stdout>", e))
        }
    }
}

/// `run` or `compare`: themes the input and prints the summary.
fn theme(flags: &args::PipelineArgs, config: &RunConfig) -> Result<(), Error> {
    let progress = CliProgress::new(flags.quiet);
    let outcome = app::run(config, &progress)?;
    finish(&progress, flags.timings, flags.json, &outcome)
}

/// Ends a theme command: timings on stderr when asked, then the summary on stdout.
fn finish(
    progress: &CliProgress,
    timings: bool,
    json: bool,
    outcome: &Outcome,
) -> Result<(), Error> {
    progress.finish();
    if timings {
        eprintln!("timings: {}", progress.timings());
        if let Some(peak) = progress::peak_memory_mib() {
            eprintln!("peak memory: {peak} MiB");
        }
    }
    if let Some(cache) = &outcome.themed.cache {
        for warning in &cache.warnings {
            eprintln!("warning: embedding cache: {warning}");
        }
    }
    if json {
        return print_json(&outcome.summary());
    }
    print_summary(outcome);
    Ok(())
}

/// `value` as one JSON document on stdout.
fn print_json(value: &impl serde::Serialize) -> Result<(), Error> {
    let json = serde_json::to_string_pretty(value)
        .map_err(|e| Error::output("<stdout>", std::io::Error::other(e)))?;
    println!("{json}");
    Ok(())
}

fn print_summary(outcome: &Outcome) {
    let s = outcome.summary();
    let silhouette = s
        .silhouette
        .map_or(String::new(), |v| format!(", silhouette {v:.3}"));
    println!(
        "{}, {}, {}{silhouette} ({})",
        count(s.documents, "document"),
        count(s.talks, "talk"),
        count(s.clusters, "cluster"),
        s.algorithm
    );
    if s.whole_documents > 0 {
        println!(
            "{} gave no talk boundaries; each is reported as one unit (kind `document`)",
            count(s.whole_documents, "document")
        );
    }
    if s.outliers > 0 {
        println!(
            "{} left out of every cluster as outliers (empty `cluster` in talks.csv)",
            count(s.outliers, "talk")
        );
    }
    println!();
    println!("{:<46} {:>5} {:>6}  keywords", "theme", "talks", "share");
    for theme in &s.themes {
        println!(
            "{:<46} {:>5} {:>5.1}%  {}",
            theme.kind.label(&theme.name),
            theme.talks,
            theme.share * 100.0,
            theme.keywords.join(", ")
        );
    }
    println!();
    println!("reports: {}", paths(&s.reports));
    if let Some(cache) = &s.embeddings {
        println!(
            "embeddings: {} computed, {} from the cache ({})",
            cache.computed,
            cache.hits,
            cache.file.display()
        );
    }
}

fn print_talks(talks: &[confthemes::segment::Talk]) {
    println!(
        "{:<32} {:>3} {:>9}  {:<70} speakers",
        "file", "#", "lines", "title"
    );
    for t in talks {
        let title: String = t.title.chars().take(70).collect();
        println!(
            "{:<32} {:>3} {:>9}  {:<70} {}",
            t.file,
            t.index,
            format!("{}-{}", t.start_line, t.end_line),
            title,
            t.speaker_names()
        );
    }
}

fn print_bench(outcome: &BenchOutcome) {
    println!(
        "{} texts, {} labels; k = {} for the algorithms that take it\n",
        outcome.texts, outcome.labels, outcome.k
    );
    let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    println!(
        "{:<10} {:<23} {:>4} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8}",
        "embedder",
        "algorithm",
        "k",
        "unassig",
        "ARI",
        "NMI",
        "AMI",
        "V",
        "silh",
        "NPMI",
        "div",
        "kpNPMI",
        "kpdiv",
        "seconds"
    );
    for r in &outcome.report.results {
        println!(
            "{:<10} {:<23} {:>4} {:>6.1}% {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8.2}",
            r.embedder,
            r.algorithm,
            r.clusters,
            r.unassigned_share * 100.0,
            r.ari,
            r.nmi,
            r.ami,
            r.v_measure,
            cell(r.silhouette),
            cell(r.npmi),
            cell(r.diversity),
            cell(r.keyphrase_npmi),
            cell(r.keyphrase_diversity),
            r.seconds
        );
    }
    for t in &outcome.report.embedders {
        println!("embedding with {}: {:.1} s", t.embedder, t.seconds);
    }
    println!("\nwritten: {}", paths(&outcome.written));
}

/// Paths joined by commas.
fn paths(paths: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// "1 talk", "2 talks".
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
