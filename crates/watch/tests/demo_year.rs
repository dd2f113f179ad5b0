//! The demo city's year 2023, made through the services, gives the department's own figures
//! for that year (shared/seed/): 155 websites of 92 units, 234 clips, 1 post proposed for
//! takedown, 30 units invited, 17 advertising dossiers transferred, 7 enterprises sanctioned.
//! SQLite in `cargo test`, PostgreSQL in `cargo xtask test`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use lantoa_registry::Registry;
use lantoa_store::Clock;
use lantoa_store::blob::BlobStore;
use lantoa_store::testing::TestDb;
use lantoa_watch::crawl::fetch::FetchConfig;
use lantoa_watch::crawl::guard::AddressPolicy;
use lantoa_watch::demo_year::{self, FixedHosts};
use lantoa_watch::signals::Rules;
use lantoa_watch::{CrawlLimits, Crawler, Watch, demo_web};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_year_gives_the_seeds_figures() {
    let t = TestDb::new(&[&lantoa_registry::MIGRATIONS, &lantoa_watch::MIGRATIONS])
        .await
        .unwrap();
    let fixed = FixedHosts::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = demo_web::router_with(fixed.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let blobs = BlobStore::new(t.db.clone(), t.dir.path().join("blobs"));
    let clock = Clock::manual(Utc.with_ymd_and_hms(2023, 1, 1, 0, 0, 0).unwrap());
    let w = Watch::new(t.db.clone(), Registry::new(t.db.clone()))
        .with_blobs(blobs.clone())
        .with_clock(clock.clone());
    let crawler = Crawler::new(
        t.db.clone(),
        w.clone(),
        blobs,
        FetchConfig {
            policy: AddressPolicy {
                allow_private: true,
            },
            timeout: Duration::from_secs(5),
            overrides: demo_web::overrides(addr),
            ..FetchConfig::default()
        },
        CrawlLimits {
            delay: Duration::ZERO,
            ..CrawlLimits::default()
        },
        Arc::new(Rules::builtin().unwrap()),
    )
    .unwrap();
    let months = std::sync::Mutex::new(Vec::new());
    let report = crawler
        .load_demo_year(&fixed, &|m| months.lock().unwrap().push(m))
        .await
        .unwrap();
    assert!(report.loaded);
    assert_eq!(*months.lock().unwrap(), (1..=12).collect::<Vec<u32>>());
    assert_eq!(report.crawls, 155 + 234 + 1);

    // The year in Hà Nội time.
    let zone = lantoa_core::time::zone();
    let from = zone
        .with_ymd_and_hms(2023, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_micros();
    let to = zone
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp_micros();
    let f = w.figures(from, to).await.unwrap();
    assert_eq!(
        (f.websites_reviewed, f.website_units, f.clips_reviewed),
        (155, 92, 234),
        "{f:?}"
    );
    assert_eq!(f.takedowns_proposed_posts, 1, "{f:?}");
    assert_eq!(f.invited, 30, "{f:?}");
    assert_eq!(f.transferred_advertising, 17, "{f:?}");
    assert_eq!(f.units_sanctioned, 7, "{f:?}");
    assert_eq!(f.sites_with_bao_hoa_signs, 30, "{f:?}");
    assert_eq!(f.removal_rate_pct, Some(100.0), "{f:?}");
    // Twenty-three units committed to fix; three did not and their cases reopened.
    assert_eq!(report.rechecks, 23);
    let reopened = w.cases(Some("xem_xet")).await.unwrap();
    assert_eq!(reopened.len(), demo_year::NOT_FIXED, "{reopened:?}");
    assert_eq!(w.cases(Some("da_khac_phuc")).await.unwrap().len(), 20);
    // 2024 has none of it.
    let next = w
        .figures(
            to,
            zone.with_ymd_and_hms(2025, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp_micros(),
        )
        .await
        .unwrap();
    assert_eq!(
        (next.websites_reviewed, next.invited, next.sanctions),
        (0, 0, 0)
    );

    // Loading again adds nothing.
    let again = crawler.load_demo_year(&fixed, &|_| {}).await.unwrap();
    assert!(!again.loaded);
}
