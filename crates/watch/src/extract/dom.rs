//! The page as extraction reads it: one pass over the HTML builds its elements and texts in
//! document order, flat.
//!
//! A general HTML5 parser (html5ever) spent about 60% of extraction's time on real news
//! pages building a tree of reference-counted nodes that extraction then flattened again. This
//! reader goes straight to the flat form extraction works on: nodes in pre-order, each with its
//! parent and the end of its subtree, so a subtree is a range and its children are found by
//! skipping from one subtree's end to the next. Names, attribute values and texts borrow the
//! page where they can (a copy only when a character reference or an upper-case name must be
//! rewritten).
//!
//! It follows the parts of the HTML standard's tokenizer that change what text a reader sees:
//! character references (the standard's table of named references, numeric ones with the
//! Windows-1252 fix-ups), comments, doctypes and CDATA, raw text in `script`, `style`,
//! `noscript`, `iframe` and the like, escapable raw text in `title` and `textarea`, void
//! elements, and attributes with every quoting style. Of tree construction it keeps what
//! decides which element a text belongs to: the implied ends of `p`, `li`, `dd`/`dt`,
//! headings, options and table rows and cells; end tags that close open inline elements but
//! never reach past a block or a table cell; `head` closing when body content starts; content
//! after `</body>` staying in the body. It does not move misplaced table content before the
//! table, nor rebuild misnested formatting elements as the adoption agency does: the text is
//! the same, its parent may differ, and the labelled corpora hold extraction to its scores.
//!
//! Nothing fails: every input gives a document.

use std::borrow::Cow;
use std::ops::Range;

use markup5ever::data::NAMED_ENTITIES;

/// A node: the document, an element or a text.
#[derive(Debug, Clone)]
pub(crate) enum Kind<'a> {
    Document,
    /// An element, with its lower-cased name and its range in [`Dom::attrs`].
    Element {
        name: Cow<'a, str>,
        attrs: Range<u32>,
    },
    Text(Cow<'a, str>),
}

#[derive(Debug, Clone)]
pub(crate) struct Node<'a> {
    pub(crate) kind: Kind<'a>,
    /// The parent's index; the document's is its own (0).
    pub(crate) parent: u32,
    /// One past the last node of the subtree.
    pub(crate) end: u32,
}

/// A parsed page: node 0 is the document; the rest follow in document order.
#[derive(Debug)]
pub(crate) struct Dom<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    /// Every element's attributes, lower-cased names and decoded values, in order.
    pub(crate) attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Dom<'a> {
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// The element's name, or `None` for a text or the document.
    pub(crate) fn name(&self, i: usize) -> Option<&str> {
        match &self.nodes[i].kind {
            Kind::Element { name, .. } => Some(name),
            _ => None,
        }
    }

    pub(crate) fn is(&self, i: usize, name: &str) -> bool {
        self.name(i) == Some(name)
    }

    pub(crate) fn text(&self, i: usize) -> Option<&str> {
        match &self.nodes[i].kind {
            Kind::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(crate) fn parent(&self, i: usize) -> usize {
        self.nodes[i].parent as usize
    }

    pub(crate) fn end(&self, i: usize) -> usize {
        self.nodes[i].end as usize
    }

    /// The element's attributes (none for a text or the document).
    pub(crate) fn attrs(&self, i: usize) -> &[(Cow<'a, str>, Cow<'a, str>)] {
        match &self.nodes[i].kind {
            Kind::Element { attrs, .. } => &self.attrs[attrs.start as usize..attrs.end as usize],
            _ => &[],
        }
    }

    pub(crate) fn attr(&self, i: usize, name: &str) -> Option<&str> {
        self.attrs(i)
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_ref())
    }

    /// The node's children, in order.
    pub(crate) fn children(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.end(i);
        let mut c = i + 1;
        std::iter::from_fn(move || {
            (c < end).then(|| {
                let this = c;
                c = self.end(c);
                this
            })
        })
    }

    /// The node's descendants, in document order.
    pub(crate) fn descendants(&self, i: usize) -> Range<usize> {
        i + 1..self.end(i)
    }

    /// Every text under the node, joined.
    pub(crate) fn text_of(&self, i: usize) -> String {
        let mut s = String::new();
        for d in self.descendants(i) {
            if let Some(t) = self.text(d) {
                s.push_str(t);
            }
        }
        s
    }

    /// Every text under the node, joined, with each run of white space made one space and
    /// none at either end: what `text_of` then squashing gives, without the joined copy.
    pub(crate) fn squashed_text_of(&self, i: usize) -> String {
        let mut s = String::new();
        let mut space = false;
        for d in self.descendants(i) {
            if let Some(t) = self.text(d) {
                super::push_squashed(&mut s, 0, t, &mut space);
            }
        }
        s
    }

    /// The first element of that name, in document order.
    pub(crate) fn first(&self, name: &str) -> Option<usize> {
        (0..self.len()).find(|&i| self.is(i, name))
    }
}

