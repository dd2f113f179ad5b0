//! The main text of a page: which container holds the article, and its readable text.
//!
//! Real pages do not keep their article where a class name says. WordPress puts `tag-…` and
//! `category-…` on the article itself, Blogger wraps every post in `date-outer` and
//! `widget Blog`, themes wrap the whole page in `content-sidebar-wrap`, `l-outer--nav` or an
//! ASP.NET `<form>`, and a newspaper may put its lead in a `<header>`. So page furniture is
//! never cut away from above. It works in three steps:
//!
//! 1. **Flatten.** One pre-order walk numbers every node; a subtree is then a contiguous range,
//!    and every count (text, link text, commas) is summed from the leaves up in one pass.
//!    Scripts, styles, forms' controls and hidden elements hold no text.
//! 2. **Score.** Paragraphs (`p`, `pre`, `blockquote`, `td`, and `div`s without block
//!    children) of 25 characters or more score their parent and grandparent by length and
//!    commas, as readability tools do. A container's score is weighted by its class and tag,
//!    by how little of its text is links, and by the furniture it sits in: each enclosing
//!    element whose tag or class names furniture multiplies the score down (comments most,
//!    menus and share bars much, sidebars and date wrappers a little). A wrapper around the
//!    whole page lowers every candidate alike and so changes nothing; a sidebar lowers only
//!    what is in it. The best container wins; ties go to the first in the page.
//! 3. **Collect.** The container's text, one block per line, leaving out the furniture inside
//!    it — unless that furniture holds a real share of the text with few links (a "share"
//!    wrapper around the article body, a lead paragraph in a `<header>`). Comments are always
//!    left out.
//!
//! When that yields little (under 200 characters), a fallback reads every text-rich,
//! link-poor block of the page in order, as boilerplate classifiers do, and is taken if it
//! finds more.

use super::dom::Dom;
use super::is_block;

/// How an element's own tag or class marks it as page furniture.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Furniture {
    /// Not furniture.
    None,
    /// Comments, and the `nav`, `menu` and `footer` elements: never part of the main text,
    /// nor scored as a candidate for it.
    Cut,
    /// Other furniture, with the factor a candidate inside it is scored by.
    Soft(f32),
}

/// Elements that never hold readable text.
fn is_hard(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "iframe"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "head"
            | "canvas"
            | "object"
            | "video"
            | "audio"
            | "link"
            | "meta"
            | "option"
    )
}

/// Class and id words of furniture (lower-cased tokens of `class` and `id`, split at spaces,
/// `-` and `_`; two-word slugs are matched on adjacent tokens).
fn class_word(token: &str) -> Furniture {
    match token {
        "comment" | "comments" | "binh-luan" | "binhluan" | "disqus" | "respond" | "replies"
        | "fb-comments" => Furniture::Cut,
        "nav" | "navbar" | "navigation" | "menu" | "footer" | "share" | "sharing" | "social"
        | "related" | "lien-quan" | "banner" | "quang-cao" | "advert" | "ad" | "ads"
        | "breadcrumb" | "breadcrumbs" | "cookie" | "cookies" | "popup" | "modal" | "subscribe"
        | "newsletter" | "login" | "pagination" | "pager" | "toolbar" | "copyright"
        | "most-read" | "doc-nhieu" | "top-news" | "tin-khac" => Furniture::Soft(0.3),
        "sidebar" | "side-bar" | "aside" | "widget" | "tag" | "tags" | "masthead"
        | "site-header" | "header" => Furniture::Soft(WEAK),
        // The article's own labels: kept out of its text, but no sign of being elsewhere.
        "author" | "byline" | "tac-gia" | "date" | "time" | "ngay-dang" | "meta" | "title" => {
            Furniture::Soft(LABEL)
        }
        _ => Furniture::None,
    }
}

