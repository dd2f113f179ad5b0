use chrono::{DateTime, Duration, Utc};
use lantoa_core::Role;
use lantoa_store::audit::{self, Entry};
use lantoa_store::{Clock, Db, Tx, is_unique_violation};
use rand::Rng;
use serde::Serialize;
use sqlx::Row;

use crate::error::PasswordProblem;
use crate::{Error, Principal, Result, Via, hash_password, verify_password};

/// Limits for sessions, sign-ins and passwords. The defaults suit a department's console;
/// `lantoa.toml` can change them.
#[derive(Debug, Clone)]
pub struct Policy {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, whatever its use.
    pub session_max: Duration,
    /// Failed sign-ins of one user name from one client counted over this window…
    pub login_window: Duration,
    /// …past this many, that user name is refused from that client until the window moves on
    /// (the same name from another client is not).
    pub login_max_failures: i64,
    /// Failed sign-ins of one user name from every client together counted over this
    /// (longer) window…
    pub login_user_window: Duration,
    /// …past this many, the name is refused from everywhere until the window moves on: the
    /// slow ceiling on guessing one account's password from many addresses.
    pub login_user_max_failures: i64,
    /// Failed sign-ins from one client, whatever the name, past which that client is
    /// refused for `login_window` (password spraying); 0 for no such limit.
    pub login_client_max_failures: i64,
    /// Shortest password accepted.
    pub min_password_len: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            session_idle: Duration::hours(8),
            session_max: Duration::hours(24),
            login_window: Duration::minutes(15),
            login_max_failures: 5,
            login_user_window: Duration::hours(1),
            login_user_max_failures: 50,
            login_client_max_failures: 100,
            min_password_len: 10,
        }
    }
}

/// A user account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Its id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown in the console.
    pub display_name: String,
    /// Roles held.
    pub roles: Vec<Role>,
    /// Must change a one-time password at next sign-in.
    pub must_change_password: bool,
    /// Cannot sign in.
    pub disabled: bool,
    /// Preferred console language (`vi` or `en`).
    pub lang: String,
    /// The agency (registry unit) the user works for, if one.
    pub unit_id: Option<i64>,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// A password chosen now; `None` makes a one-time password to be changed at first sign-in.
    pub password: Option<String>,
}

impl NewUser {
    /// A user who will get a one-time password.
    pub fn new(username: &str, display_name: &str, roles: Vec<Role>) -> Self {
        Self {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            roles,
            password: None,
        }
    }
}

/// A created user and, if one was generated, the one-time password to hand over.
#[derive(Debug, Clone)]
pub struct Created {
    /// The user.
    pub user: User,
    /// The generated one-time password (shown once, never stored in clear).
    pub one_time_password: Option<String>,
}

/// A console session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value (only the caller ever sees it).
    pub token: String,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
    /// Who.
    pub principal: Principal,
}

/// An API token as listed (its secret is never shown again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Its id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// Owner.
    pub username: String,
    /// Roles it carries.
    pub roles: Vec<Role>,
    /// Revoked.
    pub revoked: bool,
}

/// The accounts service.
#[derive(Debug, Clone)]
pub struct Accounts {
    db: Db,
    clock: Clock,
    policy: Policy,
}

use lantoa_core::secret::{digest as sha256_hex, token as random_token};

/// A one-time password: 16 characters without look-alikes (no 0/O, 1/l/I).
fn one_time_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

fn roles_to_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn roles_from_text(s: &str) -> Vec<Role> {
    s.split(',').filter_map(|r| r.parse().ok()).collect()
}

fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len())
        && u.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_')
        })
}

impl Accounts {
    /// The service over `db` with the default [`Policy`].
    pub fn new(db: Db) -> Self {
        Self {
            db,
            clock: Clock::System,
            policy: Policy::default(),
        }
    }

