//! Recognising one line as a talk heading: a plain title, `Title - Speaker, Company`, a numbered
//! section heading, a markdown heading, or a line that only looks like a heading but closes a talk
//! (a document title, an outro such as "Final words?").

use std::sync::LazyLock;

use regex::Regex;

use super::Speaker;
use crate::ingest::DocMeta;

/// What one heading-like line means for segmentation.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum LineRole {
    /// Starts a talk.
    Talk(Heading),
    /// Looks like a heading but is not a talk (document title, outro, section label): closes the
    /// current talk.
    Break,
    /// Ordinary text.
    Text,
}

/// A parsed talk heading.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Heading {
    pub title: String,
    pub speakers: Vec<Speaker>,
    /// The event the talk was given at, when the text names one other than the document's.
    pub event: Option<DocMeta>,
}

/// What the classifier knows about the line's surroundings.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct LineContext<'a> {
    /// The document's title (its first line, when that line stands alone).
    pub doc_title: Option<&'a str>,
    /// The previous block is prose that stops mid-sentence, so this line continues it.
    pub continues_prose: bool,
}

/// Longest line read as a bare title; longer lines are prose.
pub(super) const MAX_TITLE_CHARS: usize = 110;
const MAX_HEADING_CHARS: usize = 260;
const MIN_CAPITALISED_SHARE: f32 = 0.6;

static NUMBERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,2})\.\s+(\S.*)$").expect("valid regex"));
static MARKDOWN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^#{1,6}\s+(.+?)\s*#*$").expect("valid regex"));
/// A markdown image, dropped with its alt text.
static IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!\[[^\]]*\]\([^)]*\)").expect("valid regex"));
/// A markdown link; the link text is group 1.
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").expect("valid regex"));
static SPEAKER_DASH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s+[-–—]\s+").expect("valid regex"));
/// Section names that close a talk rather than start one.
static SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(final words|final thoughts|closing thoughts|conclusions?|wrapping up|wrap[- ]up|in summary|summary|key takeaways|takeaways|favou?rite talks|references|resources|about the author|comments|\d+ (comments|kommentare)|leave a reply|share this|related posts|sommaire|table of contents|contents|r[ée]capitulatif|recap|welcome reception|reception|party|lunch|dinner|social event|after[- ]?party)\b",
    )
    .expect("valid regex")
});
/// The conference itself: a heading that names it describes the document, not a talk.
static CONFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(kubecon|cloudnativecon)\b").expect("valid regex"));
/// First-person or talk-referring words: a line holding them is narrative, not a title.
static NARRATIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(I|I’m|I'm|I’d|I'd|my|me|we|our|they|their|this talk|the talk)\b")
        .expect("valid regex")
});
/// Bullet markers, for list items.
pub(super) static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([•◦▪·*\-–]|\d{1,2}[.)])\s+").expect("valid regex"));

/// Classifies a line that stands alone in its block.
pub(super) fn classify(line: &str, ctx: LineContext<'_>) -> LineRole {
    let raw = line.trim();
    if raw.is_empty() || BULLET.is_match(line) && !NUMBERED.is_match(line) {
        return LineRole::Text;
    }
    let (text, strong) = strip_markup(raw);
    let text = strip_annotations(&text);
    if text.chars().count() > MAX_HEADING_CHARS {
        return LineRole::Text;
    }
    if word_count(&text) <= 8 && SECTION.is_match(&text) && !text.ends_with('.')
        || is_about_the_event(&text)
    {
        return LineRole::Break;
    }
    // A bold label (`**Main components:**`) or a line in italics (a caption) is not a title.
    let bold = strong && markdown_level(raw).is_none();
    if bold && text.ends_with(':') || is_italic_line(raw) {
        return LineRole::Text;
    }
    if word_count(&text) < if strong { 1 } else { 2 } {
        return LineRole::Text;
    }
    let candidate = if let Some(caps) = NUMBERED.captures(&text) {
        // A numbered section heading stands alone at the start of a line (list items are indented
        // or grouped, so they never reach here).
        if line.starts_with(char::is_whitespace) {
            return LineRole::Text;
        }
        Some(Heading {
            title: trim_title(&caps[2]),
            speakers: Vec::new(),
            event: None,
        })
    } else if let Some((title, speakers)) = split_title_speakers(&text) {
        Some(Heading {
            title,
            speakers,
            event: None,
        })
    } else if strong || looks_like_plain_title(&text, ctx) {
        Some(Heading {
            title: trim_title(&text),
            speakers: Vec::new(),
            event: None,
        })
    } else {
        None
    };
    let Some(heading) = candidate else {
        return LineRole::Text;
    };
    let is_doc_title = ctx
        .doc_title
        .is_some_and(|t| normalise(t) == normalise(&text));
    if is_doc_title || CONFERENCE.is_match(&heading.title) {
        return LineRole::Break;
    }
    LineRole::Talk(heading)
}