/// Elements that never have content.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "keygen"
            | "basefont"
            | "bgsound"
            | "frame"
            | "image"
    )
}

/// Elements whose content is text up to their own end tag, and whether its character
/// references are decoded (`title`, `textarea`).
fn raw_text(name: &str) -> Option<bool> {
    match name {
        "script" | "style" | "noscript" | "iframe" | "xmp" | "noembed" | "noframes" => Some(false),
        "title" | "textarea" => Some(true),
        _ => None,
    }
}

/// Start tags that close an open `p` (the standard's list).
fn closes_p(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "center"
            | "details"
            | "dialog"
            | "dir"
            | "div"
            | "dl"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "header"
            | "hgroup"
            | "main"
            | "menu"
            | "nav"
            | "ol"
            | "p"
            | "search"
            | "section"
            | "summary"
            | "ul"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "pre"
            | "listing"
            | "table"
            | "hr"
            | "dd"
            | "dt"
            | "li"
            | "plaintext"
            | "xmp"
    )
}

/// The standard's "special" elements: an end tag of an inline element never closes past one.
fn is_special(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "applet"
            | "area"
            | "article"
            | "aside"
            | "base"
            | "basefont"
            | "bgsound"
            | "blockquote"
            | "body"
            | "br"
            | "button"
            | "caption"
            | "center"
            | "col"
            | "colgroup"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "embed"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "footer"
            | "form"
            | "frame"
            | "frameset"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "head"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "iframe"
            | "img"
            | "input"
            | "li"
            | "link"
            | "listing"
            | "main"
            | "marquee"
            | "menu"
            | "meta"
            | "nav"
            | "noembed"
            | "noframes"
            | "noscript"
            | "object"
            | "ol"
            | "p"
            | "param"
            | "plaintext"
            | "pre"
            | "script"
            | "search"
            | "section"
            | "select"
            | "source"
            | "style"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "template"
            | "textarea"
            | "tfoot"
            | "th"
            | "thead"
            | "title"
            | "tr"
            | "track"
            | "ul"
            | "wbr"
            | "xmp"
    )
}

/// Formatting elements: their end tag closes them even across blocks opened inside them.
fn is_formatting(name: &str) -> bool {
    matches!(
        name,
        "a" | "b"
            | "big"
            | "code"
            | "em"
            | "font"
            | "i"
            | "nobr"
            | "s"
            | "small"
            | "strike"
            | "strong"
            | "tt"
            | "u"
    )
}

/// Where a search down the stack of open elements stops (the standard's default scope).
fn bounds_scope(name: &str) -> bool {
    matches!(
        name,
        "applet" | "caption" | "html" | "table" | "td" | "th" | "marquee" | "object" | "template"
    )
}

