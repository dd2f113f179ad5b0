//! Any bytes as an uploaded file against a fixed schema, and any text as a schema: nothing
//! panics, and every row read is accounted for (clean + quarantined + duplicates = read).
#![no_main]

use std::sync::OnceLock;

use lantoa_core::phone::NumberingPlan;
use lantoa_opendata::admin::AdminMap;
use lantoa_opendata::check::Checker;
use lantoa_opendata::ingest::{Ingest, Tally};
use lantoa_opendata::schema::Schema;
use libfuzzer_sys::fuzz_target;

const SCHEMA: &str = r#"{"fields": [
  {"name": "ma", "constraints": {"required": true}},
  {"name": "ten", "lantoa:kind": "name"},
  {"name": "ngay", "type": "date", "format": "%d/%m/%Y"},
  {"name": "so", "type": "number", "decimalChar": ",", "groupChar": "."},
  {"name": "xa", "lantoa:kind": "commune"},
  {"name": "dt", "lantoa:kind": "phone"}
], "primaryKey": "ma"}"#;

fn fixed() -> &'static (Schema, AdminMap, NumberingPlan) {
    static F: OnceLock<(Schema, AdminMap, NumberingPlan)> = OnceLock::new();
    F.get_or_init(|| {
        (
            Schema::from_json(SCHEMA).unwrap(),
            AdminMap::hanoi().unwrap(),
            NumberingPlan::builtin(),
        )
    })
}

fuzz_target!(|input: (&str, &[u8])| {
    let (schema_text, body) = input;
    let _ = Schema::from_json(schema_text);
    let (schema, admin, plan) = fixed();
    let mut file = b"ma,ten,ngay,so,xa,dt\n".to_vec();
    file.extend_from_slice(body);
    let mut checker = Checker::new(schema, admin, plan);
    let Ok(mut ingest) = Ingest::csv(file.as_slice(), schema) else {
        return;
    };
    let mut tally = Tally::default();
    while let Some(row) = ingest.next(&mut checker) {
        match row {
            Ok(r) => tally.add(&r.verdict),
            Err(_) => break,
        }
    }
    assert!(tally.conserved());
});
