//! Structural-variant records of a VCF: symbolic alleles and breakends (VCF 4.3 §5.4) of each SV caller's dialect, parsed from the record's text and paired into events.
//!
//! Pure: [`parse_record`] reads one record's columns as text (the reader hands them
//! over), [`pair`] joins the two records of a breakend pair (MATEID, GRIDSS PARID) into
//! one [`SvCall`]. The support fields and allele fraction of each caller are those its
//! documentation defines (docs/formats.md, docs/methods.md). The number of records they
//! account for equals `bcftools view -H -i 'ALT~"<" || ALT~"\[" || ALT~"\]" || …'`
//! (tests/reference/sv/).

use super::caller::Caller;
use crate::model::{Breakpoint, Orientation, SvCall, SvKind, SvSides, SvSomatic};
use noodles::vcf;
use noodles::vcf::header::record::value::Collection;
use std::collections::HashMap;

/// A structural-variant caller whose VCF dialect oncotrack reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SvCaller {
    /// Manta: FORMAT PR and SR (ref, alt), INFO SOMATIC.
    Manta,
    /// GRIDSS: FORMAT VF (BVF for single breakends), REF, REFPAIR; MATEID or PARID.
    Gridss,
    /// Delly: FORMAT DR/DV (pairs) and RR/RV (junction reads); `<TRA>` with CHR2/END and CT.
    Delly,
    /// LUMPY: FORMAT SU, PE, SR (variant evidence only); SVTyper's RO/AO when genotyped.
    Lumpy,
    /// Sniffles (1 and 2): FORMAT DR (reference reads) and DV (variant reads).
    Sniffles,
    /// nanomonsv: FORMAT TR (reads around the breakpoints) and VR (variant reads).
    Nanomonsv,
    /// SvABA: FORMAT AD (variant reads), DP (depth), SR, DR.
    Svaba,
    /// Esvee (Hartwig): FORMAT AF, VF, REF, REFPAIR, SF, DF.
    Esvee,
    /// PURPLE's annotated SV VCF (GRIDSS or Esvee fields, INFO PURPLE_AF).
    Purple,
    /// VarDict(Java) SV records: FORMAT AF, VD, AD, DP; INFO SPLITREAD, SPANPAIR.
    VarDict,
    /// Unrecognised: FORMAT AF, else AD, else DR/DV.
    Generic,
}

impl SvCaller {
    /// The caller name stored with each SV call.
    pub fn as_str(self) -> &'static str {
        match self {
            SvCaller::Manta => "manta",
            SvCaller::Gridss => "gridss",
            SvCaller::Delly => "delly",
            SvCaller::Lumpy => "lumpy",
            SvCaller::Sniffles => "sniffles",
            SvCaller::Nanomonsv => "nanomonsv",
            SvCaller::Svaba => "svaba",
            SvCaller::Esvee => "esvee",
            SvCaller::Purple => "purple",
            SvCaller::VarDict => "vardict",
            SvCaller::Generic => "generic",
        }
    }

    /// Recognises the SV caller from the header: `##source=` (GenerateSVCandidates is
    /// Manta; LUMPY, Sniffles, nanomonsv, SvABA), `##gridssVersion`, `##esveeVersion`,
    /// `##purpleVersion`, Delly's `SVMETHOD` INFO line or its DR/DV/RR/RV FORMAT fields,
    /// SvABA's EVDNC/SCTG, Esvee's SVID/ASMID; a VarDict file is VarDict.
    pub fn detect(header: &vcf::Header, snv: Caller) -> SvCaller {
        let has_key = |key: &str| header.get(key).is_some();
        if has_key("purpleVersion") {
            return SvCaller::Purple;
        }
        if has_key("esveeVersion") {
            return SvCaller::Esvee;
        }
        if has_key("gridssVersion") {
            return SvCaller::Gridss;
        }
        if let Some(Collection::Unstructured(sources)) = header.get("source") {
            for source in sources {
                let source = source.to_ascii_lowercase();
                let found = [
                    ("generatesvcandidates", SvCaller::Manta),
                    ("manta", SvCaller::Manta),
                    ("gridss", SvCaller::Gridss),
                    ("delly", SvCaller::Delly),
                    ("lumpy", SvCaller::Lumpy),
                    ("sniffles", SvCaller::Sniffles),
                    ("nanomonsv", SvCaller::Nanomonsv),
                    ("svaba", SvCaller::Svaba),
                    ("esvee", SvCaller::Esvee),
                    ("vardict", SvCaller::VarDict),
                ]
                .into_iter()
                .find(|(name, _)| source.contains(name));
                if let Some((_, caller)) = found {
                    return caller;
                }
            }
        }
        if snv == Caller::VarDict {
            return SvCaller::VarDict;
        }
        let infos = header.infos();
        let formats = header.formats();
        let format = |k: &str| formats.contains_key(k);
        if infos.contains_key("SVMETHOD") || ["DR", "DV", "RR", "RV"].iter().all(|k| format(k)) {
            SvCaller::Delly
        } else if infos.contains_key("EVDNC") && infos.contains_key("SCTG") {
            SvCaller::Svaba
        } else if infos.contains_key("SVID") && infos.contains_key("ASMID") {
            SvCaller::Esvee
        } else if format("VF") && format("REFPAIR") {
            SvCaller::Gridss
        } else if format("TR") && format("VR") {
            SvCaller::Nanomonsv
        } else {
            SvCaller::Generic
        }
    }

    /// Whether the caller writes the matched normal's column first and the tumour's
    /// second (Manta's somatic VCF, GRIDSS's somatic filter, Esvee and PURPLE: reference
    /// then tumour), so that a two-column file names its tumour without `--sample`.
    pub fn normal_first(self) -> bool {
        matches!(
            self,
            SvCaller::Manta | SvCaller::Gridss | SvCaller::Esvee | SvCaller::Purple
        )
    }
}

