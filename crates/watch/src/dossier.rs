//! The evidence dossier of a case: one ZIP holding the WARC capture of every page its findings
//! rest on, the screenshot of each taken in headless Chromium when it was captured, the
//! findings, the case's record (timeline, sanction, re-checks), the documents issued, and
//! `manifest.sha256` — the SHA-256 of every other file, in the format `sha256sum -c` reads.
//!
//! The manifest is signed with the department's audit key (`manifest.sha256.sig`, an
//! HMAC-SHA256), so a file rewritten together with its manifest line is found wherever the key
//! is at hand; and [`Watch::check_dossier_records`] compares each capture, screenshot and
//! document with the SHA-256 the database recorded when it was made.
//!
//! [`verify`] reads a dossier back and names any file altered, missing or added since; the
//! Inspectorate can check one without Lantoa too (`sha256sum -c manifest.sha256`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};

use lantoa_core::msg::Msg;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Error, Result, Watch};

/// The manifest's name inside the dossier.
pub const MANIFEST: &str = "manifest.sha256";

/// The manifest's signature inside the dossier.
pub const SIGNATURE: &str = "manifest.sha256.sig";

/// What became of the manifest's signature.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureCheck {
    /// Signed with this department's key, and the manifest is as signed.
    Valid,
    /// The signature does not match the manifest: the manifest was changed, or signed by
    /// someone else.
    Invalid,
    /// The dossier carries no signature.
    Absent,
    /// Not checked: no key at hand.
    #[default]
    Unchecked,
}

/// The media type of a dossier.
pub const MEDIA_TYPE: &str = "application/zip";

/// What [`verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DossierCheck {
    /// Files the manifest lists whose content matches.
    pub intact: Vec<String>,
    /// Files whose content differs from the manifest.
    pub altered: Vec<String>,
    /// Files the manifest lists that are not in the ZIP.
    pub missing: Vec<String>,
    /// Files in the ZIP the manifest does not list.
    pub unlisted: Vec<String>,
    /// The manifest's signature.
    pub signature: SignatureCheck,
    /// Files whose content differs from what the database recorded (checked by
    /// [`Watch::check_dossier_records`]).
    pub unlike_records: Vec<String>,
    /// The case the dossier says it is of (from `case.json`).
    #[serde(skip)]
    pub case_id: Option<i64>,
    /// Each file's SHA-256, as found in the ZIP.
    #[serde(skip)]
    pub files: BTreeMap<String, String>,
}

impl DossierCheck {
    /// Whether every file is as the manifest says, nothing was added, the signature (where
    /// checked) holds, and nothing differs from the records (where compared).
    pub fn ok(&self) -> bool {
        self.altered.is_empty()
            && self.missing.is_empty()
            && self.unlisted.is_empty()
            && self.unlike_records.is_empty()
            && matches!(
                self.signature,
                SignatureCheck::Valid | SignatureCheck::Unchecked
            )
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A dossier that does not verify: the detail names the entry or line (technical, as the
/// archive's own words).
fn bad(detail: String) -> Error {
    Error::invalid("dossier", Msg::new("dossier-invalid").arg("detail", detail))
}

/// Reads `manifest.sha256`: one `HEX  PATH` per line (`sha256sum`'s format; a `*` before the
/// path, for binary mode, is allowed). Errors name the line.
pub fn parse_manifest(text: &str) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (hash, path) = line
            .split_once(' ')
            .ok_or_else(|| bad(format!("{MANIFEST} line {}: not \"SHA-256  path\"", i + 1)))?;
        let path = path.trim_start_matches(' ').trim_start_matches('*');
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!(
                "{MANIFEST} line {}: {hash:?} is not a SHA-256 in hex",
                i + 1
            )));
        }
        if path.is_empty() {
            return Err(bad(format!("{MANIFEST} line {}: no file name", i + 1)));
        }
        if out
            .insert(path.to_owned(), hash.to_ascii_lowercase())
            .is_some()
        {
            return Err(bad(format!(
                "{MANIFEST} line {}: {path} is listed twice",
                i + 1
            )));
        }
    }
    Ok(out)
}

