//! Measuring the watch analysis against labelled pages: token-level F1 of extraction against
//! the expected text, and precision and recall of each signal against the signals each page
//! was written to show. Used by the quality test and by `cargo xtask bench watch`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use lantoa_core::text;
use serde::Deserialize;
use url::Url;

use crate::extract;
use crate::signals::{PageView, Rules, SubjectFacts};
use crate::subject::SubjectKind;

/// Signals not measured on the fixture pages: near-duplicates need a press corpus and the
/// classifier has its own held-out measure (both are tested elsewhere).
pub const NOT_MEASURED: [&str; 2] = ["baohoa.republished_press", "harm.classifier"];

/// The words of a text, lower-cased, in NFC.
pub fn tokens(s: &str) -> Vec<String> {
    text::nfc(s)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Token-level precision, recall and F1 of `got` against `want` (bags of words).
pub fn token_f1(got: &str, want: &str) -> (f64, f64, f64) {
    let mut bag: HashMap<String, i64> = HashMap::new();
    for t in tokens(want) {
        *bag.entry(t).or_default() += 1;
    }
    let want_n: i64 = bag.values().sum();
    let got_t = tokens(got);
    let got_n = got_t.len() as i64;
    let mut overlap = 0i64;
    for t in got_t {
        if let Some(c) = bag.get_mut(&t)
            && *c > 0
        {
            *c -= 1;
            overlap += 1;
        }
    }
    if got_n == 0 || want_n == 0 {
        return (0.0, 0.0, 0.0);
    }
    let p = overlap as f64 / got_n as f64;
    let r = overlap as f64 / want_n as f64;
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

#[derive(Debug, Deserialize)]
struct Labels {
    page: Vec<LabelledPage>,
}

/// One labelled page.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledPage {
    /// HTML file name.
    pub file: String,
    /// Which passage it was written with.
    pub variant: String,
    /// The signals it should show.
    pub rules: Vec<String>,
    /// It is the subject's home page.
    #[serde(default)]
    pub home: bool,
    /// The subject's host (default `congdongpho.example`).
    #[serde(default)]
    pub host: Option<String>,
    /// The subject's kind (default website).
    #[serde(default)]
    pub kind: Option<SubjectKind>,
}

/// Counts for one signal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Fired and expected.
    pub tp: usize,
    /// Fired, not expected.
    pub fp: usize,
    /// Expected, did not fire.
    pub fne: usize,
}

impl Counts {
    /// tp / (tp + fp), or `None` when it never fired.
    pub fn precision(&self) -> Option<f64> {
        (self.tp + self.fp > 0).then(|| self.tp as f64 / (self.tp + self.fp) as f64)
    }
    /// tp / (tp + fn), or `None` when it was never expected.
    pub fn recall(&self) -> Option<f64> {
        (self.tp + self.fne > 0).then(|| self.tp as f64 / (self.tp + self.fne) as f64)
    }
}

/// The outcome over a fixture folder.
#[derive(Debug, Default)]
pub struct Report {
    /// Pages read.
    pub pages: usize,
    /// Mean token F1 of the main text over the pages.
    pub mean_f1: f64,
    /// Each page's file and F1.
    pub f1: Vec<(String, f64)>,
    /// Per signal.
    pub signals: BTreeMap<String, Counts>,
    /// Pages where the signals differ from the labels: (file, unexpected, missed).
    pub mismatches: Vec<(String, Vec<String>, Vec<String>)>,
}

/// Reads the labels of a fixture folder (`labels.toml`).
pub fn labels(dir: &Path) -> Result<Vec<LabelledPage>, String> {
    let src = std::fs::read_to_string(dir.join("labels.toml")).map_err(|e| e.to_string())?;
    let l: Labels = toml::from_str(&src).map_err(|e| e.to_string())?;
    Ok(l.page)
}

/// Evaluates extraction and signals over the fixture folder `dir`.
pub fn evaluate(dir: &Path, rules: &Rules) -> Result<Report, String> {
    let pages = labels(dir)?;
    let mut report = Report::default();
    for r in rules.rules() {
        if !NOT_MEASURED.contains(&r.id.as_str()) {
            report.signals.insert(r.id.clone(), Counts::default());
        }
    }
    let base = Url::parse("https://congdongpho.example/tin/").map_err(|e| e.to_string())?;
    let mut f1_sum = 0.0;
    for p in &pages {
        let html =
            std::fs::read_to_string(dir.join(&p.file)).map_err(|e| format!("{}: {e}", p.file))?;
        let want_file = p.file.replace(".html", ".txt");
        let want = std::fs::read_to_string(dir.join(&want_file))
            .map_err(|e| format!("{want_file}: {e}"))?;
        let host = p.host.as_deref().unwrap_or("congdongpho.example");
        let facts = SubjectFacts {
            kind: p.kind.unwrap_or(SubjectKind::Website),
            host,
            is_press: false,
        };
        let url = if p.home {
            Url::parse(&format!("https://{host}/")).map_err(|e| e.to_string())?
        } else {
            base.join(&p.file).map_err(|e| e.to_string())?
        };
        let x = extract::extract(&html, Some(&url));
        let (_, _, f1) = token_f1(&x.main_text, &want);
        f1_sum += f1;
        report.f1.push((p.file.clone(), f1));
        let view = PageView {
            url: url.as_str(),
            home: p.home,
            extracted: &x,
            press_match: None,
            harm_probability: None,
        };
        let fired: Vec<String> = rules
            .evaluate(&facts, &view)
            .into_iter()
            .map(|h| h.rule)
            .filter(|r| !NOT_MEASURED.contains(&r.as_str()))
            .collect();
        let mut unexpected = Vec::new();
        let mut missed = Vec::new();
        for (id, c) in report.signals.iter_mut() {
            let f = fired.contains(id);
            let e = p.rules.contains(id);
            match (f, e) {
                (true, true) => c.tp += 1,
                (true, false) => {
                    c.fp += 1;
                    unexpected.push(id.clone());
                }
                (false, true) => {
                    c.fne += 1;
                    missed.push(id.clone());
                }
                (false, false) => {}
            }
        }
        if !unexpected.is_empty() || !missed.is_empty() {
            report.mismatches.push((p.file.clone(), unexpected, missed));
        }
    }
    report.pages = pages.len();
    report.mean_f1 = if pages.is_empty() {
        0.0
    } else {
        f1_sum / pages.len() as f64
    };
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_f1_counts_a_bag_of_words() {
        assert_eq!(token_f1("a b c", "a b c").2, 1.0);
        let (p, r, _) = token_f1("a b x y", "a b c d");
        assert_eq!((p, r), (0.5, 0.5));
        assert_eq!(token_f1("", "a").2, 0.0);
        assert_eq!(token_f1("Hòa Bình", "hòa bình").2, 1.0);
    }
}
