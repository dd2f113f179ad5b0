//! Extraction: what a page says and how it presents itself.
//!
//! From an HTML page this takes the title, the main text (the article, without menus,
//! sidebars, related items, share bars and comments), the publication time, the byline, the
//! site's navigation sections, the footer's owner block (managing organisation, address,
//! phone, email, the person responsible, the licence), the sources the article cites
//! ("Nguồn: …", "Theo …"), every link with whether it leaves the site or is hidden, and
//! whether the page invites comments.
//!
//! The main text is found the way readability tools do (paragraphs score their containers,
//! weighted by class, link density and the furniture around them), with a fallback for pages
//! where that finds little: see `main_text`. The page is read in one pass into a flat list of
//! nodes (`dom`), as browsers read malformed HTML where it matters for the text; nothing here
//! fails.

use std::borrow::Cow;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use regex::Regex;

mod dom;
mod href;
mod main_text;
use dom::Dom;
use serde::Serialize;
use url::Url;

/// One link on the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The absolute address.
    pub href: String,
    /// Its host, lower-case as the address is serialised (`www.` kept).
    pub host: String,
    /// The anchor text.
    pub text: String,
    /// It leads to another host.
    pub external: bool,
    /// It is hidden from readers (inline `display:none`, `visibility:hidden`, zero size,
    /// off-screen position, the `hidden` attribute) — a sign of injected links.
    pub hidden: bool,
}

/// The owner block a website must show on its home page (Decree 147/2024; Decree 15/2020
/// art. 99 fines its absence).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OwnerBlock {
    /// The whole footer text, as found.
    pub text: String,
    /// Managing organisation ("Cơ quan chủ quản", "Đơn vị chủ quản").
    pub organisation: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Person responsible for content ("Chịu trách nhiệm nội dung", "Tổng biên tập").
    pub responsible: Option<String>,
    /// Licence number and date ("Giấy phép số …").
    pub licence: Option<String>,
}

/// What extraction found on one page.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Extracted {
    /// The page title (the article headline when there is one).
    pub title: String,
    /// The main text, one paragraph per line.
    pub main_text: String,
    /// The publication time, when the page states it.
    pub published: Option<DateTime<FixedOffset>>,
    /// The byline.
    pub byline: Option<String>,
    /// The labels of the site's navigation menu.
    pub sections: Vec<String>,
    /// The header text (masthead), for self-designation and press words.
    pub masthead: String,
    /// The footer's owner block.
    pub owner: OwnerBlock,
    /// Sources the article cites.
    pub sources: Vec<String>,
    /// Every link.
    pub links: Vec<Link>,
    /// Number of comment forms or comment widgets.
    pub comment_forms: usize,
}

/// Extracts from `html`, resolving links against `base`.
/// Extracts from `html`, resolving links against `base`.
pub fn extract(html: &str, base: Option<&Url>) -> Extracted {
    let doc = dom::parse(html);
    let hidden = hidden_nodes(&doc);
    let main_text = tidy(&main_text::main_text(&doc, &hidden));
    let els = elements(&doc);
    let p = Page {
        doc: &doc,
        els: &els,
        hidden: &hidden,
    };

    let title = first_meta(p, &["og:title"])
        .or_else(|| first_text(&doc, "h1"))
        .or_else(|| first_text(&doc, "title"))
        .unwrap_or_default();

    let footer_text = footer_text(p);
    let owner = owner_block(&footer_text);
    let masthead = masthead(p);

    Extracted {
        published: published(p, &main_text),
        byline: byline(p, &main_text),
        sections: sections(p),
        sources: sources(&main_text),
        links: links(p, base),
        comment_forms: comment_forms(p),
        title: squash(&title),
        main_text,
        masthead,
        owner,
    }
}

/// Every text of the page in document order, as extraction's page reader sees them (scripts'
/// and styles' included). For checking the reader against a reference HTML parser
/// (`tests/reader.rs`, `watch_bench reader`).
pub fn page_texts(html: &str) -> Vec<String> {
    let doc = dom::parse(html);
    (0..doc.len())
        .filter_map(|i| doc.text(i).map(str::to_owned))
        .collect()
}

/// Checks the fuzz targets run on the page reader and the link shortcut (`fuzz/`); not part
/// of the crate's interface.
#[doc(hidden)]
pub mod checks {
    use super::{dom, href};

