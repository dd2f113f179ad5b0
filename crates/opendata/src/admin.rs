//! Administrative units in agencies' data, mapped to the current two-level units.
//!
//! Since 1/7/2025 Hà Nội has 126 communes and wards and no districts; older data names the 526
//! communes of before, with their district. A cell is read as a current unit (by code or name)
//! first, then as an old commune, which is mapped through the national conversion table. An
//! old commune divided between several current units cannot be placed without the street, so
//! it is `ambiguous-admin-mapping`, never a guess. Names are compared on their tone key
//! ([`lantoa_core::text::tone_key`]), so *Hoà*/*Hòa* and NFD input match, and the unit type
//! (`Phường`, `Xã`, `P.`) may be left out. A 5-digit code is read as a current code: current
//! units reuse the code of one of the communes they were formed from.

use std::collections::HashMap;

use lantoa_core::text::tone_key;
use lantoa_registry::Reference;

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
    /// Several units fit; the names of the candidates.
    Ambiguous(Vec<String>),
    /// No unit has this name or code.
    Unknown,
}

/// The lookup tables.
#[derive(Debug, Clone, Default)]
pub struct AdminMap {
    current: Vec<(String, String)>,
    current_by_code: HashMap<String, usize>,
    current_by_key: HashMap<String, Vec<usize>>,
    legacy_by_code: HashMap<String, usize>,
    legacy_by_key: HashMap<String, Vec<usize>>,
    /// Old units: code, name, the district's tone key (compared), the district as written
    /// (shown in a quarantine reason).
    legacy: Vec<(String, String, String, String)>,
    /// Old code → (divided, current units).
    targets: HashMap<String, (bool, Vec<usize>)>,
    /// Tone keys of [`UNIT_TYPES`] and [`DISTRICT_TYPES`].
    unit_types: Vec<String>,
    district_types: Vec<String>,
}