/// Checks a dossier against its manifest, and the manifest against its signature when this
/// process holds the key (a dossier without one is then refused: Lantoa signs every one).
pub fn verify(zip_bytes: &[u8]) -> Result<DossierCheck> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes))
        .map_err(|e| bad(format!("not a ZIP archive: {e}")))?;
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let (mut manifest, mut signature, mut case_json) = (None, None, None);
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| bad(format!("ZIP entry {i}: {e}")))?;
        if f.is_dir() {
            continue;
        }
        let name = f
            .name()
            .map_err(|e| bad(format!("ZIP entry {i}: {e}")))?
            .into_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes)
            .map_err(|e| bad(format!("{name}: cannot be read: {e}")))?;
        if name == MANIFEST {
            manifest = Some(bytes);
        } else if name == SIGNATURE {
            signature = Some(String::from_utf8_lossy(&bytes).into_owned());
        } else {
            if name == "case.json" {
                case_json = serde_json::from_slice::<serde_json::Value>(&bytes).ok();
            }
            files.insert(name, sha256_hex(&bytes));
        }
    }
    let manifest = manifest.ok_or_else(|| bad(format!("no {MANIFEST}")))?;
    let text =
        std::str::from_utf8(&manifest).map_err(|_| bad(format!("{MANIFEST} is not UTF-8")))?;
    let listed = parse_manifest(text)?;
    let mut check = DossierCheck {
        signature: match (lantoa_store::audit::has_key(), &signature) {
            (false, _) => SignatureCheck::Unchecked,
            (true, None) => SignatureCheck::Absent,
            (true, Some(sig)) => {
                if lantoa_store::audit::signature_valid(&manifest, sig)? {
                    SignatureCheck::Valid
                } else {
                    SignatureCheck::Invalid
                }
            }
        },
        case_id: case_json.as_ref().and_then(|v| v["case"]["id"].as_i64()),
        ..DossierCheck::default()
    };
    for (path, want) in &listed {
        match files.get(path) {
            Some(got) if got == want => check.intact.push(path.clone()),
            Some(_) => check.altered.push(path.clone()),
            None => check.missing.push(path.clone()),
        }
    }
    let names: BTreeSet<&String> = listed.keys().collect();
    check.unlisted = files
        .keys()
        .filter(|k| !names.contains(k))
        .cloned()
        .collect();
    check.files = files;
    Ok(check)
}

/// Builds a ZIP from named files, with `manifest.sha256` listing them; entries carry a fixed
/// date so the same files make the same archive.
pub fn pack(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let mut manifest = String::new();
    let zerr = |e: zip::result::ZipError| bad(format!("cannot write the ZIP: {e}"));
    for (name, bytes) in files {
        out.start_file(name.as_str(), options).map_err(zerr)?;
        out.write_all(bytes)
            .map_err(|e| bad(format!("cannot write {name}: {e}")))?;
        manifest.push_str(&format!("{}  {name}\n", sha256_hex(bytes)));
    }
    out.start_file(MANIFEST, options).map_err(zerr)?;
    out.write_all(manifest.as_bytes())
        .map_err(|e| bad(format!("cannot write {MANIFEST}: {e}")))?;
    // Signed where the department's key is loaded (the server and its workers always).
    if lantoa_store::audit::has_key() {
        let sig = lantoa_store::audit::sign(manifest.as_bytes())?;
        out.start_file(SIGNATURE, options).map_err(zerr)?;
        out.write_all(format!("{sig}\n").as_bytes())
            .map_err(|e| bad(format!("cannot write {SIGNATURE}: {e}")))?;
    }
    Ok(out.finish().map_err(zerr)?.into_inner())
}

