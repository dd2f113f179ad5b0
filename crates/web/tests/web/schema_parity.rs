use lantoa_store::sqlx::{self, Row as _};
use std::collections::BTreeMap;

/// A column's kind and whether it is required.
type Columns = BTreeMap<String, (&'static str, bool)>;

/// The kind a declared type belongs to on either database.
fn kind(declared: &str) -> &'static str {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") || t == "boolean" {
        "integer"
    } else if t.contains("char") || t.contains("text") || t == "json" || t == "jsonb" {
        "text"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("numeric")
        || t.contains("float")
    {
        "real"
    } else if t.contains("blob") || t == "bytea" {
        "bytes"
    } else {
        "other"
    }
}

async fn sqlite(db: &lantoa_store::Db) -> Schema {
    let pool = db.pool();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        // Virtual tables' shadow tables (full-text indexes) are SQLite's own.
        let mut cols = Columns::new();
        for r in sqlx::query(&format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}')"
        ))
        .fetch_all(pool)
        .await
        .unwrap()
        {
            let name: String = r.try_get(0).unwrap();
            let declared: String = r.try_get(1).unwrap();
            let required =
                r.try_get::<i64, _>(2).unwrap() != 0 || r.try_get::<i64, _>(3).unwrap() != 0;
            cols.insert(name, (kind(&declared), required));
        }
        out.insert(t, cols);
    }
    let indexes = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
    (out, indexes)
}

async fn postgres(db: &lantoa_store::Db) -> Schema {
    let pool = db.pool();
    let mut out: BTreeMap<String, Columns> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text
             FROM information_schema.columns c JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    {
        let table: String = r.try_get(0).unwrap();
        let name: String = r.try_get(1).unwrap();
        let declared: String = r.try_get(2).unwrap();
        let nullable: String = r.try_get(3).unwrap();
        out.entry(table)
            .or_default()
            .insert(name, (kind(&declared), nullable == "NO"));
    }
    // Named indexes: those a constraint made for itself are the database's own.
    let indexes = sqlx::query_scalar(
        "SELECT i.indexname::text FROM pg_indexes i
             WHERE i.schemaname = 'public' AND NOT EXISTS (
                 SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    (out, indexes)
}

type Schema = (
    BTreeMap<String, Columns>,
    std::collections::BTreeSet<String>,
);

/// What differs between SQLite's schema and PostgreSQL's, one line each.
fn differences(lite: &Schema, pg: &Schema) -> Vec<String> {
    let ((lite_tables, lite_indexes), (pg_tables, pg_indexes)) = (lite, pg);
    let mut differences = Vec::new();
    for t in lite_tables.keys().chain(pg_tables.keys()) {
        match (lite_tables.get(t), pg_tables.get(t)) {
            (Some(_), None) => differences.push(format!("table {t}: only on SQLite")),
            (None, Some(_)) => differences.push(format!("table {t}: only on PostgreSQL")),
            (Some(a), Some(b)) => {
                for c in a.keys().chain(b.keys()) {
                    match (a.get(c), b.get(c)) {
                        (Some(x), Some(y)) if x != y => differences.push(format!(
                            "{t}.{c}: SQLite {x:?}, PostgreSQL {y:?} (kind, required)"
                        )),
                        (Some(_), None) => differences.push(format!("{t}.{c}: only on SQLite")),
                        (None, Some(_)) => differences.push(format!("{t}.{c}: only on PostgreSQL")),
                        _ => {}
                    }
                }
            }
            (None, None) => {}
        }
    }
    for i in lite_indexes.symmetric_difference(pg_indexes) {
        let on = if lite_indexes.contains(i) {
            "SQLite"
        } else {
            "PostgreSQL"
        };
        differences.push(format!("index {i}: only on {on}"));
    }
    differences.sort();
    differences.dedup();
    differences
}

#[tokio::test]
#[ignore = "compares with PostgreSQL: cargo xtask test runs it beside the PostgreSQL suites"]
async fn both_databases_get_the_same_tables_columns_and_indexes() {
    let server = std::env::var(lantoa_store::testing::ENV)
        .expect("LANTOA_TEST_DATABASE_URL names the PostgreSQL server to compare with");
    assert!(!server.is_empty(), "LANTOA_TEST_DATABASE_URL is empty");
    let pg = lantoa_store::testing::TestDb::new(&lantoa_web::MIGRATIONS)
        .await
        .unwrap();
    assert!(pg.is_postgres());
    let dir = tempfile::tempdir().unwrap();
    let lite = lantoa_store::Db::connect_with(
        &format!("sqlite://{}", dir.path().join("parity.db").display()),
        Some(1),
    )
    .await
    .unwrap();
    let mut sets: Vec<&lantoa_store::migrate::MigrationSet> = vec![&lantoa_store::MIGRATIONS];
    sets.extend(
        lantoa_web::MIGRATIONS
            .iter()
            .copied()
            .filter(|s| s.component != "store"),
    );
    lantoa_store::migrate::run(&lite, &sets).await.unwrap();
    let lite_schema = sqlite(&lite).await;
    let pg_schema = postgres(&pg.db).await;
    let differences = differences(&lite_schema, &pg_schema);
    let (lite_tables, lite_indexes) = &lite_schema;
    eprintln!(
        "schema parity: {} tables, {} columns, {} named indexes compared",
        lite_tables.len(),
        lite_tables.values().map(|c| c.len()).sum::<usize>(),
        lite_indexes.len()
    );
    assert!(
        lite_tables.len() > 40,
        "only {} tables migrated",
        lite_tables.len()
    );
    assert!(
        differences.is_empty(),
        "{} differences:\n{}",
        differences.len(),
        differences.join("\n")
    );
    // The comparison sees a column one database has and the other has not.
    sqlx::query("ALTER TABLE notify_campaigns ADD COLUMN parity_probe TEXT NOT NULL DEFAULT ''")
        .execute(lite.pool())
        .await
        .unwrap();
    sqlx::query("CREATE INDEX parity_probe_index ON notify_campaigns (parity_probe)")
        .execute(lite.pool())
        .await
        .unwrap();
    let probed = super::schema_parity::differences(&sqlite(&lite).await, &pg_schema);
    assert_eq!(
        probed,
        [
            "index parity_probe_index: only on SQLite",
            "notify_campaigns.parity_probe: only on SQLite",
        ]
    );
}
