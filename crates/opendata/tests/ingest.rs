//! Ingest contract: every kind of bad input gives a reason that says what and where, and every
//! row read is accounted for (clean + quarantined + duplicate = read).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers: a panic is the failure report

use lantoa_core::phone::NumberingPlan;
use lantoa_opendata::admin::AdminMap;
use lantoa_opendata::check::{Checker, ErrorType, RowError, Verdict};
use lantoa_opendata::decode::FileEncoding;
use lantoa_opendata::ingest::{FileProblem, Ingest, Row, Survey, Tally};
use lantoa_opendata::schema::Schema;

const SCHEMA: &str = r#"{
  "fields": [
    {"name": "Mã", "constraints": {"required": true}},
    {"name": "Họ tên", "lantoa:kind": "name", "constraints": {"required": true}},
    {"name": "Ngày sinh", "type": "date", "format": "%d/%m/%Y"},
    {"name": "Giới tính", "constraints": {"enum": ["Nam", "Nữ"]}},
    {"name": "CCCD", "lantoa:kind": "cccd", "lantoa:birthDateField": "Ngày sinh", "lantoa:sexField": "Giới tính", "constraints": {"unique": true}},
    {"name": "Điện thoại", "lantoa:kind": "phone"},
    {"name": "Mã số thuế", "lantoa:kind": "tax_code"},
    {"name": "Phường/xã", "lantoa:kind": "commune"},
    {"name": "Số tiền", "type": "number", "decimalChar": ",", "groupChar": "."}
  ],
  "primaryKey": "Mã"
}"#;

const HEADER: &str = "Mã,Họ tên,Ngày sinh,Giới tính,CCCD,Điện thoại,Mã số thuế,Phường/xã,Số tiền";

struct Run {
    rows: Vec<Row>,
    tally: Tally,
    problems: Vec<FileProblem>,
    encoding: FileEncoding,
    delimiter: char,
}

/// Every row of `ingest`, checked, and their tally.
fn drain(ingest: &mut Ingest<'_>, checker: &mut Checker<'_>) -> (Vec<Row>, Tally) {
    let mut rows = Vec::new();
    let mut tally = Tally::default();
    while let Some(r) = ingest.next(checker) {
        let r = r.unwrap();
        tally.add(&r.verdict);
        rows.push(r);
    }
    (rows, tally)
}

fn run(bytes: &[u8]) -> Result<Run, Vec<FileProblem>> {
    let schema = Schema::from_json(SCHEMA).unwrap();
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let mut checker = Checker::new(&schema, &admin, &plan);
    let mut ingest = Ingest::csv(bytes, &schema)?;
    let (rows, tally) = drain(&mut ingest, &mut checker);
    assert!(tally.conserved(), "{tally:?}");
    assert_eq!(tally.rows as usize, rows.len());
    Ok(Run {
        rows,
        tally,
        problems: ingest.problems.clone(),
        encoding: ingest.dialect.encoding,
        delimiter: ingest.dialect.delimiter,
    })
}