/// Words of headings about the event rather than a talk: the venue, food, socials, booths, travel,
/// people, the author's thoughts, announcements, days (English, French, Spanish, Portuguese).
const EVENT_WORDS: &[&str] = &[
    "venue",
    "venues",
    "location",
    "local",
    "place",
    "lieu",
    "lugar",
    "site",
    "city",
    "weather",
    "food",
    "comida",
    "café",
    "cafe",
    "coffee",
    "lunch",
    "breakfast",
    "dinner",
    "meal",
    "meals",
    "drinks",
    "snacks",
    "repas",
    "déjeuner",
    "almoço",
    "intervalos",
    "breaks",
    "party",
    "parties",
    "fiesta",
    "festa",
    "soirée",
    "social",
    "socials",
    "life",
    "meetups",
    "meetup",
    "networking",
    "hallway",
    "track",
    "booths",
    "booth",
    "stands",
    "expo",
    "exhibition",
    "exhibitors",
    "showroom",
    "floor",
    "hall",
    "sponsors",
    "sponsor",
    "vendors",
    "vendor",
    "swag",
    "goodies",
    "merch",
    "travel",
    "trip",
    "journey",
    "voyage",
    "viaje",
    "viagem",
    "hotel",
    "flight",
    "arrival",
    "people",
    "community",
    "communauté",
    "comunidad",
    "comunidade",
    "day",
    "days",
    "jour",
    "día",
    "dia",
    "thoughts",
    "general",
    "final",
    "overall",
    "takeaways",
    "learnings",
    "lessons",
    "impressions",
    "announcements",
    "news",
    "application",
    "scholarship",
    "conference",
    "conférence",
    "conferencia",
    "conferência",
    "event",
    "evento",
    "événement",
    "introduction",
    "intro",
    "about",
    "me",
    "myself",
    "outro",
    "bonus",
    "extras",
    "misc",
    "miscellaneous",
    "logistics",
    "schedule",
    "agenda",
    "photos",
    "pictures",
    "links",
    "acknowledgements",
    "thanks",
    "gracias",
    "merci",
    "obrigado",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "other",
    "more",
    "my",
    "our",
    "le",
    "la",
    "les",
    "el",
    "los",
    "o",
    "os",
    "et",
    "y",
    "e",
    "de",
    "du",
    "des",
    "do",
    "da",
];

/// True when every word of a short heading is about the event (`The Venue`, `Meetups and
/// Socials`, `Intervalos / Comida / Café`, `Day 2`), so it is not a talk's title.
pub(super) fn is_about_the_event(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | ',' | ':' | '!' | '?' | '.'))
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let content: Vec<&String> = words
        .iter()
        .filter(|w| !is_function_word(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    !content.is_empty()
        && words.len() <= 6
        && content.iter().all(|w| EVENT_WORDS.contains(&w.as_str()))
}

/// A whole line in single `_` or `*` italics: a caption or an aside.
fn is_italic_line(line: &str) -> bool {
    ['_', '*'].iter().any(|&mark| {
        let inner = line.strip_prefix(mark).and_then(|l| l.strip_suffix(mark));
        inner.is_some_and(|i| !i.is_empty() && !i.starts_with(mark) && !i.contains(mark))
    })
}

/// Parses a bullet item as a talk (`Title – Speaker, Company` or a bare title).
pub(super) fn list_item(line: &str) -> Option<Heading> {
    let item = BULLET.replace(line, "");
    let item = strip_annotations(item.trim());
    if let Some((title, speakers)) = split_title_speakers(&item) {
        return Some(Heading {
            title,
            speakers,
            event: None,
        });
    }
    (word_count(&item) >= 2 && item.chars().count() <= MAX_TITLE_CHARS).then(|| Heading {
        title: trim_title(&item),
        speakers: Vec::new(),
        event: None,
    })
}

/// A list item that leads with a linked or bold title: `[Title](url) ...`, `**Title** - Speaker`.
static LEAD_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\[([^\]]+)\]\([^)]*\)|\*\*([^*]+)\*\*|__([^_]+)__)(.*)$").expect("valid regex")
});

