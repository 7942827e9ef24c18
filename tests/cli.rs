//! The `confthemes` binary: outputs, exit codes and error messages.

mod common;

use std::fs;
use std::path::Path;
use std::process::Output;

use common::{confthemes, expect_error, stderr};

fn run_corpus(out: &Path, envs: &[(&str, &str)]) -> Output {
    common::run_ok(&["corpus"], out, &[], envs)
}

#[test]
fn run_writes_parseable_reports_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_corpus(dir.path(), &[]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("5 documents, "), "{stdout}");
    assert!(stdout.contains("Service mesh"));

    let mut talks = csv::Reader::from_path(dir.path().join("talks.csv")).unwrap();
    let header: Vec<String> = talks.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "file",
            "conference",
            "year",
            "talk",
            "title",
            "speakers",
            "start_line",
            "end_line",
            "theme",
            "theme_score",
            "theme_2",
            "theme_2_score",
            "cluster",
            "kind",
            "talk_id"
        ]
    );
    let rows: Vec<csv::StringRecord> = talks.records().map(Result::unwrap).collect();
    assert!(
        stdout.starts_with(&format!("5 documents, {} talks", rows.len())),
        "{stdout}"
    );
    assert!(rows
        .iter()
        .any(|r| &r[4] == "Cloudbursting with Kubernetes"
            && &r[5] == "Irfan Ur Rehman; Quinton Hoole"));

    let mut themes = csv::Reader::from_path(dir.path().join("themes.csv")).unwrap();
    let header: Vec<String> = themes.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "theme",
            "name",
            "kind",
            "talks",
            "share",
            "keywords",
            "example_titles"
        ]
    );

    let json = common::read_json(&dir.path().join("report.json"));
    assert_eq!(json["schema_version"], 2);
    assert_eq!(
        json["model"]["id"],
        "sentence-transformers/all-MiniLM-L6-v2"
    );
    assert_eq!(
        json["model"]["sha256"],
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
    );
    assert_eq!(json["talks"].as_array().unwrap().len(), rows.len());
    assert_eq!(json["documents"].as_array().unwrap().len(), 5);
    assert_eq!(json["parameters"]["seed"], 42);
    // Nothing but the reports is left in the output folder (no staging leftovers).
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "clusters.csv",
            "report.html",
            "report.json",
            "talks.csv",
            "themes.csv",
            "themes.model"
        ]
    );
}

