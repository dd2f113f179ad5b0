//! The measuring side of `cargo xtask bench watch` (not part of the product).
//!
//! ```text
//! watch_bench corpus DIR N          write N pages built from the labelled fixtures
//! watch_bench analyse DIR LIMIT [PASSES]  extract + signals + MinHash sketch over the first LIMIT pages, one thread, PASSES times
//! watch_bench crawl N               crawl an N-page site on loopback, politeness off, SQLite in a temp folder
//! watch_bench quality PEER_DIR      extraction F1 (ours and the peer's files in PEER_DIR) and per-signal P/R
//! watch_bench layouts DIR N         write N labelled pages of real-world layouts (tests/layouts)
//! watch_bench score DIR PEER_DIR    extraction F1 of ours and the peer's against DIR's expected texts, per layout
//! watch_bench agree DIR PEER_DIR    real pages: F1 of ours with the peer's text as reference, empties
//! watch_bench text FILE             the main text of one page (to look at a page the scores single out)
//! watch_bench signals DIR           signals fired on pages that show none (clean pages), per signal, as home and as article
//! ```
//! Each prints one JSON line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: a panic is the report

#[path = "../tests/layouts/mod.rs"]
mod layouts;

use lantoa_store::testing::measure::peak_rss_kb;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lantoa_watch::dedup::Sketch;
use lantoa_watch::signals::{PageView, Rules, SubjectFacts};
use lantoa_watch::{SubjectKind, extract, quality};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages")
}

use layouts::Rng;

/// A page's weight of scripts, styles and menus, as news sites carry.
fn furniture(k: usize) -> (String, String) {
    let style = format!(
        "<style>{}</style><script>{}</script>",
        ".a{color:#333;margin:0 auto;padding:4px 8px}".repeat(60),
        format!(
            "window.dataLayer=window.dataLayer||[];function g{k}(){{dataLayer.push(arguments)}}"
        )
        .repeat(40)
    );
    let menu: String = (0..60)
        .map(|i| format!("<li><a href=\"/chuyen-muc/{i}\">Chuyên mục số {i}</a></li>"))
        .collect();
    (style, format!("<ul class=\"mega-menu\">{menu}</ul>"))
}

fn corpus(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let fx = fixtures();
    let mut pages: Vec<String> = std::fs::read_dir(&fx)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    pages.sort();
    let sentences: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            extract::extract(p, None)
                .main_text
                .split(". ")
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|s| s.chars().count() > 40)
        .collect();
    let mut rng = Rng(0x1a2b_3c4d);
    for k in 0..n {
        let base = &pages[k % pages.len()];
        let extra: Vec<String> = (0..4)
            .map(|_| {
                format!(
                    "<p>{} {}. {}.</p>",
                    rng.pick(&sentences),
                    k,
                    rng.pick(&sentences)
                )
            })
            .collect();
        let (style, menu) = furniture(k);
        let page = base
            .replacen("</head>", &format!("{style}</head>"), 1)
            .replacen("<body>", &format!("<body>{menu}"), 1)
            .replacen("</h1>", &format!("</h1>{}", extra.join("")), 1);
        std::fs::write(dir.join(format!("{k:06}.html")), page).unwrap();
    }
    println!("{{\"pages\": {n}}}");
}

/// The page both programs read before their clocks start (xtask/bench/watch_peer.py has the
/// same).
const WARM_UP: &str = "<html><head><title>Warm-up</title></head><body><article><p>One paragraph of text, long enough to be read as an article, and a second sentence, with commas.</p></article><footer>Cơ quan chủ quản: Công ty A. Địa chỉ: 1 phố B. Điện thoại: 024 0000 0000. Giấy phép số 1/GP-TTĐT.</footer></body></html>";

