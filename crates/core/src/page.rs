//! A page of a list, as every module's lists are asked for one: a search, an order, a size
//! and where to start. Each list adds its own filters.

/// The largest page any list gives.
pub const PAGE_MAX: i64 = 500;

/// What a page of a list asks for.
#[derive(Debug, Clone, Default)]
pub struct PageQuery<S> {
    /// Text the row's name (or headline, number, file) contains, compared on tone keys.
    pub q: Option<String>,
    /// The order.
    pub sort: S,
    /// Rows per page (at most [`PAGE_MAX`]).
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl<S> PageQuery<S> {
    /// The first [`PAGE_MAX`] rows in `sort`, unsearched.
    pub fn first(sort: S) -> Self {
        Self {
            q: None,
            sort,
            limit: PAGE_MAX,
            offset: 0,
        }
    }
}

/// A list's filter value checked against the values the list has: `None` when none is given,
/// the value when it is one of `known`, and otherwise the refusal naming them
/// (`list-bad-filter`), for the caller to give as its field's error.
pub fn filter_value(value: Option<&str>, known: &[&str]) -> Result<Option<String>, crate::Msg> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if known.contains(&v) => Ok(Some(v.to_owned())),
        Some(v) => Err(crate::Msg::new("list-bad-filter")
            .arg("value", v)
            .arg("known", known.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::filter_value;

    #[test]
    fn a_filter_value_is_kept_empty_is_none_and_another_is_named() {
        let known = ["draft", "sent"];
        assert_eq!(filter_value(None, &known), Ok(None));
        assert_eq!(filter_value(Some("  "), &known), Ok(None));
        assert_eq!(
            filter_value(Some(" sent "), &known),
            Ok(Some("sent".into()))
        );
        let m = filter_value(Some("gửi"), &known).unwrap_err();
        assert_eq!(m.key, "list-bad-filter");
        crate::msg::check_both_languages(&m).unwrap();
    }
}
