//! A small vector scene (lines, paths, rectangles, circles, text) in points, written as SVG or as a one-page PDF with the base-14 Helvetica: no font files, no system library, no crate.
//!
//! Every shape may carry `data-*` attributes (the date and value it stands for) and a
//! class, written into the SVG only: tests read them back to check that a point was
//! drawn where the stored value puts it.

use std::fmt::Write as _;

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color(pub u8, pub u8, pub u8);

impl Color {
    /// Black.
    pub const BLACK: Color = Color(0, 0, 0);
    /// Dark grey, for axes and secondary text.
    pub const GREY: Color = Color(110, 110, 110);
    /// Light grey, for grid lines and bands.
    pub const LIGHT: Color = Color(215, 215, 215);
    /// White.
    pub const WHITE: Color = Color(255, 255, 255);
    /// Red (progression, death).
    pub const RED: Color = Color(200, 30, 30);
    /// Green (response).
    pub const GREEN: Color = Color(30, 140, 60);
    /// Blue.
    pub const BLUE: Color = Color(40, 90, 190);

    fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    fn pdf(self) -> String {
        format!(
            "{} {} {}",
            num(f64::from(self.0) / 255.0),
            num(f64::from(self.1) / 255.0),
            num(f64::from(self.2) / 255.0)
        )
    }
}

/// A qualitative palette (Okabe–Ito, colour-blind safe) for series and groups.
pub const PALETTE: [Color; 8] = [
    Color(0, 0, 0),
    Color(230, 159, 0),
    Color(86, 180, 233),
    Color(0, 158, 115),
    Color(213, 94, 0),
    Color(0, 114, 178),
    Color(204, 121, 167),
    Color(140, 120, 0),
];

/// The colour of series or group `i`.
pub fn palette(i: usize) -> Color {
    PALETTE[i % PALETTE.len()]
}

/// A blue–white–red diverging colour for a z-score (clamped at ±`limit`).
pub fn diverging(z: f64, limit: f64) -> Color {
    if !z.is_finite() {
        return Color::LIGHT;
    }
    let t = (z / limit).clamp(-1.0, 1.0);
    let mix = |a: u8, b: u8, t: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * t) as u8;
    if t >= 0.0 {
        Color(255, mix(255, 40, t), mix(255, 40, t))
    } else {
        Color(mix(255, 40, -t), mix(255, 80, -t), 255)
    }
}

/// Horizontal anchoring of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Text starts at x.
    Start,
    /// Text is centred on x.
    Middle,
    /// Text ends at x.
    End,
}

/// How a shape is stroked and filled.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Outline colour, none without.
    pub stroke: Option<Color>,
    /// Outline width (pt).
    pub width: f64,
    /// Fill colour, none without.
    pub fill: Option<Color>,
    /// Dashed outline.
    pub dashed: bool,
    /// Opacity of the fill (1 = opaque).
    pub fill_opacity: f64,
}

impl Style {
    /// A line of `color` and `width`.
    pub fn stroke(color: Color, width: f64) -> Style {
        Style {
            stroke: Some(color),
            width,
            fill: None,
            dashed: false,
            fill_opacity: 1.0,
        }
    }

    /// A filled shape without outline.
    pub fn fill(color: Color) -> Style {
        Style {
            stroke: None,
            width: 0.0,
            fill: Some(color),
            dashed: false,
            fill_opacity: 1.0,
        }
    }

    /// The same, dashed.
    pub fn dashed(mut self) -> Style {
        self.dashed = true;
        self
    }

    /// The same with a fill of `color`.
    pub fn filled(mut self, color: Color) -> Style {
        self.fill = Some(color);
        self
    }

    /// The same with a translucent fill.
    pub fn opacity(mut self, opacity: f64) -> Style {
        self.fill_opacity = opacity;
        self
    }
}