impl std::fmt::Display for SvCaller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an ALT allele is, for the reader's choice of path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AltClass {
    /// A structural-variant allele: `<DEL>`, `<DUP>`, `<DUP:TANDEM>`, `<INV>`, `<INS>`,
    /// `<CNV>`, `<TRA>`, `<BND>` (and their subtypes, `<DEL:ME:ALU>` …), a breakend
    /// (`t[p[`, `t]p]`, `]p]t`, `[p[t`) or a single breakend (`G.`, `.G`).
    Sv,
    /// Another symbolic allele (`<CN2>` …): an SV record oncotrack does not read.
    OtherSymbolic,
    /// A reference block or unspecified allele of a gVCF (`<*>`, `<NON_REF>`, `<X>`):
    /// no variant, as before.
    Reference,
    /// Bases, `*` or `.`: the SNV/indel path.
    Plain,
}

/// Classifies one ALT allele.
pub fn classify(alt: &str) -> AltClass {
    if let Some(id) = alt.strip_prefix('<').and_then(|a| a.strip_suffix('>')) {
        let first = id.split(':').next().unwrap_or("");
        return match first.to_ascii_uppercase().as_str() {
            "DEL" | "DUP" | "INV" | "INS" | "CNV" | "TRA" | "BND" => AltClass::Sv,
            "*" | "NON_REF" | "X" => AltClass::Reference,
            _ => AltClass::OtherSymbolic,
        };
    }
    if alt.contains('[') || alt.contains(']') {
        return AltClass::Sv;
    }
    if alt.len() >= 2 && (alt.starts_with('.') || alt.ends_with('.')) {
        return AltClass::Sv;
    }
    AltClass::Plain
}

/// A breakend ALT, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakendAlt {
    /// Joined to a mate: `t[p[` (`+-`), `t]p]` (`++`), `]p]t` (`-+`), `[p[t` (`--`).
    Mate {
        /// The mate's position `p` (contig without `<>`, 0 for a telomere).
        mate: Breakpoint,
        /// Which sides are kept: this record's first.
        orientation: Orientation,
        /// Bases inserted at the junction (`t` less its reference base).
        inserted: usize,
    },
    /// A single breakend: `t.` keeps the bases at and before POS, `.t` those after.
    Single {
        /// `t.` (`+`).
        keeps_left: bool,
        /// Bases of `t` beyond the reference base.
        inserted: usize,
    },
}

fn is_bases(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            matches!(
                b.to_ascii_uppercase(),
                b'A' | b'C' | b'G' | b'T' | b'N' | b'.'
            )
        })
}