fn is_heading(name: &str) -> bool {
    matches!(name, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_table_section(name: &str) -> bool {
    matches!(name, "tbody" | "thead" | "tfoot")
}

/// Elements that belong in `head`; any other start tag there begins the body.
fn in_head(name: &str) -> bool {
    matches!(
        name,
        "meta"
            | "link"
            | "script"
            | "style"
            | "title"
            | "base"
            | "noscript"
            | "template"
            | "basefont"
            | "bgsound"
    )
}

struct Builder<'a> {
    nodes: Vec<Node<'a>>,
    attrs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The open elements, innermost last; the document (0) is always at the bottom.
    open: Vec<u32>,
    /// The open `head`, until body content starts.
    head: Option<u32>,
    has_body: bool,
    /// How many open elements are SVG or MathML (where `<x/>` closes itself).
    foreign: usize,
}

impl<'a> Builder<'a> {
    fn top(&self) -> usize {
        // The document is never popped.
        self.open.last().copied().unwrap_or(0) as usize
    }

    fn name_at(&self, i: u32) -> &str {
        match &self.nodes[i as usize].kind {
            Kind::Element { name, .. } => name,
            _ => "",
        }
    }

    fn pop(&mut self) {
        if self.open.len() <= 1 {
            return;
        }
        if let Some(i) = self.open.pop() {
            if matches!(self.name_at(i), "svg" | "math") {
                self.foreign = self.foreign.saturating_sub(1);
            }
            self.nodes[i as usize].end = self.nodes.len() as u32;
        }
    }

    /// Pops up to and including the open element at stack position `at`.
    fn pop_to(&mut self, at: usize) {
        while self.open.len() > at.max(1) {
            self.pop();
        }
    }

    /// The stack position of the innermost open `name`, searching down until an element for
    /// which `stop` holds.
    fn find_open(&self, name: &str, stop: impl Fn(&str) -> bool) -> Option<usize> {
        for (at, &i) in self.open.iter().enumerate().skip(1).rev() {
            let n = self.name_at(i);
            if n == name {
                return Some(at);
            }
            if stop(n) {
                return None;
            }
        }
        None
    }

    fn close_p(&mut self) {
        if let Some(at) = self.find_open("p", |n| bounds_scope(n) || n == "button") {
            self.pop_to(at);
        }
    }

    fn text(&mut self, t: Cow<'a, str>) {
        if t.is_empty() {
            return;
        }
        if let Some(h) = self.head
            && self.top() == h as usize
            && !t.trim_ascii().is_empty()
        {
            self.leave_head();
        }
        let parent = self.top() as u32;
        // Texts split by a comment or an ignored tag are one text, as in a browser.
        if let Some(last) = self.nodes.last_mut()
            && last.parent == parent
            && let Kind::Text(prev) = &mut last.kind
        {
            prev.to_mut().push_str(&t);
            return;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(Node {
            kind: Kind::Text(t),
            parent,
            end: i + 1,
        });
    }

    fn leave_head(&mut self) {
        if let Some(h) = self.head.take()
            && let Some(at) = self.open.iter().rposition(|&o| o == h)
        {
            self.pop_to(at);
        }
    }

    /// Opens an element; returns its index. `closed` elements (void, or `<x/>` in SVG) get
    /// no content.
    fn start(&mut self, name: Cow<'a, str>, attrs: Range<u32>, self_closing: bool) {
        let n: &str = &name;
        match n {
            "html" => return,
            "head" if self.head.is_some() || self.has_body => return,
            "body" if self.has_body => return,
            "body" => {
                self.leave_head();
                self.has_body = true;
            }
            _ => {}
        }
        if self.head.is_some() && !in_head(n) && n != "head" {
            self.leave_head();
        }
        if self.foreign == 0 {
            self.implied_ends(n);
        }
        let i = self.nodes.len() as u32;
        let closed = is_void(n) || (self_closing && self.foreign > 0);
        let enters_foreign = matches!(n, "svg" | "math");
        let is_head = n == "head";
        self.nodes.push(Node {
            kind: Kind::Element { name, attrs },
            parent: self.top() as u32,
            end: i + 1,
        });
        if closed || (self_closing && enters_foreign) {
            return;
        }
        if enters_foreign {
            self.foreign += 1;
        }
        if is_head {
            self.head = Some(i);
        }
        self.open.push(i);
    }

    /// The ends a start tag implies for elements still open.
    fn implied_ends(&mut self, n: &str) {
        if closes_p(n) {
            self.close_p();
        }
        match n {
            "li" => {
                if let Some(at) = self.find_open("li", |o| {
                    is_special(o) && !matches!(o, "address" | "div" | "p")
                }) {
                    self.pop_to(at);
                }
            }
            "dd" | "dt" => {
                let stop = |o: &str| is_special(o) && !matches!(o, "address" | "div" | "p");
                let at = self.find_open("dd", stop).max(self.find_open("dt", stop));
                if let Some(at) = at {
                    self.pop_to(at);
                }
            }
            _ if is_heading(n) && is_heading(self.name_at(self.top() as u32)) => self.pop(),
            "option" | "optgroup" if self.name_at(self.top() as u32) == "option" => self.pop(),
            "a" => {
                if let Some(at) = self.find_open("a", is_special) {
                    self.pop_to(at);
                }
            }
            "td" | "th" | "tr" | "tbody" | "thead" | "tfoot" => {
                // A new cell closes the open cell; a new row its row too; a new section the
                // section — never past the table.
                let level = |o: &str| match o {
                    "td" | "th" => 0,
                    "tr" => 1,
                    _ if is_table_section(o) => 2,
                    _ => 3,
                };
                let mine = level(n);
                let table = self
                    .open
                    .iter()
                    .rposition(|&o| self.name_at(o) == "table")
                    .unwrap_or(0);
                let mut close = None;
                for at in (table + 1..self.open.len()).rev() {
                    let l = level(self.name_at(self.open[at]));
                    if l <= mine {
                        close = Some(at);
                    }
                }
                if let Some(at) = close {
                    self.pop_to(at);
                }
            }
            _ => {}
        }
    }

    fn end_tag(&mut self, n: &str) {
        match n {
            // Content after the body's end is the body's, as browsers read it.
            "body" | "html" => {}
            "head" => self.leave_head(),
            "p" => self.close_p(),
            "br" => {
                let i = self.nodes.len() as u32;
                self.nodes.push(Node {
                    kind: Kind::Element {
                        name: Cow::Borrowed("br"),
                        attrs: 0..0,
                    },
                    parent: self.top() as u32,
                    end: i + 1,
                });
            }
            "table" | "tbody" | "thead" | "tfoot" | "tr" => {
                if let Some(at) = self.find_open(n, |o| matches!(o, "table" | "html")) {
                    self.pop_to(at);
                }
            }
            _ if self.foreign > 0 || is_formatting(n) || is_special(n) => {
                if let Some(at) = self.find_open(n, bounds_scope) {
                    self.pop_to(at);
                }
            }
            _ => {
                if let Some(at) = self.find_open(n, is_special) {
                    self.pop_to(at);
                }
            }
        }
    }
}

/// Reads an HTML page.
pub(crate) fn parse(html: &str) -> Dom<'_> {
    let mut b = Builder {
        nodes: Vec::with_capacity(html.len() / 40 + 8),
        attrs: Vec::with_capacity(html.len() / 60 + 8),
        open: vec![0],
        head: None,
        has_body: false,
        foreign: 0,
    };
    b.nodes.push(Node {
        kind: Kind::Document,
        parent: 0,
        end: 1,
    });
    let bytes = html.as_bytes();
    let mut pos = 0;
    while pos < bytes.len() {
        let Some(lt) = memchr::memchr(b'<', &bytes[pos..]).map(|o| pos + o) else {
            b.text(decode(&html[pos..], false));
            break;
        };
        if lt > pos {
            b.text(decode(&html[pos..lt], false));
        }
        pos = match bytes.get(lt + 1) {
            Some(b'!') => markup_declaration(html, lt, &mut b),
            Some(b'?') => after_gt(bytes, lt),
            Some(b'/') => match bytes.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let (name, after) = tag_name(html, lt + 2);
                    let Some(end) = tag_end(html, after) else {
                        break; // a tag cut off by the end of the page is dropped
                    };
                    b.end_tag(&name);
                    end
                }
                Some(b'>') => lt + 3,
                Some(_) => after_gt(bytes, lt),
                None => {
                    b.text(Cow::Borrowed("</"));
                    break;
                }
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let (name, after) = tag_name(html, lt + 1);
                let first = b.attrs.len() as u32;
                let Some((end, self_closing)) = attributes(html, after, Some(&mut b.attrs)) else {
                    b.attrs.truncate(first as usize);
                    break;
                };
                let raw = raw_text(&name).filter(|_| b.foreign == 0);
                let end_name = raw.map(|_| name.clone());
                b.start(name, first..b.attrs.len() as u32, self_closing);
                match (raw, end_name) {
                    // `<script/>` is no empty script in HTML: its content follows all the same.
                    (Some(decoded), Some(name)) => {
                        let (text, after) = raw_content(html, end, &name);
                        if !text.is_empty() {
                            b.text(if decoded {
                                decode(text, false)
                            } else {
                                Cow::Borrowed(text)
                            });
                        }
                        b.end_tag(&name);
                        after
                    }
                    _ => end,
                }
            }
            _ => {
                b.text(Cow::Borrowed("<"));
                lt + 1
            }
        };
    }
    while b.open.len() > 1 {
        b.pop();
    }
    b.nodes[0].end = b.nodes.len() as u32;
    Dom {
        nodes: b.nodes,
        attrs: b.attrs,
    }
}

