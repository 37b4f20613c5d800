//! Loci lists (TSV: chrom, pos, ref, alt[, gene]; a header may name `gene` and `phasing` columns) naming the variants to track, to count in a BAM or to test for MRD.

use super::vcf::{Locus, normalize_contig};
use crate::error::{Error, Result};
use std::path::Path;

/// One locus of a loci file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocusRow {
    /// 1-based line number.
    pub line: u64,
    /// The contig as written.
    pub chrom_raw: String,
    /// The variant (contig normalised).
    pub locus: Locus,
    /// Gene symbol, when given.
    pub gene: Option<String>,
    /// Phasing id (a `phasing` column): variants with the same id sit on the same
    /// molecules (ctDNAtools' `PHASING`).
    pub phasing: Option<String>,
}

impl std::fmt::Display for LocusRow {
    /// The locus as the file wrote it: `chr12 25245350 C>T`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}>{}",
            self.chrom_raw, self.locus.pos, self.locus.reference, self.locus.alt
        )
    }
}

/// Reads a tab-separated loci file: `chrom pos ref alt [gene]` per line, an
/// optional header line starting with `chrom` (or `#chrom`), `#` comment lines.
/// With a header, the columns after the fourth are found by name: `gene` and
/// `phasing` (any case; others are ignored), so ctDNAtools' mutation tables
/// (`CHROM POS REF ALT PHASING`) read as they are; an empty cell is no value.
///
/// # Errors
/// [`Error::Parse`] naming the line and column of a missing column, a position that
/// is not a positive integer, or an allele that is not a base sequence.
pub fn read(path: &Path) -> Result<Vec<LocusRow>> {
    let file = super::open_regular(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(std::io::BufReader::new(file));
    let mut rows = Vec::new();
    // Columns of gene and phasing: the fifth is the gene unless a header says otherwise.
    let (mut gene_column, mut phasing_column) = (Some(4), None);
    for (index, result) in reader.records().enumerate() {
        let record = result.map_err(|e| {
            let line = e.position().map_or(index as u64 + 1, |p| p.line());
            Error::parse(path, line, "record", e.to_string())
        })?;
        let line = record.position().map_or(index as u64 + 1, |p| p.line());
        if let Some(column) = record.iter().position(|c| c.contains('\n')) {
            return Err(Error::parse(
                path,
                line,
                "record",
                format!(
                    "column {} opens a quote (\") that does not close on its line: remove the quote or close it",
                    column + 1
                ),
            ));
        }
        let first = record.get(0).unwrap_or("");
        let is_header = index == 0 && first.trim_start_matches('#').eq_ignore_ascii_case("chrom");
        if is_header {
            let named = |name: &str| record.iter().position(|c| c.eq_ignore_ascii_case(name));
            gene_column = named("gene");
            phasing_column = named("phasing");
            continue;
        }
        if first.starts_with('#') || record.iter().all(str::is_empty) {
            continue;
        }
        let column = |i: usize, name: &str| {
            record.get(i).filter(|v| !v.is_empty()).ok_or_else(|| {
                Error::parse(
                    path,
                    line,
                    name,
                    "missing (columns: chrom, pos, ref, alt[, gene])",
                )
            })
        };
        let chrom = column(0, "chrom")?;
        let pos_text = column(1, "pos")?;
        let pos = pos_text
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| {
                Error::parse(
                    path,
                    line,
                    "pos",
                    format!("'{pos_text}' is not a position (1, 2, ...)"),
                )
            })?;
        let mut alleles = Vec::new();
        for (i, name) in [(2, "ref"), (3, "alt")] {
            let allele = column(i, name)?;
            if !allele
                .bytes()
                .all(|b| matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N'))
            {
                return Err(Error::parse(
                    path,
                    line,
                    name,
                    format!("'{allele}' is not a sequence of bases"),
                ));
            }
            alleles.push(allele.to_ascii_uppercase());
        }
        let alt = alleles.pop().unwrap_or_default();
        let reference = alleles.pop().unwrap_or_default();
        rows.push(LocusRow {
            line,
            chrom_raw: chrom.to_string(),
            locus: Locus {
                chrom: normalize_contig(chrom),
                pos,
                reference,
                alt,
            },
            gene: cell(&record, gene_column),
            phasing: cell(&record, phasing_column),
        });
    }
    if rows.is_empty() {
        return Err(Error::parse(
            path,
            1,
            "record",
            "the file holds no loci: each line needs chrom, pos, ref and alt, tab-separated",
        ));
    }
    Ok(rows)
}

fn cell(record: &csv::StringRecord, column: Option<usize>) -> Option<String> {
    column
        .and_then(|i| record.get(i))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loci(text: &str) -> Result<Vec<LocusRow>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loci.tsv");
        std::fs::write(&path, text).unwrap();
        read(&path)
    }

    #[test]
    fn a_file_without_loci_or_with_an_unclosed_quote_is_refused() {
        for (text, needle) in [
            ("", "line 1: field 'record': the file holds no loci"),
            (
                "chrom\tpos\tref\talt\n# none yet\n",
                "the file holds no loci",
            ),
            (
                "chrom\tpos\t\"\"\"\talt\nchr1\t10\tA\tC\n",
                "line 1: field 'record': column 3 opens a quote",
            ),
        ] {
            let message = loci(text).unwrap_err().to_string();
            assert!(message.contains(needle), "{message}");
        }
    }

    #[test]
    fn header_is_optional_and_contigs_are_normalised() {
        let rows = loci("chrom\tpos\tref\talt\tgene\nchr17\t7577120\tc\tt\tTP53\nchrM\t73\tA\tG\n")
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].locus.chrom, "17");
        assert_eq!(rows[0].locus.reference, "C");
        assert_eq!(rows[0].gene.as_deref(), Some("TP53"));
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].locus.chrom, "MT");
        assert_eq!(loci("1\t10\tA\tC\n").unwrap()[0].line, 1);
    }

    #[test]
    fn a_header_names_the_gene_and_phasing_columns() {
        let rows = loci(
            "CHROM\tPOS\tREF\tALT\tPHASING\nchr14\t106327474\tC\tG\t\nchr14\t106327869\tC\tA\t106327869_C_A\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].gene.as_deref(), rows[0].phasing.as_deref()),
            (None, None)
        );
        assert_eq!(rows[1].phasing.as_deref(), Some("106327869_C_A"));
        let rows = loci("chrom\tpos\tref\talt\tphasing\tgene\n1\t5\tA\tC\tp1\tKIT\n").unwrap();
        assert_eq!(
            (rows[0].gene.as_deref(), rows[0].phasing.as_deref()),
            (Some("KIT"), Some("p1"))
        );
        let rows = loci("1\t5\tA\tC\tKIT\n").unwrap();
        assert_eq!(
            (rows[0].gene.as_deref(), rows[0].phasing.as_deref()),
            (Some("KIT"), None)
        );
    }

    #[test]
    fn bad_position_and_allele_name_line_and_column() {
        let err = loci("1\t10\tA\tC\n1\tx\tA\tC\n").unwrap_err().to_string();
        assert!(err.contains("line 2: field 'pos'"), "{err}");
        let err = loci("1\t10\tA\tQ\n").unwrap_err().to_string();
        assert!(err.contains("line 1: field 'alt'"), "{err}");
        let err = loci("1\t10\tA\n").unwrap_err().to_string();
        assert!(err.contains("field 'alt': missing"), "{err}");
    }
}