/// A bullet item that leads with a linked or bold title of three words or more, the form of a
/// programme or a round-up (`* [Writing a Kubernetes Operator](notes.md)`, `- **Title** - Speaker:
/// summary`), with the speakers that follow a dash.
pub(super) fn titled_item(line: &str) -> Option<Heading> {
    let item = BULLET.replace(line, "");
    let caps = LEAD_TITLE.captures(item.trim())?;
    let title = caps.get(1).or(caps.get(2)).or(caps.get(3))?.as_str();
    let title = trim_title(title.trim().trim_end_matches(':'));
    if word_count(&title) < 3 || title.chars().count() > MAX_TITLE_CHARS {
        return None;
    }
    let rest = caps[4].trim();
    let speakers = split_title_speakers(&format!("{title} {rest}"))
        .filter(|(t, _)| *t == title)
        .map(|(_, speakers)| speakers)
        .unwrap_or_default();
    Some(Heading {
        title,
        speakers,
        event: None,
    })
}

/// A line that is only a link: `[Title](https://video...)`.
static LINK_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[([^\]]+)\]\([^)\s]+\)$").expect("valid regex"));

/// A paragraph that opens with a line that is only a linked title of three words or more (a
/// talk's video or schedule page), maybe followed by a line naming the speaker.
pub(super) fn linked_talk(lines: &[&str]) -> Option<Heading> {
    let caps = LINK_LINE.captures(lines.first()?.trim())?;
    let title = trim_title(caps[1].trim());
    if word_count(&title) < 3 || title.chars().count() > MAX_TITLE_CHARS {
        return None;
    }
    let speakers = lines
        .get(1)
        .map(|l| l.trim())
        .filter(|l| is_person_name(l))
        .map(|name| {
            vec![Speaker {
                name: name.to_string(),
                affiliation: None,
            }]
        })
        .unwrap_or_default();
    Some(Heading {
        title,
        speakers,
        event: None,
    })
}

/// True when `text` is prose that stops mid-sentence (no closing punctuation).
pub(super) fn ends_mid_sentence(text: &str) -> bool {
    text.trim_end()
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric())
}

/// Splits `Title - Speaker, Company & Speaker, Company` at the rightmost dash whose right side
/// reads as a list of people.
pub(super) fn split_title_speakers(text: &str) -> Option<(String, Vec<Speaker>)> {
    let dashes: Vec<_> = SPEAKER_DASH.find_iter(text).collect();
    dashes.into_iter().rev().find_map(|dash| {
        let title = text[..dash.start()].trim();
        let people = text[dash.end()..].trim();
        if word_count(title) < 2 {
            return None;
        }
        parse_speakers(people).map(|speakers| (trim_title(title), speakers))
    })
}

/// Parses `Name, Role, Company & Name, Company` into speakers; `None` when it is not people.
fn parse_speakers(text: &str) -> Option<Vec<Speaker>> {
    let groups: Vec<&str> = text.split(" & ").map(str::trim).collect();
    let mut speakers = Vec::new();
    let mut any_affiliation = false;
    for group in &groups {
        let (name, affiliation) = match group.split_once(',') {
            Some((name, rest)) => (name.trim(), Some(rest.trim().to_string())),
            None => (*group, None),
        };
        if !is_person_name(name) {
            return None;
        }
        any_affiliation |= affiliation.is_some();
        speakers.push(Speaker {
            name: name.to_string(),
            affiliation: affiliation.filter(|a| !a.is_empty()),
        });
    }
    if !any_affiliation && groups.len() < 2 {
        return None;
    }
    // "A & B, Company": A shares the affiliation of the next speaker who has one.
    for i in (0..speakers.len()).rev() {
        if speakers[i].affiliation.is_none() {
            speakers[i].affiliation = speakers[i + 1..].iter().find_map(|s| s.affiliation.clone());
        }
    }
    Some(speakers)
}

pub(super) fn is_person_name(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
        })
}