/// After `<!`: a comment, a CDATA section (text, in SVG or MathML), or a doctype or other
/// declaration (skipped). Returns where reading goes on.
fn markup_declaration<'a>(html: &'a str, lt: usize, b: &mut Builder<'a>) -> usize {
    let bytes = html.as_bytes();
    let rest = &bytes[lt + 2..];
    if rest.starts_with(b"--") {
        let body = lt + 4;
        // `<!-->` and `<!--->` are empty comments.
        if bytes.get(body) == Some(&b'>') {
            return body + 1;
        }
        if bytes.get(body..body + 2) == Some(b"->") {
            return body + 2;
        }
        return match memchr::memmem::find(&bytes[body..], b"-->") {
            Some(o) => body + o + 3,
            None => match memchr::memmem::find(&bytes[body..], b"--!>") {
                Some(o) => body + o + 4,
                None => bytes.len(),
            },
        };
    }
    if rest.starts_with(b"[CDATA[") && b.foreign > 0 {
        let body = lt + 9;
        return match memchr::memmem::find(&bytes[body..], b"]]>") {
            Some(o) => {
                b.text(Cow::Borrowed(&html[body..body + o]));
                body + o + 3
            }
            None => {
                b.text(Cow::Borrowed(&html[body..]));
                bytes.len()
            }
        };
    }
    after_gt(bytes, lt)
}