fn errors(r: &Row) -> Vec<(ErrorType, Option<String>)> {
    match &r.verdict {
        Verdict::Dirty(e) => e
            .iter()
            .map(|e: &RowError| (e.error_type, e.field.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn clean(r: &Row) -> Vec<String> {
    match &r.verdict {
        Verdict::Clean(v) => v.to_vec(),
        other => panic!("row {} is not clean: {other:?}", r.number),
    }
}

/// A good row: CCCD 001 (Hà Nội), century-sex digit 1 (1900s, female), year 85.
const GOOD: &str = "A1,  nguyễn thị   HOA ,05/03/1985,Nữ,001185012345,+84 912 345 678,0100109106,Phường Phúc Xá,\"1.234.567,5\"";

#[test]
fn a_good_row_comes_out_clean_and_canonical() {
    let r = run(format!("{HEADER}\n{GOOD}\n").as_bytes()).unwrap();
    assert_eq!(r.tally.clean, 1);
    assert_eq!(
        clean(&r.rows[0]),
        [
            "A1",
            "Nguyễn Thị Hoa",
            "1985-03-05",
            "Nữ",
            "001185012345",
            "0912345678",
            "0100109106",
            "Phường Hồng Hà",
            "1234567.5"
        ]
    );
    assert_eq!(r.rows[0].number, 2, "the header is row 1");
}

#[test]
fn each_bad_cell_is_named_with_its_frictionless_type_and_the_rest_go_on() {
    let body = [
        GOOD,
        // Wrong CCCD year against birth date; unknown phone prefix; bad tax check digit.
        "A2,Trần Văn Nam,05/03/1990,Nam,001085012345,0112345678,0100109107,Phường Phúc Xá,10",
        // Swapped day and month; an Excel error; an ambiguous old ward.
        "A3,Lê Văn Ba,03/25/1990,Nam,,#N/A,,Phường Không Tên,5",
        // Missing required name; sex not in the enum.
        "A4,,05/03/1990,Khác,,,,,",
        // Same key and values as A1: a duplicate, dropped and counted.
        GOOD,
        // Same key as A1 with other values: a primary-key error.
        "A1,Người Khác,05/03/1985,Nữ,,,,,",
        // Blank row.
        ",,,,,,,,",
        // Ragged: short and long.
        "A5,Phạm Thị Tư",
        "A6,Đỗ Văn Sáu,01/01/2000,Nam,,,,,,thừa",
    ]
    .join("\n");
    let r = run(format!("{HEADER}\n{body}\n").as_bytes()).unwrap();
    let by = |n: u64| r.rows.iter().find(|x| x.number == n).unwrap();
    assert!(matches!(by(2).verdict, Verdict::Clean(_)));
    let e3 = errors(by(3));
    assert!(
        e3.contains(&(ErrorType::RowConstraint, Some("CCCD".into()))),
        "{e3:?}"
    );
    assert!(
        e3.contains(&(ErrorType::TypeError, Some("Điện thoại".into()))),
        "{e3:?}"
    );
    assert!(
        e3.contains(&(ErrorType::TypeError, Some("Mã số thuế".into()))),
        "{e3:?}"
    );
    let e4 = errors(by(4));
    assert!(
        e4.contains(&(ErrorType::TypeError, Some("Ngày sinh".into()))),
        "{e4:?}"
    );
    assert!(
        e4.contains(&(ErrorType::TypeError, Some("Điện thoại".into()))),
        "{e4:?}"
    );
    assert!(
        e4.contains(&(ErrorType::ConstraintError, Some("Phường/xã".into()))),
        "{e4:?}"
    );
    let e5 = errors(by(5));
    assert!(
        e5.contains(&(ErrorType::ConstraintError, Some("Họ tên".into()))),
        "{e5:?}"
    );
    assert!(
        e5.contains(&(ErrorType::ConstraintError, Some("Giới tính".into()))),
        "{e5:?}"
    );
    assert_eq!(by(6).verdict, Verdict::Duplicate);
    assert_eq!(errors(by(7)), vec![(ErrorType::PrimaryKey, None)]);
    assert_eq!(errors(by(8)), vec![(ErrorType::BlankRow, None)]);
    let e9 = errors(by(9));
    assert!(
        e9.iter().all(|(t, _)| *t == ErrorType::MissingCell) && e9.len() == 7,
        "{e9:?}"
    );
    assert_eq!(errors(by(10)), vec![(ErrorType::ExtraCell, None)]);
    assert_eq!(
        (
            r.tally.rows,
            r.tally.clean,
            r.tally.quarantined,
            r.tally.duplicates
        ),
        (9, 1, 7, 1)
    );
    // A quarantined row keeps its cells as given, for the owner agency to fix.
    assert_eq!(by(3).rows_raw()[4], "001085012345");
    // Every error says where.
    for row in &r.rows {
        if let Verdict::Dirty(es) = &row.verdict {
            for e in es {
                assert!(!e.note.to_string().is_empty());
                if e.field.is_some() {
                    assert!(e.field_number.is_some());
                }
            }
        }
    }
}

trait Raw {
    fn rows_raw(&self) -> &[String];
}
impl Raw for Row {
    fn rows_raw(&self) -> &[String] {
        self.raw.as_deref().unwrap()
    }
}

#[test]
fn an_old_ward_divided_between_new_ones_is_never_guessed() {
    // Find a divided old ward through the public map: its name maps to several candidates.
    let admin = AdminMap::hanoi().unwrap();
    let reference = lantoa_registry::commune_reference().unwrap();
    let divided = reference
        .conversions
        .iter()
        .filter(|c| c.split)
        .filter_map(|c| reference.legacy.iter().find(|l| l.code == c.old_code))
        .find(|l| {
            matches!(
                admin.map(&l.name),
                lantoa_opendata::admin::Mapped::Divided { .. }
            )
        })
        .unwrap()
        .name
        .clone();
    let row = format!("B1,Ai Đó,,,,,,{divided},");
    let r = run(format!("{HEADER}\n{row}\n").as_bytes()).unwrap();
    assert_eq!(
        errors(&r.rows[0]),
        vec![(ErrorType::AmbiguousAdminMapping, Some("Phường/xã".into()))]
    );
}

#[test]
fn delimiters_boms_and_utf16_are_detected() {
    let semi = format!(
        "{}\n{}\n",
        HEADER.replace(',', ";"),
        GOOD.replace("\"1.234.567,5\"", "10").replace(',', ";")
    );
    let r = run(semi.as_bytes()).unwrap();
    assert_eq!((r.delimiter, r.tally.clean), (';', 1));
    let tab = semi.replace(';', "\t");
    assert_eq!(run(tab.as_bytes()).unwrap().delimiter, '\t');
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(format!("{HEADER}\n{GOOD}\n").as_bytes());
    let r = run(&bom).unwrap();
    assert_eq!((r.encoding, r.tally.clean), (FileEncoding::Utf8Bom, 1));
    let mut utf16 = vec![0xFF, 0xFE];
    for u in format!("{HEADER}\r\n{GOOD}\r\n").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let r = run(&utf16).unwrap();
    assert_eq!((r.encoding, r.tally.clean), (FileEncoding::Utf16Le, 1));
}

#[test]
fn legacy_encodings_are_converted_or_refused_cell_by_cell() {
    // One file, three encodings: a UTF-8 row, a TCVN3 name, a VNI name.
    let mut file = format!("{HEADER}\nC1,Nguyễn Văn Một,,,,,,,\n").into_bytes();
    file.extend(b"C2,Ng\xab Th\xde Hai,,,,,,,\n"); // "Ngô Thị Hai" in TCVN3 bytes
    file.extend("C3,Nguyeãn Vaên Ba,,,,,,,\n".as_bytes()); // VNI look-alikes
    let r = run(&file).unwrap();
    assert_eq!(clean(&r.rows[1])[1], "Ngô Thị Hai");
    assert_eq!(
        errors(&r.rows[2]),
        vec![(ErrorType::EncodingError, Some("Họ tên".into()))]
    );
    assert_eq!(r.tally.rows, 3);
}

#[test]
fn header_problems_are_reported_and_missing_columns_refuse_the_file() {
    let dup = format!("{HEADER},Ghi chú,,ghi chú\n{GOOD},x,y,z\n");
    let r = run(dup.as_bytes()).unwrap();
    let kinds: Vec<&str> = r.problems.iter().map(|p| p.error_type).collect();
    assert!(kinds.contains(&"blank-label"), "{kinds:?}");
    assert!(kinds.contains(&"duplicate-label"), "{kinds:?}");
    assert!(kinds.contains(&"extra-label"), "{kinds:?}");
    assert_eq!(r.tally.clean, 1, "extra columns do not spoil the row");

    let missing = "Mã,Họ tên\nA1,X\n";
    let err = run(missing.as_bytes()).err().unwrap();
    assert!(
        err.iter()
            .all(|p| p.fatal && p.error_type == "missing-label")
    );
    assert!(err[0].note.to_string().contains("Ngày sinh"), "{err:?}");

    assert_eq!(run(b"").err().unwrap()[0].error_type, "source-error");
    let binary = run(b"PK\x03\x04\0\0\0binary").err().unwrap();
    assert!(
        binary[0].note.to_string().contains("not text"),
        "{binary:?}"
    );
}

#[test]
fn a_one_megabyte_cell_is_refused_with_its_size_and_its_row_survives() {
    let huge = "x".repeat(1_000_000);
    let file = format!("{HEADER}\nD1,{huge},,,,,,,\n{GOOD}\n");
    let r = run(file.as_bytes()).unwrap();
    let e = match &r.rows[0].verdict {
        Verdict::Dirty(e) => e.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(e[0].error_type, ErrorType::ConstraintError);
    assert!(
        e[0].note.to_string().contains("1000000 characters"),
        "{}",
        e[0].note
    );
    assert!(e[0].cell.as_ref().unwrap().len() <= 80);
    assert_eq!(r.tally.clean, 1);
}

#[test]
fn an_invalid_schema_is_refused_with_paths() {
    let err = Schema::from_json(r#"{"fields": [{"name": "a", "type": "text"}]}"#).unwrap_err();
    assert_eq!(err[0].path, "fields[0].type");
}

#[test]
fn a_long_stream_is_read_row_by_row() {
    // 200,000 rows generated on the fly: the reader never holds the file.
    struct Gen {
        row: usize,
        buf: Vec<u8>,
        pos: usize,
    }
    impl std::io::Read for Gen {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.pos == self.buf.len() {
                if self.row > 200_000 {
                    return Ok(0);
                }
                self.buf = if self.row == 0 {
                    format!("{HEADER}\n").into_bytes()
                } else {
                    format!(
                        "K{},Người {},,,,,,,{}\n",
                        self.row,
                        self.row,
                        self.row % 1000
                    )
                    .into_bytes()
                };
                self.pos = 0;
                self.row += 1;
            }
            let n = out.len().min(self.buf.len() - self.pos);
            out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
    let schema = Schema::from_json(SCHEMA).unwrap();
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let mut checker = Checker::new(&schema, &admin, &plan);
    let mut ingest = Ingest::csv(
        Gen {
            row: 0,
            buf: Vec::new(),
            pos: 0,
        },
        &schema,
    )
    .unwrap();
    let mut tally = Tally::default();
    while let Some(r) = ingest.next(&mut checker) {
        tally.add(&r.unwrap().verdict);
    }
    assert_eq!((tally.rows, tally.clean), (200_000, 200_000));
}

const TABLE_SCHEMA: &str = r#"{"fields": [
    {"name": "ma", "constraints": {"required": true}},
    {"name": "ten", "lantoa:kind": "name"},
    {"name": "phuong_xa", "lantoa:kind": "commune"},
    {"name": "toc_do", "type": "integer"},
    {"name": "ngay", "type": "date", "format": "%d/%m/%Y"}
], "primaryKey": "ma"}"#;

fn read_all(file_name: &str, bytes: &[u8]) -> (Vec<Row>, Vec<FileProblem>, &'static str) {
    let schema = Schema::from_json(TABLE_SCHEMA).unwrap();
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let mut checker = Checker::new(&schema, &admin, &plan);
    let mut ingest = Ingest::open(file_name, bytes, &schema).unwrap();
    let mut rows = Vec::new();
    while let Some(r) = ingest.next(&mut checker) {
        rows.push(r.unwrap());
    }
    (rows, ingest.problems.clone(), ingest.dialect.format)
}

#[test]
fn a_workbook_is_read_with_its_dates_numbers_and_error_cells() {
    let bytes = include_bytes!("fixtures/wifi.xlsx");
    let (rows, problems, format) = read_all("wifi.xlsx", bytes);
    assert_eq!(format, "xlsx");
    assert!(
        problems
            .iter()
            .any(|p| p.error_type == "extra-label" && p.note.to_string().contains("Ghi chú"))
    );
    assert_eq!(
        clean(&rows[0]),
        ["W1", "Hồ Gươm", "Phường Hoàn Kiếm", "100", "2025-07-01"]
    );
    assert_eq!(clean(&rows[1])[3], "50", "a whole number stored as 50.0");
    assert_eq!(errors(&rows[2]), vec![(ErrorType::BlankRow, None)]);
    assert_eq!(rows[2].number, 4, "numbered as the sheet's rows");
    assert_eq!(
        errors(&rows[3]),
        vec![(ErrorType::TypeError, Some("toc_do".into()))],
        "#N/A"
    );
    assert_eq!(rows.len(), 4);
}

#[test]
fn a_json_array_of_objects_is_read_by_key() {
    let json = r#"[
        {"ma": "J1", "ten": "hồ tây", "phuong_xa": "Phường Tây Hồ", "toc_do": 100, "ngay": "01/07/2025"},
        {"ngay": "2025-08-01", "ma": "J2", "toc_do": "nhanh", "phuong_xa": null},
        "không phải đối tượng"
    ]"#;
    let (rows, _, format) = read_all("wifi.json", json.as_bytes());
    assert_eq!(format, "json");
    assert_eq!(
        clean(&rows[0]),
        ["J1", "Hồ Tây", "Phường Tây Hồ", "100", "2025-07-01"]
    );
    assert_eq!(
        errors(&rows[1]),
        vec![(ErrorType::TypeError, Some("toc_do".into()))]
    );
    assert!(
        !errors(&rows[2]).is_empty(),
        "a non-object is quarantined, not lost"
    );
    assert_eq!(rows[2].raw.as_ref().unwrap()[0], "\"không phải đối tượng\"");
    let schema = Schema::from_json(TABLE_SCHEMA).unwrap();
    let bad = Ingest::open("x.json", b"[{\"ma\": 1,", &schema)
        .err()
        .unwrap();
    assert!(bad[0].note.to_string().contains("line 1"), "{bad:?}");
    let not_rows = Ingest::open("x.json", b"{\"khac\": 1}", &schema)
        .err()
        .unwrap();
    assert!(not_rows[0].note.to_string().contains("array of objects"));
}

/// A reader that gives a few bytes at a time, as a socket or a pack file may.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = out.len().min(self.0.len()).min(977);
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn a_streamed_file_reads_the_same_rows_as_one_held_in_memory() {
    // Longer than the 64 KiB the format is told from, with a row across that boundary.
    let mut csv = format!("{HEADER}\n");
    let mut i = 0;
    while csv.len() < 200_000 {
        i += 1;
        csv.push_str(&format!(
            "K{i},nguyễn thị hòa {i},,,,,,Phường Hoàn Kiếm,\"1.234,5\"\n"
        ));
    }
    let schema = Schema::from_json(SCHEMA).unwrap();
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let read = |ingest: &mut Ingest<'_>| {
        let mut checker = Checker::new(&schema, &admin, &plan);
        let mut out = Vec::new();
        while let Some(r) = ingest.next(&mut checker) {
            let r = r.unwrap();
            out.push((r.number, format!("{:?}", r.verdict)));
        }
        out
    };
    let held = read(&mut Ingest::open("x.csv", csv.as_bytes(), &schema).unwrap());
    let streamed = read(&mut Ingest::read("x.csv", Trickle(csv.as_bytes()), &schema).unwrap());
    assert_eq!(held.len(), i);
    assert_eq!(streamed, held);
    // Workbooks and JSON are told apart from CSV in a stream too.
    let json = r#"[{"ma": "J1", "ten": "hồ tây", "phuong_xa": "Phường Tây Hồ", "toc_do": 1, "ngay": "01/07/2025"}]"#;
    let table = Schema::from_json(TABLE_SCHEMA).unwrap();
    let ingest = Ingest::read("x.json", Trickle(json.as_bytes()), &table).unwrap();
    assert_eq!(ingest.dialect.format, "json");
    let book = include_bytes!("fixtures/wifi.xlsx");
    let ingest = Ingest::read("wifi.xlsx", Trickle(book), &table).unwrap();
    assert_eq!(ingest.dialect.format, "xlsx");
}

#[test]
fn a_workbook_or_json_too_large_to_read_whole_is_refused_with_the_way_out() {
    let table = Schema::from_json(TABLE_SCHEMA).unwrap();
    let book = include_bytes!("fixtures/wifi.xlsx");
    let limit = book.len() as u64 - 1;
    let refused = Ingest::read_within(
        "wifi.xlsx",
        Trickle(book),
        &table,
        limit,
        Survey::Done(None),
    )
    .err()
    .unwrap();
    assert_eq!(refused[0].error_type, "source-error");
    assert!(refused[0].fatal);
    assert!(
        refused[0].note.to_string().contains("Excel")
            && refused[0].note.to_string().contains("Save it as CSV"),
        "{refused:?}"
    );
    // At the limit it is read.
    assert!(
        Ingest::read_within(
            "wifi.xlsx",
            Trickle(book),
            &table,
            book.len() as u64,
            Survey::Done(None)
        )
        .is_ok()
    );
    let json = format!("[{}]", r#"{"ma": "J"},"#.repeat(1000)).replace(",]", "]");
    let refused = Ingest::read_within(
        "x.json",
        Trickle(json.as_bytes()),
        &table,
        4096,
        Survey::Done(None),
    )
    .err()
    .unwrap();
    assert!(refused[0].note.to_string().contains("JSON"), "{refused:?}");
    // CSV has no such limit: it streams.
    let csv = format!(
        "ma,ten,phuong_xa,toc_do,ngay\n{}",
        "A,b,Phường Tây Hồ,1,\n".repeat(1000)
    );
    assert!(
        Ingest::read_within(
            "x.csv",
            Trickle(csv.as_bytes()),
            &table,
            4096,
            Survey::Done(None)
        )
        .is_ok()
    );
}

/// `text` written as a TCVN3 (ABC) file would hold it: one byte per letter; capitals with no
/// code of their own are written with their lower-case byte, as the upper-case fonts did.
fn to_tcvn3(text: &str) -> Vec<u8> {
    use lantoa_opendata::decode::TCVN3;
    let mut out = Vec::new();
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let byte = TCVN3
            .iter()
            .find(|(_, l)| *l == c)
            .or_else(|| {
                let lower = c.to_lowercase().next().unwrap();
                TCVN3.iter().find(|(_, l)| *l == lower)
            })
            .unwrap_or_else(|| panic!("{c} has no TCVN3 byte"));
        out.push(byte.0);
    }
    out
}

/// Reads `bytes` as the server does: every word surveyed first, then the rows.
fn surveyed(
    bytes: &[u8],
    schema: &Schema,
) -> (
    Vec<Row>,
    Tally,
    Option<lantoa_opendata::decode::Reading>,
    &'static str,
) {
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let survey = lantoa_opendata::ingest::Survey::Pending(Box::new(|| {
        lantoa_opendata::ingest::survey("f.csv", bytes)
            .unwrap()
            .decide()
    }));
    let mut checker = Checker::new(schema, &admin, &plan);
    let mut ingest = Ingest::read_surveyed("f.csv", bytes, schema, survey).unwrap();
    let (rows, tally) = drain(&mut ingest, &mut checker);
    (
        rows,
        tally,
        ingest.dialect.reading,
        ingest.dialect.encoding_name(),
    )
}

/// A whole file exported in TCVN3 is read as TCVN3 from all its words, even where one cell
/// alone would pass for VNI (*HuyÖn* for *Huyện*), and says so; every row comes out as the
/// same file in Unicode does.
#[test]
fn a_whole_tcvn3_file_is_read_as_tcvn3_and_says_so() {
    let schema = Schema::from_json(
        r#"{"fields": [
            {"name": "ma"},
            {"name": "ten", "lantoa:kind": "name"},
            {"name": "phuong_xa", "lantoa:kind": "commune", "constraints": {"required": true}},
            {"name": "quan_huyen"}
        ], "primaryKey": "ma"}"#,
    )
    .unwrap();
    let reference = lantoa_registry::commune_reference().unwrap();
    let mut unicode = String::from("ma,ten,phuong_xa,quan_huyen\n");
    let people = [
        "Nguyễn Thị Thủy",
        "Trần Văn Hưng",
        "Lê Thị Huyền",
        "Phạm Quốc Việt",
        "Đặng Thị Nguyệt",
    ];
    for (i, old) in reference.legacy.iter().enumerate().step_by(4) {
        unicode.push_str(&format!(
            "K{i},{},{},{}\n",
            people[i % people.len()],
            old.name,
            old.district
        ));
    }
    let (want, want_tally, reading, name) = surveyed(unicode.as_bytes(), &schema);
    assert_eq!((reading, name), (None, "utf8"));
    assert!(want_tally.clean > 50, "{want_tally:?}");
    let legacy = to_tcvn3(&unicode);
    let (got, tally, reading, name) = surveyed(&legacy, &schema);
    assert_eq!(
        (reading, name),
        (Some(lantoa_opendata::decode::Reading::Tcvn3), "tcvn3")
    );
    assert_eq!(tally, want_tally);
    for (g, w) in got.iter().zip(&want) {
        match (&g.verdict, &w.verdict) {
            (Verdict::Clean(a), Verdict::Clean(b)) => {
                // Names and communes come out as in Unicode; the district column's capitals
                // without a TCVN3 code of their own are matched on their key.
                assert_eq!(a.to_vec()[..3], b.to_vec()[..3], "row {}", g.number);
            }
            (a, b) => assert_eq!(
                std::mem::discriminant(a),
                std::mem::discriminant(b),
                "row {}",
                g.number
            ),
        }
    }
    // Judged cell by cell, as before the survey, the same file loses rows.
    let (admin, plan) = (AdminMap::hanoi().unwrap(), NumberingPlan::builtin());
    let mut checker = Checker::new(&schema, &admin, &plan);
    let mut by_cell = Ingest::csv(&legacy[..], &schema).unwrap();
    let (_, by_cell) = drain(&mut by_cell, &mut checker);
    let lost = by_cell.rows - by_cell.clean;
    assert!(
        lost > want_tally.rows - want_tally.clean,
        "cell by cell loses rows: {lost}"
    );
}

/// A file in VNI is told as VNI from its words: its cells are refused, not guessed, and a
/// refused cell is kept as its bytes were (one character each), never as U+FFFD.
#[test]
fn a_vni_file_is_refused_cell_by_cell_and_its_bytes_are_kept() {
    let schema = Schema::from_json(r#"{"fields": [{"name": "ma"}, {"name": "ten"}]}"#).unwrap();
    // "Hà Nội", "Việt Nam", "Nguyễn Văn Ba" in VNI bytes.
    let file = b"ma,ten\nV1,Ha\xf8 No\xe4i\nV2,Vie\xe4t Nam\nV3,Nguye\xe3n Va\xean Ba\nV4,Ha Noi\n";
    let (rows, tally, reading, name) = surveyed(file, &schema);
    assert_eq!(
        (reading, name),
        (Some(lantoa_opendata::decode::Reading::Vni), "vni")
    );
    assert_eq!((tally.clean, tally.quarantined), (1, 3));
    let raw = rows[0].raw.as_ref().unwrap();
    assert_eq!(raw[1], "Haø Noäi");
    assert!(!raw.iter().any(|c| c.contains('\u{FFFD}')));
    let back: Vec<u8> = raw[1].chars().map(|c| c as u8).collect();
    assert_eq!(back, b"Ha\xf8 No\xe4i");
    assert!(
        matches!(&rows[0].verdict, Verdict::Dirty(e) if e[0].error_type == ErrorType::EncodingError && e[0].note.to_string().contains("VNI"))
    );
}

/// A file in plain Unicode is read once: its survey never runs. One legacy cell far down the
/// file runs it, once.
#[test]
fn a_plain_unicode_file_is_never_surveyed() {
    let schema = Schema::from_json(SCHEMA).unwrap();
    let (admin, plan) = (AdminMap::hanoi().unwrap(), NumberingPlan::builtin());
    let mut body = format!("{HEADER}\n");
    for i in 0..500 {
        body.push_str(&GOOD.replacen("A1", &format!("A{i}"), 1).replacen(
            "001185012345",
            &format!("001185{:06}", i),
            1,
        ));
        body.push('\n');
    }
    let runs = std::cell::Cell::new(0);
    let count = |bytes: &[u8]| {
        runs.set(0);
        let survey = Survey::Pending(Box::new(|| {
            runs.set(runs.get() + 1);
            None
        }));
        let mut checker = Checker::new(&schema, &admin, &plan);
        let mut ingest = Ingest::read_surveyed("f.csv", bytes, &schema, survey).unwrap();
        let (_, tally) = drain(&mut ingest, &mut checker);
        (tally.rows, runs.get())
    };
    assert_eq!(count(body.as_bytes()), (500, 0));
    let mut legacy = body.into_bytes();
    legacy.extend(b"B1,Ng\xab Th\xde Hai,,,,,,,\nB2,Ng\xab Th\xde Ba,,,,,,,\n");
    assert_eq!(count(&legacy), (502, 1));
}
