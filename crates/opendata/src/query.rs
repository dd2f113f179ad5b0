//! The query language of CKAN's `package_search` (`q` and `fq`): the Lucene syntax Solr reads,
//! over a dataset's fields (the CKAN API in `lantoa-web` gives each dataset's values). Enough of it for what harvesters and portals send:
//!
//! * words and `"phrases"`, `field:value`, `field:"a phrase"`, `field:(a OR b)`, `*:*`,
//!   `field:*`, a trailing `*` for a prefix;
//! * `AND`, `OR`, `NOT` (also `&&`, `||`, `!`), `+` (required) and `-` (excluded) before a
//!   clause, and parentheses. Clauses side by side must all match (CKAN's `q.op` is AND);
//!   `AND` binds tighter than `OR`.
//!
//! Words are compared without case or tone marks (`fold_key`): a word matches a text field
//! (`title`, `notes`, and `text`, the default: name, title, description, tags, groups and
//! organisation) that contains it (hyphens aside: *wifi* finds *Wi-Fi*), and equals a keyword field's value (`name`, `tags`,
//! `groups`, `organization`, `license_id`, `res_format`, `id`). A query that cannot be read is
//! refused with where it stops being readable.

use lantoa_core::text::fold_key;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// `*:*`, or nothing: every dataset.
    All,
    /// One word, phrase or prefix, in a field or the default `text`.
    Term {
        /// The field, `None` for `text`.
        field: Option<String>,
        /// The folded value; empty for `field:*`.
        value: String,
        /// Written `value*`.
        prefix: bool,
    },
    /// Every part matches.
    And(Vec<Query>),
    /// Some part matches.
    Or(Vec<Query>),
    /// The part does not match.
    Not(Box<Query>),
}

/// The fields a query may name: text fields (matched by containment) first.
const TEXT_FIELDS: [&str; 3] = ["text", "title", "notes"];
const KEYWORD_FIELDS: [&str; 8] = [
    "name",
    "tags",
    "groups",
    "organization",
    "owner_org",
    "license_id",
    "res_format",
    "id",
];

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Not,
    Plus,
    Minus,
    /// `field:` before a clause.
    Field(String),
    /// A word (`*` kept) or, quoted, a phrase.
    Word(String, bool),
}

