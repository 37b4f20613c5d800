//! Analyte names as multiplex panels print them, made canonical: one name per analyte whatever the vendor, spelling or combined form.
//!
//! The synonym table is built from the published panel lists of Bio-Rad Bio-Plex, Merck
//! Millipore MILLIPLEX, R&D Systems Luminex, Meso Scale Discovery (MSD) V-PLEX and Olink
//! Target 96 (docs/formats.md says where each list came from); the tests below read
//! every analyte of each panel.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Canonical names (ASCII, as panels print them) and their synonyms as written by the
/// vendors (gene symbols, combined and older names). Matching ignores case, spaces and
/// punctuation (see [`analyte_key`]); plain interleukins by number need no entry.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("IL-8", &["IL-8", "CXCL8", "IL-8 (HA)"]),
    ("IL-1a", &["IL-1a", "IL-1F1", "IL1A"]),
    ("IL-1b", &["IL-1b", "IL-1F2", "IL1B"]),
    ("IL-1Ra", &["IL-1Ra", "IL1RN", "IL-1F3", "IL-1RA"]),
    (
        "IL-2Ra",
        &["IL-2Ra", "IL-2R", "sIL-2Ra", "sIL-2R", "CD25", "sCD25"],
    ),
    ("IL-2Rb", &["IL-2RB", "IL2RB"]),
    ("IL-6R", &["IL-6R", "sIL-6R", "IL-6Ra"]),
    ("IL-10Ra", &["IL-10RA"]),
    ("IL-10Rb", &["IL-10RB"]),
    ("IL-15Ra", &["IL-15RA"]),
    ("IL-18R1", &["IL-18R1"]),
    ("IL-20Ra", &["IL-20RA"]),
    ("IL-22Ra1", &["IL-22 RA1", "IL-22RA1"]),
    (
        "IL-12p40",
        &["IL-12p40", "IL-12/IL-23p40", "IL-12B", "IL12B"],
    ),
    ("IL-12p70", &["IL-12p70", "IL-12/p70"]),
    ("IL-17A", &["IL-17A", "IL-17", "CTLA-8"]),
    ("IL-18", &["IL-18", "IL-1F4"]),
    ("IL-25", &["IL-25", "IL-17E"]),
    ("IL-28A", &["IL-28A", "IFN-l2", "IFNL2", "IFN-lambda2"]),
    ("IL-28B", &["IL-28B", "IFN-l3", "IFNL3"]),
    ("IL-29", &["IL-29", "IFN-l1", "IFNL1"]),
    ("IL-33", &["IL-33", "IL-1F11"]),
    ("TNF-a", &["TNF-a", "TNF", "TNFA", "TNFSF2"]),
    ("TNF-b", &["TNF-b", "TNFB", "LTA", "Lymphotoxin-a"]),
    ("IFN-g", &["IFN-g", "IFNG"]),
    ("IFN-a2", &["IFN-a2", "IFNA2"]),
    ("IP-10", &["IP-10", "CXCL10", "CRG-2"]),
    ("MCP-1", &["MCP-1", "CCL2", "MCAF", "JE"]),
    ("MCP-2", &["MCP-2", "CCL8"]),
    ("MCP-3", &["MCP-3", "CCL7"]),
    ("MCP-4", &["MCP-4", "CCL13"]),
    ("M-CSF", &["M-CSF", "CSF1", "CSF-1"]),
    ("GM-CSF", &["GM-CSF", "CSF2"]),
    ("G-CSF", &["G-CSF", "CSF3"]),
    ("MIG", &["MIG", "CXCL9"]),
    ("Eotaxin", &["Eotaxin", "Eotaxin-1", "CCL11"]),
    ("Eotaxin-2", &["Eotaxin-2", "CCL24"]),
    ("Eotaxin-3", &["Eotaxin-3", "CCL26"]),
    ("CXCL5", &["CXCL5", "ENA-78"]),
    ("CXCL6", &["CXCL6", "GCP-2"]),
    ("CXCL11", &["CXCL11", "I-TAC"]),
    ("CXCL12", &["CXCL12", "SDF-1", "SDF-1a"]),
    ("GRO-a", &["GRO-a", "CXCL1", "KC", "CINC-1"]),
    ("GRO-b", &["GRO-b", "CXCL2", "MIP-2", "CINC-3"]),
    ("GRO", &["GRO"]),
    ("MIF", &["MIF"]),
    ("CCL19", &["CCL19", "MIP-3b"]),
    ("CCL20", &["CCL20", "MIP-3a", "LARC"]),
    ("CCL23", &["CCL23", "MPIF-1"]),
    ("CCL25", &["CCL25", "TECK"]),
    ("CCL28", &["CCL28"]),
    ("MIP-1a", &["MIP-1a", "CCL3"]),
    ("MIP-1b", &["MIP-1b", "CCL4"]),
    ("RANTES", &["RANTES", "CCL5"]),
    ("MDC", &["MDC", "CCL22"]),
    ("TARC", &["TARC", "CCL17"]),
    ("CTACK", &["CTACK", "CCL27"]),
    ("Fractalkine", &["Fractalkine", "CX3CL1"]),
    ("VEGF-A", &["VEGF-A", "VEGF", "VEGFA"]),
    ("FGF-2", &["FGF-2", "FGF basic", "bFGF", "FGF2"]),
    ("FGF-5", &["FGF-5"]),
    ("FGF-19", &["FGF-19"]),
    ("FGF-21", &["FGF-21"]),
    ("FGF-23", &["FGF-23"]),
    ("PDGF-AA", &["PDGF-AA"]),
    ("PDGF-BB", &["PDGF-BB"]),
    ("PDGF-AB/BB", &["PDGF-AB/BB"]),
    ("EGF", &["EGF"]),
    ("TGF-a", &["TGF-a", "TGFA"]),
    ("LAP TGF-b1", &["LAP TGF-b1", "LAP TGF-beta-1"]),
    ("HGF", &["HGF"]),
    ("LIF", &["LIF"]),
    ("LIF-R", &["LIF-R", "LIFR"]),
    ("OSM", &["OSM", "Oncostatin M"]),
    ("SCF", &["SCF", "KITLG"]),
    ("SCGF-b", &["SCGF-b"]),
    ("NGF-b", &["NGF-b", "b-NGF", "Beta-NGF"]),
    ("Flt-3L", &["Flt-3L", "Flt3L", "Flt-3 Ligand", "FLT3LG"]),
    (
        "CD40L",
        &["CD40L", "sCD40L", "CD40 Ligand", "TNFSF5", "CD154"],
    ),
    ("CD40", &["CD40"]),
    ("TRAIL", &["TRAIL", "TNFSF10"]),
    ("TRANCE", &["TRANCE", "RANKL", "TNFSF11"]),
    ("TWEAK", &["TWEAK", "TNFSF12"]),
    ("TNFSF14", &["TNFSF14", "LIGHT"]),
    ("TNFRSF9", &["TNFRSF9", "4-1BB"]),
    ("OPG", &["OPG", "TNFRSF11B"]),
    ("PD-L1", &["PD-L1", "B7-H1", "CD274"]),
    ("uPA", &["uPA", "PLAU"]),
    ("TSLP", &["TSLP"]),
    ("Granzyme B", &["Granzyme B", "GZMB"]),
    ("CRP", &["CRP"]),
    ("GDNF", &["GDNF", "hGDNF"]),
    ("ARTN", &["ARTN"]),
    ("NRTN", &["NRTN"]),
    ("NT-3", &["NT-3"]),
    ("CD5", &["CD5"]),
    ("CD6", &["CD6"]),
    ("CD8A", &["CD8A"]),
    ("CD244", &["CD244"]),
    ("CDCP1", &["CDCP1"]),
    ("SLAMF1", &["SLAMF1"]),
    ("AXIN1", &["AXIN1"]),
    ("CST5", &["CST5"]),
    ("MMP-1", &["MMP-1"]),
    ("MMP-10", &["MMP-10"]),
    ("4E-BP1", &["4E-BP1"]),
    ("SIRT2", &["SIRT2"]),
    ("DNER", &["DNER"]),
    ("EN-RAGE", &["EN-RAGE", "S100A12"]),
    ("CASP-8", &["CASP-8"]),
    ("ST1A1", &["ST1A1"]),
    ("STAMBP", &["STAMBP"]),
    ("ADA", &["ADA"]),
];