/// `passes` reads of the pages one after another: a corpus of 110 pages takes a tenth of a
/// second, too short to time alone on a shared machine.
fn analyse(dir: &Path, limit: usize, passes: usize) {
    let rules = Rules::builtin().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    files.sort();
    files.truncate(limit);
    let facts = SubjectFacts {
        kind: SubjectKind::Website,
        host: "congdongpho.example",
        is_press: false,
    };
    let base = url::Url::parse("https://congdongpho.example/tin/").unwrap();
    let mut bytes = 0usize;
    let mut hits = 0usize;
    let mut sketches = 0usize;
    // Seconds in decoding, extraction, signals and sketching.
    let mut phase = [0f64; 4];
    // One page before the clock starts, as the peer does: patterns compiled on first use are
    // a cost per process, not per page.
    let warm = extract::extract(WARM_UP, Some(&base));
    let _ = rules.evaluate(
        &facts,
        &PageView {
            url: base.as_str(),
            home: true,
            extracted: &warm,
            press_match: None,
            harm_probability: None,
        },
    );
    let started = Instant::now();
    for f in std::iter::repeat_n(&files, passes.max(1)).flatten() {
        let body = std::fs::read(f).unwrap();
        bytes += body.len();
        let t0 = Instant::now();
        let text = lantoa_watch::crawl::charset::decode(&body, None);
        let t1 = Instant::now();
        let x = extract::extract(&text.text, Some(&base));
        let t2 = Instant::now();
        phase[0] += (t1 - t0).as_secs_f64();
        phase[1] += (t2 - t1).as_secs_f64();
        let view = PageView {
            url: base.as_str(),
            home: false,
            extracted: &x,
            press_match: None,
            harm_probability: None,
        };
        let t3 = Instant::now();
        hits += rules.evaluate(&facts, &view).len();
        let t4 = Instant::now();
        sketches += usize::from(Sketch::of(&x.main_text).is_some());
        phase[2] += (t4 - t3).as_secs_f64();
        phase[3] += t4.elapsed().as_secs_f64();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"pages\": {}, \"seconds\": {secs:.3}, \"pages_per_s\": {:.1}, \"mb\": {:.1}, \"hits\": {hits}, \"sketches\": {sketches}, \"peak_rss_kb\": {}, \"phase_seconds\": {{\"decode\": {:.3}, \"extract\": {:.3}, \"signals\": {:.3}, \"sketch\": {:.3}}}}}",
        files.len() * passes.max(1),
        (files.len() * passes.max(1)) as f64 / secs,
        bytes as f64 / 1e6,
        peak_rss_kb(),
        phase[0],
        phase[1],
        phase[2],
        phase[3]
    );
}

async fn crawl(n: usize) {
    use axum::extract::Path as P;
    let page = move |i: usize| -> String {
        let links: String = (1..=5)
            .map(|d| {
                format!(
                    "<a href=\"/p/{}\">Tin {}</a> ",
                    (i * 5 + d) % n,
                    (i * 5 + d) % n
                )
            })
            .collect();
        format!(
            "<html><head><title>Trang {i}</title></head><body><div class=\"content\"><p>Bản tin số {i} của trang thử: giá rau xanh tại các chợ dân sinh ổn định, người dân mua sắm bình thường.</p></div>{links}</body></html>"
        )
    };
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(page(0)) }),
        )
        .route(
            "/p/{i}",
            axum::routing::get(move |P(i): P<usize>| async move { axum::response::Html(page(i)) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    // The bench's audit rows are keyed as the server keys them (a key for this run only).
    lantoa_store::audit::use_key([0x5a; 32]).unwrap();
    let db = lantoa_store::Db::connect(&url).await.unwrap();
    lantoa_store::migrate::run(
        &db,
        &[
            &lantoa_store::MIGRATIONS,
            &lantoa_registry::MIGRATIONS,
            &lantoa_watch::MIGRATIONS,
        ],
    )
    .await
    .unwrap();
    let watch = lantoa_watch::Watch::new(db.clone(), lantoa_registry::Registry::new(db.clone()));
    let subject = watch
        .create(
            "bench",
            &lantoa_watch::NewSubject::new(SubjectKind::Website, "http://bench.example/", "Bench"),
        )
        .await
        .unwrap();
    let crawler = lantoa_watch::Crawler::new(
        db.clone(),
        watch,
        lantoa_store::blob::BlobStore::new(db.clone(), dir.path().join("blobs")),
        lantoa_watch::crawl::fetch::FetchConfig {
            policy: lantoa_watch::crawl::guard::AddressPolicy {
                allow_private: true,
            },
            overrides: vec![("bench.example".into(), addr)],
            ..Default::default()
        },
        lantoa_watch::CrawlLimits {
            max_pages: n,
            max_depth: 1000,
            connections: 32,
            delay: Duration::ZERO,
            sitemap_pages: 0,
        },
        Arc::new(Rules::builtin().unwrap()),
    )
    .unwrap();
    let queued = crawler.enqueue("bench", subject.id).await.unwrap();
    let started = Instant::now();
    let last_page = std::sync::Mutex::new(started);
    let done = crawler
        .run(queued.id, &|_| {
            if let Ok(mut t) = last_page.lock() {
                *t = Instant::now();
            }
        })
        .await
        .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let walk = (*last_page.lock().unwrap() - started).as_secs_f64();
    println!(
        "{{\"pages\": {}, \"seconds\": {secs:.3}, \"pages_per_s\": {:.1}, \"fetch_seconds\": {walk:.3}, \"analyse_seconds\": {:.3}, \"failed\": {}}}",
        done.pages_ok,
        done.pages_ok as f64 / secs,
        secs - walk,
        done.pages_failed
    );
}

fn quality_report(peer: &Path) {
    let fx = fixtures();
    let rules = Rules::builtin().unwrap();
    let ours = quality::evaluate(&fx, &rules).unwrap();
    let mut peer_sum = 0.0;
    let mut n = 0usize;
    for (file, _) in &ours.f1 {
        let want = std::fs::read_to_string(fx.join(file.replace(".html", ".txt"))).unwrap();
        let got =
            std::fs::read_to_string(peer.join(file.replace(".html", ".txt"))).unwrap_or_default();
        peer_sum += quality::token_f1(&got, &want).2;
        n += 1;
    }
    let signals: Vec<String> = ours
        .signals
        .iter()
        .map(|(id, c)| {
            format!(
                "{{\"signal\": \"{id}\", \"tp\": {}, \"fp\": {}, \"fn\": {}}}",
                c.tp, c.fp, c.fne
            )
        })
        .collect();
    println!(
        "{{\"pages\": {n}, \"ours_f1\": {:.4}, \"peer_f1\": {:.4}, \"signals\": [{}]}}",
        ours.mean_f1,
        peer_sum / n as f64,
        signals.join(", ")
    );
}

/// The `.html` files of `dir`, in name order.
fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "html"))
        .collect();
    files.sort();
    files
}

