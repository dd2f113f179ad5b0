//! Sign-in, sign-out, password change, language switch.

use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{FormPairs, flash, form_error, safe_next};
use crate::ctx::{Ctx, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::{AppState, view};

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    flash: Option<String>,
}

/// `GET /login`.
pub async fn login_form(
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<LoginQuery>,
) -> Result<Response, WebError> {
    if ctx.principal.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    Ok(view::page(
        "login.html",
        &ctx,
        "login",
        minijinja::context! { next => next, username => "", flash => flash(q.flash.as_deref()) },
    )?
    .into_response())
}

/// `POST /login`.
pub async fn login(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Response {
    let username = form.get("username");
    let next = safe_next(&form.get("next"));
    let user = match state
        .accounts
        .authenticate(
            &username,
            &form
                .0
                .iter()
                .find(|(k, _)| k == "password")
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            &ctx.client,
        )
        .await
    {
        Ok(u) => u,
        Err(e) => {
            tracing::info!(username = %username, client = %ctx.client, error = %e, "sign-in refused");
            return form_error(
                "login.html",
                &ctx,
                "login",
                minijinja::context! { next => next, username => username },
                e.into(),
            );
        }
    };
    let session = match state.accounts.create_session(&user).await {
        Ok(s) => s,
        Err(e) => return WebError::from(e).into_response(),
    };
    tracing::info!(username = %user.username, client = %ctx.client, "signed in");
    let to = if user.must_change_password {
        "/account/password".to_owned()
    } else {
        next
    };
    let max_age = state.accounts.policy().session_max.num_seconds();
    let mut r = Redirect::to(&to).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, &session.token, Some(max_age)),
    );
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LANG_COOKIE, &user.lang, Some(365 * 86400)),
    );
    r
}

/// `POST /logout`.
pub async fn logout(State(state): State<AppState>, Extension(ctx): Extension<Ctx>) -> Response {
    if let Some(s) = &ctx.session
        && let Err(e) = state.accounts.end_session(&s.token).await
    {
        return WebError::from(e).into_response();
    }
    let mut r = Redirect::to("/login?flash=flash-logged-out").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, "", Some(0)),
    );
    r
}

/// `POST /lang`: remembers the language in a cookie and, when signed in, on the account.
pub async fn switch_lang(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Response {
    let lang = crate::i18n::Lang::from_code(&form.get("lang"));
    if let Some(p) = &ctx.principal
        && let Err(e) = state.accounts.set_lang(p.user_id, lang.code()).await
    {
        return WebError::from(e).into_response();
    }
    let mut r = Redirect::to(&safe_next(&form.get("next"))).into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, LANG_COOKIE, lang.code(), Some(365 * 86400)),
    );
    r
}

/// `GET /account/password`.
pub async fn password_form(Extension(ctx): Extension<Ctx>) -> Result<Response, WebError> {
    Ok(view::page("password.html", &ctx, "password", minijinja::context! {})?.into_response())
}

/// `POST /account/password`: on success the user gets a fresh session (the change ends all
/// the old ones).
pub async fn change_password(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    form: FormPairs,
) -> Response {
    let Some(p) = &ctx.principal else {
        return WebError::unauthenticated().into_response();
    };
    let raw = |k: &str| {
        form.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (current, new, confirm) = (raw("current"), raw("new"), raw("confirm"));
    if new != confirm {
        let err = WebError::invalid("err-password-mismatch", "the two new passwords differ");
        return form_error(
            "password.html",
            &ctx,
            "password",
            minijinja::context! {},
            err,
        );
    }
    if let Err(e) = state
        .accounts
        .change_password(p.user_id, &current, &new)
        .await
    {
        return form_error(
            "password.html",
            &ctx,
            "password",
            minijinja::context! {},
            e.into(),
        );
    }
    let user = match state.accounts.user(p.user_id).await {
        Ok(u) => u,
        Err(e) => return WebError::from(e).into_response(),
    };
    let session = match state.accounts.create_session(&user).await {
        Ok(s) => s,
        Err(e) => return WebError::from(e).into_response(),
    };
    let mut r = Redirect::to("/?flash=flash-password-changed").into_response();
    let max_age = state.accounts.policy().session_max.num_seconds();
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&state, SESSION_COOKIE, &session.token, Some(max_age)),
    );
    r
}
