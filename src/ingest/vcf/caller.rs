//! The somatic callers' VCF dialects: detection from the header and the allele fraction, alt and ref reads of each (DESIGN.md's table).

use super::{Position, SampleFields, Somatic};
use crate::error::Result;
use noodles::vcf;
use noodles::vcf::header::record::value::Collection;
use std::borrow::Cow;

/// A variant caller whose VCF dialect oncotrack reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// GATK Mutect2: FORMAT AF (Number=A) and AD (Number=R).
    Mutect2,
    /// MuTect 1: FORMAT FA and AD.
    Mutect1,
    /// Strelka (1 and 2): tier-1 `{REF}U`/`{ALT}U` for SNVs, TAR/TIR for indels.
    Strelka2,
    /// VarScan2: FREQ as a percent, RD ref reads, AD alt reads.
    VarScan2,
    /// VarDict(Java): FORMAT AF, AD (ref, alt) and VD.
    VarDict,
    /// freeBayes: AO (per ALT) and RO.
    FreeBayes,
    /// DeepVariant: FORMAT VAF (Number=A) and AD.
    DeepVariant,
    /// bcftools call: AD (Number=R).
    Bcftools,
    /// Unrecognised: FORMAT AF when present, else AD.
    Generic,
}

impl Caller {
    /// Every caller, in the order `--caller` lists them.
    pub const ALL: [Caller; 9] = [
        Caller::Mutect2,
        Caller::Mutect1,
        Caller::Strelka2,
        Caller::VarScan2,
        Caller::VarDict,
        Caller::FreeBayes,
        Caller::DeepVariant,
        Caller::Bcftools,
        Caller::Generic,
    ];

    /// The name stored with each call and accepted by `--caller`.
    pub fn as_str(self) -> &'static str {
        match self {
            Caller::Mutect2 => "mutect2",
            Caller::Mutect1 => "mutect1",
            Caller::Strelka2 => "strelka2",
            Caller::VarScan2 => "varscan2",
            Caller::VarDict => "vardict",
            Caller::FreeBayes => "freebayes",
            Caller::DeepVariant => "deepvariant",
            Caller::Bcftools => "bcftools",
            Caller::Generic => "generic",
        }
    }

    /// Recognises the caller from `##source=`, `##GATKCommandLine`, `##MuTect=`,
    /// `##bcftools_call*` lines, or else from its characteristic FORMAT fields.
    pub fn detect(header: &vcf::Header) -> Option<Caller> {
        if header.get("MuTect").is_some() {
            return Some(Caller::Mutect1);
        }
        if let Some(Collection::Structured(map)) = header.get("GATKCommandLine")
            && map.contains_key("Mutect2")
        {
            return Some(Caller::Mutect2);
        }
        if let Some(Collection::Unstructured(sources)) = header.get("source") {
            for source in sources {
                let source = source.to_ascii_lowercase();
                let found = [
                    ("mutect2", Caller::Mutect2),
                    ("strelka", Caller::Strelka2),
                    ("varscan", Caller::VarScan2),
                    ("vardict", Caller::VarDict),
                    ("freebayes", Caller::FreeBayes),
                    ("deepvariant", Caller::DeepVariant),
                    ("bcftools", Caller::Bcftools),
                ]
                .into_iter()
                .find(|(name, _)| source.contains(name));
                if let Some((_, caller)) = found {
                    return Some(caller);
                }
            }
        }
        if header
            .other_records()
            .keys()
            .any(|k| k.as_ref().starts_with("bcftools_call"))
        {
            return Some(Caller::Bcftools);
        }
        let formats = header.formats();
        let has = |k: &str| formats.contains_key(k);
        if has("VAF") {
            Some(Caller::DeepVariant)
        } else if has("VD") && has("AF") && has("AD") {
            Some(Caller::VarDict)
        } else if has("AO") && has("RO") {
            Some(Caller::FreeBayes)
        } else if has("TIR") || (has("AU") && has("CU") && has("GU") && has("TU")) {
            Some(Caller::Strelka2)
        } else if has("FREQ") && has("RD") {
            Some(Caller::VarScan2)
        } else {
            None
        }
    }
}