    /// Whether the reader's document for `html` is well formed: node 0 is the document and
    /// spans everything, every node follows its parent and its subtree lies inside its
    /// parent's, a text has no children. Says which node breaks which rule.
    pub fn reader_shape(html: &str) -> Result<(), String> {
        let doc = dom::parse(html);
        let n = doc.len();
        if n == 0 || doc.end(0) != n || doc.parent(0) != 0 {
            return Err(format!("node 0 spans {} of {n} nodes", doc.end(0)));
        }
        for i in 1..n {
            let (p, end) = (doc.parent(i), doc.end(i));
            if p >= i || end <= i || end > doc.end(p) {
                return Err(format!(
                    "node {i}: parent {p}, end {end}, parent's end {}",
                    doc.end(p)
                ));
            }
            if doc.text(i).is_some() && end != i + 1 {
                return Err(format!("text node {i} has children up to {end}"));
            }
        }
        Ok(())
    }

    /// Whether the shortcut for canonical absolute links agrees with `Url::parse` on `href`
    /// whenever it answers.
    pub fn link_shortcut(href: &str) -> Result<(), String> {
        let Some((addr, host)) = href::canonical_http(href) else {
            return Ok(());
        };
        let mut url = url::Url::parse(href).map_err(|e| format!("{href:?}: {e}"))?;
        url.set_fragment(None);
        if url.as_str() != addr || url.host_str() != Some(host) {
            return Err(format!("{href:?}: shortcut {addr} {host}, parser {url}"));
        }
        Ok(())
    }
}

/// Compiles a pattern written in this file. Every one is exercised by the unit tests, so a
/// failure here is a programming error caught before release.
#[allow(clippy::expect_used)]
fn static_regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a constant pattern compiles")
}

/// Elements that start a line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "pre"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "br"
            | "dd"
            | "dt"
            | "dl"
            | "figcaption"
            | "address"
            | "hr"
    )
}

/// The element's class and id, space-separated and lower-cased; borrowed from the page when
/// it has only a lower-case class or id, as most elements have.
fn class_id<'d>(doc: &'d Dom<'_>, i: usize) -> Cow<'d, str> {
    let ci = match (doc.attr(i, "class"), doc.attr(i, "id")) {
        (None, None) => return Cow::Borrowed(""),
        (Some(one), None) | (None, Some(one)) => Cow::Borrowed(one),
        (Some(c), Some(id)) => Cow::Owned(format!("{c} {id}")),
    };
    if ci.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(ci.to_ascii_lowercase())
    } else {
        ci
    }
}

fn is_hidden(doc: &Dom<'_>, i: usize) -> bool {
    if doc.attr(i, "hidden").is_some()
        || doc.attr(i, "aria-hidden") == Some("true") && !doc.is(i, "i")
    {
        return true;
    }
    let Some(style) = doc.attr(i, "style") else {
        return false;
    };
    let s: String = style
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    s.contains("display:none")
        || s.contains("visibility:hidden")
        || s.contains("font-size:0")
        || s.contains("opacity:0;")
        || s.ends_with("opacity:0")
        || s.contains("left:-9")
        || s.contains("top:-9")
        || (s.contains("height:0") && s.contains("overflow:hidden"))
}

/// Collapses whitespace inside lines and drops empty lines.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let before = out.len();
        if before > 0 {
            out.push('\n');
        }
        let from = out.len();
        push_squashed(&mut out, from, line, &mut false);
        if out.len() == from {
            out.truncate(before);
        }
    }
    out
}

/// `s` with each run of white space made one space and none at either end.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_squashed(&mut out, 0, s, &mut false);
    out
}

/// Appends `t` to `out` with white space squashed. `from` is where the squashed text began
/// in `out` (no space goes before its first word); `space` carries across calls whether
/// white space was seen since the last word, so words split between texts join as written.
fn push_squashed(out: &mut String, from: usize, t: &str, space: &mut bool) {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let word = i;
        loop {
            // Printable ASCII, a byte at a time; anything else by its character.
            while b.get(i).is_some_and(|&x| x > b' ' && x < 0x7F) {
                i += 1;
            }
            match char_at(t, i) {
                Some(c) if !c.is_whitespace() => i += c.len_utf8(),
                _ => break,
            }
        }
        if i > word {
            if *space && out.len() > from {
                out.push(' ');
            }
            *space = false;
            out.push_str(&t[word..i]);
        }
        while let Some(c) = char_at(t, i).filter(|c| c.is_whitespace()) {
            *space = true;
            i += c.len_utf8();
        }
        if i == word {
            // Only if `i` were not at a character; it always is.
            break;
        }
    }
}