/// Unit and district type words that may lead a name, as written.
const UNIT_TYPES: [&str; 7] = ["phường", "xã", "thị trấn", "đặc khu", "p.", "x.", "tt."];
const DISTRICT_TYPES: [&str; 5] = ["quận", "huyện", "thị xã", "thành phố", "q."];

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
        let mut m = Self {
            unit_types: UNIT_TYPES.iter().map(|t| tone_key(t)).collect(),
            district_types: DISTRICT_TYPES.iter().map(|t| tone_key(t)).collect(),
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
            m.legacy.push((
                l.code.clone(),
                l.name.clone(),
                tone_key(&l.district),
                l.district.clone(),
            ));
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

    /// Maps a cell: a code, or a name optionally followed by `, district` (names may hold
    /// hyphens: *Phường Văn Miếu - Quốc Tử Giám*).
    pub fn map(&self, cell: &str) -> Mapped {
        let cell = cell.trim();
        if cell.len() == 5 && cell.bytes().all(|b| b.is_ascii_digit()) {
            if let Some(&i) = self.current_by_code.get(cell) {
                return self.current_at(i);
            }
            if let Some(&i) = self.legacy_by_code.get(cell) {
                return self.convert(i);
            }
            return Mapped::Unknown;
        }
        let (name, district) = match cell.split_once(',') {
            Some((n, d)) => (n, Some(tone_key(d))),
            None => (cell, None),
        };
        let key = tone_key(name);
        let bare = strip(&key, &self.unit_types);
        let get = |table: &HashMap<String, Vec<usize>>, k: &str| {
            table.get(k).cloned().unwrap_or_default()
        };
        // A name with its type (*Phường Trần Phú*) is looked up as written, current units then
        // old ones, before its bare name is: an old ward must not become a current commune of
        // the same bare name elsewhere (*Xã Trần Phú*).
        if bare != key {
            if let Some(m) = self.one_current(&get(&self.current_by_key, &key)) {
                return m;
            }
            let legacy = get(&self.legacy_by_key, &key);
            if !legacy.is_empty() {
                return self.among_legacy(legacy, district.as_deref());
            }
        }
        if let Some(m) = self.one_current(&get(&self.current_by_key, &bare)) {
            return m;
        }
        self.among_legacy(get(&self.legacy_by_key, &bare), district.as_deref())
    }

    /// The current unit among `found`, or all of them when several share the name; `None`
    /// when none does.
    fn one_current(&self, found: &[usize]) -> Option<Mapped> {
        match found {
            [] => None,
            [i] => Some(self.current_at(*i)),
            many => Some(Mapped::Ambiguous(
                many.iter().map(|&i| self.current[i].1.clone()).collect(),
            )),
        }
    }

    /// What old units `found` (narrowed by `district` when several share the name) became.
    fn among_legacy(&self, mut found: Vec<usize>, district: Option<&str>) -> Mapped {
        if found.len() > 1
            && let Some(d) = district
        {
            let d = strip(d.trim(), &self.district_types);
            found.retain(|&i| strip(&self.legacy[i].2, &self.district_types) == d);
        }
        match found.as_slice() {
            [] => Mapped::Unknown,
            [i] => self.convert(*i),
            many => Mapped::Ambiguous(
                many.iter()
                    .map(|&i| format!("{} ({})", self.legacy[i].1, self.legacy[i].3))
                    .collect(),
            ),
        }
    }

    fn current_at(&self, i: usize) -> Mapped {
        Mapped::Current {
            code: self.current[i].0.clone(),
            name: self.current[i].1.clone(),
        }
    }

    fn convert(&self, legacy: usize) -> Mapped {
        let (code, name, _, _) = &self.legacy[legacy];
        match self.targets.get(code) {
            Some((false, into)) if into.len() == 1 => Mapped::Converted {
                code: self.current[into[0]].0.clone(),
                name: self.current[into[0]].1.clone(),
                from: name.clone(),
            },
            Some((_, into)) if !into.is_empty() => {
                Mapped::Ambiguous(into.iter().map(|&j| self.current[j].1.clone()).collect())
            }
            _ => Mapped::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> AdminMap {
        AdminMap::hanoi().unwrap()
    }

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
    }

    #[test]
    fn old_communes_convert_or_are_ambiguous() {
        let m = map();
        assert_eq!(
            m.map("Phường Phúc Xá"),
            Mapped::Converted {
                code: "00097".into(),
                name: "Phường Hồng Hà".into(),
                from: "Phường Phúc Xá".into()
            }
        );
        assert_eq!(m.map("00001"), m.map("Phường Phúc Xá"));
        let splits = m.reference_splits();
        assert!(splits.len() > 10, "the shipped table has divided communes");
        for split in &splits {
            assert!(
                matches!(m.map(split), Mapped::Ambiguous(ref v) if v.len() >= 2),
                "{split} -> {:?}",
                m.map(split)
            );
        }
        // Divided old wards whose bare name a current commune elsewhere carries.
        for (old, other) in [
            ("Phường Trần Phú", "Xã Trần Phú"),
            ("Xã Thanh Liệt", "Phường Thanh Liệt"),
        ] {
            assert!(matches!(m.map(old), Mapped::Ambiguous(_)), "{old}");
            assert!(matches!(m.map(other), Mapped::Current { .. }), "{other}");
        }
        assert_eq!(m.map("Phường Không Có"), Mapped::Unknown);
        assert_eq!(m.map("99999"), Mapped::Unknown);
        assert!(matches!(
            m.map("Phường Văn Miếu - Quốc Tử Giám"),
            Mapped::Current { .. }
        ));
    }

    /// Old units of one name in several districts are named with their districts as written
    /// ("Xã Tân Dân (Huyện Sóc Sơn)"), not as the comparison key ("huyêṇ soć sơn").
    #[test]
    fn an_ambiguous_old_name_shows_its_districts_as_written() {
        let m = map();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, l) in m.legacy.iter().enumerate() {
            by_name.entry(l.1.as_str()).or_default().push(i);
        }
        let mut shown = 0;
        for (name, ids) in by_name.iter().filter(|(_, v)| v.len() > 1) {
            if let Mapped::Ambiguous(list) = m.map(name)
                && list.iter().any(|c| c.contains(" ("))
            {
                for c in &list {
                    let district = c.rsplit_once(" (").map_or("", |(_, d)| d);
                    assert!(
                        ids.iter()
                            .any(|&i| format!("{})", m.legacy[i].3) == district),
                        "{name}: {c:?} does not name a district as written"
                    );
                    assert!(
                        district.starts_with(|ch: char| ch.is_uppercase()),
                        "{name}: {c:?}"
                    );
                }
                shown += 1;
            }
        }
        assert!(
            shown > 0,
            "the shipped table has old names shared across districts"
        );
    }

    impl AdminMap {
        /// The names of old communes that were divided and whose names are not current
        /// units' names, sorted.
        fn reference_splits(&self) -> Vec<String> {
            self.targets
                .iter()
                .filter(|(_, (split, into))| *split && into.len() > 1)
                .filter_map(|(code, _)| self.legacy_by_code.get(code))
                .map(|&i| &self.legacy[i].1)
                .filter(|name| {
                    !self.current_by_key.contains_key(&tone_key(name))
                        && self.legacy_by_key[&tone_key(name)].len() == 1
                })
                .cloned()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
        }
    }
}