/// Just past the next `>` from `from`, or the end of the page.
fn after_gt(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'>', &bytes[from..]).map_or(bytes.len(), |o| from + o + 1)
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn lower<'a>(s: &'a str) -> Cow<'a, str> {
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// A tag's name from `from` (its first letter), lower-cased, and where it ends.
fn tag_name(html: &str, from: usize) -> (Cow<'_, str>, usize) {
    let bytes = html.as_bytes();
    let mut i = from;
    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
        i += 1;
    }
    (lower(&html[from..i]), i)
}

/// Just past the `>` that ends an end tag whose name ended at `from` (anything inside is
/// read as attributes and dropped), or `None` when the page ends first.
fn tag_end(html: &str, from: usize) -> Option<usize> {
    attributes(html, from, None).map(|(end, _)| end)
}

/// Reads a tag's attributes from `from` into `out` (a repeated name keeps its first value),
/// up to and past its `>`. Returns where reading goes on and whether the tag closed itself
/// (`/>`), or `None` when the page ends inside the tag.
fn attributes<'a>(
    html: &'a str,
    from: usize,
    mut out: Option<&mut Vec<(Cow<'a, str>, Cow<'a, str>)>>,
) -> Option<(usize, bool)> {
    let bytes = html.as_bytes();
    let first = out.as_ref().map_or(0, |o| o.len());
    let mut i = from;
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'>') {
                return Some((i + 2, true));
            }
            i += 1;
        }
        if *bytes.get(i)? == b'>' {
            return Some((i + 1, false));
        }
        // The name: up to a space, `/`, `>` or `=` (not counting a first `=`).
        let start = i;
        i += 1;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &html[start..i];
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let mut value = "";
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            match bytes.get(i)? {
                &q @ (b'"' | b'\'') => {
                    let close = memchr::memchr(q, &bytes[i + 1..])?;
                    value = &html[i + 1..i + 1 + close];
                    i += close + 2;
                }
                b'>' => {}
                _ => {
                    let s = i;
                    while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = &html[s..i];
                }
            }
        }
        if let Some(out) = out.as_deref_mut() {
            let name = lower(name);
            if kept_attribute(&name) && !out[first..].iter().any(|(k, _)| *k == name) {
                out.push((name, decode(value, true)));
            }
        }
    }
}

/// The attributes extraction reads; the others (`src`, `data-…`, event handlers, sizes) are
/// passed over without being decoded or kept. A test in `extract.rs` checks that every
/// attribute the extraction code asks for is here.
pub(crate) fn kept_attribute(name: &str) -> bool {
    matches!(
        name,
        "alt"
            | "aria-hidden"
            | "class"
            | "content"
            | "datetime"
            | "hidden"
            | "href"
            | "id"
            | "itemprop"
            | "name"
            | "property"
            | "rel"
            | "role"
            | "style"
            | "type"
    )
}

