//! Tumour-informed MRD test of one blood draw, as ctDNAtools' `test_ctDNA` (Alkodsi et al.; after Newman et al. 2016): background rate, phased merging, black lists, Monte Carlo p-value.
//!
//! Pure functions over the read-level evidence of a BAM ([`crate::model::pileup`]):
//! - [`background_rate`] — `get_background_rate`: Σ non-reference / Σ depth over the
//!   target pileup, without positions whose non-reference fraction is ≥ the VAF
//!   threshold and without black-listed loci (or black-listed substitutions);
//! - [`merge_in_phase`] — `merge_mutations_in_phase`: reporters with one phasing id
//!   become one event; reads showing the ALT at one of them and the REF at another
//!   are removed; the background rate is scaled by 1 − the purification probability;
//! - [`positivity_p`] — `positivity_test`: alt_i ~ Binomial(depth_i, rate / 3) per
//!   simulation; a success when the simulated mean VAF and number of loci with ALT
//!   reads both reach the observed ones; p = (successes + 1) / (n + 1);
//! - [`background_panel`] and [`black_list`] — `create_background_panel` and
//!   `create_black_list` over normal samples.

use crate::model::MrdDecision;
use crate::model::pileup::{ReporterEvidence, SiteCounts, base_letter};
use rand::SeedableRng;
use rand_distr::{Binomial, Distribution};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A reporter (tumour-informed) SNV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    /// Contig, normalised.
    pub chrom: String,
    /// 1-based position.
    pub pos: u64,
    /// REF base index (0 A, 1 C, 2 G, 3 T).
    pub reference: usize,
    /// ALT base index.
    pub alt: usize,
    /// Phasing id: reporters with the same id sit on the same molecules.
    pub phasing: Option<String>,
}

impl Reporter {
    /// `chr:pos_REF_ALT` without the `chr` prefix, as ctDNAtools names a mutation.
    pub fn id(&self) -> String {
        format!(
            "{}:{}_{}_{}",
            self.chrom,
            self.pos,
            base_letter(self.reference),
            base_letter(self.alt)
        )
    }
}

/// Loci excluded from the background and reporters dropped from the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlackList {
    /// Whole positions (ctDNAtools `substitution_specific = FALSE`): (contig, pos).
    Loci(BTreeSet<(String, u64)>),
    /// Single substitutions (`substitution_specific = TRUE`): (contig, pos, ref, alt).
    Substitutions(BTreeSet<(String, u64, usize, usize)>),
}

impl BlackList {
    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            BlackList::Loci(s) => s.len(),
            BlackList::Substitutions(s) => s.len(),
        }
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the reporter is black-listed (ctDNAtools `filter_mutations`).
    pub fn contains(&self, r: &Reporter) -> bool {
        match self {
            BlackList::Loci(s) => s.contains(&(r.chrom.clone(), r.pos)),
            BlackList::Substitutions(s) => {
                s.contains(&(r.chrom.clone(), r.pos, r.reference, r.alt))
            }
        }
    }

    /// Entries as ctDNAtools writes them: `chrom_pos` or `chrom_pos_ref_alt`.
    pub fn entries(&self) -> Vec<String> {
        match self {
            BlackList::Loci(s) => s.iter().map(|(c, p)| format!("{c}_{p}")).collect(),
            BlackList::Substitutions(s) => s
                .iter()
                .map(|(c, p, r, a)| format!("{c}_{p}_{}_{}", base_letter(*r), base_letter(*a)))
                .collect(),
        }
    }
}

/// The reference base assumed at a target position: the reporter's REF where a
/// reporter sits, otherwise the most frequent base (the first of A, C, G, T on a
/// tie). ctDNAtools reads it from the genome; the two differ only where the sample
/// is not mostly the reference base, and such positions (non-reference fraction ≥
/// the VAF threshold under the genome's base) are excluded either way unless the
/// sample is homozygous for a non-reference base there.
pub fn reference_base(site: &SiteCounts, known: &HashMap<(String, u64), usize>) -> usize {
    if let Some(&r) = known.get(&(site.chrom.clone(), site.pos)) {
        return r;
    }
    let mut best = 0;
    for i in 1..4 {
        if site.bases[i] > site.bases[best] {
            best = i;
        }
    }
    best
}

/// The reporters' REF bases by position.
pub fn known_references(reporters: &[Reporter]) -> HashMap<(String, u64), usize> {
    reporters
        .iter()
        .map(|r| ((r.chrom.clone(), r.pos), r.reference))
        .collect()
}

/// Substitution classes, strand-collapsed, in ctDNAtools' order.
pub const CLASSES: [&str; 6] = ["CA", "CG", "CT", "TA", "TC", "TG"];

/// The background error rate of a sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Background {
    /// Σ non-reference / Σ depth over the positions kept (0 when none).
    pub rate: f64,
    /// Per substitution class (C>A with G>T, ... in [`CLASSES`] order); `None`
    /// without depth on that class's reference bases.
    pub by_class: [Option<f64>; 6],
    /// Positions kept.
    pub positions: usize,
    /// Σ depth over them.
    pub depth: u64,
    /// Σ non-reference bases over them.
    pub non_reference: u64,
}

/// How the background is computed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BackgroundOptions {
    /// Positions with non-reference fraction ≥ this are left out (ctDNAtools 0.1).
    pub vaf_threshold: f64,
    /// Also leave out the reporter positions (ctDNAtools keeps them).
    pub exclude_reporters: bool,
}

