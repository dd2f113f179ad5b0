//! Extraction's page reader (`extract::page_texts`) against html5ever, the reference HTML5
//! parser, on every labelled page: the two must read the same characters in the same order.
//! (Whitespace is left out of the comparison: html5ever drops a newline after `<pre>` and
//! `<textarea>`, which the reader keeps; neither changes a text's words.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

mod layouts;

use std::path::Path;

use lantoa_watch::extract::{checks, page_texts};

/// What a reference parser reads: every text node's characters but whitespace, in order.
fn reference(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let mut s = String::new();
    for n in doc.tree.nodes() {
        if let scraper::Node::Text(t) = n.value() {
            s.extend(t.chars().filter(|c| !c.is_whitespace()));
        }
    }
    s
}

fn ours(html: &str) -> String {
    page_texts(html)
        .iter()
        .flat_map(|t| t.chars())
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The first place two readings part, for the failure message.
fn first_difference(a: &str, b: &str) -> String {
    let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let tail = |s: &str| {
        s.chars()
            .skip(at.saturating_sub(20))
            .take(60)
            .collect::<String>()
    };
    format!(
        "at char {at}: reader {:?} / html5ever {:?}",
        tail(a),
        tail(b)
    )
}

#[test]
fn the_reader_reads_the_fixture_and_layout_pages_as_html5ever_does() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    let sentences = layouts::sentences(&fixtures);
    let mut rng = layouts::Rng(0x5eed_1a70);
    for k in 0..layouts::LAYOUTS.len() * 12 {
        let page = layouts::page(k, &sentences, &mut rng);
        pages.push((format!("layout {k} ({})", page.layout), page.html));
    }
    assert!(pages.len() > 150, "{} pages", pages.len());
    for (name, html) in &pages {
        let (a, b) = (ours(html), reference(html));
        assert!(a == b, "{name}: {}", first_difference(&a, &b));
        if let Err(e) = checks::reader_shape(html) {
            panic!("{name}: {e}");
        }
    }
}

/// Markup that browsers repair: the same characters come out, in the same order.
#[test]
fn broken_markup_gives_the_characters_html5ever_gives() {
    for html in [
        "<p>one<p>two<div>three</div>four",
        "<ul><li>a<li>b<ul><li>c</ul><li>d</ul>",
        "<b>bold<i>both</b>italic</i>plain",
        "<div><span>a</div>b</span>c",
        "<html><head><title>T &amp; U</title><div>early body</div></head><body>x</body></html>after",
        "<script>var s = '</scr' + 'ipt>'; if (a < b && c > d) {}</script>text",
        "<style>p > a { color: red }</style><p>&eacute;&#233;&#xE9;&eacutex &amp;amp; &notin; &#128; &#0;</p>",
        "<a href=x>one<a href=y>two</a>",
        "<table><tr><td>a<td>b</tr><tr><th>c</table>",
        "<select><option>a<option>b</select>",
        "<dl><dt>t<dd>d<dt>u</dl>",
        "<h1>a<h2>b</h1>c",
        "<!-- c --><!---->x<!--y--!>z<?php echo 1 ?>w<!doctype html>v",
        "<svg><title>icon</title><path d='M0 0'/><text>svg text</text></svg>after",
        "<textarea>a <b> &lt;</textarea><title>t</title>",
        "<p>unclosed <em>emphasis",
        "<noscript><img src=x>no script</noscript>",
        "text with < and <3 and </ and </>",
    ] {
        let (a, b) = (ours(html), reference(html));
        assert!(a == b, "{html:?}: {}", first_difference(&a, &b));
        assert_eq!(checks::reader_shape(html), Ok(()), "{html:?}");
    }
}
