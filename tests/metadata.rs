//! Conference, edition and year inferred from the text agree with the annotations: the corpus
//! manifest, and the source comment on the first line of each recap (removed before inferring).

mod common;

use confthemes::ingest::{infer_meta, read_manifest, DocMeta};

#[test]
fn inference_agrees_with_the_corpus_manifest() {
    let root = common::root().join("corpus");
    let manifest = read_manifest(&root.join("manifest.csv")).unwrap();
    assert_eq!(manifest.len(), 5);
    for (file, expected) in manifest {
        let text = std::fs::read_to_string(root.join(&file)).unwrap();
        assert_eq!(infer_meta(&text), expected, "{file}");
    }
}

#[test]
fn inference_agrees_with_the_recap_annotations() {
    let Some(dir) = common::shared("data/recaps") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let (mut editions, mut total) = (0, 0);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let (comment, body) = text.split_once('\n').unwrap();
        // "<!-- ... | conference: KubeCon+CloudNativeCon Europe (Copenhagen) | year: 2018 | ... -->"
        let field = |name: &str| {
            comment
                .split(" | ")
                .find_map(|f| f.trim().strip_prefix(&format!("{name}: ")))
                .unwrap()
                .to_string()
        };
        let conference = field("conference");
        let (region, city) = conference
            .trim_start_matches("KubeCon+CloudNativeCon ")
            .trim_end_matches(')')
            .split_once(" (")
            .unwrap();
        let year: u16 = field("year").parse().unwrap();
        let inferred: DocMeta = infer_meta(body);
        eprintln!("{}: {inferred:?}", path.display());
        assert_eq!(inferred.year, Some(year), "{}", path.display());
        total += 1;
        if let Some(edition) = &inferred.edition {
            assert_eq!(edition, city, "{}", path.display());
            assert_eq!(
                inferred.conference.as_deref(),
                Some(format!("KubeCon + CloudNativeCon {region}").as_str())
            );
            editions += 1;
        }
    }
    assert_eq!(editions, total, "an edition inferred for every recap");
}
