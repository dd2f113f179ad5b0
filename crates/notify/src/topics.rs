//! What SMS campaigns are filed under, and their names (`data/notify/topics.toml`): a campaign
//! keeps its topic's code; the console, the reports and the exports show the name in the
//! reader's language, or the code as typed when the file does not name it.

use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::rules::RulesError;

/// The file shipped in `data/notify/topics.toml`.
pub const BUILTIN: &str = include_str!("../../../data/notify/topics.toml");

/// One topic.
#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// The code a campaign keeps.
    pub code: String,
    /// Its name in Vietnamese.
    pub vi: String,
    /// Its name in English.
    pub en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    topic: Vec<Topic>,
}

/// The named topics.
#[derive(Debug, Clone, Default)]
pub struct Topics(Vec<Topic>);

impl Topics {
    /// Reads a topics file: each code once, no name empty.
    pub fn from_toml(text: &str) -> Result<Self, RulesError> {
        let f: File = toml::from_str(text).map_err(|e| RulesError(format!("topics: {e}")))?;
        let mut seen = std::collections::HashSet::new();
        for t in &f.topic {
            if t.code.trim().is_empty() || t.vi.trim().is_empty() || t.en.trim().is_empty() {
                return Err(RulesError(format!(
                    "topics: {:?} lacks a code or a name",
                    t.code
                )));
            }
            if !seen.insert(t.code.clone()) {
                return Err(RulesError(format!("topics: {} appears twice", t.code)));
            }
        }
        Ok(Self(f.topic))
    }

    /// The shipped topics, read once per process.
    pub fn shipped() -> Result<Arc<Self>, RulesError> {
        static SHIPPED: OnceLock<Arc<Topics>> = OnceLock::new();
        if let Some(t) = SHIPPED.get() {
            return Ok(t.clone());
        }
        let read = Arc::new(Self::from_toml(BUILTIN)?);
        Ok(SHIPPED.get_or_init(|| read).clone())
    }

    /// Every named topic, in the file's order.
    pub fn all(&self) -> &[Topic] {
        &self.0
    }

    /// The name of topic `code` in `lang`; the code itself when the file does not name it.
    pub fn name<'a>(&'a self, code: &'a str, lang: lantoa_core::Lang) -> &'a str {
        self.0
            .iter()
            .find(|t| t.code == code)
            .map_or(code, |t| match lang {
                lantoa_core::Lang::Vi => t.vi.as_str(),
                lantoa_core::Lang::En => t.en.as_str(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_named_in_both_languages_and_unknown_ones_kept_as_typed() {
        let t = Topics::shipped().unwrap();
        assert_eq!(
            t.name("dengue", lantoa_core::Lang::Vi),
            "Phòng chống sốt xuất huyết"
        );
        assert_eq!(t.name("dengue", lantoa_core::Lang::En), "Dengue prevention");
        assert_eq!(t.name("tet-holiday", lantoa_core::Lang::Vi), "tet-holiday");
        // The topics Lantoa itself files campaigns under are all named.
        for code in [
            "alert",
            "nhac_viec",
            "food-safety",
            "fire-safety",
            "digital",
        ] {
            assert_ne!(t.name(code, lantoa_core::Lang::Vi), code);
        }
        let twice = "[[topic]]\ncode = \"a\"\nvi = \"A\"\nen = \"A\"\n[[topic]]\ncode = \"a\"\nvi = \"B\"\nen = \"B\"\n";
        assert!(
            Topics::from_toml(twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
    }
}
