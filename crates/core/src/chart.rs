//! Charts as SVG drawn on the server: no script, readable without the page's styles, each with
//! a title for screen readers and its numbers in text beside the marks, so a page that shows a
//! chart also works printed or read aloud. [`Svg`] draws the marks; [`hbars`] and [`lines`]
//! are the two charts the console's dashboards use.

use std::fmt::Write as _;

/// Text for an SVG document: `&`, `<`, `>` and `"` escaped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a text is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Its start at x.
    Start,
    /// Its middle at x.
    Middle,
    /// Its end at x.
    End,
}

/// An SVG document being drawn.
#[derive(Debug, Clone)]
pub struct Svg {
    out: String,
}

impl Svg {
    /// A `width` × `height` drawing whose element id is `id`, titled `title`.
    pub fn new(id: &str, width: f64, height: f64, title: &str) -> Self {
        let id = escape(id);
        Self {
            out: format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="{id}-title" class="chart" id="{id}"><title id="{id}-title">{}</title>"#,
                escape(title)
            ),
        }
    }

    /// A text of `size` px.
    pub fn text(&mut self, x: f64, y: f64, size: u32, anchor: Anchor, s: &str) -> &mut Self {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = write!(
            self.out,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}">{}</text>"#,
            escape(s)
        );
        self
    }

    /// A filled rectangle; `tip`, when given, is its tooltip and accessible name.
    pub fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        tip: Option<&str>,
    ) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}">"#,
            w.max(0.0),
            h.max(0.0)
        );
        if let Some(t) = tip {
            let _ = write!(self.out, "<title>{}</title>", escape(t));
        }
        self.out.push_str("</rect>");
        self
    }

    /// A line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) -> &mut Self {
        let _ = write!(
            self.out,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}"/>"#
        );
        self
    }

    /// A line through `points`, each marked with a dot.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str) -> &mut Self {
        if points.is_empty() {
            return self;
        }
        let joined: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            self.out,
            r#"<polyline fill="none" stroke="{stroke}" stroke-width="2" points="{}"/>"#,
            joined.join(" ")
        );
        for (x, y) in points {
            let _ = write!(
                self.out,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{stroke}"/>"#
            );
        }
        self
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A row of a stacked horizontal bar chart: its label and a value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct BarRow {
    /// The label at the left.
    pub label: String,
    /// One value per series, in the legend's order.
    pub values: Vec<f64>,
}

/// Stacked horizontal bars, one row per [`BarRow`], scaled to the largest row's total, each
/// segment with its series and value as a tooltip and the row's values as text at its end.
/// `series` names each series and its colour.
pub fn hbars(id: &str, title: &str, rows: &[BarRow], series: &[(&str, &str)]) -> String {
    const LABEL_W: f64 = 220.0;
    const BAR_W: f64 = 320.0;
    const ROW_H: f64 = 20.0;
    const TOP: f64 = 26.0;
    let height = TOP + ROW_H * rows.len() as f64 + 10.0;
    let mut svg = Svg::new(id, LABEL_W + BAR_W + 120.0, height, title);
    let mut x = LABEL_W;
    for (name, colour) in series {
        svg.rect(x, 6.0, 12.0, 10.0, colour, None)
            .text(x + 16.0, 15.0, 11, Anchor::Start, name);
        x += 16.0 + 7.0 * name.chars().count() as f64 + 14.0;
    }
    let max = rows
        .iter()
        .map(|r| r.values.iter().sum::<f64>())
        .fold(0.0_f64, f64::max);
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        svg.text(
            LABEL_W - 6.0,
            y + 13.0,
            11,
            Anchor::End,
            &shorten(&row.label, 34),
        );
        let mut x = LABEL_W;
        for (v, (name, colour)) in row.values.iter().zip(series) {
            let w = if max > 0.0 { BAR_W * v / max } else { 0.0 };
            if w > 0.0 {
                svg.rect(
                    x,
                    y + 2.0,
                    w,
                    ROW_H - 6.0,
                    colour,
                    Some(&format!("{name}: {}", number(*v))),
                );
            }
            x += w;
        }
        let values: Vec<String> = row.values.iter().map(|v| number(*v)).collect();
        svg.text(x + 6.0, y + 13.0, 10, Anchor::Start, &values.join(" / "));
    }
    svg.finish()
}