/// The character at byte `i` of `t` (which callers keep at a character, moving by whole
/// characters); `None` at the end. ASCII is read from the byte, without decoding.
fn char_at(t: &str, i: usize) -> Option<char> {
    let x = *t.as_bytes().get(i)?;
    if x.is_ascii() {
        return Some(char::from(x));
    }
    t.get(i..)?.chars().next()
}

/// The page and its elements, each with its class and id lower-cased once: the metadata
/// readers walk this list instead of each walking the tree and lower-casing every class again.
#[derive(Clone, Copy)]
struct Page<'d, 'a> {
    doc: &'d Dom<'a>,
    els: &'d [El<'d>],
    /// Per node: it is hidden, or inside a hidden element.
    hidden: &'d [bool],
}

/// Per node: whether it is hidden or inside a hidden element, in one walk in document order.
fn hidden_nodes(doc: &Dom<'_>) -> Vec<bool> {
    let mut hidden = vec![false; doc.len()];
    for i in 1..doc.len() {
        hidden[i] = hidden[doc.parent(i)] || (doc.name(i).is_some() && is_hidden(doc, i));
    }
    hidden
}

/// An element as the metadata readers see it: its node, its class and id lower-cased, and
/// which of the `MARKS` words they contain.
struct El<'d> {
    i: usize,
    ci: Cow<'d, str>,
    marks: u16,
}

impl El<'_> {
    fn has(&self, marks: u16) -> bool {
        self.marks & marks != 0
    }
}

const DATE: u16 = 1;
const AUTHOR: u16 = 1 << 1;
const MASTHEAD: u16 = 1 << 2;
const FOOTER: u16 = 1 << 3;
const COMMENT: u16 = 1 << 4;
const FB_COMMENTS: u16 = 1 << 5;
const FORM: u16 = 1 << 6;

/// The words the metadata readers look for inside class and id values, and the mark each
/// sets.
const MARKS: [(&str, u16); 11] = [
    ("date", DATE),
    ("author", AUTHOR),
    ("byline", AUTHOR),
    ("tac-gia", AUTHOR),
    ("masthead", MASTHEAD),
    ("logo", MASTHEAD),
    ("footer", FOOTER),
    ("comment", COMMENT),
    ("binh-luan", COMMENT),
    ("binhluan", COMMENT),
    ("fb-comments", FB_COMMENTS),
];

/// One automaton finds every `MARKS` word (and `form`) in a class value in one pass.
static MARKER: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    let words = MARKS.iter().map(|(w, _)| *w).chain(["form"]);
    #[allow(clippy::expect_used)]
    aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(words)
        .expect("constant words build an automaton")
});

fn marks(ci: &str) -> u16 {
    if ci.is_empty() {
        return 0;
    }
    MARKER.find_overlapping_iter(ci).fold(0, |m, found| {
        m | MARKS
            .get(found.pattern().as_usize())
            .map_or(FORM, |&(_, mark)| mark)
    })
}

fn elements<'d>(doc: &'d Dom<'_>) -> Vec<El<'d>> {
    (0..doc.len())
        .filter(|&i| doc.name(i).is_some())
        .map(|i| {
            let ci = class_id(doc, i);
            let marks = marks(&ci);
            El { i, ci, marks }
        })
        .collect()
}

fn first_meta(p: Page<'_, '_>, names: &[&str]) -> Option<String> {
    p.els.iter().find_map(|&El { i, .. }| {
        if !p.doc.is(i, "meta") {
            return None;
        }
        let key = p
            .doc
            .attr(i, "property")
            .or_else(|| p.doc.attr(i, "name"))?;
        names
            .iter()
            .any(|n| key.eq_ignore_ascii_case(n))
            .then(|| p.doc.attr(i, "content").map(str::to_owned))
            .flatten()
            .filter(|c| !c.trim().is_empty())
    })
}

fn first_text(doc: &Dom<'_>, tag: &str) -> Option<String> {
    doc.first(tag)
        .map(|i| doc.squashed_text_of(i))
        .filter(|t| !t.is_empty())
}