#[test]
fn a_csv_of_talks_is_an_input_too() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("talks.csv");
    fs::write(
        &data,
        "id,name,abstract,year\n\
         1,Envoy at Spotify,\"Migrating ingress to Envoy proxies, a service mesh\",2019\n\
         2,Kubeflow,Training TensorFlow models with Kubeflow pipelines on GPUs,2019\n\
         3,Empty,,2019\n\
         4,OPA,Policy as code with Open Policy Agent for authorization,2020\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let res = confthemes(
        &[
            "run",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--text-col",
            "abstract",
            "--title-col",
            "name",
            "--quiet",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(String::from_utf8_lossy(&res.stdout).starts_with("1 document, 3 talks"));
    assert!(
        stderr(&res).contains("talks.csv: line 4: skipped: empty `abstract`"),
        "{}",
        stderr(&res)
    );
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(out.join("talks.csv"))
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    let summary: Vec<(&str, &str, &str)> = rows.iter().map(|r| (&r[4], &r[6], &r[8])).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[15]).collect();
    assert_eq!(ids, ["1", "2", "4"], "the unread `id` column is kept, last");
    assert_eq!(
        summary,
        [
            ("Envoy at Spotify", "2", "service-mesh"),
            ("Kubeflow", "3", "ml-on-kubernetes"),
            ("OPA", "5", "security")
        ]
    );

    expect_error(
        confthemes(
            &[
                "run",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        ),
        4,
        "talks.csv:1: no `text` column (columns: id, name, abstract, year)",
    );
}

#[test]
fn segment_prints_talks_as_json_and_as_a_table() {
    let file = "corpus/001_a6386f52c71d938f.txt";
    let out = confthemes(&["segment", file, "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let talks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let talks = talks.as_array().unwrap();
    assert_eq!(talks.len(), 12);
    assert_eq!(talks[1]["title"], "Running with Scissors");
    assert_eq!(talks[1]["speakers"][0]["name"], "Liz Rice");
    assert_eq!(
        (
            talks[1]["start_line"].as_u64(),
            talks[1]["end_line"].as_u64()
        ),
        (Some(14), Some(16))
    );
    assert_eq!(talks[1]["meta"]["year"], 2018);

    let table = String::from_utf8(confthemes(&["segment", file], &[]).stdout).unwrap();
    let row = table
        .lines()
        .find(|l| l.contains("Running with Scissors"))
        .unwrap();
    assert!(row.contains("14-16") && row.ends_with("Liz Rice"), "{row}");
    expect_error(
        confthemes(&["segment", "no/such.txt"], &[]),
        3,
        "no/such.txt",
    );
}

#[test]
fn help_explains_the_run_command() {
    let out = confthemes(&["run", "--help"], &[]);
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "manifest.csv",
        "--out",
        "--themes",
        "--threshold",
        "models/fetch.sh",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn bench_scores_every_algorithm_and_embedder() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("labelled.csv");
    let topics = [
        (
            "mesh",
            "Envoy sidecars and Istio route traffic in the service mesh",
        ),
        (
            "ml",
            "Kubeflow pipelines train TensorFlow models on GPU nodes",
        ),
        (
            "cost",
            "Cutting the cloud bill with spot instances and right-sizing",
        ),
    ];
    let mut csv = String::from("text,label\n");
    for i in 0..8 {
        for (label, text) in topics {
            csv.push_str(&format!("\"{text}, case {i}\",{label}\n"));
        }
    }
    fs::write(&data, csv).unwrap();
    let out = tmp.path().join("bench");
    let res = confthemes(
        &[
            "bench",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--min-cluster-size",
            "4",
            "--quiet",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    let json = common::read_json(&out.join("bench.json"));
    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len(), 24, "12 algorithms x 2 embedders");
    for key in [
        "embedder",
        "algorithm",
        "params",
        "clusters",
        "unassigned_share",
        "ari",
        "nmi",
        "ami",
        "v_measure",
        "silhouette",
        "npmi",
        "diversity",
        "keyphrase_npmi",
        "keyphrase_diversity",
        "seconds",
    ] {
        assert!(results.iter().all(|r| r.get(key).is_some()), "no {key}");
    }
    // Three clearly separate topics: k-means at k = 3 on MiniLM finds them exactly.
    let kmeans = results
        .iter()
        .find(|r| r["embedder"] == "minilm" && r["algorithm"] == "kmeans")
        .unwrap();
    assert_eq!(kmeans["ari"], 1.0);
    assert_eq!(kmeans["clusters"], 3);
    let rows = csv::Reader::from_path(out.join("bench.csv"))
        .unwrap()
        .records()
        .count();
    assert_eq!(rows, 24);
    let table = String::from_utf8(res.stdout).unwrap();
    assert!(
        table.contains("agglomerative-ward") && table.contains("tfidf-lsa"),
        "{table}"
    );

    expect_error(
        confthemes(
            &[
                "bench",
                "--data",
                data.to_str().unwrap(),
                "--algorithms",
                "dbscan",
            ],
            &[],
        ),
        2,
        "unknown algorithm `dbscan`",
    );
    expect_error(
        confthemes(
            &[
                "bench",
                "--data",
                data.to_str().unwrap(),
                "--label-col",
                "topic",
            ],
            &[],
        ),
        4,
        "no `topic` column",
    );
}

#[test]
fn run_takes_any_clustering_algorithm_and_says_when_talks_are_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let talks = |dir: &Path| -> Vec<String> {
        csv::Reader::from_path(dir.join("talks.csv"))
            .unwrap()
            .records()
            .map(|r| r.unwrap()[12].to_string())
            .collect()
    };
    let ward = tmp.path().join("ward");
    let res = common::run_ok(
        &["corpus"],
        &ward,
        &["--algorithm", "agglomerative-ward", "--k", "5"],
        &[],
    );
    let stdout = String::from_utf8(res.stdout).unwrap();
    assert!(
        stdout.contains("5 clusters") && stdout.contains("agglomerative-ward (k=5)"),
        "{stdout}"
    );
    assert!(talks(&ward).iter().all(|c| !c.is_empty()));

    let kept = tmp.path().join("kept");
    let res = common::run_ok(
        &["corpus"],
        &kept,
        &["--algorithm", "hdbscan", "--min-cluster-size", "3"],
        &[],
    );
    let stdout = String::from_utf8(res.stdout).unwrap();
    let left_out = talks(&kept).iter().filter(|c| c.is_empty()).count();
    assert!(left_out > 0, "HDBSCAN leaves some of 51 talks out");
    assert!(
        stdout.contains(&format!("{left_out} talks left out")),
        "{stdout}"
    );

    let joined = tmp.path().join("joined");
    common::run_ok(
        &["corpus"],
        &joined,
        &["--algorithm", "hdbscan-reassign", "--min-cluster-size", "3"],
        &[],
    );
    assert!(talks(&joined).iter().all(|c| !c.is_empty()));

    expect_error(
        confthemes(&["run", "corpus", "--algorithm", "spectral"], &[]),
        2,
        "unknown algorithm `spectral`",
    );
}

#[test]
fn a_second_run_embeds_nothing_and_writes_the_same_reports() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let with_cache = [
        ("CONFTHEMES_NO_CACHE", "false"),
        ("CONFTHEMES_CACHE", cache.to_str().unwrap()),
    ];
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    let stdout = |out: Output| String::from_utf8(out.stdout).unwrap();
    let cold = stdout(run_corpus(&first, &with_cache));
    let warm = stdout(run_corpus(&second, &with_cache));
    let line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("embeddings: "))
            .unwrap_or_else(|| panic!("no cache line in {text}"))
            .to_string()
    };
    let (cold, warm) = (line(&cold), line(&warm));
    // "embeddings: N computed, M from the cache (...)": a title equal to its talk's text is
    // found in the cache within the first run already.
    let counts: Vec<usize> = cold["embeddings: ".len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .take(2)
        .collect();
    let (computed, cached) = (counts[0], counts[1]);
    assert!(computed > 50 && cached < computed, "{cold}");
    assert!(
        warm.starts_with(&format!(
            "embeddings: 0 computed, {} from the cache",
            computed + cached
        )),
        "{warm}"
    );
    for name in ["talks.csv", "themes.csv", "report.json", "report.html"] {
        assert_eq!(
            fs::read(first.join(name)).unwrap(),
            fs::read(second.join(name)).unwrap(),
            "{name} differs when the vectors come from the cache"
        );
    }
    // --no-cache neither reads nor reports the cache.
    let third = dir.path().join("third");
    let out = common::run_ok(&["corpus"], &third, &["--no-cache"], &with_cache);
    assert!(!stdout(out).contains("embeddings: "));
}

#[test]
fn compare_reports_each_theme_per_period() {
    let dir = tempfile::tempdir().unwrap();
    let out = confthemes(
        &[
            "compare",
            "corpus",
            "--out",
            dir.path().to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let mut trends = csv::Reader::from_path(dir.path().join("trends.csv")).unwrap();
    let header: Vec<String> = trends.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "period",
            "theme",
            "talks",
            "share",
            "share_low",
            "share_high",
            "delta_share",
            "p_value",
            "keywords",
            "name",
            "kind",
            "change"
        ]
    );
    let rows: Vec<csv::StringRecord> = trends.records().map(Result::unwrap).collect();
    let periods: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    // Two talks cited from 2014 and 2015 events are too few to give shares.
    assert_eq!(periods.into_iter().collect::<Vec<_>>(), ["2018", "2019"]);
    for period in ["2018", "2019"] {
        let of = rows.iter().filter(|r| &r[0] == period);
        let share: f64 = of.clone().map(|r| r[3].parse::<f64>().unwrap()).sum();
        assert!((share - 1.0).abs() < 1e-3, "{period} shares sum to {share}");
        assert!(
            of.clone().all(|r| (r[2] == *"0") == r[8].is_empty()),
            "keywords iff talks"
        );
        assert!(
            of.clone().all(|r| {
                let [share, low, high] = [3, 4, 5].map(|i| r[i].parse::<f64>().unwrap());
                low <= share && share <= high && high - low > 0.05
            }),
            "each share lies in its interval, and 20-27 talks give wide ones"
        );
        let deltas_blank = of.clone().all(|r| r[6].is_empty() && r[7].is_empty());
        assert_eq!(
            deltas_blank,
            period == "2018",
            "the first period has no delta"
        );
    }
    let json = common::read_json(&dir.path().join("trends.json"));
    assert_eq!(json["periods"][1]["talks"], 20);
    assert_eq!(json["small_periods"].as_array().unwrap().len(), 2);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    let keyword_bars = html.matches("class=\"chart keyword-bars\"").count();
    assert_eq!(
        html.matches("<svg").count() - keyword_bars,
        5,
        "bars, lines, heatmap, map and theme similarity"
    );
    let report = common::read_json(&dir.path().join("report.json"));
    let shown = report["themes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["talks"].as_u64() > Some(0))
        .count();
    assert_eq!(
        keyword_bars, shown,
        "one keyphrase chart per theme with talks"
    );
    assert!(!html.contains("<script"), "no script in the page");

    // One period is nothing to compare.
    expect_error(
        confthemes(
            &[
                "compare",
                "corpus/001_a6386f52c71d938f.txt",
                "--out",
                dir.path().to_str().unwrap(),
            ],
            &[],
        ),
        2,
        "compare needs talks from two periods or more; found 2018",
    );
}

#[test]
fn compare_correlates_theme_shares_with_a_track_column() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("talks.csv");
    let mut csv = String::from("conference,year,title,text,track\n");
    // Security grows from 1 of 5 talks to 3 of 5 while its track does the same.
    let security = "Container security: threat models and CVEs and policy enforcement";
    let other = "Prometheus metrics and tracing for observability";
    for (year, n) in [(2021, 1), (2022, 2), (2023, 3)] {
        for i in 0..5 {
            let (text, track) = if i < n {
                (security, "sec")
            } else {
                (other, "obs")
            };
            csv.push_str(&format!(
                "KubeCon,{year},Talk {year}-{i},{text} {i},{track}\n"
            ));
        }
    }
    csv.push_str("KubeCon,2023,Badge Pick-Up,Collect your badge at the registration desk,misc\n");
    fs::write(&data, csv).unwrap();
    let out = dir.path().join("out");
    let res = confthemes(
        &[
            "compare",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--track-col",
            "track",
            "--match",
            "security=sec,observability=obs",
            "--quiet",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(
        stderr(&res).contains("dropped 1 logistics rows by title"),
        "{}",
        stderr(&res)
    );
    let json = common::read_json(&out.join("trends.json"));
    let correlations = json["tracks"]["correlations"].as_array().unwrap();
    assert_eq!(correlations.len(), 2);
    for c in correlations {
        let r = c["pearson"].as_f64().unwrap();
        assert!(r > 0.95, "{c}");
        let p = c["p_value"].as_f64().unwrap();
        assert!(
            (0.0..0.5).contains(&p),
            "a p-value for r over the periods: {c}"
        );
    }
    let talks = fs::read_to_string(out.join("talks.csv")).unwrap();
    assert!(talks.lines().next().unwrap().ends_with(",talk_id,track"));
    assert_eq!(
        talks.lines().count(),
        16,
        "header and 15 talks, the badge row dropped"
    );

    expect_error(
        confthemes(
            &[
                "compare",
                "--data",
                data.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--track-col",
                "room",
                "--match",
                "security=sec",
            ],
            &[],
        ),
        2,
        "no talk has a `room` column",
    );
}

#[test]
fn completions_and_the_man_page_are_generated_from_the_flags() {
    let bash = confthemes(&["completions", "bash"], &[]);
    assert!(bash.status.success(), "{}", stderr(&bash));
    let script = String::from_utf8(bash.stdout).unwrap();
    assert!(script.contains("_confthemes") && script.contains("--themes-from"));
    let man = confthemes(&["man"], &[]);
    let page = String::from_utf8(man.stdout).unwrap();
    assert!(
        page.contains(".TH confthemes 1") && page.contains("assign"),
        "{page}"
    );
    // -j takes a positive number of threads.
    expect_error(
        confthemes(&["-j", "0", "segment", "corpus"], &[]),
        2,
        "--threads",
    );
    let one = confthemes(&["segment", "corpus", "-j", "1", "--json"], &[]);
    assert!(one.status.success(), "{}", stderr(&one));
}