/// The synonym table by matching key.
fn table() -> &'static HashMap<String, &'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::new();
        for (canonical, names) in SYNONYMS {
            map.insert(analyte_key(canonical), *canonical);
            for name in *names {
                map.insert(analyte_key(name), *canonical);
            }
        }
        map
    })
}

/// The canonical name of an analyte, or `None` when it is not in the table.
///
/// Matching ignores case, spaces, dots, dashes and underscores, reads Greek letters
/// and their names as `a`, `b`, `g`, `l`, and "Interleukin" as `IL`: IL-6 = IL6 = IL.6 =
/// "Interleukin 6"; TNF-α = TNFa = TNF.A = TNF-alpha. Gene symbols and older names map
/// to the names panels print (CXCL8 = IL-8, CXCL10 = IP-10, CCL2 = MCP-1, IL-17E =
/// IL-25, IFN-λ2 = IL-28A). A combined name (`CCL-20/MIP-3A`, `IL-1 beta/IL-1F2`,
/// `MCP-1 (MCAF)`) is one analyte when every part names the same one; Luminex bead
/// regions written after a name (`IL-6 (BR13) (13)`) are ignored. Canonical names are ASCII.
///
/// # Examples
/// ```
/// use oncotrack::ingest::cytokines::canonical_analyte;
/// assert_eq!(canonical_analyte("Interleukin 6").as_deref(), Some("IL-6"));
/// assert_eq!(canonical_analyte("TNF.A").as_deref(), Some("TNF-a"));
/// assert_eq!(canonical_analyte("CXCL10").as_deref(), Some("IP-10"));
/// assert_eq!(canonical_analyte("CCL-20/MIP-3A").as_deref(), Some("CCL20"));
/// assert_eq!(canonical_analyte("IL-17E/IL-25").as_deref(), Some("IL-25"));
/// assert_eq!(canonical_analyte("Zyxin"), None);
/// ```
pub fn canonical_analyte(name: &str) -> Option<String> {
    let name = without_bead_regions(name);
    if let Some(found) = single(&name) {
        return Some(found);
    }
    // A combined name: every part must name the same analyte.
    let parts: Vec<&str> = name
        .split(['/', '(', ')', ','])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() < 2 {
        return None;
    }
    let mut found: Option<String> = None;
    for part in parts {
        let canonical = single(part)?;
        match &found {
            Some(seen) if *seen != canonical => return None,
            _ => found = Some(canonical),
        }
    }
    found
}