/// Parses a breakend ALT (VCF 4.3 §5.4): `t[p[`, `t]p]`, `]p]t`, `[p[t`, or `t.`/`.t`.
///
/// # Errors
/// A message saying what is wrong, to be given with the record and field `ALT`.
pub fn parse_breakend(alt: &str) -> Result<BreakendAlt, String> {
    let expected = "expected t[p[, t]p], ]p]t or [p[t with p = chrom:pos (VCF 4.3 §5.4), \
                    or a single breakend t. or .t";
    let opens = alt.matches('[').count();
    let closes = alt.matches(']').count();
    if opens == 0 && closes == 0 {
        let (keeps_left, t) = if let Some(t) = alt.strip_suffix('.') {
            (true, t)
        } else if let Some(t) = alt.strip_prefix('.') {
            (false, t)
        } else {
            return Err(format!("'{alt}' is not a breakend: {expected}"));
        };
        if !is_bases(t) || t.contains('.') {
            return Err(format!(
                "'{alt}' is not a single breakend: '{t}' is not a sequence of bases; {expected}"
            ));
        }
        return Ok(BreakendAlt::Single {
            keeps_left,
            inserted: t.len() - 1,
        });
    }
    let bracket = match (opens, closes) {
        (2, 0) => '[',
        (0, 2) => ']',
        _ => {
            return Err(format!(
                "'{alt}' is not a breakend: its two brackets must be the same, [ [ or ] ]; {expected}"
            ));
        }
    };
    let first = alt.find(bracket).unwrap_or(0);
    let second = alt[first + 1..]
        .find(bracket)
        .map_or(alt.len(), |i| first + 1 + i);
    let before = &alt[..first];
    let mate = &alt[first + 1..second.min(alt.len())];
    let after = alt.get(second + 1..).unwrap_or("");
    let t = match (before.is_empty(), after.is_empty()) {
        (false, true) => before,
        (true, false) => after,
        _ => {
            return Err(format!(
                "'{alt}' is not a breakend: the bases t must stand on one side of [p[ or ]p]; {expected}"
            ));
        }
    };
    if !is_bases(t) {
        return Err(format!(
            "'{alt}' is not a breakend: '{t}' is not a sequence of bases; {expected}"
        ));
    }
    let Some((chrom, pos)) = mate.rsplit_once(':') else {
        return Err(format!(
            "'{alt}' is not a breakend: the mate '{mate}' is not chrom:pos; {expected}"
        ));
    };
    let chrom = chrom
        .strip_prefix('<')
        .and_then(|c| c.strip_suffix('>'))
        .unwrap_or(chrom);
    if chrom.is_empty() {
        return Err(format!(
            "'{alt}' is not a breakend: the mate '{mate}' has no contig; {expected}"
        ));
    }
    let pos: u64 = pos.parse().map_err(|_| {
        format!("'{alt}' is not a breakend: the mate position '{pos}' is not a number; {expected}")
    })?;
    let orientation = match (before.is_empty(), bracket) {
        (false, '[') => Orientation::PlusMinus,
        (false, _) => Orientation::PlusPlus,
        (true, ']') => Orientation::MinusPlus,
        (true, _) => Orientation::MinusMinus,
    };
    Ok(BreakendAlt::Mate {
        mate: Breakpoint {
            chrom: chrom.to_string(),
            pos,
        },
        orientation,
        inserted: t.len().saturating_sub(1),
    })
}

/// One record's columns as text, as the reader hands them over.
#[derive(Debug, Clone, Copy)]
pub struct RecordText<'a> {
    /// 1-based data record number.
    pub record: u64,
    /// 1-based line number.
    pub line: u64,
    /// CHROM as written.
    pub chrom: &'a str,
    /// POS (0 for a telomeric breakend).
    pub pos: u64,
    /// ID (empty or `.` when missing).
    pub id: &'a str,
    /// REF.
    pub reference: &'a str,
    /// ALT (the whole column).
    pub alt: &'a str,
    /// QUAL.
    pub qual: Option<f64>,
    /// FILTER (`.` when missing).
    pub filter: &'a str,
    /// INFO (empty or `.` when missing).
    pub info: &'a str,
    /// FORMAT keys.
    pub keys: &'a [&'a str],
    /// The tumour sample's column.
    pub tumour: Option<&'a str>,
    /// The matched normal's column, when there is one.
    pub normal: Option<&'a str>,
}

/// Where a record's gene annotation is.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnnotationLayout {
    /// The header declares SnpEff's `ANN`.
    pub ann: bool,
    /// The column of `SYMBOL` in VEP's `CSQ`, when the header declares it.
    pub csq_symbol: Option<usize>,
}

