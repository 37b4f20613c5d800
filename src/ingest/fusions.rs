//! Fusion lists (TSV: chrom_a, pos_a, chrom_b, pos_b[, orientation, gene]) naming the junctions `count --fusions` counts in a BAM.

use crate::error::{Error, Result};
use crate::model::{Breakpoint, Junction, Orientation};
use std::path::Path;

/// One junction of a fusions file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FusionRow {
    /// 1-based line number (or the rank of a tracked fusion).
    pub line: u64,
    /// The junction, contigs as written.
    pub junction: Junction,
}

impl std::fmt::Display for FusionRow {
    /// The junction as written: `chr22:29683123-chr11:128651853 +-`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let j = &self.junction;
        write!(
            f,
            "{}:{}-{}:{} {}",
            j.a.chrom, j.a.pos, j.b.chrom, j.b.pos, j.orientation
        )
    }
}

/// The columns in file order when there is no header.
const COLUMNS: [&str; 6] = [
    "chrom_a",
    "pos_a",
    "chrom_b",
    "pos_b",
    "orientation",
    "gene",
];

/// Reads a tab-separated fusions file: `chrom_a pos_a chrom_b pos_b [orientation gene]`
/// per line (positions 1-based: `pos_a` the last base kept on partner A, `pos_b` the
/// first base kept on partner B for the default orientation `+-`, as a VCF breakend
/// `N[chr:pos[` writes them). A header line starting with `chrom_a` (or `#chrom_a`)
/// names the columns (any order, any case; others are ignored); `#` lines are comments;
/// an empty orientation is `+-`.
///
/// # Errors
/// [`Error::Parse`] naming the line and column of a missing column, a position that is
/// not a positive integer or an orientation that is not `++`, `+-`, `-+` or `--`.
pub fn read(path: &Path) -> Result<Vec<FusionRow>> {
    let file = super::open_regular(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(file));
    let mut columns: [Option<usize>; 6] = [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)];
    let mut rows = Vec::new();
    for (index, result) in reader.records().enumerate() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(index as u64 + 1, |p| p.line());
            Error::parse(path, line, "record", e.to_string())
        })?;
        let line = record.position().map_or(index as u64 + 1, |p| p.line());
        let first = record.get(0).unwrap_or("");
        if index == 0
            && first
                .trim_start_matches('#')
                .eq_ignore_ascii_case("chrom_a")
        {
            for (slot, name) in columns.iter_mut().zip(COLUMNS) {
                *slot = record
                    .iter()
                    .position(|c| c.trim_start_matches('#').eq_ignore_ascii_case(name));
            }
            for (slot, name) in columns.iter().zip(COLUMNS).take(4) {
                if slot.is_none() {
                    return Err(Error::parse(
                        path,
                        line,
                        name,
                        "the header lacks this column (columns: chrom_a, pos_a, chrom_b, pos_b[, orientation, gene])",
                    ));
                }
            }
            continue;
        }
        if first.starts_with('#') || record.iter().all(str::is_empty) {
            continue;
        }
        let cell = |i: usize| {
            columns[i]
                .and_then(|c| record.get(c))
                .filter(|v| !v.is_empty())
        };
        let required = |i: usize| {
            cell(i).ok_or_else(|| {
                Error::parse(
                    path,
                    line,
                    COLUMNS[i],
                    "missing (columns: chrom_a, pos_a, chrom_b, pos_b[, orientation, gene])",
                )
            })
        };
        let position = |i: usize| -> Result<u64> {
            let text = required(i)?;
            parse_position(text).ok_or_else(|| {
                Error::parse(
                    path,
                    line,
                    COLUMNS[i],
                    format!("'{text}' is not a position (1, 2, ...)"),
                )
            })
        };
        let a = Breakpoint {
            chrom: required(0)?.to_string(),
            pos: position(1)?,
        };
        let b = Breakpoint {
            chrom: required(2)?.to_string(),
            pos: position(3)?,
        };
        let orientation = match cell(4) {
            None => Orientation::PlusMinus,
            Some(text) => text
                .parse::<Orientation>()
                .map_err(|m| Error::parse(path, line, "orientation", m))?,
        };
        rows.push(FusionRow {
            line,
            junction: Junction {
                a,
                b,
                orientation,
                genes: cell(5).map(str::to_string),
            },
        });
    }
    Ok(rows)
}

/// A 1-based position (1 up to 2^31 − 1, the largest a BAM holds), or `None`.
pub fn parse_position(text: &str) -> Option<u64> {
    text.replace(',', "")
        .parse::<u64>()
        .ok()
        .filter(|p| (1..=i32::MAX as u64).contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fusions(text: &str) -> Result<Vec<FusionRow>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fusions.tsv");
        std::fs::write(&path, text).unwrap();
        read(&path)
    }

    #[test]
    fn header_names_columns_and_orientation_defaults_to_plus_minus() {
        let rows = fusions(
            "chrom_a\tpos_a\tchrom_b\tpos_b\torientation\tgene\nchr22\t29683123\tchr11\t128651853\t\tEWSR1-FLI1\nchr18\t23632000\tchrX\t48120000\t--\tSS18-SSX1\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].junction.orientation, Orientation::PlusMinus);
        assert_eq!(rows[0].junction.genes.as_deref(), Some("EWSR1-FLI1"));
        assert_eq!(rows[1].junction.orientation, Orientation::MinusMinus);
        assert_eq!(rows[1].junction.b.chrom, "chrX");
        let rows =
            fusions("gene\tchrom_b\tpos_b\tchrom_a\tpos_a\nX-Y\t2\t20\t1\t10\n").unwrap_err();
        assert!(rows.to_string().contains("line 1"), "{rows}");
        let rows = fusions("chrom_a\tgene\tpos_a\tchrom_b\tpos_b\n1\tX-Y\t10\t2\t20\n").unwrap();
        assert_eq!(rows[0].junction.genes.as_deref(), Some("X-Y"));
        assert_eq!(rows[0].junction.b.pos, 20);
    }

    #[test]
    fn without_header_columns_are_positional() {
        let rows = fusions("1\t10\t2\t20\n# comment\n1\t11\t2\t21\t++\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].junction.orientation, Orientation::PlusPlus);
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let err = fusions("1\t10\t2\tx\n").unwrap_err().to_string();
        assert!(err.contains("line 1: field 'pos_b'"), "{err}");
        let err = fusions("1\t10\t2\t20\t+\n").unwrap_err().to_string();
        assert!(err.contains("field 'orientation'"), "{err}");
        let err = fusions("1\t10\t2\n").unwrap_err().to_string();
        assert!(err.contains("field 'pos_b': missing"), "{err}");
        let err = fusions("1\t0\t2\t5\n").unwrap_err().to_string();
        assert!(err.contains("field 'pos_a'"), "{err}");
    }
}
