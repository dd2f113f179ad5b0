//! `cargo xtask bench NAME`.

use anyhow::bail;

/// Runs the named benchmark.
pub fn run(args: &[String]) -> anyhow::Result<()> {
    match args.first().map(String::as_str) {
        Some(other) => bail!("unknown benchmark {other:?}"),
        None => bail!("usage: cargo xtask bench web"),
    }
}
