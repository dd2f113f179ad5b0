//! The open-data benchmark program (driven by `cargo xtask bench opendata`).
//!
//! ```text
//! opendata_bench gen FILE N [P]  write an N-row, 12-column Vietnamese CSV, about P% dirty
//!                                (1 when not given; plus about 0.1% rows repeated exactly)
//! opendata_bench run FILE SCHEMA validate + clean + quarantine FILE: clean rows to FILE.clean.csv,
//!                                quarantined rows to FILE.quarantine.jsonl; one JSON line of figures
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark program: a panic is the report

use lantoa_store::testing::measure::{cpu_seconds, peak_rss_kb};
use std::io::{BufWriter, Write};

/// The allocator the `lantoa` binary uses, so the figures are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

use lantoa_core::phone::NumberingPlan;
use lantoa_opendata::admin::AdminMap;
use lantoa_opendata::check::{Checker, Verdict};
use lantoa_opendata::ingest::{Ingest, Tally};
use lantoa_opendata::schema::Schema;

/// xorshift: deterministic variety without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}

const FAMILY: [&str; 12] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
];
const MIDDLE: [&str; 6] = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu"];
const GIVEN: [&str; 12] = [
    "An", "Bình", "Chi", "Dũng", "Hòa", "Hóa", "Hương", "Khoa", "Lan", "Nam", "Thủy", "Yến",
];
const STREETS: [&str; 6] = [
    "Hàng Bạc",
    "Phố Huế",
    "Kim Mã",
    "Giải Phóng",
    "Lạc Long Quân",
    "Nguyễn Trãi",
];
/// Birth-registration province codes of citizen identity numbers (data/cccd-province-codes.csv).
const PROVINCES: [&str; 12] = [
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019",
];
const PREFIXES: [&str; 8] = ["091", "096", "098", "090", "088", "070", "032", "083"];

fn tax_code(rng: &mut Rng) -> String {
    loop {
        let mut nine = [0u8; 9];
        nine[0] = 0;
        nine[1] = 1;
        for d in nine.iter_mut().skip(2) {
            *d = rng.below(10) as u8;
        }
        if let Some(c) = lantoa_core::tax_code::check_digit(&nine) {
            let mut s: String = nine.iter().map(|d| char::from(b'0' + d)).collect();
            s.push(char::from(b'0' + c));
            if &s[2..9] != "0000000" {
                return s;
            }
        }
    }
}

fn generate(path: &str, n: u64, dirty_percent: u64) {
    let communes: Vec<String> = lantoa_registry::commune_reference()
        .unwrap()
        .current
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "ma_ho_so,ho_ten,ngay_sinh,gioi_tinh,cccd,dien_thoai,email,ma_so_thue,phuong_xa,dia_chi,so_tien,ngay_cap"
    )
    .unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..n {
        let female = rng.below(2) == 1;
        let year = 1950 + rng.below(56) as i32;
        let (d, m) = (1 + rng.below(28), 1 + rng.below(12));
        let century_sex = (year / 100 - 19) * 2 + i32::from(female);
        let mut name = format!(
            "{} {} {}",
            rng.pick(&FAMILY),
            if female { "Thị" } else { rng.pick(&MIDDLE) },
            rng.pick(&GIVEN)
        );
        let mut birth = format!("{d:02}/{m:02}/{year}");
        let mut sex = if female { "Nữ" } else { "Nam" }.to_owned();
        // Unique numbers: a million per province code.
        let province = PROVINCES[(i / 1_000_000) as usize % PROVINCES.len()];
        let mut cccd = format!(
            "{province}{century_sex}{:02}{:06}",
            year % 100,
            i % 1_000_000
        );
        let mut phone = format!("{}{:07}", rng.pick(&PREFIXES), rng.below(10_000_000));
        let mut email = format!("nguoidan{i}@example.vn");
        let mut tax = tax_code(&mut rng);
        let mut commune = rng.pick(&communes).clone();
        let mut amount = format!(
            "{}.{:03}.{:03},{:02}",
            1 + rng.below(99),
            rng.below(1000),
            rng.below(1000),
            rng.below(100)
        );
        let mut issued = format!(
            "{:02}/{:02}/{}",
            1 + rng.below(28),
            1 + rng.below(12),
            2016 + rng.below(9)
        );
        let mut key = format!("HS{i:08}");
        // About `dirty_percent`% of rows get one fault of a kind agencies make.
        if rng.below(100) < dirty_percent {
            match rng.below(10) {
                0 => birth = format!("{m:02}/{:02}/{year}", 13 + rng.below(15)),
                1 => phone = format!("0{}", rng.below(1_000_000_000)),
                2 => tax.replace_range(9..10, if tax.ends_with('0') { "1" } else { "0" }),
                3 => {
                    cccd = format!(
                        "{province}{}{:02}{:06}",
                        (century_sex + 1) % 4,
                        year % 100,
                        i % 1_000_000
                    );
                }
                4 => sex = "Khác".into(),
                5 => email = format!("nguoidan{i}.example.vn"),
                6 => commune = "Phường Không Có".into(),
                7 => amount = "-5".into(),
                8 => issued = "#N/A".into(),
                _ => name = String::new(),
            }
        }
        // And about 0.2% repeat an earlier row's key.
        if i > 10 && rng.below(500) == 0 {
            key = format!("HS{:08}", i - 1 - rng.below(10));
        }
        // Untidy but valid spellings, cleaned rather than refused.
        if rng.below(20) == 0 {
            name = format!("  {} ", name.to_uppercase());
            phone = format!("+84 {} {} {}", &phone[1..4], &phone[4..7], &phone[7..]);
        }
        let line = format!(
            "{key},{name},{birth},{sex},{cccd},{phone},{email},{tax},{commune},\"Số {} {}\",\"{amount}\",{issued}\n",
            1 + rng.below(200),
            rng.pick(&STREETS)
        );
        out.write_all(line.as_bytes()).unwrap();
        // About 0.1% of rows are sent twice, as a re-exported sheet does.
        if rng.below(1000) == 0 {
            out.write_all(line.as_bytes()).unwrap();
        }
    }
    out.flush().unwrap();
}

