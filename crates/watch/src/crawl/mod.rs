//! The crawler: fetching with the address guard ([`fetch`], [`guard`]), robots.txt
//! ([`robots`]), sitemaps ([`sitemap`]), decoding bodies to text ([`charset`]).

pub mod charset;
pub mod fetch;
pub mod guard;
pub mod robots;
pub mod sitemap;
