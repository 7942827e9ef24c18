//! Bad input through the binary: every case of the README's "Errors and exit codes" table gives a
//! clear message naming the file (and line) and its exit code, or is skipped with a warning, and
//! no failure leaves partial reports behind.

mod common;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::{confthemes, expect_error, run_ok, stderr};
use confthemes::report::ReportSet;

const NOTE: &str = "corpus/001_a6386f52c71d938f.txt";

/// A folder holding one real note as `a.txt`.
fn notes_folder(tmp: &Path) -> PathBuf {
    let notes = tmp.join("notes");
    fs::create_dir(&notes).unwrap();
    fs::copy(common::root().join(NOTE), notes.join("a.txt")).unwrap();
    notes
}

/// `confthemes run <input> --out <tmp>/out --quiet <extra>`.
fn run(tmp: &Path, input: &Path, extra: &[&str]) -> std::process::Output {
    let out = tmp.join("out");
    let mut args = vec![
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    confthemes(&args, &[])
}

#[test]
fn missing_input_and_folders_without_notes_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    expect_error(
        run(tmp.path(), Path::new("no/such/folder"), &[]),
        3,
        "no/such/folder",
    );
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    expect_error(run(tmp.path(), &empty, &[]), 3, "no notes found");
    fs::write(empty.join("blank.txt"), "\n \n").unwrap();
    fs::write(empty.join("image.md"), b"\x89PNG\r\n\x1a\n\0\0\0IHDR").unwrap();
    let res = run(tmp.path(), &empty, &[]);
    for needle in [
        "blank.txt: skipped: empty file",
        "image.md: skipped: binary file",
    ] {
        assert!(stderr(&res).contains(needle), "{}", stderr(&res));
    }
    expect_error(res, 3, "no notes found");
    assert!(
        !tmp.path().join("out").exists(),
        "no output folder was made"
    );
}

#[test]
fn unreadable_notes_are_skipped_or_decoded_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    fs::write(notes.join("empty.txt"), "").unwrap();
    fs::write(notes.join("binary.txt"), [0u8, 159, 146, 150, 0, 1, 2]).unwrap();
    // Windows-1252: é as 0xE9.
    fs::write(
        notes.join("latin.txt"),
        b"# Notes from the caf\xe9\n\n## Envoy at the edge of the r\xe9seau\n\nThe talk showed how \
          Lyft runs Envoy proxies at the edge of its network.\n\n## Kubeflow pipelines\n\n\
          Training TensorFlow models with Kubeflow pipelines on GPUs.\n",
    )
    .unwrap();
    // Over the 64 MiB limit for one note.
    let mut huge = fs::File::create(notes.join("huge.md")).unwrap();
    let line = "a line of text in a file far too long to be a conference note\n".repeat(1024);
    while huge.metadata().unwrap().len() < 100 * 1024 * 1024 {
        huge.write_all(line.as_bytes()).unwrap();
    }
    huge.set_len(100 * 1024 * 1024).unwrap();
    drop(huge);

    let out = tmp.path().join("out");
    let res = run_ok(&[notes.to_str().unwrap()], &out, &[], &[]);
    let err = stderr(&res);
    for needle in [
        "empty.txt: skipped: empty file",
        "binary.txt: skipped: binary file (contains NUL bytes)",
        "latin.txt: not valid UTF-8 (first bad byte at offset 20); decoded as Windows-1252",
        "huge.md: skipped: 104857600 bytes is over the 64 MiB limit for one note",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
    let json = common::read_json(&out.join("report.json"));
    let files = common::document_files(&json);
    assert_eq!(files, ["a.txt", "latin.txt"]);
    assert_eq!(json["warnings"].as_array().unwrap().len(), 4);
    let titles: Vec<&str> = json["talks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.contains(&"Envoy at the edge of the réseau"),
        "{titles:?}"
    );
}

#[test]
fn crlf_and_mixed_line_endings_give_the_same_talks_and_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(common::root().join(NOTE)).unwrap();
    let crlf = text.replace('\n', "\r\n");
    // Lines end in \r\n, a lone \r or \n in turn; a lone \r only before a non-blank line, as
    // \r before a blank line reads as one \r\n in any editor.
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mixed: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let next_blank = lines.get(i + 1).is_none_or(|n| n.trim().is_empty());
            match i % 3 {
                0 => l.replace('\n', "\r\n"),
                1 if !next_blank => l.replace('\n', "\r"),
                _ => l.to_string(),
            }
        })
        .collect();
    assert!(mixed.contains("\r\n") && mixed.matches('\r').count() > mixed.matches("\r\n").count());
    let segment = |name: &str, body: &str| -> serde_json::Value {
        let path = tmp.path().join(name);
        fs::write(&path, body).unwrap();
        let res = confthemes(&["segment", path.to_str().unwrap(), "--json"], &[]);
        assert!(res.status.success(), "{}", stderr(&res));
        serde_json::from_slice(&res.stdout).unwrap()
    };
    let lf = segment("a.txt", &text);
    assert_eq!(lf.as_array().unwrap().len(), 12);
    assert!(segment("a.txt", &crlf) == lf, "CRLF changes the talks");
    assert!(
        segment("a.txt", &mixed) == lf,
        "mixed line endings change the talks"
    );
}

