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