/// What a shape is.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A polyline (closed: a polygon).
    Path {
        /// Its points.
        points: Vec<(f64, f64)>,
        /// Closed and fillable.
        closed: bool,
    },
    /// A rectangle.
    Rect {
        /// Left.
        x: f64,
        /// Top.
        y: f64,
        /// Width.
        w: f64,
        /// Height.
        h: f64,
    },
    /// A circle.
    Circle {
        /// Centre x.
        cx: f64,
        /// Centre y.
        cy: f64,
        /// Radius.
        r: f64,
    },
    /// One line of text; `y` is the baseline.
    Text {
        /// Anchor point x.
        x: f64,
        /// Baseline y.
        y: f64,
        /// The text.
        text: String,
        /// Font size (pt).
        size: f64,
        /// Horizontal anchoring.
        anchor: Anchor,
        /// Bold.
        bold: bool,
    },
}

/// A shape with its style, class and data attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The shape.
    pub shape: Shape,
    /// Its style (text uses `fill` as its colour).
    pub style: Style,
    /// SVG class (empty: none).
    pub class: &'static str,
    /// `data-*` attributes: what the shape stands for.
    pub data: Vec<(&'static str, String)>,
}

impl Item {
    /// The same with a class.
    pub fn class(&mut self, class: &'static str) -> &mut Item {
        self.class = class;
        self
    }

    /// The same with a `data-NAME` attribute.
    pub fn data(&mut self, name: &'static str, value: impl Into<String>) -> &mut Item {
        self.data.push((name, value.into()));
        self
    }
}

/// A page of shapes in points, origin top left, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    /// Width (pt).
    pub width: f64,
    /// Height (pt).
    pub height: f64,
    /// The title (SVG `<title>`, PDF document title).
    pub title: String,
    /// Shapes in drawing order; `Group` markers open and close `<g>` elements.
    pub items: Vec<Node>,
}

/// An entry of a scene: a shape, or the start or end of a group with data attributes.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A shape.
    Item(Item),
    /// Opens a group (`<g class=… data-…>`): a chart and its scale.
    Open(&'static str, Vec<(&'static str, String)>),
    /// Closes the innermost group.
    Close,
}

/// A4 landscape in points.
pub const A4_LANDSCAPE: (f64, f64) = (841.89, 595.28);

impl Scene {
    /// An empty scene.
    pub fn new(width: f64, height: f64, title: impl Into<String>) -> Scene {
        Scene {
            width,
            height,
            title: title.into(),
            items: Vec::new(),
        }
    }

    /// Adds a shape and returns it for class and data.
    pub fn push(&mut self, shape: Shape, style: Style) -> &mut Item {
        self.items.push(Node::Item(Item {
            shape,
            style,
            class: "",
            data: Vec::new(),
        }));
        match self.items.last_mut() {
            Some(Node::Item(item)) => item,
            _ => unreachable!("an item was just pushed"),
        }
    }

    /// A straight line.
    pub fn line(&mut self, a: (f64, f64), b: (f64, f64), style: Style) -> &mut Item {
        self.push(
            Shape::Path {
                points: vec![a, b],
                closed: false,
            },
            style,
        )
    }

    /// A polyline.
    pub fn path(&mut self, points: Vec<(f64, f64)>, style: Style) -> &mut Item {
        self.push(
            Shape::Path {
                points,
                closed: false,
            },
            style,
        )
    }

    /// A closed polygon.
    pub fn polygon(&mut self, points: Vec<(f64, f64)>, style: Style) -> &mut Item {
        self.push(
            Shape::Path {
                points,
                closed: true,
            },
            style,
        )
    }

