//! Administrative documents in the form of Decree 30/2020/NĐ-CP (Appendix I), written as DOCX.
//!
//! A document is data — [`AdminDoc`]: who issues it ([`Letterhead`], taken from
//! `data/agencies.toml` for the document's date), its number and symbol, place and date, type
//! name and summary, body, signature and recipients — and [`AdminDoc::to_docx`] lays it out the
//! way the decree sets: A4, Times New Roman, the governing body and issuing agency top left, the
//! national title and motto top right, the type name centred, the body justified, the signer
//! right and the recipients left.
//!
//! Module crates build the documents from their records; this crate knows nothing of cases,
//! plans or reports.

mod agencies;
mod convert;
mod form;

pub use agencies::{Agencies, Letterhead};
pub use convert::{docx_text, to_pdf};
pub use form::{AdminDoc, Block, Signature, date_line, number_line};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The agencies file is not valid.
    #[error("agencies file: {0}")]
    Agencies(String),
    /// No letterhead covers the document's date.
    #[error("no letterhead in the agencies file covers {0}")]
    NoLetterhead(chrono::NaiveDate),
    /// The DOCX could not be written.
    #[error("cannot write the document: {0}")]
    Write(String),
    /// A DOCX could not be read back.
    #[error("cannot read the document: {0}")]
    Read(String),
    /// LibreOffice could not render it.
    #[error("cannot render the document to PDF: {0}")]
    Convert(String),
}

/// This crate's results.
pub type Result<T, E = Error> = std::result::Result<T, E>;
