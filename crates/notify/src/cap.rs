//! CAP 1.2, the OASIS Common Alerting Protocol: the alert Lantoa writes for every public alert
//! and reads from other agencies (a weather service, the ministry). The rules checked here are
//! the standard's (shared/domain/notify.md §1): an alert has identifier, sender, sent (with an
//! explicit offset), status, msgType and scope; `addresses` when the scope is Private;
//! `references` for an Update or Cancel; each `info` has category, event, urgency, severity
//! and certainty; each `area` an areaDesc, and polygons (closed rings of four or more points),
//! circles and geocodes as it has them (an area may be described only: the schema makes them
//! optional). Elements come in the order the schema's sequences give them. Reading takes the
//! encoding the document declares (UTF-8, UTF-16, ISO-8859-1…) and refuses a document type
//! declaration, so no entity (external or not) is ever expanded. Every refusal names the
//! element at fault.

use std::fmt::Write as _;

use chrono::{DateTime, FixedOffset};
use lantoa_core::msg::Msg;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};

/// The CAP 1.2 namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// Why a CAP document is refused: the element, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("CAP <{element}>: {message}")]
pub struct CapError {
    /// The element at fault (`alert`, `info/urgency`, `area/polygon`…).
    pub element: String,
    /// What is wrong, in the reader's language when rendered (`Display` is English).
    pub message: Msg,
}

fn err(element: &str, message: Msg) -> CapError {
    CapError {
        element: element.to_owned(),
        message,
    }
}

/// A refusal's message by its id in the domain catalogues (`cap-…`).
fn says(key: &str) -> Msg {
    Msg::new(key)
}

macro_rules! cap_enum {
    ($(#[$m:meta])* $name:ident { $($v:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[allow(missing_docs)] // the variants are the standard's words
        pub enum $name { $($v),+ }

        impl $name {
            /// Every value, in the standard's order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The word CAP writes.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => stringify!($v)),+ }
            }

            /// The value CAP writes as `s`.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// Every value as CAP writes it, comma-separated (for a refusal's message).
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

cap_enum!(
    /// Who the alert is for: real, an exercise, a system message, a test, a draft.
    Status { Actual, Exercise, System, Test, Draft }
);
cap_enum!(
    /// What the message does.
    MsgType { Alert, Update, Cancel, Ack, Error }
);
cap_enum!(
    /// Who may see it.
    Scope { Public, Restricted, Private }
);
cap_enum!(
    /// The kind of event.
    Category { Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other }
);
cap_enum!(
    /// How soon to act.
    Urgency { Immediate, Expected, Future, Past, Unknown }
);
cap_enum!(
    /// How bad.
    Severity { Extreme, Severe, Moderate, Minor, Unknown }
);
cap_enum!(
    /// How sure.
    Certainty { Observed, Likely, Possible, Unlikely, Unknown }
);

/// An area the alert covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Area {
    /// What a person calls it.
    pub area_desc: String,
    /// Closed rings of WGS 84 (lat, lon) points.
    pub polygons: Vec<Vec<(f64, f64)>>,
    /// (lat, lon, radius in km).
    pub circles: Vec<(f64, f64, f64)>,
    /// (valueName, value): for communes, the official code (`MA_XA`, `00004`).
    pub geocodes: Vec<(String, String)>,
}

/// One language's text of the alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    /// `vi-VN`.
    pub language: String,
    /// One or more categories.
    pub categories: Vec<Category>,
    /// The event (`Bão số 3`).
    pub event: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Severity.
    pub severity: Severity,
    /// Certainty.
    pub certainty: Certainty,
    /// Who speaks (`Sở Khoa học và Công nghệ Hà Nội`).
    pub sender_name: Option<String>,
    /// A short headline.
    pub headline: Option<String>,
    /// What is happening.
    pub description: Option<String>,
    /// What to do.
    pub instruction: Option<String>,
    /// From when.
    pub effective: Option<DateTime<FixedOffset>>,
    /// Until when.
    pub expires: Option<DateTime<FixedOffset>>,
    /// Where.
    pub areas: Vec<Area>,
}

/// A CAP alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Unique for the sender.
    pub identifier: String,
    /// The sender's address (`canhbao@hanoi.gov.vn`).
    pub sender: String,
    /// When it was sent, with its offset.
    pub sent: DateTime<FixedOffset>,
    /// Status.
    pub status: Status,
    /// What it does.
    pub msg_type: MsgType,
    /// Who may see it.
    pub scope: Scope,
    /// Required for Private scope.
    pub addresses: Option<String>,
    /// Earlier alerts this one updates or cancels: `sender,identifier,sent` each.
    pub references: Vec<String>,
    /// A note (for Exercise, Test, Error).
    pub note: Option<String>,
    /// Texts.
    pub info: Vec<Info>,
}

