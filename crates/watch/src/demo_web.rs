//! The demo city's fictional web (`data/demo-web/`): a licensed newspaper, a clean general
//! website, one with báo hóa signs, one carrying gambling ads, one selling a health food as
//! medicine and a social account arranged like a newspaper — all on fictitious `.example`
//! hosts, served on loopback by `lantoa serve --demo` and by the crawl tests. The crawler
//! reaches them through resolver overrides ([`crate::crawl::fetch::FetchConfig::overrides`]).

use std::net::SocketAddr;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// `(host, file, content)` of every page.
pub const PAGES: &[(&str, &str, &str)] = &[
    (
        "facebook.example",
        "tintucphoco.html",
        include_str!("../../../data/demo-web/facebook.example/tintucphoco.html"),
    ),
    (
        "songhongxanh24h.example",
        "dieu-tra__bai-1.html",
        include_str!("../../../data/demo-web/songhongxanh24h.example/dieu-tra__bai-1.html"),
    ),
    (
        "songhongxanh24h.example",
        "index.html",
        include_str!("../../../data/demo-web/songhongxanh24h.example/index.html"),
    ),
    (
        "songhongxanh24h.example",
        "thoi-su__phan-luong.html",
        include_str!("../../../data/demo-web/songhongxanh24h.example/thoi-su__phan-luong.html"),
    ),
    (
        "suckhoe-hotay.example",
        "index.html",
        include_str!("../../../data/demo-web/suckhoe-hotay.example/index.html"),
    ),
    (
        "suckhoe-hotay.example",
        "san-pham__vien-xuong-khop.html",
        include_str!("../../../data/demo-web/suckhoe-hotay.example/san-pham__vien-xuong-khop.html"),
    ),
    (
        "thanglong-giaitri.example",
        "index.html",
        include_str!("../../../data/demo-web/thanglong-giaitri.example/index.html"),
    ),
    (
        "thanglong-giaitri.example",
        "the-thao__nhan-dinh.html",
        include_str!("../../../data/demo-web/thanglong-giaitri.example/the-thao__nhan-dinh.html"),
    ),
    (
        "tinthudo.example",
        "doi-song__gia-rau-tang.html",
        include_str!("../../../data/demo-web/tinthudo.example/doi-song__gia-rau-tang.html"),
    ),
    (
        "tinthudo.example",
        "giao-thong__phan-luong-vanh-dai.html",
        include_str!(
            "../../../data/demo-web/tinthudo.example/giao-thong__phan-luong-vanh-dai.html"
        ),
    ),
    (
        "tinthudo.example",
        "index.html",
        include_str!("../../../data/demo-web/tinthudo.example/index.html"),
    ),
    (
        "tinthudo.example",
        "robots.txt",
        include_str!("../../../data/demo-web/tinthudo.example/robots.txt"),
    ),
    (
        "tinthudo.example",
        "sitemap.xml",
        include_str!("../../../data/demo-web/tinthudo.example/sitemap.xml"),
    ),
    (
        "tintuc-phoco.example",
        "index.html",
        include_str!("../../../data/demo-web/tintuc-phoco.example/index.html"),
    ),
    (
        "tintuc-phoco.example",
        "tong-hop__phan-luong-vanh-dai.html",
        include_str!(
            "../../../data/demo-web/tintuc-phoco.example/tong-hop__phan-luong-vanh-dai.html"
        ),
    ),
];

/// The hosts served.
pub fn hosts() -> Vec<&'static str> {
    let mut h: Vec<&str> = PAGES.iter().map(|(host, _, _)| *host).collect();
    h.dedup();
    h
}

/// The file serving `path`: `/` is `index.html`, `/a/b` is `a__b.html`, and names with an
/// extension (`robots.txt`, `sitemap.xml`) are themselves.
pub fn file_for(path: &str) -> String {
    let p = path.trim_matches('/');
    if p.is_empty() {
        "index.html".to_owned()
    } else if p.contains('.') {
        p.replace('/', "__")
    } else {
        format!("{}.html", p.replace('/', "__"))
    }
}

/// The page for `host` and `path`, with its media type.
pub fn page(host: &str, path: &str) -> Option<(&'static str, &'static str)> {
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let file = file_for(path);
    PAGES
        .iter()
        .find(|(h, f, _)| *h == host && *f == file)
        .map(|(_, f, body)| {
            let media = if f.ends_with(".xml") {
                "application/xml"
            } else if f.ends_with(".txt") {
                "text/plain; charset=utf-8"
            } else {
                "text/html; charset=utf-8"
            };
            (media, *body)
        })
}

async fn serve_page(fixed: crate::demo_year::FixedHosts, req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bare = host.split(':').next().unwrap_or(&host).to_ascii_lowercase();
    if req.uri().path() == "/"
        && let Some(html) = crate::demo_year::page(&bare, &fixed)
    {
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    }
    match page(&host, req.uri().path()) {
        Some((media, body)) => {
            // A strong validator from the content, so re-crawls are answered 304.
            let etag = format!(
                "\"{}\"",
                &crate::capture::warc::digest(body.as_bytes())[7..23]
            );
            let fresh = req
                .headers()
                .get(header::IF_NONE_MATCH)
                .is_some_and(|v| v.as_bytes() == etag.as_bytes());
            if fresh {
                (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response()
            } else {
                (
                    [
                        (header::CONTENT_TYPE, media.to_owned()),
                        (header::ETAG, etag),
                    ],
                    body,
                )
                    .into_response()
            }
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The router serving every demo host by its `Host` header.
pub fn router() -> axum::Router {
    router_with(crate::demo_year::FixedHosts::default())
}

/// The router, serving the year's sites that `fixed` lists clean.
pub fn router_with(fixed: crate::demo_year::FixedHosts) -> axum::Router {
    axum::Router::new().fallback(move |req: Request| serve_page(fixed.clone(), req))
}

/// The resolver overrides that send every demo host (the year's sites too) to `addr`.
pub fn overrides(addr: SocketAddr) -> Vec<(String, SocketAddr)> {
    hosts()
        .into_iter()
        .map(str::to_owned)
        .chain(crate::demo_year::hosts())
        .map(|h| (h, addr))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/thoi-su/phan-luong"), "thoi-su__phan-luong.html");
        assert_eq!(file_for("/robots.txt"), "robots.txt");
        assert!(page("tinthudo.example:8080", "/").is_some());
        assert!(page("tinthudo.example", "/nothing").is_none());
        assert!(hosts().contains(&"songhongxanh24h.example"));
    }
}
