//! `assign` themes new talks with the `themes.model` a run wrote, refitting nothing: the same talks
//! get the same themes and scores byte for byte, a talk that fits nothing is `unassigned`, and a
//! file from another model or of another kind is refused. `--json` prints a parseable summary.

mod common;

use std::fs;
use std::path::Path;

use common::{confthemes, expect_error, stderr};

/// The theme columns of a talks.csv, one string per row.
fn theme_columns(dir: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(dir.join("talks.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let columns: Vec<usize> = ["title", "theme", "theme_score", "theme_2", "theme_2_score"]
        .iter()
        .map(|c| header.iter().position(|h| h == *c).unwrap())
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            columns.iter().map(|&c| &r[c]).collect::<Vec<_>>().join(",")
        })
        .collect()
}

fn json_stdout(args: &[&str]) -> serde_json::Value {
    let res = confthemes(args, &[]);
    assert!(res.status.success(), "{}", stderr(&res));
    serde_json::from_slice(&res.stdout).expect("stdout is one JSON document")
}

#[test]
fn assign_gives_the_talks_of_a_run_the_themes_the_run_gave_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (fitted, again) = (tmp.path().join("fitted"), tmp.path().join("again"));
    let run = json_stdout(&["run", "corpus", "--out", fitted.to_str().unwrap(), "--json"]);
    let rows = theme_columns(&fitted);
    assert_eq!(run["talks"], rows.len());
    assert!(fitted.join("themes.model").is_file());

    let assigned = json_stdout(&[
        "assign",
        "--themes-from",
        fitted.to_str().unwrap(),
        "corpus",
        "--out",
        again.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(assigned["talks"], rows.len());
    assert_eq!(theme_columns(&again), rows, "themes differ from the run's");

    // New talks: one on a theme, one that fits none.
    let new = tmp.path().join("new.csv");
    fs::write(
        &new,
        "title,text\n\
         Istio in production,\"We run an Istio service mesh with Envoy sidecars, mTLS between services and traffic shifting for canaries.\"\n\
         Sourdough at home,\"Flour, water, salt and a starter: how long to proof the dough and how hot the oven must be for a good crust.\"\n",
    )
    .unwrap();
    let out = tmp.path().join("new");
    let res = confthemes(
        &[
            "assign",
            "--themes-from",
            fitted.to_str().unwrap(),
            new.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    let themes: Vec<String> = theme_columns(&out)
        .iter()
        .map(|row| row.split(',').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(themes, ["service-mesh", "unassigned"]);
}

#[test]
fn a_file_that_is_not_a_fitted_model_of_this_model_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fitted = tmp.path().join("fitted");
    let new = tmp.path().join("new.csv");
    fs::write(&new, "title,text\nA talk,On service meshes.\n").unwrap();
    let assign = |from: &Path| {
        confthemes(
            &[
                "assign",
                "--themes-from",
                from.to_str().unwrap(),
                new.to_str().unwrap(),
                "--out",
                tmp.path().join("out").to_str().unwrap(),
            ],
            &[],
        )
    };
    expect_error(assign(&fitted), 3, "themes.model");

    fs::create_dir(&fitted).unwrap();
    fs::write(fitted.join("themes.model"), "talk_id,title\n1,x\n").unwrap();
    expect_error(
        assign(&fitted),
        3,
        "not a themes.model written by confthemes",
    );

    // A model fitted with other weights: same layout, another checksum.
    let res = confthemes(
        &[
            "run",
            new.to_str().unwrap(),
            "--out",
            fitted.to_str().unwrap(),
            "-q",
            "--k",
            "1",
        ],
        &[],
    );
    assert!(res.status.success(), "{}", stderr(&res));
    let bytes = fs::read(fitted.join("themes.model")).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let sha = text.split("\"sha256\":\"").nth(1).unwrap()[..64].to_string();
    let other = bytes
        .windows(64)
        .position(|w| w == sha.as_bytes())
        .map(|at| {
            let mut b = bytes.clone();
            b[at..at + 64].copy_from_slice(&[b'0'; 64]);
            b
        })
        .unwrap();
    fs::write(fitted.join("themes.model"), other).unwrap();
    expect_error(assign(&fitted), 3, "not the model loaded now");
    assert!(
        !tmp.path().join("out").exists(),
        "nothing written on refusal"
    );
}
