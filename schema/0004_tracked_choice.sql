-- 0004_tracked_choice: how each tracked variant was chosen and from which blood draw;
-- a stored call with 0 alt reads is not detected.
--
-- `--track` now takes somatic calls only (each caller's own status, the matched normal,
-- alt reads >= 1). How a variant passed is one of few texts ('somatic: FILTER PASS,
-- STATUS=StrongSomatic, detected in the tumour, 0 alt reads in the matched normal',
-- '--track-all: FILTER PASS', 'listed in a loci file'), stored once in track_choice and
-- pointed at by tracked_variant.choice_id (NULL for variants tracked before this version):
-- a VCF may put hundreds of thousands of variants in a set. `sample_id` is the draw whose
-- VCF chose the variant.
CREATE TABLE track_choice (
    choice_id INTEGER PRIMARY KEY,
    chosen_by TEXT NOT NULL UNIQUE
) STRICT;

ALTER TABLE tracked_variant ADD COLUMN choice_id INTEGER REFERENCES track_choice (choice_id);
ALTER TABLE tracked_variant ADD COLUMN sample_id INTEGER
    REFERENCES lb_sample (sample_id) ON DELETE SET NULL;

-- Calls stored before this version were all 'detected', even with 0 alt reads (a VAF-0
-- record of a caller); they are left-censored observations.
UPDATE variant_call SET detected = 0 WHERE detected = 1 AND alt_reads = 0;