/// One name (not combined) by the table or as an interleukin by number.
fn single(name: &str) -> Option<String> {
    let key = analyte_key(name);
    if key.is_empty() {
        return None;
    }
    if let Some(canonical) = table().get(&key) {
        return Some((*canonical).to_string());
    }
    // Interleukins by number: il6 -> IL-6, il17a -> IL-17A, il12p70 -> IL-12p70.
    let rest = key.strip_prefix("il")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number: u32 = digits.parse().ok()?;
    if !(1..=41).contains(&number) {
        return None;
    }
    let suffix = &rest[digits.len()..];
    match suffix {
        "" => Some(format!("IL-{number}")),
        "a" | "b" | "c" | "d" | "f" if number == 17 => {
            Some(format!("IL-{number}{}", suffix.to_ascii_uppercase()))
        }
        "p40" | "p70" if number == 12 => Some(format!("IL-{number}{suffix}")),
        _ => None,
    }
}

/// The name without Luminex bead-region labels: `IL-6 (BR13) (13)` → `IL-6`.
fn without_bead_regions(name: &str) -> String {
    let mut out = name.to_string();
    loop {
        let trimmed = out.trim_end();
        let Some(open) = trimmed.rfind('(') else {
            break;
        };
        if !trimmed.ends_with(')') {
            break;
        }
        let inner = trimmed[open + 1..trimmed.len() - 1].trim();
        let digits = inner.strip_prefix("BR").unwrap_or(inner);
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            break;
        }
        out = trimmed[..open].to_string();
    }
    out.trim().to_string()
}