static DATE_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})(?:\D{0,12}?(\d{1,2})[:hg](\d{2}))?")
});

/// Parses the date forms pages use: RFC 3339 / ISO 8601 (with or without zone) and
/// Vietnamese `dd/mm/yyyy [hh:mm]`. A time without zone is Viet Nam time.
pub fn parse_time(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    let zone = lantoa_core::time::zone();
    for f in [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return zone.from_local_datetime(&t).single();
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
        return zone.from_local_datetime(&d.and_hms_opt(0, 0, 0)?).single();
    }
    let c = DATE_IN_TEXT.captures(s)?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(i32::try_from(num(3)?).ok()?, num(2)?, num(1)?)?;
    let time = date.and_hms_opt(num(4).unwrap_or(0), num(5).unwrap_or(0), 0)?;
    zone.from_local_datetime(&time).single()
}

fn published(p: Page<'_, '_>, main_text: &str) -> Option<DateTime<FixedOffset>> {
    if let Some(t) = first_meta(
        p,
        &[
            "article:published_time",
            "pubdate",
            "publishdate",
            "date",
            "dc.date.issued",
        ],
    )
    .and_then(|s| parse_time(&s))
    {
        return Some(t);
    }
    let doc = p.doc;
    for el in p.els {
        let i = el.i;
        let marked =
            doc.attr(i, "itemprop") == Some("datePublished") || doc.is(i, "time") || el.has(DATE);
        if marked {
            let value = doc
                .attr(i, "datetime")
                .or_else(|| doc.attr(i, "content"))
                .map(str::to_owned)
                .unwrap_or_else(|| doc.text_of(i));
            if let Some(t) = parse_time(&value) {
                return Some(t);
            }
        }
    }
    // JSON-LD.
    for &El { i, .. } in p.els {
        if doc.is(i, "script") && doc.attr(i, "type") == Some("application/ld+json") {
            let text = doc.text_of(i);
            if let Some(i) = text.find("\"datePublished\"") {
                let rest = &text[i + 15..];
                let v: String = rest
                    .trim_start_matches([':', ' ', '"'])
                    .chars()
                    .take_while(|c| *c != '"')
                    .collect();
                if let Some(t) = parse_time(&v) {
                    return Some(t);
                }
            }
        }
    }
    main_text.lines().take(3).find_map(parse_time)
}

static BYLINE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)^(?:tác giả|bài(?: và ảnh)?|phóng viên|pv|người viết|by)\s*[:：]\s*(.{2,80})$",
    )
});

fn byline(p: Page<'_, '_>, main_text: &str) -> Option<String> {
    if let Some(a) = first_meta(p, &["author", "article:author"]) {
        return Some(squash(&a));
    }
    let doc = p.doc;
    for el in p.els {
        let i = el.i;
        if doc.attr(i, "rel") == Some("author")
            || doc.attr(i, "itemprop") == Some("author")
            || el.has(AUTHOR)
        {
            let t = doc.squashed_text_of(i);
            if !t.is_empty() && t.chars().count() <= 80 {
                return Some(t);
            }
        }
    }
    main_text.lines().rev().take(3).find_map(|l| {
        BYLINE_LINE
            .captures(l.trim())
            .map(|c| c[1].trim().to_owned())
    })
}