impl std::fmt::Display for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Caller {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Caller::ALL
            .into_iter()
            .find(|c| c.as_str() == lower)
            .ok_or_else(|| {
                format!(
                    "unknown caller (known: auto, {})",
                    Caller::ALL.map(Caller::as_str).join(", ")
                )
            })
    }
}

/// The tumour sample named in the header: `##tumor_sample=` (Mutect2) or
/// `tumor_sample_name=` inside MuTect1's `##MuTect=` line.
pub(super) fn tumor_sample_from_header(header: &vcf::Header) -> Option<String> {
    sample_from_header(header, "tumor")
}

/// The normal sample named in the header: `##normal_sample=` (Mutect2) or
/// `normal_sample_name=` inside MuTect1's `##MuTect=` line.
pub(super) fn normal_sample_from_header(header: &vcf::Header) -> Option<String> {
    sample_from_header(header, "normal")
}

/// The `role` (`tumor` or `normal`) sample the header names: `##{role}_sample=`
/// (Mutect2) or `{role}_sample_name=` inside MuTect1's `##MuTect=` line.
fn sample_from_header(header: &vcf::Header, role: &str) -> Option<String> {
    if let Some(Collection::Unstructured(values)) = header.get(format!("{role}_sample").as_str())
        && let Some(name) = values.first()
    {
        return Some(name.trim().to_string());
    }
    let key = format!("{role}_sample_name=");
    if let Some(Collection::Unstructured(values)) = header.get("MuTect") {
        for value in values {
            if let Some((_, rest)) = value.split_once(key.as_str()) {
                let name: String = rest
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                if !name.is_empty() {
                    return Some(name);
                }
            }
        }
    }
    None
}

/// The somatic status of a record as `caller` writes it:
/// - VarDict: INFO `STATUS`, somatic when `StrongSomatic` or `LikelySomatic`
///   (not `Germline`, `StrongLOH`, `LikelyLOH`, `AFDiff`, `SampleSpecific`,
///   `Deletion` ...);
/// - VarScan2: INFO `SS`, somatic when `2` (0 reference, 1 germline, 3 LOH, 5 unknown);
/// - Mutect2, MuTect1, Strelka2: somatic callers, whose germline and
///   normal-artefact filters already fail a record: somatic when FILTER is `PASS`
///   (a failed filter is checked apart; `.` means the calls were never filtered,
///   e.g. Mutect2 without FilterMutectCalls, and is not somatic evidence);
/// - the others (and a file without the field: tumour-only mode): not given.
pub(super) fn status(
    caller: Caller,
    header: &vcf::Header,
    record: &vcf::Record,
    filter: &str,
    at: &Position<'_>,
) -> Result<Somatic> {
    use noodles::vcf::variant::record::info::field::Value as InfoValue;
    let key = match caller {
        Caller::VarDict => "STATUS",
        Caller::VarScan2 => "SS",
        Caller::Mutect2 | Caller::Mutect1 | Caller::Strelka2 if filter == "." => {
            return Ok(Somatic::No(
                "FILTER . from a somatic caller: its calls were never filtered".into(),
            ));
        }
        Caller::Mutect2 => return Ok(Somatic::Yes("mutect2 (a somatic caller)".into())),
        Caller::Mutect1 => return Ok(Somatic::Yes("mutect1 (a somatic caller)".into())),
        Caller::Strelka2 => return Ok(Somatic::Yes("strelka2 (a somatic caller)".into())),
        _ => return Ok(Somatic::NotGiven),
    };
    let text = match record.info().get(header, key) {
        None | Some(Ok(None)) => return Ok(Somatic::NotGiven),
        Some(Err(e)) => return Err(at.error(&format!("INFO/{key}"), e)),
        Some(Ok(Some(InfoValue::String(s)))) => s.trim().to_string(),
        Some(Ok(Some(InfoValue::Integer(n)))) => n.to_string(),
        Some(Ok(Some(InfoValue::Character(c)))) => c.to_string(),
        Some(Ok(Some(_))) => {
            return Err(at.error(&format!("INFO/{key}"), "is not a status"));
        }
    };
    let somatic = match caller {
        Caller::VarDict => matches!(text.as_str(), "StrongSomatic" | "LikelySomatic"),
        _ => text == "2",
    };
    let said = Cow::Owned(format!("{key}={text}"));
    Ok(if somatic {
        Somatic::Yes(said)
    } else {
        Somatic::No(said)
    })
}

