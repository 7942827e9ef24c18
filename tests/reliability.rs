//! What a hostile user tried, through the binary: inputs that would be replaced by the reports,
//! runs killed in the middle of the switch, two runs into one folder, stale reports, damaged models
//! and caches, named pipes and endless devices, huge talks, CRLF line numbers, clashing column
//! names and small parsing traps. Each test failed before the fix it holds.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{confthemes, expect_error, run_ok, stderr};

/// A CSV of `n` distinct talks.
fn talks_csv(n: usize) -> String {
    let topics = [
        (
            "Envoy at the edge",
            "Running Envoy proxies at the edge of the network at Lyft.",
        ),
        (
            "Kubeflow pipelines",
            "Training TensorFlow models with Kubeflow on GPUs.",
        ),
        (
            "Falco in production",
            "Runtime security and threat detection with Falco.",
        ),
        (
            "Prometheus at scale",
            "Monitoring thousands of clusters with Prometheus and Thanos.",
        ),
        (
            "Spot instances",
            "Cutting the cloud bill with spot instances and autoscaling.",
        ),
        (
            "Istio multi-cluster",
            "A service mesh across clusters with Istio.",
        ),
    ];
    let mut csv = String::from("title,text\n");
    for (title, text) in topics.iter().take(n) {
        csv.push_str(&format!("{title},{text}\n"));
    }
    csv
}

/// The number of talks each report of `out` holds: talks.csv rows, report.json talks, and the
/// talks counted in themes.csv; all equal in a set written by one run.
fn talk_counts(out: &Path) -> (usize, usize, usize) {
    let talks = fs::read_to_string(out.join("talks.csv")).unwrap();
    let json = common::read_json(&out.join("report.json"));
    let mut themes = csv::Reader::from_path(out.join("themes.csv")).unwrap();
    let column = themes
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "talks")
        .unwrap();
    let themed: usize = themes
        .records()
        .map(|r| r.unwrap()[column].parse::<usize>().unwrap())
        .sum();
    (
        talks.lines().count() - 1,
        json["talks"].as_array().unwrap().len(),
        themed,
    )
}

/// The names in a folder, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder `notes` in `tmp` holding one real note as `a.txt`.
fn notes_folder(tmp: &Path) -> PathBuf {
    let notes = tmp.join("notes");
    fs::create_dir(&notes).unwrap();
    fs::copy(
        common::root().join("corpus/001_a6386f52c71d938f.txt"),
        notes.join("a.txt"),
    )
    .unwrap();
    notes
}

/// The arguments of `confthemes run INPUT --out OUT --quiet`.
fn run_args<'a>(input: &'a Path, out: &'a Path) -> [&'a str; 5] {
    [
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]
}

/// `confthemes run INPUT --out OUT --quiet` with the environment `envs`.
fn run_with(input: &Path, out: &Path, envs: &[(&str, &str)]) -> Output {
    confthemes(&run_args(input, out), envs)
}

/// `confthemes run INPUT --out OUT --quiet`.
fn run_into(input: &Path, out: &Path) -> Output {
    run_with(input, out, &[])
}

const REPORTS: [&str; 6] = [
    "clusters.csv",
    "report.html",
    "report.json",
    "talks.csv",
    "themes.csv",
    "themes.model",
];

