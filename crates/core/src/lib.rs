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
pub mod page;
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

/// An order a list may be read in, by the names a request gives: an enum with its names, the
/// `ORDER BY` text of each (fixed: never built from the request), and a parser that refuses an
/// unknown name with `$invalid("sort", Msg)` (of type `$err`), naming the orders there are
/// (`$msg` is the message id, with `value` and `known`). The first variant is the default.
#[macro_export]
macro_rules! sort_order {
    ($err:ty, $invalid:path, $(#[$doc:meta])* $name:ident, $msg:literal, { $($(#[$vdoc:meta])* $variant:ident = $text:literal => $sql:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
        pub enum $name {
            #[default]
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every order, the default first.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// Its name in a request.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// Every order's name, the default first.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|o| o.as_str()).collect()
            }

            /// The order a request names (empty: the default); another name is refused as
            /// `sort`, naming the orders there are.
            pub fn parse(s: &str) -> ::std::result::Result<Self, $err> {
                match s.trim() {
                    "" => Ok(Self::default()),
                    $($text => Ok($name::$variant),)+
                    other => Err($invalid(
                        "sort",
                        $crate::msg::Msg::new($msg)
                            .arg("value", other)
                            .arg("known", Self::names().join(", ")),
                    )),
                }
            }

            /// Its `ORDER BY` (a fixed text: never built from the request).
            pub fn order_by(self) -> &'static str {
                match self { $($name::$variant => $sql,)+ }
            }
        }
    };
}