fn tokens(q: &str) -> Result<Vec<(usize, Token)>, String> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((at, Token::Open));
                i += 1;
            }
            ')' => {
                out.push((at, Token::Close));
                i += 1;
            }
            '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&(_, c)| c == '"')
                    .ok_or_else(|| format!("the quote at character {} is not closed", at + 1))?;
                let phrase: String = chars[i + 1..i + 1 + end].iter().map(|&(_, c)| c).collect();
                out.push((at, Token::Word(phrase, true)));
                i += end + 2;
            }
            '+' | '-' | '!'
                if out
                    .last()
                    .is_none_or(|(_, t)| !matches!(t, Token::Field(_))) =>
            {
                out.push((
                    at,
                    match c {
                        '+' => Token::Plus,
                        '-' => Token::Minus,
                        _ => Token::Not,
                    },
                ));
                i += 1;
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].1.is_whitespace()
                    && !matches!(chars[i].1, '(' | ')' | '"')
                {
                    // `field:` ends the word (a colon inside a value is kept: `a:b:c` is
                    // field `a`, value `b:c`).
                    if chars[i].1 == ':' && i > start {
                        break;
                    }
                    i += 1;
                }
                let word: String = chars[start..i].iter().map(|&(_, c)| c).collect();
                if i < chars.len() && chars[i].1 == ':' {
                    i += 1;
                    out.push((at, Token::Field(word)));
                    continue;
                }
                out.push((
                    at,
                    match word.as_str() {
                        "AND" | "&&" => Token::And,
                        "OR" | "||" => Token::Or,
                        "NOT" => Token::Not,
                        _ => Token::Word(word, false),
                    },
                ));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn position(&self) -> usize {
        self.tokens.get(self.at).map_or(self.len, |(p, _)| *p) + 1
    }

    fn or(&mut self, field: Option<&str>) -> Result<Query, String> {
        let mut parts = vec![self.and(field)?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and(field)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self, field: Option<&str>) -> Result<Query, String> {
        let mut parts = vec![self.unary(field)?];
        loop {
            match self.peek() {
                None | Some(Token::Or | Token::Close) => break,
                Some(Token::And) => {
                    self.at += 1;
                }
                Some(_) => {}
            }
            parts.push(self.unary(field)?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::And(parts)
        })
    }

    fn unary(&mut self, field: Option<&str>) -> Result<Query, String> {
        match self.peek() {
            Some(Token::Not | Token::Minus) => {
                self.at += 1;
                Ok(Query::Not(Box::new(self.unary(field)?)))
            }
            Some(Token::Plus) => {
                self.at += 1;
                self.unary(field)
            }
            _ => self.clause(field),
        }
    }

    fn clause(&mut self, field: Option<&str>) -> Result<Query, String> {
        let here = self.position();
        let Some((_, token)) = self.tokens.get(self.at).cloned() else {
            return Err(format!(
                "the query ends where a word was expected (character {here})"
            ));
        };
        self.at += 1;
        match token {
            Token::Open => {
                let inner = self.or(field)?;
                if self.peek() != Some(&Token::Close) {
                    return Err(format!("the parenthesis at character {here} is not closed"));
                }
                self.at += 1;
                Ok(inner)
            }
            Token::Field(name) => {
                if field.is_some() {
                    return Err(format!(
                        "a field inside a field's value at character {here}"
                    ));
                }
                if name == "*" {
                    // `*:*`
                    return match self.tokens.get(self.at) {
                        Some((_, Token::Word(w, false))) if w == "*" => {
                            self.at += 1;
                            Ok(Query::All)
                        }
                        _ => Err(format!("\"*:\" at character {here} must be \"*:*\"")),
                    };
                }
                if !TEXT_FIELDS.contains(&name.as_str()) && !KEYWORD_FIELDS.contains(&name.as_str())
                {
                    return Err(format!(
                        "there is no field \"{name}\" to search (character {here}); the fields are {}",
                        TEXT_FIELDS
                            .iter()
                            .chain(KEYWORD_FIELDS.iter())
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                self.clause(Some(&name))
            }
            Token::Word(w, phrase) => {
                let prefix = !phrase && w.len() > 1 && w.ends_with('*');
                let value = if w == "*" && !phrase {
                    String::new()
                } else {
                    fold_key(w.strip_suffix('*').filter(|_| prefix).unwrap_or(&w))
                };
                Ok(Query::Term {
                    field: field.map(str::to_owned),
                    value,
                    prefix,
                })
            }
            Token::Close => Err(format!("a parenthesis closes nothing at character {here}")),
            Token::And | Token::Or => Err(format!(
                "AND or OR at character {here} has nothing before it"
            )),
            Token::Not | Token::Plus | Token::Minus => Err(format!(
                "an operator at character {here} has nothing after it"
            )),
        }
    }
}

/// Reads a query; an empty one is [`Query::All`].
pub fn parse(q: &str) -> Result<Query, String> {
    let tokens = tokens(q)?;
    if tokens.is_empty() {
        return Ok(Query::All);
    }
    let mut p = Parser {
        tokens,
        at: 0,
        len: q.len(),
    };
    let query = p.or(None)?;
    if p.at < p.tokens.len() {
        return Err(format!(
            "the query cannot be read from character {}",
            p.position()
        ));
    }
    Ok(query)
}

impl Query {
    /// Whether a dataset matches; `values(field)` gives its values of a field (`text` and the
    /// text fields as one string each).
    pub fn matches(&self, values: &dyn Fn(&str) -> Vec<String>) -> bool {
        match self {
            Self::All => true,
            Self::And(parts) => parts.iter().all(|p| p.matches(values)),
            Self::Or(parts) => parts.iter().any(|p| p.matches(values)),
            Self::Not(inner) => !inner.matches(values),
            Self::Term {
                field,
                value,
                prefix,
            } => {
                let field = field.as_deref().unwrap_or("text");
                let have = values(field);
                if value.is_empty() {
                    return have.iter().any(|v| !v.is_empty());
                }
                let text = TEXT_FIELDS.contains(&field);
                have.iter().map(|v| fold_key(v)).any(|v| {
                    if text {
                        // Hyphens aside too, as Solr's word delimiter joins *Wi-Fi* to *wifi*.
                        v.contains(value.as_str())
                            || v.replace('-', "").contains(&value.replace('-', ""))
                    } else if *prefix {
                        v.starts_with(value.as_str())
                    } else {
                        v == *value
                    }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(field: &str) -> Vec<String> {
        match field {
            "text" => vec!["diem-wifi Điểm Wi-Fi công cộng miễn phí y-te".into()],
            "title" => vec!["Điểm Wi-Fi công cộng".into()],
            "notes" => vec!["Các điểm phát Wi-Fi miễn phí".into()],
            "name" => vec!["diem-wifi".into()],
            "tags" => vec!["wifi".into(), "hạ tầng số".into()],
            "organization" => vec!["skhcn-hn".into()],
            "res_format" => vec!["CSV".into(), "JSON".into()],
            _ => Vec::new(),
        }
    }

    fn hit(q: &str) -> bool {
        parse(q)
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .matches(&doc)
    }

    #[test]
    fn fielded_boolean_and_grouped_queries_match_as_solr_reads_them() {
        for q in [
            "",
            "*:*",
            "wifi",
            "WI-FI mien phi",
            "title:wifi",
            "title:\"wi-fi công cộng\"",
            "tags:wifi",
            "tags:\"hạ tầng số\"",
            "tags:wi*",
            "khong-co OR wifi",
            "khong-co || wifi",
            "wifi AND cong",
            "+organization:skhcn-hn +res_format:CSV",
            "organization:skhcn-hn AND res_format:JSON",
            "name:(khong OR diem-wifi)",
            "(a OR wifi) AND NOT tags:khong",
            "wifi -tags:khong",
            "tags:*",
            "!name:khong",
        ] {
            assert!(hit(q), "{q}");
        }
        for q in [
            "khong-co",
            "title:mien",
            "tags:wif",
            "organization:skhcn",
            "wifi AND khong",
            "-wifi",
            "NOT tags:wifi",
            "groups:*",
            "res_format:XLSX OR organization:syt-hn",
            "wifi khong-co OR tags:khong",
        ] {
            assert!(!hit(q), "{q}");
        }
    }

    #[test]
    fn a_query_that_cannot_be_read_says_where() {
        for (q, want) in [
            ("(wifi", "not closed"),
            ("wifi)", "cannot be read from character 5"),
            ("\"wifi", "quote at character 1"),
            ("khong_co:x", "no field \"khong_co\""),
            ("OR wifi", "nothing before it"),
            ("wifi AND", "ends where a word was expected"),
            ("*:x", "must be \"*:*\""),
        ] {
            let e = parse(q).unwrap_err();
            assert!(e.contains(want), "{q}: {e}");
        }
    }
}