/// Why a record gave no structural-variant end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvProblem {
    /// The record is left out of the calls and counted with this reason.
    LeftOut(String),
    /// The record is malformed: an error naming the record and this field.
    Invalid {
        /// The field at fault (`ALT`, `INFO/END`, `FORMAT/PR` …).
        field: String,
        /// What is wrong.
        message: String,
    },
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> SvProblem {
    SvProblem::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// One parsed record, before pairing.
#[derive(Debug, Clone, PartialEq)]
pub struct SvEnd {
    /// The call this record makes alone.
    pub call: SvCall,
    /// Its data record number.
    pub record: u64,
    /// Its ID, when it has one.
    pub id: Option<String>,
    /// The ID of its mate (MATEID, else GRIDSS's PARID), for a breakend.
    pub mate_id: Option<String>,
    /// The event it belongs to (`EVENT`, Esvee's `SVID`), for a breakend without a mate ID.
    pub event: Option<String>,
    /// The gene this record's annotation names (one partner of a pair).
    pub gene: Option<String>,
    /// A gene pair the annotation names itself (SnpEff `gene_fusion`: `EWSR1&FLI1`).
    pub fusion: Option<String>,
}

/// The INFO column as key/value pairs.
struct Info<'a>(Vec<(&'a str, Option<&'a str>)>);

impl<'a> Info<'a> {
    fn new(text: &'a str) -> Info<'a> {
        if text.is_empty() || text == "." {
            return Info(Vec::new());
        }
        Info(
            text.split(';')
                .filter(|f| !f.is_empty())
                .map(|f| match f.split_once('=') {
                    Some((k, v)) => (k, Some(v)),
                    None => (f, None),
                })
                .collect(),
        )
    }

    /// The value of `key` (`None` when absent, a flag, or `.`).
    fn get(&self, key: &str) -> Option<&'a str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| *v)
            .filter(|v| !v.is_empty() && *v != ".")
    }

    /// Whether the flag `key` is set.
    fn flag(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| *k == key)
    }

    /// An integer value of `key` (the first of a list).
    fn integer(&self, key: &str) -> Result<Option<i64>, SvProblem> {
        match self.get(key) {
            None => Ok(None),
            Some(text) => {
                let first = text.split(',').next().unwrap_or("");
                first.trim().parse::<i64>().map(Some).map_err(|_| {
                    invalid(format!("INFO/{key}"), format!("'{text}' is not an integer"))
                })
            }
        }
    }

    /// A position value of `key` (END).
    fn position(&self, key: &str) -> Result<Option<u64>, SvProblem> {
        match self.integer(key)? {
            None => Ok(None),
            Some(n) => u64::try_from(n).map(Some).map_err(|_| {
                invalid(
                    format!("INFO/{key}"),
                    format!("{n} is not a position (it must be 0 or more)"),
                )
            }),
        }
    }
}

/// One sample column with the record's FORMAT keys.
struct Sample<'a> {
    keys: &'a [&'a str],
    values: Vec<&'a str>,
    /// `tumour` or `matched normal`, for errors.
    role: &'static str,
}

