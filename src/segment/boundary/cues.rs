//! The candidate lines of a document and the cues the boundary model reads from each.

use std::sync::LazyLock;

use regex::Regex;

use super::super::heading::{self, LineContext, LineRole, BULLET};

/// One cue of a candidate line, a number in `[0, 1]`; [`Cue::ALL`] fixes their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// Always 1: the model's intercept.
    Bias,
    /// A markdown heading.
    Heading,
    /// A heading at the shallowest level the document uses.
    HeadingTopLevel,
    /// A heading at the document's second level.
    HeadingSecondLevel,
    /// A heading deeper than the second level.
    HeadingDeeper,
    /// The only heading of its level in the document.
    HeadingAloneAtLevel,
    /// How many headings share its level (log scale).
    HeadingSiblings,
    /// Its section holds deeper headings.
    HasSubheadings,
    /// Non-blank lines a heading's section covers, or those up to the next line standing alone
    /// or heading after a line standing alone (log scale).
    SectionLength,
    /// The nearest shallower heading above names speakers or a talk.
    UnderTalkHeading,
    /// A line standing alone between blank lines.
    Standalone,
    /// A list item at the top of its list.
    Item,
    /// A nested list item.
    NestedItem,
    /// Items in its list at its depth (log scale).
    ListLength,
    /// A list item with nested items under it.
    ItemHasChildren,
    /// The first line of a paragraph of several lines.
    Paragraph,
    /// Leads with bold text.
    BoldLead,
    /// Leads with a link.
    LinkLead,
    /// Holds a quoted or italic title.
    QuotedTitle,
    /// `Title - Speaker, Company`.
    SpeakerAfterDash,
    /// Says talk, keynote, session, workshop, panel (several languages).
    TalkWord,
    /// The next lines say presented, speaker, slides, explained (several languages).
    TalkWordNearby,
    /// Every word is about the event: venue, food, booths, days, thoughts, announcements.
    EventWords,
    /// The rules read the line as a section that is not a talk (outro, document title).
    RuleBreak,
    /// The rules read the line, alone, as a talk title.
    RuleTitle,
    /// Names the conference.
    ConferenceName,
    /// Three words or fewer.
    Short,
    /// Four to fourteen words.
    TitleLength,
    /// More than fourteen words.
    Long,
    /// Ends with a full stop.
    EndsWithPeriod,
    /// Ends with a colon.
    EndsWithColon,
    /// First person (I, my, we; je, nous; yo; eu).
    FirstPerson,
    /// Follows a horizontal rule.
    AfterRule,
    /// The document's first non-blank line.
    FirstLine,
    /// A video, slides or schedule link on the line or the next ones.
    VideoLinkNearby,
    /// Numbered: `3.`, `Talk 3`, `Day 2`.
    Numbered,
    /// The rule-based segmenter starts a talk on this line.
    RuleStart,
    /// The rule-based segmenter holds this line inside a talk it started above.
    RuleInside,
    /// Share of its siblings (headings of its level, items of its list at its depth, blocks that
    /// lead alike) that name a talk on their own: speakers, a linked or cited title.
    SiblingsTitled,
    /// The previous non-blank line is a heading.
    UnderHeadingLine,
    /// Position in the document, 0 at the top and 1 at the end.
    Position,
    /// The whole line is bold.
    BoldLine,
    /// The next line names speakers: short, in italics, or `by Name`, `Speaker: Name`.
    SpeakerNextLine,
    /// Its paragraph or item says talk, keynote, session... next to a quoted or linked title.
    TalkCitation,
    /// The nearest shallower heading above names speakers after a dash (with or without company).
    UnderSpeakerHeading,
    /// Its paragraph or item links a title of three words or more (`[Neural Nets for Newbies][5]`).
    LinkedTitle,
    /// Ends with a dash and one person's name, no company (`Title - Phil Estes`).
    DashName,
    /// Opens with a person's name that a reporting verb follows in the same sentence ("Oliver
    /// Beattie (Monzo) went over ...", "Kelsey Hightower a montré ...").
    PersonOpens,
    /// The rules start a talk here and the document has no markdown heading (plain notes, the
    /// form the rules were written for).
    RuleStartInPlainText,
}