/// Whether a class word says "here is content"; it outweighs a weak furniture word on the
/// same element (`main-content sidebar-right`, `post-112593 tag-hanoi`, `widget Blog`).
fn content_word(token: &str) -> bool {
    matches!(
        token,
        "article"
            | "content"
            | "body"
            | "main"
            | "post"
            | "entry"
            | "hentry"
            | "story"
            | "detail"
            | "chi-tiet"
            | "noi-dung"
            | "blog"
    )
}

/// A container's bonus for announcing the article in its class or id: a content word, or
/// one of these.
fn announces_article(token: &str) -> bool {
    matches!(token, "text" | "articlebody" | "fck-detail")
}

fn tag_furniture(name: &str) -> Furniture {
    match name {
        "nav" | "menu" | "footer" => Furniture::Cut,
        "aside" | "form" => Furniture::Soft(0.4),
        "header" => Furniture::Soft(0.5),
        "figure" => Furniture::Soft(0.6),
        _ => Furniture::None,
    }
}

/// What one class or id value says: its strongest furniture word, and whether it has a
/// content word and a word announcing the article.
#[derive(Clone, Copy, PartialEq)]
struct Words {
    furniture: Furniture,
    content: bool,
    announces: bool,
}

impl Words {
    const NONE: Words = Words {
        furniture: Furniture::None,
        content: false,
        announces: false,
    };

    fn and(self, other: Words) -> Words {
        Words {
            furniture: stronger(self.furniture, other.furniture),
            content: self.content || other.content,
            announces: self.announces || other.announces,
        }
    }
}

/// The furniture an element's class and id name, and whether they announce the article.
/// Pages repeat the same class on many elements (every item of a list, every card), so the
/// answers for recent class values are kept in `seen`.
fn classify<'d>(doc: &'d Dom<'_>, i: usize, seen: &mut ClassCache<'d>) -> (Furniture, bool) {
    let class = doc.attr(i, "class").map_or(Words::NONE, |c| seen.words(c));
    let words = match doc.attr(i, "id") {
        Some(id) => class.and(value_words(id)),
        None => class,
    };
    // A content word rescues weak furniture words, never menus, share bars or comments.
    let furniture = match words.furniture {
        Furniture::Soft(f) if words.content && f >= LABEL => Furniture::None,
        other => other,
    };
    (furniture, words.announces)
}

