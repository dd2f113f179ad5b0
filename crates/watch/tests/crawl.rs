//! Crawl contract: the demo city's fictional web and a misbehaving host, served on loopback,
//! crawled through the job's code path; findings, captures, reviews and bad input checked.
//! Runs on SQLite in `cargo test` and on PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use lantoa_registry::Registry;
use lantoa_store::blob::BlobStore;
use lantoa_store::testing::TestDb;
use lantoa_watch::capture::warc;
use lantoa_watch::crawl::fetch::FetchConfig;
use lantoa_watch::crawl::guard::AddressPolicy;
use lantoa_watch::signals::Rules;
use lantoa_watch::{
    CrawlLimits, Crawler, Decision, FindingQuery, NewSubject, SubjectKind, Watch, demo_web,
};

/// A host that misbehaves in every way the crawler must survive.
fn bad_host() -> axum::Router {
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(
            "<html><body><p>Nội dung nén gzip, giải nén đúng.</p></body></html>".as_bytes(),
        )
        .unwrap();
        e.finish().unwrap()
    };
    // "Tiếng Việt" in Windows-1258 with a combining tone mark, declared in the header.
    let cp1258: Vec<u8> = b"<html><body><p>Ti\xea\xecng Vi\xea\xf2t trong Windows-1258 ph\xe1i \xf0\xfd\xf5c gi\xe3i m\xe3.</p></body></html>".to_vec();
    axum::Router::new()
        .route(
            "/",
            get(|| async {
                axum::response::Html(
                    r#"<html><body><p>Trang thử lỗi của máy chủ hỏng.</p>
<a href="/loop-a">vòng</a><a href="/chain/1">chuỗi</a><a href="/huge">lớn</a><a href="/anh">ảnh</a>
<a href="/cham">chậm</a><a href="/khong-co">404</a><a href="/cp1258">mã</a><a href="/gz">nén</a>
<a href="/hong">hỏng</a><a href="/cam/x">cấm</a><a href="http://[::1">sai</a></body></html>"#,
                )
            }),
        )
        .route(
            "/robots.txt",
            get(|| async { "User-agent: *\nDisallow: /cam/\n" }),
        )
        .route(
            "/loop-a",
            get(|| async { axum::response::Redirect::temporary("/loop-b") }),
        )
        .route(
            "/loop-b",
            get(|| async { axum::response::Redirect::temporary("/loop-a") }),
        )
        .route(
            "/chain/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    axum::response::Redirect::temporary(&format!("/chain/{}", n + 1))
                },
            ),
        )
        .route(
            "/huge",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<p>x</p>".repeat(200_000),
                )
            }),
        )
        .route(
            "/anh",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/png")],
                    vec![0x89u8, b'P', b'N', b'G', 0, 1, 2],
                )
            }),
        )
        .route(
            "/cham",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/cp1258",
            get(move || {
                let b = cp1258.clone();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/html; charset=windows-1258")],
                        b,
                    )
                }
            }),
        )
        .route(
            "/gz",
            get(move || {
                let b = gz.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                            (header::CONTENT_ENCODING, "gzip"),
                        ],
                        b,
                    )
                }
            }),
        )
        .route(
            "/hong",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    b"<html><body><p>\x00\xff\xfe<<<div <p>broken".to_vec(),
                )
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "không có").into_response() })
}

async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

struct Setup {
    t: TestDb,
    watch: Watch,
    crawler: Crawler,
    blobs: BlobStore,
}

async fn setup(allow_private: bool) -> Setup {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &lantoa_watch::MIGRATIONS])
        .await
        .unwrap();
    let registry = Registry::new(t.db.clone());
    registry
        .load_demo("test", lantoa_registry::DEMO_CITY)
        .await
        .unwrap();
    let watch = Watch::new(t.db.clone(), registry);
    let report = watch
        .import_csv("test", lantoa_watch::DEMO_SUBJECTS.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.rejected, 0, "{:?}", report.rows);
    let demo = serve(demo_web::router()).await;
    let bad = serve(bad_host()).await;
    let mut overrides = demo_web::overrides(demo);
    overrides.push(("bad.example".into(), bad));
    let fetch = FetchConfig {
        policy: AddressPolicy { allow_private },
        timeout: Duration::from_secs(1),
        max_body: 1024 * 1024,
        overrides,
        ..FetchConfig::default()
    };
    let limits = CrawlLimits {
        delay: Duration::ZERO,
        connections: 4,
        ..CrawlLimits::default()
    };
    let blobs = BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
    let crawler = Crawler::new(
        t.db.clone(),
        watch.clone(),
        blobs.clone(),
        fetch,
        limits,
        Arc::new(Rules::builtin().unwrap()),
    )
    .unwrap();
    Setup {
        t,
        watch,
        crawler,
        blobs,
    }
}

