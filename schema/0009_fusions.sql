-- 0009_fusions: tracked fusion junctions (EWSR1-FLI1, SS18-SSX1 ...) and their fragment
-- counts per blood draw.
--
-- A tracked fusion is a junction of a patient: two breakpoints (1-based; pos_a the last
-- base kept on partner A, pos_b the first kept on B for '+-', as a VCF breakend
-- N[chr:pos[ writes them), the orientation and the gene pair. Contigs are kept as written
-- (chrom_a_raw) and normalised (chrom_a: 'chr22' -> '22', 'chrM' -> 'MT'), so that one
-- junction spelt two ways is one row. `source` says how it was chosen ('track add
-- --fusion', or the SV VCF record it came from).
CREATE TABLE tracked_fusion (
    fusion_id   INTEGER PRIMARY KEY,
    patient_id  INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    chrom_a     TEXT NOT NULL,
    chrom_a_raw TEXT NOT NULL,
    pos_a       INTEGER NOT NULL CHECK (pos_a >= 1),
    chrom_b     TEXT NOT NULL,
    chrom_b_raw TEXT NOT NULL,
    pos_b       INTEGER NOT NULL CHECK (pos_b >= 1),
    orientation TEXT NOT NULL CHECK (orientation IN ('++', '+-', '-+', '--')),
    genes       TEXT,
    source      TEXT NOT NULL,
    file_id     INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    added_at    TEXT NOT NULL,
    UNIQUE (patient_id, chrom_a, pos_a, chrom_b, pos_b, orientation)
) STRICT;

-- The fragments of one tracked fusion in one blood draw (`ingest bam`), with the
-- thresholds used. A later count of the same draw replaces it (the newest file wins, as
-- for allele_count). fusion_fraction = (split + discordant) / (split + discordant +
-- (ref_a + ref_b) / 2), NULL at depth 0.
CREATE TABLE fusion_count (
    sample_id       INTEGER NOT NULL REFERENCES lb_sample (sample_id) ON DELETE CASCADE,
    fusion_id       INTEGER NOT NULL REFERENCES tracked_fusion (fusion_id) ON DELETE CASCADE,
    split           INTEGER NOT NULL CHECK (split >= 0),
    discordant      INTEGER NOT NULL CHECK (discordant >= 0),
    ref_a           INTEGER NOT NULL CHECK (ref_a >= 0),
    ref_b           INTEGER NOT NULL CHECK (ref_b >= 0),
    fusion_fraction REAL CHECK (fusion_fraction BETWEEN 0 AND 1),
    min_mapq        INTEGER NOT NULL,
    clip_window     INTEGER NOT NULL CHECK (clip_window >= 0),
    insert_window   INTEGER NOT NULL CHECK (insert_window >= 1),
    anchor          INTEGER NOT NULL CHECK (anchor >= 1),
    file_id         INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    PRIMARY KEY (sample_id, fusion_id)
) STRICT, WITHOUT ROWID;
