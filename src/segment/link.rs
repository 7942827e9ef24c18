//! The same talk described in several documents (two recaps of one conference), linked as one.
//!
//! Two talks are the same when their titles are equal once case, punctuation and spacing are set
//! aside, and the titles are specific enough to tell talks apart (at least three words), and they
//! were given at the same event (conference and year, where known).

use std::collections::HashMap;

use super::Talk;

/// Distinct talks, and which of them each described talk is.
#[derive(Debug, Clone)]
pub struct LinkedTalks {
    /// One talk per distinct talk, in order of first description: the first description's title,
    /// speakers and place, with the bodies of all descriptions joined.
    pub talks: Vec<Talk>,
    /// For each input talk, the index of its distinct talk in `talks`.
    pub link: Vec<usize>,
}

/// Links talks that describe the same talk; input order decides which description comes first.
pub fn link_talks(talks: &[Talk]) -> LinkedTalks {
    let mut by_key: HashMap<(String, Option<String>, Option<u16>), usize> = HashMap::new();
    let mut linked: Vec<Talk> = Vec::new();
    let mut link = Vec::with_capacity(talks.len());
    for talk in talks {
        let key = title_key(&talk.title).map(|k| (k, talk.meta.conference.clone(), talk.meta.year));
        let id = match key.as_ref().and_then(|k| by_key.get(k)) {
            Some(&id) => {
                let first = &mut linked[id];
                if first.body.is_empty() {
                    first.body = talk.body.clone();
                } else if !talk.body.is_empty() {
                    first.body = format!("{}\n{}", first.body, talk.body);
                }
                id
            }
            None => {
                linked.push(talk.clone());
                let id = linked.len() - 1;
                by_key.extend(key.map(|k| (k, id)));
                id
            }
        };
        link.push(id);
    }
    LinkedTalks {
        talks: linked,
        link,
    }
}

/// Lowercased words of a title, or `None` for titles too short to identify a talk.
fn title_key(title: &str) -> Option<String> {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    (words.len() >= 3).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::DocMeta;

    fn talk(file: &str, title: &str, body: &str, year: u16) -> Talk {
        Talk {
            kind: crate::segment::TalkKind::Talk,
            file: file.into(),
            index: 1,
            title: title.into(),
            speakers: Vec::new(),
            body: body.into(),
            start_line: 1,
            end_line: 2,
            meta: DocMeta {
                conference: Some("KubeCon".into()),
                edition: None,
                year: Some(year),
            },
            extra: Vec::new(),
        }
    }

    #[test]
    fn same_title_at_the_same_event_is_one_talk() {
        let talks = [
            talk(
                "a.txt",
                "How Yelp Moved Security From the App to the Mesh",
                "notes a",
                2019,
            ),
            talk(
                "b.txt",
                "How Yelp moved security from the app to the mesh!",
                "notes b",
                2019,
            ),
            talk(
                "b.txt",
                "How Yelp Moved Security From the App to the Mesh",
                "",
                2018,
            ),
            talk("c.txt", "Cilium", "x", 2019),
            talk("d.txt", "Cilium", "y", 2019),
        ];
        let linked = link_talks(&talks);
        assert_eq!(linked.link, vec![0, 0, 1, 2, 3]);
        assert_eq!(linked.talks[0].body, "notes a\nnotes b");
        assert_eq!(linked.talks[0].file, "a.txt");
    }
}