/// ctDNAtools' `get_background_rate` over a target pileup.
pub fn background_rate(
    sites: &[SiteCounts],
    reporters: &[Reporter],
    black_list: Option<&BlackList>,
    options: BackgroundOptions,
) -> Background {
    let known = known_references(reporters);
    let mut depth = 0u64;
    let mut non_reference = 0u64;
    let mut positions = 0usize;
    // Per reference base: depth and counts of each base.
    let mut by_ref = [[0u64; 5]; 4];
    for site in sites {
        let key = (site.chrom.clone(), site.pos);
        if options.exclude_reporters && known.contains_key(&key) {
            continue;
        }
        let reference = reference_base(site, &known);
        let mut bases = site.bases;
        if let Some(BlackList::Substitutions(list)) = black_list {
            for (alt, count) in bases.iter_mut().enumerate() {
                if alt != reference && list.contains(&(key.0.clone(), key.1, reference, alt)) {
                    *count = 0;
                }
            }
        }
        let d: u64 = bases.iter().map(|&n| u64::from(n)).sum();
        if d == 0 {
            continue;
        }
        let non = d - u64::from(bases[reference]);
        if non as f64 / d as f64 >= options.vaf_threshold {
            continue;
        }
        if let Some(BlackList::Loci(list)) = black_list
            && list.contains(&key)
        {
            continue;
        }
        positions += 1;
        depth += d;
        non_reference += non;
        by_ref[reference][4] += d;
        for (b, &n) in bases.iter().enumerate() {
            by_ref[reference][b] += u64::from(n);
        }
    }
    // (reference, alt) pairs of each class and its complement.
    const A: usize = 0;
    const C: usize = 1;
    const G: usize = 2;
    const T: usize = 3;
    let pairs = [
        ((C, A), (G, T)),
        ((C, G), (G, C)),
        ((C, T), (G, A)),
        ((T, A), (A, T)),
        ((T, C), (A, G)),
        ((T, G), (A, C)),
    ];
    let mut by_class = [None; 6];
    for (k, ((r1, a1), (r2, a2))) in pairs.into_iter().enumerate() {
        let d = by_ref[r1][4] + by_ref[r2][4];
        if d > 0 {
            by_class[k] = Some((by_ref[r1][a1] + by_ref[r2][a2]) as f64 / d as f64);
        }
    }
    Background {
        rate: if depth > 0 {
            non_reference as f64 / depth as f64
        } else {
            0.0
        },
        by_class,
        positions,
        depth,
        non_reference,
    }
}

/// One event of the test: a reporter, or reporters merged in phase.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The phasing id, or the reporter's id.
    pub id: String,
    /// Indexes of the reporters it holds.
    pub reporters: Vec<usize>,
    /// Reads showing REF.
    pub ref_reads: u32,
    /// Reads showing ALT.
    pub alt_reads: u32,
    /// Reads covering more than one of its reporters (merged events only).
    pub multi_mutation_reads: u32,
    /// Reads showing the ALT of more than one of its reporters (merged events only).
    pub multi_support: u32,
}

impl Event {
    /// REF + ALT reads.
    pub fn depth(&self) -> u32 {
        self.ref_reads + self.alt_reads
    }

    /// ALT / depth, `None` at depth 0.
    pub fn vaf(&self) -> Option<f64> {
        let d = self.depth();
        (d > 0).then(|| f64::from(self.alt_reads) / f64::from(d))
    }
}

/// Reporters merged in phase (ctDNAtools `merge_mutations_in_phase`).
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// One event per phasing id (a reporter without one is its own event), in the
    /// order the ids first appear.
    pub events: Vec<Event>,
    /// Σ reads covering more than one reporter of an event / Σ reads of the events.
    pub purification: f64,
    /// Σ multi-support reads.
    pub multi_support: u32,
}

fn unique(names: &[u32]) -> Vec<u32> {
    let mut seen = HashSet::new();
    names.iter().copied().filter(|n| seen.insert(*n)).collect()
}

/// Unique read names showing REF or ALT at any of `reporters` (ctDNAtools'
/// informative reads: mates share a name and count once).
pub fn informative_reads(evidence: &[&ReporterEvidence]) -> usize {
    let mut names = HashSet::new();
    for e in evidence {
        names.extend(e.ref_reads.iter().copied());
        names.extend(e.alt_reads.iter().copied());
    }
    names.len()
}