/// CAP's date-time form: `2026-11-29T07:30:00+07:00`.
pub fn cap_time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn parse_time(element: &str, s: &str) -> Result<DateTime<FixedOffset>, CapError> {
    let s = s.trim();
    // CAP requires an explicit offset ("Z" is not CAP's form, but read it as +00:00).
    DateTime::parse_from_rfc3339(s)
        .map_err(|_| err(element, says("cap-not-a-time").arg("value", s)))
}

impl Alert {
    /// The checks CAP 1.2 makes of an alert, naming the first element at fault.
    pub fn validate(&self) -> Result<(), CapError> {
        let forbidden = |s: &str| s.is_empty() || s.contains([' ', ',', '<', '&']);
        if forbidden(self.identifier.trim()) {
            return Err(err("identifier", says("cap-no-spaces")));
        }
        if forbidden(self.sender.trim()) {
            return Err(err("sender", says("cap-no-spaces")));
        }
        if self.scope == Scope::Private
            && self
                .addresses
                .as_deref()
                .is_none_or(|a| a.trim().is_empty())
        {
            return Err(err("addresses", says("cap-addresses-private")));
        }
        if matches!(self.msg_type, MsgType::Update | MsgType::Cancel) && self.references.is_empty()
        {
            return Err(err(
                "references",
                says(if self.msg_type == MsgType::Update {
                    "cap-references-update"
                } else {
                    "cap-references-cancel"
                }),
            ));
        }
        for r in &self.references {
            if r.split(',').count() != 3 {
                return Err(err(
                    "references",
                    says("cap-references-form").arg("value", r),
                ));
            }
        }
        for info in &self.info {
            if info.categories.is_empty() {
                return Err(err("info/category", says("cap-one-category")));
            }
            if info.event.trim().is_empty() {
                return Err(err("info/event", says("cap-required")));
            }
            if let (Some(from), Some(to)) = (info.effective, info.expires)
                && to <= from
            {
                return Err(err("info/expires", says("cap-expires-before")));
            }
            for a in &info.areas {
                if a.area_desc.trim().is_empty() {
                    return Err(err("area/areaDesc", says("cap-required")));
                }
                for p in &a.polygons {
                    if p.len() < 4 || p.first() != p.last() {
                        return Err(err("area/polygon", says("cap-polygon-ring")));
                    }
                    if p.iter().any(|(lat, lon)| {
                        !(-90.0..=90.0).contains(lat) || !(-180.0..=180.0).contains(lon)
                    }) {
                        return Err(err("area/polygon", says("cap-polygon-outside")));
                    }
                }
                for (lat, lon, r) in &a.circles {
                    let ok = (-90.0..=90.0).contains(lat)
                        && (-180.0..=180.0).contains(lon)
                        && r.is_finite()
                        && *r >= 0.0;
                    if !ok {
                        return Err(err("area/circle", says("cap-circle-values")));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether it may reach the public: an actual, public alert (Test, Exercise, System and
    /// Draft never do).
    pub fn is_public(&self) -> bool {
        self.status == Status::Actual && self.scope == Scope::Public
    }

    /// `sender,identifier,sent`: how an Update or Cancel names this alert.
    pub fn reference(&self) -> String {
        format!(
            "{},{},{}",
            self.sender,
            self.identifier,
            cap_time(&self.sent)
        )
    }

    /// The alert as CAP 1.2 XML (UTF-8), checked first.
    pub fn to_xml(&self) -> Result<String, CapError> {
        self.validate()?;
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = write!(x, "<alert xmlns=\"{NAMESPACE}\">");
        let el = |x: &mut String, name: &str, v: &str| {
            let _ = write!(x, "<{name}>{}</{name}>", quick_xml::escape::escape(v));
        };
        el(&mut x, "identifier", self.identifier.trim());
        el(&mut x, "sender", self.sender.trim());
        el(&mut x, "sent", &cap_time(&self.sent));
        el(&mut x, "status", self.status.as_str());
        el(&mut x, "msgType", self.msg_type.as_str());
        el(&mut x, "scope", self.scope.as_str());
        if let Some(a) = &self.addresses {
            el(&mut x, "addresses", a);
        }
        if let Some(n) = &self.note {
            el(&mut x, "note", n);
        }
        if !self.references.is_empty() {
            el(&mut x, "references", &self.references.join(" "));
        }
        for i in &self.info {
            x.push_str("<info>");
            el(&mut x, "language", &i.language);
            for c in &i.categories {
                el(&mut x, "category", c.as_str());
            }
            el(&mut x, "event", &i.event);
            el(&mut x, "urgency", i.urgency.as_str());
            el(&mut x, "severity", i.severity.as_str());
            el(&mut x, "certainty", i.certainty.as_str());
            if let Some(t) = &i.effective {
                el(&mut x, "effective", &cap_time(t));
            }
            if let Some(t) = &i.expires {
                el(&mut x, "expires", &cap_time(t));
            }
            for (name, v) in [
                ("senderName", &i.sender_name),
                ("headline", &i.headline),
                ("description", &i.description),
                ("instruction", &i.instruction),
            ] {
                if let Some(v) = v {
                    el(&mut x, name, v);
                }
            }
            for a in &i.areas {
                x.push_str("<area>");
                el(&mut x, "areaDesc", &a.area_desc);
                for p in &a.polygons {
                    let pts: Vec<String> = p.iter().map(|(la, lo)| format!("{la},{lo}")).collect();
                    el(&mut x, "polygon", &pts.join(" "));
                }
                for (la, lo, r) in &a.circles {
                    el(&mut x, "circle", &format!("{la},{lo} {r}"));
                }
                for (n, v) in &a.geocodes {
                    x.push_str("<geocode>");
                    el(&mut x, "valueName", n);
                    el(&mut x, "value", v);
                    x.push_str("</geocode>");
                }
                x.push_str("</area>");
            }
            x.push_str("</info>");
        }
        x.push_str("</alert>\n");
        Ok(x)
    }

    /// Reads a CAP 1.2 document as sent, in the encoding it declares ([`decode`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CapError> {
        Self::from_xml(&decode(bytes)?)
    }

    /// Reads a CAP 1.2 alert. Refused: XML that does not parse, a document type declaration
    /// (no entity is expanded), a root that is not CAP 1.2's `alert`, a missing required
    /// element, a value CAP does not allow — each naming the element.
    pub fn from_xml(xml: &str) -> Result<Self, CapError> {
        let tree = Node::parse(xml)?;
        in_order(&tree, "alert", ALERT_ORDER)?;
        if tree.name != "alert" {
            return Err(err(&tree.name, says("cap-not-alert")));
        }
        if tree.ns.as_deref() != Some(NAMESPACE) {
            return Err(err("alert", says("cap-namespace").arg("ns", NAMESPACE)));
        }
        let one = |n: &Node, name: &str, path: &str| -> Result<String, CapError> {
            n.child(name)
                .map(|c| c.text.trim().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| err(path, says("cap-missing")))
        };
        let opt = |n: &Node, name: &str| {
            n.child(name)
                .map(|c| c.text.trim().to_owned())
                .filter(|t| !t.is_empty())
        };
        fn word<T>(path: &str, s: String, parse: fn(&str) -> Option<T>) -> Result<T, CapError> {
            parse(&s).ok_or_else(|| err(path, says("cap-bad-value").arg("value", &s)))
        }
        let mut info = Vec::new();
        for i in tree.children.iter().filter(|c| c.name == "info") {
            in_order(i, "info", INFO_ORDER)?;
            for r in i.children.iter().filter(|c| c.name == "resource") {
                in_order(r, "info/resource", RESOURCE_ORDER)?;
            }
            let mut areas = Vec::new();
            for a in i.children.iter().filter(|c| c.name == "area") {
                in_order(a, "area", AREA_ORDER)?;
                let mut area = Area {
                    area_desc: one(a, "areaDesc", "area/areaDesc")?,
                    ..Default::default()
                };
                for p in a.children.iter().filter(|c| c.name == "polygon") {
                    area.polygons.push(points(&p.text)?);
                }
                for c in a.children.iter().filter(|c| c.name == "circle") {
                    area.circles.push(circle(&c.text)?);
                }
                for g in a.children.iter().filter(|c| c.name == "geocode") {
                    area.geocodes.push((
                        one(g, "valueName", "geocode/valueName")?,
                        one(g, "value", "geocode/value")?,
                    ));
                }
                areas.push(area);
            }
            let categories = i
                .children
                .iter()
                .filter(|c| c.name == "category")
                .map(|c| word("info/category", c.text.trim().to_owned(), Category::parse))
                .collect::<Result<Vec<_>, _>>()?;
            if categories.is_empty() {
                return Err(err("info/category", says("cap-missing")));
            }
            info.push(Info {
                language: opt(i, "language").unwrap_or_else(|| "en-US".into()),
                categories,
                event: one(i, "event", "info/event")?,
                urgency: word(
                    "info/urgency",
                    one(i, "urgency", "info/urgency")?,
                    Urgency::parse,
                )?,
                severity: word(
                    "info/severity",
                    one(i, "severity", "info/severity")?,
                    Severity::parse,
                )?,
                certainty: word(
                    "info/certainty",
                    one(i, "certainty", "info/certainty")?,
                    Certainty::parse,
                )?,
                sender_name: opt(i, "senderName"),
                headline: opt(i, "headline"),
                description: opt(i, "description"),
                instruction: opt(i, "instruction"),
                effective: opt(i, "effective")
                    .map(|t| parse_time("info/effective", &t))
                    .transpose()?,
                expires: opt(i, "expires")
                    .map(|t| parse_time("info/expires", &t))
                    .transpose()?,
                areas,
            });
        }
        let alert = Alert {
            identifier: one(&tree, "identifier", "identifier")?,
            sender: one(&tree, "sender", "sender")?,
            sent: parse_time("sent", &one(&tree, "sent", "sent")?)?,
            status: word("status", one(&tree, "status", "status")?, Status::parse)?,
            msg_type: word("msgType", one(&tree, "msgType", "msgType")?, MsgType::parse)?,
            scope: word("scope", one(&tree, "scope", "scope")?, Scope::parse)?,
            addresses: opt(&tree, "addresses"),
            references: opt(&tree, "references")
                .map(|r| r.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default(),
            note: opt(&tree, "note"),
            info,
        };
        alert.validate()?;
        Ok(alert)
    }
}

/// The CAP 1.2 schema's sequences (cap-1.2.xsd): each child element in its place. Elements
/// of other namespaces (a signature) may follow an alert's own.
const ALERT_ORDER: &[&str] = &[
    "identifier",
    "sender",
    "sent",
    "status",
    "msgType",
    "source",
    "scope",
    "restriction",
    "addresses",
    "code",
    "note",
    "references",
    "incidents",
    "info",
];
const INFO_ORDER: &[&str] = &[
    "language",
    "category",
    "event",
    "responseType",
    "urgency",
    "severity",
    "certainty",
    "audience",
    "eventCode",
    "effective",
    "onset",
    "expires",
    "senderName",
    "headline",
    "description",
    "instruction",
    "web",
    "contact",
    "parameter",
    "resource",
    "area",
];
const RESOURCE_ORDER: &[&str] = &[
    "resourceDesc",
    "mimeType",
    "size",
    "uri",
    "derefUri",
    "digest",
];
const AREA_ORDER: &[&str] = &[
    "areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling",
];
/// Elements the schema allows once at most (the rest of a sequence may repeat).
const REPEATED: &[&str] = &[
    "code",
    "info",
    "category",
    "responseType",
    "eventCode",
    "parameter",
    "resource",
    "area",
    "polygon",
    "circle",
    "geocode",
];

/// Checks that `node`'s CAP children come in the schema's `order`, each known, and those the
/// schema allows once no more than once; names the first element out of place.
fn in_order(node: &Node, path: &str, order: &[&str]) -> Result<(), CapError> {
    let mut at = 0usize;
    let mut last: Option<&str> = None;
    for c in &node.children {
        if c.ns.as_deref() != Some(NAMESPACE) {
            if path == "alert" {
                // `any ##other` closes the alert's sequence.
                at = order.len();
                continue;
            }
            return Err(err(
                &format!("{path}/{}", c.name),
                says("cap-foreign-element"),
            ));
        }
        if path == "alert" && at == order.len() {
            return Err(err(
                &format!("alert/{}", c.name),
                says("cap-other-namespace-first"),
            ));
        }
        let Some(pos) = order.iter().position(|n| *n == c.name) else {
            return Err(err(
                &format!("{path}/{}", c.name),
                says("cap-foreign-element"),
            ));
        };
        if pos < at
            || (pos == at && last == Some(c.name.as_str()) && !REPEATED.contains(&order[pos]))
        {
            return Err(err(
                &format!("{path}/{}", c.name),
                match last {
                    Some(l) if pos == at => says("cap-once").arg("element", l),
                    Some(l) => says("cap-out-of-order-before")
                        .arg("element", &c.name)
                        .arg("last", l),
                    None => says("cap-out-of-order"),
                },
            ));
        }
        at = pos;
        last = Some(order[pos]);
    }
    Ok(())
}

/// The text of a CAP document as sent: the encoding its byte-order mark or XML declaration
/// names (UTF-8 when neither does), as XML readers take it.
pub fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, CapError> {
    let (encoding, bom) = match encoding_rs::Encoding::for_bom(bytes) {
        Some((e, n)) => (e, n),
        None => {
            // The declaration is ASCII in every encoding CAP readers meet.
            let head = &bytes[..bytes.len().min(200)];
            let declared = head.strip_prefix(b"<?xml").and_then(|rest| {
                let end = rest.windows(2).position(|w| w == b"?>")?;
                let decl = std::str::from_utf8(&rest[..end]).ok()?;
                let at = decl.find("encoding")?;
                let value = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
                let quote = value.chars().next()?;
                let value = &value[1..];
                Some(value[..value.find(quote)?].to_owned())
            });
            match declared {
                Some(label) => (
                    encoding_rs::Encoding::for_label(label.trim().as_bytes()).ok_or_else(|| {
                        err("xml", says("cap-unknown-encoding").arg("label", &label))
                    })?,
                    0,
                ),
                None => (encoding_rs::UTF_8, 0),
            }
        }
    };
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
    if had_errors {
        return Err(err(
            "xml",
            says("cap-bad-text").arg("encoding", encoding.name()),
        ));
    }
    Ok(text)
}

pub(crate) fn points(s: &str) -> Result<Vec<(f64, f64)>, CapError> {
    s.split_whitespace()
        .map(|p| {
            p.split_once(',')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                .ok_or_else(|| err("area/polygon", says("cap-not-lat-lon").arg("value", p)))
        })
        .collect()
}

fn circle(s: &str) -> Result<(f64, f64, f64), CapError> {
    let bad = || {
        err(
            "area/circle",
            says("cap-circle-form").arg("value", s.trim()),
        )
    };
    let (centre, r) = s.trim().split_once(' ').ok_or_else(bad)?;
    let (lat, lon) = centre.split_once(',').ok_or_else(bad)?;
    Ok((
        lat.trim().parse().map_err(|_| bad())?,
        lon.trim().parse().map_err(|_| bad())?,
        r.trim().parse().map_err(|_| bad())?,
    ))
}

/// The parser's faults an officer meets (a file cut short, tags that do not pair), in words
/// of the catalogues, with the byte where the parser stopped; `None` for the others.
fn xml_fault(e: &quick_xml::Error, at: u64) -> Option<CapError> {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    let m = match e {
        quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => says("cap-xml-unclosed-tag"),
        quick_xml::Error::Syntax(
            SyntaxError::UnclosedComment
            | SyntaxError::UnclosedCData
            | SyntaxError::UnclosedPIOrXmlDecl
            | SyntaxError::UnclosedDoctype
            | SyntaxError::InvalidBangMarkup,
        ) => says("cap-xml-unclosed-markup"),
        quick_xml::Error::IllFormed(IllFormedError::MissingEndTag(name)) => {
            says("cap-not-closed").arg("element", name)
        }
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            says("cap-xml-unmatched-end").arg("element", name)
        }
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            says("cap-xml-mismatched-end")
                .arg("expected", expected)
                .arg("found", found)
        }
        _ => return None,
    };
    Some(err(
        "xml",
        says("cap-xml-at").arg("at", at).msgs("detail", vec![m]),
    ))
}

/// A parsed element: local name, namespace, text and children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    ns: Option<String>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn parse(xml: &str) -> Result<Node, CapError> {
        let mut reader = quick_xml::NsReader::from_str(xml);
        let mut stack: Vec<Node> = Vec::new();
        let mut root = None;
        // The parser's own words (its message is English) go in as they are, for the faults
        // not named here.
        let malformed = |e: String| err("xml", says("cap-malformed").arg("detail", e));
        loop {
            let read = reader.read_resolved_event();
            let (ns, event) = match read {
                Ok(r) => r,
                Err(e) => {
                    let at = reader.error_position();
                    return Err(xml_fault(&e, at).unwrap_or_else(|| malformed(e.to_string())));
                }
            };
            let ns = match ns {
                quick_xml::name::ResolveResult::Bound(n) => {
                    Some(String::from_utf8_lossy(n.as_ref()).into_owned())
                }
                _ => None,
            };
            match event {
                Event::DocType(_) => {
                    return Err(err("xml", says("cap-doctype")));
                }
                Event::Start(e) => stack.push(Node {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ns,
                    ..Default::default()
                }),
                Event::Empty(e) => {
                    let n = Node {
                        name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                        ns,
                        ..Default::default()
                    };
                    match stack.last_mut() {
                        Some(p) => p.children.push(n),
                        None => root = Some(n),
                    }
                }
                Event::Text(t) => {
                    if let Some(n) = stack.last_mut() {
                        let text = t.xml_content().map_err(|e| malformed(e.to_string()))?;
                        n.text.push_str(&text);
                    }
                }
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => match AsRef::<[u8]>::as_ref(&*r) {
                            b"amp" => '&',
                            b"lt" => '<',
                            b"gt" => '>',
                            b"quot" => '"',
                            b"apos" => '\'',
                            other => {
                                return Err(err(
                                    "xml",
                                    says("cap-entity").arg("name", String::from_utf8_lossy(other)),
                                ));
                            }
                        },
                    };
                    if let Some(n) = stack.last_mut() {
                        n.text.push(c);
                    }
                }
                Event::CData(t) => {
                    if let Some(n) = stack.last_mut() {
                        n.text.push_str(&String::from_utf8_lossy(&t));
                    }
                }
                Event::End(_) => {
                    let n = stack
                        .pop()
                        .ok_or_else(|| err("xml", says("cap-end-without-start")))?;
                    match stack.last_mut() {
                        Some(p) => p.children.push(n),
                        None => root = Some(n),
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            if stack.len() > 64 {
                return Err(err("xml", says("cap-too-deep")));
            }
        }
        if !stack.is_empty() {
            return Err(err(
                "xml",
                says("cap-not-closed").arg("element", &stack[stack.len() - 1].name),
            ));
        }
        root.ok_or_else(|| err("xml", says("cap-empty")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Alert {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        Alert {
            identifier: "HN-2026-0001".into(),
            sender: "canhbao@hanoi.gov.vn".into(),
            sent: t("2026-09-22T07:30:00+07:00"),
            status: Status::Actual,
            msg_type: MsgType::Alert,
            scope: Scope::Public,
            addresses: None,
            references: Vec::new(),
            note: None,
            info: vec![Info {
                language: "vi-VN".into(),
                categories: vec![Category::Met, Category::Safety],
                event: "Bão số 9".into(),
                urgency: Urgency::Expected,
                severity: Severity::Severe,
                certainty: Certainty::Likely,
                sender_name: Some("UBND thành phố Hà Nội".into()),
                headline: Some("Bão số 9 đổ bộ, mưa rất to & gió giật <cấp 10>".into()),
                description: Some("Từ chiều 22/9 gió mạnh cấp 8–9.".into()),
                instruction: Some("Hạn chế ra đường; chằng chống nhà cửa.".into()),
                effective: Some(t("2026-09-22T12:00:00+07:00")),
                expires: Some(t("2026-09-23T12:00:00+07:00")),
                areas: vec![Area {
                    area_desc: "Phường Ba Đình".into(),
                    polygons: vec![vec![
                        (21.03, 105.83),
                        (21.04, 105.84),
                        (21.05, 105.83),
                        (21.03, 105.83),
                    ]],
                    circles: vec![(21.03, 105.83, 2.5)],
                    geocodes: vec![("MA_XA".into(), "00004".into())],
                }],
            }],
        }
    }

    #[test]
    fn an_alert_survives_export_and_import() {
        let a = sample();
        let xml = a.to_xml().unwrap();
        assert!(xml.contains("&amp; gió giật &lt;cấp 10&gt;"), "{xml}");
        assert_eq!(Alert::from_xml(&xml).unwrap(), a);
        assert!(a.is_public());
        let test = Alert {
            status: Status::Test,
            ..a.clone()
        };
        assert!(!test.is_public());
        assert_eq!(
            a.reference(),
            "canhbao@hanoi.gov.vn,HN-2026-0001,2026-09-22T07:30:00+07:00"
        );
    }

    #[test]
    fn bad_cap_names_the_element() {
        let good = sample().to_xml().unwrap();
        for (xml, element, says) in [
            ("<alert", "xml", "not well-formed"),
            (
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"/>",
                "feed",
                "not a CAP alert",
            ),
            (
                "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.1\"/>",
                "alert",
                "not CAP 1.2",
            ),
            (
                "<?xml version=\"1.0\"?><!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">&x;</alert>",
                "xml",
                "document type declaration",
            ),
        ] {
            let e = Alert::from_xml(xml).unwrap_err();
            assert_eq!(e.element, element, "{xml}: {e}");
            assert!(e.message.to_string().contains(says), "{xml}: {e}");
            lantoa_core::msg::check_both_languages(&e.message).unwrap();
        }
        for (from, to, element) in [
            ("<sender>canhbao@hanoi.gov.vn</sender>", "", "sender"),
            (
                "<urgency>Expected</urgency>",
                "<urgency>Soon</urgency>",
                "info/urgency",
            ),
            ("<severity>Severe</severity>", "", "info/severity"),
            (
                "<sent>2026-09-22T07:30:00+07:00</sent>",
                "<sent>22/09/2026</sent>",
                "sent",
            ),
            (
                "21.05,105.83 21.03,105.83",
                "21.05,105.83 21.06,105.83",
                "area/polygon",
            ),
            (
                "<msgType>Alert</msgType>",
                "<msgType>Cancel</msgType>",
                "references",
            ),
            (
                "<scope>Public</scope>",
                "<scope>Private</scope>",
                "addresses",
            ),
        ] {
            assert!(good.contains(from), "{from}");
            let e = Alert::from_xml(&good.replace(from, to)).unwrap_err();
            assert_eq!(e.element, element, "{from} → {to}: {e}");
            lantoa_core::msg::check_both_languages(&e.message).unwrap();
        }
    }
}
