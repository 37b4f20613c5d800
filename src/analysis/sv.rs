//! Which structural-variant calls of a tumour-informed VCF become tracked fusion junctions: the selection of `--track` for SV records.

use crate::model::{Junction, SvCall, SvKind, SvSomatic};

/// Why a structural-variant call is or is not a junction to track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvTrackChoice {
    /// Tracked: its junction(s), and how its somatic status was said (`None`: the
    /// caller gives none, as for SNVs a call without a status is tracked and said so).
    Tracked(Vec<Junction>, Option<String>),
    /// Left out, and why.
    LeftOut(&'static str),
}

/// Chooses whether `call` is tracked, in this order (a call left out is counted
/// under the first rule it fails): it must pass its filters; be a breakend joined to a
/// partner, an inversion or a translocation (not a deletion, duplication, insertion,
/// copy-number change or single breakend); not be called germline by its caller
/// ([`SvSomatic::No`]: support in the matched normal); and name both breakpoints with an
/// orientation (an inversion of unknown orientation gives both of its junctions).
pub fn choose(call: &SvCall) -> SvTrackChoice {
    if !call.passed() {
        return SvTrackChoice::LeftOut("failed a filter");
    }
    if !matches!(
        call.kind,
        SvKind::Breakend | SvKind::Inversion | SvKind::Translocation
    ) {
        return SvTrackChoice::LeftOut("not a breakend, inversion or translocation");
    }
    let status = match &call.somatic {
        SvSomatic::No(_) => return SvTrackChoice::LeftOut("not somatic"),
        SvSomatic::Yes(how) => Some(how.clone()),
        SvSomatic::NotGiven => None,
    };
    let junctions = call.junctions();
    if junctions.is_empty() {
        return SvTrackChoice::LeftOut("no partner breakpoint or orientation");
    }
    SvTrackChoice::Tracked(junctions, status)
}

/// The junctions `--track` makes tracked fusions of a file's structural-variant calls:
/// those [`choose`] tracks, in file order, each once.
pub fn junctions_to_track(calls: &[SvCall]) -> Vec<Junction> {
    let mut junctions: Vec<Junction> = Vec::new();
    for call in calls {
        if let SvTrackChoice::Tracked(found, _) = choose(call) {
            for junction in found {
                if !junctions.contains(&junction) {
                    junctions.push(junction);
                }
            }
        }
    }
    junctions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Breakpoint, Orientation, SvSides};

    fn call(kind: SvKind, filter: &str, somatic: SvSomatic, sides: SvSides) -> SvCall {
        SvCall {
            kind,
            a: Breakpoint {
                chrom: "22".into(),
                pos: 29683123,
            },
            b: (kind != SvKind::SingleBreakend).then(|| Breakpoint {
                chrom: "11".into(),
                pos: 128651853,
            }),
            sides,
            length: None,
            ids: vec!["a".into()],
            lines: vec![10],
            filter: filter.into(),
            qual: None,
            support: String::new(),
            alt_reads: Some(5),
            ref_reads: Some(20),
            af: Some(0.2),
            af_source: "FORMAT/AF".into(),
            somatic,
            genes: Some("EWSR1-FLI1".into()),
        }
    }

    #[test]
    fn somatic_pass_breakends_inversions_and_translocations_are_tracked() {
        let yes = || SvSomatic::Yes("INFO/SOMATIC".into());
        let pm = SvSides::Pair(Orientation::PlusMinus);
        // (rule, call, tracked junctions or the reason it was left out)
        let table = [
            (
                "a somatic PASS breakend pair",
                call(SvKind::Breakend, "PASS", yes(), pm),
                Ok(1),
            ),
            (
                "FILTER . is a pass",
                call(SvKind::Breakend, ".", yes(), pm),
                Ok(1),
            ),
            (
                "a Delly <TRA>",
                call(SvKind::Translocation, "PASS", SvSomatic::NotGiven, pm),
                Ok(1),
            ),
            (
                "an inversion of unknown orientation: both junctions",
                call(SvKind::Inversion, "PASS", yes(), SvSides::Unknown),
                Ok(2),
            ),
            (
                "a failed filter",
                call(SvKind::Breakend, "PON", yes(), pm),
                Err("failed a filter"),
            ),
            (
                "a deletion is not a fusion",
                call(SvKind::Deletion, "PASS", yes(), pm),
                Err("not a breakend, inversion or translocation"),
            ),
            (
                "a single breakend has no partner",
                call(
                    SvKind::SingleBreakend,
                    "PASS",
                    yes(),
                    SvSides::Single { keeps_left: true },
                ),
                Err("not a breakend, inversion or translocation"),
            ),
            (
                "support in the matched normal",
                call(
                    SvKind::Breakend,
                    "PASS",
                    SvSomatic::No("3 variant reads in the matched normal".into()),
                    pm,
                ),
                Err("not somatic"),
            ),
            (
                "a <BND> without orientation",
                call(SvKind::Breakend, "PASS", yes(), SvSides::Unknown),
                Err("no partner breakpoint or orientation"),
            ),
        ];
        for (rule, call, expected) in table {
            match (choose(&call), expected) {
                (SvTrackChoice::Tracked(junctions, _), Ok(n)) => {
                    assert_eq!(junctions.len(), n, "{rule}");
                    assert_eq!(junctions[0].genes.as_deref(), Some("EWSR1-FLI1"), "{rule}");
                }
                (SvTrackChoice::LeftOut(why), Err(want)) => assert_eq!(why, want, "{rule}"),
                (got, want) => panic!("{rule}: {got:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn the_selection_lists_each_junction_once_in_file_order() {
        let pm = SvSides::Pair(Orientation::PlusMinus);
        let yes = || SvSomatic::Yes("INFO/SOMATIC".into());
        let a = call(SvKind::Breakend, "PASS", yes(), pm);
        let mut b = call(SvKind::Translocation, "PASS", yes(), pm);
        b.a.pos = 5;
        let left_out = call(SvKind::Breakend, "LowQual", yes(), pm);
        let junctions = junctions_to_track(&[a.clone(), left_out, b.clone(), a.clone()]);
        assert_eq!(junctions.len(), 2);
        assert_eq!(junctions[0], a.junctions()[0]);
        assert_eq!(junctions[1].a.pos, 5);
        assert_eq!(junctions[0].orientation, Orientation::PlusMinus);
    }
}