/// Merges the reporters that share a phasing id; `evidence[i]` belongs to
/// `reporters[i]`.
pub fn merge_in_phase(reporters: &[Reporter], evidence: &[&ReporterEvidence]) -> Merged {
    let mut order: Vec<String> = Vec::new();
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, r) in reporters.iter().enumerate() {
        let id = r.phasing.clone().unwrap_or_else(|| r.id());
        if !groups.contains_key(&id) {
            order.push(id.clone());
        }
        groups.entry(id).or_default().push(i);
    }
    let mut events = Vec::new();
    let (mut multi, mut all_total, mut support_total) = (0u64, 0u64, 0u32);
    for id in order {
        let members = groups.remove(&id).unwrap_or_default();
        // Per reporter, names are unique (as stackStringsFromBam + unique()).
        let mut refs = Vec::new();
        let mut alts = Vec::new();
        for &i in &members {
            if let Some(e) = evidence.get(i) {
                refs.extend(unique(&e.ref_reads));
                alts.extend(unique(&e.alt_reads));
            }
        }
        let mut times: HashMap<u32, u32> = HashMap::new();
        for &n in refs.iter().chain(&alts) {
            *times.entry(n).or_default() += 1;
        }
        let multi_mutation = times.values().filter(|&&t| t > 1).count() as u32;
        let all_reads = times.len() as u32;
        let ref_set: HashSet<u32> = refs.iter().copied().collect();
        let purified: Vec<u32> = alts.into_iter().filter(|n| !ref_set.contains(n)).collect();
        let mut alt_times: HashMap<u32, u32> = HashMap::new();
        for &n in &purified {
            *alt_times.entry(n).or_default() += 1;
        }
        let multi_support = alt_times.values().filter(|&&t| t > 1).count() as u32;
        multi += u64::from(multi_mutation);
        all_total += u64::from(all_reads);
        support_total += multi_support;
        events.push(Event {
            id,
            reporters: members,
            ref_reads: ref_set.len() as u32,
            alt_reads: alt_times.len() as u32,
            multi_mutation_reads: multi_mutation,
            multi_support,
        });
    }
    Merged {
        events,
        purification: if all_total > 0 {
            multi as f64 / all_total as f64
        } else {
            0.0
        },
        multi_support: support_total,
    }
}

/// Mean VAF over the loci with depth (ALT / depth), `None` when none has depth.
pub fn mean_vaf(depths: &[u32], alts: &[u32]) -> Option<f64> {
    let mut sum = 0.0;
    let mut n = 0usize;
    for (&d, &a) in depths.iter().zip(alts) {
        if d > 0 {
            sum += f64::from(a) / f64::from(d);
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f64)
}

/// The Monte Carlo p-value of ctDNAtools' `positivity_test`: in each of
/// `simulations` draws, alt_i ~ Binomial(depth_i, rate / 3) at every locus; a draw
/// succeeds when its mean VAF ≥ the observed one and its number of loci with ALT
/// reads ≥ the observed one; p = (successes + 1) / (simulations + 1). Seeded
/// (ChaCha8): the same input and seed give the same p. With no locus covered there
/// is no evidence either way and p = 1.
pub fn positivity_p(depths: &[u32], alts: &[u32], rate: f64, simulations: u32, seed: u64) -> f64 {
    let probabilities = vec![rate / 3.0; depths.len()];
    positivity_p_per_event(depths, alts, &probabilities, simulations, seed)
}

/// [`positivity_p`] with a probability of a background ALT per event: `rate / 3` for
/// an SNV (one of three substitutions), a fusion's own background rate for a junction
/// ([`add_fusions`]). With equal probabilities it is [`positivity_p`] draw for draw.
pub fn positivity_p_per_event(
    depths: &[u32],
    alts: &[u32],
    probabilities: &[f64],
    simulations: u32,
    seed: u64,
) -> f64 {
    let Some(observed_vaf) = mean_vaf(depths, alts) else {
        return 1.0;
    };
    let observed_nonzero = alts.iter().filter(|&&a| a > 0).count();
    let laws: Vec<Option<Binomial>> = depths
        .iter()
        .zip(probabilities)
        .map(|(&d, &p)| {
            let p = p.clamp(0.0, 1.0);
            let p = if p.is_finite() { p } else { 0.0 };
            Binomial::new(u64::from(d), p).ok()
        })
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut simulated = vec![0u32; depths.len()];
    let mut successes = 0u64;
    for _ in 0..simulations {
        for (x, law) in simulated.iter_mut().zip(&laws) {
            *x = law.as_ref().map_or(0, |l| l.sample(&mut rng) as u32);
        }
        let nonzero = simulated.iter().filter(|&&a| a > 0).count();
        if nonzero < observed_nonzero {
            continue;
        }
        if mean_vaf(depths, &simulated).is_some_and(|v| v >= observed_vaf) {
            successes += 1;
        }
    }
    (successes as f64 + 1.0) / (f64::from(simulations) + 1.0)
}

/// Options of the test (defaults: ctDNAtools').
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MrdOptions {
    /// Background positions with non-reference fraction ≥ this are left out (0.1).
    pub vaf_threshold: f64,
    /// Leave the reporter positions out of the background (ctDNAtools keeps them).
    pub exclude_reporters: bool,
    /// Merge reporters in phase (ctDNAtools' `ID_column`).
    pub merge_phased: bool,
    /// Monte Carlo simulations (10,000).
    pub simulations: u32,
    /// Seed of the simulations (123).
    pub seed: u64,
    /// Below this many informative reads the draw is undetermined (10,000).
    pub informative_threshold: u64,
    /// Positive when p < this (0.05).
    pub alpha: f64,
}

impl Default for MrdOptions {
    fn default() -> Self {
        MrdOptions {
            vaf_threshold: 0.1,
            exclude_reporters: false,
            merge_phased: false,
            simulations: 10_000,
            seed: 123,
            informative_threshold: 10_000,
            alpha: 0.05,
        }
    }
}

/// The result of the test of one draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MrdResult {
    /// Reporters tested (after the black list).
    pub n_mutations: usize,
    /// Reporters dropped because the black list holds them.
    pub n_filtered: usize,
    /// Events with at least one ALT read.
    pub n_nonzero: usize,
    /// Σ ALT reads over the events.
    pub alt_reads: u32,
    /// Mean VAF over the events with depth.
    pub mean_vaf: Option<f64>,
    /// The background of the sample, before the phasing adjustment.
    pub background: Background,
    /// The rate the simulations use (× (1 − purification) when merged in phase).
    pub background_rate: f64,
    /// Purification probability (merged in phase only).
    pub purification: Option<f64>,
    /// Unique reads showing REF or ALT at the tested reporters.
    pub informative_reads: usize,
    /// Reads supporting more than one phased ALT (merged in phase only).
    pub multi_support: Option<u32>,
    /// The Monte Carlo p-value (`None` when no reporter is left to test).
    pub p_value: Option<f64>,
    /// The call.
    pub decision: MrdDecision,
    /// Why the draw is undetermined, when it is.
    pub reason: Option<String>,
    /// The events tested (reporter indexes refer to the input).
    pub events: Vec<Event>,
}

