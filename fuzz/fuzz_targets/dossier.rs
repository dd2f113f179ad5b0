//! Any bytes: checking a dossier or reading a manifest never panics; a dossier packed from any
//! files verifies whole.
#![no_main]

use lantoa_watch::dossier;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (&[u8], &str, Vec<(String, Vec<u8>)>)| {
    let (bytes, text, files) = input;
    let _ = dossier::verify(bytes);
    let _ = dossier::parse_manifest(text);
    let mut seen = std::collections::HashSet::new();
    let files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(name, _)| {
            !name.is_empty()
                && name != dossier::MANIFEST
                && name != dossier::SIGNATURE
                && !name.ends_with('/')
                && !name.contains(['\n', '\r', '\\'])
                && !name.starts_with([' ', '*', '/'])
                && seen.insert(name.clone())
        })
        .collect();
    let zip = dossier::pack(&files).expect("any files pack");
    let check = dossier::verify(&zip).expect("a packed dossier reads back");
    assert!(check.ok(), "{check:?}");
    assert_eq!(check.intact.len(), files.len());
});