const README: &str = "Hồ sơ chứng cứ điện tử / Evidence dossier (Lantoa)\n\
\n\
case.json         vụ việc, diễn biến, quyết định xử phạt, kiểm tra lại / the case, its timeline, sanction and re-checks\n\
findings.json     các dấu hiệu và căn cứ / the findings and their legal basis\n\
warc/             bản lưu trang (WARC 1.1, ISO 28500) / page captures\n\
screenshots/      ảnh chụp trang tại thời điểm thu thập (Chromium) / screenshots taken at capture\n\
documents/        văn bản đã ban hành (DOCX) / documents issued\n\
manifest.sha256   mã SHA-256 của từng tệp / the SHA-256 of every file\n\
\n\
Kiểm tra / verify:  lantoa watch dossier verify FILE.zip   hoặc / or   sha256sum -c manifest.sha256\n";

impl Watch {
    /// Compares a dossier's captures, screenshots and documents with the SHA-256 the database
    /// recorded when each was made, and adds to `check.unlike_records` every file that differs,
    /// or that names a page or document the case does not have: a file rewritten together with
    /// its manifest line is found here even without the key.
    pub async fn check_dossier_records(&self, check: &mut DossierCheck) -> Result<()> {
        let case_id = check
            .case_id
            .ok_or_else(|| bad("case.json does not name the case".into()))?;
        let c = self.case(case_id).await?;
        let documents = self.case_documents(c.id).await?;
        for (name, sha) in &check.files {
            let recorded: Option<String> = if let Some(rest) = name.strip_prefix("warc/page-") {
                let page = rest
                    .strip_suffix(".warc")
                    .and_then(|n| n.parse::<i64>().ok());
                self.page_hash(page, "warc_sha256").await?
            } else if let Some(rest) = name.strip_prefix("screenshots/page-") {
                let page = rest
                    .strip_suffix(".png")
                    .and_then(|n| n.parse::<i64>().ok());
                self.page_hash(page, "screenshot_sha256").await?
            } else if let Some(file) = name.strip_prefix("documents/") {
                documents
                    .iter()
                    .find(|d| d.file_name() == file)
                    .map(|d| d.sha256.clone())
            } else {
                // case.json, findings.json, README.txt: made at export, from the records.
                continue;
            };
            if recorded.as_deref() != Some(sha.as_str()) {
                check.unlike_records.push(name.clone());
            }
        }
        Ok(())
    }