/// ctDNAtools' `test_ctDNA` on one draw: `evidence[i]` is what the reads show at
/// `reporters[i]`, `sites` the target pileup.
pub fn test_mrd(
    reporters: &[Reporter],
    evidence: &[ReporterEvidence],
    sites: &[SiteCounts],
    black_list: Option<&BlackList>,
    options: &MrdOptions,
) -> MrdResult {
    let kept: Vec<usize> = (0..reporters.len())
        .filter(|&i| !black_list.is_some_and(|b| b.contains(&reporters[i])))
        .collect();
    let n_filtered = reporters.len() - kept.len();
    let background = background_rate(
        sites,
        reporters,
        black_list,
        BackgroundOptions {
            vaf_threshold: options.vaf_threshold,
            exclude_reporters: options.exclude_reporters,
        },
    );
    let tested: Vec<Reporter> = kept.iter().map(|&i| reporters[i].clone()).collect();
    let tested_evidence: Vec<&ReporterEvidence> =
        kept.iter().filter_map(|&i| evidence.get(i)).collect();
    let informative = informative_reads(&tested_evidence);
    let mut rate = background.rate;
    let (mut events, purification, multi_support) = if options.merge_phased {
        let merged = merge_in_phase(&tested, &tested_evidence);
        rate *= 1.0 - merged.purification;
        (
            merged.events,
            Some(merged.purification),
            Some(merged.multi_support),
        )
    } else {
        let events = tested
            .iter()
            .zip(&tested_evidence)
            .enumerate()
            .map(|(i, (r, e))| Event {
                id: r.id(),
                reporters: vec![i],
                ref_reads: e.bases[r.reference],
                alt_reads: e.bases[r.alt],
                multi_mutation_reads: 0,
                multi_support: 0,
            })
            .collect();
        (events, None, None)
    };
    for event in &mut events {
        for i in &mut event.reporters {
            *i = kept[*i];
        }
    }
    let depths: Vec<u32> = events.iter().map(Event::depth).collect();
    let alts: Vec<u32> = events.iter().map(|e| e.alt_reads).collect();
    let mut result = MrdResult {
        n_mutations: kept.len(),
        n_filtered,
        n_nonzero: alts.iter().filter(|&&a| a > 0).count(),
        alt_reads: alts.iter().sum(),
        mean_vaf: mean_vaf(&depths, &alts),
        background,
        background_rate: rate,
        purification,
        informative_reads: informative,
        multi_support,
        p_value: None,
        decision: MrdDecision::Undetermined,
        reason: None,
        events,
    };
    if kept.is_empty() {
        result.reason = Some(if reporters.is_empty() {
            "no reporter variants to test".into()
        } else {
            "every reporter variant is black-listed".into()
        });
        return result;
    }
    let p = positivity_p(&depths, &alts, rate, options.simulations, options.seed);
    result.p_value = Some(p);
    result.decision = if p < options.alpha {
        MrdDecision::Positive
    } else {
        MrdDecision::Negative
    };
    if (informative as u64) < options.informative_threshold {
        result.decision = MrdDecision::Undetermined;
        result.reason = Some(format!(
            "{informative} informative reads, fewer than the {} required",
            options.informative_threshold
        ));
    }
    result
}

/// A tracked fusion as one more reporter of the MRD test: its junction fragments
/// (split + discordant) out of its fragment depth (split + discordant + the mean
/// reference fragments, rounded), and the probability that a fragment at this
/// junction is a background (chimeric) junction fragment.
#[derive(Debug, Clone, PartialEq)]
pub struct FusionReporter {
    /// The fusion's label (gene pair and breakpoints).
    pub id: String,
    /// Junction fragments.
    pub fusion_fragments: u32,
    /// Fragment depth at the junction.
    pub depth: u32,
    /// Background junction fragments per fragment.
    pub rate: f64,
}

/// The background rate of a junction fragment at one patient's breakpoints
/// (docs/methods.md): library chimeras join random positions, so one that lands
/// within W bp of both breakpoints in the right orientation is far rarer than a
/// base error; 10⁻⁶ per fragment is a conservative bound.
pub const FUSION_BACKGROUND_RATE: f64 = 1e-6;