    /// A rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, style: Style) -> &mut Item {
        self.push(Shape::Rect { x, y, w, h }, style)
    }

    /// A circle.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, style: Style) -> &mut Item {
        self.push(Shape::Circle { cx, cy, r }, style)
    }

    /// A line of text in `color`.
    pub fn text(
        &mut self,
        x: f64,
        y: f64,
        text: impl Into<String>,
        size: f64,
        anchor: Anchor,
        color: Color,
    ) -> &mut Item {
        self.push(
            Shape::Text {
                x,
                y,
                text: text.into(),
                size,
                anchor,
                bold: false,
            },
            Style::fill(color),
        )
    }

    /// A line of bold text.
    pub fn bold(&mut self, x: f64, y: f64, text: impl Into<String>, size: f64) -> &mut Item {
        self.push(
            Shape::Text {
                x,
                y,
                text: text.into(),
                size,
                anchor: Anchor::Start,
                bold: true,
            },
            Style::fill(Color::BLACK),
        )
    }

    /// Opens a group with data attributes.
    pub fn open(&mut self, class: &'static str, data: Vec<(&'static str, String)>) {
        self.items.push(Node::Open(class, data));
    }

    /// Closes the innermost group.
    pub fn close(&mut self) {
        self.items.push(Node::Close);
    }

    /// The scene as an SVG element. `standalone` adds the XML namespace a file needs
    /// (an SVG inline in HTML needs none, and so carries no URL at all).
    pub fn to_svg(&self, standalone: bool) -> String {
        let mut out = String::with_capacity(64 * self.items.len() + 256);
        let ns = if standalone {
            " xmlns=\"http://www.w3.org/2000/svg\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<svg{ns} viewBox=\"0 0 {} {}\" width=\"{}pt\" height=\"{}pt\" font-family=\"Helvetica, Arial, sans-serif\">\n<title>{}</title>\n",
            num(self.width),
            num(self.height),
            num(self.width),
            num(self.height),
            escape(&self.title)
        );
        for node in &self.items {
            match node {
                Node::Open(class, data) => {
                    out.push_str("<g");
                    attrs(&mut out, class, data);
                    out.push_str(">\n");
                }
                Node::Close => out.push_str("</g>\n"),
                Node::Item(item) => svg_item(&mut out, item),
            }
        }
        out.push_str("</svg>\n");
        out
    }

    /// The scene as a one-page PDF (1.4): vector shapes and Helvetica text in
    /// WinAnsi encoding (a character outside it is written `?`).
    pub fn to_pdf(&self) -> Vec<u8> {
        // One graphics state per fill opacity used (`/A0`, `/A1` …).
        let mut opacities: Vec<String> = Vec::new();
        for node in &self.items {
            if let Node::Item(item) = node
                && item.style.fill.is_some()
                && item.style.fill_opacity < 1.0
            {
                let key = num(item.style.fill_opacity);
                if !opacities.contains(&key) {
                    opacities.push(key);
                }
            }
        }
        let mut content = String::with_capacity(48 * self.items.len());
        // Flip to a y-down page so the scene's coordinates apply as they are.
        let _ = writeln!(content, "1 0 0 -1 0 {} cm", num(self.height));
        for node in &self.items {
            if let Node::Item(item) = node {
                pdf_item(&mut content, item, &opacities);
            }
        }
        let mut objects: Vec<Vec<u8>> = Vec::new();
        objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
        objects.push(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec());
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {} {}] /Contents 4 0 R \
                 /Resources << /Font << /F1 5 0 R /F2 6 0 R >> /ExtGState << {} >> >> >>",
                num(self.width),
                num(self.height),
                opacities
                    .iter()
                    .enumerate()
                    .map(|(i, _)| format!("/A{i} {} 0 R", 7 + i))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content.as_bytes());
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
        for font in ["Helvetica", "Helvetica-Bold"] {
            objects.push(
                format!(
                    "<< /Type /Font /Subtype /Type1 /BaseFont /{font} /Encoding /WinAnsiEncoding >>"
                )
                .into_bytes(),
            );
        }
        for opacity in &opacities {
            objects.push(format!("<< /Type /ExtGState /ca {opacity} >>").into_bytes());
        }
        let mut title = b"<< /Title (".to_vec();
        title.extend(pdf_string(&self.title));
        title.extend_from_slice(b") /Producer (oncotrack) >>");
        objects.push(title);

        let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::with_capacity(objects.len());
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend(format!("{} 0 obj\n", i + 1).into_bytes());
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref = pdf.len();
        pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
        for offset in offsets {
            pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
        }
        pdf.extend(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R /Info {} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1,
                objects.len()
            )
            .into_bytes(),
        );
        pdf
    }
}