    /// Uses `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `policy`.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The policy in force.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    fn check_password(&self, username: &str, password: &str) -> Result<()> {
        if password.chars().count() < self.policy.min_password_len {
            return Err(Error::WeakPassword(PasswordProblem::TooShort(
                self.policy.min_password_len,
            )));
        }
        if password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(Error::WeakPassword(PasswordProblem::ContainsUsername));
        }
        if password
            .chars()
            .all(|c| c == password.chars().next().unwrap_or(' '))
        {
            return Err(Error::WeakPassword(PasswordProblem::Repeated));
        }
        Ok(())
    }

    /// Creates a user. Without a password, generates a one-time one.
    pub async fn create_user(&self, actor: &str, new: &NewUser) -> Result<Created> {
        let username = new.username.trim().to_lowercase();
        if !valid_username(&username) {
            return Err(Error::InvalidUsername(new.username.clone()));
        }
        if new.roles.is_empty() {
            return Err(Error::NoRoles);
        }
        let (password, one_time) = match &new.password {
            Some(p) => {
                self.check_password(&username, p)?;
                (p.clone(), None)
            }
            None => {
                let p = one_time_password();
                (p.clone(), Some(p))
            }
        };
        let hash = hash_password(&password).await?;
        let now = self.clock.now_micros();
        let display = lantoa_core::text::clean(&new.display_name);
        let mut tx = self.db.begin().await?;
        let row = sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, must_change_password, disabled, lang, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 0, 'vi', $5, $5) RETURNING id",
        )
        .bind(&username)
        .bind(&display)
        .bind(&hash)
        .bind(i64::from(one_time.is_some()))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                Error::UserExists(username.clone())
            } else {
                e.into()
            }
        })?;
        let id: i64 = row.try_get(0)?;
        let mut roles = new.roles.clone();
        roles.sort();
        roles.dedup();
        insert_roles(&mut tx, id, &roles).await?;
        let user = User {
            id,
            username: username.clone(),
            display_name: display,
            roles,
            must_change_password: one_time.is_some(),
            disabled: false,
            lang: "vi".into(),
            unit_id: None,
        };
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "accounts.user_created", format!("user:{id}")).after(&user),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(Created {
            user,
            one_time_password: one_time,
        })
    }

    /// On first start (no users at all) creates `admin` with a one-time password and returns
    /// it; otherwise returns `None`.
    pub async fn ensure_admin(&self) -> Result<Option<String>> {
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(self.db.pool())
            .await?
            .try_get(0)?;
        if n > 0 {
            return Ok(None);
        }
        match self
            .create_user(
                "system",
                &NewUser::new("admin", "Quản trị hệ thống", vec![Role::Admin]),
            )
            .await
        {
            Ok(c) => Ok(c.one_time_password),
            // Another process created it between the count and the insert.
            Err(Error::UserExists(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Users matching `condition` (a `WHERE` clause on `u`, with `$1` bound to `bind`, if
    /// any), each with their roles, in one query.
    async fn users_where(&self, condition: &str, bind: Option<UserKey<'_>>) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS}
             FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE {condition} ORDER BY u.username, r.role"
        );
        let mut q = sqlx::query(&sql);
        match bind {
            Some(UserKey::Id(id)) => q = q.bind(id),
            Some(UserKey::Name(name)) => q = q.bind(name.trim().to_lowercase()),
            None => {}
        }
        users_from(&q.fetch_all(self.db.pool()).await?, 0)
    }

    /// Finds a user by name.
    pub async fn user_by_name(&self, username: &str) -> Result<User> {
        self.users_where("u.username = $1", Some(UserKey::Name(username)))
            .await?
            .pop()
            .ok_or_else(|| Error::NoSuchUser(username.to_owned()))
    }

    /// Finds a user by id.
    pub async fn user(&self, id: i64) -> Result<User> {
        self.users_where("u.id = $1", Some(UserKey::Id(id)))
            .await?
            .pop()
            .ok_or_else(|| Error::NoSuchUser(id.to_string()))
    }

    /// All users, by name.
    pub async fn list_users(&self) -> Result<Vec<User>> {
        self.users_where("1 = 1", None).await
    }

    /// How many accounts there are.
    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(self.db.pool())
            .await?)
    }

    async fn recent_failures(&self, subject: &str, since: i64) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*), MIN(at) FROM login_attempts WHERE subject = $1 AND ok = 0 AND at > $2",
        )
        .bind(subject)
        .bind(since)
        .fetch_one(self.db.pool())
        .await?;
        Ok((
            row.try_get(0)?,
            row.try_get::<Option<i64>, _>(1)?.unwrap_or(since),
        ))
    }

    async fn record_attempt(&self, subjects: &[String], ok: bool) -> Result<()> {
        let now = self.clock.now_micros();
        for s in subjects {
            sqlx::query("INSERT INTO login_attempts (subject, at, ok) VALUES ($1, $2, $3)")
                .bind(s)
                .bind(now)
                .bind(i64::from(ok))
                .execute(self.db.pool())
                .await?;
        }
        Ok(())
    }

    /// Checks a user name and password from `client` (an address), with throttling.
    ///
    /// Failures are counted three ways: for the name from this client (a few, then that pair
    /// waits out `login_window`), for the name from anywhere (a slower ceiling over
    /// `login_user_window`), and for the client whatever the name (spraying). Someone guessing
    /// `admin`'s password from one address therefore locks out only that address's tries at
    /// `admin`, not the real administrator signing in from elsewhere.
    pub async fn authenticate(&self, username: &str, password: &str, client: &str) -> Result<User> {
        let username = username.trim().to_lowercase();
        let subjects = [
            format!("pair:{username}@{client}"),
            format!("user:{username}"),
            format!("client:{client}"),
        ];
        let limits = [
            (self.policy.login_window, self.policy.login_max_failures),
            (
                self.policy.login_user_window,
                self.policy.login_user_max_failures,
            ),
            (
                self.policy.login_window,
                self.policy.login_client_max_failures,
            ),
        ];
        let now = self.clock.now_micros();
        for (s, (window, max)) in subjects.iter().zip(limits) {
            if max <= 0 {
                continue;
            }
            let window = window.num_microseconds().unwrap_or(0);
            let (failures, oldest) = self.recent_failures(s, now - window).await?;
            if failures >= max {
                return Err(Error::RateLimited {
                    retry_after_secs: ((oldest + window - now) / 1_000_000).max(1),
                });
            }
        }
        let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(self.db.pool())
            .await?;
        let Some(row) = row else {
            // Hash anyway so that unknown names take as long as wrong passwords.
            let _ = hash_password(password).await;
            self.record_attempt(&subjects, false).await?;
            return Err(Error::BadCredentials);
        };
        let hash: String = row.try_get(1)?;
        if !verify_password(password, &hash).await? {
            self.record_attempt(&subjects, false).await?;
            return Err(Error::BadCredentials);
        }
        let user = self.user(row.try_get(0)?).await?;
        if user.disabled {
            return Err(Error::Disabled);
        }
        self.record_attempt(&subjects[..1], true).await?;
        Ok(user)
    }

    /// Changes a user's own password, given the current one.
    pub async fn change_password(&self, user_id: i64, current: &str, new: &str) -> Result<()> {
        let user = self.user(user_id).await?;
        let hash: String = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(self.db.pool())
            .await?
            .try_get(0)?;
        if !verify_password(current, &hash).await? {
            return Err(Error::WrongCurrentPassword);
        }
        if current == new {
            return Err(Error::WeakPassword(PasswordProblem::SameAsCurrent));
        }
        self.check_password(&user.username, new)?;
        self.store_password(
            &user.username.clone(),
            user_id,
            new,
            false,
            "accounts.password_changed",
        )
        .await
    }

    /// Sets a user's password as an administrator (or from the CLI); `must_change` makes it
    /// one-time.
    pub async fn set_password(
        &self,
        actor: &str,
        username: &str,
        new: &str,
        must_change: bool,
    ) -> Result<()> {
        let user = self.user_by_name(username).await?;
        self.check_password(&user.username, new)?;
        self.store_password(actor, user.id, new, must_change, "accounts.password_set")
            .await
    }

    /// Replaces a user's password with a new one-time password and returns it (the admin
    /// hands it over; the user must change it at next sign-in).
    pub async fn issue_one_time_password(&self, actor: &str, user_id: i64) -> Result<String> {
        let user = self.user(user_id).await?;
        let otp = one_time_password();
        self.store_password(
            actor,
            user.id,
            &otp,
            true,
            "accounts.one_time_password_issued",
        )
        .await?;
        Ok(otp)
    }

    async fn store_password(
        &self,
        actor: &str,
        user_id: i64,
        new: &str,
        must_change: bool,
        action: &str,
    ) -> Result<()> {
        let hash = hash_password(new).await?;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
            .bind(&hash)
            .bind(i64::from(must_change))
            .bind(self.clock.now_micros())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        // Other sessions of this user end: whoever knew the old password is signed out.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit::append_at(
            &mut tx,
            &Entry::new(actor, action, format!("user:{user_id}"))
                .after(serde_json::json!({ "must_change_password": must_change })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a user's roles.
    pub async fn set_roles(&self, actor: &str, user_id: i64, roles: &[Role]) -> Result<User> {
        if roles.is_empty() {
            return Err(Error::NoRoles);
        }
        let before = self.user(user_id).await?;
        if before.roles.contains(&Role::Admin) && !roles.contains(&Role::Admin) {
            self.ensure_not_last_admin(user_id).await?;
        }
        let mut roles = roles.to_vec();
        roles.sort();
        roles.dedup();
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        insert_roles(&mut tx, user_id, &roles).await?;
        let after = User {
            roles: roles.clone(),
            ..before.clone()
        };
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "accounts.roles_set", format!("user:{user_id}"))
                .before(&before.roles)
                .after(&after.roles),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn ensure_not_last_admin(&self, user_id: i64) -> Result<()> {
        let others: i64 = sqlx::query(
            "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id
             WHERE r.role = 'admin' AND u.disabled = 0 AND u.id <> $1",
        )
        .bind(user_id)
        .fetch_one(self.db.pool())
        .await?
        .try_get(0)?;
        if others == 0 {
            return Err(Error::LastAdmin);
        }
        Ok(())
    }

    /// Disables or re-enables a user; disabling ends their sessions and tokens' use.
    pub async fn set_disabled(&self, actor: &str, user_id: i64, disabled: bool) -> Result<()> {
        let user = self.user(user_id).await?;
        if disabled && user.roles.contains(&Role::Admin) {
            self.ensure_not_last_admin(user_id).await?;
        }
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
            .bind(i64::from(disabled))
            .bind(self.clock.now_micros())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        audit::append_at(
            &mut tx,
            &Entry::new(
                actor,
                if disabled {
                    "accounts.user_disabled"
                } else {
                    "accounts.user_enabled"
                },
                format!("user:{user_id}"),
            )
            .before(serde_json::json!({ "disabled": user.disabled }))
            .after(serde_json::json!({ "disabled": disabled })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets the agency a user works for (`None`: the department as a whole). The registry
    /// checks the unit; this records it.
    pub async fn set_unit(&self, actor: &str, user_id: i64, unit_id: Option<i64>) -> Result<()> {
        let user = self.user(user_id).await?;
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE users SET unit_id = $1, updated_at = $2 WHERE id = $3")
            .bind(unit_id)
            .bind(self.clock.now_micros())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "accounts.user_unit_set", format!("user:{user_id}"))
                .before(serde_json::json!({ "unit_id": user.unit_id }))
                .after(serde_json::json!({ "unit_id": unit_id })),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves a user's console language.
    pub async fn set_lang(&self, user_id: i64, lang: &str) -> Result<()> {
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(if lang == "en" { "en" } else { "vi" })
            .bind(user_id)
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Starts a console session for a signed-in user.
    pub async fn create_session(&self, user: &User) -> Result<Session> {
        let token = random_token("");
        let csrf = random_token("");
        let now = self.clock.now();
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen)
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(sha256_hex(&token))
        .bind(user.id)
        .bind(&csrf)
        .bind(now.timestamp_micros())
        .bind((now + self.policy.session_max).timestamp_micros())
        .execute(self.db.pool())
        .await?;
        Ok(Session {
            token,
            csrf,
            principal: principal_of(user, user.roles.clone(), Via::Session),
        })
    }

    /// The live session with this cookie token, refreshing its idle timer; `None` if unknown,
    /// expired or idle too long.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let now = self.clock.now_micros();
        let idle = self.policy.session_idle.num_microseconds().unwrap_or(0);
        let key = sha256_hex(token);
        // The session and its user with their roles in one statement (one a role): a page
        // asks this on every view.
        let rows = sqlx::query(&format!(
            "SELECT s.csrf, s.expires_at, s.last_seen, {USER_COLUMNS}
             FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE s.token_hash = $1 ORDER BY r.role"
        ))
        .bind(&key)
        .fetch_all(self.db.pool())
        .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let expires: i64 = row.try_get(1)?;
        let last_seen: i64 = row.try_get(2)?;
        if now >= expires || now - last_seen >= idle {
            self.end_session(token).await?;
            return Ok(None);
        }
        let Some(user) = users_from(&rows, 3)?.pop() else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        // Refresh at most once a minute, so reads stay reads.
        if now - last_seen > 60_000_000 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&key)
                .execute(self.db.pool())
                .await?;
        }
        Ok(Some(Session {
            token: token.to_owned(),
            csrf: row.try_get(0)?,
            principal: principal_of(&user, user.roles.clone(), Via::Session),
        }))
    }

    /// Ends a session (sign-out).
    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(sha256_hex(token))
            .execute(self.db.pool())
            .await?;
        Ok(())
    }

    /// Creates an API token for `username` carrying `roles` (a subset of theirs); returns the
    /// secret, shown once.
    pub async fn create_token(
        &self,
        actor: &str,
        username: &str,
        name: &str,
        roles: &[Role],
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiToken, String)> {
        let user = self.user_by_name(username).await?;
        let roles: Vec<Role> = if roles.is_empty() {
            user.roles.clone()
        } else {
            roles.to_vec()
        };
        if let Some(r) = roles.iter().find(|r| !user.roles.contains(r)) {
            return Err(Error::RoleNotHeld(*r));
        }
        let secret = random_token("lt_");
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (name, token_hash, user_id, roles, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(name)
        .bind(sha256_hex(&secret))
        .bind(user.id)
        .bind(roles_to_text(&roles))
        .bind(self.clock.now_micros())
        .bind(expires_at.map(|t| t.timestamp_micros()))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let token = ApiToken {
            id,
            name: name.to_owned(),
            username: user.username.clone(),
            roles,
            revoked: false,
        };
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "accounts.token_created", format!("token:{id}")).after(&token),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok((token, secret))
    }

    /// The principal of a bearer token, or `None` if unknown, revoked, expired or its owner is
    /// disabled.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Principal>> {
        // The token and its user with their roles in one statement (one a role): every API
        // call asks this.
        let rows = sqlx::query(&format!(
            "SELECT t.id, t.roles, t.expires_at, t.revoked_at, {USER_COLUMNS}
             FROM api_tokens t JOIN users u ON u.id = t.user_id
             LEFT JOIN user_roles r ON r.user_id = u.id
             WHERE t.token_hash = $1 ORDER BY r.role"
        ))
        .bind(sha256_hex(secret))
        .fetch_all(self.db.pool())
        .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let now = self.clock.now_micros();
        if row.try_get::<Option<i64>, _>(3)?.is_some()
            || row.try_get::<Option<i64>, _>(2)?.is_some_and(|e| now >= e)
        {
            return Ok(None);
        }
        let Some(user) = users_from(&rows, 4)?.pop() else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let scoped = roles_from_text(&row.try_get::<String, _>(1)?);
        let roles = scoped
            .into_iter()
            .filter(|r| user.roles.contains(r))
            .collect();
        Ok(Some(principal_of(
            &user,
            roles,
            Via::Token(row.try_get(0)?),
        )))
    }

    /// Revokes a token.
    pub async fn revoke_token(&self, actor: &str, id: i64) -> Result<()> {
        let mut tx = self.db.begin().await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(self.clock.now_micros())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::append_at(
            &mut tx,
            &Entry::new(actor, "accounts.token_revoked", format!("token:{id}")),
            &self.clock,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// All tokens, newest first.
    pub async fn list_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT t.id, t.name, u.username, t.roles, t.revoked_at FROM api_tokens t
             JOIN users u ON u.id = t.user_id ORDER BY t.id DESC",
        )
        .fetch_all(self.db.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    username: r.try_get(2)?,
                    roles: roles_from_text(&r.try_get::<String, _>(3)?),
                    revoked: r.try_get::<Option<i64>, _>(4)?.is_some(),
                })
            })
            .collect()
    }

    /// Deletes expired sessions and sign-in attempts older than a day; returns rows removed.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.clock.now_micros();
        let idle = self.policy.session_idle.num_microseconds().unwrap_or(0);
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2")
            .bind(now)
            .bind(now - idle)
            .execute(self.db.pool())
            .await?
            .rows_affected();
        let b = sqlx::query("DELETE FROM login_attempts WHERE at < $1")
            .bind(now - Duration::days(1).num_microseconds().unwrap_or(0))
            .execute(self.db.pool())
            .await?
            .rows_affected();
        Ok(a + b)
    }
}

