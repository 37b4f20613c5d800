-- 0008_structural_variants: structural-variant calls of a blood draw's VCF, stored instead of dropped.
--
-- One row per event: a symbolic-allele record (<DEL>, <DUP>, <INV>, <TRA> ...), a
-- breakend pair (two records joined by MATEID or PARID) or a breakend kept alone.
-- Written by `ingest vcf` in the file's one transaction, beside its SNV calls.
-- Contigs are as the file wrote them; positions are 1-based (0: a telomere).

CREATE TABLE sv_call (
    sv_call_id    INTEGER PRIMARY KEY,
    sample_id     INTEGER NOT NULL REFERENCES lb_sample (sample_id) ON DELETE CASCADE,
    -- The SV dialect read ('manta', 'gridss', 'delly', 'lumpy', 'sniffles', ...).
    caller        TEXT NOT NULL,
    -- The VCF sample column read as the tumour.
    sample_name   TEXT NOT NULL,
    svtype        TEXT NOT NULL
                  CHECK (svtype IN ('DEL', 'DUP', 'DUP:TANDEM', 'INV', 'INS', 'CNV', 'TRA', 'BND', 'SGL')),
    chrom_a       TEXT NOT NULL,
    pos_a         INTEGER NOT NULL CHECK (pos_a >= 0),
    -- The partner (NULL for a single breakend, or a symbolic allele without END).
    chrom_b       TEXT,
    pos_b         INTEGER CHECK (pos_b >= 0),
    -- '++', '+-', '-+', '--' (A's sign first), '+' or '-' (single breakend), '' unknown.
    orientation   TEXT NOT NULL CHECK (orientation IN ('', '+', '-', '++', '+-', '-+', '--')),
    svlen         INTEGER,
    -- The records' IDs and line numbers, comma-separated (one, or two for a pair).
    record_ids    TEXT NOT NULL,
    lines         TEXT NOT NULL,
    records       INTEGER NOT NULL CHECK (records IN (1, 2)),
    filter        TEXT NOT NULL,
    qual          REAL,
    -- The caller's support fields of the tumour as written ('PR=489,4 SR=520,19').
    support       TEXT NOT NULL,
    alt_reads     INTEGER CHECK (alt_reads >= 0),
    ref_reads     INTEGER CHECK (ref_reads >= 0),
    af            REAL CHECK (af BETWEEN 0 AND 1),
    -- The field(s) the allele fraction came from, or why there is none.
    af_source     TEXT NOT NULL,
    -- 'somatic: ...', 'not somatic: ...' or 'not given'.
    somatic       TEXT NOT NULL,
    -- Gene pair or gene from ANN/CSQ ('EWSR1-FLI1').
    genes         TEXT,
    file_id       INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL
) STRICT;

-- One event per draw, caller, type, breakpoints and orientation.
CREATE UNIQUE INDEX sv_call_event ON sv_call (
    sample_id, caller, svtype, chrom_a, pos_a, coalesce(chrom_b, ''), coalesce(pos_b, -1),
    orientation
);
CREATE INDEX sv_call_file ON sv_call (file_id);