/// The words of recently seen class values, in slots chosen by a hash of the value's length
/// and its first and last eight bytes.
struct ClassCache<'a> {
    slots: [Option<(&'a str, Words)>; 64],
}

impl<'a> ClassCache<'a> {
    fn new() -> Self {
        Self { slots: [None; 64] }
    }

    fn words(&mut self, value: &'a str) -> Words {
        let b = value.as_bytes();
        let eight = |part: &[u8]| {
            let mut w = [0u8; 8];
            w[..part.len()].copy_from_slice(part);
            u64::from_le_bytes(w)
        };
        let (head, tail) = (&b[..b.len().min(8)], &b[b.len().saturating_sub(8)..]);
        let h = (b.len() as u64) ^ eight(head).rotate_left(7) ^ eight(tail);
        // Fibonacci hashing: the top six bits of the product pick one of the 64 slots.
        let slot = (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
        match self.slots[slot] {
            Some((v, w)) if v == value => w,
            _ => {
                let w = value_words(value);
                self.slots[slot] = Some((value, w));
                w
            }
        }
    }
}

/// What the words of one class or id value say.
fn value_words(value: &str) -> Words {
    let mut words = Words::NONE;
    // Words with capitals are lower-cased into `lowered`; the previous word is kept in `prev`
    // for two-word slugs, joined in `pair`.
    let (mut lowered, mut prev, mut pair) = ([0u8; LONGEST], [0u8; LONGEST], [0u8; LONGEST]);
    let mut prev_len: Option<usize> = None;
    for raw in class_pieces(value) {
        for w in camel_words(raw) {
            let this = if w.len() > LONGEST {
                None
            } else if w.bytes().any(|b| b.is_ascii_uppercase()) {
                lowered[..w.len()].copy_from_slice(w.as_bytes());
                lowered[..w.len()].make_ascii_lowercase();
                std::str::from_utf8(&lowered[..w.len()]).ok()
            } else {
                Some(w)
            };
            let Some(this) = this else {
                prev_len = None;
                continue;
            };
            let joined = prev_len
                .filter(|p| p + 1 + this.len() <= LONGEST)
                .and_then(|p| {
                    pair[..p].copy_from_slice(&prev[..p]);
                    pair[p] = b'-';
                    pair[p + 1..p + 1 + this.len()].copy_from_slice(this.as_bytes());
                    std::str::from_utf8(&pair[..p + 1 + this.len()]).ok()
                });
            for w in [Some(this), joined].into_iter().flatten() {
                let content = content_word(w);
                words = words.and(Words {
                    furniture: class_word(w),
                    content,
                    announces: content || announces_article(w),
                });
            }
            prev[..this.len()].copy_from_slice(this.as_bytes());
            prev_len = Some(this.len());
        }
    }
    words
}

/// Longer than any class word or two-word slug the lists above know ("site-header"): a
/// longer word is none of them.
const LONGEST: usize = 16;

/// The pieces of a class or id value, split at ASCII white space (which is what separates
/// class names in HTML), `-` and `_`.
fn class_pieces(value: &str) -> impl Iterator<Item = &str> {
    let bytes = value.as_bytes();
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        let end = bytes[from..]
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r' | b'-' | b'_'))
            .map_or(bytes.len(), |o| from + o);
        start = (end < bytes.len()).then_some(end + 1);
        // The separators are ASCII, so both ends fall between characters.
        value.get(from..end)
    })
}

/// A class token's words (slices of it): `ArticleFooter` is "Article" and "Footer", as
/// ASP.NET and React sites write them.
fn camel_words(raw: &str) -> impl Iterator<Item = &str> {
    let bytes = raw.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let c = bytes[i];
            let split = i > start
                && c.is_ascii_uppercase()
                && (bytes[i - 1].is_ascii_lowercase() || bytes[i - 1].is_ascii_digit());
            i += 1;
            if split {
                let w = &raw[start..i - 1];
                start = i - 1;
                return Some(w);
            }
        }
        (start < bytes.len()).then(|| {
            let w = &raw[start..];
            start = bytes.len();
            w
        })
    })
}

/// The factor of weak furniture words (sidebars, widgets, headers).
const WEAK: f32 = 0.6;
/// The factor of the article's labels (dates, bylines, titles).
const LABEL: f32 = 0.5;

fn stronger(a: Furniture, b: Furniture) -> Furniture {
    match (a, b) {
        (Furniture::Cut, _) | (_, Furniture::Cut) => Furniture::Cut,
        (Furniture::Soft(x), Furniture::Soft(y)) => Furniture::Soft(x.min(y)),
        (Furniture::None, other) | (other, Furniture::None) => other,
    }
}

/// The counts extraction needs per node of the page (whose nodes are in document order, each
/// subtree a contiguous range).
struct Flat<'d, 'a> {
    doc: &'d Dom<'a>,
    /// Characters of text under the node, outside hard furniture.
    text: Vec<u32>,
    /// Of which inside links.
    link: Vec<u32>,
    commas: Vec<u32>,
    /// The node is hard furniture or inside it.
    hard: Vec<bool>,
    /// The node is cut furniture or inside it.
    cut: Vec<bool>,
    furniture: Vec<Furniture>,
    announces: Vec<bool>,
    has_block_child: Vec<bool>,
}

