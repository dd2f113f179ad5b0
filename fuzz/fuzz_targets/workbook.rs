//! Any bytes as a workbook: the bounded reader never panics, and what it reads stays within
//! its limits (rows, columns, cell length), whatever the file claims about itself.
#![no_main]

use lantoa_store::sheet::{Limits, cell_text, first_sheet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let limits = Limits {
        max_unpacked_bytes: 4 << 20,
        max_cells: 10_000,
        max_columns: 50,
        max_rows: 1_000,
        max_cell_chars: 1_000,
    };
    if let Ok((first_line, rows)) = first_sheet(bytes, limits, cell_text) {
        assert!(first_line >= 1);
        assert!(!rows.is_empty());
        assert!(rows.len() <= limits.max_rows + 1, "{} rows", rows.len());
        for r in &rows {
            assert!(r.len() <= limits.max_columns as usize);
            for c in r {
                assert!(c.chars().count() <= limits.max_cell_chars);
            }
        }
    }
});
