//! The OpenAPI 3.1 document, generated from the route table.

use axum::Json;
use serde_json::{Map, Value, json};

use crate::routes::{Access, Surface, table};

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect()
}

/// The document as a JSON value.
pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for r in table().into_iter().filter(|r| r.surface == Surface::Api) {
        let security = match r.access {
            Access::Public => json!([]),
            Access::Device => json!([{ "device": [] }]),
            _ => json!([{ "bearer": [] }, { "session": [] }]),
        };
        let roles = match r.access {
            Access::Roles(roles) => roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Access::Public => "anyone".to_owned(),
            Access::Device => "a loudspeaker cluster, by its own token".to_owned(),
            _ => "any signed-in user".to_owned(),
        };
        let mut op = json!({
            "summary": r.summary,
            "description": format!("Allowed to: {roles}."),
            "security": security,
            "parameters": path_params(r.path),
            "responses": {
                "200": { "description": "Success" },
                "default": { "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
            }
        });
        if r.method == "POST" {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        let entry = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Lantoa API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The JSON API of Lantoa. Authenticate with 'Authorization: Bearer <token>' (lantoa token create). Errors are {\"error\":{\"code\",\"message\"}}."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "lantoa_session" }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": { "type": "object", "required": ["code", "message"],
                        "properties": {
                            "code": {
                                "type": "string",
                                "description": "Stable: add rows, never rename one. The HTTP status goes with it.",
                                "enum": lantoa_core::error_code::ALL.iter().map(|c| c.code).collect::<Vec<_>>(),
                            },
                            "message": { "type": "string", "description": "English; the console shows it in the reader's language." }
                        } } }
                }
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(build())
}
