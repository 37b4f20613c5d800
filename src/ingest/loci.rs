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

/// Names a header may give each column, as [`super::column_key`] reads them: ours,
/// VCF's (`#CHROM POS REF ALT`), ctDNAtools' (`CHROM POS REF ALT PHASING`), MAF's
/// (`Chromosome Start_Position Reference_Allele Tumor_Seq_Allele2 Hugo_Symbol`), R's
/// GRanges and bedtools' (`seqnames start end`, `chrom start end`).
const CHROM: &[&str] = &[
    "chrom",
    "chr",
    "chromosome",
    "contig",
    "seqnames",
    "seqname",
    "seqid",
];
/// 1-based positions by their name (VCF's POS; MAF's Start_Position is 1-based).
const POS: &[&str] = &["pos", "position", "startposition", "vcfpos"];
/// Starts whose base the name does not say (BED and UCSC's are 0-based, R's and MAF's
/// 1-based): told from the end column, or refused.
const START: &[&str] = &["start", "begin"];
/// UCSC's names, which say 0-based half-open.
const START0: &[&str] = &["chromstart", "start0"];
const END: &[&str] = &["end", "stop", "endposition", "chromend"];
const REF: &[&str] = &[
    "ref",
    "reference",
    "referenceallele",
    "refallele",
    "refbase",
];
const ALT: &[&str] = &[
    "alt",
    "alternate",
    "altallele",
    "alternateallele",
    "tumorseqallele2",
    "altbase",
    "variant",
];
const GENE: &[&str] = &["gene", "hugosymbol", "genesymbol", "symbol", "genename"];
const PHASING: &[&str] = &["phasing", "phase", "phasingid"];

/// How a table's positions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// 1-based positions (VCF).
    One,
    /// 0-based starts (BED, UCSC).
    Zero,
    /// A start and an end whose difference tells: `end − start` is the REF length for
    /// 0-based half-open intervals (BED), one less for 1-based inclusive ones (MAF, R).
    BySpan,
}

/// Where each column of a loci table is.
#[derive(Debug, Clone)]
struct Layout {
    chrom: usize,
    pos: usize,
    end: Option<usize>,
    base: Base,
    reference: usize,
    alt: usize,
    gene: Option<usize>,
    phasing: Option<usize>,
}

const COLUMNS: &str = "chrom, pos, ref, alt[, gene, phasing]";

impl Layout {
    /// A table without a header: `chrom pos ref alt [gene]`, or `chrom start end ref alt
    /// [gene]` when the third column is a number (its base told from the span).
    fn positional(cells: &[String]) -> Layout {
        let ranged = cells.len() >= 5 && cells[2].bytes().all(|b| b.is_ascii_digit());
        if ranged {
            Layout {
                chrom: 0,
                pos: 1,
                end: Some(2),
                base: Base::BySpan,
                reference: 3,
                alt: 4,
                gene: Some(5),
                phasing: None,
            }
        } else {
            Layout {
                chrom: 0,
                pos: 1,
                end: None,
                base: Base::One,
                reference: 2,
                alt: 3,
                gene: Some(4),
                phasing: None,
            }
        }
    }

    /// The columns a header names, or `None` when the line is not a header (no column
    /// named as a contig is, or its second cell is a number).
    fn from_header(path: &Path, line: u64, cells: &[String]) -> Result<Option<Layout>> {
        let keys: Vec<String> = cells.iter().map(|c| super::column_key(c)).collect();
        let find = |names: &[&str]| keys.iter().position(|k| names.contains(&k.as_str()));
        let Some(chrom) = find(CHROM) else {
            return Ok(None);
        };
        if cells
            .get(1)
            .is_some_and(|c| super::fusions::parse_position(c).is_some())
        {
            return Ok(None);
        }
        let missing = |what: &str| {
            Error::parse(
                path,
                line,
                what,
                format!(
                    "the header names no {what} column (header: {}; columns: {COLUMNS})",
                    cells.join(", ")
                ),
            )
        };
        let end = find(END);
        let (pos, base) = if let Some(pos) = find(POS) {
            (pos, Base::One)
        } else if let Some(start) = find(START0) {
            (start, Base::Zero)
        } else if let Some(start) = find(START) {
            if end.is_none() {
                return Err(Error::parse(
                    path,
                    line,
                    &cells[start],
                    "does not say whether positions are 0-based (BED, bedtools, UCSC) or \
                     1-based (VCF, MAF, R): name the column 'pos' if they are 1-based, or give \
                     an 'end' column beside it so that the two can be told apart; nothing was \
                     read",
                ));
            }
            (start, Base::BySpan)
        } else {
            return Err(missing("pos"));
        };
        Ok(Some(Layout {
            chrom,
            pos,
            end: if base == Base::BySpan { end } else { None },
            base,
            reference: find(REF).ok_or_else(|| missing("ref"))?,
            alt: find(ALT).ok_or_else(|| missing("alt"))?,
            gene: find(GENE),
            phasing: find(PHASING),
        }))
    }
}