/// How many cues there are.
pub const CUES: usize = Cue::ALL.len();

impl Cue {
    /// Every cue, in the order of [`Features`].
    pub const ALL: [Cue; 49] = [
        Cue::Bias,
        Cue::Heading,
        Cue::HeadingTopLevel,
        Cue::HeadingSecondLevel,
        Cue::HeadingDeeper,
        Cue::HeadingAloneAtLevel,
        Cue::HeadingSiblings,
        Cue::HasSubheadings,
        Cue::SectionLength,
        Cue::UnderTalkHeading,
        Cue::Standalone,
        Cue::Item,
        Cue::NestedItem,
        Cue::ListLength,
        Cue::ItemHasChildren,
        Cue::Paragraph,
        Cue::BoldLead,
        Cue::LinkLead,
        Cue::QuotedTitle,
        Cue::SpeakerAfterDash,
        Cue::TalkWord,
        Cue::TalkWordNearby,
        Cue::EventWords,
        Cue::RuleBreak,
        Cue::RuleTitle,
        Cue::ConferenceName,
        Cue::Short,
        Cue::TitleLength,
        Cue::Long,
        Cue::EndsWithPeriod,
        Cue::EndsWithColon,
        Cue::FirstPerson,
        Cue::AfterRule,
        Cue::FirstLine,
        Cue::VideoLinkNearby,
        Cue::Numbered,
        Cue::RuleStart,
        Cue::RuleInside,
        Cue::SiblingsTitled,
        Cue::UnderHeadingLine,
        Cue::Position,
        Cue::BoldLine,
        Cue::SpeakerNextLine,
        Cue::TalkCitation,
        Cue::UnderSpeakerHeading,
        Cue::LinkedTitle,
        Cue::DashName,
        Cue::PersonOpens,
        Cue::RuleStartInPlainText,
    ];

    /// The cue's name in the model file: its variant name.
    pub fn name(self) -> String {
        format!("{self:?}")
    }

