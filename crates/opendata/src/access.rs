//! Who may act on which datasets: an agency's uploader acts on its own agency's datasets only;
//! a data steward or an administrator on every dataset. The console, the JSON API and the
//! CKAN write actions all ask here.

use lantoa_core::Role;

use crate::Dataset;

/// The agency whose datasets a person may act on, when they are limited to one: an agency
/// uploader who is not also a data steward or administrator. `Some(None)` for such an uploader
/// with no agency set: they act on no dataset. `None`: not limited.
pub fn agency_scope(roles: &[Role], unit_id: Option<i64>) -> Option<Option<i64>> {
    let uploader = roles.contains(&Role::AgencyUploader);
    let broader = roles
        .iter()
        .any(|r| matches!(r, Role::Admin | Role::DataSteward));
    (uploader && !broader).then_some(unit_id)
}

/// Whether a person with these roles, working for `unit_id`, may change dataset `d` (upload
/// to it, fix its quarantined rows, label it).
pub fn may_change(roles: &[Role], unit_id: Option<i64>, d: &Dataset) -> bool {
    agency_scope(roles, unit_id).is_none_or(|unit| unit == Some(d.owner_unit_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_uploader_is_limited_to_its_agency_and_a_steward_is_not() {
        assert_eq!(
            agency_scope(&[Role::AgencyUploader], Some(7)),
            Some(Some(7))
        );
        assert_eq!(agency_scope(&[Role::AgencyUploader], None), Some(None));
        assert_eq!(
            agency_scope(&[Role::AgencyUploader, Role::DataSteward], Some(7)),
            None
        );
        assert_eq!(agency_scope(&[Role::Viewer], Some(7)), None);
    }
}