    async fn page_hash(&self, page: Option<i64>, column: &str) -> Result<Option<String>> {
        let Some(page) = page else { return Ok(None) };
        let row = sqlx::query(&format!("SELECT {column} FROM watch_pages WHERE id = $1"))
            .bind(page)
            .fetch_optional(self.db.pool())
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<Option<String>, _>(0)?,
            None => None,
        })
    }

    /// The evidence dossier of case `case_id`, as ZIP bytes.
    pub async fn dossier(&self, case_id: i64) -> Result<Vec<u8>> {
        let blobs = self
            .blobs
            .as_ref()
            .ok_or_else(|| bad("this service has no file store to read captures from".into()))?;
        let c = self.case(case_id).await?;
        let subject = self.get(c.subject_id).await?;
        let findings = self.case_findings(&c).await?;
        let json = |v: serde_json::Value| {
            serde_json::to_vec_pretty(&v).map_err(|e| bad(format!("cannot write JSON: {e}")))
        };
        let mut files: Vec<(String, Vec<u8>)> = vec![("README.txt".into(), README.into())];
        files.push((
            "case.json".into(),
            json(serde_json::json!({
                "case": c,
                "subject": subject,
                "timeline": self.case_timeline(c.id).await?,
                "sanction": self.case_sanction(c.id).await?,
                "rechecks": self.case_rechecks(c.id).await?,
                "documents": self.case_documents(c.id).await?,
            }))?,
        ));
        files.push(("findings.json".into(), json(serde_json::json!(findings))?));
        let pages: BTreeSet<i64> = findings.iter().map(|f| f.page_id).collect();
        let mut no_screenshot = Vec::new();
        for page in pages {
            let row = sqlx::query(
                "SELECT url, warc_sha256, screenshot_sha256 FROM watch_pages WHERE id = $1",
            )
            .bind(page)
            .fetch_one(self.db.pool())
            .await?;
            let url: String = row.try_get(0)?;
            let warc: Option<String> = row.try_get(1)?;
            let shot: Option<String> = row.try_get(2)?;
            if let Some(sha) = warc {
                files.push((format!("warc/page-{page}.warc"), blobs.get(&sha).await?));
            }
            match shot {
                Some(sha) => files.push((
                    format!("screenshots/page-{page}.png"),
                    blobs.get(&sha).await?,
                )),
                None => no_screenshot.push(format!("page-{page}: {url}")),
            }
        }
        if !no_screenshot.is_empty() {
            files.push((
                "screenshots/MISSING.txt".into(),
                format!(
                    "Không có ảnh chụp (Chromium không được cấu hình khi thu thập) / no screenshot was taken at capture (no Chromium configured):\n{}\n",
                    no_screenshot.join("\n")
                )
                .into_bytes(),
            ));
        }
        for d in self.case_documents(c.id).await? {
            files.push((
                format!("documents/{}", d.file_name()),
                self.document_bytes(&d).await?,
            ));
        }
        pack(&files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_dossier_verifies_and_a_changed_one_names_its_files() {
        let files = vec![
            ("a.txt".to_owned(), b"one".to_vec()),
            ("warc/page-1.warc".to_owned(), b"two".to_vec()),
        ];
        let zip = pack(&files).unwrap();
        let check = verify(&zip).unwrap();
        assert!(check.ok(), "{check:?}");
        assert_eq!(check.intact, ["a.txt", "warc/page-1.warc"]);
        assert_eq!(
            pack(&files).unwrap(),
            zip,
            "the same files make the same archive"
        );

        // Rebuild with one file changed and one added, keeping the old manifest.
        let manifest = {
            let mut z = zip::ZipArchive::new(std::io::Cursor::new(&zip)).unwrap();
            let mut s = String::new();
            z.by_name(MANIFEST).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default();
        for (name, body) in [
            ("a.txt", b"ONE".as_slice()),
            ("extra.bin", b"x".as_slice()),
            (MANIFEST, manifest.as_bytes()),
        ] {
            out.start_file(name, o).unwrap();
            out.write_all(body).unwrap();
        }
        let tampered = out.finish().unwrap().into_inner();
        let check = verify(&tampered).unwrap();
        assert!(!check.ok());
        assert_eq!(check.altered, ["a.txt"]);
        assert_eq!(check.missing, ["warc/page-1.warc"]);
        assert_eq!(check.unlisted, ["extra.bin"]);
    }

    #[test]
    fn a_bad_manifest_names_its_line() {
        let ok = format!("{}  a.txt\n", "ab".repeat(32));
        assert_eq!(parse_manifest(&ok).unwrap().len(), 1);
        for (text, says) in [
            ("nothing".to_owned(), "line 1: not"),
            (
                format!("{ok}zz  b.txt\n"),
                "line 2: \"zz\" is not a SHA-256",
            ),
            (format!("{ok}{ok}"), "line 2: a.txt is listed twice"),
            (format!("{}  \n", "ab".repeat(32)), "line 1: no file name"),
        ] {
            let e = parse_manifest(&text).unwrap_err().to_string();
            assert!(e.contains(says), "{says}: {e}");
        }
        assert!(
            verify(b"PK no")
                .unwrap_err()
                .to_string()
                .contains("not a ZIP")
        );
        let no_manifest = {
            let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            out.start_file("a.txt", zip::write::SimpleFileOptions::default())
                .unwrap();
            out.finish().unwrap().into_inner()
        };
        assert!(
            verify(&no_manifest)
                .unwrap_err()
                .to_string()
                .contains("no manifest.sha256")
        );
    }
}
