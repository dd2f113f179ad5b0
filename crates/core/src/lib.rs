//! # lantoa-core — the shared vocabulary of Lantoa
//!
//! Everything here is pure: no database, no network, no files at run time. The other crates
//! parse what comes from outside into these types at their edge ("parse, don't validate"), so
//! that inside Lantoa a [`PhoneNumber`], a [`CitizenId`] or a [`TaxCode`] is always valid.
//!
//! | module | what it holds |
//! |---|---|
//! | [`chart`] | charts as SVG drawn on the server |
//! | [`text`] | Vietnamese text: NFC, a canonical tone-mark key ("hoà" = "hòa"), unaccented folding |
//! | [`phone`] | mobile numbers: +84/84/0 forms, the 2018 11→10 digit conversion, operator by prefix |
//! | [`citizen_id`] | the 12-digit citizen identity number (CCCD) and its structure |
//! | [`tax_code`] | the enterprise tax code (MST) and its check digit |
//! | [`time`] | time in Asia/Ho_Chi_Minh |
//! | [`role`] | the roles users hold |
//! | [`unit`] | the kinds of unit in the city's registry and commune codes |
//! | [`error_code`] | the table of stable error codes every crate maps its errors to |
//! | [`msg`] | what the domain says to people, by message id, in Vietnamese and English |
//!
//! ```
//! use lantoa_core::{phone::NumberingPlan, text};
//! let plan = NumberingPlan::builtin();
//! let n = plan.parse("+84 912 345 678").unwrap();
//! assert_eq!(n.national(), "0912345678");
//! assert_eq!(plan.operator_of(&n).unwrap().id, "vinaphone");
//! assert_eq!(text::tone_key("Phường Hoà Bình"), text::tone_key("phường hòa bình"));
//! ```
#![deny(missing_docs)]

pub mod actor;
pub mod chart;
pub mod citizen_id;
pub mod error_code;
pub mod msg;
pub mod phone;
pub mod role;
pub mod secret;
pub mod tax_code;
pub mod text;
pub mod time;
pub mod unit;

pub use citizen_id::CitizenId;
pub use error_code::{ErrorCode, HasErrorCode};
pub use msg::{Describe, Lang, Msg};
pub use phone::PhoneNumber;
pub use role::Role;
pub use tax_code::TaxCode;
