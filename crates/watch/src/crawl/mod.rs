//! The crawler's building blocks. So far: the address guard that keeps the crawler off private
//! networks ([`guard`]) and the decoding of page bodies to text ([`charset`]). The fetch loop,
//! politeness, robots.txt and capture build on these.

pub mod charset;
pub mod guard;
