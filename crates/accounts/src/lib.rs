//! # lantoa-accounts — users, roles, sessions and API tokens
//!
//! Officers sign in to the console with a user name and password (Argon2id); the console keeps
//! a server-side session whose random token is in an HTTP-only cookie and whose SHA-256 is in
//! the database, with a CSRF token bound to it. Programs use API tokens: random, shown once,
//! stored as SHA-256, scoped to a subset of their owner's roles. Failed sign-ins are counted
//! per user name and per client address, and past a limit the sign-in is refused without
//! checking the password (see [`Policy`]). Every change is written to the audit log in the
//! same transaction.
//!
//! The first start creates `admin` with a one-time password that must be changed at first
//! sign-in ([`Accounts::ensure_admin`]).
//!
//! ```no_run
//! # async fn demo(db: lantoa_store::Db) -> lantoa_accounts::Result<()> {
//! use lantoa_accounts::{Accounts, NewUser};
//! use lantoa_core::Role;
//! let accounts = Accounts::new(db);
//! let created = accounts
//!     .create_user("admin", &NewUser::new("lan.nt", "Nguyễn Thị Lan", vec![Role::WatchOfficer]))
//!     .await?;
//! println!("one-time password: {}", created.one_time_password.unwrap_or_default());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod error;
mod password;
mod principal;
mod service;

pub use error::{Error, PasswordProblem, Result};
pub use password::{hash_password, verify_password};
pub use principal::{Principal, Via};
pub use service::{Accounts, ApiToken, Created, NewUser, Policy, Session, User};

/// Migrations of the accounts tables.
pub const MIGRATIONS: lantoa_store::migrate::MigrationSet = lantoa_store::migrate::MigrationSet {
    component: "accounts",
    migrations: &[
        lantoa_store::migration!(1, "0001_accounts.sql"),
        lantoa_store::migration!(2, "0002_user_unit.sql"),
    ],
};

/// The job that deletes expired sessions and old login attempts.
pub const PURGE_JOB: &str = "accounts.purge";
