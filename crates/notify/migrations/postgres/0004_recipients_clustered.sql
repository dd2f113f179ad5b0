-- A list's recipients without the commune index: writing a city-wide list maintained it per
-- row; a campaign narrowed to communes now reads its list's rows by the key instead. (SQLite
-- also drops its rowid table here; PostgreSQL keeps its heap and the key's index.)
DROP INDEX notify_recipients_commune;