    /// The cue called `name`.
    pub fn named(name: &str) -> Option<Cue> {
        Cue::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The cues of one candidate, indexed by [`Cue`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features(pub [f64; CUES]);

impl Features {
    fn new() -> Self {
        let mut f = Features([0.0; CUES]);
        f.set(Cue::Bias, 1.0);
        f
    }

    fn set(&mut self, cue: Cue, value: f64) {
        self.0[cue as usize] = value;
    }

    fn flag(&mut self, cue: Cue, on: bool) {
        self.set(cue, f64::from(u8::from(on)));
    }

    /// The value of `cue`.
    pub fn get(&self, cue: Cue) -> f64 {
        self.0[cue as usize]
    }
}

/// How a candidate line sits in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A markdown heading of this level.
    Heading(usize),
    /// A line alone between blank lines.
    Standalone,
    /// A list item, `depth` levels deep (0 at the top of its list).
    Item {
        /// Nesting depth.
        depth: usize,
    },
    /// The first line of a paragraph of several lines.
    Paragraph,
}

/// A line that may open a talk.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// 1-based line number.
    pub line: usize,
    /// How the line sits in the document.
    pub shape: Shape,
    /// Last non-blank line its own structure covers: a heading's section, an item with its nested
    /// items, a paragraph.
    pub extent: usize,
    /// The cues the model reads.
    pub features: Features,
}

static FENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(```|~~~)").expect("valid regex"));
static RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*((-\s*){3,}|(\*\s*){3,}|(_\s*){3,})$").expect("valid regex"));
static TALK_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(talks?|keynotes?|sessions?|workshops?|panels?|presentations?|lightning|tutorials?|charlas?|palestras?|ponencias?|conf[ée]rences?|pr[ée]sentations?|sesi[oó]n|sess[ãa]o|demo)\b")
        .expect("valid regex")
});
static TALK_NEARBY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(present(ed|s|ing)|speakers?|talked|spoke|explain(ed|s)|show(ed|s)|demo(ed|nstrated)|walked us|slides|video|recording|pr[ée]sent[ée]e?|a montr[ée]|present[óo]|apresentou|palestrante|ponente|orateur|oratrice)\b")
        .expect("valid regex")
});
static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(I|I['’]m|I['’]ve|I['’]d|[Mm]y|[Mm]e|[Ww]e|[Oo]ur|[Jj]e|j['’]ai|[Nn]ous|[Yy]o|[Ee]u)\b",
    )
    .expect("valid regex")
});
static VIDEO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(youtube\.com|youtu\.be|vimeo\.com|sched\.com|speakerdeck|slideshare|\bslides\b|\bvideo\b|\brecording\b)")
        .expect("valid regex")
});
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(#+\s*)?(\*\*)?(\d{1,2}[.)]\s|(talk|session|day|part|jour|d[ií]a)\s*\d+)")
        .expect("valid regex")
});
static CONFERENCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(kubecon|cloudnativecon|pycon|gophercon|dockercon|srecon|devopsdays|monitorama|qcon|kcd)\b")
        .expect("valid regex")
});
static CITATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(talks?|keynotes?|sessions?|presentations?|workshops?|panels?|charlas?|palestras?|conf[ée]rences?)\b[^.!?]{0,40}?(\[|“|"|\*|_)"#)
        .expect("valid regex")
});
static LINKED_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[[^\]\s]+(\s+[^\]\s]+){2,}\](\(|\[)").expect("valid regex"));
static PERSON_OPENS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[*_]{0,2})\p{Lu}[\p{Ll}'’-]+(?:\s+\p{Lu}[\p{Ll}'’-]+){1,2}\b[^.!?]{0,90}?\b(?:discussed|presented|introduced|gave|went over|showed|talked|explained|demoed|demonstrated|spoke|shared|announced|walked|described|covered|told|opened|closed|kicked off|a montré|a présenté|a parlé|presentó|habló|mostró|apresentou|falou|mostrou)\b")
        .expect("valid regex")
});
static SPEAKER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(_[^_]{3,80}_\s*$|\*[^*]{3,80}\*\s*$|(by|par|por|speakers?|presented by|with)\s*:?\s+\p{Lu})")
        .expect("valid regex")
});
static QUOTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(“[^”]{8,}”|"[^"]{8,}"|(^|\s)_[^_]{8,}_|(^|\s)\*[^*]{8,}\*(\s|$|[.,]))"#)
        .expect("valid regex")
});

/// What one line is, before candidates are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineKind {
    Blank,
    /// Inside a fenced code block (or the fence itself).
    Code,
    /// A horizontal rule (`---`, `- - -`, `***`).
    Rule,
    Heading(usize),
    Item,
    Text,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn line_kinds(lines: &[&str]) -> Vec<LineKind> {
    let mut in_fence = false;
    lines
        .iter()
        .map(|line| {
            if FENCE.is_match(line) {
                in_fence = !in_fence;
                LineKind::Code
            } else if in_fence {
                LineKind::Code
            } else if line.trim().is_empty() {
                LineKind::Blank
            } else if RULE.is_match(line) {
                LineKind::Rule
            } else if let Some(level) = heading::markdown_level(line) {
                LineKind::Heading(level)
            } else if BULLET.is_match(line) {
                LineKind::Item
            } else {
                LineKind::Text
            }
        })
        .collect()
}

/// The last non-blank line in `from..=to` (1-based), or `from`.
fn last_non_blank(kinds: &[LineKind], from: usize, to: usize) -> usize {
    (from..=to)
        .rev()
        .find(|&n| !matches!(kinds[n - 1], LineKind::Blank | LineKind::Rule))
        .unwrap_or(from)
}

/// What a candidate's own words and the lines right after it say.
struct Words {
    /// `Title - Speaker, Company`.
    speaker: bool,
    /// `Title - Speaker`.
    dash_name: bool,
    /// A list item that leads with a linked or bold title.
    titled: bool,
    /// The next line names speakers.
    speaker_next: bool,
    /// Its paragraph or item cites a talk by title.
    citation: bool,
    /// Its paragraph or item links a title.
    linked_title: bool,
    bold_line: bool,
    link_lead: bool,
    bold_lead: bool,
}

impl Words {
    /// Says on its own that a talk is named here.
    fn names_a_talk(&self) -> bool {
        self.speaker
            || self.dash_name
            || self.titled
            || self.speaker_next
            || self.citation
            || self.linked_title
    }
}

fn words_of(lines: &[&str], line: usize, shape: Shape, extent: usize) -> Words {
    let raw = lines[line - 1];
    let text = heading::normalise_title(raw);
    let lead = BULLET.replace(raw.trim_start_matches('#').trim(), "");
    let lead = lead.trim();
    let own_block = match shape {
        Shape::Heading(_) => line..=line,
        _ => line..=extent.min(line + 8),
    };
    let next = lines
        .iter()
        .skip(line)
        .find(|l| !l.trim().is_empty())
        .copied();
    Words {
        speaker: heading::split_title_speakers(&text).is_some(),
        dash_name: [" - ", " – ", " — "]
            .iter()
            .filter_map(|dash| text.rsplit_once(dash))
            .any(|(title, name)| {
                title.split_whitespace().count() >= 2 && heading::is_person_name(name.trim())
            }),
        titled: heading::titled_item(raw).is_some(),
        speaker_next: next.is_some_and(|l| SPEAKER_LINE.is_match(l)),
        citation: own_block.clone().any(|m| CITATION.is_match(lines[m - 1])),
        linked_title: own_block
            .take(3)
            .any(|m| LINKED_TITLE.is_match(lines[m - 1])),
        bold_line: (lead.starts_with("**") && lead.ends_with("**"))
            || (lead.starts_with("__") && lead.ends_with("__")),
        link_lead: lead.starts_with('['),
        bold_lead: lead.starts_with("**") || lead.starts_with("__"),
    }
}

/// Candidates of one form in a document: headings of a level, items of a list at a depth, lines
/// standing alone or paragraphs that lead alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Siblings {
    Headings(usize),
    Items {
        list: usize,
        depth: usize,
    },
    Blocks {
        standalone: bool,
        bold: bool,
        link: bool,
    },
}

/// Every candidate line of a document with its cues. `rule_starts` are the lines where the
/// rule-based segmenter starts talks and `rule_spans` the spans it gives them.
pub fn candidates(lines: &[&str], rule_spans: &[(usize, usize)]) -> Vec<Candidate> {
    let kinds = line_kinds(lines);
    let n = lines.len();
    let mut shapes: Vec<(usize, Shape)> = Vec::new();
    // Items: depth by a stack of indents, reset by text at the margin after a blank line.
    let mut indents: Vec<usize> = Vec::new();
    let mut list_ids: Vec<usize> = Vec::new();
    let mut list_id = 0;
    for i in 0..n {
        let previous = i.checked_sub(1).map(|p| kinds[p]);
        match kinds[i] {
            LineKind::Heading(level) => {
                indents.clear();
                shapes.push((i + 1, Shape::Heading(level)));
                list_ids.push(0);
            }
            LineKind::Item => {
                if indents.is_empty() {
                    list_id += 1;
                }
                let x = indent(lines[i]);
                while indents.last().is_some_and(|&top| top > x) {
                    indents.pop();
                }
                if indents.last() != Some(&x) {
                    indents.push(x);
                }
                shapes.push((
                    i + 1,
                    Shape::Item {
                        depth: indents.len() - 1,
                    },
                ));
                list_ids.push(list_id);
            }
            LineKind::Text => {
                let opens_block = !matches!(previous, Some(LineKind::Text | LineKind::Item));
                if previous == Some(LineKind::Blank) && indent(lines[i]) == 0 {
                    indents.clear();
                }
                if opens_block && indents.is_empty() {
                    let alone = !matches!(kinds.get(i + 1), Some(LineKind::Text));
                    let shape = if alone {
                        Shape::Standalone
                    } else {
                        Shape::Paragraph
                    };
                    shapes.push((i + 1, shape));
                    list_ids.push(0);
                }
            }
            LineKind::Rule => indents.clear(),
            LineKind::Blank | LineKind::Code => {}
        }
    }

    // Extents. Headings: up to the next heading of their level or above (a stack from the end).
    let mut extents = vec![0; shapes.len()];
    let mut stack: Vec<(usize, usize)> = Vec::new(); // (level, line) of headings below
    for (k, &(line, shape)) in shapes.iter().enumerate().rev() {
        if let Shape::Heading(level) = shape {
            while stack.last().is_some_and(|&(l, _)| l > level) {
                stack.pop();
            }
            let next = stack.last().map_or(n + 1, |&(_, l)| l);
            extents[k] = last_non_blank(&kinds, line, next - 1);
            stack.push((level, line));
        }
    }
    // Items: up to the next item at their depth or above, a heading, or a new block at the margin.
    let mut open: Vec<(usize, usize)> = Vec::new(); // (shape index, depth)
    let mut last_content = 0;
    let mut next_shape = 0;
    for i in 0..n {
        let line = i + 1;
        let here =
            (next_shape < shapes.len() && shapes[next_shape].0 == line).then_some(next_shape);
        if here.is_some() {
            next_shape += 1;
        }
        let closes_to = match (kinds[i], here.map(|k| shapes[k].1)) {
            (_, Some(Shape::Item { depth })) => Some(depth),
            (LineKind::Heading(_) | LineKind::Rule, _) => Some(0),
            (_, Some(Shape::Standalone | Shape::Paragraph)) => Some(0),
            _ => None,
        };
        if let Some(depth) = closes_to {
            while open.last().is_some_and(|&(_, d)| d >= depth) {
                let (k, _) = open.pop().expect("checked");
                extents[k] = last_content.max(shapes[k].0);
            }
        }
        if let Some(k) = here {
            match shapes[k].1 {
                Shape::Item { depth } => open.push((k, depth)),
                Shape::Standalone | Shape::Paragraph => {
                    let end = (line..=n)
                        .take_while(|&m| m == line || kinds[m - 1] == LineKind::Text)
                        .last()
                        .unwrap_or(line);
                    extents[k] = end;
                }
                Shape::Heading(_) => {}
            }
        }
        if !matches!(kinds[i], LineKind::Blank | LineKind::Rule) {
            last_content = line;
        }
    }
    for (k, _) in open {
        extents[k] = last_content.max(shapes[k].0);
    }

    describe(lines, &kinds, &shapes, &extents, &list_ids, rule_spans)
}

/// The cues of every candidate.
fn describe(
    lines: &[&str],
    kinds: &[LineKind],
    shapes: &[(usize, Shape)],
    extents: &[usize],
    list_ids: &[usize],
    rule_spans: &[(usize, usize)],
) -> Vec<Candidate> {
    let n = lines.len().max(1);
    let words: Vec<Words> = shapes
        .iter()
        .zip(extents)
        .map(|(&(l, shape), &extent)| words_of(lines, l, shape, extent))
        .collect();
    let siblings: Vec<Siblings> = shapes
        .iter()
        .zip(&words)
        .zip(list_ids)
        .map(|((&(_, shape), w), &list)| match shape {
            Shape::Heading(level) => Siblings::Headings(level),
            Shape::Item { depth } => Siblings::Items { list, depth },
            Shape::Standalone | Shape::Paragraph => Siblings::Blocks {
                standalone: shape == Shape::Standalone,
                bold: w.bold_line,
                link: w.link_lead,
            },
        })
        .collect();
    // (count, how many name a talk) per group of siblings.
    let mut groups: std::collections::HashMap<Siblings, (usize, usize)> =
        std::collections::HashMap::new();
    for (group, w) in siblings.iter().zip(&words) {
        let entry = groups.entry(*group).or_default();
        entry.0 += 1;
        entry.1 += usize::from(w.names_a_talk());
    }
    let mut levels: Vec<usize> = shapes
        .iter()
        .filter_map(|&(_, s)| match s {
            Shape::Heading(l) => Some(l),
            _ => None,
        })
        .collect();
    levels.sort_unstable();
    levels.dedup();
    let rule_start: std::collections::HashSet<usize> = rule_spans.iter().map(|&(s, _)| s).collect();
    let mut inside = vec![false; lines.len() + 2];
    for &(s, e) in rule_spans {
        for flag in inside.iter_mut().take(e.min(lines.len()) + 1).skip(s + 1) {
            *flag = true;
        }
    }
    // For each candidate, the next line standing alone or heading after it (a title's reach).
    let mut next_title = vec![lines.len() + 1; shapes.len()];
    let mut upcoming = lines.len() + 1;
    for (k, &(line, shape)) in shapes.iter().enumerate().rev() {
        next_title[k] = upcoming;
        if matches!(shape, Shape::Standalone | Shape::Heading(_)) {
            upcoming = line;
        }
    }
    let first_line = kinds
        .iter()
        .position(|k| *k != LineKind::Blank)
        .map(|p| p + 1);
    // Nearest shallower heading above each candidate, and whether it reads as a talk.
    let mut heading_stack: Vec<(usize, bool, bool)> = Vec::new(); // (level, talk-like, speakers)
    let mut out = Vec::with_capacity(shapes.len());
    for (k, &(line, shape)) in shapes.iter().enumerate() {
        let raw = lines[line - 1];
        let text = heading::normalise_title(raw);
        let word_count = text.split_whitespace().count();
        let mut f = Features::new();
        let own_level = match shape {
            Shape::Heading(level) => level,
            _ => 7,
        };
        while heading_stack.last().is_some_and(|&(l, ..)| l >= own_level) {
            heading_stack.pop();
        }
        f.flag(
            Cue::UnderTalkHeading,
            heading_stack.last().is_some_and(|&(_, talk, _)| talk),
        );
        f.flag(
            Cue::UnderSpeakerHeading,
            heading_stack.last().is_some_and(|&(.., speakers)| speakers),
        );
        let talk_word = TALK_WORD.is_match(&text);
        let (count, naming) = groups.get(&siblings[k]).copied().unwrap_or((1, 0));
        f.set(Cue::SiblingsTitled, naming as f64 / count.max(1) as f64);
        match shape {
            Shape::Heading(level) => {
                let rank = levels.iter().position(|&l| l == level).unwrap_or(0);
                f.flag(Cue::Heading, true);
                f.flag(Cue::HeadingTopLevel, rank == 0);
                f.flag(Cue::HeadingSecondLevel, rank == 1);
                f.flag(Cue::HeadingDeeper, rank >= 2);
                f.flag(Cue::HeadingAloneAtLevel, count == 1);
                f.set(Cue::HeadingSiblings, (count as f64).ln_1p() / 4.0);
                let has_sub = shapes[k + 1..]
                    .iter()
                    .take_while(|&&(l, _)| l <= extents[k])
                    .any(|&(_, s)| matches!(s, Shape::Heading(_)));
                f.flag(Cue::HasSubheadings, has_sub);
                let body = (line + 1..=extents[k])
                    .filter(|&m| kinds[m - 1] != LineKind::Blank)
                    .count();
                f.set(Cue::SectionLength, (body as f64).ln_1p() / 6.0);
                heading_stack.push((
                    level,
                    words[k].speaker
                        || words[k].dash_name
                        || talk_word
                        || rule_start.contains(&line),
                    words[k].speaker || words[k].dash_name,
                ));
            }
            Shape::Item { depth } => {
                f.flag(Cue::Item, depth == 0);
                f.flag(Cue::NestedItem, depth > 0);
                f.set(Cue::ListLength, (count as f64).ln_1p() / 4.0);
                f.flag(Cue::ItemHasChildren, extents[k] > line);
            }
            Shape::Standalone => {
                f.flag(Cue::Standalone, true);
                let until = next_title[k];
                let body = (line + 1..until)
                    .filter(|&m| kinds[m - 1] != LineKind::Blank)
                    .count();
                f.set(Cue::SectionLength, (body as f64).ln_1p() / 6.0);
            }
            Shape::Paragraph => f.flag(Cue::Paragraph, true),
        }
        let nearby: Vec<&str> = lines
            .iter()
            .skip(line)
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .copied()
            .collect();
        let w = &words[k];
        f.flag(Cue::BoldLead, w.bold_lead);
        f.flag(Cue::LinkLead, w.link_lead);
        f.flag(Cue::BoldLine, w.bold_line);
        f.flag(Cue::SpeakerNextLine, w.speaker_next);
        f.flag(Cue::TalkCitation, w.citation);
        f.flag(Cue::LinkedTitle, w.linked_title);
        f.flag(Cue::DashName, w.dash_name);
        f.flag(Cue::PersonOpens, PERSON_OPENS.is_match(raw));
        f.flag(Cue::QuotedTitle, QUOTED.is_match(raw));
        f.flag(Cue::SpeakerAfterDash, words[k].speaker);
        f.flag(Cue::TalkWord, talk_word);
        f.flag(
            Cue::TalkWordNearby,
            nearby.iter().any(|l| TALK_NEARBY.is_match(l)),
        );
        f.flag(
            Cue::VideoLinkNearby,
            VIDEO.is_match(raw) || nearby.iter().any(|l| VIDEO.is_match(l)),
        );
        f.flag(Cue::EventWords, heading::is_about_the_event(&text));
        let role = heading::classify(raw, LineContext::default());
        f.flag(Cue::RuleBreak, role == LineRole::Break);
        f.flag(Cue::RuleTitle, matches!(role, LineRole::Talk(_)));
        f.flag(Cue::ConferenceName, CONFERENCE.is_match(&text));
        f.flag(Cue::Short, word_count <= 3);
        f.flag(Cue::TitleLength, (4..=14).contains(&word_count));
        f.flag(Cue::Long, word_count > 14);
        let trimmed = raw.trim_end().trim_end_matches(['*', '_']);
        f.flag(Cue::EndsWithPeriod, trimmed.ends_with('.'));
        f.flag(Cue::EndsWithColon, trimmed.ends_with(':'));
        f.flag(Cue::FirstPerson, FIRST_PERSON.is_match(&text));
        let previous = (1..line)
            .rev()
            .find(|&m| kinds[m - 1] != LineKind::Blank)
            .map(|m| kinds[m - 1]);
        f.flag(Cue::AfterRule, previous == Some(LineKind::Rule));
        f.flag(
            Cue::UnderHeadingLine,
            matches!(previous, Some(LineKind::Heading(_))),
        );
        f.flag(Cue::FirstLine, first_line == Some(line));
        f.flag(Cue::Numbered, NUMBERED.is_match(raw));
        f.flag(Cue::RuleStart, rule_start.contains(&line));
        f.flag(
            Cue::RuleStartInPlainText,
            levels.is_empty() && rule_start.contains(&line),
        );
        f.flag(Cue::RuleInside, inside[line]);
        f.set(Cue::Position, line as f64 / n as f64);
        out.push(Candidate {
            line,
            shape,
            extent: extents[k],
            features: f,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_have_shapes_and_extents() {
        let text = "# Notes\n\n## Talk One - Ada Lovelace\n\nBody line.\n\n```\n# not a heading\n```\n\n* **First Item Title** - Alan Turing\n  * nested note\n* Second item\n\nA paragraph\nof two lines.\n";
        let lines: Vec<&str> = text.split('\n').collect();
        let found: Vec<(usize, Shape, usize)> = candidates(&lines, &[])
            .iter()
            .map(|c| (c.line, c.shape, c.extent))
            .collect();
        assert_eq!(
            found,
            [
                (1, Shape::Heading(1), 16),
                (3, Shape::Heading(2), 16),
                (5, Shape::Standalone, 5),
                (11, Shape::Item { depth: 0 }, 12),
                (12, Shape::Item { depth: 1 }, 12),
                (13, Shape::Item { depth: 0 }, 13),
                (15, Shape::Paragraph, 16),
            ]
        );
        let talk = &candidates(&lines, &[])[1].features;
        assert_eq!(
            talk.get(Cue::SpeakerAfterDash) + talk.get(Cue::DashName),
            1.0
        );
        assert_eq!(talk.get(Cue::HeadingSecondLevel), 1.0);
    }
}
