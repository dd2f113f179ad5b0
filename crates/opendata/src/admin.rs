//! Administrative units in agencies' data, mapped to the current two-level units.
//!
//! Since 1/7/2025 Hà Nội has 126 communes and wards and no districts; older data names the 526
//! communes of before, with their district. A row is read as it was written:
//!
//! * **When.** A file that predates 1/7/2025 ([`REFORM_DATE`]: its dates, or the upload's
//!   stated "as of" date) names old units: its names are looked up among the old communes
//!   first. Any other file names current units first, and an old name that is no current unit
//!   is still converted.
//! * **Where.** A district (a column of its own, or `name, district` in the cell) exists only in
//!   old data: the name is then an old commune of that district. A province other than Hà Nội
//!   is not placed at all.
//! * **Never a guess.** An old commune divided between several current units cannot be placed
//!   without the street, and a name several units share cannot be placed without more: both are
//!   `ambiguous-admin-mapping`, with the candidates.
//!
//! Names are compared on their tone key ([`lantoa_core::text::tone_key`]), so *Hoà*/*Hòa* and
//! NFD input match, and the unit type (`Phường`, `Xã`, `P.`) may be left out; what a reason
//! shows is always the official spelling. A 5-digit code is read as a current code (current
//! units reuse the code of one of the communes they were formed from), or as an old code first
//! in old data.

use std::collections::HashMap;

use chrono::NaiveDate;
use lantoa_core::msg::Msg;
use lantoa_core::text::tone_key;
use lantoa_registry::Reference;

/// The day Hà Nội's districts were abolished and its communes rearranged (National Assembly
/// Standing Committee Resolution 1656/NQ-UBTVQH15, in force 1/7/2025): data dated before it
/// names old units.
pub const REFORM_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(d) => d,
    None => panic!("1/7/2025 is a date"),
};

/// Where a cell's unit is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapped {
    /// A current unit, as written.
    Current {
        /// Its code.
        code: String,
        /// Its official name.
        name: String,
    },
    /// An old commune that went wholly into one current unit.
    Converted {
        /// The current unit's code.
        code: String,
        /// Its official name.
        name: String,
        /// The old commune's name.
        from: String,
    },
    /// An old commune divided between several current units: which one a row's place is in
    /// depends on the street.
    Divided {
        /// The old commune and its district, as written officially.
        old: String,
        /// The current units it went into (the one holding most of it first).
        into: Vec<String>,
    },
    /// Several units carry the name; each candidate, with its district when it is old.
    Shared(Vec<String>),
    /// No unit has this name or code; why, in the officer's words.
    Unknown(Msg),
}

/// What else a row says about its unit, and when its names were written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The names are those before [`REFORM_DATE`].
    pub old: bool,
    /// The row's district, if the file gives one.
    pub district: Option<&'a str>,
    /// The row's province, if the file gives one.
    pub province: Option<&'a str>,
}

/// An old unit: code, name, the district's bare tone key (compared), the district as written.
#[derive(Debug, Clone)]
struct Old {
    code: String,
    name: String,
    district_key: String,
    district: String,
}

/// The lookup tables.
#[derive(Debug, Clone, Default)]
pub struct AdminMap {
    current: Vec<(String, String)>,
    current_by_code: HashMap<String, usize>,
    current_by_key: HashMap<String, Vec<usize>>,
    legacy_by_code: HashMap<String, usize>,
    legacy_by_key: HashMap<String, Vec<usize>>,
    legacy: Vec<Old>,
    /// Old districts: bare tone key → official name.
    districts: HashMap<String, String>,
    /// Old code → (divided, current units).
    targets: HashMap<String, (bool, Vec<usize>)>,
    /// Tone keys of [`UNIT_TYPES`] and [`DISTRICT_TYPES`].
    unit_types: Vec<String>,
    district_types: Vec<String>,
    province_types: Vec<String>,
    /// Tone keys of [`HANOI_KEYS`].
    hanoi_keys: Vec<String>,
}