impl<'d, 'a> Flat<'d, 'a> {
    fn new(doc: &'d Dom<'a>, hidden: &[bool]) -> Self {
        let n = doc.len();
        let mut f = Flat {
            doc,
            text: vec![0; n],
            link: vec![0; n],
            commas: vec![0; n],
            hard: vec![false; n],
            cut: vec![false; n],
            furniture: vec![Furniture::None; n],
            announces: vec![false; n],
            has_block_child: vec![false; n],
        };
        let mut seen = ClassCache::new();
        // Down the tree (a parent comes before its children): what is inherited.
        for (i, &hidden) in hidden.iter().enumerate().take(n).skip(1) {
            let p = doc.parent(i);
            let mut hard = f.hard[p];
            if let Some(name) = doc.name(i) {
                hard |= is_hard(name) || hidden;
                let (by_class, a) = classify(doc, i, &mut seen);
                let mut furniture = stronger(tag_furniture(name), by_class);
                if matches!(name, "body" | "html" | "article" | "main") {
                    furniture = Furniture::None;
                }
                f.furniture[i] = furniture;
                f.announces[i] = a;
                if is_block(name) && name != "br" {
                    f.has_block_child[p] = true;
                }
            } else if let Some(t) = doc.text(i)
                && !hard
            {
                (f.text[i], f.commas[i]) = chars_and_commas(t.trim());
            }
            f.hard[i] = hard;
            f.cut[i] = f.furniture[i] == Furniture::Cut || f.cut[p];
        }
        // Up the tree (children after their parent, so in reverse each is summed before its
        // parent reads it): the counts.
        for i in (1..n).rev() {
            if doc.is(i, "a") {
                f.link[i] = f.text[i];
            }
            if !f.hard[i] {
                let p = doc.parent(i);
                f.text[p] += f.text[i];
                f.link[p] += f.link[i];
                f.commas[p] += f.commas[i];
            }
        }
        f
    }

    fn len(&self) -> usize {
        self.doc.len()
    }

    fn name(&self, i: usize) -> Option<&'d str> {
        self.doc.name(i)
    }

    fn parent(&self, i: usize) -> usize {
        self.doc.parent(i)
    }

    fn end(&self, i: usize) -> usize {
        self.doc.end(i)
    }

    /// Characters of text under the node that are not link text.
    fn own_text(&self, i: usize) -> f64 {
        f64::from(self.text[i].saturating_sub(self.link[i]))
    }

    fn link_density(&self, i: usize) -> f64 {
        f64::from(self.link[i]) / f64::from(self.text[i].max(1))
    }

    fn paragraph(&self, i: usize) -> bool {
        match self.name(i) {
            Some("p" | "pre" | "blockquote" | "td") => true,
            Some("div") => !self.has_block_child[i],
            _ => false,
        }
    }
}

/// The main text of `doc`, one block per line (not yet tidied).
/// `hidden` says per node whether it is hidden or inside a hidden element.
pub(super) fn main_text(doc: &Dom<'_>, hidden: &[bool]) -> String {
    let flat = Flat::new(doc, hidden);
    let n = flat.len();
    // Furniture is peripheral: an element holding half the page's text is a wrapper whatever
    // its class says (`hidden-contents-menu` around a post), and is not scored down.
    let page = (0..n)
        .find(|&i| flat.name(i) == Some("body"))
        .map_or(0, |b| flat.text[b]);
    // Each node's furniture factor: the product of its own and its ancestors'. (Paragraphs
    // in cut furniture are not scored at all.)
    let mut factor = vec![1f32; n];
    for i in 0..n {
        let own = match flat.furniture[i] {
            Furniture::None | Furniture::Cut => 1.0,
            Furniture::Soft(_) if flat.text[i] >= page / 2 => 1.0,
            Furniture::Soft(x) => x,
        };
        let p = flat.parent(i);
        factor[i] = if p == i { own } else { factor[p] * own };
    }
    let mut out = String::new();
    if let Some(best) = body_marked(&flat) {
        collect(&flat, best, best, &mut out);
    } else if let Some((container, parts)) = best_container(&flat, &factor) {
        for part in parts {
            out.push('\n');
            collect(&flat, part, container, &mut out);
            out.push('\n');
        }
    }
    let mut counts = visible_and_wordish(&out);
    if counts.0 < 200 {
        let fallback = text_blocks(&flat, &factor);
        let fallback_counts = visible_and_wordish(&fallback);
        if fallback_counts.0 > counts.0 {
            (out, counts) = (fallback, fallback_counts);
        }
    }
    if !looks_like_language(counts) {
        out.clear();
    }
    out
}

