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

/// Names a header may give each column ([`super::column_key`]): ours and the `1`/`2`
/// forms of fusion callers' tables (`chrom1 pos1 chrom2 pos2`, `breakpoint1_pos`).
const NAMES: [&[&str]; 6] = [
    &["chroma", "chrom1", "chr1name", "chromosome1", "chromosomea"],
    &[
        "posa",
        "pos1",
        "position1",
        "positiona",
        "breakpoint1pos",
        "breakpointa",
    ],
    &["chromb", "chrom2", "chromosome2", "chromosomeb"],
    &[
        "posb",
        "pos2",
        "position2",
        "positionb",
        "breakpoint2pos",
        "breakpointb",
    ],
    &["orientation", "strands", "strand"],
    &["gene", "genes", "fusion", "fusionname", "genepair"],
];

/// Reads a fusions file: `chrom_a pos_a chrom_b pos_b [orientation gene]` per line
/// (positions 1-based: `pos_a` the last base kept on partner A, `pos_b` the first base
/// kept on partner B for the default orientation `+-`, as a VCF breakend `N[chr:pos[`
/// writes them), separated by tabs (or `,`, `;` or spaces, told from the first line). A
/// header line starting with `chrom_a` (or `#chrom_a`, `chrom1`) names the columns (any
/// order, any case; `chrom1 pos1 chrom2 pos2` too; others are ignored); `#` lines are
/// comments; an empty orientation is `+-`. A BOM, CRLF, gzip and Windows-1252 are read.
///
/// # Errors
/// [`Error::Parse`] naming the line and column of a missing column, a position that is
/// not a positive integer or an orientation that is not `++`, `+-`, `-+` or `--`; a
/// BEDPE header (0-based `start1 end1`: its base is not the breakpoints'); a junction
/// listed twice; a file with no junction.
pub fn read(path: &Path) -> Result<Vec<FusionRow>> {
    let lines = super::small_table(path)?;
    let mut columns: [Option<usize>; 6] = [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)];
    let mut rows: Vec<FusionRow> = Vec::new();
    let mut header = false;
    let mut seen = std::collections::HashMap::new();
    for (line, record) in &lines {
        let line = *line;
        let keys: Vec<String> = record.iter().map(|c| super::column_key(c)).collect();
        if !header && rows.is_empty() && keys.iter().any(|k| k == "start1" || k == "end1") {
            return Err(Error::parse(
                path,
                line,
                "start1",
                "a BEDPE header (chrom1 start1 end1 chrom2 start2 end2): BEDPE's 0-based \
                 intervals do not say which base is each breakpoint; write the junctions as \
                 chrom_a pos_a chrom_b pos_b (1-based breakpoints, as a VCF breakend \
                 N[chr:pos[ writes them)",
            ));
        }
        if !header && rows.is_empty() && keys.iter().any(|k| NAMES[0].contains(&k.as_str())) {
            header = true;
            for (slot, names) in columns.iter_mut().zip(NAMES) {
                *slot = keys.iter().position(|k| names.contains(&k.as_str()));
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
        let first = record.first().map_or("", String::as_str);
        if first.starts_with('#') {
            continue;
        }
        let cell = |i: usize| {
            columns[i]
                .and_then(|c| record.get(c))
                .map(String::as_str)
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
        let row = FusionRow {
            line,
            junction: Junction {
                a,
                b,
                orientation,
                genes: cell(5).map(str::to_string),
            },
        };
        let j = &row.junction;
        let key = (
            super::vcf::normalize_contig(&j.a.chrom),
            j.a.pos,
            super::vcf::normalize_contig(&j.b.chrom),
            j.b.pos,
            j.orientation.to_string(),
        );
        if let Some(first) = seen.insert(key, line) {
            return Err(Error::parse(
                path,
                line,
                "pos_a",
                format!(
                    "repeats the junction of line {first} ({row}): a junction listed twice would \
                     be counted twice; remove one"
                ),
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::parse(
            path,
            1,
            "record",
            "the file holds no junctions: each line needs chrom_a, pos_a, chrom_b and pos_b",
        ));
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
        // A header in any order, its first column not chrom_a.
        let rows = fusions("gene\tchrom_b\tpos_b\tchrom_a\tpos_a\nX-Y\t2\t20\t1\t10\n").unwrap();
        assert_eq!((rows[0].junction.a.pos, rows[0].junction.b.pos), (10, 20));
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
    fn fusion_tables_as_written_elsewhere_read_and_bedpe_empty_or_repeats_are_refused() {
        let rows = fusions(
            "\u{feff}#chrom1,pos1,chrom2,pos2,strands,fusion_name\r\nchr22,\"29,683,123\",chr11,128651853,+-,EWSR1-FLI1\r\n",
        )
        .unwrap();
        assert_eq!(rows[0].junction.a.pos, 29683123);
        assert_eq!(rows[0].junction.genes.as_deref(), Some("EWSR1-FLI1"));
        for (text, needle) in [
            (
                "chrom_a\tpos_a\tchrom_b\tpos_b\n",
                "line 1: field 'record': the file holds no junctions",
            ),
            ("# none\n", "the file holds no junctions"),
            (
                "chrom1\tstart1\tend1\tchrom2\tstart2\tend2\n22\t1\t2\t11\t3\t4\n",
                "line 1: field 'start1': a BEDPE header",
            ),
            (
                "chr22\t29683123\tchr11\t128651853\n22\t29683123\t11\t128651853\t+-\n",
                "line 2: field 'pos_a': repeats the junction of line 1",
            ),
        ] {
            let error = fusions(text).unwrap_err().to_string();
            assert!(error.contains(needle), "{error}\n  expected: {needle}");
        }
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
