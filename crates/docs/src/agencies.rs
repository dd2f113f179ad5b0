//! The issuing agencies and their letterheads over time (`data/agencies.toml`).

use chrono::NaiveDate;
use serde::Deserialize;

use crate::{Error, Result};

/// The file shipped in `data/agencies.toml`.
pub const BUILTIN: &str = include_str!("../../../data/agencies.toml");

/// One agency's letterhead and the dates it held.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Letterhead {
    /// First day in force.
    pub from: NaiveDate,
    /// Last day in force; none while it still holds.
    #[serde(default)]
    pub until: Option<NaiveDate>,
    /// The governing body, upper case ("UBND THÀNH PHỐ HÀ NỘI").
    pub governing: String,
    /// The issuing agency, upper case ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG").
    pub issuer: String,
    /// Its name as written in a sentence ("Sở Thông tin và Truyền thông Hà Nội").
    pub name: String,
    /// Its abbreviation in symbols ("STTTT").
    pub abbr: String,
    /// The office that drafts (the e-information office).
    pub office: String,
    /// Its abbreviation ("TTĐT").
    pub office_abbr: String,
    /// The head's title ("GIÁM ĐỐC").
    pub head: String,
    /// A deputy's title ("PHÓ GIÁM ĐỐC"), who signs "KT." for the head.
    pub deputy: String,
    /// The agency's address, for invitations.
    pub address: String,
    /// The inspectorate that receives transferred dossiers.
    pub inspectorate: String,
    /// The national authority that sends takedown requests to platforms.
    pub authority: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    place: String,
    letterhead: Vec<Letterhead>,
}

/// The agencies file: the place name and the letterheads in date order.
#[derive(Debug, Clone)]
pub struct Agencies {
    place: String,
    letterheads: Vec<Letterhead>,
}

impl Agencies {
    /// Reads and checks an agencies file: at least one letterhead, none empty, dates that do
    /// not overlap.
    pub fn from_toml(text: &str) -> Result<Self> {
        let file: File = toml::from_str(text).map_err(|e| Error::Agencies(e.to_string()))?;
        if file.place.trim().is_empty() {
            return Err(Error::Agencies("place is empty".into()));
        }
        let mut heads = file.letterhead;
        if heads.is_empty() {
            return Err(Error::Agencies("no [[letterhead]]".into()));
        }
        heads.sort_by_key(|h| h.from);
        for (i, h) in heads.iter().enumerate() {
            for (field, value) in [
                ("governing", &h.governing),
                ("issuer", &h.issuer),
                ("name", &h.name),
                ("abbr", &h.abbr),
                ("head", &h.head),
                ("inspectorate", &h.inspectorate),
                ("authority", &h.authority),
            ] {
                if value.trim().is_empty() {
                    return Err(Error::Agencies(format!(
                        "the letterhead from {} has an empty {field}",
                        h.from
                    )));
                }
            }
            if h.until.is_some_and(|u| u < h.from) {
                return Err(Error::Agencies(format!(
                    "the letterhead from {} ends before it starts",
                    h.from
                )));
            }
            if let Some(next) = heads.get(i + 1) {
                match h.until {
                    Some(u) if u < next.from => {}
                    _ => {
                        return Err(Error::Agencies(format!(
                            "the letterheads from {} and {} overlap",
                            h.from, next.from
                        )));
                    }
                }
            }
        }
        Ok(Self {
            place: file.place,
            letterheads: heads,
        })
    }

    /// The shipped file.
    pub fn builtin() -> Result<Self> {
        Self::from_toml(BUILTIN)
    }

    /// The place name before the date.
    pub fn place(&self) -> &str {
        &self.place
    }

    /// The letterhead in force on `day`.
    pub fn at(&self, day: NaiveDate) -> Result<&Letterhead> {
        self.letterheads
            .iter()
            .find(|h| h.from <= day && h.until.is_none_or(|u| day <= u))
            .ok_or(Error::NoLetterhead(day))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_letterhead_follows_the_date() {
        let a = Agencies::builtin().unwrap();
        assert_eq!(a.place(), "Hà Nội");
        let h2023 = a.at(day("2023-06-01")).unwrap();
        assert_eq!(h2023.abbr, "STTTT");
        assert_eq!(h2023.name, "Sở Thông tin và Truyền thông Hà Nội");
        assert!(h2023.authority.contains("Bộ Thông tin và Truyền thông"));
        let h2026 = a.at(day("2026-11-29")).unwrap();
        assert_eq!(h2026.abbr, "SVHTT");
        assert!(h2026.authority.contains("Văn hóa, Thể thao và Du lịch"));
        assert!(matches!(
            a.at(day("2000-01-01")),
            Err(Error::NoLetterhead(_))
        ));
    }

    #[test]
    fn a_bad_agencies_file_says_what_is_wrong() {
        let one = |from: &str, until: &str| {
            format!(
                "[[letterhead]]\nfrom = \"{from}\"\n{until}governing = \"G\"\nissuer = \"I\"\nname = \"N\"\nabbr = \"A\"\noffice = \"O\"\noffice_abbr = \"OA\"\nhead = \"H\"\ndeputy = \"D\"\naddress = \"x\"\ninspectorate = \"T\"\nauthority = \"C\"\n"
            )
        };
        for (text, says) in [
            (
                "place = \"\"\n".to_owned() + &one("2020-01-01", ""),
                "place is empty",
            ),
            (
                "place = \"X\"\nletterhead = []\n".to_owned(),
                "no [[letterhead]]",
            ),
            (
                "place = \"X\"\n".to_owned() + &one("2020-01-01", "") + &one("2021-01-01", ""),
                "overlap",
            ),
            (
                "place = \"X\"\n".to_owned() + &one("2020-01-01", "until = \"2019-01-01\"\n"),
                "ends before it starts",
            ),
            (
                "place = \"X\"\n".to_owned()
                    + &one("2020-01-01", "").replace("abbr = \"A\"", "abbr = \" \""),
                "empty abbr",
            ),
            (
                "place = \"X\"\n".to_owned() + &one("2020-01-01", "") + "colour = 1\n",
                "unknown field",
            ),
        ] {
            let e = Agencies::from_toml(&text).unwrap_err().to_string();
            assert!(e.contains(says), "{says}: {e}");
        }
    }
}
