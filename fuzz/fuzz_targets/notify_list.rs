//! Any bytes as a recipient list: reading never panics, and every row read is accounted for
//! (taken, repeated or refused with a reason).
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use lantoa_core::phone::NumberingPlan;
use lantoa_notify::audience::{Communes, Rules, read};
use libfuzzer_sys::fuzz_target;

fn communes() -> &'static Communes {
    static C: OnceLock<Communes> = OnceLock::new();
    C.get_or_init(|| Communes::hanoi().expect("the shipped communes"))
}

fuzz_target!(|bytes: &[u8]| {
    let plan = NumberingPlan::builtin();
    let ported = HashMap::new();
    if let Ok((taken, r)) = read(bytes, Rules { plan: &plan, ported: &ported, communes: communes() }) {
        assert_eq!(taken.len() as u64, r.recipients);
        assert!(r.conserved());
        assert!(r.refused.iter().all(|x| !x.reason.is_empty()));
    }
});
