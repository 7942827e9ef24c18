//! Talks told as narrative rather than under headings: a paragraph that opens with a speaker giving
//! a keynote ("In his opening keynote, Dan Kohn, the executive director of CNCF, gave ..."), or with
//! a speaker's talk ("Bridget's talk about how DramaFever uses Docker ..."). The title comes from a
//! citation elsewhere in the document ("“Docker in Production – Reality, Not Hype”, ..., by Bridget
//! Kromhout") when there is one.

use std::sync::LazyLock;

use regex::Regex;

use super::heading::Heading;
use super::Speaker;
use crate::ingest::event_from_context;

/// A person's name: two or three capitalised words.
const NAME: &str = r"[A-Z][a-z]+(?:[ -][A-Z][A-Za-z'’-]+){1,2}";

/// "[In his opening keynote, ]Name[, role,| (role)| of Org] gave|discussed|...".
static KEYNOTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^(?:In (?:his|her|their) (?:[a-z]+ )?(?:keynote|speech|talk|presentation), )?(?P<name>{NAME})(?:, [^,]{{3,80}},| \([^)]{{2,80}}\)| of [A-Z][A-Za-z]+)? (?:gave|discussed|introduced|went over|presented|talked|spoke|showed|explained|demoed|put|shared|announced)\b"
    ))
    .expect("valid regex")
});
/// "The best keynote ... was given by Name".
static GIVEN_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"^The [a-z ]*(?:keynote|talk|presentation)[^.]{{0,60}}? (?:was )?(?:given|delivered) by (?P<name>{NAME})"
    ))
    .expect("valid regex")
});
/// "Name's [Microservices] talk ..." (first name only, as such paragraphs usually say).
static POSSESSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<name>[A-Z][a-z]+)['’]s (?:[A-Z]?[a-z]+ ){0,3}(?:talk|keynote|presentation|session)\b")
        .expect("valid regex")
});
/// Words for one talk, in the dev set's four languages.
const ONE_TALK: &str = r"(?:talk|keynote|session|presentation|workshop|panel|palestra|charla|ponencia|conférence|plénière|présentation)\b(?:[^s]|$)";

/// A paragraph that opens by saying the author went to one talk: "I decided to attend Cleo's
/// talk", "Next, I caught Dominik's talk", "A palestra que eu mais gostei". A plural ("talks") is
/// about several and does not count; the cue must come early (within [`CUE_WITHIN`] bytes), as a
/// later one ("... I recommend the last talk by ...") is about the talk already under way.
static ATTENDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:attend(?:ed)?|caught|went to|saw|watched|joined|listened to|enjoyed|sat in on|assisti|asistí)\b[^.!?]{{0,120}}?\b{ONE_TALK}|\b(?:a|la|el) (?:palestra|charla|ponencia) "
    ))
    .expect("valid regex")
});

/// "The first deeper-dive talk", "Next keynote", "My favourite session": an ordinal before one talk.
static ORDINAL_TALK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(?:next|first|second|third|another|final|favou?rite|best|opening|closing)\b(?:[ -][\w-]+){{0,2}} {ONE_TALK}"
    ))
    .expect("valid regex")
});

/// A named speaker presenting, early in a paragraph: "[Rory McCune][], shared key strategies",
/// "Pia Gerhofer kicked off with a keynote", "[Oleg][] and [Ana][] talked about", "Nikhita’s talk
/// “How to Contribute”". The name may be a markdown link (`[Name][]`, `[Name](url)`).
static SPEAKER_PRESENTS: LazyLock<Regex> = LazyLock::new(|| {
    let person = format!(r"(?:\[{NAME}\](?:\[[^\]]*\]|\([^)]*\))|{NAME})");
    Regex::new(&format!(
        r"{person}(?:(?:,? and |, | & ){person})*(?:,|’s|'s)? (?:(?:talked|spoke) about|discussed|presented|shared|covered|explained|demoed|walked us through|kicked off with (?:a|an|the) [\w -]{{0,20}}keynote|(?:gave|delivered) (?:a|an|the|his|her|their) (?:[\w-]+ ){{0,2}}(?:keynote|talk|presentation|session|demo|overview)|(?:talk|keynote|session) “)"
    ))
    .expect("valid regex")
});

/// How far into a paragraph a cue may start ("Later, my fellow Datadog Tech Advocate, [Rory
/// McCune][], shared ..." starts its name at 40).
const CUE_WITHIN: usize = 60;

/// A title written in the sentence: “quoted”, "quoted", *in italics* or a link's text.
static TITLE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"“([^”]{8,120})”|"([^"]{8,120})"|(?:^|\s)[*_]([^*_]{8,120})[*_]|\[([^\]]{8,120})\]\("#,
    )
    .expect("valid regex")
});

/// A cited talk: “Title”, optional context, by Name.
static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"“(?P<title>[^”]{{3,120}})”,?(?P<context>[^“”]{{0,80}}?)\s+by\s+(?P<name>{NAME})"
    ))
    .expect("valid regex")
});

/// A talk cited by title somewhere in a document.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Citation {
    pub title: String,
    pub speaker: String,
    /// What the text says between the title and the speaker, e.g. "the DockerCon Europe 2014
    /// keynote".
    pub context: String,
}

/// Every “Title” ... by Name citation in `text`.
pub(super) fn citations(text: &str) -> Vec<Citation> {
    CITATION
        .captures_iter(text)
        .map(|c| Citation {
            title: c["title"].trim().to_string(),
            speaker: c["name"].to_string(),
            context: c["context"]
                .trim_matches(|ch: char| ch == ',' || ch.is_whitespace())
                .to_string(),
        })
        .collect()
}