/// The numbers of one ALT allele in the tumour sample.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Counts {
    pub vaf: Option<f64>,
    pub source: Cow<'static, str>,
    pub alt: Option<u32>,
    pub reference: Option<u32>,
    /// REF plus every ALT's reads, when all are known (depth when DP is absent).
    pub total: Option<u32>,
}

/// VAF = alt / (ref + alt); `None` when both are zero or unknown.
fn ratio(alt: Option<u32>, reference: Option<u32>) -> Option<f64> {
    let (a, r) = (f64::from(alt?), f64::from(reference?));
    (a + r > 0.0).then(|| a / (a + r))
}

/// Sum of the first `n` elements of a count field, when all are present.
fn sum_counts(fields: &SampleFields<'_>, key: &str, n: usize) -> Result<Option<u32>> {
    let mut total = 0u32;
    for i in 0..n {
        match fields.count_at(key, i)? {
            Some(c) => total = total.saturating_add(c),
            None => return Ok(None),
        }
    }
    Ok(Some(total))
}

/// Counts from a Number=R AD field (ref first), with the caller's own fraction
/// field `af_key` (Number=A) when given and present.
fn from_ad(
    fields: &SampleFields<'_>,
    af_key: Option<&str>,
    index: usize,
    alts: usize,
) -> Result<Counts> {
    let reference = fields.count_at("AD", 0)?;
    let alt = fields.count_at("AD", index + 1)?;
    let total = sum_counts(fields, "AD", alts + 1)?;
    if let Some(key) = af_key
        && let Some(vaf) = fields.number_at(key, index)?
    {
        check_fraction(fields, key, vaf)?;
        return Ok(Counts {
            vaf: Some(vaf),
            source: match key {
                "AF" => Cow::Borrowed("FORMAT/AF"),
                "FA" => Cow::Borrowed("FORMAT/FA"),
                "VAF" => Cow::Borrowed("FORMAT/VAF"),
                other => Cow::Owned(format!("FORMAT/{other}")),
            },
            alt,
            reference,
            total,
        });
    }
    Ok(Counts {
        vaf: ratio(alt, reference),
        source: "FORMAT/AD alt/(ref+alt)".into(),
        alt,
        reference,
        total,
    })
}

fn check_fraction(fields: &SampleFields<'_>, key: &str, vaf: f64) -> Result<()> {
    if (0.0..=1.0).contains(&vaf) {
        Ok(())
    } else {
        Err(fields.error(
            key,
            format!("{vaf} is not an allele fraction between 0 and 1"),
        ))
    }
}