/// Real pages no one here wrote: how far Lantoa's main text is from the peer's (token F1 with
/// the peer's text as the reference), how many come out empty, and the analysis rate.
fn agree(dir: &Path, peer: &Path) {
    let files = html_files(dir);
    let (mut sum, mut empty, mut peer_empty, mut bytes) = (0.0, 0usize, 0usize, 0usize);
    let mut rows = Vec::new();
    for f in &files {
        let body = std::fs::read(f).unwrap();
        bytes += body.len();
        let text = lantoa_watch::crawl::charset::decode(&body, None);
        let x = extract::extract(&text.text, None);
        let name = f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .replace(".html", ".txt");
        let want = std::fs::read_to_string(peer.join(&name)).unwrap_or_default();
        let f1 = quality::token_f1(&x.main_text, &want).2;
        empty += usize::from(x.main_text.trim().is_empty());
        peer_empty += usize::from(want.trim().is_empty());
        sum += f1;
        rows.push((f1, name, x.main_text.chars().count(), want.chars().count()));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (f1, name, ours, theirs) in rows.iter().take(40) {
        eprintln!("{f1:.3} {name} ours {ours} chars, peer {theirs}");
    }
    println!(
        "{{\"pages\": {}, \"mean_kb\": {:.0}, \"f1_vs_peer\": {:.4}, \"empty\": {empty}, \"peer_empty\": {peer_empty}}}",
        files.len(),
        bytes as f64 / 1024.0 / files.len().max(1) as f64,
        sum / files.len().max(1) as f64
    );
}

/// Extraction's page reader against html5ever on pages no one here wrote: on how many pages
/// both read the same characters in the same order (whitespace aside), and the first
/// difference on each other page.
fn reader(dir: &Path) {
    let files = html_files(dir);
    let mut same = 0usize;
    for f in &files {
        let body = std::fs::read(f).unwrap();
        let text = lantoa_watch::crawl::charset::decode(&body, None).text;
        let ours: String = extract::page_texts(&text)
            .iter()
            .flat_map(|t| t.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        let doc = scraper::Html::parse_document(&text);
        let mut reference = String::new();
        for n in doc.tree.nodes() {
            if let scraper::Node::Text(t) = n.value() {
                reference.extend(t.chars().filter(|c| !c.is_whitespace()));
            }
        }
        if ours == reference {
            same += 1;
        } else {
            let at = ours
                .chars()
                .zip(reference.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let tail = |s: &str| {
                s.chars()
                    .skip(at.saturating_sub(30))
                    .take(80)
                    .collect::<String>()
            };
            eprintln!(
                "{}: from char {at}: reader {:?} / html5ever {:?}",
                f.display(),
                tail(&ours),
                tail(&reference)
            );
        }
    }
    println!("{{\"pages\": {}, \"same_text\": {same}}}", files.len());
}

/// Extraction F1 of Lantoa and of the peer against each labelled page's expected text, in
/// all and per layout, with the number of empty outputs.
fn score(dir: &Path, peer: &Path) {
    let files = html_files(dir);
    // layout -> (pages, ours, peer, our empties, peer empties)
    let mut by: std::collections::BTreeMap<String, (usize, f64, f64, usize, usize)> =
        Default::default();
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        let layout = stem.split_once('-').map_or("", |x| x.1).to_owned();
        let html = std::fs::read_to_string(f).unwrap();
        let want = std::fs::read_to_string(dir.join(format!("{stem}.txt"))).unwrap();
        let ours = extract::extract(&html, None).main_text;
        let theirs = std::fs::read_to_string(peer.join(format!("{stem}.txt"))).unwrap_or_default();
        for key in [layout, "all".to_owned()] {
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += quality::token_f1(&ours, &want).2;
            e.2 += quality::token_f1(&theirs, &want).2;
            e.3 += usize::from(ours.trim().is_empty());
            e.4 += usize::from(theirs.trim().is_empty());
        }
    }
    let rows: Vec<String> = by
        .iter()
        .map(|(k, (n, o, t, oe, te))| {
            format!(
                "{{\"layout\": \"{k}\", \"pages\": {n}, \"ours_f1\": {:.4}, \"peer_f1\": {:.4}, \"ours_empty\": {oe}, \"peer_empty\": {te}}}",
                o / *n as f64,
                t / *n as f64
            )
        })
        .collect();
    println!("{{\"layouts\": [{}]}}", rows.join(", "));
}

/// Every signal fired on pages written to show none, each page read once as a home page and
/// once as an article: all are false positives.
fn clean_signals(dir: &Path) {
    let rules = Rules::builtin().unwrap();
    let files = html_files(dir);
    let facts = SubjectFacts {
        kind: SubjectKind::Website,
        host: "clean.example",
        is_press: false,
    };
    let mut fired: std::collections::BTreeMap<String, usize> = Default::default();
    // The page's own address, from its canonical link or og:url, so that its own links are
    // its own and outbound ones outbound.
    let canonical = regex::Regex::new(
        r#"(?i)<(?:link[^>]+rel=["']canonical["'][^>]+href|meta[^>]+property=["']og:url["'][^>]+content)=["']([^"']+)["']"#,
    )
    .unwrap();
    let mut based = 0;
    for f in &files {
        let body = std::fs::read(f).unwrap();
        let text = lantoa_watch::crawl::charset::decode(&body, None);
        let base = canonical
            .captures(&text.text)
            .and_then(|c| url::Url::parse(&c[1]).ok());
        based += usize::from(base.is_some());
        let x = extract::extract(&text.text, base.as_ref());
        for home in [true, false] {
            let view = PageView {
                url: if home {
                    "https://clean.example/"
                } else {
                    "https://clean.example/a"
                },
                home,
                extracted: &x,
                press_match: None,
                harm_probability: None,
            };
            for hit in rules.evaluate(&facts, &view) {
                eprintln!(
                    "{} {} {}",
                    f.display(),
                    hit.rule,
                    hit.evidence.chars().take(120).collect::<String>()
                );
                *fired.entry(hit.rule).or_default() += 1;
            }
        }
    }
    let rows: Vec<String> = fired
        .iter()
        .map(|(k, n)| format!("{{\"signal\": \"{k}\", \"fired\": {n}}}"))
        .collect();
    println!(
        "{{\"pages\": {}, \"with_address\": {based}, \"fired\": [{}]}}",
        files.len(),
        rows.join(", ")
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("corpus") => corpus(Path::new(&args[1]), args[2].parse().unwrap()),
        Some("analyse") => analyse(
            Path::new(&args[1]),
            args[2].parse().unwrap(),
            args.get(3).map_or(1, |p| p.parse().unwrap()),
        ),
        Some("crawl") => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(crawl(args[1].parse().unwrap())),
        Some("quality") => quality_report(Path::new(&args[1])),
        Some("layouts") => {
            layouts::write(Path::new(&args[1]), &fixtures(), args[2].parse().unwrap()).unwrap()
        }
        Some("signals") => clean_signals(Path::new(&args[1])),
        Some("text") => {
            let body = std::fs::read(&args[1]).unwrap();
            let text = lantoa_watch::crawl::charset::decode(&body, None);
            println!("{}", extract::extract(&text.text, None).main_text);
        }
        Some("score") => score(Path::new(&args[1]), Path::new(&args[2])),
        Some("agree") => agree(Path::new(&args[1]), Path::new(&args[2])),
        Some("reader") => reader(Path::new(&args[1])),
        _ => eprintln!(
            "usage: watch_bench corpus DIR N | analyse DIR LIMIT | crawl N | quality PEER_DIR"
        ),
    }
}
