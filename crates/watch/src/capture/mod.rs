//! Capture: every response the crawler receives is kept as a WARC record ([`warc`]) in the
//! blob store, addressed by its SHA-256, so a finding can always show the exact bytes it came
//! from; a page with findings is also rendered from its capture in headless Chromium
//! ([`screenshot`]).

pub mod screenshot;
pub mod warc;