impl<'a> Sample<'a> {
    fn new(keys: &'a [&'a str], column: &'a str, role: &'static str) -> Sample<'a> {
        Sample {
            keys,
            values: column.split(':').collect(),
            role,
        }
    }

    /// The raw value of `key`, `None` when absent or `.`.
    fn raw(&self, key: &str) -> Option<&'a str> {
        let i = self.keys.iter().position(|k| *k == key)?;
        self.values
            .get(i)
            .copied()
            .filter(|v| !v.is_empty() && *v != ".")
    }

    /// The `i`-th count of `key` (`None` when absent or `.`).
    fn count(&self, key: &str, i: usize) -> Result<Option<u32>, SvProblem> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        match text.split(',').nth(i) {
            None | Some(".") | Some("") => Ok(None),
            Some(value) => value.trim().parse::<u32>().map(Some).map_err(|_| {
                invalid(
                    format!("FORMAT/{key}"),
                    format!(
                        "'{text}' in the {} column is not a read count (a whole number 0 or more)",
                        self.role
                    ),
                )
            }),
        }
    }

    /// A fraction between 0 and 1 (`key`'s first value).
    fn fraction(&self, key: &str) -> Result<Option<f64>, SvProblem> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        let first = text.split(',').next().unwrap_or("");
        match first.trim().parse::<f64>() {
            Ok(v) if (0.0..=1.0).contains(&v) => Ok(Some(v)),
            _ => Err(invalid(
                format!("FORMAT/{key}"),
                format!(
                    "'{text}' in the {} column is not an allele fraction between 0 and 1",
                    self.role
                ),
            )),
        }
    }

    /// `KEY=value` of every key of `keys` the column gives, space-separated.
    fn written(&self, keys: &[&str]) -> String {
        keys.iter()
            .filter_map(|k| self.raw(k).map(|v| format!("{k}={v}")))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The support of one sample as the caller writes it.
#[derive(Debug, Clone, PartialEq)]
struct Support {
    text: String,
    alt: Option<u32>,
    reference: Option<u32>,
    af: Option<f64>,
    source: String,
}

fn ratio(alt: Option<u32>, reference: Option<u32>) -> Option<f64> {
    let (a, r) = (f64::from(alt?), f64::from(reference?));
    (a + r > 0.0).then(|| a / (a + r))
}

fn add(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

fn computed(
    text: String,
    alt: Option<u32>,
    reference: Option<u32>,
    source: &str,
    missing: &str,
) -> Support {
    let af = ratio(alt, reference);
    Support {
        text,
        alt,
        reference,
        source: if af.is_some() { source } else { missing }.to_string(),
        af,
    }
}

/// The support of `sample` for a record of `caller`: the fields each caller's
/// documentation defines and the allele fraction they give (docs/methods.md).
fn support(
    caller: SvCaller,
    sample: &Sample<'_>,
    info: &Info<'_>,
    single: bool,
) -> Result<Support, SvProblem> {
    const NONE: &str = "not computable: the record lacks the fields";
    Ok(match caller {
        SvCaller::Manta => {
            let alt = add(sample.count("PR", 1)?, sample.count("SR", 1)?);
            let reference = add(sample.count("PR", 0)?, sample.count("SR", 0)?);
            computed(
                sample.written(&["PR", "SR"]),
                alt,
                reference,
                "FORMAT/PR+SR alt/(ref+alt)",
                NONE,
            )
        }
        SvCaller::Gridss | SvCaller::Esvee | SvCaller::Purple => {
            let key = if single && sample.raw("BVF").is_some() {
                "BVF"
            } else {
                "VF"
            };
            let alt = sample.count(key, 0)?;
            let reference = add(sample.count("REF", 0)?, sample.count("REFPAIR", 0)?);
            let text = sample.written(&[key, "REF", "REFPAIR", "SR", "RP", "SF", "DF"]);
            if caller != SvCaller::Gridss
                && let Some(af) = sample.fraction("AF")?
            {
                return Ok(Support {
                    text,
                    alt,
                    reference,
                    af: Some(af),
                    source: "FORMAT/AF".into(),
                });
            }
            let mut support = computed(
                text,
                alt,
                reference,
                &format!("FORMAT/{key}/({key}+REF+REFPAIR)"),
                NONE,
            );
            if support.af.is_none()
                && let Some(purple) = info.get("PURPLE_AF")
            {
                let first = purple.split(',').next().unwrap_or("");
                match first.parse::<f64>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => {
                        support.af = Some(v);
                        support.source = "INFO/PURPLE_AF (purity-adjusted)".into();
                    }
                    _ => {
                        return Err(invalid(
                            "INFO/PURPLE_AF",
                            format!("'{purple}' is not an allele fraction between 0 and 1"),
                        ));
                    }
                }
            }
            support
        }
        SvCaller::Delly => {
            let text = sample.written(&["DR", "DV", "RR", "RV"]);
            if info.flag("PRECISE") {
                computed(
                    text,
                    sample.count("RV", 0)?,
                    sample.count("RR", 0)?,
                    "FORMAT/RV/(RR+RV) (precise: junction reads)",
                    NONE,
                )
            } else {
                computed(
                    text,
                    sample.count("DV", 0)?,
                    sample.count("DR", 0)?,
                    "FORMAT/DV/(DR+DV) (imprecise: read pairs)",
                    NONE,
                )
            }
        }
        SvCaller::Lumpy => {
            let text = sample.written(&["SU", "PE", "SR", "RO", "AO"]);
            if sample.raw("AO").is_some() {
                computed(
                    text,
                    sample.count("AO", 0)?,
                    sample.count("RO", 0)?,
                    "FORMAT/AO/(RO+AO) (SVTyper)",
                    NONE,
                )
            } else {
                Support {
                    text,
                    alt: sample.count("SU", 0)?,
                    reference: None,
                    af: None,
                    source: "not computable: LUMPY counts the variant's evidence only (SU, PE, SR)"
                        .into(),
                }
            }
        }
        SvCaller::Sniffles => {
            let text = sample.written(&["DR", "DV"]);
            let alt = sample.count("DV", 0)?;
            let reference = sample.count("DR", 0)?;
            if alt.is_none()
                && let Some(af) = info.get("AF")
            {
                let v = af.parse::<f64>().ok().filter(|v| (0.0..=1.0).contains(v));
                let Some(v) = v else {
                    return Err(invalid(
                        "INFO/AF",
                        format!("'{af}' is not an allele fraction between 0 and 1"),
                    ));
                };
                return Ok(Support {
                    text,
                    alt: None,
                    reference,
                    af: Some(v),
                    source: "INFO/AF".into(),
                });
            }
            computed(text, alt, reference, "FORMAT/DV/(DR+DV)", NONE)
        }
        SvCaller::Nanomonsv => {
            let text = sample.written(&["TR", "VR"]);
            let total = sample.count("TR", 0)?;
            let alt = sample.count("VR", 0)?;
            let reference = match (total, alt) {
                (Some(t), Some(a)) if a > t => {
                    return Err(invalid(
                        "FORMAT/VR",
                        format!(
                            "{a} variant reads of {t} reads (TR) in the {} column: VR cannot exceed TR",
                            sample.role
                        ),
                    ));
                }
                (Some(t), Some(a)) => Some(t - a),
                _ => None,
            };
            computed(text, alt, reference, "FORMAT/VR/TR", NONE)
        }
        SvCaller::Svaba => {
            let text = sample.written(&["AD", "DP", "SR", "DR"]);
            let alt = sample.count("AD", 0)?;
            let depth = sample.count("DP", 0)?;
            let reference = match (depth, alt) {
                (Some(d), Some(a)) => Some(d.saturating_sub(a)),
                _ => None,
            };
            computed(text, alt, reference, "FORMAT/AD/DP", NONE)
        }
        SvCaller::VarDict => {
            let mut text = sample.written(&["VD", "AD", "DP"]);
            for key in ["SPLITREAD", "SPANPAIR"] {
                if let Some(v) = info.get(key) {
                    text.push_str(&format!(" {key}={v}"));
                }
            }
            let alt = match sample.count("VD", 0)? {
                Some(n) => Some(n),
                None => sample.count("AD", 1)?,
            };
            let reference = sample.count("AD", 0)?;
            match sample.fraction("AF")? {
                Some(af) => Support {
                    text,
                    alt,
                    reference,
                    af: Some(af),
                    source: "FORMAT/AF".into(),
                },
                None => computed(text, alt, reference, "FORMAT/AD alt/(ref+alt)", NONE),
            }
        }
        SvCaller::Generic => {
            let text = sample.written(&["AF", "AD", "DR", "DV", "PR", "SR", "VF"]);
            if let Some(af) = sample.fraction("AF")? {
                Support {
                    text,
                    alt: sample.count("AD", 1)?,
                    reference: sample.count("AD", 0)?,
                    af: Some(af),
                    source: "FORMAT/AF".into(),
                }
            } else if sample.raw("AD").is_some() {
                computed(
                    text,
                    sample.count("AD", 1)?,
                    sample.count("AD", 0)?,
                    "FORMAT/AD alt/(ref+alt)",
                    NONE,
                )
            } else {
                computed(
                    text,
                    sample.count("DV", 0)?,
                    sample.count("DR", 0)?,
                    "FORMAT/DV/(DR+DV)",
                    NONE,
                )
            }
        }
    })
}

/// The sides of a symbolic allele: LUMPY/Sniffles `STRANDS`, Delly's `CT`, Manta's
/// `INV3`/`INV5`, else the type's own (`<DEL>` `+-`, `<DUP>` `-+`).
fn symbolic_sides(kind: SvKind, info: &Info<'_>) -> SvSides {
    if let Some(strands) = info.get("STRANDS")
        && let Some(pair) = strands.get(..2)
        && let Ok(o) = pair.parse::<Orientation>()
    {
        return SvSides::Pair(o);
    }
    if let Some(ct) = info.get("CT") {
        let o = match ct {
            "3to5" => Some(Orientation::PlusMinus),
            "5to3" => Some(Orientation::MinusPlus),
            "3to3" => Some(Orientation::PlusPlus),
            "5to5" => Some(Orientation::MinusMinus),
            _ => None,
        };
        if let Some(o) = o {
            return SvSides::Pair(o);
        }
    }
    if info.flag("INV3") {
        return SvSides::Pair(Orientation::PlusPlus);
    }
    if info.flag("INV5") {
        return SvSides::Pair(Orientation::MinusMinus);
    }
    match kind {
        SvKind::Deletion => SvSides::Pair(Orientation::PlusMinus),
        SvKind::Duplication | SvKind::TandemDuplication => SvSides::Pair(Orientation::MinusPlus),
        _ => SvSides::Unknown,
    }
}

/// The gene named by the record's `ANN` (SnpEff: `Gene_Name`, a pair `EWSR1&FLI1` for
/// `gene_fusion`/`bidirectional_gene_fusion`) or `CSQ` (VEP: `SYMBOL`): (gene, pair).
fn genes(info: &Info<'_>, layout: AnnotationLayout) -> (Option<String>, Option<String>) {
    let mut gene = None;
    if layout.ann
        && let Some(ann) = info.get("ANN")
    {
        for entry in ann.split(',') {
            let columns: Vec<&str> = entry.split('|').collect();
            let name = columns.get(3).copied().filter(|g| !g.is_empty());
            let effect = columns.get(1).copied().unwrap_or("");
            if effect.contains("gene_fusion")
                && let Some(name) = name
                && name.contains('&')
            {
                return (None, Some(name.replace('&', "-")));
            }
            if gene.is_none() {
                gene = name.map(|n| n.split('&').next().unwrap_or(n).to_string());
            }
        }
    }
    if gene.is_none()
        && let (Some(i), Some(csq)) = (layout.csq_symbol, info.get("CSQ"))
    {
        gene = csq
            .split(',')
            .filter_map(|entry| entry.split('|').nth(i))
            .find(|g| !g.is_empty())
            .map(str::to_string);
    }
    (gene, None)
}

/// Parses one structural-variant record of `caller`'s dialect.
///
/// # Errors
/// [`SvProblem::LeftOut`] for a record oncotrack does not read as an SV (counted with the
/// reason: several ALT alleles, another symbolic allele); [`SvProblem::Invalid`] for a
/// malformed one (a breakend ALT that does not parse, a non-numeric END or support field).
pub fn parse_record(
    caller: SvCaller,
    r: &RecordText<'_>,
    layout: AnnotationLayout,
) -> Result<SvEnd, SvProblem> {
    if r.alt.contains(',') {
        return Err(SvProblem::LeftOut(
            "a structural-variant record with several ALT alleles".into(),
        ));
    }
    let info = Info::new(r.info);
    let a = Breakpoint {
        chrom: r.chrom.to_string(),
        pos: r.pos,
    };
    let end = info.position("END")?;
    let length = info.integer("SVLEN")?;
    let (kind, b, sides, mate_id) =
        if let Some(id) = r.alt.strip_prefix('<').and_then(|a| a.strip_suffix('>')) {
            let upper = id.to_ascii_uppercase();
            let kind = match upper.split(':').next().unwrap_or("") {
                "DEL" => SvKind::Deletion,
                "DUP" if upper.starts_with("DUP:TANDEM") => SvKind::TandemDuplication,
                "DUP" => SvKind::Duplication,
                "INV" => SvKind::Inversion,
                "INS" => SvKind::Insertion,
                "CNV" => SvKind::CopyNumber,
                "TRA" => SvKind::Translocation,
                "BND" => SvKind::Breakend,
                _ => {
                    return Err(SvProblem::LeftOut(format!(
                        "symbolic allele <{id}> is not a structural-variant type oncotrack reads"
                    )));
                }
            };
            let partner_chrom = match kind {
                SvKind::Translocation | SvKind::Breakend => info.get("CHR2").unwrap_or(r.chrom),
                _ => r.chrom,
            };
            let b = end.map(|pos| Breakpoint {
                chrom: partner_chrom.to_string(),
                pos,
            });
            (kind, b, symbolic_sides(kind, &info), None)
        } else {
            match parse_breakend(r.alt).map_err(|m| invalid("ALT", m))? {
                BreakendAlt::Mate {
                    mate, orientation, ..
                } => {
                    let mate_id = info
                        .get("MATEID")
                        .or_else(|| info.get("PARID"))
                        .map(|m| m.split(',').next().unwrap_or(m).to_string());
                    (
                        SvKind::Breakend,
                        Some(mate),
                        SvSides::Pair(orientation),
                        mate_id,
                    )
                }
                BreakendAlt::Single { keeps_left, .. } => (
                    SvKind::SingleBreakend,
                    None,
                    SvSides::Single { keeps_left },
                    None,
                ),
            }
        };
    let single = kind == SvKind::SingleBreakend;
    let tumour = r.tumour.map(|t| Sample::new(r.keys, t, "tumour"));
    let measured = match &tumour {
        Some(sample) => support(caller, sample, &info, single)?,
        None => Support {
            text: String::new(),
            alt: None,
            reference: None,
            af: None,
            source: "not computable: no tumour sample column".into(),
        },
    };
    let somatic = somatic_status(caller, r, &info, single)?;
    let (gene, fusion) = genes(&info, layout);
    let id = Some(r.id).filter(|i| !i.is_empty() && *i != ".");
    let event = info
        .get("EVENT")
        .or_else(|| info.get("SVID"))
        .map(str::to_string);
    Ok(SvEnd {
        call: SvCall {
            kind,
            a,
            b,
            sides,
            length,
            ids: vec![id.unwrap_or(".").to_string()],
            lines: vec![r.line],
            filter: r.filter.to_string(),
            qual: r.qual,
            support: measured.text,
            alt_reads: measured.alt,
            ref_reads: measured.reference,
            af: measured.af,
            af_source: measured.source,
            somatic,
            genes: fusion.clone().or_else(|| gene.clone()),
        },
        record: r.record,
        id: id.map(str::to_string),
        mate_id,
        event,
        gene,
        fusion,
    })
}

/// The somatic status: `INFO/SOMATIC` (Manta, Delly), VarDict's `STATUS`, else the
/// matched normal's variant support (0: somatic; more: not), else not given.
fn somatic_status(
    caller: SvCaller,
    r: &RecordText<'_>,
    info: &Info<'_>,
    single: bool,
) -> Result<SvSomatic, SvProblem> {
    if info.flag("SOMATIC") {
        return Ok(SvSomatic::Yes("INFO/SOMATIC".into()));
    }
    if caller == SvCaller::VarDict
        && let Some(status) = info.get("STATUS")
    {
        let said = format!("STATUS={status}");
        return Ok(if matches!(status, "StrongSomatic" | "LikelySomatic") {
            SvSomatic::Yes(said)
        } else {
            SvSomatic::No(said)
        });
    }
    let Some(normal) = r.normal else {
        return Ok(SvSomatic::NotGiven);
    };
    let normal = Sample::new(r.keys, normal, "matched normal");
    Ok(match support(caller, &normal, info, single)?.alt {
        Some(0) => SvSomatic::Yes("0 variant reads in the matched normal".into()),
        Some(n) => SvSomatic::No(format!("{n} variant reads in the matched normal")),
        None => SvSomatic::NotGiven,
    })
}

/// Structural-variant calls of a file, paired.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paired {
    /// One call per event (a breakend pair is one call of two records).
    pub calls: Vec<SvCall>,
    /// Breakends whose mate is missing, named by record, line and ID.
    pub warnings: Vec<String>,
}