/// A number with at most two decimals and no trailing zeros (`12`, `3.5`, `0.25`).
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".into();
    }
    let text = format!("{:.2}", value);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" || text.is_empty() {
        "0".into()
    } else {
        text.to_string()
    }
}

/// Escapes text for XML and HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn attrs(out: &mut String, class: &str, data: &[(&'static str, String)]) {
    if !class.is_empty() {
        let _ = write!(out, " class=\"{class}\"");
    }
    for (name, value) in data {
        let _ = write!(out, " data-{name}=\"{}\"", escape(value));
    }
}

fn svg_style(out: &mut String, style: &Style) {
    match style.fill {
        Some(c) => {
            let _ = write!(out, " fill=\"{}\"", c.hex());
            if style.fill_opacity < 1.0 {
                let _ = write!(out, " fill-opacity=\"{}\"", num(style.fill_opacity));
            }
        }
        None => out.push_str(" fill=\"none\""),
    }
    if let Some(c) = style.stroke {
        let _ = write!(
            out,
            " stroke=\"{}\" stroke-width=\"{}\"",
            c.hex(),
            num(style.width)
        );
        if style.dashed {
            out.push_str(" stroke-dasharray=\"3 2\"");
        }
    }
}

fn svg_item(out: &mut String, item: &Item) {
    match &item.shape {
        Shape::Path { points, closed } => {
            let tag = if *closed { "polygon" } else { "polyline" };
            let _ = write!(out, "<{tag} points=\"");
            for (i, (x, y)) in points.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let _ = write!(out, "{},{}", num(*x), num(*y));
            }
            out.push('"');
            svg_style(out, &item.style);
        }
        Shape::Rect { x, y, w, h } => {
            let _ = write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
                num(*x),
                num(*y),
                num(w.max(0.0)),
                num(h.max(0.0))
            );
            svg_style(out, &item.style);
        }
        Shape::Circle { cx, cy, r } => {
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\"",
                num(*cx),
                num(*cy),
                num(*r)
            );
            svg_style(out, &item.style);
        }
        Shape::Text {
            x,
            y,
            text,
            size,
            anchor,
            bold,
        } => {
            let anchor = match anchor {
                Anchor::Start => "start",
                Anchor::Middle => "middle",
                Anchor::End => "end",
            };
            let color = item.style.fill.unwrap_or(Color::BLACK).hex();
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"{anchor}\" fill=\"{color}\"",
                num(*x),
                num(*y),
                num(*size)
            );
            if *bold {
                out.push_str(" font-weight=\"bold\"");
            }
            attrs(out, item.class, &item.data);
            let _ = writeln!(out, ">{}</text>", escape(text));
            return;
        }
    }
    attrs(out, item.class, &item.data);
    out.push_str("/>\n");
}

fn pdf_paint(out: &mut String, style: &Style, closable: bool) {
    let fill = style.fill.filter(|_| closable);
    if let Some(c) = style.stroke {
        let _ = write!(out, "{} RG {} w ", c.pdf(), num(style.width));
        out.push_str(if style.dashed {
            "[3 2] 0 d "
        } else {
            "[] 0 d "
        });
    }
    if let Some(c) = fill {
        let _ = write!(out, "{} rg ", c.pdf());
    }
}

