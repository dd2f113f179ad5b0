//! The harmful-content classifier: logistic regression over hashed word uni- and bigrams
//! (with and without tone marks), trained by stochastic gradient descent.
//!
//! It starts from the labelled examples shipped in `data/watch/harmful-labelled.csv` (written
//! for Lantoa) and retrains with every reviewer's decision on a harmful-content finding
//! (confirmed = harmful, dismissed = not). Each training holds out a quarter of the examples —
//! chosen by a hash of the text, so the split is the same every time — and reports precision
//! and recall on them. Its output is a suggestion that a human reviews, never a verdict:
//! published Vietnamese toxicity models reach a macro-F1 near 0.6 (shared/domain/watch.md).

use std::collections::HashSet;

use lantoa_core::text;
use lantoa_store::audit::{self, Entry};
use lantoa_store::blob::BlobStore;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Error, Result, Watch};

/// The shipped labelled examples (`text,label` with label 1 = harmful, 0 = not).
pub const LABELLED: &str = include_str!("../../../data/watch/harmful-labelled.csv");

/// Feature space size (hashed).
pub const DIMENSIONS: usize = 1 << 18;
const EPOCHS: usize = 30;
const RATE: f32 = 0.5;
const L2: f32 = 1e-5;

/// One labelled example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Harmful or not.
    pub harmful: bool,
}

