//! The report rendered as PDF by LibreOffice from its DOCX, and the PDF's pages drawn as PNG by
//! pdftoppm: the figures and the chart are in it. Needs LibreOffice and poppler-utils, which
//! `cargo xtask test` installs and names in LANTOA_SOFFICE and LANTOA_POPPLER (the folder of
//! pdftoppm, pdftotext and pdfimages).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use std::path::PathBuf;
use std::process::Command;

mod common;

use chrono::NaiveDate;
use lantoa_reports::export;

#[tokio::test]
#[ignore = "needs LibreOffice and poppler-utils: cargo xtask test installs them and runs this"]
async fn the_pdf_holds_the_figures_and_the_chart_and_its_pages_draw() {
    let soffice = PathBuf::from(std::env::var("LANTOA_SOFFICE").expect("LANTOA_SOFFICE"));
    let poppler = PathBuf::from(std::env::var("LANTOA_POPPLER").expect("LANTOA_POPPLER"));
    let s = common::setup(common::hanoi(2026, 3, 2, 9, 0)).await;
    s.notify
        .add_outlet("tt", "Báo A", "press", "", "a@b")
        .await
        .unwrap();
    for number in ["1/HD", "2/HD", "3/HD"] {
        common::notice_at(&s, common::hanoi(2026, 3, 2, 9, 0), number).await;
    }
    let reports = &s.reports;
    let r = reports
        .create("tt", "quarterly", 2026, 1, "calendar")
        .await
        .unwrap();
    let c = reports.contents(&r).await.unwrap();
    let docx = export::docx(
        &r,
        &c,
        reports.labels(),
        &lantoa_docs::Agencies::builtin().unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 2).unwrap(),
        false,
    )
    .unwrap();
    let pdf = export::pdf(&soffice, &docx).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = Command::new(poppler.join("pdftotext"))
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for want in ["BÁO CÁO", "Văn bản định hướng", "quý I/2026", "Biểu đồ 2"] {
        assert!(text.contains(want), "{want} in {text}");
    }
    // The chart is a picture in the PDF.
    let images = Command::new(poppler.join("pdfimages"))
        .arg("-list")
        .arg(&file)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&images.stdout);
    assert!(
        listed.lines().count() >= 3,
        "a header, a rule and an image: {listed}"
    );
    // Every page draws as PNG.
    let status = Command::new(poppler.join("pdftoppm"))
        .args(["-png", "-r", "60"])
        .arg(&file)
        .arg(dir.path().join("page"))
        .status()
        .unwrap();
    assert!(status.success());
    let pages: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".png"))
        .collect();
    assert!(!pages.is_empty());
    for p in pages {
        let png = std::fs::read(p.path()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        assert!(png.len() > 2_000, "a page with something on it");
        // Kept for a person to look at, when asked.
        if let Ok(keep) = std::env::var("LANTOA_SCREENSHOT_DIR") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::write(
                PathBuf::from(keep).join(format!("report-{}", p.file_name().to_string_lossy())),
                &png,
            )
            .unwrap();
        }
    }
}