fn pdf_item(out: &mut String, item: &Item, opacities: &[String]) {
    let style = &item.style;
    let state = opacities
        .iter()
        .position(|o| *o == num(style.fill_opacity))
        .filter(|_| style.fill_opacity < 1.0 && style.fill.is_some());
    let translucent = state.is_some();
    if let Some(i) = state {
        let _ = write!(out, "q /A{i} gs ");
    }
    let op = match (style.stroke.is_some(), style.fill.is_some()) {
        (true, true) => "B",
        (true, false) => "S",
        (false, true) => "f",
        (false, false) => "n",
    };
    match &item.shape {
        Shape::Path { points, closed } => {
            if points.len() >= 2 {
                pdf_paint(out, style, *closed);
                for (i, (x, y)) in points.iter().enumerate() {
                    let verb = if i == 0 { "m" } else { "l" };
                    let _ = write!(out, "{} {} {verb} ", num(*x), num(*y));
                }
                let op = if *closed {
                    if op == "S" { "s" } else { op }
                } else if style.stroke.is_some() {
                    "S"
                } else {
                    "n"
                };
                let _ = writeln!(out, "{op}");
            }
        }
        Shape::Rect { x, y, w, h } => {
            pdf_paint(out, style, true);
            let _ = writeln!(
                out,
                "{} {} {} {} re {op}",
                num(*x),
                num(*y),
                num(w.max(0.0)),
                num(h.max(0.0))
            );
        }
        Shape::Circle { cx, cy, r } => {
            pdf_paint(out, style, true);
            // Four Bézier quarter arcs.
            let k = 0.552_284_75 * r;
            let _ = writeln!(
                out,
                "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {op}",
                num(cx + r),
                num(*cy),
                num(cx + r),
                num(cy + k),
                num(cx + k),
                num(cy + r),
                num(*cx),
                num(cy + r),
                num(cx - k),
                num(cy + r),
                num(cx - r),
                num(cy + k),
                num(cx - r),
                num(*cy),
                num(cx - r),
                num(cy - k),
                num(cx - k),
                num(cy - r),
                num(*cx),
                num(cy - r),
                num(cx + k),
                num(cy - r),
                num(cx + r),
                num(cy - k),
                num(cx + r),
                num(*cy),
            );
        }
        Shape::Text {
            x,
            y,
            text,
            size,
            anchor,
            bold,
        } => {
            let width = text_width(text, *size, *bold);
            let x = match anchor {
                Anchor::Start => *x,
                Anchor::Middle => x - width / 2.0,
                Anchor::End => x - width,
            };
            let color = style.fill.unwrap_or(Color::BLACK).pdf();
            let font = if *bold { "F2" } else { "F1" };
            let mut line = format!(
                "BT {color} rg /{font} {} Tf 1 0 0 -1 {} {} Tm (",
                num(*size),
                num(x),
                num(*y)
            )
            .into_bytes();
            line.extend(pdf_string(text));
            line.extend_from_slice(b") Tj ET\n");
            // pdf_string writes only ASCII bytes (octal escapes above 126).
            out.push_str(&String::from_utf8_lossy(&line));
        }
    }
    if translucent {
        out.push_str("Q\n");
    }
}

/// The text as a PDF literal string's bytes in WinAnsi encoding, escaped, ASCII only.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let byte: u8 = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            '–' => 0x96,
            '−' => b'-',
            '—' => 0x97,
            '•' => 0x95,
            '†' => 0x86,
            '…' => 0x85,
            '×' => 0xD7,
            '·' => 0xB7,
            'µ' => 0xB5,
            '±' => 0xB1,
            '°' => 0xB0,
            '²' => 0xB2,
            '³' => 0xB3,
            '¹' => 0xB9,
            'é' => 0xE9,
            'ö' => 0xF6,
            'ü' => 0xFC,
            'ä' => 0xE4,
            '≤' | '≥' | '⁻' | '▲' | '▼' | '▶' => {
                let replacement: &[u8] = match c {
                    '≤' => b"<=",
                    '≥' => b">=",
                    '⁻' => b"-",
                    _ => b"*",
                };
                out.extend_from_slice(replacement);
                continue;
            }
            _ => b'?',
        };
        if byte > 126 {
            out.extend(format!("\\{byte:03o}").into_bytes());
        } else {
            out.push(byte);
        }
    }
    out
}

