//! Tracked fusions: `track add --fusion` in one transaction, and the tracked set as the rows `ingest bam` counts.

use crate::error::Result;
use crate::ingest::fusions::FusionRow;
use crate::model::Junction;
use crate::store::Store;
use crate::store::events::Inserted;

/// How a fusion given on the command line is chosen (`tracked_fusion.source`).
pub const FROM_COMMAND_LINE: &str = "track add --fusion";

/// Adds one junction to a patient's tracked fusions (one transaction).
///
/// # Errors
/// [`crate::Error::UnknownPatient`], or [`crate::Error::Conflict`] when the junction is
/// tracked under another gene pair; the store is then unchanged.
pub fn track_fusion(store: &mut Store, patient: &str, junction: &Junction) -> Result<Inserted> {
    let tx = store.transaction()?;
    let (_, inserted) = tx.track_fusion(patient, junction, FROM_COMMAND_LINE, None)?;
    tx.commit()?;
    Ok(inserted)
}

/// A patient's tracked fusions as rows to count (line = rank, 1-based), with their ids.
///
/// # Errors
/// [`crate::Error::UnknownPatient`].
pub fn tracked_fusion_rows(store: &Store, patient: &str) -> Result<Vec<(i64, FusionRow)>> {
    Ok(store
        .tracked_fusions(patient)?
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            (
                f.fusion_id,
                FusionRow {
                    line: i as u64 + 1,
                    junction: f.junction,
                },
            )
        })
        .collect())
}

/// Tracks the junctions an SV VCF's `--track` chose (`analysis::sv::junctions_to_track`)
/// inside the file's transaction, `source` saying how (`--track: somatic PASS manta
/// SV record`). A gene pair that differs from the one a junction is tracked under is
/// dropped (the stored one stays), not an error. Returns how many were new.
///
/// # Errors
/// Only if SQLite fails.
pub fn track_junctions(
    tx: &crate::store::Tx<'_>,
    patient: &str,
    junctions: &[Junction],
    source: &str,
    file_id: i64,
) -> Result<usize> {
    let mut new = 0;
    for junction in junctions {
        let inserted = match tx.track_fusion(patient, junction, source, Some(file_id)) {
            Err(crate::Error::Conflict { .. }) => {
                let bare = Junction {
                    genes: None,
                    ..junction.clone()
                };
                tx.track_fusion(patient, &bare, source, Some(file_id))?.1
            }
            other => other?.1,
        };
        new += usize::from(inserted == Inserted::New);
    }
    Ok(new)
}