fn looks_like_plain_title(text: &str, ctx: LineContext<'_>) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    let ends_open = text
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '.' | ',' | ':' | ';' | '…'));
    if ctx.continues_prose
        || ends_open
        || !(3..=16).contains(&words.len())
        || text.chars().count() > MAX_TITLE_CHARS
        || NARRATIVE.is_match(text)
    {
        return false;
    }
    let content: Vec<&&str> = words.iter().filter(|w| !is_function_word(w)).collect();
    let capitalised = content
        .iter()
        .filter(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        })
        .count();
    !content.is_empty() && capitalised as f32 / content.len() as f32 >= MIN_CAPITALISED_SHARE
}

fn is_function_word(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from",
        "by", "as", "vs", "vs.", "via", "into", "onto", "over", "is", "are", "be", "it", "its",
        "&", "-", "–", "—", "/", "+", "some", "your", "you", "not", "up", "out",
    ];
    WORDS.contains(&word.to_lowercase().as_str())
}

/// Removes markdown heading marks and bold/italic wrappers; `true` when the line was a markdown
/// heading or a fully bold line (an explicit heading).
/// A line's text without heading marks, bold wrappers, links and annotations, as a title.
pub(super) fn normalise_title(line: &str) -> String {
    let (text, _) = strip_markup(line.trim());
    trim_title(&strip_annotations(&text))
}

fn strip_markup(line: &str) -> (String, bool) {
    if let Some(caps) = MARKDOWN.captures(line) {
        return (caps[1].trim().to_string(), true);
    }
    for wrapper in ["**", "__"] {
        if let Some(inner) = line
            .strip_prefix(wrapper)
            .and_then(|l| l.strip_suffix(wrapper))
        {
            if !inner.contains(wrapper) {
                return (inner.trim().to_string(), true);
            }
        }
    }
    (line.to_string(), false)
}

/// Drops trailing link annotations such as `** slides ** book`, markdown links (keeping their
/// text) and leading symbols such as `⏩`.
fn strip_annotations(text: &str) -> String {
    let cut = text.find(" **").unwrap_or(text.len());
    let text = IMAGE.replace_all(&text[..cut], "");
    let text = LINK.replace_all(&text, "$1");
    text.trim_start_matches(|c: char| !(c.is_alphanumeric() || matches!(c, '"' | '“' | '\'' | '‘')))
        .trim()
        .to_string()
}

/// The level of a markdown heading line (`## Title` is 2).
pub(super) fn markdown_level(line: &str) -> Option<usize> {
    MARKDOWN
        .is_match(line.trim_start())
        .then(|| line.trim_start().chars().take_while(|&c| c == '#').count())
}

