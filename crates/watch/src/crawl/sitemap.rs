//! Sitemaps (sitemaps.org 0.9): the page addresses of a `<urlset>` and the nested sitemaps
//! of a `<sitemapindex>`. A malformed file yields what was read before the fault.

use quick_xml::Reader;
use quick_xml::events::Event;

/// What one sitemap file lists.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Page addresses (`<url><loc>`).
    pub pages: Vec<String>,
    /// Nested sitemaps (`<sitemap><loc>`).
    pub sitemaps: Vec<String>,
    /// Set when the XML broke off; what was read before stays.
    pub error: Option<String>,
}

/// Reads at most `limit` addresses from a sitemap body.
pub fn parse(body: &[u8], limit: usize) -> Sitemap {
    let mut reader = Reader::from_reader(body);
    let mut out = Sitemap::default();
    let mut loc: Option<String> = None;
    let mut in_sitemap = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"loc" => loc = Some(String::new()),
                b"sitemap" => in_sitemap = true,
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"loc" => {
                    let text = loc.take().unwrap_or_default();
                    let text = text.trim();
                    if !text.is_empty() {
                        if in_sitemap {
                            out.sitemaps.push(text.to_owned());
                        } else {
                            out.pages.push(text.to_owned());
                        }
                    }
                    if out.pages.len() + out.sitemaps.len() >= limit {
                        break;
                    }
                }
                b"sitemap" => in_sitemap = false,
                _ => {}
            },
            Ok(Event::Text(t)) => {
                if let Some(l) = loc.as_mut() {
                    l.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(l) = loc.as_mut() {
                    l.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(l) = loc.as_mut() {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    let c = match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    if let Some(c) = c {
                        l.push(c);
                    }
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => {
                out.error = Some(format!(
                    "sitemap XML broken at byte {}: {e}",
                    reader.buffer_position()
                ));
                break;
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_urlsets_indexes_and_keeps_what_came_before_a_fault() {
        let set = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://a.example/tin/1?x=1&amp;y=2</loc><lastmod>2026-01-02</lastmod></url>
  <url><loc> https://a.example/tin/2 </loc></url>
</urlset>"#;
        let s = parse(set, 100);
        assert_eq!(
            s.pages,
            ["https://a.example/tin/1?x=1&y=2", "https://a.example/tin/2"]
        );
        assert!(s.error.is_none());
        let index = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(parse(index, 100).sitemaps, ["https://a.example/s1.xml"]);
        let broken = b"<urlset><url><loc>https://a.example/1</loc></url><url><loc>https://a.example/2</loc></urlx></urlset>";
        let s = parse(broken, 100);
        assert_eq!(s.pages[0], "https://a.example/1");
        assert!(s.error.is_some());
        assert_eq!(parse(set, 1).pages.len(), 1);
    }
}