fn sections(p: Page<'_, '_>) -> Vec<String> {
    let doc = p.doc;
    let mut out: Vec<String> = Vec::new();
    for &El { i, ref ci, .. } in p.els {
        let is_menu = doc.is(i, "nav")
            || doc.attr(i, "role") == Some("navigation")
            || ci
                .split([' ', '_', '-'])
                .any(|w| w == "menu" || w == "nav" || w == "navbar");
        if !is_menu {
            continue;
        }
        for a in doc.descendants(i) {
            if doc.is(a, "a") {
                let t = doc.squashed_text_of(a);
                if !t.is_empty() && t.chars().count() <= 40 && !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

fn masthead(p: Page<'_, '_>) -> String {
    let doc = p.doc;
    let mut parts = Vec::new();
    if let Some(t) = first_text(doc, "title") {
        parts.push(t);
    }
    if let Some(d) = first_meta(p, &["og:site_name", "description"]) {
        parts.push(squash(&d));
    }
    for el in p.els {
        let i = el.i;
        if doc.is(i, "header") || el.has(MASTHEAD) {
            let t = doc.squashed_text_of(i);
            if !t.is_empty() {
                parts.push(t);
            }
            for d in doc.descendants(i) {
                if let Some(alt) = doc.attr(d, "alt") {
                    parts.push(squash(alt));
                }
            }
            break;
        }
    }
    parts.join(" | ")
}

fn footer_text(p: Page<'_, '_>) -> String {
    let doc = p.doc;
    let mut best = String::new();
    for el in p.els {
        let i = el.i;
        if doc.is(i, "footer") || el.has(FOOTER) || doc.is(i, "address") {
            let mut s = String::new();
            collect_lines(doc, i, &mut s);
            let s = tidy(&s);
            if s.len() > best.len() {
                best = s;
            }
        }
    }
    best
}

fn collect_lines(doc: &Dom<'_>, i: usize, out: &mut String) {
    for child in doc.children(i) {
        if let Some(t) = doc.text(child) {
            out.push_str(t);
        } else if let Some(name) = doc.name(child)
            && !matches!(name, "script" | "style")
        {
            let block = is_block(name);
            if block {
                out.push('\n');
            }
            collect_lines(doc, child, out);
            if block {
                out.push('\n');
            }
        }
    }
}

/// The labels of the owner block's fields, each with the field it names.
const OWNER_LABELS: [(&str, &str); 5] = [
    (
        "organisation",
        r"cơ quan chủ quản|đơn vị chủ quản|chủ quản|cơ quan quản lý|công ty chủ quản|đơn vị quản lý",
    ),
    ("address", r"địa chỉ|trụ sở"),
    ("phone", r"điện thoại|đt|hotline|tel|sđt|fax"),
    ("email", r"e-?mail|thư điện tử"),
    (
        "responsible",
        r"chịu trách nhiệm(?: nội dung| quản lý nội dung| chính)?|người chịu trách nhiệm|tổng biên tập|phụ trách",
    ),
];

static OWNER_FIELDS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    let mut out: Vec<(&'static str, Regex)> = OWNER_LABELS
        .iter()
        .map(|(name, labels)| {
            (
                *name,
                static_regex(&format!(r"(?i)(?:{labels})\s*[:：]\s*([^\n|]+)")),
            )
        })
        .collect();
    // The licence is written without a colon and with words between "giấy phép" and its
    // number: "Giấy phép số 123/GP-TTĐT ngày …", "Giấy phép thiết lập trang thông tin điện
    // tử tổng hợp số 99/GP-TTĐT do Sở … cấp ngày …".
    out.push((
        "licence",
        static_regex(
            r"(?i)(?:số giấy phép|giấy phép(?:[^\n|:：\d]{0,90}?số)?|(?-u:\b)gp(?:\s+số)?)\s*[:：]?\s*(\d[^\n|]*)",
        ),
    ));
    out
});

/// Where the next label starts in a field's value: "024 3826 0000 - Email: …" ends before
/// "Email".
static NEXT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let all: Vec<&str> = OWNER_LABELS.iter().map(|(_, l)| *l).collect();
    static_regex(&format!(
        r"(?i)(?:^|[\s,;.\-–—])(?:{}|giấy phép|số giấy phép)\s*[:：]",
        all.join("|")
    ))
});

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"));

/// Reads the owner block's fields from footer text.
pub fn owner_block(text: &str) -> OwnerBlock {
    let mut owner = OwnerBlock {
        text: text.to_owned(),
        ..OwnerBlock::default()
    };
    for (name, re) in OWNER_FIELDS.iter() {
        let Some(c) = re.captures(text) else { continue };
        let mut v = &c[1];
        if let Some(next) = NEXT_LABEL.find(v) {
            v = &v[..next.start()];
        }
        let v = v
            .trim()
            .trim_end_matches(['.', ';', ',', '-', '–', '—'])
            .trim()
            .to_owned();
        if v.is_empty() {
            continue;
        }
        let slot = match *name {
            "organisation" => &mut owner.organisation,
            "address" => &mut owner.address,
            "phone" => &mut owner.phone,
            "email" => &mut owner.email,
            "responsible" => &mut owner.responsible,
            _ => &mut owner.licence,
        };
        slot.get_or_insert(v);
    }
    if owner.email.is_none() {
        owner.email = EMAIL.find(text).map(|m| m.as_str().to_owned());
    }
    owner
}

static SOURCE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(r"(?i)^\(?\s*(?:nguồn|theo|nguồn tin|trích từ)\s*[:：]?\s*(.{2,120}?)\)?\.?$")
});