fn trim_title(title: &str) -> String {
    title
        .trim()
        .trim_end_matches(['.', ':', ';', ','])
        .trim()
        .to_string()
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// `text` lower-cased with its whitespace collapsed, for comparing titles.
pub(super) fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(line: &str) -> Heading {
        match classify(line, LineContext::default()) {
            LineRole::Talk(h) => h,
            other => panic!("{line:?} classified as {other:?}"),
        }
    }

    fn names(h: &Heading) -> Vec<&str> {
        h.speakers.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn title_dash_speakers_with_shared_affiliation() {
        let h = talk("Are You Ready to Be Edgy? — Bringing Cloud-Native Applications to the Edge of the Network - Megan O’Keefe & Steve Louie, Cisco");
        assert_eq!(
            h.title,
            "Are You Ready to Be Edgy? — Bringing Cloud-Native Applications to the Edge of the Network"
        );
        assert_eq!(names(&h), vec!["Megan O’Keefe", "Steve Louie"]);
        assert_eq!(h.speakers[0].affiliation.as_deref(), Some("Cisco"));
    }

    #[test]
    fn en_dash_with_roles_and_annotations() {
        let h = talk("No-Nonsense Observability Improvement – Cory Watson, SignalFx ** slides");
        assert_eq!(h.title, "No-Nonsense Observability Improvement");
        assert_eq!(names(&h), vec!["Cory Watson"]);
        let h = talk("Running with Scissors - Liz Rice, Technology Evangelist, Aqua Security");
        assert_eq!(
            h.speakers[0].affiliation.as_deref(),
            Some("Technology Evangelist, Aqua Security")
        );
    }

    #[test]
    fn plain_and_numbered_titles() {
        assert_eq!(
            talk("How Spotify Migrated Ingress HTTP Systems to Envoy").title,
            "How Spotify Migrated Ingress HTTP Systems to Envoy"
        );
        assert_eq!(
            talk("6. Reducing SRE toil is important, and directly impacts the bottom line.").title,
            "Reducing SRE toil is important, and directly impacts the bottom line"
        );
        assert_eq!(talk("## Keynote: the future").title, "Keynote: the future");
        assert_eq!(
            talk("**Scaling Prometheus at Acme**").title,
            "Scaling Prometheus at Acme"
        );
        let linked =
            talk("⏩ [Federated IAM with OpenFGA - Jon Whitaker, Okta](https://example.org/v)");
        assert_eq!(linked.title, "Federated IAM with OpenFGA");
        assert_eq!(linked.speakers[0].affiliation.as_deref(), Some("Okta"));
    }

    #[test]
    fn narrative_and_captions_are_text() {
        let ctx = LineContext::default();
        for line in [
            "Before switching to Envoy, they felt their old gateway Was",
            "Things to look up from this talk: Open Policy Agent",
            "Executive notes:",
            "make development more consistent and deployment more reliable",
            "  1. Kubernetes needs a Ruby on Rails moment",
        ] {
            assert_eq!(classify(line, ctx), LineRole::Text, "{line}");
        }
        let continues = LineContext {
            continues_prose: true,
            ..ctx
        };
        assert_eq!(
            classify(
                "Spoof Tamper Repudiation Information Disclosure DOS Elevation of Privileges",
                continues
            ),
            LineRole::Text
        );
    }

    #[test]
    fn outros_and_document_titles_break() {
        let ctx = LineContext {
            doc_title: Some("KubeCon 2018 Copenhagen, day 3"),
            ..Default::default()
        };
        assert_eq!(classify("Final words?", ctx), LineRole::Break);
        assert_eq!(classify("Wrapping Up Part 2", ctx), LineRole::Break);
        assert_eq!(
            classify("KubeCon 2018 Copenhagen, day 3", ctx),
            LineRole::Break
        );
    }

    #[test]
    fn headings_about_the_event_and_captions_are_not_talks() {
        for line in [
            "## The Venue",
            "## Meetups and Socials",
            "### Intervalos / Comida / Café",
            "## Day 2",
            "## General Thoughts",
            "### The exhibition floor",
        ] {
            assert!(
                matches!(classify(line, LineContext::default()), LineRole::Break),
                "{line}"
            );
        }
        for line in [
            "**Main components:**",
            "_Figure 1. Liz Rice Keynote KCD UK, London_",
        ] {
            assert!(
                matches!(classify(line, LineContext::default()), LineRole::Text),
                "{line}"
            );
        }
        let talk = classify(
            "## Scaling the Venue Booking Service",
            LineContext::default(),
        );
        assert!(matches!(talk, LineRole::Talk(_)));
    }

    #[test]
    fn a_paragraph_led_by_a_linked_title_is_a_talk() {
        let h = linked_talk(&[
            "[Teaching Python: The Hard Parts](https://www.youtube.com/watch?v=x)  ",
            "Elana Hashman  ",
            "I am just in love with this talk.",
        ])
        .unwrap();
        assert_eq!(h.title, "Teaching Python: The Hard Parts");
        assert_eq!(names(&h), vec!["Elana Hashman"]);
        assert!(linked_talk(&["[slides](https://x.y)"]).is_none());
        assert!(linked_talk(&["See [the video of it](https://x.y) here."]).is_none());
    }

    #[test]
    fn linked_and_bold_list_items_are_titles() {
        let h =
            titled_item("* [Writing a Kubernetes Operator: the Hard Parts](op/README.md)").unwrap();
        assert_eq!(h.title, "Writing a Kubernetes Operator: the Hard Parts");
        let h =
            titled_item("- **Platform Engineering at Scale** - Jane Doe, Acme: how they did it")
                .unwrap();
        assert_eq!(h.title, "Platform Engineering at Scale");
        assert_eq!(names(&h), vec!["Jane Doe"]);
        assert!(
            titled_item("* [fregot](https://github.com/fugue/fregot), a tool for Rego").is_none()
        );
        assert!(titled_item("* Sharing GPUs is a headache").is_none());
    }

    #[test]
    fn list_items_parse_speakers() {
        let h = list_item("  • Accelerating Envoy with the Linux Kernel – Thomas Graf, Covalent")
            .unwrap();
        assert_eq!(h.title, "Accelerating Envoy with the Linux Kernel");
        assert_eq!(names(&h), vec!["Thomas Graf"]);
    }
}