/// Reads a loci file: one variant per line, `chrom pos ref alt [gene]` (1-based `pos`),
/// separated by tabs (or `,`, `;` or spaces, told from the first line), with an optional
/// header naming the columns in any order, as real tools write them: `chrom pos ref alt`,
/// VCF's `#CHROM POS REF ALT`, ctDNAtools' `CHROM POS REF ALT PHASING`, MAF's
/// `Chromosome Start_Position … Reference_Allele Tumor_Seq_Allele2 Hugo_Symbol`, and
/// `gene` and `phasing` columns (any case; others are ignored; an empty cell is no
/// value). A `start` column (with no `pos`) is read only beside an `end` column, whose
/// difference says whether the starts are 0-based (BED: `end − start` = REF length) or
/// 1-based (one less); UCSC's `chromStart` is 0-based. Lines starting with `#` are
/// comments (a header may start with one); a BOM, CRLF, gzip and Windows-1252 are read.
///
/// # Errors
/// [`Error::Parse`] naming the line and column of a missing column, a position that is
/// not a positive integer, an allele that is not a base sequence (or two ALT alleles, or
/// an empty allele `-`), a start whose base cannot be told or that disagrees with an
/// earlier line, a locus listed twice; a file with no loci.
pub fn read(path: &Path) -> Result<Vec<LocusRow>> {
    let lines = super::small_table(path)?;
    let mut rows: Vec<LocusRow> = Vec::new();
    let mut layout: Option<Layout> = None;
    // The base a start–end table was found to have, and the line that showed it.
    let mut seen_base: Option<(Base, u64)> = None;
    let mut seen = std::collections::HashMap::new();
    for (index, (line, cells)) in lines.iter().enumerate() {
        let line = *line;
        if layout.is_none()
            && let Some(header) = Layout::from_header(path, line, cells)?
        {
            layout = Some(header);
            continue;
        }
        if cells[0].starts_with('#') {
            continue;
        }
        let layout = layout.get_or_insert_with(|| Layout::positional(cells));
        let column = |i: usize, name: &str| {
            cells
                .get(i)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    Error::parse(path, line, name, format!("missing (columns: {COLUMNS})"))
                })
        };
        let chrom = column(layout.chrom, "chrom")?;
        let pos_name = if layout.base == Base::One {
            "pos"
        } else {
            "start"
        };
        let pos_text = column(layout.pos, pos_name)?;
        let number = |text: &str, name: &str, least: u64| {
            super::fusions::parse_position(text)
                .or_else(|| (least == 0 && text == "0").then_some(0))
                .ok_or_else(|| {
                    Error::parse(
                        path,
                        line,
                        name,
                        format!(
                            "'{text}' is not a position ({least}, {}, ...){}",
                            least + 1,
                            if index == 0 {
                                "; if line 1 is a header, name its columns chrom, pos, ref, alt"
                            } else {
                                ""
                            }
                        ),
                    )
                })
        };
        let least = if layout.base == Base::One { 1 } else { 0 };
        let start = number(pos_text, pos_name, least)?;
        let mut alleles = Vec::new();
        for (i, name) in [(layout.reference, "ref"), (layout.alt, "alt")] {
            let allele = column(i, name)?;
            alleles.push(allele_of(path, line, name, allele)?);
        }
        let alt = alleles.pop().unwrap_or_default();
        let reference = alleles.pop().unwrap_or_default();
        if reference == alt {
            return Err(Error::parse(
                path,
                line,
                "alt",
                format!("'{alt}' is the REF allele: a locus needs an ALT that differs"),
            ));
        }
        let pos = match layout.base {
            Base::One => start,
            Base::Zero => start + 1,
            Base::BySpan => {
                let end_name = "end";
                let end = number(
                    column(layout.end.unwrap_or(usize::MAX), end_name)?,
                    end_name,
                    0,
                )?;
                let length = reference.len() as u64;
                let base = if end >= start && end - start == length {
                    Base::Zero
                } else if end >= start && end - start + 1 == length {
                    Base::One
                } else {
                    return Err(Error::parse(
                        path,
                        line,
                        end_name,
                        format!(
                            "end {end} − start {start} fits neither 0-based half-open (BED: \
                             {length}, the REF length) nor 1-based inclusive ({}) coordinates \
                             for REF '{reference}'",
                            length.saturating_sub(1)
                        ),
                    ));
                };
                let name = |b: Base| {
                    if b == Base::Zero {
                        "0-based (BED)"
                    } else {
                        "1-based"
                    }
                };
                match seen_base {
                    Some((earlier, at)) if earlier != base => {
                        return Err(Error::parse(
                            path,
                            line,
                            pos_name,
                            format!(
                                "reads as {} where line {at} read as {}: the file mixes \
                                 coordinate conventions; write every line alike",
                                name(base),
                                name(earlier)
                            ),
                        ));
                    }
                    Some(_) => {}
                    None => seen_base = Some((base, line)),
                }
                if base == Base::Zero { start + 1 } else { start }
            }
        };
        let row = LocusRow {
            line,
            chrom_raw: chrom.to_string(),
            locus: Locus {
                chrom: normalize_contig(chrom),
                pos,
                reference,
                alt,
            },
            gene: cell(cells, layout.gene),
            phasing: cell(cells, layout.phasing),
        };
        if let Some(first) = seen.insert(row.locus.clone(), line) {
            return Err(Error::parse(
                path,
                line,
                pos_name,
                format!(
                    "repeats the locus of line {first} ({row}): a locus listed twice would be \
                     counted twice (and weigh twice in the MRD test); remove one"
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
            "the file holds no loci: each line needs chrom, pos, ref and alt, tab-separated",
        ));
    }
    Ok(rows)
}