/// The allele fraction, alt, ref and total reads of ALT number `index` (0-based,
/// of `alts`) as `caller` writes them.
pub(super) fn extract(
    caller: Caller,
    fields: &SampleFields<'_>,
    index: usize,
    alts: usize,
    reference: &str,
    alt: &str,
) -> Result<Counts> {
    match caller {
        Caller::Mutect2 => from_ad(fields, Some("AF"), index, alts),
        Caller::Mutect1 => from_ad(fields, Some("FA"), index, alts),
        Caller::DeepVariant => from_ad(fields, Some("VAF"), index, alts),
        Caller::Bcftools => from_ad(fields, None, index, alts),
        Caller::Generic => {
            let af = fields.has("AF").then_some("AF");
            from_ad(fields, af, index, alts)
        }
        Caller::VarDict => {
            let mut counts = from_ad(fields, Some("AF"), index, alts)?;
            if counts.alt.is_none() {
                counts.alt = fields.count_at("VD", index)?;
            }
            Ok(counts)
        }
        Caller::FreeBayes => {
            let reference = fields.count_at("RO", 0)?;
            let alt = fields.count_at("AO", index)?;
            let total = match (reference, sum_counts(fields, "AO", alts)?) {
                (Some(r), Some(a)) => Some(r.saturating_add(a)),
                _ => None,
            };
            Ok(Counts {
                vaf: ratio(alt, reference),
                source: "FORMAT/AO/(RO+AO)".into(),
                alt,
                reference,
                total,
            })
        }
        Caller::VarScan2 => {
            let vaf = fields.percent("FREQ")?;
            let reference = fields.count_at("RD", 0)?;
            let alt = fields.count_at("AD", index)?;
            let total = match (reference, sum_counts(fields, "AD", alts)?) {
                (Some(r), Some(a)) => Some(r.saturating_add(a)),
                _ => None,
            };
            Ok(Counts {
                vaf: vaf.or_else(|| ratio(alt, reference)),
                source: Cow::Borrowed(if vaf.is_some() {
                    "FORMAT/FREQ"
                } else {
                    "FORMAT/AD/(RD+AD)"
                }),
                alt,
                reference,
                total,
            })
        }
        Caller::Strelka2 => {
            if fields.has("TIR") {
                // Indel: tier-1 (first) values of TAR (ref) and TIR (alt).
                let reference = fields.count_at("TAR", 0)?;
                let alt = fields.count_at("TIR", 0)?;
                return Ok(Counts {
                    vaf: ratio(alt, reference),
                    source: "tier1 TIR/(TAR+TIR)".into(),
                    alt,
                    reference,
                    total: match (reference, alt) {
                        (Some(r), Some(a)) => Some(r.saturating_add(a)),
                        _ => None,
                    },
                });
            }
            let ref_key = base_key(reference);
            let alt_key = base_key(alt);
            let (Some(ref_key), Some(alt_key)) = (ref_key, alt_key) else {
                return Err(fields.error(
                    "AU",
                    format!(
                        "Strelka SNV counts need single-base REF and ALT, found {reference}>{alt}"
                    ),
                ));
            };
            let reference = fields.count_at(&ref_key, 0)?;
            let alt_count = fields.count_at(&alt_key, 0)?;
            let mut total = Some(0u32);
            for key in ["AU", "CU", "GU", "TU"] {
                total = match (total, fields.count_at(key, 0)?) {
                    (Some(t), Some(c)) => Some(t.saturating_add(c)),
                    _ => None,
                };
            }
            Ok(Counts {
                vaf: ratio(alt_count, reference),
                source: Cow::Owned(format!("tier1 {alt_key}/({ref_key}+{alt_key})")),
                alt: alt_count,
                reference,
                total,
            })
        }
    }
}

/// The reads of ALT number `index` alone, as `caller` writes them ([`extract`]'s
/// alt reads without the fraction and totals): what the matched normal is read for.
pub(super) fn alt_reads(
    caller: Caller,
    fields: &SampleFields<'_>,
    index: usize,
    alt: &str,
) -> Result<Option<u32>> {
    match caller {
        Caller::Mutect2
        | Caller::Mutect1
        | Caller::DeepVariant
        | Caller::Bcftools
        | Caller::Generic => fields.count_at("AD", index + 1),
        Caller::VarDict => match fields.count_at("AD", index + 1)? {
            Some(n) => Ok(Some(n)),
            None => fields.count_at("VD", index),
        },
        Caller::FreeBayes => fields.count_at("AO", index),
        Caller::VarScan2 => fields.count_at("AD", index),
        Caller::Strelka2 if fields.has("TIR") => fields.count_at("TIR", 0),
        Caller::Strelka2 => match base_key(alt) {
            Some(key) => fields.count_at(&key, 0),
            None => Ok(None),
        },
    }
}

/// Strelka's per-base count field of a single base (`A` → `AU`).
fn base_key(allele: &str) -> Option<String> {
    let upper = allele.to_ascii_uppercase();
    matches!(upper.as_str(), "A" | "C" | "G" | "T").then(|| format!("{upper}U"))
}
