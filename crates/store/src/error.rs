use lantoa_core::error_code::{self, ErrorCode, HasErrorCode};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database URL names no backend Lantoa supports.
    #[error("database URL must start with sqlite:// or postgres://, not {0:?}")]
    UnknownScheme(String),
    /// The database could not be opened.
    #[error("cannot open the database at {url}: {source}")]
    Open {
        /// The URL with any password hidden.
        url: String,
        /// What the driver said.
        source: sqlx::Error,
    },
    /// A migration failed to apply.
    #[error("migration {component} #{version} ({name}) failed: {source}")]
    Migrate {
        /// The component whose migration failed.
        component: String,
        /// Its number.
        version: i64,
        /// Its file name.
        name: String,
        /// What the database said.
        source: sqlx::Error,
    },
    /// An applied migration's text differs from the one shipped: migrations are never edited.
    #[error(
        "migration {component} #{version} was edited after it was applied (checksum differs); add a new migration instead"
    )]
    MigrationChanged {
        /// The component.
        component: String,
        /// Its number.
        version: i64,
    },
    /// The database holds migrations newer than this program knows.
    #[error(
        "the database has migration {component} #{version}, which this version of Lantoa does not know; upgrade Lantoa"
    )]
    MigrationUnknown {
        /// The component.
        component: String,
        /// Its number.
        version: i64,
    },
    /// The audit log's key is missing or not the one in use, or an anchor is malformed.
    #[error("audit log: {0}")]
    Audit(String),
    /// A query failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// A job's lease was lost (it expired and another worker claimed the job).
    #[error("job {0} is no longer leased to this worker")]
    LeaseLost(i64),
    /// A stored JSON value could not be read.
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// A blob file could not be read or written.
    #[error("blob store: {0}")]
    Io(#[from] std::io::Error),
    /// A blob's content no longer matches its address.
    #[error("blob {0} is corrupt: its content no longer has that SHA-256")]
    BlobCorrupt(String),
    /// No blob has that address.
    #[error("no blob {0}")]
    BlobMissing(String),
}

/// `Result` with the store's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl HasErrorCode for Error {
    fn error_code(&self) -> ErrorCode {
        match self {
            Error::BlobMissing(_) => error_code::NOT_FOUND,
            Error::LeaseLost(_) => error_code::CONFLICT,
            Error::Sql(e) if crate::is_unique_violation(e) => error_code::CONFLICT,
            Error::Open { .. } | Error::Sql(_) => error_code::STORAGE,
            _ => error_code::INTERNAL,
        }
    }
}