/// Adds tracked fusions to a draw's test as events of their own: each simulation
/// draws junction fragments ~ Binomial(depth, fusion rate) beside the SNV events'
/// Binomial(depth, rate / 3), and the success rule is unchanged (mean VAF over the
/// events and the number of events with ALT reads both reach the observed). The
/// fusion's fragments count as informative reads. No fusion: `result` unchanged.
pub fn add_fusions(
    mut result: MrdResult,
    fusions: &[FusionReporter],
    options: &MrdOptions,
) -> MrdResult {
    if fusions.is_empty() {
        return result;
    }
    let snv_probability = result.background_rate / 3.0;
    let mut probabilities: Vec<f64> = vec![snv_probability; result.events.len()];
    for f in fusions {
        let alt = f.fusion_fragments.min(f.depth);
        result.events.push(Event {
            id: f.id.clone(),
            reporters: Vec::new(),
            ref_reads: f.depth - alt,
            alt_reads: alt,
            multi_mutation_reads: 0,
            multi_support: 0,
        });
        probabilities.push(f.rate);
        result.informative_reads += f.depth as usize;
    }
    let depths: Vec<u32> = result.events.iter().map(Event::depth).collect();
    let alts: Vec<u32> = result.events.iter().map(|e| e.alt_reads).collect();
    result.n_nonzero = alts.iter().filter(|&&a| a > 0).count();
    result.alt_reads = alts.iter().sum();
    result.mean_vaf = mean_vaf(&depths, &alts);
    let p = positivity_p_per_event(
        &depths,
        &alts,
        &probabilities,
        options.simulations,
        options.seed,
    );
    result.p_value = Some(p);
    result.decision = if p < options.alpha {
        MrdDecision::Positive
    } else {
        MrdDecision::Negative
    };
    result.reason = None;
    if (result.informative_reads as u64) < options.informative_threshold {
        result.decision = MrdDecision::Undetermined;
        result.reason = Some(format!(
            "{} informative reads, fewer than the {} required",
            result.informative_reads, options.informative_threshold
        ));
    }
    result
}

/// Whether a black list holds whole positions or single substitutions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlackListKind {
    /// `chrom_pos`.
    Loci,
    /// `chrom_pos_ref_alt` (ctDNAtools' default).
    Substitutions,
}

/// One locus of a background panel and its values in each normal (`None`: not
/// covered there, or — per locus — non-reference fraction ≥ the panel's VAF
/// threshold).
#[derive(Debug, Clone, PartialEq)]
pub struct PanelLocus {
    /// Contig, normalised.
    pub chrom: String,
    /// 1-based position.
    pub pos: u64,
    /// (ref, alt) for a substitution locus.
    pub substitution: Option<(usize, usize)>,
    /// Depth per normal.
    pub depth: Vec<Option<u32>>,
    /// Non-reference (or ALT) reads per normal.
    pub alt: Vec<Option<u32>>,
    /// Their fraction per normal.
    pub vaf: Vec<Option<f64>>,
}

/// A panel locus: contig, position and (for substitutions) (ref, alt).
type PanelKey = (String, u64, Option<(usize, usize)>);

/// ctDNAtools' `create_background_panel`: every target locus of every normal's
/// pileup; `vaf_threshold` (0.05) blanks a position in a normal where its
/// non-reference fraction reaches it (per-locus panels only, as there).
pub fn background_panel(
    normals: &[Vec<SiteCounts>],
    kind: BlackListKind,
    vaf_threshold: f64,
) -> Vec<PanelLocus> {
    let n = normals.len();
    let mut rows: Vec<PanelLocus> = Vec::new();
    let mut index: HashMap<PanelKey, usize> = HashMap::new();
    let none = HashMap::new();
    for (s, sites) in normals.iter().enumerate() {
        for site in sites {
            let depth = site.depth();
            if depth == 0 {
                continue;
            }
            let reference = reference_base(site, &none);
            let mut put = |substitution: Option<(usize, usize)>, d: Option<u32>, a: Option<u32>| {
                let key = (site.chrom.clone(), site.pos, substitution);
                let row = *index.entry(key).or_insert_with(|| {
                    rows.push(PanelLocus {
                        chrom: site.chrom.clone(),
                        pos: site.pos,
                        substitution,
                        depth: vec![None; n],
                        alt: vec![None; n],
                        vaf: vec![None; n],
                    });
                    rows.len() - 1
                });
                rows[row].depth[s] = d;
                rows[row].alt[s] = a;
                rows[row].vaf[s] = match (a, d) {
                    (Some(a), Some(d)) if d > 0 => Some(f64::from(a) / f64::from(d)),
                    _ => None,
                };
            };
            match kind {
                BlackListKind::Substitutions => {
                    for alt in (0..4).filter(|&b| b != reference) {
                        put(Some((reference, alt)), Some(depth), Some(site.bases[alt]));
                    }
                }
                BlackListKind::Loci => {
                    let non = depth - site.bases[reference];
                    if f64::from(non) / f64::from(depth) >= vaf_threshold {
                        put(None, None, None);
                    } else {
                        put(None, Some(depth), Some(non));
                    }
                }
            }
        }
    }
    rows
}

/// The rules of ctDNAtools' `create_black_list`; `None` turns a rule off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlackListRules {
    /// Loci whose mean VAF over the normals is ≥ this quantile of all loci's (0.95;
    /// skipped when the quantile is 0).
    pub mean_vaf_quantile: Option<f64>,
    /// Loci with ≥ 1 ALT read in at least this many normals.
    pub min_samples_one_read: Option<usize>,
    /// Loci with ≥ 2 ALT reads in at least this many normals.
    pub min_samples_two_reads: Option<usize>,
}