#[test]
fn an_input_among_the_reports_it_would_replace_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("talks.csv");
    fs::write(&input, talks_csv(3)).unwrap();
    let dir = tmp.path().to_str().unwrap();
    // No model is needed to refuse: the check comes first.
    let no_model = [("CONFTHEMES_MODEL", "/nonexistent")];
    let res = run_with(&input, tmp.path(), &no_model);
    expect_error(
        res,
        2,
        "talks.csv: this input would be replaced by the report talks.csv",
    );
    let bench_data = tmp.path().join("bench.csv");
    fs::write(&bench_data, "text,label\na,x\nb,y\n").unwrap();
    let res = confthemes(
        &[
            "bench",
            "--data",
            bench_data.to_str().unwrap(),
            "--out",
            dir,
            "--quiet",
        ],
        &no_model,
    );
    expect_error(res, 2, "bench.csv: this input would be replaced");
    // Through another spelling of the folder, and as --themes of compare.
    let spelled = format!("{dir}/./talks.csv");
    let res = confthemes(&["compare", "--data", &spelled, "--out", dir], &no_model);
    expect_error(res, 2, "would be replaced");
    assert_eq!(
        fs::read_to_string(&input).unwrap(),
        talks_csv(3),
        "the input is intact"
    );
    assert_eq!(names_in(tmp.path()), ["bench.csv", "talks.csv"]);
}

/// Runs `confthemes run CSV --out OUT` under strace, killed at its `n`-th rename.
fn run_killed_at_rename(csv: &Path, out: &Path, n: usize) -> Output {
    let inject = format!("inject=rename,renameat,renameat2:signal=SIGKILL:when={n}");
    Command::new("strace")
        .args([
            "-f",
            "-o",
            "/dev/null",
            "-e",
            "trace=rename,renameat,renameat2",
            "-e",
        ])
        .arg(inject)
        .arg(env!("CARGO_BIN_EXE_confthemes"))
        .args(run_args(csv, out))
        .env("CONFTHEMES_MODEL", common::model_dir())
        .env("CONFTHEMES_NO_CACHE", "true")
        .output()
        .expect("strace runs")
}

#[test]
fn a_run_killed_at_any_rename_leaves_one_complete_set() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("SKIPPED: strace is not installed (CI installs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("old.csv"), tmp.path().join("new.csv"));
    fs::write(&old, talks_csv(3)).unwrap();
    fs::write(&new, talks_csv(5)).unwrap();
    // The switch renames the journal and then each report.
    let renames = 1 + REPORTS.len();
    for n in 1..=renames + 1 {
        let out = tmp.path().join(format!("out{n}"));
        run_ok(&[old.to_str().unwrap()], &out, &[], &[]);
        let killed = run_killed_at_rename(&new, &out, n);
        let finished = killed.status.success();
        assert!(
            finished || n <= renames,
            "n={n}: killed although the switch has {renames} renames: {}",
            stderr(&killed)
        );
        let journal = out.join(".confthemes-journal").exists();
        if !journal {
            // Not committed (or finished): the old set or the new one, whole.
            let counts = talk_counts(&out);
            let expected = if finished || n > renames { 5 } else { 3 };
            assert_eq!(counts, (expected, expected, expected), "n={n}");
        }
        // The next run into the folder completes a committed switch first, even one that then
        // fails (here: no model).
        let res = run_with(&old, &out, &[("CONFTHEMES_MODEL", "/nonexistent")]);
        expect_error(res, 5, "no model folder");
        let expected = if journal || finished { 5 } else { 3 };
        assert_eq!(talk_counts(&out), (expected, expected, expected), "n={n}");
        assert_eq!(names_in(&out), REPORTS, "n={n}: no journal or staging left");
    }
}

#[test]
fn a_second_run_into_a_folder_in_use_exits_with_a_clear_message() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(&csv, talks_csv(3)).unwrap();
    let out = tmp.path().join("out");
    fs::create_dir(&out).unwrap();
    // Another run holds the folder (its lock is the folder's own flock).
    let held = fs::File::open(&out).unwrap();
    held.lock().unwrap();
    expect_error(
        run_into(&csv, &out),
        6,
        "another confthemes run is writing into this folder",
    );
    assert!(names_in(&out).is_empty());
    drop(held);
    run_ok(&[csv.to_str().unwrap()], &out, &[], &[]);
    assert_eq!(names_in(&out), REPORTS);
}