/// The content of a raw-text element from `from` up to its end tag `</name`, and where
/// reading goes on after that end tag (the end of the page when there is none).
fn raw_content<'a>(html: &'a str, from: usize, name: &str) -> (&'a str, usize) {
    let bytes = html.as_bytes();
    let n = name.len();
    let mut at = from;
    while let Some(o) = memchr::memchr(b'<', &bytes[at..]) {
        let lt = at + o;
        if bytes.get(lt + 1) == Some(&b'/')
            && bytes
                .get(lt + 2..lt + 2 + n)
                .is_some_and(|s| s.eq_ignore_ascii_case(name.as_bytes()))
            && bytes
                .get(lt + 2 + n)
                .is_none_or(|&c| is_space(c) || c == b'/' || c == b'>')
        {
            let end = tag_end(html, lt + 2 + n).unwrap_or(bytes.len());
            return (&html[from..lt], end);
        }
        at = lt + 1;
    }
    (&html[from..], bytes.len())
}

/// Windows-1252's characters for the numeric references 0x80–0x9F, as the standard reads them.
const C1: [u32; 32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
];

/// Decodes the character references in `s` (in an attribute value when `attribute`: there a
/// named reference without its `;` followed by a letter, digit or `=` is left as written).
pub(crate) fn decode(s: &str, attribute: bool) -> Cow<'_, str> {
    let bytes = s.as_bytes();
    let Some(first) = memchr::memchr(b'&', bytes) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    out.push_str(&s[..first]);
    let mut i = first;
    while i < bytes.len() {
        // Here bytes[i] is '&'.
        let (text, next) = reference(s, i, attribute);
        match text {
            Some(r) => out.push_str(&r),
            None => out.push('&'),
        }
        let from = next.unwrap_or(i + 1);
        let to = memchr::memchr(b'&', &bytes[from..]).map_or(bytes.len(), |o| from + o);
        out.push_str(&s[from..to]);
        i = to;
    }
    Cow::Owned(out)
}