async fn crawl_url(s: &Setup, url: &str) -> lantoa_watch::Crawl {
    let subject = s.watch.find_by_url(url).await.unwrap().unwrap();
    let queued = s.crawler.enqueue("lan.nt", subject.id).await.unwrap();
    assert_eq!(queued.status, "queued");
    s.crawler.run(queued.id, &|_| {}).await.unwrap()
}

async fn rules_found(s: &Setup, url: &str) -> Vec<String> {
    let subject = s.watch.find_by_url(url).await.unwrap().unwrap();
    let mut r: Vec<String> = s
        .watch
        .findings(&FindingQuery {
            subject_id: Some(subject.id),
            limit: 500,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.rule_id)
        .collect();
    r.sort();
    r.dedup();
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_web_yields_the_findings_each_site_was_written_for() {
    let s = setup(true).await;
    // The press site first: its articles are what the others may copy.
    let press = crawl_url(&s, "http://tinthudo.example/").await;
    assert_eq!(press.status, "done");
    let pages = s.crawler.pages(press.id, 100).await.unwrap();
    let urls: Vec<&str> = pages.iter().map(|p| p.url.as_str()).collect();
    assert!(
        urls.contains(&"http://tinthudo.example/doi-song/gia-rau-tang"),
        "sitemap followed: {urls:?}"
    );
    let disallowed = pages
        .iter()
        .find(|p| p.url.ends_with("/quan-tri/bai-nhap"))
        .unwrap();
    assert_eq!(disallowed.failure.as_deref(), Some("robots_disallow"));
    assert!(
        disallowed.warc_sha256.is_none(),
        "a disallowed page is not fetched"
    );
    assert!(
        rules_found(&s, "http://tinthudo.example/")
            .await
            .iter()
            .all(|r| !r.starts_with("baohoa."))
    );

    let fake = crawl_url(&s, "http://songhongxanh24h.example/").await;
    assert_eq!(fake.status, "done");
    let found = rules_found(&s, "http://songhongxanh24h.example/").await;
    for rule in [
        "baohoa.newsroom_words",
        "baohoa.staff_press_titles",
        "baohoa.own_reporting_without_source",
        "baohoa.republished_press",
        "baohoa.comments_open",
        "baohoa.owner_block_incomplete",
        "baohoa.masthead_press_words",
        "baohoa.no_self_designation",
        "baohoa.domain_press_word",
    ] {
        assert!(
            found.contains(&rule.to_owned()),
            "{rule} missing from {found:?}"
        );
    }

    crawl_url(&s, "http://tintuc-phoco.example/").await;
    assert_eq!(
        rules_found(&s, "http://tintuc-phoco.example/").await,
        ["baohoa.domain_press_word"]
    );

    crawl_url(&s, "http://thanglong-giaitri.example/").await;
    let ads = rules_found(&s, "http://thanglong-giaitri.example/").await;
    for rule in [
        "ads.gambling",
        "ads.gambling_brand",
        "ads.hidden_links",
        "ads.listed_violating_site",
    ] {
        assert!(
            ads.contains(&rule.to_owned()),
            "{rule} missing from {ads:?}"
        );
    }
    crawl_url(&s, "http://suckhoe-hotay.example/").await;
    assert!(
        rules_found(&s, "http://suckhoe-hotay.example/")
            .await
            .contains(&"ads.health_food_as_medicine".to_owned())
    );
    crawl_url(&s, "http://facebook.example/tintucphoco").await;
    assert!(
        rules_found(&s, "http://facebook.example/tintucphoco")
            .await
            .contains(&"baohoa.press_sections_on_social_network".to_owned())
    );

    // Scores: the báo hóa site is flagged, the clean one is not.
    let scores = s.watch.scores(None, 0.5).await.unwrap();
    let flagged: Vec<(&str, &str)> = scores
        .iter()
        .map(|s| (s.subject_name.as_str(), s.category.as_str()))
        .collect();
    assert!(
        flagged.contains(&("Sông Hồng Xanh 24h", "bao_hoa")),
        "{flagged:?}"
    );
    assert!(
        flagged.contains(&("Thăng Long Giải Trí", "advertising")),
        "{flagged:?}"
    );
    assert!(
        flagged.contains(&("Sức Khỏe Hồ Tây", "advertising")),
        "{flagged:?}"
    );
    assert!(
        !flagged.iter().any(|(n, _)| *n == "Tin tức Phố Cổ"),
        "{flagged:?}"
    );

    // Every finding points at a capture whose bytes hold what the evidence quotes.
    let all = s
        .watch
        .findings(&FindingQuery {
            limit: 500,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let gambling = all.iter().find(|f| f.rule_id == "ads.gambling").unwrap();
    let record = s
        .blobs
        .get(gambling.warc_sha256.as_deref().unwrap())
        .await
        .unwrap();
    let rec = warc::read(&record).unwrap();
    assert_eq!(rec.field("WARC-Target-URI"), Some(gambling.url.as_str()));
    let body = String::from_utf8_lossy(rec.http_body()).to_string();
    let quoted = gambling
        .evidence
        .split('“')
        .nth(1)
        .unwrap()
        .split('”')
        .next()
        .unwrap();
    assert!(
        body.contains(quoted),
        "evidence {quoted:?} is in the capture"
    );
    let copied = all
        .iter()
        .find(|f| f.rule_id == "baohoa.republished_press")
        .unwrap();
    assert!(
        copied
            .evidence
            .contains("tinthudo.example/giao-thong/phan-luong-vanh-dai"),
        "{}",
        copied.evidence
    );
    assert!(copied.evidence.contains("20 phút"), "{}", copied.evidence);

    // The period's figures come from the same records: the five websites crawled here (the
    // newspaper and four general sites; the social page is not a website), and every subject
    // with a báo hóa finding.
    let f = s.watch.figures(0, i64::MAX).await.unwrap();
    let bao_hoa: std::collections::HashSet<i64> = all
        .iter()
        .filter(|f| f.category.as_str() == "bao_hoa")
        .map(|f| f.subject_id)
        .collect();
    assert_eq!(f.sites_with_bao_hoa_signs, bao_hoa.len() as i64, "{f:?}");
    assert!(bao_hoa.len() >= 3, "{bao_hoa:?}");
    assert_eq!(f.websites_reviewed, 5, "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recrawl_is_conditional_and_keeps_reviewers_decisions() {
    let s = setup(true).await;
    let first = crawl_url(&s, "http://songhongxanh24h.example/").await;
    let subject = s
        .watch
        .find_by_url("http://songhongxanh24h.example/")
        .await
        .unwrap()
        .unwrap();
    let findings = s
        .watch
        .findings(&FindingQuery {
            subject_id: Some(subject.id),
            limit: 500,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let all_comments: Vec<_> = findings
        .iter()
        .filter(|f| f.rule_id == "baohoa.comments_open")
        .collect();
    assert_eq!(all_comments.len(), 2, "both articles take comments");
    for c in &all_comments {
        let dismissed = s
            .watch
            .review(
                "ha.tt",
                c.id,
                Decision::Dismissed,
                "khung bình luận đã đóng sau khi nhắc",
            )
            .await
            .unwrap();
        assert_eq!(dismissed.status, "dismissed");
        assert_eq!(dismissed.reviewed_by.as_deref(), Some("ha.tt"));
    }
    let comments = all_comments[0];
    let newsroom = findings
        .iter()
        .find(|f| f.rule_id == "baohoa.newsroom_words")
        .unwrap();
    s.watch
        .review("ha.tt", newsroom.id, Decision::Confirmed, "")
        .await
        .unwrap();

    let with_validators = s
        .crawler
        .pages(first.id, 100)
        .await
        .unwrap()
        .iter()
        .filter(|p| p.http_status == Some(200) && !p.url.ends_with("robots.txt"))
        .count();
    assert!(with_validators >= 3);
    let second = crawl_url(&s, "http://songhongxanh24h.example/").await;
    assert!(second.id > first.id);
    assert_eq!(
        second.pages_unchanged as usize, with_validators,
        "{first:?} {second:?}"
    );
    assert_eq!(
        second.pages_ok,
        first.pages_ok - with_validators as i64,
        "{first:?} {second:?}"
    );
    let after = s
        .watch
        .findings(&FindingQuery {
            subject_id: Some(subject.id),
            limit: 500,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        after.len(),
        findings.len(),
        "a re-crawl does not duplicate findings"
    );
    let c = after.iter().find(|f| f.id == comments.id).unwrap();
    assert_eq!(c.status, "dismissed");
    assert_eq!(c.last_crawl_id, second.id);
    assert_eq!(
        after.iter().find(|f| f.id == newsroom.id).unwrap().status,
        "confirmed"
    );
    let score = s.watch.scores(Some(subject.id), 0.0).await.unwrap();
    let bao_hoa = score
        .iter()
        .find(|s| s.category.as_str() == "bao_hoa")
        .unwrap();
    assert!(
        !bao_hoa
            .because
            .iter()
            .any(|(r, _)| r == "baohoa.comments_open"),
        "{:?}",
        bao_hoa.because
    );
    assert!(matches!(
        s.watch
            .review("ha.tt", 999_999, Decision::Confirmed, "")
            .await,
        Err(lantoa_watch::Error::NotFound {
            entity: "finding",
            id: 999_999
        })
    ));
    // A crawl that is not there is named as a crawl, not as a subject.
    let e = s.crawler.crawl(999_999).await.unwrap_err();
    assert_eq!(e.to_string(), "No crawl 999999.");
    assert_eq!(
        lantoa_core::msg::Describe::message(&e).text(lantoa_core::Lang::Vi),
        "Không có lượt thu thập số 999999."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misbehaving_host_records_every_bad_page_with_its_reason_and_the_crawl_goes_on() {
    let s = setup(true).await;
    let subject = s
        .watch
        .create(
            "lan.nt",
            &NewSubject::new(SubjectKind::Website, "http://bad.example/", "Máy chủ hỏng"),
        )
        .await
        .unwrap();
    let queued = s.crawler.enqueue("lan.nt", subject.id).await.unwrap();
    let again = s.crawler.enqueue("lan.nt", subject.id).await.unwrap();
    assert_eq!(again.id, queued.id, "a queued crawl is not queued twice");
    let seen = std::sync::Mutex::new(Vec::new());
    let crawl = s
        .crawler
        .run(queued.id, &|e| seen.lock().unwrap().push(e.url.clone()))
        .await
        .unwrap();
    assert_eq!(crawl.status, "done");
    let pages = s.crawler.pages(crawl.id, 200).await.unwrap();
    assert_eq!(
        seen.lock().unwrap().len(),
        pages
            .iter()
            .filter(|p| !p.url.ends_with("robots.txt") && !p.url.ends_with("sitemap.xml"))
            .count()
    );
    let by = |suffix: &str| {
        pages
            .iter()
            .find(|p| p.url.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} in {pages:#?}"))
    };
    assert_eq!(by("/loop-a").failure.as_deref(), Some("redirect_loop"));
    assert_eq!(
        by("/chain/1").failure.as_deref(),
        Some("too_many_redirects"),
        "{:?}",
        by("/chain/1")
    );
    let huge = by("/huge");
    assert_eq!(huge.failure.as_deref(), Some("truncated"));
    assert!(huge.truncated && huge.warc_sha256.is_some());
    assert_eq!(huge.bytes, Some(1024 * 1024));
    assert_eq!(by("/anh").failure.as_deref(), Some("not_html"));
    assert!(
        by("/anh").warc_sha256.is_some(),
        "a binary body is still captured"
    );
    assert_eq!(by("/cham").failure.as_deref(), Some("timeout"));
    // An error page is captured as what the site answered, but not read as its content.
    let missing = by("/khong-co");
    assert_eq!(missing.http_status, Some(404));
    assert_eq!(missing.failure.as_deref(), Some("http_error"));
    assert!(
        missing.warc_sha256.is_some() && missing.title.is_none(),
        "{missing:?}"
    );
    assert_eq!(by("/cam/x").failure.as_deref(), Some("robots_disallow"));
    assert!(
        by("/hong").warc_sha256.is_some(),
        "malformed HTML is captured and analysed"
    );
    let cp = by("/cp1258");
    assert_eq!(cp.failure, None);
    let cp_rec = warc::read(
        &s.blobs
            .get(cp.warc_sha256.as_deref().unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(cp_rec.http_head().contains("windows-1258"));
    let gz = by("/gz");
    let gz_rec = warc::read(
        &s.blobs
            .get(gz.warc_sha256.as_deref().unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(String::from_utf8_lossy(gz_rec.http_body()).contains("Nội dung nén gzip"));
    assert!(
        !gz_rec.http_head().contains("content-encoding: gzip"),
        "the stored body is decoded, so the record must not claim gzip"
    );
    // The decoded Windows-1258 title text is stored in NFC.
    let t = s.crawler.pages(crawl.id, 200).await.unwrap();
    assert!(t.iter().any(|p| p.url.ends_with("/cp1258")));
    assert!(crawl.pages_failed >= 4 && crawl.pages_ok >= 6, "{crawl:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_unless_allowed() {
    let s = setup(false).await;
    let crawl = crawl_url(&s, "http://tinthudo.example/").await;
    assert_eq!(crawl.status, "done");
    assert_eq!(crawl.pages_ok, 0);
    let pages = s.crawler.pages(crawl.id, 10).await.unwrap();
    let robots = pages
        .iter()
        .find(|p| p.url.ends_with("/robots.txt"))
        .unwrap();
    assert_eq!(robots.failure.as_deref(), Some("forbidden"));
    assert!(
        robots
            .failure_message
            .as_deref()
            .unwrap()
            .contains("not a public address"),
        "{robots:?}"
    );
    let home = pages
        .iter()
        .find(|p| p.url == "http://tinthudo.example/")
        .unwrap();
    assert_eq!(home.failure.as_deref(), Some("robots_disallow"));
    assert!(
        home.failure_message
            .as_deref()
            .unwrap()
            .contains("not a public address"),
        "{home:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clips_and_posts_are_reviewed_from_their_supplied_text_without_fetching() {
    let s = setup(true).await;
    crawl_url(&s, "http://video.example/watch?v=demo001").await;
    let clip = rules_found(&s, "http://video.example/watch?v=demo001").await;
    assert!(
        clip.contains(&"ads.health_food_as_medicine".to_owned()),
        "{clip:?}"
    );
    let post = crawl_url(&s, "http://facebook.example/posts/demo002").await;
    let found = rules_found(&s, "http://facebook.example/posts/demo002").await;
    assert!(
        found.contains(&"harm.false_information".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"harm.false_economic".to_owned()),
        "{found:?}"
    );
    let pages = s.crawler.pages(post.id, 10).await.unwrap();
    assert_eq!(
        pages.len(),
        1,
        "the post itself, not robots.txt nor the platform: {pages:?}"
    );
    let rec = warc::read(
        &s.blobs
            .get(pages[0].warc_sha256.as_deref().unwrap())
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(rec.field("WARC-Type"), Some("resource"));
    assert!(String::from_utf8_lossy(rec.http_body()).contains("ngân hàng sắp phá sản"));

    // A clip with nothing supplied says so; supplying text later (re-import) makes it reviewable.
    let bare = s
        .watch
        .create(
            "lan.nt",
            &NewSubject::new(
                SubjectKind::Clip,
                "http://video.example/watch?v=9",
                "Clip chưa có lời",
            ),
        )
        .await
        .unwrap();
    let c = crawl_url(&s, "http://video.example/watch?v=9").await;
    let p = s.crawler.pages(c.id, 10).await.unwrap();
    assert_eq!(p[0].failure.as_deref(), Some("no_text"));
    let csv = "url,loại,tên,lời thoại\nhttp://video.example/watch?v=9,clip,Clip chưa có lời,Soi kèo nhà cái uy tín: nạp tiền nhận thưởng nạp đầu\n";
    let report = s.watch.import_csv("lan.nt", csv.as_bytes()).await.unwrap();
    assert_eq!(report.already, 1);
    assert_eq!(
        s.watch.text(bare.id).await.unwrap().unwrap().1.as_deref(),
        Some("Soi kèo nhà cái uy tín: nạp tiền nhận thưởng nạp đầu")
    );
    crawl_url(&s, "http://video.example/watch?v=9").await;
    assert!(
        rules_found(&s, "http://video.example/watch?v=9")
            .await
            .contains(&"ads.gambling".to_owned())
    );
    // The period's figures count the clips reviewed from these crawls, and no website.
    let f = s.watch.figures(0, i64::MAX).await.unwrap();
    assert_eq!((f.clips_reviewed, f.websites_reviewed), (2, 0), "{f:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_classifier_suggests_and_retrains_from_reviewers_decisions() {
    let s = setup(true).await;
    assert!(s.watch.model_info().await.unwrap().is_none());
    crawl_url(&s, "http://facebook.example/posts/demo002").await;
    let subject = s
        .watch
        .find_by_url("http://facebook.example/posts/demo002")
        .await
        .unwrap()
        .unwrap();
    let findings = s
        .watch
        .findings(&FindingQuery {
            subject_id: Some(subject.id),
            limit: 50,
            offset: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let suggestion = findings
        .iter()
        .find(|f| f.rule_id == "harm.classifier")
        .expect("the classifier flags the rumour");
    assert!(
        suggestion.evidence.starts_with("bộ phân loại: "),
        "{}",
        suggestion.evidence
    );
    // A reviewer confirms; retraining counts the decision and is stored with its figures.
    s.watch
        .review("ha.tt", suggestion.id, Decision::Confirmed, "")
        .await
        .unwrap();
    let (info, model) = s.watch.train("ha.tt", &s.blobs).await.unwrap();
    assert_eq!(info.decisions, 1);
    assert_eq!(
        info.examples as usize,
        lantoa_watch::classify::shipped_examples().unwrap().len() + 1
    );
    assert!(info.precision > 0.0 && info.recall > 0.0, "{info:?}");
    assert!((info.precision - model.precision).abs() < 1e-12);
    assert_eq!(s.watch.model_info().await.unwrap().unwrap().id, info.id);
    // The next crawl uses the stored model (it reads back from the blob store).
    let again = crawl_url(&s, "http://facebook.example/posts/demo002").await;
    assert_eq!(again.status, "done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawls_at_once_share_the_page_writer_and_each_counts_only_its_own_pages() {
    let s = setup(true).await;
    let urls = [
        "http://tinthudo.example/",
        "http://tintuc-phoco.example/",
        "http://songhongxanh24h.example/",
        "http://thanglong-giaitri.example/",
        "http://suckhoe-hotay.example/",
    ];
    let crawls = futures::future::join_all(urls.iter().map(|u| crawl_url(&s, u))).await;
    let mut ids = std::collections::HashSet::new();
    for crawl in &crawls {
        assert_eq!(crawl.status, "done", "{crawl:?}");
        let pages = s.crawler.pages(crawl.id, 1000).await.unwrap();
        assert!(crawl.pages_ok > 1, "{crawl:?}");
        // The live counters, summed batch by batch, match this crawl's rows exactly.
        let ok = pages
            .iter()
            .filter(|p| {
                p.http_status.is_some()
                    && !p.unchanged
                    && p.failure.as_deref() != Some("http_error")
            })
            .count();
        assert_eq!(
            (crawl.pages_ok + crawl.pages_failed + crawl.pages_unchanged) as usize,
            pages.len(),
            "{crawl:?}"
        );
        assert_eq!(crawl.pages_ok as usize, ok, "{crawl:?}");
        for p in &pages {
            assert!(ids.insert(p.id), "page id {} given twice", p.id);
            if let Some(sha) = &p.warc_sha256 {
                let record = warc::read(&s.blobs.get(sha).await.unwrap()).unwrap();
                let target = url::Url::parse(record.field("WARC-Target-URI").unwrap()).unwrap();
                let asked = url::Url::parse(&p.url).unwrap();
                assert_eq!(target.host_str(), asked.host_str(), "{p:?}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_cannot_be_stored_fails_its_crawl_with_the_reason() {
    let s = setup(true).await;
    let subject = s
        .watch
        .find_by_url("http://tinthudo.example/")
        .await
        .unwrap()
        .unwrap();
    let queued = s.crawler.enqueue("lan.nt", subject.id).await.unwrap();
    sqlx::query("ALTER TABLE watch_pages RENAME TO watch_pages_gone")
        .execute(s.t.db.pool())
        .await
        .unwrap();
    let err = s.crawler.run(queued.id, &|_| {}).await.unwrap_err();
    assert!(err.to_string().contains("could not be stored"), "{err}");
    let crawl = s.crawler.crawl(queued.id).await.unwrap();
    assert_eq!(crawl.status, "failed");
    assert!(
        crawl
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("could not be stored"),
        "{crawl:?}"
    );
    // The reason is kept as a message, so the console says it in the reader's language.
    let reason = crawl.reason.clone().unwrap();
    lantoa_core::msg::check_both_languages(&reason).unwrap();
    // A reason kept as plain text before reasons were messages is shown as it is.
    sqlx::query("UPDATE watch_crawls SET message = 'connection refused' WHERE id = $1")
        .bind(queued.id)
        .execute(s.t.db.pool())
        .await
        .unwrap();
    let crawl = s.crawler.crawl(queued.id).await.unwrap();
    assert_eq!(
        (crawl.message.as_deref(), crawl.reason),
        (Some("connection refused"), None)
    );
}