/// The width of `text` in Helvetica at `size` pt (the AFM widths by character class:
/// close enough to centre and right-align labels).
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let units: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 240.0,
            ' ' | 'f' | 't' | 'I' | '/' | '(' | ')' | '[' | ']' | '-' => 290.0,
            'r' => 333.0,
            'm' | 'M' | 'W' => 850.0,
            'w' => 722.0,
            '%' => 889.0,
            c if c.is_ascii_uppercase() => 680.0,
            c if c.is_ascii_digit() => 556.0,
            _ => 540.0,
        })
        .sum();
    units / 1000.0 * size * if bold { 1.06 } else { 1.0 }
}

/// `text` cut to fit `width` at `size` pt, with `…` when cut.
pub fn fit(text: &str, width: f64, size: f64) -> String {
    if text_width(text, size, false) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_width(&out, size, false) + text_width("…", size, false) > width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// `text` broken into lines of at most `width` at `size` pt, at spaces; at most
/// `max_lines` lines, the last ending in `…` when text is left over.
pub fn wrap(text: &str, width: f64, size: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if text_width(&candidate, size, false) <= width || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            *last = fit(&format!("{last} …"), width, size);
        }
    }
    lines.into_iter().map(|l| fit(&l, width, size)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_carries_data_attributes_and_no_url_inline() {
        let mut scene = Scene::new(100.0, 50.0, "t <1>");
        scene
            .circle(10.0, 20.5, 2.0, Style::fill(Color::RED))
            .data("date", "2024-02-20")
            .data("value", "0.5");
        scene.text(5.0, 5.0, "a & b", 8.0, Anchor::Middle, Color::BLACK);
        let svg = scene.to_svg(false);
        assert!(svg.contains("cx=\"10\" cy=\"20.5\""));
        assert!(svg.contains("data-date=\"2024-02-20\" data-value=\"0.5\""));
        assert!(svg.contains("a &amp; b") && svg.contains("t &lt;1&gt;"));
        assert!(!svg.contains("http"));
        assert!(scene.to_svg(true).contains("xmlns="));
    }

    #[test]
    fn pdf_is_one_page_with_a_valid_cross_reference_table() {
        let mut scene = Scene::new(A4_LANDSCAPE.0, A4_LANDSCAPE.1, "report (P001)");
        scene.rect(
            10.0,
            10.0,
            50.0,
            20.0,
            Style::fill(Color::BLUE).opacity(0.3),
        );
        scene.circle(30.0, 30.0, 3.0, Style::stroke(Color::RED, 1.0));
        scene.text(
            20.0,
            40.0,
            "SUV × 2 – (x) †",
            9.0,
            Anchor::End,
            Color::BLACK,
        );
        let pdf = scene.to_pdf();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-1.4"));
        assert_eq!(text.matches("/Type /Page ").count(), 1);
        assert!(text.contains("\\327") && text.contains("\\(x\\)"));
        // Every offset of the xref table points at its object (offsets count bytes).
        let at = |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle);
        let start = at(b"startxref\n").unwrap() + 10;
        let end = start + pdf[start..].iter().position(|b| *b == b'\n').unwrap();
        let xref_at: usize = std::str::from_utf8(&pdf[start..end])
            .unwrap()
            .parse()
            .unwrap();
        assert!(pdf[xref_at..].starts_with(b"xref"));
        let table = std::str::from_utf8(&pdf[xref_at..]).unwrap();
        for (i, line) in table.lines().skip(3).take(8).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            let object = format!("{} 0 obj", i + 1);
            assert!(
                pdf[offset..].starts_with(object.as_bytes()),
                "object {}",
                i + 1
            );
        }
    }

    #[test]
    fn numbers_are_short_and_text_wraps_within_its_width() {
        assert_eq!(num(2065.0), "2065");
        assert_eq!(num(0.126), "0.13");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
        let lines = wrap("one two three four five six seven", 40.0, 8.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| text_width(l, 8.0, false) <= 40.0));
        assert!(lines[1].ends_with('…'));
    }
}
