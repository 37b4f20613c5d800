-- 0003_call_provenance: a call's provenance strings stored once, not on every call row.
--
-- The VCF sample column, the contig as the file wrote it and the field or tier the
-- VAF came from were repeated on every variant_call row: a third of the bytes of a
-- million-call VCF. They take few distinct values (one column per file, a few dozen
-- contigs, a handful of VAF sources per caller), so each distinct triple is stored
-- once in call_provenance and a call points at it.

CREATE TABLE call_provenance (
    provenance_id INTEGER PRIMARY KEY,
    -- VCF sample column (or BAM file name for caller 'bam').
    sample_name   TEXT NOT NULL,
    -- The contig as the file wrote it (variant.chrom is normalised).
    chrom_raw     TEXT NOT NULL,
    -- Field or tier of the VAF ('FORMAT/AF', 'tier1 TU/(CU+TU)', 'not detected' ...).
    vaf_source    TEXT NOT NULL,
    UNIQUE (sample_name, chrom_raw, vaf_source)
) STRICT;

INSERT INTO call_provenance (sample_name, chrom_raw, vaf_source)
    SELECT DISTINCT sample_name, chrom_raw, vaf_source FROM variant_call
     ORDER BY sample_name, chrom_raw, vaf_source;

-- As in 0002, with provenance_id in place of sample_name, chrom_raw and vaf_source.
CREATE TABLE variant_call_0003 (
    sample_id     INTEGER NOT NULL REFERENCES lb_sample (sample_id) ON DELETE CASCADE,
    variant_id    INTEGER NOT NULL REFERENCES variant (variant_id),
    caller        TEXT NOT NULL,
    provenance_id INTEGER NOT NULL REFERENCES call_provenance (provenance_id),
    vaf           REAL CHECK (vaf BETWEEN 0 AND 1),
    alt_reads     INTEGER CHECK (alt_reads >= 0),
    ref_reads     INTEGER CHECK (ref_reads >= 0),
    depth         INTEGER CHECK (depth >= 0),
    filter        TEXT NOT NULL DEFAULT 'PASS',
    qual          REAL,
    detected      INTEGER NOT NULL DEFAULT 1 CHECK (detected IN (0, 1)),
    file_id       INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    PRIMARY KEY (sample_id, variant_id, caller)
) STRICT, WITHOUT ROWID;

INSERT INTO variant_call_0003 (sample_id, variant_id, caller, provenance_id, vaf, alt_reads,
                               ref_reads, depth, filter, qual, detected, file_id)
    SELECT c.sample_id, c.variant_id, c.caller, p.provenance_id, c.vaf, c.alt_reads,
           c.ref_reads, c.depth, c.filter, c.qual, c.detected, c.file_id
      FROM variant_call AS c
      JOIN call_provenance AS p
        ON p.sample_name = c.sample_name AND p.chrom_raw = c.chrom_raw
       AND p.vaf_source = c.vaf_source;

DROP TABLE variant_call;
ALTER TABLE variant_call_0003 RENAME TO variant_call;
