//! Every message id the workspace's code names literally is in both domain catalogues, so no
//! page or answer ever shows a bare id. Ids built at run time from a prefix (`case-state-…`,
//! `role-…`) are checked by the crates that own the values, against their enumerations.

use std::path::{Path, PathBuf};

use lantoa_core::msg::{EN, VI, ids};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literal right after each occurrence of `call` (`Msg::new(` …).
fn literal_ids<'a>(src: &'a str, call: &str) -> Vec<&'a str> {
    src.match_indices(call)
        .filter_map(|(at, _)| {
            let rest = src[at + call.len()..].trim_start();
            let rest = rest.strip_prefix('"')?;
            let end = rest.find('"')?;
            let id = &rest[..end];
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
                .then_some(id)
        })
        .collect()
}

#[test]
fn every_literal_message_id_in_the_code_is_in_both_catalogues() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut files = Vec::new();
    for krate in std::fs::read_dir(crates).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let vi = ids(VI);
    let en = ids(EN);
    let mut checked = 0;
    let mut missing = Vec::new();
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap();
        // The catalogue's own unit tests name made-up ids on purpose.
        let src = src.split("#[cfg(test)]").next().unwrap_or_default();
        for call in ["Msg::new(", "Msg::new(\n", ".label(\"what\", "] {
            for id in literal_ids(src, call) {
                checked += 1;
                if !vi.iter().any(|v| v == id) || !en.iter().any(|e| e == id) {
                    missing.push(format!("{}: {id}", file.display()));
                }
            }
        }
    }
    assert!(
        checked > 50,
        "only {checked} ids found: is the scan broken?"
    );
    assert!(
        missing.is_empty(),
        "ids missing from a catalogue: {missing:#?}"
    );
}

#[test]
fn the_value_types_refusals_speak_vietnamese_and_english() {
    use lantoa_core::citizen_id::{CitizenIdError, Sex};
    use lantoa_core::msg::{Describe, check_both_languages};
    use lantoa_core::phone::PhoneError;
    use lantoa_core::tax_code::TaxCodeError;
    use lantoa_core::unit::BadCommuneCode;
    let all: Vec<Box<dyn Describe>> = vec![
        Box::new(PhoneError::Empty),
        Box::new(PhoneError::NotADigit('x')),
        Box::new(PhoneError::WrongLength(7)),
        Box::new(PhoneError::UnknownPrefix("0241".into())),
        Box::new(TaxCodeError::Shape),
        Box::new(TaxCodeError::CheckDigit("X1".into())),
        Box::new(TaxCodeError::NeverIssued("X1".into())),
        Box::new(CitizenIdError::Shape(3)),
        Box::new(CitizenIdError::UnknownProvince("X1".into())),
        Box::new(CitizenIdError::BirthYearMismatch {
            encoded: 1990,
            given: 1991,
        }),
        Box::new(CitizenIdError::SexMismatch {
            encoded: Sex::Male,
            given: Sex::Female,
        }),
        Box::new(BadCommuneCode("X1".into())),
    ];
    for e in &all {
        check_both_languages(&e.message()).unwrap();
    }
    // The refusal the issue quoted, in Vietnamese.
    assert_eq!(
        PhoneError::UnknownPrefix("0241".into())
            .message()
            .text(lantoa_core::Lang::Vi),
        "Đầu số 0241 không thuộc nhà mạng di động nào."
    );
}

#[test]
fn every_refusal_with_its_own_error_code_is_a_message() {
    let vi = ids(VI);
    for (id, code) in lantoa_core::error_code::BY_MESSAGE {
        assert!(
            vi.iter().any(|v| v == id),
            "{id} ({}) is no message",
            code.code
        );
        assert_eq!(lantoa_core::error_code::for_message(id), Some(*code));
    }
    assert_eq!(
        lantoa_core::error_code::for_message("no-such-message"),
        None
    );
}