/// Joins the two records of each breakend pair into one call: a breakend whose MATEID
/// (or GRIDSS PARID) names another breakend of the file, which names it back (or names
/// nothing), makes one event with it, taken from the record that comes first (two
/// breakends without mate IDs that alone share an `EVENT` or Esvee `SVID` likewise); its
/// filter is `PASS` when both pass, else the failed filters of both. A breakend whose
/// mate is not in the file is kept as a call of its own (its ALT names the partner) and
/// a warning names it. Other records are calls of their own.
pub fn pair(ends: Vec<SvEnd>) -> Paired {
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (i, end) in ends.iter().enumerate() {
        if let Some(id) = &end.id {
            by_id.entry(id.as_str()).or_insert(i);
        }
    }
    let mut used = vec![false; ends.len()];
    let mut mates: Vec<Option<usize>> = vec![None; ends.len()];
    let mut warnings = Vec::new();
    for (i, end) in ends.iter().enumerate() {
        if used[i] || end.call.kind != SvKind::Breakend {
            continue;
        }
        let Some(mate_id) = &end.mate_id else {
            continue;
        };
        let found = by_id.get(mate_id.as_str()).copied().filter(|&j| {
            j != i
                && !used[j]
                && ends[j].call.kind == SvKind::Breakend
                && ends[j]
                    .mate_id
                    .as_deref()
                    .is_none_or(|m| Some(m) == end.id.as_deref())
        });
        match found {
            Some(j) => {
                used[i] = true;
                used[j] = true;
                mates[i] = Some(j);
            }
            None => warnings.push(format!(
                "line {}: record {} (ID {}): its mate {mate_id} (MATEID) is not a breakend of this file that names it back; kept as a breakend of its own (its ALT names the partner)",
                end.call.lines.first().copied().unwrap_or(0),
                end.record,
                end.id.as_deref().unwrap_or("."),
            )),
        }
    }
    // Breakends without mate IDs: the two of an EVENT (or SVID) that no other record shares.
    let mut by_event: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, end) in ends.iter().enumerate() {
        if let Some(event) = &end.event {
            by_event.entry(event.as_str()).or_default().push(i);
        }
    }
    for members in by_event.values() {
        if let [i, j] = members[..]
            && !used[i]
            && !used[j]
            && [i, j]
                .iter()
                .all(|&k| ends[k].call.kind == SvKind::Breakend && ends[k].mate_id.is_none())
        {
            used[i] = true;
            used[j] = true;
            mates[i.min(j)] = Some(i.max(j));
        }
    }
    let mut taken = vec![false; ends.len()];
    for j in mates.iter().flatten() {
        taken[*j] = true;
    }
    let mut calls = Vec::with_capacity(ends.len());
    for (i, end) in ends.iter().enumerate() {
        if taken[i] {
            continue;
        }
        let mut call = end.call.clone();
        if let Some(j) = mates[i] {
            let mate = &ends[j];
            call.ids.extend(mate.call.ids.iter().cloned());
            call.lines.extend(mate.call.lines.iter().copied());
            if !(call.passed() && mate.call.passed()) {
                let mut failed: Vec<&str> = call
                    .filter
                    .split(';')
                    .chain(mate.call.filter.split(';'))
                    .filter(|f| *f != "PASS" && *f != ".")
                    .collect();
                failed.dedup();
                let mut unique = Vec::new();
                for f in failed {
                    if !unique.contains(&f) {
                        unique.push(f);
                    }
                }
                call.filter = unique.join(";");
            }
            if call.qual.is_none() {
                call.qual = mate.call.qual;
            }
            if call.somatic == SvSomatic::NotGiven {
                call.somatic = mate.call.somatic.clone();
            }
            call.genes = end
                .fusion
                .clone()
                .or_else(|| mate.fusion.clone())
                .or_else(|| match (&end.gene, &mate.gene) {
                    (Some(a), Some(b)) if a != b => Some(format!("{a}-{b}")),
                    (Some(a), _) | (None, Some(a)) => Some(a.clone()),
                    (None, None) => None,
                });
        }
        calls.push(call);
    }
    Paired { calls, warnings }
}

#[cfg(test)]
mod tests;