/// The matching key of a name (see [`canonical_analyte`]): lower case, Greek letters
/// and their names as Latin letters, only letters and digits, `interleukin` as `il`.
pub(super) fn analyte_key(name: &str) -> String {
    let lowered = name
        .trim()
        .to_lowercase()
        .replace('α', "a")
        .replace('β', "b")
        .replace('γ', "g")
        .replace('λ', "l")
        .replace('κ', "k");
    let compact: String = lowered
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let mut key = match compact.strip_prefix("interleukin") {
        Some(rest) => format!("il{rest}"),
        None => compact,
    };
    // A Greek letter's name before a digit or at the end: tnfalpha, ifnalpha2, mip1beta.
    for (word, letter) in [
        ("alpha", "a"),
        ("beta", "b"),
        ("gamma", "g"),
        ("lambda", "l"),
    ] {
        let mut from = 0;
        while let Some(at) = key[from..].find(word).map(|i| i + from) {
            let after = key[at + word.len()..].chars().next();
            if after.is_none_or(|c| c.is_ascii_digit()) {
                key.replace_range(at..at + word.len(), letter);
                from = at + letter.len();
            } else {
                from = at + word.len();
            }
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Every analyte of a panel resolves, and no two of its analytes become one.
    fn panel_resolves(panel: &str, names: &[&str]) -> BTreeMap<String, String> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for name in names {
            let canonical = canonical_analyte(name)
                .unwrap_or_else(|| panic!("{panel}: '{name}' does not resolve"));
            if let Some(other) = seen.insert(canonical.clone(), (*name).to_string()) {
                panic!("{panel}: '{name}' and '{other}' both became {canonical}");
            }
        }
        assert_eq!(seen.len(), names.len(), "{panel}");
        seen
    }

    fn expect(seen: &BTreeMap<String, String>, pairs: &[(&str, &str)]) {
        for (canonical, name) in pairs {
            assert_eq!(
                seen.get(*canonical).map(String::as_str),
                Some(*name),
                "{canonical}"
            );
        }
    }

    #[test]
    fn bio_rad_bio_plex_pro_human_cytokine_27_and_group_ii_panels_resolve() {
        // Bio-Plex Pro Human Cytokine 27-plex (Group I), names as Bio-Plex Manager writes them.
        let seen = panel_resolves(
            "Bio-Plex 27-plex",
            &[
                "FGF basic",
                "Eotaxin",
                "G-CSF",
                "GM-CSF",
                "IFN-γ",
                "IL-1β",
                "IL-1ra",
                "IL-2",
                "IL-4",
                "IL-5",
                "IL-6",
                "IL-7",
                "IL-8",
                "IL-9",
                "IL-10",
                "IL-12(p70)",
                "IL-13",
                "IL-15",
                "IL-17A",
                "IP-10",
                "MCP-1(MCAF)",
                "MIP-1α",
                "MIP-1β",
                "PDGF-bb",
                "RANTES",
                "TNF-α",
                "VEGF",
            ],
        );
        expect(
            &seen,
            &[
                ("FGF-2", "FGF basic"),
                ("IL-12p70", "IL-12(p70)"),
                ("MCP-1", "MCP-1(MCAF)"),
                ("PDGF-BB", "PDGF-bb"),
                ("VEGF-A", "VEGF"),
            ],
        );
        // Group II (the 21 further analytes of the 48-plex).
        let seen = panel_resolves(
            "Bio-Plex Group II",
            &[
                "IL-1α",
                "IL-2Rα",
                "IL-3",
                "IL-12(p40)",
                "IL-16",
                "IL-18",
                "CTACK",
                "GRO-α",
                "HGF",
                "IFN-α2",
                "LIF",
                "MCP-3",
                "M-CSF",
                "MIF",
                "MIG",
                "β-NGF",
                "SCF",
                "SCGF-β",
                "SDF-1α",
                "TNF-β",
                "TRAIL",
            ],
        );
        expect(
            &seen,
            &[
                ("IL-2Ra", "IL-2Rα"),
                ("NGF-b", "β-NGF"),
                ("CXCL12", "SDF-1α"),
            ],
        );
    }

    #[test]
    fn millipore_milliplex_cytokine_chemokine_and_th17_panels_resolve() {
        // MILLIPLEX Human Cytokine/Chemokine/Growth Factor panel A (HCYTA-60K) analytes.
        let seen = panel_resolves(
            "MILLIPLEX HCYTA-60K",
            &[
                "sCD40L",
                "EGF",
                "Eotaxin/CCL11",
                "FGF-2",
                "Flt-3 ligand",
                "Fractalkine",
                "G-CSF",
                "GM-CSF",
                "GRO",
                "IFN-α2",
                "IFNγ",
                "IL-1α",
                "IL-1β",
                "IL-1RA",
                "IL-2",
                "IL-3",
                "IL-4",
                "IL-5",
                "IL-6",
                "IL-7",
                "IL-8",
                "IL-9",
                "IL-10",
                "IL-12 (p40)",
                "IL-12 (p70)",
                "IL-13",
                "IL-15",
                "IL-17A",
                "IP-10",
                "MCP-1",
                "MCP-3",
                "MDC (CCL22)",
                "MIP-1α",
                "MIP-1β",
                "PDGF-AA",
                "PDGF-AB/BB",
                "RANTES",
                "TGF-α",
                "TNFα",
                "TNFβ",
                "VEGF-A",
                "IL-17E/IL-25",
                "IL-17F",
                "IL-18",
                "IL-22",
                "IL-27",
                "M-CSF",
                "MIG/CXCL9",
            ],
        );
        expect(
            &seen,
            &[
                ("Eotaxin", "Eotaxin/CCL11"),
                ("MDC", "MDC (CCL22)"),
                ("PDGF-AB/BB", "PDGF-AB/BB"),
                ("IL-25", "IL-17E/IL-25"),
                ("CD40L", "sCD40L"),
            ],
        );
        // MILLIPLEX Human Th17 panel (HTH17MAG-14K), 25 analytes, as CytoProfile's tests name them.
        let seen = panel_resolves(
            "MILLIPLEX Th17",
            &[
                "IL-17F",
                "GM-CSF",
                "IFN-G",
                "IL-10",
                "CCL-20/MIP-3A",
                "IL-12/P70",
                "IL-13",
                "IL-15",
                "IL-17A",
                "IL-22",
                "IL-9",
                "IL-1B",
                "IL-33",
                "IL-2",
                "IL-21",
                "IL-4",
                "IL-23",
                "IL-5",
                "IL-6",
                "IL-17E/IL-25",
                "IL-27",
                "IL-31",
                "TNF-A",
                "TNF-B",
                "IL-28A",
            ],
        );
        expect(
            &seen,
            &[
                ("CCL20", "CCL-20/MIP-3A"),
                ("IL-25", "IL-17E/IL-25"),
                ("IL-12p70", "IL-12/P70"),
                ("IL-28A", "IL-28A"),
            ],
        );
    }

    #[test]
    fn r_and_d_systems_luminex_names_with_their_aliases_resolve() {
        // R&D Systems Human Luminex Discovery / XL Cytokine names: "symbol/alias/alias".
        let seen = panel_resolves(
            "R&D Luminex",
            &[
                "CCL2/JE/MCP-1",
                "CCL3/MIP-1 alpha",
                "CCL4/MIP-1 beta",
                "CCL5/RANTES",
                "CCL11/Eotaxin",
                "CCL19/MIP-3 beta",
                "CCL20/MIP-3 alpha",
                "CD40 Ligand/TNFSF5",
                "CXCL1/GRO alpha/KC/CINC-1",
                "CXCL2/GRO beta/MIP-2/CINC-3",
                "CXCL10/IP-10/CRG-2",
                "EGF",
                "FGF basic/FGF2/bFGF",
                "Flt-3 Ligand/FLT3L",
                "G-CSF",
                "GM-CSF",
                "Granzyme B",
                "IFN-gamma",
                "IL-1 alpha/IL-1F1",
                "IL-1 beta/IL-1F2",
                "IL-1ra/IL-1F3",
                "IL-2",
                "IL-3",
                "IL-4",
                "IL-5",
                "IL-6",
                "IL-7",
                "IL-8/CXCL8",
                "IL-10",
                "IL-12 p70",
                "IL-13",
                "IL-15",
                "IL-17/IL-17A",
                "IL-18/IL-1F4",
                "IL-33",
                "PD-L1/B7-H1",
                "PDGF-AA",
                "PDGF-AB/BB",
                "TNF-alpha",
                "TRAIL/TNFSF10",
                "VEGF",
            ],
        );
        expect(
            &seen,
            &[
                ("GRO-a", "CXCL1/GRO alpha/KC/CINC-1"),
                ("IL-1b", "IL-1 beta/IL-1F2"),
                ("IL-17A", "IL-17/IL-17A"),
                ("CD40L", "CD40 Ligand/TNFSF5"),
            ],
        );
        // As an R&D export labels columns with their bead region.
        assert_eq!(
            canonical_analyte("IL-6 (BR13) (13)").as_deref(),
            Some("IL-6")
        );
        assert_eq!(
            canonical_analyte("IL-1b/IL-1F2 (BR57) (57)").as_deref(),
            Some("IL-1b")
        );
    }

    #[test]
    fn msd_v_plex_cytokine_chemokine_and_proinflammatory_panels_resolve() {
        // V-PLEX Neuroinflammation Panel 1 (Human): Proinflammatory Panel 1, Cytokine
        // Panel 1, Chemokine Panel 1 and Vascular Injury (CRP) together.
        let seen = panel_resolves(
            "MSD V-PLEX",
            &[
                "IL-1α",
                "IL-1β",
                "IL-2",
                "IL-4",
                "IL-5",
                "IL-6",
                "IL-7",
                "IL-8",
                "IL-10",
                "IL-12/IL-23p40",
                "IL-12p70",
                "IL-13",
                "IL-15",
                "IL-16",
                "IL-17A",
                "IFN-γ",
                "TNF-α",
                "TNF-β",
                "GM-CSF",
                "VEGF-A",
                "Eotaxin",
                "Eotaxin-3",
                "IP-10",
                "MCP-1",
                "MCP-4",
                "MDC",
                "MIP-1α",
                "MIP-1β",
                "TARC",
                "CRP",
            ],
        );
        expect(
            &seen,
            &[
                ("IL-12p40", "IL-12/IL-23p40"),
                ("Eotaxin-3", "Eotaxin-3"),
                ("TARC", "TARC"),
            ],
        );
        assert_eq!(canonical_analyte("IL-8 (HA)").as_deref(), Some("IL-8"));
    }

    #[test]
    fn olink_target_96_inflammation_assays_resolve() {
        // The 92 assays of Olink Target 96 Inflammation, as Olink's NPX files name them.
        let seen = panel_resolves(
            "Olink Target 96 Inflammation",
            &[
                "IL8",
                "VEGFA",
                "CD8A",
                "MCP-3",
                "GDNF",
                "CDCP1",
                "CD244",
                "IL7",
                "OPG",
                "LAP TGF-beta-1",
                "uPA",
                "IL6",
                "IL-17C",
                "MCP-1",
                "IL-17A",
                "CXCL11",
                "AXIN1",
                "TRAIL",
                "IL-20RA",
                "CXCL9",
                "CST5",
                "IL-2RB",
                "IL-1 alpha",
                "OSM",
                "IL2",
                "CXCL1",
                "TSLP",
                "CCL4",
                "CD6",
                "SCF",
                "IL18",
                "SLAMF1",
                "TGF-alpha",
                "MCP-4",
                "CCL11",
                "TNFSF14",
                "FGF-23",
                "IL-10RA",
                "FGF-5",
                "MMP-1",
                "LIF-R",
                "FGF-21",
                "CCL19",
                "IL-15RA",
                "IL-10RB",
                "IL-22 RA1",
                "IL-18R1",
                "PD-L1",
                "Beta-NGF",
                "CXCL5",
                "TRANCE",
                "HGF",
                "IL-12B",
                "IL-24",
                "IL13",
                "ARTN",
                "MMP-10",
                "IL10",
                "TNF",
                "CCL23",
                "CD5",
                "CCL3",
                "Flt3L",
                "CXCL6",
                "CXCL10",
                "4E-BP1",
                "IL-20",
                "SIRT2",
                "CCL28",
                "DNER",
                "EN-RAGE",
                "CD40",
                "IL33",
                "IFN-gamma",
                "FGF-19",
                "IL4",
                "LIF",
                "NRTN",
                "MCP-2",
                "CASP-8",
                "CCL25",
                "CX3CL1",
                "TNFRSF9",
                "NT-3",
                "TWEAK",
                "CCL20",
                "ST1A1",
                "STAMBP",
                "IL5",
                "ADA",
                "TNFB",
                "CSF-1",
            ],
        );
        assert_eq!(seen.len(), 92);
        expect(
            &seen,
            &[
                ("IL-12p40", "IL-12B"),
                ("GRO-a", "CXCL1"),
                ("MIP-1b", "CCL4"),
                ("TNF-a", "TNF"),
                ("TNF-b", "TNFB"),
                ("M-CSF", "CSF-1"),
                ("Fractalkine", "CX3CL1"),
            ],
        );
    }

    #[test]
    fn no_synonym_names_two_analytes() {
        let mut keys: HashMap<String, &str> = HashMap::new();
        for (canonical, names) in SYNONYMS {
            for name in std::iter::once(canonical).chain(names.iter()) {
                if let Some(other) = keys.insert(analyte_key(name), canonical) {
                    assert_eq!(other, *canonical, "'{name}' names {other} and {canonical}");
                }
            }
        }
    }

    #[test]
    fn combined_names_are_one_analyte_only_when_every_part_agrees() {
        for (name, canonical) in [
            ("CCL-20/MIP-3A", "CCL20"),
            ("IL-17E/IL-25", "IL-25"),
            ("IL-17E", "IL-25"),
            ("IL-28A", "IL-28A"),
            ("IFN-λ2", "IL-28A"),
            ("IFN-lambda2", "IL-28A"),
            ("IFN-λ1", "IL-29"),
            ("MIP-1 alpha", "MIP-1a"),
            ("IFN-alpha2", "IFN-a2"),
        ] {
            assert_eq!(
                canonical_analyte(name).as_deref(),
                Some(canonical),
                "{name}"
            );
        }
        for unknown in [
            "IL-6/TNF-a",
            "IL-6/Zyxin",
            "IL-6 (BRx)",
            "Betacellulin",
            "/",
            "IL-17E/",
        ] {
            let got = canonical_analyte(unknown);
            if unknown == "IL-17E/" {
                assert_eq!(got.as_deref(), Some("IL-25"), "{unknown}");
            } else {
                assert_eq!(got, None, "{unknown}");
            }
        }
    }
}