#[test]
fn a_run_after_a_comparison_removes_its_trends_and_all_logistics_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    let mut text = String::from("title,text,year\n");
    for (i, line) in talks_csv(6).lines().skip(1).enumerate() {
        text.push_str(&format!("{line},{}\n", 2020 + i % 2));
    }
    fs::write(&csv, text).unwrap();
    let out = tmp.path().join("out");
    let csv_arg = csv.to_str().unwrap();
    let out_arg = out.to_str().unwrap();
    let res = confthemes(
        &[
            "compare",
            "--data",
            csv_arg,
            "--out",
            out_arg,
            "--quiet",
            "--min-period-talks",
            "1",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(out.join("trends.csv").exists());
    run_ok(&[csv_arg], &out, &[], &[]);
    assert_eq!(names_in(&out), REPORTS, "no stale trends");

    let before = fs::read(out.join("talks.csv")).unwrap();
    let logistics = tmp.path().join("logistics.csv");
    fs::write(
        &logistics,
        "title,text\nBadge pick-up,Get your badge\nLunch break,Food in hall B\n",
    )
    .unwrap();
    let res = run_into(&logistics, &out);
    expect_error(res, 3, "no talks left: every row is a logistics row");
    assert_eq!(fs::read(out.join("talks.csv")).unwrap(), before);
}

/// A copy of the model folder named `name` whose weights are `damage`d; the other files are links.
fn damaged_model(tmp: &Path, name: &str, damage: impl Fn(&mut Vec<u8>)) -> PathBuf {
    let dir = tmp.join(name);
    fs::create_dir_all(&dir).unwrap();
    for entry in fs::read_dir(common::model_dir()).unwrap() {
        let entry = entry.unwrap();
        let target = dir.join(entry.file_name());
        if entry.file_name() != "model.safetensors" {
            std::os::unix::fs::symlink(entry.path(), target).unwrap();
        }
    }
    let mut weights = fs::read(common::model_dir().join("model.safetensors")).unwrap();
    damage(&mut weights);
    fs::write(dir.join("model.safetensors"), weights).unwrap();
    dir
}

/// Where the tensors' data starts in a safetensors file.
fn data_start(weights: &[u8]) -> usize {
    8 + u64::from_le_bytes(weights[..8].try_into().unwrap()) as usize
}

#[test]
fn damaged_models_exit_5_before_any_report() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(&csv, talks_csv(3)).unwrap();
    let run_on = |model: &Path, engine: &str| {
        let out = tmp.path().join("out");
        let res = run_with(
            &csv,
            &out,
            &[
                ("CONFTHEMES_MODEL", model.to_str().unwrap()),
                ("CONFTHEMES_ENGINE", engine),
            ],
        );
        assert!(!out.join("talks.csv").exists());
        res
    };
    let run_default = |model: &Path| run_on(model, "onnx");
    // The default model's folder name: its checksum is known.
    let flipped = damaged_model(&tmp.path().join("a"), "all-MiniLM-L6-v2", |w| {
        let at = data_start(w) + 1000;
        w[at] ^= 1;
    });
    expect_error(run_default(&flipped), 5, "is not that of all-MiniLM-L6-v2");
    // Someone's own model: NaNs (0xFF bytes), or zeros of the right size.
    let nan = damaged_model(tmp.path(), "nan-model", |w| {
        let at = data_start(w);
        w[at..].fill(0xFF);
    });
    expect_error(run_default(&nan), 5, "not finite numbers");
    let zero = damaged_model(tmp.path(), "zero-model", |w| {
        let at = data_start(w);
        w[at..].fill(0);
    });
    // The onnx engine's graphs were built from other weights; candle loads these and its probe
    // sentence finds them damaged.
    expect_error(
        run_default(&zero),
        5,
        "were not built from this model.safetensors",
    );
    expect_error(
        run_on(&zero, "candle"),
        5,
        "probe sentence to a vector of norm 0",
    );
    // max_seq_length 0.
    let short = damaged_model(tmp.path(), "short-model", |_| {});
    fs::remove_file(short.join("sentence_bert_config.json")).unwrap();
    fs::write(
        short.join("sentence_bert_config.json"),
        r#"{"max_seq_length": 0, "do_lower_case": false}"#,
    )
    .unwrap();
    expect_error(run_default(&short), 5, "max_seq_length 0 is out of range");
}