/// The talk a paragraph opens, if it opens one.
pub(super) fn talk_opened_by(paragraph: &str, citations: &[Citation]) -> Option<Heading> {
    let paragraph = paragraph.trim_start();
    if let Some(caps) = KEYNOTE
        .captures(paragraph)
        .or_else(|| GIVEN_BY.captures(paragraph))
    {
        let name = caps["name"].to_string();
        return Some(cited_or(citations, &name, format!("Keynote by {name}")));
    }
    let Some(caps) = POSSESSIVE.captures(paragraph) else {
        return attended(paragraph);
    };
    let first = &caps["name"];
    let cited = citations
        .iter()
        .find(|c| c.speaker.split_whitespace().next() == Some(first))?;
    Some(Heading {
        title: cited.title.clone(),
        speakers: vec![Speaker {
            name: cited.speaker.clone(),
            affiliation: None,
        }],
        event: event_from_context(&cited.context),
    })
}

/// A talk the paragraph's first sentence says the author attended, titled by the title the
/// paragraph writes out, or by that sentence.
fn attended(paragraph: &str) -> Option<Heading> {
    let end = paragraph
        .find(". ")
        .map_or(paragraph.len(), |i| i + 1)
        .min(300);
    let mut cut = end.min(paragraph.len());
    while !paragraph.is_char_boundary(cut) {
        cut -= 1;
    }
    let sentence = &paragraph[..cut];
    let early = |re: &Regex| re.find(sentence).is_some_and(|m| m.start() <= CUE_WITHIN);
    if !early(&ATTENDED) && !early(&ORDINAL_TALK) && !early(&SPEAKER_PRESENTS) {
        return None;
    }
    let title = TITLE_IN_TEXT
        .captures(paragraph)
        .and_then(|c| (1..=4).find_map(|i| c.get(i)))
        .map(|m| m.as_str().trim().to_string())
        .unwrap_or_else(|| {
            sentence
                .chars()
                .take(100)
                .collect::<String>()
                .trim()
                .to_string()
        });
    Some(Heading {
        title,
        speakers: Vec::new(),
        event: None,
    })
}

fn cited_or(citations: &[Citation], name: &str, fallback: String) -> Heading {
    let cited = citations.iter().find(|c| c.speaker == name);
    Heading {
        title: cited.map_or(fallback, |c| c.title.clone()),
        speakers: vec![Speaker {
            name: name.to_string(),
            affiliation: None,
        }],
        event: cited.and_then(|c| event_from_context(&c.context)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_about_one_attended_talk_opens_it() {
        let opened = |p: &str| talk_opened_by(p, &[]).map(|h| h.title);
        assert!(opened(
            "Next, I caught [Dominik Suß][]’s talk about why observability solutions need agents."
        )
        .is_some());
        assert_eq!(
            opened(
                "The first deeper-dive talk I went to covered *Istio multi-cluster networking*."
            )
            .as_deref(),
            Some("Istio multi-cluster networking")
        );
        assert!(opened("A palestra que eu mais gostei foi a do Anderson Borges.").is_some());
        assert!(opened("I attended a lot of talks about security this year.").is_none());
        assert!(opened("Later, my fellow Datadog Tech Advocate, [Rory McCune][], shared key strategies for securing clusters.").is_some());
        assert!(opened(
            "On the third day, [Pia Gerhofer][] kicked off with a keynote about community."
        )
        .is_some());
        assert!(opened("We met Priyanka Sharma, who gave us stickers at the booth.").is_none());
        assert!(opened("In particular I highly recommend the last talk by Thomas Graf.").is_none());
        assert!(opened("The venue was huge and the coffee was great.").is_none());
    }

    #[test]
    fn keynote_paragraphs_name_their_speaker() {
        for (paragraph, name) in [
            ("In his opening keynote, Dan Kohn, the executive director of CNCF, gave an idea of the growth.", "Dan Kohn"),
            ("In his brief speech, Dirk Hohndel (Chief Open Source Officer from VmWare) put the spotlight on", "Dirk Hohndel"),
            ("Ralph Squillace of Microsoft gave a short but successful demo", "Ralph Squillace"),
            ("The best keynote from day three was given by Simon Wardley who was", "Simon Wardley"),
        ] {
            let h = talk_opened_by(paragraph, &[]).unwrap_or_else(|| panic!("{paragraph}"));
            assert_eq!(h.title, format!("Keynote by {name}"));
            assert_eq!(h.speakers[0].name, name);
        }
        for prose in [
            "I chatted to Bryan Liles about this in a recent InfoQ podcast",
            "In regard to debugging, the Ambassador team presented a number of sessions",
            "Paul then questioned why not use a single query language",
        ] {
            assert_eq!(talk_opened_by(prose, &[]), None, "{prose}");
        }
    }

    #[test]
    fn possessive_talks_take_their_title_from_a_citation() {
        let text = "Saw talks – “State of the Art in Microservices”, the DockerCon Europe 2014 keynote, by Adrian Cockcroft ; and “Docker in Production – Reality, Not Hype”, at the March-2015 DevOps-Chicago meetup, by Bridget Kromhout (links below).";
        let cited = citations(text);
        assert_eq!(cited.len(), 2);
        assert_eq!(cited[0].context, "the DockerCon Europe 2014 keynote");
        let h = talk_opened_by("Bridget’s talk about how DramaFever uses Docker", &cited).unwrap();
        assert_eq!(h.title, "Docker in Production – Reality, Not Hype");
        assert_eq!(h.speakers[0].name, "Bridget Kromhout");
        assert_eq!(h.event.and_then(|e| e.year), Some(2015));
        assert_eq!(
            talk_opened_by("Mary’s talk was fun", &cited),
            None,
            "no citation, no talk"
        );
    }
}