fn sources(main_text: &str) -> Vec<String> {
    main_text
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            // "Theo …" opens many ordinary sentences; only a short closing line is a citation.
            if l.chars().count() > 120 {
                return None;
            }
            SOURCE_LINE.captures(l).map(|c| c[1].trim().to_owned())
        })
        .collect()
}

fn links(p: Page<'_, '_>, base: Option<&Url>) -> Vec<Link> {
    let doc = p.doc;
    let base_host = base
        .and_then(|b| b.host_str())
        .map(|h| h.trim_start_matches("www."));
    let origin = base
        .map(|b| b.origin().ascii_serialization())
        .unwrap_or_default();
    let mut out = Vec::new();
    for &El { i, .. } in p.els {
        if !doc.is(i, "a") {
            continue;
        }
        let Some(href) = doc.attr(i, "href") else {
            continue;
        };
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') || href.starts_with("javascript:") {
            continue;
        }
        // A root-relative path on the page's own site is most links on a page, and an
        // absolute address in canonical form most of the rest; both are taken as written,
        // without a URL parse (the crawler parses the links it follows).
        let (href, host) = if let Some((href, host)) = href::canonical_http(href) {
            (href.to_owned(), host.to_owned())
        } else {
            match base {
                Some(b)
                    if href.starts_with('/') && !href.starts_with("//") && !href.contains('\\') =>
                {
                    let path = href.split('#').next().unwrap_or(href);
                    (
                        [origin.as_str(), path].concat(),
                        b.host_str().unwrap_or_default().to_owned(),
                    )
                }
                _ => {
                    let resolved = match base {
                        Some(b) => b.join(href),
                        None => Url::parse(href),
                    };
                    let Ok(mut url) = resolved else { continue };
                    if !matches!(url.scheme(), "http" | "https") {
                        continue;
                    }
                    url.set_fragment(None);
                    let host = url.host_str().unwrap_or_default().to_owned();
                    (url.to_string(), host)
                }
            }
        };
        out.push(Link {
            external: base_host.is_some() && Some(host.trim_start_matches("www.")) != base_host,
            href,
            host,
            text: doc.squashed_text_of(i),
            hidden: p.hidden[i],
        });
    }
    out
}

fn comment_forms(p: Page<'_, '_>) -> usize {
    let doc = p.doc;
    p.els
        .iter()
        .filter(|el| match doc.name(el.i).unwrap_or_default() {
            "form" => el.has(COMMENT) || doc.descendants(el.i).any(|d| doc.is(d, "textarea")),
            "div" | "section" => el.has(FB_COMMENTS) || (el.has(COMMENT) && el.has(FORM)),
            _ => false,
        })
        .count()
}

#[cfg(test)]
mod squashing {
    use super::{FORM, MARKS, marks, push_squashed, tidy};
    use proptest::prelude::*;