/// Whether a text reads as language, from its `(visible, wordish)` counts: at least four in
/// five of its visible characters are letters, digits or ordinary punctuation. Binary data
/// served as a page decodes to replacement characters, controls and symbols, and is not a
/// text to analyse.
fn looks_like_language((visible, wordish): (usize, usize)) -> bool {
    visible == 0 || wordish * 5 >= visible * 4
}

/// Whether a visible character is a letter, a digit or ordinary punctuation.
fn wordish(c: char) -> bool {
    c.is_alphanumeric() || ".,;:!?'\"()-/%–—…“”‘’«»".contains(c)
}

/// The visible (non-white-space) characters of `s` and how many of them are `wordish`, with
/// ASCII read a byte at a time (`char_at`).
fn visible_and_wordish(s: &str) -> (usize, usize) {
    let (mut visible, mut words) = (0usize, 0usize);
    let mut i = 0;
    while let Some(c) = super::char_at(s, i) {
        i += c.len_utf8();
        if !c.is_whitespace() {
            visible += 1;
            words += usize::from(wordish(c));
        }
    }
    (visible, words)
}

/// The characters of `t` and its commas (Latin, Arabic and ideographic), counted over its
/// bytes: every byte that does not continue a UTF-8 sequence starts a character.
fn chars_and_commas(t: &str) -> (u32, u32) {
    let b = t.as_bytes();
    // Two plain counts the compiler vectorises; the other scripts' commas are looked for
    // only when their lead bytes occur.
    let chars = b.iter().filter(|&&x| (x as i8) >= -0x40).count();
    let mut commas = b.iter().filter(|&&x| x == b',').count();
    if memchr::memchr2(0xD8, 0xE3, b).is_some() {
        commas += b.windows(2).filter(|w| *w == [0xD8, 0x8C]).count();
        commas += b.windows(3).filter(|w| *w == [0xE3, 0x80, 0x81]).count();
    }
    // A text node is far shorter than 4 GiB: the reader holds whole pages in memory.
    (
        u32::try_from(chars).unwrap_or(u32::MAX),
        u32::try_from(commas).unwrap_or(u32::MAX),
    )
}

/// A container marked as the article body (`itemprop="articleBody"`) wins outright, when it
/// holds text.
fn body_marked(flat: &Flat<'_, '_>) -> Option<usize> {
    let doc = flat.doc;
    (0..flat.len()).find(|&i| {
        !flat.hard[i]
            && flat.text[i] > 0
            && (doc.attr(i, "itemprop") == Some("articleBody")
                || doc.attr(i, "property") == Some("articleBody"))
    })
}