/// An allele cell as upper-case bases.
fn allele_of(path: &Path, line: u64, name: &str, allele: &str) -> Result<String> {
    if allele
        .bytes()
        .all(|b| matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N'))
    {
        return Ok(allele.to_ascii_uppercase());
    }
    let hint = if allele.contains(',') || allele.contains('/') {
        ": one ALT allele per line (write a line for each)"
    } else if matches!(allele, "-" | "." | "*") {
        ": an empty allele (as MAF and ANNOVAR write insertions and deletions); write the \
         VCF form, with the base before the event in both REF and ALT"
    } else {
        ""
    };
    Err(Error::parse(
        path,
        line,
        name,
        format!("'{allele}' is not a sequence of bases{hint}"),
    ))
}

fn cell(cells: &[String], column: Option<usize>) -> Option<String> {
    column
        .and_then(|i| cells.get(i))
        .filter(|v| !v.is_empty())
        .cloned()
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
            ("", "line 1: field '(file)': the file is empty"),
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

    fn bytes(data: &[u8]) -> Result<Vec<LocusRow>> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loci.tsv");
        std::fs::write(&path, data).unwrap();
        read(&path)
    }

    fn places(rows: &[LocusRow]) -> Vec<(String, u64, String, String)> {
        rows.iter()
            .map(|r| {
                let l = &r.locus;
                (l.chrom.clone(), l.pos, l.reference.clone(), l.alt.clone())
            })
            .collect()
    }

    #[test]
    fn headers_as_tools_write_them_and_every_separator_read_the_same_loci() {
        let expected = vec![
            (
                "14".to_string(),
                106327474,
                "C".to_string(),
                "G".to_string(),
            ),
            (
                "14".to_string(),
                106327649,
                "G".to_string(),
                "T".to_string(),
            ),
        ];
        for text in [
            "chrom\tpos\tref\talt\nchr14\t106327474\tC\tG\nchr14\t106327649\tG\tT\n",
            "\u{feff}CHROM\tPOS\tREF\tALT\tPHASING\r\nchr14\t106327474\tc\tg\t\r\nchr14\t106327649\tg\tt\tp1\r\n",
            "##source=x\n#CHROM\tPOS\tID\tREF\tALT\n14\t106327474\t.\tC\tG\n14\t106327649\t.\tG\tT\n",
            "chrom,pos,ref,alt\n\"chr14\",\"106327474\",\"C\",\"G\"\nchr14,106327649,G,T\n",
            "chrom;pos;ref;alt\nchr14;106327474;C;G\nchr14;106327649;G;T\n",
            "chr14 106327474 C G\nchr14  106327649 G T\n",
            "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\n\
             IGH\tchr14\t106327474\t106327474\tC\tG\nIGH\tchr14\t106327649\t106327649\tG\tT\n",
            // 0-based half-open (bedtools) and 1-based inclusive (R) starts, told by the span.
            "chrom\tstart\tend\tref\talt\nchr14\t106327473\t106327474\tC\tG\nchr14\t106327648\t106327649\tG\tT\n",
            "seqnames\tstart\tend\tREF\tALT\nchr14\t106327474\t106327474\tC\tG\nchr14\t106327649\t106327649\tG\tT\n",
            "chrom\tchromStart\tref\talt\nchr14\t106327473\tC\tG\nchr14\t106327648\tG\tT\n",
            "chr14\t106327473\t106327474\tC\tG\nchr14\t106327648\t106327649\tG\tT\n",
            "chrom\tpos\tref\talt\nchr14\t106,327,474\tC\tG\nchr14\t106327649\tG\tT\n",
        ] {
            let rows = loci(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(places(&rows), expected, "{text:?}");
        }
        let rows = loci("Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\nKIT\t4\t55599321\tA\tT\n").unwrap();
        assert_eq!(rows[0].gene.as_deref(), Some("KIT"));
        // Windows-1252 and gzip.
        let rows = bytes(b"chrom\tpos\tref\talt\tgene\n4\t5\tA\tC\tg\xe9ne\n").unwrap();
        assert_eq!(rows[0].gene.as_deref(), Some("géne"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, b"4\t5\tA\tC\n").unwrap();
        assert_eq!(bytes(&gz.finish().unwrap()).unwrap()[0].locus.pos, 5);
    }

    #[test]
    fn coordinates_whose_base_cannot_be_told_and_repeated_loci_are_refused() {
        for (text, needle) in [
            (
                "chrom\tstart\tref\talt\nchr14\t106327474\tC\tG\n",
                "line 1: field 'start': does not say whether positions are 0-based (BED, \
                 bedtools, UCSC) or 1-based (VCF, MAF, R)",
            ),
            (
                "chrom\tstart\tend\tref\talt\nchr14\t106327473\t106327474\tC\tG\nchr14\t106327649\t106327649\tG\tT\n",
                "line 3: field 'start': reads as 1-based where line 2 read as 0-based (BED): \
                 the file mixes coordinate conventions",
            ),
            (
                "chrom\tstart\tend\tref\talt\nchr14\t100\t110\tC\tG\n",
                "line 2: field 'end': end 110 − start 100 fits neither",
            ),
            (
                "chrom\tpos\tref\talt\tgene\nchr14\t10\tC\tG\tA\n14\t10\tc\tg\tB\n",
                "line 3: field 'pos': repeats the locus of line 2 (14 10 C>G): a locus listed \
                 twice would be counted twice",
            ),
            (
                "chrom\tpos\tref\talt\n1\t10\tC\tG,T\n",
                "'G,T' is not a sequence of bases: one ALT allele per line",
            ),
            (
                "chrom\tpos\tref\talt\n1\t10\t-\tT\n",
                "'-' is not a sequence of bases: an empty allele",
            ),
            (
                "chrom\tpos\tref\talt\n1\t10\tC\tC\n",
                "field 'alt': 'C' is the REF allele",
            ),
            (
                "chrom\tpos\tref\n1\t10\tC\n",
                "line 1: field 'alt': the header names no alt column",
            ),
            ("chrom\tpos\tref\talt\r\n\r\n", "the file holds no loci"),
        ] {
            let message = loci(text).unwrap_err().to_string();
            assert!(message.contains(needle), "{message}\n  expected: {needle}");
        }
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