#[test]
fn a_damaged_cache_is_checked_and_its_bad_vectors_embedded_again() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(&csv, talks_csv(4)).unwrap();
    let cache = tmp.path().join("cache");
    let envs = [
        ("CONFTHEMES_NO_CACHE", "false"),
        ("CONFTHEMES_CACHE", cache.to_str().unwrap()),
    ];
    let first = tmp.path().join("first");
    run_ok(&[csv.to_str().unwrap()], &first, &[], &envs);
    let file = fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = fs::read(&file).unwrap();
    // Flip the sign of the first value of the first and second records: the norms stay 1.
    let record = 32 + 4 * 384 + 8;
    for r in 0..2 {
        bytes[12 + r * record + 32 + 3] ^= 0x80;
    }
    fs::write(&file, bytes).unwrap();
    let second = tmp.path().join("second");
    let res = run_ok(&[csv.to_str().unwrap()], &second, &[], &envs);
    assert!(
        stderr(&res).contains("2 damaged records dropped"),
        "{}",
        stderr(&res)
    );
    assert!(String::from_utf8_lossy(&res.stdout).contains("2 computed"));
    for name in ["talks.csv", "themes.csv", "report.json"] {
        assert_eq!(
            fs::read(first.join(name)).unwrap(),
            fs::read(second.join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn an_unclosed_quote_is_found_after_a_literal_one_and_a_lone_literal_is_no_error() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(
        &csv,
        "title,text\nScreens,A 5\" screen for dashboards\nEnvoy,\"Envoy at the edge\nKubeflow,GPUs\nFalco,Security\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    expect_error(
        run_into(&csv, &out),
        4,
        "talks.csv:3: this quote is never closed",
    );
    fs::write(
        &csv,
        "title,text\nScreens,A 5\" screen for dashboards\nEnvoy,Envoy at the edge\n",
    )
    .unwrap();
    run_ok(&[csv.to_str().unwrap()], &out, &[], &[]);
    assert_eq!(talk_counts(&out).0, 2);
}

/// Runs `confthemes ARGS` with the environment `envs`, killing it after `limit`; `None` when it
/// had to be killed.
fn run_within(args: &[&str], envs: &[(&str, &str)], limit: Duration) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_confthemes"))
        .args(args)
        .current_dir(common::root())
        .env("CONFTHEMES_MODEL", common::model_dir())
        .env("CONFTHEMES_NO_CACHE", "true")
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(child.wait_with_output().unwrap())
}

#[test]
fn pipes_devices_and_linked_folders_are_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    let fifo = notes.join("pipe.md");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", notes.join("zero.md")).unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, notes.join("linked")).unwrap();
    // The cache file is a pipe too.
    let cache = tmp.path().join("cache");
    fs::create_dir(&cache).unwrap();
    let out = tmp.path().join("out");
    let res = run_within(&run_args(&notes, &out), &[], Duration::from_secs(120))
        .expect("the run does not hang");
    assert!(res.status.success(), "{}", stderr(&res));
    for needle in [
        "pipe.md: skipped: not a regular file (a named pipe)",
        "zero.md: skipped: not a regular file (a device)",
        "linked: skipped: a link to a folder (not followed",
    ] {
        assert!(stderr(&res).contains(needle), "{needle}: {}", stderr(&res));
    }
    // A note given by name that is a device is refused, not read.
    let res = run_within(
        &[
            "run",
            notes.join("zero.md").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
        Duration::from_secs(60),
    )
    .expect("the run does not hang");
    expect_error(res, 3, "not a regular file (a device)");
}

#[test]
fn a_cache_file_that_is_a_pipe_is_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(&csv, talks_csv(3)).unwrap();
    let cache = tmp.path().join("cache");
    let out = tmp.path().join("out");
    let envs = [
        ("CONFTHEMES_NO_CACHE", "false"),
        ("CONFTHEMES_CACHE", cache.to_str().unwrap()),
    ];
    let first = run_ok(&[csv.to_str().unwrap()], &out, &[], &envs);
    let stdout = String::from_utf8_lossy(&first.stdout).into_owned();
    let file = stdout
        .lines()
        .find_map(|l| l.split_once("from the cache (")?.1.strip_suffix(')'))
        .map(PathBuf::from)
        .expect("the cache file is named");
    fs::remove_file(&file).unwrap();
    assert!(Command::new("mkfifo")
        .arg(&file)
        .status()
        .unwrap()
        .success());
    let res = run_within(&run_args(&csv, &out), &envs, Duration::from_secs(120))
        .expect("the run does not hang on a cache file that is a pipe");
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(
        stderr(&res).contains("not a regular file"),
        "{}",
        stderr(&res)
    );
}