/// The container of the main text, and the parts of it to read: the container itself, or
/// it and those of its siblings that continue the article.
fn best_container(flat: &Flat<'_, '_>, factor: &[f32]) -> Option<(usize, Vec<usize>)> {
    let n = flat.len();
    let mut raw = vec![0f64; n];
    for i in 0..n {
        if flat.hard[i] || flat.cut[i] || !flat.paragraph(i) || flat.text[i] < 25 {
            continue;
        }
        let len = f64::from(flat.text[i]);
        let score = 1.0 + f64::from(flat.commas[i]) + (len / 100.0).min(3.0);
        let parent = flat.parent(i);
        if parent != i {
            raw[parent] += score;
            let grand = flat.parent(parent);
            if grand != parent {
                raw[grand] += score * 0.5;
            }
        }
    }
    let mut scores = vec![0f64; n];
    let mut best: Option<(f64, usize)> = None;
    for i in 0..n {
        if raw[i] == 0.0 || flat.hard[i] {
            continue;
        }
        let Some(name) = flat.name(i) else { continue };
        let mut weight = 0.0;
        if flat.announces[i] {
            weight += 25.0;
        }
        if name == "article" || name == "main" {
            weight += 20.0;
        }
        let score = (raw[i] + weight) * (1.0 - flat.link_density(i)) * f64::from(factor[i]);
        scores[i] = score;
        // Strictly greater: a tie goes to the first candidate in the page, so the same
        // capture gives the same text on every run.
        if best.is_none_or(|(b, _)| score > b) {
            best = Some((score, i));
        }
    }
    let Some((top, mut chosen)) = best else {
        let body = (0..n).find(|&i| flat.name(i) == Some("body"))?;
        return Some((body, vec![body]));
    };
    // An article cut into blocks (page builders put each paragraph in its own box) gives
    // several candidates of like score: their common ancestor is the article.
    let alternatives: Vec<usize> = (0..n)
        .filter(|&i| i != chosen && scores[i] >= 0.75 * top)
        .collect();
    let mut up = chosen;
    loop {
        let p = flat.parent(up);
        if p == up || matches!(flat.name(p), Some("body" | "html") | None) {
            break;
        }
        up = p;
        let inside = alternatives
            .iter()
            .filter(|&&a| a > up && a < flat.end(up))
            .count();
        if inside >= 2 {
            chosen = up;
            break;
        }
    }
    // Siblings that continue the article: candidates of a fifth of the score, or plain
    // paragraphs of text with few links.
    let parent = flat.parent(chosen);
    if parent == chosen {
        return Some((chosen, vec![chosen]));
    }
    let threshold = (0.2 * top).max(10.0);
    let mut parts = Vec::new();
    let mut c = parent + 1;
    while c < flat.end(parent) {
        let joins = c == chosen
            || (!flat.hard[c]
                && flat.furniture[c] == Furniture::None
                && (scores[c] >= threshold
                    || (flat.paragraph(c) && flat.text[c] >= 80 && flat.link_density(c) < 0.25)));
        if joins {
            parts.push(c);
        }
        c = flat.end(c);
    }
    Some((parent, parts))
}

/// Whether furniture inside the chosen container is read all the same: few of its characters
/// are links, and it holds a quarter of the container's text or 500 characters — or, for
/// weak furniture words (a page builder's text `widget`), a paragraph's worth (the 25
/// characters a paragraph needs to be scored).
fn keeps(flat: &Flat<'_, '_>, i: usize, container: usize) -> bool {
    let own = flat.own_text(i);
    let weak = matches!(flat.furniture[i], Furniture::Soft(f) if f >= WEAK);
    flat.link_density(i) <= 0.3
        && (own >= 0.25 * flat.own_text(container) || own >= 500.0 || (weak && own >= 25.0))
}

/// Appends the readable text under node `i`, one block per line, leaving out furniture.
fn collect(flat: &Flat<'_, '_>, i: usize, container: usize, out: &mut String) {
    let mut child = i + 1;
    let end = flat.end(i);
    while child < end {
        let next = flat.end(child);
        if flat.hard[child] {
            child = next;
            continue;
        }
        if let Some(t) = flat.doc.text(child) {
            out.push_str(t);
        } else if let Some(name) = flat.name(child) {
            let cut = match flat.furniture[child] {
                Furniture::None => false,
                Furniture::Cut => true,
                Furniture::Soft(_) => !keeps(flat, child, container),
            };
            if !cut {
                let block = is_block(name);
                if block {
                    out.push('\n');
                }
                // Headings inside the article are kept; the page's own h1 is the title.
                if name != "h1" {
                    collect(flat, child, container, out);
                }
                if block {
                    out.push('\n');
                }
            }
        }
        child = next;
    }
}