fn run(path: &str, schema_path: &str) {
    let schema = Schema::from_json(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let admin = AdminMap::hanoi().unwrap();
    let plan = NumberingPlan::builtin();
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    let mut checker = Checker::new(&schema, &admin, &plan);
    // As the server does: every word of the file surveyed for its encoding when a record
    // first shows text that is not plain Unicode.
    let survey = lantoa_opendata::ingest::Survey::Pending(Box::new(|| {
        lantoa_opendata::ingest::survey(path, std::fs::File::open(path).unwrap())
            .unwrap()
            .decide()
    }));
    let mut ingest =
        Ingest::read_surveyed(path, std::fs::File::open(path).unwrap(), &schema, survey).unwrap();
    // As the server does: key tables sized once from the file's size.
    if let Some(rows) = ingest.expected_rows(std::fs::metadata(path).unwrap().len()) {
        checker.expect_rows(rows);
    }
    let mut clean = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(format!("{path}.clean.csv")).unwrap(),
    );
    {
        let mut head = csv::Writer::from_writer(&mut clean);
        head.write_record(schema.fields.iter().map(|f| f.name.as_str()))
            .unwrap();
        head.flush().unwrap();
    }
    let mut line = Vec::with_capacity(1024);
    let mut quarantine = BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(format!("{path}.quarantine.jsonl")).unwrap(),
    );
    let mut tally = Tally::default();
    let mut errors = 0u64;
    while let Some(row) = ingest.next(&mut checker) {
        let row = row.unwrap();
        tally.add(&row.verdict);
        match &row.verdict {
            Verdict::Clean(values) => {
                line.clear();
                values.write_csv(&mut line);
                clean.write_all(&line).unwrap();
            }
            Verdict::Dirty(e) => {
                errors += e.len() as u64;
                serde_json::to_writer(
                    &mut quarantine,
                    &serde_json::json!({"row": row.number, "cells": row.raw, "errors": e}),
                )
                .unwrap();
                quarantine.write_all(b"\n").unwrap();
            }
            Verdict::Duplicate => {}
        }
    }
    clean.flush().unwrap();
    quarantine.flush().unwrap();
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    assert!(tally.conserved());
    println!(
        "{{\"rows\": {}, \"clean\": {}, \"quarantined\": {}, \"duplicates\": {}, \"errors\": {errors}, \"seconds\": {secs:.3}, \"rows_per_s\": {:.0}, \"cpu_seconds\": {cpu:.3}, \"rows_per_cpu_s\": {:.0}, \"peak_rss_kb\": {}}}",
        tally.rows,
        tally.clean,
        tally.quarantined,
        tally.duplicates,
        tally.rows as f64 / secs,
        tally.rows as f64 / cpu,
        peak_rss_kb()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("gen") => generate(
            &args[1],
            args[2].parse().unwrap(),
            args.get(3).map_or(1, |p| p.parse().unwrap()),
        ),
        Some("run") => run(&args[1], &args[2]),
        _ => eprintln!("usage: opendata_bench gen FILE N [DIRTY_PERCENT] | run FILE SCHEMA"),
    }
}