/// One line of a [`lines`] chart: its name, colour and a value (or none) per x label.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name, in the legend.
    pub name: String,
    /// Colour.
    pub colour: String,
    /// Values by x label; a gap where none.
    pub values: Vec<Option<f64>>,
}

/// Lines over `x_labels` on a grid from 0 to `y_max`, values written with `y_suffix`.
pub fn lines(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[Series],
    y_max: f64,
    y_suffix: &str,
) -> String {
    const W: f64 = 600.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 44.0;
    const TOP: f64 = 10.0;
    const PLOT_W: f64 = W - LEFT - 170.0;
    const PLOT_H: f64 = H - TOP - 30.0;
    let n = x_labels.len();
    let x = |i: usize| {
        if n <= 1 {
            LEFT + PLOT_W / 2.0
        } else {
            LEFT + PLOT_W * i as f64 / (n - 1) as f64
        }
    };
    let y_max = if y_max > 0.0 { y_max } else { 1.0 };
    let y = |v: f64| TOP + PLOT_H * (1.0 - (v / y_max).clamp(0.0, 1.0));
    let mut svg = Svg::new(id, W, H, title);
    for step in 0..=2 {
        let v = y_max * f64::from(step) / 2.0;
        svg.line(LEFT, y(v), LEFT + PLOT_W, y(v), "#ccc").text(
            LEFT - 4.0,
            y(v) + 3.0,
            10,
            Anchor::End,
            &format!("{}{y_suffix}", number(v)),
        );
    }
    for (i, l) in x_labels.iter().enumerate() {
        svg.text(x(i), H - 8.0, 10, Anchor::Middle, l);
    }
    for (s, line) in series.iter().enumerate() {
        let points: Vec<(f64, f64)> = line
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (x(i), y(v))))
            .collect();
        svg.polyline(&points, &line.colour);
        let ly = TOP + 14.0 + 18.0 * s as f64;
        let last = line.values.iter().rev().flatten().next();
        let label = match last {
            Some(v) => format!("{} ({}{y_suffix})", line.name, number(*v)),
            None => line.name.clone(),
        };
        svg.rect(
            LEFT + PLOT_W + 16.0,
            ly - 4.0,
            12.0,
            4.0,
            &line.colour,
            None,
        )
        .text(LEFT + PLOT_W + 32.0, ly, 11, Anchor::Start, &label);
    }
    svg.finish()
}

/// `s` cut to `max` characters, the last an ellipsis, for a label beside a mark (the whole
/// text stays in the mark's title and the table beside the chart).
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        s.chars().take(max.saturating_sub(1)).chain(['…']).collect()
    } else {
        s.to_owned()
    }
}

/// A number as a chart writes it: whole numbers bare, others to at most four places.
pub fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_marks_carry_their_values() {
        let svg = hbars(
            "u",
            "Tasks <by> unit",
            &[BarRow {
                label: "Sở \"A\" & B".into(),
                values: vec![3.0, 1.0],
            }],
            &[("done", "#1b6e3a"), ("overdue", "#b00020")],
        );
        assert!(svg.contains("Tasks &lt;by&gt; unit"));
        assert!(svg.contains("Sở &quot;A&quot; &amp; B"));
        assert!(svg.contains("<title>done: 3</title>"));
        assert!(svg.contains("<title>overdue: 1</title>"));
        assert!(svg.contains(">3 / 1</text>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn lines_leave_gaps_and_label_the_last_value() {
        let svg = lines(
            "d",
            "DTI",
            &["2022".into(), "2023".into(), "2024".into()],
            &[Series {
                name: "CQS".into(),
                colour: "#111".into(),
                values: vec![Some(0.5), None, Some(0.8241)],
            }],
            1.0,
            "",
        );
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("CQS (0.8241)"));
        assert_eq!(number(2.0), "2");
        assert_eq!(number(0.25), "0.25");
    }
}