/// Unit, district and province type words that may lead a name, as written.
const UNIT_TYPES: [&str; 7] = ["phường", "xã", "thị trấn", "đặc khu", "p.", "x.", "tt."];
const DISTRICT_TYPES: [&str; 7] = ["quận", "huyện", "thị xã", "thành phố", "q.", "h.", "tx."];
const PROVINCE_TYPES: [&str; 5] = ["thành phố", "tỉnh", "tp.", "tp", "t."];

/// The province whose units are known, as its bare tone keys may be written, and officially.
const HANOI_KEYS: [&str; 3] = ["hà nội", "ha noi", "hn"];
/// Hà Nội's official name.
pub const HANOI: &str = "Thành phố Hà Nội";

/// `v` trimmed, when it holds anything.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// `key` (a tone key) without a leading type word of `types`.
fn strip(key: &str, types: &[String]) -> String {
    for t in types {
        if let Some(rest) = key.strip_prefix(t.as_str()) {
            let rest = rest.trim_start();
            if !rest.is_empty() && (t.ends_with('.') || key.as_bytes().get(t.len()) == Some(&b' '))
            {
                return rest.to_owned();
            }
        }
    }
    key.to_owned()
}

impl AdminMap {
    /// Hà Nội's units as shipped.
    pub fn hanoi() -> Result<Self, lantoa_registry::Error> {
        Ok(Self::from_reference(&lantoa_registry::commune_reference()?))
    }

    /// Tables from reference data.
    pub fn from_reference(r: &Reference) -> Self {
        let keys = |types: &[&str]| types.iter().map(|t| tone_key(t)).collect::<Vec<_>>();
        let mut m = Self {
            unit_types: keys(&UNIT_TYPES),
            district_types: keys(&DISTRICT_TYPES),
            province_types: keys(&PROVINCE_TYPES),
            hanoi_keys: keys(&HANOI_KEYS),
            ..Self::default()
        };
        for (i, (code, name)) in r.current.iter().enumerate() {
            m.current.push((code.clone(), name.clone()));
            m.current_by_code.insert(code.clone(), i);
            let key = tone_key(name);
            m.current_by_key
                .entry(strip(&key, &m.unit_types))
                .or_default()
                .push(i);
            m.current_by_key.entry(key).or_default().push(i);
        }
        for (i, l) in r.legacy.iter().enumerate() {
            let district_key = strip(&tone_key(&l.district), &m.district_types);
            m.districts
                .entry(district_key.clone())
                .or_insert_with(|| l.district.clone());
            m.legacy.push(Old {
                code: l.code.clone(),
                name: l.name.clone(),
                district_key,
                district: l.district.clone(),
            });
            m.legacy_by_code.insert(l.code.clone(), i);
            let key = tone_key(&l.name);
            m.legacy_by_key
                .entry(strip(&key, &m.unit_types))
                .or_default()
                .push(i);
            m.legacy_by_key.entry(key).or_default().push(i);
        }
        for c in &r.conversions {
            if let Some(&j) = m.current_by_code.get(&c.new_code) {
                let t = m.targets.entry(c.old_code.clone()).or_default();
                t.0 |= c.split;
                if c.is_default {
                    t.1.insert(0, j);
                } else {
                    t.1.push(j);
                }
            }
        }
        for v in m
            .current_by_key
            .values_mut()
            .chain(m.legacy_by_key.values_mut())
        {
            v.sort_unstable();
            v.dedup();
        }
        m
    }

    /// Maps a cell of current data: a code, or a name optionally followed by `, district`
    /// (names may hold hyphens: *Phường Văn Miếu - Quốc Tử Giám*).
    pub fn map(&self, cell: &str) -> Mapped {
        self.map_in(cell, Context::default())
    }

