//! robots.txt (RFC 9309), through the `texting_robots` parser.
//!
//! What the crawler does with each answer follows the RFC: a robots.txt that is missing
//! (4xx) allows everything; one that cannot be had (5xx, unreachable, timeout) disallows
//! everything until the next crawl, since the site may be refusing crawlers.

use std::time::Duration;

use texting_robots::Robot;

/// The rules for one host.
#[derive(Debug)]
pub enum Robots {
    /// No robots.txt (4xx): everything is allowed.
    AllowAll,
    /// robots.txt could not be fetched (5xx or unreachable): nothing is allowed.
    DisallowAll(String),
    /// The parsed rules for our agent.
    Rules(Box<Robot>),
}

impl Robots {
    /// The rules from a robots.txt response with `status` and `body`, for `agent` (the product
    /// token, e.g. `Lantoa`).
    pub fn from_response(agent: &str, status: u16, body: &[u8]) -> Self {
        match status {
            200..=299 => match Robot::new(agent, body) {
                Ok(robot) => Robots::Rules(Box::new(robot)),
                // An unparseable file is treated as no file, as browsers and major crawlers do.
                Err(_) => Robots::AllowAll,
            },
            400..=499 => Robots::AllowAll,
            _ => Robots::DisallowAll(format!("robots.txt answered {status}")),
        }
    }

    /// Whether `url` may be fetched.
    pub fn allowed(&self, url: &str) -> bool {
        match self {
            Robots::AllowAll => true,
            Robots::DisallowAll(_) => false,
            Robots::Rules(r) => r.allowed(url),
        }
    }

    /// The `Crawl-delay` the site asks for, capped at one minute.
    pub fn delay(&self) -> Option<Duration> {
        match self {
            Robots::Rules(r) => r
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d.min(60.0))),
            _ => None,
        }
    }

    /// The sitemaps the file lists.
    pub fn sitemaps(&self) -> &[String] {
        match self {
            Robots::Rules(r) => &r.sitemaps,
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_rules_for_our_agent_and_the_rfc_defaults() {
        let txt = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\nSitemap: https://a.example/sitemap.xml\n\nUser-agent: Lantoa\nDisallow: /no-lantoa/\n";
        let r = Robots::from_response("Lantoa", 200, txt);
        assert!(!r.allowed("https://a.example/no-lantoa/x"));
        assert!(
            r.allowed("https://a.example/private/x"),
            "our own group wins over *"
        );
        assert!(r.allowed("https://a.example/tin-tuc/1"));
        let other = Robots::from_response("OtherBot", 200, txt);
        assert!(!other.allowed("https://a.example/private/x"));
        assert_eq!(other.delay(), Some(Duration::from_secs(2)));
        assert_eq!(r.sitemaps(), ["https://a.example/sitemap.xml"]);
        assert!(Robots::from_response("Lantoa", 404, b"").allowed("https://a.example/x"));
        assert!(!Robots::from_response("Lantoa", 503, b"").allowed("https://a.example/x"));
    }
}