/// A trained model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    weights: Vec<f32>,
    bias: f32,
    /// Precision on the held-out examples.
    pub precision: f64,
    /// Recall on the held-out examples.
    pub recall: f64,
    /// Examples trained on.
    pub trained_on: usize,
    /// Examples held out.
    pub held_out: usize,
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The hashed feature indices of a text (each once).
pub fn features(input: &str) -> Vec<u32> {
    let lower = text::nfc(input).to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = HashSet::new();
    let mask = (DIMENSIONS - 1) as u64;
    let mut add = |s: &str, salt: u64| {
        out.insert(((fnv(s) ^ salt).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20 & mask) as u32);
    };
    for w in &words {
        add(w, 1);
        add(&text::unaccent(w), 2);
    }
    for pair in words.windows(2) {
        add(&format!("{} {}", pair[0], pair[1]), 3);
        add(&text::unaccent(&format!("{} {}", pair[0], pair[1])), 4);
    }
    let mut v: Vec<u32> = out.into_iter().collect();
    v.sort_unstable();
    v
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Whether an example is held out (a quarter, by a hash of its text).
pub fn held_out(text_in: &str) -> bool {
    fnv(&text::fold_key(text_in)).is_multiple_of(4)
}

/// Parses `text,label` CSV (header required); a bad row is an error naming its line.
pub fn parse_labelled(csv_text: &str) -> Result<Vec<Example>, String> {
    let mut r = csv::ReaderBuilder::new().from_reader(csv_text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        let text = rec.get(0).unwrap_or("").trim().to_owned();
        let harmful = match rec.get(1).map(str::trim) {
            Some("1") => true,
            Some("0") => false,
            other => return Err(format!("line {line}: label {other:?} is not 0 or 1")),
        };
        if text.is_empty() {
            return Err(format!("line {line}: empty text"));
        }
        out.push(Example { text, harmful });
    }
    Ok(out)
}

impl Model {
    /// Trains on the examples not held out, and measures on the held-out ones.
    pub fn train(examples: &[Example]) -> Model {
        let (test, train): (Vec<&Example>, Vec<&Example>) =
            examples.iter().partition(|e| held_out(&e.text));
        let data: Vec<(Vec<u32>, f32)> = train
            .iter()
            .map(|e| (features(&e.text), if e.harmful { 1.0 } else { 0.0 }))
            .collect();
        let mut weights = vec![0f32; DIMENSIONS];
        let mut bias = 0f32;
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut seed: u64 = 0x5eed;
        for epoch in 0..EPOCHS {
            // A deterministic shuffle (xorshift), so training is reproducible.
            for i in (1..order.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                order.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            let rate = RATE / (1.0 + epoch as f32 * 0.2);
            for &k in &order {
                let (f, y) = &data[k];
                let scale = 1.0 / (f.len().max(1) as f32).sqrt();
                let z: f32 = bias + f.iter().map(|&i| weights[i as usize]).sum::<f32>() * scale;
                let g = sigmoid(z) - y;
                for &i in f {
                    let w = &mut weights[i as usize];
                    *w -= rate * (g * scale + L2 * *w);
                }
                bias -= rate * g;
            }
        }
        let mut model = Model {
            weights,
            bias,
            precision: 0.0,
            recall: 0.0,
            trained_on: train.len(),
            held_out: test.len(),
        };
        let (mut tp, mut fp, mut fne) = (0usize, 0usize, 0usize);
        for e in &test {
            let predicted = model.probability(&e.text) >= 0.5;
            match (predicted, e.harmful) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fne += 1,
                (false, false) => {}
            }
        }
        model.precision = if tp + fp == 0 {
            0.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        model.recall = if tp + fne == 0 {
            0.0
        } else {
            tp as f64 / (tp + fne) as f64
        };
        model
    }

    /// The probability that `text` is harmful.
    pub fn probability(&self, text_in: &str) -> f64 {
        let f = features(text_in);
        if f.is_empty() {
            return 0.0;
        }
        let scale = 1.0 / (f.len() as f32).sqrt();
        let z = self.bias + f.iter().map(|&i| self.weights[i as usize]).sum::<f32>() * scale;
        f64::from(sigmoid(z))
    }

    /// The model as bytes (little-endian weights after a small header), for the blob store.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(DIMENSIONS * 4 + 64);
        out.extend_from_slice(b"LTC1");
        out.extend_from_slice(&self.bias.to_le_bytes());
        out.extend_from_slice(&self.precision.to_le_bytes());
        out.extend_from_slice(&self.recall.to_le_bytes());
        out.extend_from_slice(&(self.trained_on as u64).to_le_bytes());
        out.extend_from_slice(&(self.held_out as u64).to_le_bytes());
        for w in &self.weights {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Reads [`Model::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Option<Model> {
        if b.len() != 4 + 4 + 8 + 8 + 8 + 8 + DIMENSIONS * 4 || &b[..4] != b"LTC1" {
            return None;
        }
        let f32_at = |i: usize| f32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let u64_at = |i: usize| {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[i..i + 8]);
            x
        };
        Some(Model {
            bias: f32_at(4),
            precision: f64::from_le_bytes(u64_at(8)),
            recall: f64::from_le_bytes(u64_at(16)),
            trained_on: usize::try_from(u64::from_le_bytes(u64_at(24))).ok()?,
            held_out: usize::try_from(u64::from_le_bytes(u64_at(32))).ok()?,
            weights: (0..DIMENSIONS).map(|k| f32_at(40 + k * 4)).collect(),
        })
    }
}

/// A stored model, as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// Id.
    pub id: i64,
    /// When trained (µs).
    pub trained_at: i64,
    /// Who asked.
    pub trained_by: String,
    /// Examples in all (shipped and decisions).
    pub examples: i64,
    /// Of which reviewers' decisions.
    pub decisions: i64,
    /// Examples held out for measuring.
    pub held_out: i64,
    /// Precision on them.
    pub precision: f64,
    /// Recall on them.
    pub recall: f64,
    /// The weights in the blob store.
    pub blob_sha256: String,
}

const MODEL_COLUMNS: &str =
    "id, trained_at, trained_by, examples, decisions, held_out, precision, recall, blob_sha256";

fn info_from_row(r: &sqlx::any::AnyRow) -> Result<ModelInfo> {
    Ok(ModelInfo {
        id: r.try_get(0)?,
        trained_at: r.try_get(1)?,
        trained_by: r.try_get(2)?,
        examples: r.try_get(3)?,
        decisions: r.try_get(4)?,
        held_out: r.try_get(5)?,
        precision: r.try_get(6)?,
        recall: r.try_get(7)?,
        blob_sha256: r.try_get(8)?,
    })
}

/// The shipped examples, parsed. They are tested, so a failure is a release defect.
pub fn shipped_examples() -> Result<Vec<Example>> {
    parse_labelled(LABELLED).map_err(|message| Error::config("harmful-labelled.csv", message))
}

impl Watch {
    /// Reviewers' decisions on harmful-content findings, as examples: the page's text,
    /// confirmed = harmful, dismissed = not.
    pub async fn decision_examples(&self) -> Result<Vec<Example>> {
        let rows = sqlx::query(
            "SELECT p.title, p.main_text, f.status FROM watch_findings f JOIN watch_pages p ON p.id = f.page_id
             WHERE f.category = 'harmful' AND f.status IN ('confirmed', 'dismissed') AND p.main_text IS NOT NULL
             ORDER BY f.id",
        )
        .fetch_all(self.db.pool())
        .await?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for r in rows {
            let title: Option<String> = r.try_get(0)?;
            let body: String = r.try_get(1)?;
            let status: String = r.try_get(2)?;
            let text = format!("{}\n{body}", title.unwrap_or_default());
            // One page may carry several harmful findings; it is one example.
            if seen.insert(text.clone()) {
                out.push(Example {
                    text,
                    harmful: status == "confirmed",
                });
            }
        }
        Ok(out)
    }

    /// Trains a model on the shipped examples and every reviewer's decision, stores it, and
    /// returns it with its held-out precision and recall.
    pub async fn train(&self, actor: &str, blobs: &BlobStore) -> Result<(ModelInfo, Model)> {
        let mut examples = shipped_examples()?;
        let decisions = self.decision_examples().await?;
        let n_decisions = decisions.len();
        examples.extend(decisions);
        let model = tokio::task::spawn_blocking(move || Model::train(&examples))
            .await
            .map_err(|e| Error::internal(format!("training stopped: {e}")))?;
        let blob = blobs
            .put(&model.to_bytes(), "application/vnd.lantoa.classifier")
            .await?;
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO watch_models (trained_at, trained_by, examples, decisions, held_out, precision, recall, blob_sha256)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(chrono::Utc::now().timestamp_micros())
        .bind(actor)
        .bind(i64::try_from(model.trained_on + model.held_out).unwrap_or(i64::MAX))
        .bind(i64::try_from(n_decisions).unwrap_or(i64::MAX))
        .bind(i64::try_from(model.held_out).unwrap_or(i64::MAX))
        .bind(model.precision)
        .bind(model.recall)
        .bind(&blob.sha256)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        audit::append(
            &mut tx,
            &Entry::new(actor, "watch.classifier_trained", format!("model:{id}")).after(
                serde_json::json!({
                    "decisions": n_decisions, "precision": model.precision, "recall": model.recall
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((
            self.model_info().await?.ok_or(Error::NotFound {
                entity: "model",
                id,
            })?,
            model,
        ))
    }

    /// The latest stored model's description.
    pub async fn model_info(&self) -> Result<Option<ModelInfo>> {
        let row = sqlx::query(&format!(
            "SELECT {MODEL_COLUMNS} FROM watch_models ORDER BY id DESC LIMIT 1"
        ))
        .fetch_optional(self.db.pool())
        .await?;
        row.as_ref().map(info_from_row).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_the_shipped_examples_and_reports_held_out_precision_and_recall() {
        let examples = parse_labelled(LABELLED).unwrap();
        assert!(examples.len() >= 100, "{}", examples.len());
        let model = Model::train(&examples);
        assert!(model.held_out >= 20, "{}", model.held_out);
        // Quality floors on the held-out quarter (deterministic: same split, same training).
        assert!(model.precision >= 0.7, "precision {}", model.precision);
        assert!(model.recall >= 0.6, "recall {}", model.recall);
        let back = Model::from_bytes(&model.to_bytes()).unwrap();
        let t = "Chia sẻ gấp trước khi bị xóa: chính quyền giấu dịch bệnh, cả thành phố sắp bị phong tỏa";
        assert!((back.probability(t) - model.probability(t)).abs() < 1e-9);
        assert!(Model::from_bytes(b"LTC1short").is_none());
    }

    #[test]
    fn bad_labelled_rows_name_their_line() {
        assert_eq!(
            parse_labelled("text,label\nmột câu,1\nhai câu,có\n").unwrap_err(),
            "line 3: label Some(\"có\") is not 0 or 1"
        );
        assert!(
            parse_labelled("text,label\n,1\n")
                .unwrap_err()
                .starts_with("line 2")
        );
    }
}
