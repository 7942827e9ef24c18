//! The `confthemes` binary: outputs, exit codes and error messages.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn confthemes(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_confthemes"));
    cmd.args(args)
        .current_dir(common::root())
        .env("CONFTHEMES_MODEL", common::model_dir());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn run_corpus(out: &Path, envs: &[(&str, &str)]) -> Output {
    let out = confthemes(
        &["run", "corpus", "--out", out.to_str().unwrap(), "--quiet"],
        envs,
    );
    assert!(out.status.success(), "run failed: {}", stderr(&out));
    out
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
            "cluster",
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
            "talks",
            "share",
            "keywords",
            "example_titles"
        ]
    );

    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
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
    assert_eq!(names, ["report.json", "talks.csv", "themes.csv"]);
}

#[test]
fn reports_are_byte_identical_across_thread_counts() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    run_corpus(one.path(), &[("RAYON_NUM_THREADS", "1")]);
    run_corpus(two.path(), &[("RAYON_NUM_THREADS", "2")]);
    for name in ["talks.csv", "themes.csv", "report.json"] {
        let a = fs::read(one.path().join(name)).unwrap();
        let b = fs::read(two.path().join(name)).unwrap();
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
}

/// Runs confthemes, expecting exit `code` and an error message containing `needle`.
fn expect_error(out: Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
    assert!(stderr(&out).contains(needle), "{}", stderr(&out));
}

#[test]
fn bad_inputs_give_clear_errors_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap();
    let run_notes = |notes: &Path, extra: &[&str]| {
        let mut args = vec!["run", notes.to_str().unwrap(), "--out", out_arg, "--quiet"];
        args.extend_from_slice(extra);
        confthemes(&args, &[])
    };

    expect_error(
        run_notes(Path::new("no/such/folder"), &[]),
        3,
        "no/such/folder",
    );

    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    fs::write(empty.join("blank.txt"), "\n \n").unwrap();
    let res = run_notes(&empty, &[]);
    assert!(
        stderr(&res).contains("blank.txt: skipped: empty file"),
        "{}",
        stderr(&res)
    );
    expect_error(res, 3, "no notes found");

    let notes = tmp.path().join("notes");
    fs::create_dir(&notes).unwrap();
    fs::copy(
        common::root().join("corpus/001_a6386f52c71d938f.txt"),
        notes.join("a.txt"),
    )
    .unwrap();
    fs::write(
        notes.join("manifest.csv"),
        "file,conference,edition,year\na.txt,KubeCon,Copenhagen,twenty\n",
    )
    .unwrap();
    expect_error(
        run_notes(&notes, &[]),
        4,
        "manifest.csv:2: year `twenty` is not a year",
    );
    fs::remove_file(notes.join("manifest.csv")).unwrap();

    let no_model = tmp.path().join("nomodel");
    let res = Command::new(env!("CARGO_BIN_EXE_confthemes"))
        .args([
            "run",
            notes.to_str().unwrap(),
            "--out",
            out_arg,
            "--model",
            no_model.to_str().unwrap(),
        ])
        .env_remove("CONFTHEMES_MODEL")
        .output()
        .unwrap();
    expect_error(res, 5, "models/fetch.sh");

    let themes = tmp.path().join("themes.toml");
    fs::write(&themes, "[[theme]]\nid = \"a\"\nname = \"A\"\ndescription = \"x\"\n[[theme]]\nid = \"a\"\nname = \"B\"\ndescription = \"y\"\n").unwrap();
    expect_error(
        run_notes(&notes, &["--themes", themes.to_str().unwrap()]),
        4,
        "themes.toml:6: theme `a` is defined twice",
    );
    expect_error(run_notes(&notes, &["--threshold", "3"]), 2, "--threshold 3");

    // An output path that is a file cannot be written; nothing is left behind.
    let file_out = tmp.path().join("taken");
    fs::write(&file_out, "keep me").unwrap();
    let res = confthemes(
        &[
            "run",
            notes.to_str().unwrap(),
            "--out",
            file_out.to_str().unwrap(),
            "--quiet",
        ],
        &[],
    );
    assert_eq!(res.status.code(), Some(6), "{}", stderr(&res));
    assert_eq!(fs::read_to_string(&file_out).unwrap(), "keep me");
    assert!(!out.exists(), "no failed run created the output folder");
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