#[test]
fn a_63_mib_talk_is_embedded_within_1_gib() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = tmp.path().join("notes");
    fs::create_dir(&notes).unwrap();
    let sentence = "Envoy proxies route traffic for every service in the mesh at Lyft.\n";
    let mut text = String::from("# KubeCon notes\n\n## Scaling Envoy at Lyft\n\n");
    while text.len() < 63 * 1024 * 1024 {
        text.push_str(sentence);
    }
    fs::write(notes.join("huge.md"), text).unwrap();
    let out = tmp.path().join("out");
    let res = run_ok(&[notes.to_str().unwrap()], &out, &["--timings"], &[]);
    let peak: u64 = stderr(&res)
        .lines()
        .find_map(|l| {
            l.strip_prefix("peak memory: ")?
                .strip_suffix(" MiB")?
                .parse()
                .ok()
        })
        .expect("--timings prints the peak memory");
    assert!(peak < 1024, "peak memory {peak} MiB");
}

#[test]
fn notes_that_give_nothing_are_named_and_names_stay_distinct() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    fs::write(
        notes.join("page.md"),
        "<html><body><div>menu</div></body></html>\n",
    )
    .unwrap();
    let note = fs::read(common::root().join("corpus/000_cce30a9bf14c1032.txt")).unwrap();
    for name in [&b"bad\xff.md"[..], b"bad\xfe.md"] {
        fs::write(notes.join(std::ffi::OsStr::from_bytes(name)), &note).unwrap();
    }
    let out = tmp.path().join("out");
    let res = run_ok(&[notes.to_str().unwrap()], &out, &[], &[]);
    assert!(
        stderr(&res).contains("page.md: no talk found") && stderr(&res).contains("one unit"),
        "{}",
        stderr(&res)
    );
    let stdout = String::from_utf8_lossy(&res.stdout);
    assert!(
        stdout.contains("1 document gave no talk boundaries; each is reported as one unit"),
        "{stdout}"
    );
    let json = common::read_json(&out.join("report.json"));
    let files = common::document_files(&json);
    assert!(
        files.contains(&"bad\\xFF.md") && files.contains(&"bad\\xFE.md"),
        "{files:?}"
    );
    let warned = json["warnings"].as_array().unwrap();
    assert!(warned.iter().any(|w| w["file"] == "page.md"), "{warned:?}");
    let unit = json["talks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == "page.md")
        .expect("the page is in the report");
    assert_eq!(unit["kind"], "document");
}

