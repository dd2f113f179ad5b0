//! Any text as a CAP document from another agency: reading never panics, and an alert that is
//! read is written back to CAP that reads as the same alert.
#![no_main]

use lantoa_notify::cap::Alert;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(alert) = Alert::from_xml(text) {
        let xml = alert.to_xml().expect("an alert that was read is valid");
        assert_eq!(Alert::from_xml(&xml).expect("what was written reads"), alert);
    }
});
