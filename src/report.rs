//! The one-page tumour-board report of a patient and the cohort figures (Kaplan–Meier, cluster heatmap, swimmer plot), as self-contained HTML, SVG or PDF written without any crate or system library.
//!
//! [`model`] gathers what a page shows through the store's readers; [`page`] and
//! [`figures`] draw it into a [`scene::Scene`] without I/O; the scene writes itself as
//! SVG (inline in HTML, with no network reference) or as a one-page PDF in the
//! base-14 Helvetica. Files are written 0600 and renamed into place, as exports are.

pub mod chart;
pub mod figures;
pub mod model;
pub mod page;
pub mod scene;

use crate::error::{Error, Result};
use crate::store::Store;
use chrono::NaiveDate;
use scene::{Scene, escape};
use std::path::{Path, PathBuf};

/// The file kinds a figure or report is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A self-contained HTML page with the SVG inline.
    Html,
    /// A standalone SVG file.
    Svg,
    /// A one-page PDF.
    Pdf,
}

impl FileKind {
    /// The kind an output path's extension names (`option` names the flag in the error).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for another extension (`.png` says why it is refused).
    pub fn of(path: &Path, allowed: &[FileKind], option: &'static str) -> Result<FileKind> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let kind = match ext.as_str() {
            "html" | "htm" => Some(FileKind::Html),
            "svg" => Some(FileKind::Svg),
            "pdf" => Some(FileKind::Pdf),
            _ => None,
        };
        let names: Vec<&str> = allowed.iter().map(|k| k.extension()).collect();
        match kind {
            Some(kind) if allowed.contains(&kind) => Ok(kind),
            _ if ext == "png" => Err(Error::InvalidValue {
                what: option,
                value: path.display().to_string(),
                reason: format!(
                    "PNG is not written: rasterising needs a font and renderer oncotrack does not \
                     build (resvg); write .{} and convert it (e.g. a browser or rsvg-convert)",
                    names.join(" or .")
                ),
            }),
            _ => Err(Error::InvalidValue {
                what: option,
                value: path.display().to_string(),
                reason: format!("the file name must end in .{}", names.join(", .")),
            }),
        }
    }

    /// The extension without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Html => "html",
            FileKind::Svg => "svg",
            FileKind::Pdf => "pdf",
        }
    }
}

/// The scene as a self-contained HTML page: A4 landscape, no margin, the SVG inline,
/// no script, no style sheet, font or image from anywhere else.
pub fn html(scene: &Scene) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>\n@page {{ size: A4 landscape; margin: 0; }}\n\
         html, body {{ margin: 0; padding: 0; background: #fff; }}\n\
         svg {{ display: block; width: 296mm; height: 208mm; }}\n\
         @media screen {{ body {{ background: #ddd; }} svg {{ margin: 8px auto; background: #fff; box-shadow: 0 0 4px #888; }} }}\n\
         </style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(&scene.title),
        scene.to_svg(false)
    )
}

/// The bytes of a scene written as `kind`.
pub fn render(scene: &Scene, kind: FileKind) -> Vec<u8> {
    match kind {
        FileKind::Html => html(scene).into_bytes(),
        FileKind::Svg => {
            let mut svg = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_vec();
            svg.extend(scene.to_svg(true).into_bytes());
            svg
        }
        FileKind::Pdf => scene.to_pdf(),
    }
}

/// Writes `bytes` to `path`: mode 0600, renamed into place (never half-written, never
/// through a symbolic link), as exports are.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::export::frame::write_private_file(path, bytes)
}

/// Gathers, draws and writes one patient's report to `path` as `kind`.
///
/// # Errors
/// [`Error::UnknownPatient`], store failures, [`Error::Io`].
pub fn write_patient(
    store: &Store,
    context: &model::Context,
    code: &str,
    at: Option<NaiveDate>,
    path: &Path,
    kind: FileKind,
) -> Result<()> {
    let report = model::gather(store, context, code, at)?;
    write_file(path, &render(&page::patient_page(&report), kind))
}

/// The file name of a patient's report in `dir`: `ID-report.EXT`, the ID kept to
/// letters, digits, `-` and `_` (anything else becomes `_`).
pub fn report_path(dir: &Path, code: &str, kind: FileKind) -> PathBuf {
    let safe: String = code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}-report.{}", kind.extension()))
}

/// Writes the HTML report of `code` into `dir` (the terminal UI's `p`) and returns
/// the path written.
///
/// # Errors
/// As [`write_patient`].
pub fn write_patient_html(store: &Store, code: &str, dir: &Path) -> Result<PathBuf> {
    let context = model::Context::load(store)?;
    let path = report_path(dir, code, FileKind::Html);
    write_patient(store, &context, code, None, &path, FileKind::Html)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_decides_the_kind_and_png_says_why_it_is_refused() {
        let all = [FileKind::Html, FileKind::Svg, FileKind::Pdf];
        assert_eq!(
            FileKind::of(Path::new("a/P1.HTML"), &all, "--out").unwrap(),
            FileKind::Html
        );
        assert_eq!(
            FileKind::of(Path::new("x.pdf"), &all, "--out").unwrap(),
            FileKind::Pdf
        );
        let png = FileKind::of(Path::new("km.png"), &[FileKind::Svg], "--plot").unwrap_err();
        assert!(png.to_string().contains("PNG is not written"), "{png}");
        assert!(FileKind::of(Path::new("km"), &all, "--out").is_err());
        assert!(FileKind::of(Path::new("km.pdf"), &[FileKind::Svg], "--plot").is_err());
    }

    #[test]
    fn report_names_keep_only_safe_characters() {
        let path = report_path(Path::new("/tmp"), "../P 1", FileKind::Html);
        assert_eq!(path, Path::new("/tmp/___P_1-report.html"));
    }

    #[test]
    fn html_has_no_network_reference() {
        let scene = Scene::new(10.0, 10.0, "x");
        let page = html(&scene);
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(page.contains("size: A4 landscape"));
    }
}