#[test]
fn crlf_tables_and_manifests_keep_their_line_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(&csv, talks_csv(3).replace('\n', "\r\n")).unwrap();
    let out = tmp.path().join("out");
    run_ok(&[csv.to_str().unwrap()], &out, &[], &[]);
    let mut reader = csv::Reader::from_path(out.join("talks.csv")).unwrap();
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "start_line")
        .unwrap();
    let lines: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[at].to_string())
        .collect();
    assert_eq!(lines, ["2", "3", "4"]);

    fs::write(&csv, "title,text,year\r\nA,a,2019\r\nB,b,soon\r\n").unwrap();
    expect_error(run_into(&csv, &out), 4, "talks.csv:3: year `soon`");
    let notes = tmp.path().join("notes");
    fs::create_dir(&notes).unwrap();
    fs::write(
        notes.join("a.txt"),
        "# Notes\n\n## Envoy\n\nEnvoy at the edge.\n",
    )
    .unwrap();
    fs::write(
        notes.join("manifest.csv"),
        "file,conference,edition,year\r\na.txt,K,X,2019\r\nb.txt,K,X,20x9\r\n",
    )
    .unwrap();
    expect_error(run_into(&notes, &out), 4, "manifest.csv:3: year `20x9`");
}

#[test]
fn input_columns_named_like_report_columns_are_prefixed() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("talks.csv");
    fs::write(
        &csv,
        "title,text,theme,cluster,file\nEnvoy,Envoy at the edge of the network,mine,c9,f.txt\n\
         Falco,Runtime security with Falco,mine,c9,f.txt\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    run_ok(&[csv.to_str().unwrap()], &out, &[], &[]);
    let mut reader = csv::Reader::from_path(out.join("talks.csv")).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for name in [
        "theme",
        "cluster",
        "file",
        "input.theme",
        "input.cluster",
        "input.file",
    ] {
        assert_eq!(
            headers.iter().filter(|h| *h == name).count(),
            1,
            "{headers:?}"
        );
    }
    let theme_at = headers.iter().position(|h| h == "theme").unwrap();
    let row = reader.records().next().unwrap().unwrap();
    assert_ne!(&row[theme_at], "mine", "`theme` is the report's");
}

#[test]
fn small_traps_utf16_negative_threshold_years_k_0_and_non_utf8_taxonomy() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap();
    // A UTF-16 note with a byte order mark is read.
    let notes = tmp.path().join("notes");
    fs::create_dir(&notes).unwrap();
    let text = fs::read_to_string(common::root().join("corpus/001_a6386f52c71d938f.txt")).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(notes.join("a.txt"), utf16).unwrap();
    let res = run_ok(&[notes.to_str().unwrap()], &out, &[], &[]);
    assert!(
        stderr(&res).contains("decoded as UTF-16LE"),
        "{}",
        stderr(&res)
    );
    assert!(talk_counts(&out).0 >= 2);
    // `--threshold -1` is a value, not a flag.
    run_ok(
        &[notes.to_str().unwrap()],
        &out,
        &["--threshold", "-1"],
        &[],
    );
    // Years out of range or signed.
    let csv = tmp.path().join("talks.csv");
    for year in ["0", "65535", "+2019"] {
        fs::write(
            &csv,
            format!("title,text,year\nA,Envoy at the edge,{year}\n"),
        )
        .unwrap();
        expect_error(
            run_into(&csv, &out),
            4,
            &format!("talks.csv:2: year `{year}` is not a year"),
        );
    }
    // bench --k 0.
    fs::write(&csv, "text,label\na,x\nb,y\n").unwrap();
    let args = [
        "bench",
        "--data",
        csv.to_str().unwrap(),
        "--k",
        "0",
        "--out",
        out_arg,
    ];
    expect_error(confthemes(&args, &[]), 2, "--k 0");
    // A taxonomy that is not UTF-8 names its line.
    let themes = tmp.path().join("themes.toml");
    fs::write(&themes, b"[[theme]]\nid = \"a\"\nname = \"caf\xe9\"\n").unwrap();
    let args = [
        "run",
        notes.to_str().unwrap(),
        "--out",
        out_arg,
        "--themes",
        themes.to_str().unwrap(),
    ];
    expect_error(confthemes(&args, &[]), 4, "themes.toml:3: not valid UTF-8");
}