/// The fallback: every paragraph of 60 characters or more with under 30% link text, outside
/// comments, menus, footers and strong furniture, in page order.
fn text_blocks(flat: &Flat<'_, '_>, factor: &[f32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    let n = flat.len();
    while i < n {
        if !flat.cut[i]
            && !flat.hard[i]
            && factor[i] >= LABEL
            && flat.paragraph(i)
            && flat.text[i] >= 60
            && flat.link_density(i) < 0.3
        {
            out.push('\n');
            collect(flat, i, i, &mut out);
            out.push('\n');
            i = flat.end(i);
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::extract::extract;

    const PARAS: [&str; 3] = [
        "Sáng nay, ủy ban nhân dân phường tổ chức hội nghị tiếp xúc cử tri, lắng nghe ý kiến về trật tự đô thị, vệ sinh môi trường và an toàn giao thông.",
        "Nhiều cử tri đề nghị sớm cải tạo tuyến đường nội khu đã xuống cấp, bổ sung đèn chiếu sáng và thùng rác công cộng tại các ngõ nhỏ.",
        "Lãnh đạo phường tiếp thu, giao các bộ phận chuyên môn rà soát, lập kế hoạch và trả lời cử tri bằng văn bản trong tháng tới.",
    ];

    fn article() -> String {
        PARAS.iter().map(|p| format!("<p>{p}</p>")).collect()
    }

    fn sidebar() -> String {
        let items: String = (0..8)
            .map(|i| format!("<li><a href=\"/tin/{i}\">Tin mới số {i} về đời sống đô thị trong tuần qua</a></li>"))
            .collect();
        format!(
            "<div class=\"widget widget_recent_entries\"><h3>Tin mới</h3><ul>{items}</ul></div>"
        )
    }

    fn assert_article(html: &str) {
        let text = extract(html, None).main_text;
        for p in PARAS {
            assert!(text.contains(p), "missing {p:?} in {text:?}");
        }
        assert!(!text.contains("Tin mới số"), "sidebar in {text:?}");
    }

    /// WordPress puts `tag-…` on the article and a theme may wrap the page in
    /// `content-sidebar-wrap`: neither cuts the article away.
    #[test]
    fn wordpress_classes_on_the_article_do_not_hide_it() {
        let html = format!(
            "<html><body><div class=\"site\"><div class=\"content-sidebar-wrap\"><main class=\"content\"><article class=\"post-112593 post type-post status-publish tag-giao-thong tag-do-thi entry\"><header class=\"entry-header\"><h1>Tiếp xúc cử tri</h1><p class=\"entry-meta\"><time>20/11/2026</time></p></header><div class=\"entry-content\">{}</div><footer class=\"entry-footer\">Thẻ: giao thông</footer></article></main><aside class=\"sidebar sidebar-primary widget-area\">{}</aside></div></div></body></html>",
            article(),
            sidebar()
        );
        assert_article(&html);
    }

    /// Blogger wraps each post in `date-outer` inside `widget Blog`.
    #[test]
    fn blogger_posts_are_read() {
        let html = format!(
            "<html><body><div class=\"main-content sidebar-right\"><div class=\"main section\" id=\"main\"><div class=\"widget Blog\" id=\"Blog1\"><div class=\"blog-posts hfeed\"><div class=\"date-outer\"><h2 class=\"date-header\"><span>Thứ Sáu, 20 tháng 11, 2026</span></h2><div class=\"date-posts\"><div class=\"post-outer\"><div class=\"post hentry\"><h3 class=\"post-title\">Tiếp xúc cử tri</h3><div class=\"post-body entry-content\">{}</div></div></div></div></div></div></div></div><div class=\"sidebar section\">{}</div></div></body></html>",
            article(),
            sidebar()
        );
        assert_article(&html);
    }

    /// An ASP.NET page keeps everything in one `<form>`.
    #[test]
    fn a_page_wide_form_is_not_furniture() {
        let html = format!(
            "<html><body><form id=\"aspnetForm\" method=\"post\"><div class=\"tin-chi-tiet\">{}</div><div class=\"cot-phai\">{}</div></form></body></html>",
            article(),
            sidebar()
        );
        assert_article(&html);
    }

    /// A page builder puts each paragraph in its own box: the boxes' common ancestor is read.
    #[test]
    fn an_article_cut_into_blocks_is_read_whole() {
        let blocks: String = PARAS
            .iter()
            .map(|p| {
                format!("<div class=\"block\"><div class=\"block-content\"><p>{p}</p></div></div>")
            })
            .collect();
        let html = format!(
            "<html><body><div class=\"layout\"><div class=\"col\">{blocks}</div></div>{}</body></html>",
            sidebar()
        );
        assert_article(&html);
    }

    /// Comments are never the main text, however long.
    #[test]
    fn comments_are_left_out() {
        let comments: String = (0..6)
            .map(|i| format!("<li class=\"comment\"><p>Bình luận số {i}: tôi đồng ý với ý kiến của cử tri, đề nghị phường làm ngay, không để đến cuối năm, vì đường quá xấu.</p></li>"))
            .collect();
        let html = format!(
            "<html><body><div class=\"post\">{}</div><div id=\"comments\"><ol>{comments}</ol></div></body></html>",
            article()
        );
        let text = extract(&html, None).main_text;
        assert!(text.contains(PARAS[0]), "{text}");
        assert!(!text.contains("Bình luận số"), "{text}");
    }

    /// A page whose text sits outside any paragraph still gives its text blocks.
    #[test]
    fn little_found_falls_back_to_the_text_blocks() {
        let html = format!(
            "<html><body><nav><a href=\"/\">Trang chủ</a></nav><section><span>{}</span></section><section><span>{}</span></section><footer>Bản quyền</footer></body></html>",
            PARAS[0], PARAS[1]
        );
        let text = extract(&html, None).main_text;
        assert!(text.contains(PARAS[0]) && text.contains(PARAS[1]), "{text}");
        assert!(
            !text.contains("Bản quyền") && !text.contains("Trang chủ"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod counts {
    use super::{chars_and_commas, class_pieces, visible_and_wordish, wordish};
    use proptest::prelude::*;

    proptest! {
        /// The byte count agrees with counting decoded characters, on any text and on text
        /// made of the characters that matter (commas of three scripts, Vietnamese letters).
        #[test]
        fn counts_agree_with_decoded_characters(
            t in prop_oneof![any::<String>(), "[a-zđươ ,،、\u{0300}\u{3000}-\u{3002}\u{060B}-\u{060D}]{0,40}"]
        ) {
            let commas = t.matches([',', '،', '、']).count() as u32;
            prop_assert_eq!(chars_and_commas(&t), (t.chars().count() as u32, commas));
        }

        /// Class values split by bytes as they split by characters.
        #[test]
        fn class_pieces_are_the_split_at_separators(t in "[a-zA-Z é中\t\n\r\u{c}\u{a0}_-]{0,30}") {
            let by_chars: Vec<&str> = t
                .split([' ', '\t', '\n', '\u{c}', '\r', '-', '_'])
                .collect();
            prop_assert_eq!(class_pieces(&t).collect::<Vec<_>>(), by_chars);
        }

        /// Reading ASCII a byte at a time counts what reading characters counts.
        #[test]
        fn visible_counts_agree_with_decoded_characters(
            t in prop_oneof![any::<String>(), "[a-zA-Zđươ ,.\t\n\u{b}\u{c}\r\u{1c}\u{85}\u{a0}\u{3000}#@\u{fffd}…“”]{0,40}"]
        ) {
            let visible: Vec<char> = t.chars().filter(|c| !c.is_whitespace()).collect();
            let words = visible.iter().filter(|&&c| wordish(c)).count();
            prop_assert_eq!(visible_and_wordish(&t), (visible.len(), words));
        }
    }
}
