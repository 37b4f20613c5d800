-- 0005_mrd: the tumour-informed MRD test of a blood draw (ctDNAtools' test_ctDNA), one per draw.
--
-- Written by `ingest bam --targets` with the draw's allele counts, in the same
-- transaction. A later test of the same draw replaces it (the newest file wins,
-- as for allele_count).

CREATE TABLE mrd_test (
    sample_id          INTEGER PRIMARY KEY REFERENCES lb_sample (sample_id) ON DELETE CASCADE,
    decision           TEXT NOT NULL CHECK (decision IN ('positive', 'negative', 'undetermined')),
    -- NULL when no reporter was left to test.
    p_value            REAL CHECK (p_value > 0 AND p_value <= 1),
    -- The rate the simulations used (after the phasing adjustment).
    background_rate    REAL NOT NULL CHECK (background_rate >= 0 AND background_rate <= 1),
    informative_reads  INTEGER NOT NULL CHECK (informative_reads >= 0),
    n_mutations        INTEGER NOT NULL CHECK (n_mutations >= 0),
    n_nonzero          INTEGER NOT NULL CHECK (n_nonzero >= 0),
    alt_reads          INTEGER NOT NULL CHECK (alt_reads >= 0),
    mean_vaf           REAL CHECK (mean_vaf BETWEEN 0 AND 1),
    n_filtered         INTEGER NOT NULL CHECK (n_filtered >= 0),
    -- Why the draw is undetermined, when it is.
    reason             TEXT,
    -- The thresholds used.
    min_mapq           INTEGER NOT NULL,
    min_bq             INTEGER NOT NULL,
    simulations        INTEGER NOT NULL CHECK (simulations >= 1),
    seed               INTEGER NOT NULL,
    informative_threshold INTEGER NOT NULL,
    alpha              REAL NOT NULL,
    merge_phased       INTEGER NOT NULL CHECK (merge_phased IN (0, 1)),
    normals            INTEGER NOT NULL CHECK (normals >= 0),
    -- The capture targets file as given.
    targets            TEXT NOT NULL,
    file_id            INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL
) STRICT;