/// How [`Accounts::users_where`] finds users.
enum UserKey<'a> {
    Id(i64),
    Name(&'a str),
}

async fn insert_roles(tx: &mut Tx, user_id: i64, roles: &[Role]) -> Result<()> {
    for r in roles {
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
            .bind(user_id)
            .bind(r.as_str())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn principal_of(user: &User, roles: Vec<Role>, via: Via) -> Principal {
    Principal {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        roles,
        via,
        must_change_password: user.must_change_password,
        unit_id: user.unit_id,
    }
}

/// A user's columns with one role a row (`users u LEFT JOIN user_roles r`), as
/// [`users_from`] reads them.
const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.must_change_password, u.disabled, u.lang, r.role, u.unit_id";

/// The users in `rows` (ordered by user), each with its roles, from the columns of
/// [`USER_COLUMNS`] starting at column `at`.
fn users_from(rows: &[sqlx::any::AnyRow], at: usize) -> Result<Vec<User>> {
    let mut users: Vec<User> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get(at)?;
        if users.last().is_none_or(|u| u.id != id) {
            users.push(User {
                id,
                username: row.try_get(at + 1)?,
                display_name: row.try_get(at + 2)?,
                roles: Vec::new(),
                must_change_password: row.try_get::<i64, _>(at + 3)? != 0,
                disabled: row.try_get::<i64, _>(at + 4)? != 0,
                lang: row.try_get(at + 5)?,
                unit_id: row.try_get(at + 7)?,
            });
        }
        if let (Some(user), Some(role)) =
            (users.last_mut(), row.try_get::<Option<String>, _>(at + 6)?)
            && let Ok(role) = role.parse()
        {
            user.roles.push(role);
        }
    }
    for u in &mut users {
        u.roles.sort();
    }
    Ok(users)
}
