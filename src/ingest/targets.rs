//! Capture targets from a BED file (0-based start, exclusive end), as `bedtools` and samtools `-l` read them.

use super::vcf::normalize_contig;
use crate::error::{Error, Result};
use std::io::BufRead;
use std::path::Path;

/// One target interval of a BED file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// 1-based line number.
    pub line: u64,
    /// The contig as written.
    pub chrom_raw: String,
    /// The contig normalised (`chr14` → `14`).
    pub chrom: String,
    /// 0-based start (BED column 2).
    pub start: u64,
    /// Exclusive end (BED column 3); the target covers 1-based `start + 1 ..= end`.
    pub end: u64,
}

/// Reads a BED file from a path.
///
/// # Errors
/// [`Error::Io`] when unreadable, else as [`parse`].
pub fn read(path: &Path) -> Result<Vec<Target>> {
    let file = super::open_regular(path)?;
    parse(std::io::BufReader::new(file), path)
}

/// Parses BED text: `chrom start end [...]` per line (tab- or space-separated);
/// `#`, `track` and `browser` lines and blank lines are skipped. `path` only labels
/// errors.
///
/// # Errors
/// [`Error::Parse`] naming the line and column of a missing column, a coordinate
/// that is not a non-negative integer, or an end not after its start; an empty file.
pub fn parse(input: impl BufRead, path: &Path) -> Result<Vec<Target>> {
    let mut targets = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let number = index as u64 + 1;
        let line = line.map_err(|e| Error::parse(path, number, "record", e.to_string()))?;
        let trimmed = line.trim().trim_start_matches('\u{feff}').trim();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with("track")
            || trimmed.starts_with("browser")
        {
            continue;
        }
        let mut fields = trimmed.split(['\t', ' ']).filter(|f| !f.is_empty());
        let mut column = |name: &str| {
            fields.next().ok_or_else(|| {
                Error::parse(
                    path,
                    number,
                    name,
                    "missing (BED columns: chrom, start, end)",
                )
            })
        };
        let chrom = column("chrom")?.to_string();
        if targets.is_empty() {
            header_line(path, number, trimmed)?;
            if trimmed
                .split(['\t', ' '])
                .nth(1)
                .is_some_and(|f| super::column_key(f) == "chromstart")
            {
                continue;
            }
        }
        let coordinate = |text: &str, name: &str| {
            text.parse::<u64>().map_err(|_| {
                Error::parse(
                    path,
                    number,
                    name,
                    format!("'{text}' is not a BED coordinate (0, 1, ...)"),
                )
            })
        };
        let start = coordinate(column("start")?, "start")?;
        let end = coordinate(column("end")?, "end")?;
        if end <= start {
            return Err(Error::parse(
                path,
                number,
                "end",
                format!("{end} is not after the start {start} (BED ends are exclusive)"),
            ));
        }
        targets.push(Target {
            line: number,
            chrom: normalize_contig(&chrom),
            chrom_raw: chrom,
            start,
            end,
        });
    }
    if targets.is_empty() {
        return Err(Error::parse(
            path,
            1,
            "chrom",
            "no target intervals (BED lines: chrom, start, end)",
        ));
    }
    Ok(targets)
}

/// Refuses a first line that names `start` and `end` columns without a `#` (a table of
/// targets written by R or pandas, whose starts are 1-based as often as not:
/// ctDNAtools' `targets` are); UCSC's `chromStart chromEnd` header is BED's own.
fn header_line(path: &Path, number: u64, line: &str) -> Result<()> {
    let keys: Vec<String> = line
        .split(['\t', ' ', ','])
        .filter(|f| !f.is_empty())
        .map(super::column_key)
        .collect();
    match keys.get(1).map(String::as_str) {
        Some("start" | "begin" | "startposition" | "pos" | "position") => Err(Error::parse(
            path,
            number,
            "start",
            format!(
                "a header line ({}) is not BED: a table of targets with named columns, as R \
                 and pandas write one, may hold 1-based starts (ctDNAtools' targets do), and \
                 BED's are 0-based; write it as BED: starts 0-based (a 1-based start − 1), \
                 and no header line, or one starting with '#'",
                line.split_whitespace().collect::<Vec<_>>().join(" ")
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Vec<Target>> {
        parse(text.as_bytes(), Path::new("t.bed"))
    }

    #[test]
    fn bed_intervals_are_zero_based_half_open() {
        let t =
            parse_text("track name=x\n# c\nchr14\t106327421\t106328049\tIGH\n\n2 10 20\n").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].chrom.as_str(), t[0].start, t[0].end),
            ("14", 106327421, 106328049)
        );
        assert_eq!(t[0].line, 3);
        assert_eq!(t[1].chrom_raw, "2");
    }

    #[test]
    fn a_named_header_is_refused_as_of_unknown_base_and_a_bom_or_crlf_read() {
        let err = parse_text("chr\tstart\tend\nchr14\t106327422\t106328049\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "t.bed: line 1: field 'start': a header line (chr start end) is not BED"
            ),
            "{err}"
        );
        let t =
            parse_text("\u{feff}chrom\tchromStart\tchromEnd\r\nchr14\t106327421\t106328049\r\n")
                .unwrap();
        assert_eq!(
            (t[0].chrom.as_str(), t[0].start, t[0].line),
            ("14", 106327421, 2)
        );
        let t = parse_text("\u{feff}chr14\t106327421\t106328049\r\n").unwrap();
        assert_eq!(t[0].chrom_raw, "chr14");
        let t = parse_text("#chrom\tstart\tend\nchr14\t1\t2\n").unwrap();
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn bad_lines_name_line_and_column() {
        let err = parse_text("1\t10\n").unwrap_err().to_string();
        assert!(err.contains("t.bed: line 1: field 'end': missing"), "{err}");
        let err = parse_text("1\t10\t20\n1\tx\t20\n").unwrap_err().to_string();
        assert!(err.contains("line 2: field 'start'"), "{err}");
        let err = parse_text("1\t20\t20\n").unwrap_err().to_string();
        assert!(err.contains("field 'end': 20 is not after"), "{err}");
        assert!(parse_text("# nothing\n").is_err());
    }
}