#[test]
fn malformed_manifests_and_tables_name_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    let manifest = notes.join("manifest.csv");
    for (body, needle) in [
        (
            "file,conference,edition,year\na.txt,KubeCon,Copenhagen,twenty\n",
            "manifest.csv:2: year `twenty` is not a year",
        ),
        (
            "file,conference,year\na.txt,KubeCon,2018\n",
            "manifest.csv:1: missing column `edition`",
        ),
        (
            "file,conference,edition,year\na.txt,KubeCon,Copenhagen,2018\na.txt,KubeCon,Austin,2017\n",
            "manifest.csv:3: a.txt is listed twice",
        ),
    ] {
        fs::write(&manifest, body).unwrap();
        expect_error(run(tmp.path(), &notes, &[]), 4, needle);
    }

    let table = tmp.path().join("talks.csv");
    for (body, needle) in [
        (
            "title,abstract\nA,b\n",
            "talks.csv:1: no `text` column (columns: title, abstract)",
        ),
        (
            "title,text,year\nA,Envoy at scale,2019\nB,Kubeflow,soon\n",
            "talks.csv:3: year `soon` is not a year",
        ),
        ("title,text\nA,Envoy\nB,Kubeflow,extra\n", "talks.csv:3:"),
        (
            "title,text\nA,\"Envoy\nB,Kubeflow\n",
            "talks.csv:2: this quote is never closed",
        ),
    ] {
        fs::write(&table, body).unwrap();
        expect_error(run(tmp.path(), &table, &[]), 4, needle);
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn bad_taxonomies_and_settings_name_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    let themes = tmp.path().join("themes.toml");
    let theme = |id: &str, name: &str| {
        format!("[[theme]]\nid = \"{id}\"\nname = \"{name}\"\ndescription = \"d\"\n")
    };
    for (body, needle) in [
        (
            theme("a", "A") + &theme("a", "B"),
            "themes.toml:6: theme `a` is defined twice",
        ),
        (theme("a", ""), "themes.toml:2:"),
        (
            "[[theme]]\nid = \"a\nname = 3\n".to_string(),
            "themes.toml:2:",
        ),
    ] {
        fs::write(&themes, body).unwrap();
        expect_error(
            run(tmp.path(), &notes, &["--themes", themes.to_str().unwrap()]),
            4,
            needle,
        );
    }
    expect_error(
        run(tmp.path(), &notes, &["--threshold", "3"]),
        2,
        "--threshold 3",
    );
    expect_error(
        run(tmp.path(), &notes, &["--k-min", "9", "--k-max", "3"]),
        2,
        "k range 9..3 is empty",
    );
}

#[test]
fn a_missing_model_names_the_fetch_script() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    let no_model = tmp.path().join("nomodel");
    expect_error(
        run(tmp.path(), &notes, &["--model", no_model.to_str().unwrap()]),
        5,
        "models/fetch.sh",
    );
}

#[test]
fn unwritable_output_fails_with_exit_6_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    let notes = notes.to_str().unwrap();
    // The output path is a file, or lies under one.
    let file = tmp.path().join("taken");
    fs::write(&file, "keep me").unwrap();
    for out in [file.clone(), file.join("reports")] {
        let res = confthemes(
            &["run", notes, "--out", out.to_str().unwrap(), "--quiet"],
            &[],
        );
        expect_error(res, 6, "taken");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");

    // A read-only folder (root may write anyway; then there is nothing to check).
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    let mut perms = fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    fs::set_permissions(&locked, perms).unwrap();
    if fs::write(locked.join("probe"), "").is_ok() {
        eprintln!("SKIPPED read-only folder case: this user can write to read-only folders");
        return;
    }
    let res = confthemes(
        &["run", notes, "--out", locked.to_str().unwrap(), "--quiet"],
        &[],
    );
    expect_error(res, 6, "locked");
    assert_eq!(fs::read_dir(&locked).unwrap().count(), 0);
}

#[test]
fn a_failed_run_leaves_the_previous_reports_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let notes = notes_folder(tmp.path());
    let out = tmp.path().join("out");
    run_ok(&[notes.to_str().unwrap()], &out, &[], &[]);
    let before: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    assert_eq!(before.len(), ReportSet::Run.files().len());

    // A second run over a different input fails; the first run's reports stay as they were.
    fs::write(
        notes.join("manifest.csv"),
        "file,conference,edition,year\na.txt,KubeCon,Copenhagen,soon\n",
    )
    .unwrap();
    expect_error(run(tmp.path(), &notes, &[]), 4, "manifest.csv:2");
    for (path, bytes) in &before {
        assert_eq!(&fs::read(path).unwrap(), bytes, "{}", path.display());
    }
    assert_eq!(
        fs::read_dir(&out).unwrap().count(),
        ReportSet::Run.files().len(),
        "no leftovers"
    );
}
