//! A document in the decree's form opens as a DOCX package of well-formed XML with every field
//! of the form in place; with `LANTOA_SOFFICE` set (as `cargo xtask test` does) it also renders
//! to PDF in LibreOffice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use chrono::NaiveDate;
use lantoa_docs::{AdminDoc, Agencies, Block, Signature, date_line, docx_text, number_line};

fn sample(kind_name: Option<&str>) -> AdminDoc {
    let day = NaiveDate::from_ymd_opt(2023, 2, 7).unwrap();
    let agencies = Agencies::builtin().unwrap();
    AdminDoc {
        letterhead: agencies.at(day).unwrap().clone(),
        number: 7,
        symbol: "GM-STTTT".into(),
        place: agencies.place().into(),
        date: day,
        kind_name: kind_name.map(str::to_owned),
        summary: "Mời làm việc về trang tin tổng hợp & dấu hiệu <báo hóa>".into(),
        to: Some("Công ty TNHH Tin Nhanh".into()),
        body: vec![
            Block::Para("Thực hiện chức năng quản lý nhà nước…".into()),
            Block::Field("Thời gian".into(), "09 giờ 00, ngày 14/02/2023".into()),
            Block::Heading("I. Dấu hiệu".into()),
            Block::Table(
                vec!["STT".into(), "Địa chỉ".into()],
                vec![vec![
                    "1".into(),
                    "https://tinnhanh.example/a?x=1&y=2".into(),
                ]],
            ),
        ],
        signatures: vec![Signature {
            authority: "KT. GIÁM ĐỐC".into(),
            title: "PHÓ GIÁM ĐỐC".into(),
            name: "Nguyễn Văn Thử".into(),
        }],
        recipients: vec!["Như trên".into(), "Lưu: VT, TTĐT".into()],
    }
}

#[test]
fn numbers_and_dates_take_the_leading_zeros_the_decree_sets() {
    assert_eq!(number_line(7, "GM-STTTT"), "Số: 07/GM-STTTT");
    assert_eq!(number_line(123, "STTTT-TTĐT"), "Số: 123/STTTT-TTĐT");
    assert_eq!(number_line(0, "BC-STTTT"), "Số:      /BC-STTTT");
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(
        date_line("Hà Nội", d(2023, 2, 7)),
        "Hà Nội, ngày 07 tháng 02 năm 2023"
    );
    assert_eq!(
        date_line("Hà Nội", d(2023, 11, 20)),
        "Hà Nội, ngày 20 tháng 11 năm 2023"
    );
    assert_eq!(
        date_line("Hà Nội", d(2023, 3, 5)),
        "Hà Nội, ngày 05 tháng 3 năm 2023"
    );
}

#[test]
fn the_docx_holds_every_part_of_the_form() {
    let bytes = sample(Some("GIẤY MỜI")).to_docx().unwrap();
    let text = docx_text(&bytes).unwrap();
    for expected in [
        "UBND THÀNH PHỐ HÀ NỘI",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 07/GM-STTTT",
        "Hà Nội, ngày 07 tháng 02 năm 2023",
        "GIẤY MỜI",
        "Mời làm việc về trang tin tổng hợp & dấu hiệu <báo hóa>",
        "Kính gửi: Công ty TNHH Tin Nhanh",
        "Thời gian: 09 giờ 00, ngày 14/02/2023",
        "https://tinnhanh.example/a?x=1&y=2",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT, TTĐT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Văn Thử",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    // The same document is the same bytes: no clock or random id leaks in.
    assert_eq!(bytes, sample(Some("GIẤY MỜI")).to_docx().unwrap());
}

#[test]
fn an_official_letter_puts_its_summary_under_the_number() {
    let text = docx_text(&sample(None).to_docx().unwrap()).unwrap();
    let number = text.find("Số: 07/GM-STTTT").unwrap();
    let vv = text.find("V/v Mời làm việc").unwrap();
    let motto = text.find("CỘNG HÒA").unwrap();
    assert!(number < vv && vv < motto, "{text}");
}

#[test]
fn a_damaged_package_is_named() {
    let mut bytes = sample(Some("GIẤY MỜI")).to_docx().unwrap();
    assert!(
        docx_text(b"not a zip")
            .unwrap_err()
            .to_string()
            .contains("not a ZIP")
    );
    bytes.truncate(bytes.len() / 2);
    assert!(docx_text(&bytes).is_err());
}

#[test]
#[ignore = "needs LibreOffice: cargo xtask test sets LANTOA_SOFFICE"]
fn renders_to_pdf_in_libreoffice() {
    let soffice = std::env::var("LANTOA_SOFFICE").expect("LANTOA_SOFFICE names soffice");
    let pdf = lantoa_docs::to_pdf(
        soffice.as_ref(),
        &sample(Some("GIẤY MỜI")).to_docx().unwrap(),
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    assert!(
        pdf.windows(b"/Type/Page".len()).any(|w| w == b"/Type/Page")
            || pdf
                .windows(b"/Type /Page".len())
                .any(|w| w == b"/Type /Page"),
        "no page in the PDF"
    );
}

#[test]
#[ignore = "writes a sample to LANTOA_SAMPLE_DOCX for a look"]
fn write_sample() {
    if let Ok(p) = std::env::var("LANTOA_SAMPLE_DOCX") {
        std::fs::write(p, sample(Some("GIẤY MỜI")).to_docx().unwrap()).unwrap();
    }
}
