-- 0004_tracked_choice: how each tracked variant was chosen and from which blood draw;
-- a stored call with 0 alt reads is not detected.
--
-- `--track` now takes somatic calls only (each caller's own status, the matched normal,
-- alt reads >= 1); `chosen_by` says how a variant passed ('somatic: FILTER PASS,
-- STATUS=StrongSomatic, 12 alt reads, 0 alt reads in the matched normal', '--track-all:
-- FILTER PASS'); NULL for variants tracked before this version or from a loci list.
-- `sample_id` is the draw whose VCF chose it.
ALTER TABLE tracked_variant ADD COLUMN chosen_by TEXT;
ALTER TABLE tracked_variant ADD COLUMN sample_id INTEGER
    REFERENCES lb_sample (sample_id) ON DELETE SET NULL;

-- Calls stored before this version were all 'detected', even with 0 alt reads (a VAF-0
-- record of a caller); they are left-censored observations.
UPDATE variant_call SET detected = 0 WHERE detected = 1 AND alt_reads = 0;