/// The character reference at `s[at]` (an `&`): what it stands for and where reading goes on,
/// or `None` when it is no reference.
fn reference(s: &str, at: usize, attribute: bool) -> (Option<String>, Option<usize>) {
    let bytes = s.as_bytes();
    let mut i = at + 1;
    if bytes.get(i) == Some(&b'#') {
        i += 1;
        let hex = matches!(bytes.get(i), Some(b'x' | b'X'));
        if hex {
            i += 1;
        }
        let digits = i;
        let mut value: u32 = 0;
        while let Some(&c) = bytes.get(i) {
            let d = match (hex, c) {
                (_, b'0'..=b'9') => u32::from(c - b'0'),
                (true, b'a'..=b'f') => u32::from(c - b'a' + 10),
                (true, b'A'..=b'F') => u32::from(c - b'A' + 10),
                _ => break,
            };
            value = value
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d);
            i += 1;
        }
        if i == digits {
            return (None, None);
        }
        if bytes.get(i) == Some(&b';') {
            i += 1;
        }
        let value = match value {
            0x80..=0x9F => C1[(value - 0x80) as usize],
            0 => 0xFFFD,
            v => v,
        };
        let c = char::from_u32(value).unwrap_or('\u{FFFD}');
        return (Some(c.to_string()), Some(i));
    }
    // A named reference: the longest name in the table, with or without its `;`.
    let mut best: Option<(usize, (u32, u32))> = None;
    let mut j = i;
    while j < bytes.len() && j - i < 40 {
        let c = bytes[j];
        if !(c.is_ascii_alphanumeric() || c == b';') {
            break;
        }
        j += 1;
        match NAMED_ENTITIES.get(&s[i..j]) {
            Some(&m) => {
                if m.0 != 0 {
                    best = Some((j, m));
                }
            }
            None => break,
        }
        if c == b';' {
            break;
        }
    }
    let Some((end, (a, b))) = best else {
        return (None, None);
    };
    if attribute
        && bytes[end - 1] != b';'
        && bytes
            .get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'=')
    {
        return (None, None);
    }
    let mut text = String::new();
    for cp in [a, b] {
        if cp != 0 {
            text.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
        }
    }
    (Some(text), Some(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tree as a string: each element with its children in brackets, texts quoted.
    fn shape(dom: &Dom<'_>, i: usize) -> String {
        let parts: Vec<String> = dom
            .children(i)
            .map(|c| match &dom.nodes[c].kind {
                Kind::Text(t) => format!("{t:?}"),
                Kind::Element { name, .. } if dom.end(c) > c + 1 => {
                    format!("{name}[{}]", shape(dom, c))
                }
                Kind::Element { name, .. } => name.to_string(),
                Kind::Document => String::new(),
            })
            .collect();
        parts.join(" ")
    }

    fn tree(html: &str) -> String {
        shape(&parse(html), 0)
    }

    #[test]
    fn implied_ends_put_texts_where_a_browser_does() {
        assert_eq!(
            tree("<p>one<p>two<div>three</div>"),
            "p[\"one\"] p[\"two\"] div[\"three\"]"
        );
        assert_eq!(
            tree("<ul><li>a<li>b<ul><li>c</ul><li>d</ul>"),
            "ul[li[\"a\"] li[\"b\" ul[li[\"c\"]]] li[\"d\"]]"
        );
        assert_eq!(
            tree("<table><tr><td>a<td>b<tr><td>c</table>x"),
            "table[tr[td[\"a\"] td[\"b\"]] tr[td[\"c\"]]] \"x\""
        );
        // An inline end tag does not close past a block; a block's end tag closes the inline.
        assert_eq!(
            tree("<div><span>a</div>b</span>c"),
            "div[span[\"a\"]] \"bc\""
        );
        // Content after </body> stays in the body; head closes when body content starts.
        assert_eq!(
            tree("<html><head><title>T</title><div>x</div></body></html><p>y"),
            "head[title[\"T\"]] div[\"x\"] p[\"y\"]"
        );
    }

    #[test]
    fn raw_text_comments_and_references() {
        assert_eq!(
            tree(
                "<script>if (a<b) { x = '</div>'; }</script><p>&agrave; &#7871;&#x1EC7;&amp;&nbsp;&copy &notit; &#150;</p>"
            ),
            "script[\"if (a<b) { x = '</div>'; }\"] p[\"à ếệ&\\u{a0}© ¬it; –\"]"
        );
        assert_eq!(
            tree("a<!-- <p>no</p> -->b<!--->c<!DOCTYPE html>d"),
            "\"abcd\""
        );
        assert_eq!(tree("<title>a &amp; <b>b</title>"), "title[\"a & <b>b\"]");
        assert_eq!(tree("1 < 2 <3"), "\"1 < 2 <3\"");
        assert_eq!(
            tree("<svg><path/><title>t</title></svg>x"),
            "svg[path title[\"t\"]] \"x\""
        );
    }

    #[test]
    fn attributes_in_every_quoting_style() {
        let dom = parse(
            "<A HREF='/x?a=1&amp;b=2' content=\"say &quot;hi&quot;\" data-x=1 Class=top id=m hidden alt=a&copy=1 alt=second>t</a>",
        );
        let a = dom.first("a").unwrap();
        assert_eq!(dom.attr(a, "href"), Some("/x?a=1&b=2"));
        assert_eq!(dom.attr(a, "content"), Some("say \"hi\""));
        // Attributes extraction never reads are not kept.
        assert_eq!(dom.attr(a, "data-x"), None);
        assert_eq!(dom.attr(a, "class"), Some("top"));
        assert_eq!(dom.attr(a, "id"), Some("m"));
        assert_eq!(dom.attr(a, "hidden"), Some(""));
        // `&copy=` in an attribute is left as written; a repeated name keeps its first value.
        assert_eq!(dom.attr(a, "alt"), Some("a&copy=1"));
        assert_eq!(dom.text_of(a), "t");
        assert_eq!(dom.squashed_text_of(a), "t");
    }

    #[test]
    fn pages_cut_short_or_broken_give_a_document() {
        for html in [
            "",
            "<",
            "</",
            "<a href=\"x",
            "<!--",
            "<script>x",
            "<p",
            "&",
            "&#",
            "&#x;",
            "<a/ >",
            "<\u{0}>",
            "</p></p></div>",
            "<svg><![CDATA[x",
            "&#99999999999;",
        ] {
            let dom = parse(html);
            assert_eq!(dom.end(0), dom.len(), "{html:?}");
            for i in 1..dom.len() {
                assert!(
                    dom.parent(i) < i && dom.end(i) <= dom.end(dom.parent(i)),
                    "{html:?}"
                );
            }
        }
        assert_eq!(tree("<script>x"), "script[\"x\"]");
    }
}