    proptest! {
        /// One automaton pass marks what a `contains` per word finds.
        #[test]
        fn marks_are_the_words_contained(
            parts in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(vec!["date", "author", "byline", "tac-gia", "masthead", "logo", "footer", "comment", "binh-luan", "binhluan", "fb-comments", "form"]),
                    proptest::sample::select(vec!["-", " ", "x", "fo", "com", "b", "inh"]),
                ],
                0..8,
            )
        ) {
            let ci = parts.concat();
            let mut expected = MARKS
                .iter()
                .filter(|(w, _)| ci.contains(w))
                .fold(0, |m, (_, mark)| m | mark);
            if ci.contains("form") {
                expected |= FORM;
            }
            prop_assert_eq!(marks(&ci), expected, "{}", ci);
        }

        /// Squashing text by text is squashing the joined text, however it is cut.
        #[test]
        fn squashing_piecewise_is_squashing_the_whole(
            texts in proptest::collection::vec("[ a\u{a0}\u{3000}\u{b}\t\nbé]{0,6}", 0..6)
        ) {
            let (mut out, mut space) = (String::from("kept"), false);
            for t in &texts {
                push_squashed(&mut out, 4, t, &mut space);
            }
            let whole = texts.concat();
            let words = whole.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(out, format!("kept{words}"));
        }

        /// Tidying keeps each line's words, one space apart, and drops blank lines.
        #[test]
        fn tidying_squashes_lines_and_drops_blank_ones(t in "[ a\u{a0}\t\r\nb]{0,30}") {
            let expected: Vec<String> = t
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect();
            prop_assert_eq!(tidy(&t), expected.join("\n"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page reader keeps only the attributes extraction reads: every one the extraction
    /// code asks for must be among them.
    #[test]
    fn every_attribute_read_is_kept() {
        let sources = [
            include_str!("extract.rs"),
            include_str!("extract/main_text.rs"),
        ];
        let asked = Regex::new(r#"\battr\(\w+, "([a-z-]+)"\)"#).unwrap();
        let mut names = 0;
        for src in sources {
            for c in asked.captures_iter(src) {
                names += 1;
                assert!(dom::kept_attribute(&c[1]), "{} is read but not kept", &c[1]);
            }
        }
        assert!(names >= 15, "found {names} attribute reads");
    }

    const PAGE: &str = r#"<!doctype html><html><head><title>Giá rau tăng mạnh sau mưa lớn | Tin Phố Cổ</title>
<meta property="article:published_time" content="2026-11-20T08:15:00+07:00"></head>
<body><header class="site-header"><img alt="TIN PHỐ CỔ - Trang thông tin điện tử tổng hợp" src="/logo.png"></header>
<nav class="menu"><a href="/">Trang chủ</a><a href="/thoi-su">Thời sự</a><a href="/xa-hoi">Xã hội</a></nav>
<div class="sidebar"><h3>Đọc nhiều</h3><a href="/x">Một bài khác rất dài để thử xem thanh bên có bị lấy nhầm không</a></div>
<div class="article-detail"><h1>Giá rau tăng mạnh sau mưa lớn</h1>
<p>Sau những ngày mưa lớn, giá nhiều loại rau xanh tại các chợ dân sinh tăng từ 20 đến 30 phần trăm, theo ghi nhận của người dân.</p>
<p>Tiểu thương cho biết nguồn hàng từ các vùng trồng rau ngoại thành giảm, chi phí vận chuyển tăng, trong khi nhu cầu vẫn ổn định.</p>
<div class="share">Chia sẻ Facebook Zalo</div>
<p>Nguồn: Báo điện tử Tin Thủ Đô</p>
<p class="author">Minh Anh</p></div>
<div class="comments"><form><textarea name="c"></textarea><button>Gửi bình luận</button></form></div>
<a href="https://nhacai88.example/" style="display:none">nhà cái uy tín</a>
<footer><p>Cơ quan chủ quản: Công ty TNHH Truyền thông Phố Cổ</p><p>Địa chỉ: 12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội</p>
<p>Điện thoại: 024 3826 0000 - Email: lienhe@tintuc-phoco.example</p><p>Chịu trách nhiệm nội dung: Nguyễn Văn Phố</p>
<p>Giấy phép số 123/GP-TTĐT ngày 05/03/2021</p></footer></body></html>"#;

    /// Two blocks that score the same: the first in the page wins, on every run (candidates
    /// were once visited in a HashMap's order, which differs from one map to the next).
    #[test]
    fn the_same_capture_gives_the_same_text_every_time() {
        let block = |who: &str| {
            format!(
                "<div class=\"k-{who}\"><p>Người dân phản ánh, chính quyền tiếp nhận, xử lý và trả lời trong thời hạn quy định, theo {who}.</p><p>Đợt này có nhiều ý kiến, kiến nghị về trật tự đô thị, môi trường, an toàn giao thông.</p></div>"
            )
        };
        let html = format!("<html><body>{}{}</body></html>", block("một"), block("hai"));
        let first = extract(&html, None).main_text;
        assert!(first.contains("theo một"), "{first}");
        for _ in 0..50 {
            assert_eq!(extract(&html, None).main_text, first);
        }
    }

    #[test]
    fn finds_the_article_and_the_page_furniture() {
        let base = Url::parse("https://tintuc-phoco.example/tin/1").unwrap();
        let x = extract(PAGE, Some(&base));
        assert_eq!(x.title, "Giá rau tăng mạnh sau mưa lớn");
        assert!(
            x.main_text.starts_with("Sau những ngày mưa lớn"),
            "{}",
            x.main_text
        );
        assert!(x.main_text.contains("nhu cầu vẫn ổn định"));
        assert!(
            !x.main_text.contains("Đọc nhiều"),
            "sidebar: {}",
            x.main_text
        );
        assert!(
            !x.main_text.contains("Chia sẻ"),
            "share bar: {}",
            x.main_text
        );
        assert!(
            !x.main_text.contains("Cơ quan chủ quản"),
            "footer: {}",
            x.main_text
        );
        assert_eq!(
            x.published.unwrap().to_rfc3339(),
            "2026-11-20T08:15:00+07:00"
        );
        assert_eq!(x.byline.as_deref(), Some("Minh Anh"));
        assert_eq!(x.sections, ["Trang chủ", "Thời sự", "Xã hội"]);
        assert!(x.masthead.contains("Trang thông tin điện tử tổng hợp"));
        assert_eq!(x.sources, ["Báo điện tử Tin Thủ Đô"]);
        assert_eq!(x.comment_forms, 1);
        let hidden: Vec<_> = x.links.iter().filter(|l| l.hidden).collect();
        assert_eq!(hidden.len(), 1);
        assert!(hidden[0].external);
        assert_eq!(hidden[0].href, "https://nhacai88.example/");
        assert!(
            x.links
                .iter()
                .any(|l| l.href == "https://tintuc-phoco.example/thoi-su" && !l.external)
        );
        let o = &x.owner;
        assert_eq!(
            o.organisation.as_deref(),
            Some("Công ty TNHH Truyền thông Phố Cổ")
        );
        assert_eq!(
            o.address.as_deref(),
            Some("12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội")
        );
        assert_eq!(o.email.as_deref(), Some("lienhe@tintuc-phoco.example"));
        assert_eq!(o.responsible.as_deref(), Some("Nguyễn Văn Phố"));
        assert!(o.licence.as_deref().unwrap().starts_with("123/GP-TTĐT"));
        // The phone ends where the email's label starts.
        assert_eq!(o.phone.as_deref(), Some("024 3826 0000"));
    }

    /// The licence in the standard wording, and labelled fields on one line.
    #[test]
    fn the_owner_block_reads_the_standard_licence_wording() {
        let o = owner_block(
            "Cơ quan chủ quản: Công ty Cổ phần Truyền thông Sông Hồng - Địa chỉ: 5 phố Thử, Hà Nội\nĐiện thoại: 024 3999 1111 | Email: bandoc@songhong.example\nChịu trách nhiệm nội dung: Nguyễn Thị Hồng\nGiấy phép thiết lập trang thông tin điện tử tổng hợp số 99/GP-TTĐT do Sở Thông tin và Truyền thông Hà Nội cấp ngày 12/05/2023",
        );
        assert_eq!(
            o.organisation.as_deref(),
            Some("Công ty Cổ phần Truyền thông Sông Hồng")
        );
        assert_eq!(o.address.as_deref(), Some("5 phố Thử, Hà Nội"));
        assert_eq!(o.phone.as_deref(), Some("024 3999 1111"));
        assert_eq!(o.email.as_deref(), Some("bandoc@songhong.example"));
        assert_eq!(o.responsible.as_deref(), Some("Nguyễn Thị Hồng"));
        assert_eq!(
            o.licence.as_deref(),
            Some("99/GP-TTĐT do Sở Thông tin và Truyền thông Hà Nội cấp ngày 12/05/2023")
        );
    }

    #[test]
    fn malformed_or_empty_input_does_not_fail() {
        for html in [
            "",
            "<",
            "<html><p>unclosed <b>bold <div></p></b>",
            "\u{0}\u{1}binary\u{fffd}",
        ] {
            let _ = extract(html, None);
        }
        assert_eq!(
            parse_time("20/11/2026 08:15").unwrap().to_rfc3339(),
            "2026-11-20T08:15:00+07:00"
        );
        assert_eq!(
            parse_time("Thứ năm, 20-11-2026, 14h30")
                .unwrap()
                .to_rfc3339(),
            "2026-11-20T14:30:00+07:00"
        );
        assert!(parse_time("31/02/2026").is_none());
    }
}
