//! Any text: parsing never panics, and a parsed number re-parses to itself from both forms.
#![no_main]

use std::sync::OnceLock;

use lantoa_core::phone::NumberingPlan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    static PLAN: OnceLock<NumberingPlan> = OnceLock::new();
    let plan = PLAN.get_or_init(NumberingPlan::builtin);
    if let Ok(n) = plan.parse(data) {
        assert_eq!(n.national().len(), 10);
        assert_eq!(plan.parse(n.national()).ok(), Some(n.clone()));
        assert_eq!(plan.parse(&n.e164()).ok(), Some(n.clone()));
        assert!(plan.operator_of(&n).is_some());
    }
});
