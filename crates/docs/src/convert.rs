//! Reading a DOCX back (its text, checked as XML) and rendering it to PDF with LibreOffice.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use crate::{Error, Result};

/// The text of a DOCX's main part, a line per paragraph, after checking that every XML part of
/// the package is well-formed XML. Errors name the part that is not.
pub fn docx_text(bytes: &[u8]) -> Result<String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::Read(format!("not a ZIP package: {e}")))?;
    let mut text = None;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| Error::Read(format!("entry {i}: {e}")))?;
        let name = f
            .name()
            .map_err(|e| Error::Read(format!("entry {i}: {e}")))?
            .into_owned();
        if !(name.ends_with(".xml") || name.ends_with(".rels")) {
            continue;
        }
        let mut xml = String::new();
        f.read_to_string(&mut xml)
            .map_err(|e| Error::Read(format!("{name}: {e}")))?;
        let lines = xml_text(&xml).map_err(|e| Error::Read(format!("{name}: {e}")))?;
        if name == "word/document.xml" {
            text = Some(lines);
        }
    }
    text.ok_or_else(|| Error::Read("no word/document.xml".into()))
}

fn xml_text(xml: &str) -> std::result::Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == b"t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == b"t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == b"p" => out.push('\n'),
            Event::Text(t) if in_text => out.push_str(&t.xml_content().unwrap_or_default()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    out.push_str(match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Renders `docx` to PDF with LibreOffice (`soffice`, headless), in a scratch directory with a
/// profile of its own so that conversions may run side by side.
pub fn to_pdf(soffice: &Path, docx: &[u8]) -> Result<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!(
        "lantoa-pdf-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Convert(e.to_string()))?;
    let result = (|| {
        let input = dir.join("document.docx");
        std::fs::write(&input, docx).map_err(|e| Error::Convert(e.to_string()))?;
        let out = Command::new(soffice)
            .arg(format!(
                "-env:UserInstallation=file://{}",
                dir.join("profile").display()
            ))
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&dir)
            .arg(&input)
            .output()
            .map_err(|e| Error::Convert(format!("cannot run {}: {e}", soffice.display())))?;
        let pdf = dir.join("document.pdf");
        if !out.status.success() || !pdf.exists() {
            return Err(Error::Convert(format!(
                "{} said: {}{}",
                soffice.display(),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        std::fs::read(&pdf).map_err(|e| Error::Convert(e.to_string()))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