    /// The official name of an old district (`Q. Ba Đình`, `ba đình`, `Huyện Sóc Sơn`).
    pub fn district(&self, cell: &str) -> Option<&str> {
        let cell = cell.split(',').next().unwrap_or(cell);
        let key = strip(tone_key(cell).trim(), &self.district_types);
        self.districts.get(&key).map(String::as_str)
    }

    /// [`HANOI`] when `cell` names Hà Nội (`TP. Hà Nội`, `Ha Noi`, `HN`).
    pub fn province(&self, cell: &str) -> Option<&'static str> {
        let key = strip(tone_key(cell).trim(), &self.province_types);
        self.hanoi_keys.contains(&key).then_some(HANOI)
    }

    /// Maps a cell read in its row's context (see the module's rules).
    pub fn map_in(&self, cell: &str, ctx: Context<'_>) -> Mapped {
        let cell = cell.trim();
        if let Some(p) = given(ctx.province)
            && self.province(p).is_none()
        {
            return Mapped::Unknown(
                Msg::new("admin-other-province")
                    .arg("value", cell)
                    .arg("province", p)
                    .arg("city", HANOI),
            );
        }
        let is_code = cell.len() == 5 && cell.bytes().all(|b| b.is_ascii_digit());
        let (name, in_cell) = match cell.split_once(',') {
            Some((n, d)) if !is_code => (n.trim(), Some(d)),
            _ => (cell, None),
        };
        let district = match given(ctx.district).or(given(in_cell)) {
            Some(d) => match self.district(d) {
                Some(official) => Some(official),
                None => {
                    return Mapped::Unknown(
                        Msg::new("admin-no-district")
                            .arg("value", d)
                            .arg("city", HANOI),
                    );
                }
            },
            None => None,
        };
        let old_first = ctx.old || district.is_some();
        if is_code {
            let current = self.current_by_code.get(cell).map(|&i| self.current_at(i));
            let old = || self.legacy_by_code.get(cell).map(|&i| self.convert(i));
            let found = if old_first {
                old().or(current)
            } else {
                current.or_else(old)
            };
            return found.unwrap_or_else(|| {
                Mapped::Unknown(
                    Msg::new("admin-no-code")
                        .arg("value", cell)
                        .arg("city", HANOI),
                )
            });
        }
        let key = tone_key(name);
        let bare = strip(&key, &self.unit_types);
        let district_key = district.map(|d| strip(&tone_key(d), &self.district_types));
        let legacy = |k: &str| -> Vec<usize> {
            let mut found = self.legacy_by_key.get(k).cloned().unwrap_or_default();
            if let Some(d) = &district_key {
                found.retain(|&i| &self.legacy[i].district_key == d);
            }
            found
        };
        let current = |k: &str| self.current_by_key.get(k).cloned().unwrap_or_default();
        // A name with its type (*Phường Trần Phú*) is looked up as written before its bare
        // name is: an old ward must not become a commune of the same bare name elsewhere.
        let mut keys = vec![key.as_str()];
        if bare != key {
            keys.push(&bare);
        }
        for k in keys {
            let (first, then) = if old_first {
                (self.among_legacy(&legacy(k)), self.one_current(&current(k)))
            } else {
                (self.one_current(&current(k)), self.among_legacy(&legacy(k)))
            };
            if let Some(m) = first.or(then) {
                return m;
            }
        }
        Mapped::Unknown(match district {
            Some(d) => Msg::new("admin-not-in-district")
                .arg("value", name)
                .arg("district", d),
            None => Msg::new("admin-no-commune")
                .arg("value", cell)
                .arg("city", HANOI),
        })
    }

    /// The current unit among `found`, or all of them when several share the name; `None`
    /// when none does.
    fn one_current(&self, found: &[usize]) -> Option<Mapped> {
        match found {
            [] => None,
            [i] => Some(self.current_at(*i)),
            many => Some(Mapped::Shared(
                many.iter().map(|&i| self.current[i].1.clone()).collect(),
            )),
        }
    }

    /// What the old units `found` became; `None` when there are none.
    fn among_legacy(&self, found: &[usize]) -> Option<Mapped> {
        match found {
            [] => None,
            [i] => Some(self.convert(*i)),
            many => Some(Mapped::Shared(
                many.iter().map(|&i| self.old_with_district(i)).collect(),
            )),
        }
    }

    /// "Xã Tân Dân (Huyện Sóc Sơn)".
    fn old_with_district(&self, i: usize) -> String {
        format!("{} ({})", self.legacy[i].name, self.legacy[i].district)
    }

    fn current_at(&self, i: usize) -> Mapped {
        Mapped::Current {
            code: self.current[i].0.clone(),
            name: self.current[i].1.clone(),
        }
    }

    fn convert(&self, legacy: usize) -> Mapped {
        let old = &self.legacy[legacy];
        match self.targets.get(&old.code) {
            Some((false, into)) if into.len() == 1 => Mapped::Converted {
                code: self.current[into[0]].0.clone(),
                name: self.current[into[0]].1.clone(),
                from: old.name.clone(),
            },
            Some((_, into)) if !into.is_empty() => Mapped::Divided {
                old: self.old_with_district(legacy),
                into: into.iter().map(|&j| self.current[j].1.clone()).collect(),
            },
            _ => Mapped::Unknown(
                Msg::new("admin-not-converted").arg("value", self.old_with_district(legacy)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    fn map() -> AdminMap {
        AdminMap::hanoi().unwrap()
    }

    fn old_in(district: &str) -> Context<'_> {
        Context {
            old: true,
            district: Some(district),
            province: None,
        }
    }

    const OLD: Context<'static> = Context {
        old: true,
        district: None,
        province: None,
    };

    #[test]
    fn current_units_by_name_code_and_spelling() {
        let m = map();
        let want = Mapped::Current {
            code: "00004".into(),
            name: "Phường Ba Đình".into(),
        };
        assert_eq!(m.map("Phường Ba Đình"), want);
        assert_eq!(m.map("  phường  ba đình "), want);
        assert_eq!(m.map("Ba Đình"), want);
        assert_eq!(m.map("00004"), want);
        // NFD input.
        use unicode_normalization::UnicodeNormalization;
        assert_eq!(m.map(&"Phường Ba Đình".nfd().collect::<String>()), want);
        assert!(matches!(
            m.map("Phường Văn Miếu - Quốc Tử Giám"),
            Mapped::Current { .. }
        ));
    }

    /// One row of the conversion table (the Hà Nội rows of shared/data's
    /// admin-units-2025-conversion.csv, shipped as data/hanoi-communes-conversion.csv).
    #[derive(serde::Deserialize)]
    struct Conv {
        old_commune_code: String,
        old_commune: String,
        old_district: String,
        new_commune: String,
        kind: String,
    }

    /// Every old commune of the table: its code, name, district, and what it must become.
    fn table() -> Vec<(String, String, String, Mapped)> {
        let text = include_str!("../../../data/hanoi-communes-conversion.csv");
        let mut by_code: Vec<(String, String, String, bool, Vec<String>)> = Vec::new();
        for row in csv::Reader::from_reader(text.as_bytes()).deserialize::<Conv>() {
            let row = row.unwrap();
            match by_code.iter_mut().find(|e| e.0 == row.old_commune_code) {
                Some(e) => {
                    e.3 |= row.kind == "split";
                    e.4.push(row.new_commune);
                }
                None => by_code.push((
                    row.old_commune_code,
                    row.old_commune,
                    row.old_district,
                    row.kind == "split",
                    vec![row.new_commune],
                )),
            }
        }
        by_code
            .into_iter()
            .map(|(code, name, district, split, into)| {
                let want = if split {
                    Mapped::Divided {
                        old: format!("{name} ({district})"),
                        into,
                    }
                } else {
                    Mapped::Converted {
                        code: String::new(),
                        name: into[0].clone(),
                        from: name.clone(),
                    }
                };
                (code, name, district, want)
            })
            .collect()
    }

    /// The same placement, the candidates' order and the current code aside.
    fn same(got: &Mapped, want: &Mapped) -> bool {
        match (got, want) {
            (
                Mapped::Converted { name, from, .. },
                Mapped::Converted {
                    name: n2, from: f2, ..
                },
            ) => name == n2 && from == f2,
            (Mapped::Divided { old, into }, Mapped::Divided { old: o2, into: i2 }) => {
                old == o2
                    && into.iter().collect::<BTreeSet<_>>() == i2.iter().collect::<BTreeSet<_>>()
            }
            _ => false,
        }
    }

    /// Every old commune of Hà Nội, read as old data with its district (a column, or in the
    /// cell), by its code, and by its name alone where the name is its own: each lands where
    /// the conversion table says, and a divided one is never placed.
    #[test]
    fn every_old_commune_of_hanoi_lands_where_the_conversion_table_says() {
        let m = map();
        let table = table();
        assert_eq!(table.len(), 526, "every old commune of Hà Nội");
        let mut names: HashMap<String, usize> = HashMap::new();
        for (_, name, _, _) in &table {
            *names.entry(tone_key(name)).or_default() += 1;
        }
        let (mut divided, mut whole) = (0, 0);
        for (code, name, district, want) in &table {
            let readings = [
                ("old, district column", m.map_in(name, old_in(district))),
                (
                    "current file, district column",
                    m.map_in(
                        name,
                        Context {
                            old: false,
                            district: Some(district),
                            province: Some("Hà Nội"),
                        },
                    ),
                ),
                (
                    "district in the cell",
                    m.map(&format!("{name}, {district}")),
                ),
                ("old code", m.map_in(code, OLD)),
            ];
            for (how, got) in &readings {
                assert!(
                    same(got, want),
                    "{name} ({district}), {how}: {got:?}, want {want:?}"
                );
            }
            let alone = m.map_in(name, OLD);
            if names[&tone_key(name)] == 1 {
                assert!(same(&alone, want), "{name} alone in old data: {alone:?}");
            } else {
                assert!(
                    matches!(&alone, Mapped::Shared(c) if c.contains(&format!("{name} ({district})"))),
                    "{name} is shared by several old districts: {alone:?}"
                );
            }
            match want {
                Mapped::Divided { .. } => divided += 1,
                _ => whole += 1,
            }
        }
        assert!(
            divided > 50 && whole > 300,
            "{divided} divided, {whole} whole"
        );
    }

    /// In current data a current name is the current unit, even where an old unit had the
    /// name and went elsewhere (old Xã Hòa Phú of Huyện Ứng Hòa went into Xã Hòa Xá); every
    /// current unit is found by name and code.
    #[test]
    fn every_current_unit_is_itself_in_current_data() {
        let m = map();
        let text = include_str!("../../../data/hanoi-communes-2025.csv");
        let mut n = 0;
        for rec in csv::Reader::from_reader(text.as_bytes()).records() {
            let rec = rec.unwrap();
            let (code, name) = (&rec[2], &rec[3]);
            let want = Mapped::Current {
                code: code.into(),
                name: name.into(),
            };
            assert_eq!(m.map(name), want, "{name}");
            assert_eq!(m.map(code), want, "{code}");
            n += 1;
        }
        assert_eq!(n, 126);
        assert!(
            matches!(m.map("Xã Hòa Phú"), Mapped::Current { ref name, .. } if name == "Xã Hòa Phú")
        );
        assert!(matches!(
            m.map_in("Xã Hòa Phú", old_in("Huyện Ứng Hòa")),
            Mapped::Converted { ref name, .. } if name == "Xã Hòa Xá"
        ));
        // The same name in old data is the old ward, which was divided.
        assert!(matches!(m.map("Phường Ô Chợ Dừa"), Mapped::Current { .. }));
        assert!(matches!(
            m.map_in("Phường Ô Chợ Dừa", OLD),
            Mapped::Divided { ref old, .. } if old == "Phường Ô Chợ Dừa (Quận Đống Đa)"
        ));
    }

    #[test]
    fn districts_and_provinces_narrow_or_refuse() {
        let m = map();
        for d in [
            "Quận Ba Đình",
            "q. ba đình",
            "Ba Đình",
            "QUẬN BA ĐÌNH, Hà Nội",
        ] {
            assert_eq!(m.district(d), Some("Quận Ba Đình"), "{d}");
        }
        assert_eq!(m.district("Thị xã Sơn Tây"), Some("Thị xã Sơn Tây"));
        assert_eq!(m.district("Quận Không Có"), None);
        for p in ["Thành phố Hà Nội", "TP. Hà Nội", "ha noi", "HN"] {
            assert_eq!(m.province(p), Some(HANOI), "{p}");
        }
        assert_eq!(m.province("Tỉnh Bắc Ninh"), None);
        let outside = m.map_in(
            "Phường Ba Đình",
            Context {
                province: Some("Tỉnh Bắc Ninh"),
                ..Context::default()
            },
        );
        assert!(
            matches!(&outside, Mapped::Unknown(r) if r.to_string().contains("Tỉnh Bắc Ninh") && r.to_string().contains(HANOI)),
            "{outside:?}"
        );
        let nowhere = m.map_in("Phường Phúc Xá", old_in("Quận Không Có"));
        assert!(
            matches!(&nowhere, Mapped::Unknown(r) if r.to_string().contains("\"Quận Không Có\" was no district")),
            "{nowhere:?}"
        );
        // A current name with a stale district is still the current unit.
        assert!(matches!(
            m.map_in("Phường Hồng Hà", old_in("Quận Ba Đình")),
            Mapped::Current { .. }
        ));
        let missing = m.map_in("Phường Không Có", old_in("Quận Ba Đình"));
        assert!(
            matches!(&missing, Mapped::Unknown(r) if r.to_string().contains("in Quận Ba Đình before 1/7/2025")),
            "{missing:?}"
        );
        assert!(matches!(m.map("Phường Không Có"), Mapped::Unknown(_)));
        assert!(matches!(m.map("99999"), Mapped::Unknown(_)));
    }

    /// Divided old wards whose bare name a current commune elsewhere carries stay divided.
    #[test]
    fn a_typed_name_is_read_before_its_bare_name() {
        let m = map();
        for (old, other) in [
            ("Phường Trần Phú", "Xã Trần Phú"),
            ("Xã Thanh Liệt", "Phường Thanh Liệt"),
        ] {
            assert!(
                matches!(m.map(old), Mapped::Divided { .. }),
                "{old}: {:?}",
                m.map(old)
            );
            assert!(matches!(m.map(other), Mapped::Current { .. }), "{other}");
        }
    }

    /// Old units of one name in several districts are named with their districts as written
    /// ("Xã Tân Dân (Huyện Sóc Sơn)"), never as the comparison key ("huyêṇ soć sơn").
    #[test]
    fn reasons_show_names_as_written() {
        let m = map();
        let mut shown = 0;
        let mut seen = HashSet::new();
        for l in &m.legacy {
            if !seen.insert(l.name.clone()) {
                continue;
            }
            let cands = match m.map_in(&l.name, OLD) {
                Mapped::Shared(c) => c,
                Mapped::Divided { old, into } => {
                    assert_eq!(old, format!("{} ({})", l.name, l.district));
                    into
                }
                _ => continue,
            };
            for c in &cands {
                assert!(
                    c.starts_with(|ch: char| ch.is_uppercase()) && !c.contains("ê\u{323}"),
                    "{}: {c:?}",
                    l.name
                );
                assert_eq!(lantoa_core::text::nfc(c), *c);
            }
            shown += 1;
        }
        assert!(shown > 50, "{shown}");
    }
}