impl BlackListRules {
    /// ctDNAtools' defaults for `normals` samples: quantile 0.95, one read in
    /// max(2, ⌈0.75 (n + 1)⌉) and two reads in max(2, ⌈0.2 (n + 1)⌉) normals (its
    /// defaults count the panel's locus column with the samples: n + 1).
    pub fn defaults(normals: usize) -> Self {
        let columns = (normals + 1) as f64;
        BlackListRules {
            mean_vaf_quantile: Some(0.95),
            min_samples_one_read: Some(((columns * 0.75).ceil() as usize).max(2)),
            min_samples_two_reads: Some(((columns * 0.2).ceil() as usize).max(2)),
        }
    }
}

/// R's default (type 7) quantile of sorted, finite values.
fn quantile7(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// ctDNAtools' `create_black_list` over a background panel.
pub fn black_list(panel: &[PanelLocus], kind: BlackListKind, rules: &BlackListRules) -> BlackList {
    let mut chosen = vec![false; panel.len()];
    if let Some(q) = rules.mean_vaf_quantile {
        let means: Vec<Option<f64>> = panel
            .iter()
            .map(|l| {
                let v: Vec<f64> = l.vaf.iter().flatten().copied().collect();
                (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
            })
            .collect();
        let mut sorted: Vec<f64> = means.iter().flatten().copied().collect();
        sorted.sort_by(f64::total_cmp);
        if let Some(cut) = quantile7(&sorted, q)
            && cut > 0.0
        {
            for (c, m) in chosen.iter_mut().zip(&means) {
                if m.is_some_and(|m| m >= cut) {
                    *c = true;
                }
            }
        }
    }
    for (rule, reads) in [
        (rules.min_samples_one_read, 1),
        (rules.min_samples_two_reads, 2),
    ] {
        if let Some(min) = rule {
            for (c, l) in chosen.iter_mut().zip(panel) {
                if l.alt.iter().flatten().filter(|&&a| a >= reads).count() >= min {
                    *c = true;
                }
            }
        }
    }
    let picked = panel
        .iter()
        .zip(&chosen)
        .filter(|(_, c)| **c)
        .map(|(l, _)| l);
    match kind {
        BlackListKind::Loci => BlackList::Loci(picked.map(|l| (l.chrom.clone(), l.pos)).collect()),
        BlackListKind::Substitutions => BlackList::Substitutions(
            picked
                .filter_map(|l| l.substitution.map(|(r, a)| (l.chrom.clone(), l.pos, r, a)))
                .collect(),
        ),
    }
}

/// A Monte Carlo p-value for reading: `= 0.034`, `= 2.50e-4`, or at its floor
/// 1 / (N + 1), where no simulation was as extreme as the draw, `≤ 1.00e-4 (none of
/// 10000 simulations as extreme)`: "p = 1.00e-4" would read as an estimate, when more
/// simulations would only have given a smaller number. Near the decision's level
/// `alpha` (`--alpha`) it keeps the decimals that leave it on its side: 500 of 10,001
/// is `= 0.049995` beside "positive" at α = 0.05, not `= 0.050`.
pub fn p_text(p: f64, simulations: u32, alpha: f64) -> String {
    let shown = if p < 1e-3 {
        format!("{p:.2e}")
    } else {
        let decimals = crate::analysis::response::decimals_against(p, 3, &[alpha]);
        format!("{p:.decimals$}")
    };
    let floor = 1.0 / (f64::from(simulations) + 1.0);
    if p <= floor * (1.0 + 1e-9) {
        format!("≤ {shown} (none of {simulations} simulations as extreme)")
    } else {
        format!("= {shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_p_value_just_under_alpha_is_not_printed_as_alpha_and_the_floor_is_a_bound() {
        // 500 of 10,001: positive at α = 0.05; "= 0.050" would read as not below it.
        assert_eq!(p_text(500.0 / 10_001.0, 10_000, 0.05), "= 0.049995");
        assert_eq!(p_text(0.034, 10_000, 0.05), "= 0.034");
        assert_eq!(
            p_text(1.0 / 10_001.0, 10_000, 0.05),
            "≤ 1.00e-4 (none of 10000 simulations as extreme)"
        );
    }
    use proptest::prelude::*;

    fn site(pos: u64, bases: [u32; 4]) -> SiteCounts {
        SiteCounts {
            chrom: "14".into(),
            pos,
            bases,
        }
    }

    fn reporter(pos: u64, reference: usize, alt: usize, phasing: Option<&str>) -> Reporter {
        Reporter {
            chrom: "14".into(),
            pos,
            reference,
            alt,
            phasing: phasing.map(str::to_string),
        }
    }

    const OPTS: BackgroundOptions = BackgroundOptions {
        vaf_threshold: 0.1,
        exclude_reporters: false,
    };

    #[test]
    fn background_is_non_reference_over_depth_without_noisy_positions() {
        let sites = [
            site(1, [99, 1, 0, 0]),  // A ref, 1 C: kept
            site(2, [0, 0, 50, 50]), // 50 % non-reference: left out
            site(3, [0, 0, 0, 100]), // clean T
            site(4, [0, 0, 0, 0]),   // no depth
        ];
        let bg = background_rate(&sites, &[], None, OPTS);
        assert_eq!((bg.positions, bg.depth, bg.non_reference), (2, 200, 1));
        assert!((bg.rate - 0.005).abs() < 1e-15);
        // A>C is the class T>G (complement): 1 / (A depth 100 + T depth 100).
        assert_eq!(bg.by_class[5], Some(0.005));
        assert_eq!(
            bg.by_class[0], None,
            "no C or G reference base: C>A unknown"
        );
    }

    #[test]
    fn reporter_positions_count_unless_excluded_and_use_their_ref() {
        // The reporter's REF is C although A is the majority: 60 % non-ref, left out.
        let sites = [site(1, [60, 40, 0, 0]), site(2, [0, 99, 0, 1])];
        let r = [reporter(1, 1, 0, None), reporter(2, 1, 3, None)];
        let bg = background_rate(&sites, &r, None, OPTS);
        assert_eq!((bg.positions, bg.non_reference), (1, 1));
        let bg = background_rate(
            &sites,
            &r,
            None,
            BackgroundOptions {
                exclude_reporters: true,
                ..OPTS
            },
        );
        assert_eq!(bg.positions, 0);
        assert_eq!(bg.rate, 0.0);
    }

    #[test]
    fn black_lists_remove_a_substitution_or_a_whole_position() {
        let sites = [site(1, [97, 2, 1, 0]), site(2, [100, 0, 0, 0])];
        let subs = BlackList::Substitutions([("14".to_string(), 1, 0, 1)].into());
        let bg = background_rate(&sites, &[], Some(&subs), OPTS);
        // C zeroed at position 1: depth 98 there, 1 non-reference.
        assert_eq!((bg.depth, bg.non_reference), (198, 1));
        let loci = BlackList::Loci([("14".to_string(), 1)].into());
        let bg = background_rate(&sites, &[], Some(&loci), OPTS);
        assert_eq!((bg.depth, bg.non_reference), (100, 0));
        assert!(subs.contains(&reporter(1, 0, 1, None)));
        assert!(!subs.contains(&reporter(1, 0, 2, None)));
        assert_eq!(subs.entries(), vec!["14_1_A_C".to_string()]);
    }

    #[test]
    fn phased_reporters_merge_and_purify_reads_that_show_ref_elsewhere() {
        // Two phased reporters: read 1 shows ALT at both (real), read 2 ALT at the
        // first but REF at the second (artefact: removed), read 3 REF at both; read
        // 4 only covers the first (REF). A third unphased reporter: read 5 ALT.
        let r = [
            reporter(10, 0, 1, Some("P")),
            reporter(20, 0, 1, Some("P")),
            reporter(30, 2, 3, None),
        ];
        let e = [
            ReporterEvidence {
                bases: [2, 2, 0, 0],
                ref_reads: vec![3, 4],
                alt_reads: vec![1, 2],
            },
            ReporterEvidence {
                bases: [2, 1, 0, 0],
                ref_reads: vec![2, 3],
                alt_reads: vec![1],
            },
            ReporterEvidence {
                bases: [0, 0, 0, 1],
                ref_reads: vec![],
                alt_reads: vec![5],
            },
        ];
        let refs: Vec<&ReporterEvidence> = e.iter().collect();
        let m = merge_in_phase(&r, &refs);
        assert_eq!(m.events.len(), 2);
        let p = &m.events[0];
        assert_eq!(p.id, "P");
        assert_eq!(
            (p.ref_reads, p.alt_reads),
            (3, 1),
            "REF {{2,3,4}}, ALT {{1}}"
        );
        assert_eq!(p.multi_mutation_reads, 3, "reads 1, 2, 3 cover both");
        assert_eq!(p.multi_support, 1, "read 1 supports both ALTs");
        assert_eq!(m.events[1].id, "14:30_G_T");
        // purification = 3 multi-mutation reads / (4 + 1) reads.
        assert!((m.purification - 0.6).abs() < 1e-15);
        assert_eq!(informative_reads(&refs), 5);
    }

    #[test]
    fn p_value_is_one_plus_successes_over_one_plus_n_and_seeded() {
        // No background at all: no simulation reaches one ALT read.
        assert_eq!(positivity_p(&[100, 100], &[1, 0], 0.0, 99, 1), 0.01);
        // Nothing observed: every simulation succeeds.
        assert_eq!(positivity_p(&[100, 100], &[0, 0], 0.01, 99, 1), 1.0);
        let a = positivity_p(&[500; 10], &[1, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0.003, 1000, 7);
        assert_eq!(
            a,
            positivity_p(&[500; 10], &[1, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0.003, 1000, 7)
        );
        assert!(a > 0.0 && a < 1.0, "{a}");
        assert_eq!(
            positivity_p(&[0, 0], &[0, 0], 0.1, 10, 1),
            1.0,
            "nothing covered"
        );
    }

    #[test]
    fn decision_follows_p_and_informative_reads() {
        let r = [reporter(1, 0, 1, None)];
        let e = [ReporterEvidence {
            bases: [995, 5, 0, 0],
            ref_reads: (0..995).collect(),
            alt_reads: (995..1000).collect(),
        }];
        let sites = [site(2, [100_000, 1, 0, 0])];
        let mut options = MrdOptions {
            informative_threshold: 100,
            simulations: 999,
            ..MrdOptions::default()
        };
        let res = test_mrd(&r, &e, &sites, None, &options);
        assert_eq!(res.decision, MrdDecision::Positive);
        assert_eq!(
            (res.n_nonzero, res.alt_reads, res.informative_reads),
            (1, 5, 1000)
        );
        assert_eq!(res.p_value, Some(0.001));
        options.informative_threshold = 10_000;
        let res = test_mrd(&r, &e, &sites, None, &options);
        assert_eq!(res.decision, MrdDecision::Undetermined);
        assert!(res.reason.unwrap().contains("1000 informative reads"));
        let list = BlackList::Loci([("14".to_string(), 1)].into());
        let res = test_mrd(&r, &e, &sites, Some(&list), &options);
        assert_eq!((res.n_mutations, res.n_filtered, res.p_value), (0, 1, None));
        assert_eq!(res.decision, MrdDecision::Undetermined);
    }

    #[test]
    fn a_fusion_is_one_more_event_with_its_own_background_rate() {
        let r = [reporter(1, 0, 1, None)];
        let e = [ReporterEvidence {
            bases: [1000, 0, 0, 0],
            ref_reads: (0..1000).collect(),
            alt_reads: Vec::new(),
        }];
        let sites = [site(2, [100_000, 30, 0, 0])];
        let options = MrdOptions {
            informative_threshold: 100,
            simulations: 999,
            ..MrdOptions::default()
        };
        let snv_only = test_mrd(&r, &e, &sites, None, &options);
        assert_eq!(snv_only.decision, MrdDecision::Negative);
        // No fusion: unchanged.
        assert_eq!(add_fusions(snv_only.clone(), &[], &options), snv_only);
        // Three junction fragments out of 120: no background simulation reaches them.
        let fusion = FusionReporter {
            id: "EWSR1-FLI1".into(),
            fusion_fragments: 3,
            depth: 120,
            rate: FUSION_BACKGROUND_RATE,
        };
        let with = add_fusions(snv_only.clone(), std::slice::from_ref(&fusion), &options);
        assert_eq!(with.decision, MrdDecision::Positive);
        assert_eq!(with.p_value, Some(0.001));
        assert_eq!(
            (
                with.events.len(),
                with.n_nonzero,
                with.alt_reads,
                with.informative_reads
            ),
            (2, 1, 3, 1120)
        );
        // No junction fragment: nothing to find.
        let none = FusionReporter {
            fusion_fragments: 0,
            ..fusion
        };
        let without = add_fusions(snv_only, &[none], &options);
        assert_eq!(without.decision, MrdDecision::Negative);
        // Equal probabilities are positivity_p draw for draw.
        assert_eq!(
            positivity_p_per_event(&[500, 800], &[1, 0], &[0.002 / 3.0; 2], 500, 9),
            positivity_p(&[500, 800], &[1, 0], 0.002, 500, 9)
        );
    }

    #[test]
    fn black_list_rules_follow_create_black_list() {
        let normals = vec![
            vec![
                site(1, [98, 2, 0, 0]),
                site(2, [100, 0, 0, 0]),
                site(3, [99, 1, 0, 0]),
            ],
            vec![
                site(1, [99, 1, 0, 0]),
                site(2, [100, 0, 0, 0]),
                site(3, [100, 0, 0, 0]),
            ],
        ];
        let panel = background_panel(&normals, BlackListKind::Loci, 0.05);
        assert_eq!(panel.len(), 3);
        assert_eq!(panel[0].alt, vec![Some(2), Some(1)]);
        let rules = BlackListRules {
            mean_vaf_quantile: None,
            min_samples_one_read: Some(2),
            min_samples_two_reads: None,
        };
        let list = black_list(&panel, BlackListKind::Loci, &rules);
        assert_eq!(list.entries(), vec!["14_1"]);
        let rules = BlackListRules {
            mean_vaf_quantile: Some(0.9),
            min_samples_one_read: None,
            min_samples_two_reads: None,
        };
        // Mean VAFs 0.015, 0, 0.005; the 90 % quantile is 0.013: only position 1.
        assert_eq!(
            black_list(&panel, BlackListKind::Loci, &rules).entries(),
            vec!["14_1"]
        );
        let panel = background_panel(&normals, BlackListKind::Substitutions, 0.05);
        assert_eq!(panel.len(), 9, "three substitutions per position");
        let rules = BlackListRules {
            mean_vaf_quantile: None,
            min_samples_one_read: None,
            min_samples_two_reads: Some(1),
        };
        let list = black_list(&panel, BlackListKind::Substitutions, &rules);
        assert_eq!(list.entries(), vec!["14_1_A_C"]);
        let d = BlackListRules::defaults(3);
        assert_eq!(
            (d.min_samples_one_read, d.min_samples_two_reads),
            (Some(3), Some(2))
        );
        assert_eq!(quantile7(&[0.0, 1.0, 2.0, 3.0], 0.5), Some(1.5));
    }

    proptest! {
        #[test]
        fn p_is_non_increasing_in_the_observed_alt_reads(
            loci in proptest::collection::vec((1u32..400, 0u32..6), 1..8),
            bump in 0usize..8,
            extra in 1u32..4,
            rate in 0.0f64..0.02,
            seed in 0u64..1000,
        ) {
            let depths: Vec<u32> = loci.iter().map(|l| l.0).collect();
            let alts: Vec<u32> = loci.iter().map(|l| l.1.min(l.0)).collect();
            let mut more = alts.clone();
            let i = bump % more.len();
            more[i] = (more[i] + extra).min(depths[i]);
            let p = positivity_p(&depths, &alts, rate, 300, seed);
            let q = positivity_p(&depths, &more, rate, 300, seed);
            prop_assert!(q <= p, "p {} -> {} after adding ALT reads", p, q);
        }
    }
}
