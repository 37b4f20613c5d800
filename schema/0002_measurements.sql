-- 0002_measurements: liquid biopsy, cytokines, imaging, radiomics, PET uptake and analysis runs.

-- One blood draw (liquid biopsy) per patient and date.
CREATE TABLE lb_sample (
    sample_id       INTEGER PRIMARY KEY,
    patient_id      INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    date            TEXT NOT NULL CHECK (date IS date(date, '+0 days')),
    cfdna_ng_per_ml REAL CHECK (cfdna_ng_per_ml >= 0),
    UNIQUE (patient_id, date)
) STRICT;

-- A variant, on the normalised contig name ('1', 'X', 'MT': no 'chr' prefix), 1-based position.
CREATE TABLE variant (
    variant_id     INTEGER PRIMARY KEY,
    chrom          TEXT NOT NULL,
    pos            INTEGER NOT NULL CHECK (pos >= 1),
    ref            TEXT NOT NULL,
    alt            TEXT NOT NULL,
    gene           TEXT,
    protein_change TEXT,
    UNIQUE (chrom, pos, ref, alt)
) STRICT;

-- A variant's allele fraction in one sample as one caller reported it (one row per ALT).
-- `detected` = 0 records a tracked variant that was looked for and not found (alt_reads 0
-- with its depth): left-censored, never dropped.
CREATE TABLE variant_call (
    sample_id   INTEGER NOT NULL REFERENCES lb_sample (sample_id) ON DELETE CASCADE,
    variant_id  INTEGER NOT NULL REFERENCES variant (variant_id),
    caller      TEXT NOT NULL,
    sample_name TEXT NOT NULL DEFAULT '',
    chrom_raw   TEXT NOT NULL,
    vaf         REAL CHECK (vaf BETWEEN 0 AND 1),
    alt_reads   INTEGER CHECK (alt_reads >= 0),
    ref_reads   INTEGER CHECK (ref_reads >= 0),
    depth       INTEGER CHECK (depth >= 0),
    vaf_source  TEXT NOT NULL,
    filter      TEXT NOT NULL DEFAULT 'PASS',
    qual        REAL,
    detected    INTEGER NOT NULL DEFAULT 1 CHECK (detected IN (0, 1)),
    file_id     INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    PRIMARY KEY (sample_id, variant_id, caller)
) STRICT, WITHOUT ROWID;

-- Base counts at a tracked locus read straight from a BAM file.
CREATE TABLE allele_count (
    count_id   INTEGER PRIMARY KEY,
    sample_id  INTEGER NOT NULL REFERENCES lb_sample (sample_id) ON DELETE CASCADE,
    variant_id INTEGER NOT NULL REFERENCES variant (variant_id),
    depth      INTEGER NOT NULL CHECK (depth >= 0),
    a          INTEGER NOT NULL, c INTEGER NOT NULL, g INTEGER NOT NULL,
    t          INTEGER NOT NULL, n INTEGER NOT NULL,
    ref_count  INTEGER NOT NULL,
    alt_count  INTEGER NOT NULL,
    vaf        REAL,
    min_mapq   INTEGER NOT NULL,
    min_bq     INTEGER NOT NULL,
    fragment_level INTEGER NOT NULL CHECK (fragment_level IN (0, 1)),
    file_id    INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    UNIQUE (sample_id, variant_id)
) STRICT;

-- The patient's tumour-informed set of variants that every later sample reports.
CREATE TABLE tracked_variant (
    patient_id INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    variant_id INTEGER NOT NULL REFERENCES variant (variant_id),
    gene       TEXT,
    file_id    INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (patient_id, variant_id)
) STRICT;

-- One analyte in one serum sample, in pg/mL. A censored value has `censor` 'left'
-- (below the lower limit) or 'right' (above the upper limit), `value` NULL and `bound`
-- the limit; an uncensored value has censor 'none' and `value` set.
CREATE TABLE cytokine_measurement (
    measurement_id INTEGER PRIMARY KEY,
    patient_id     INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    date           TEXT NOT NULL CHECK (date IS date(date, '+0 days')),
    analyte        TEXT NOT NULL,
    analyte_raw    TEXT NOT NULL,
    value          REAL CHECK (value >= 0),
    unit           TEXT NOT NULL DEFAULT 'pg/mL',
    value_raw      TEXT NOT NULL,
    unit_raw       TEXT NOT NULL DEFAULT '',
    censor         TEXT NOT NULL DEFAULT 'none' CHECK (censor IN ('none', 'left', 'right')),
    bound          REAL,
    lloq           REAL,
    uloq           REAL,
    assay          TEXT NOT NULL DEFAULT '',
    batch          TEXT NOT NULL DEFAULT '',
    file_id        INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    CHECK ((censor = 'none' AND value IS NOT NULL) OR (censor <> 'none' AND bound IS NOT NULL)),
    UNIQUE (patient_id, date, analyte, assay)
) STRICT;

-- One imaging examination. `scanner` and `site` are the batch variables for ComBat.
-- `weight_kg` (at the scan) and the liver / blood-pool references serve PERCIST.
CREATE TABLE imaging_study (
    study_id           INTEGER PRIMARY KEY,
    patient_id         INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    date               TEXT NOT NULL CHECK (date IS date(date, '+0 days')),
    modality           TEXT NOT NULL CHECK (modality IN ('CT', 'MR', 'PET')),
    scanner            TEXT NOT NULL DEFAULT '',
    site               TEXT NOT NULL DEFAULT '',
    weight_kg          REAL CHECK (weight_kg > 0),
    liver_suv_mean     REAL,
    liver_suv_sd       REAL,
    blood_pool_suv     REAL,
    UNIQUE (patient_id, date, modality)
) STRICT;

-- Free-form metadata of a study (PyRadiomics diagnostics_*, DICOM tags ...).
CREATE TABLE study_metadata (
    study_id INTEGER NOT NULL REFERENCES imaging_study (study_id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (study_id, key)
) STRICT;

-- A lesion followed over time. Target status and nodal status are fixed at baseline.
CREATE TABLE lesion (
    lesion_id  INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    label      TEXT NOT NULL,
    organ      TEXT NOT NULL DEFAULT '',
    is_target  INTEGER NOT NULL DEFAULT 0 CHECK (is_target IN (0, 1)),
    is_nodal   INTEGER NOT NULL DEFAULT 0 CHECK (is_nodal IN (0, 1)),
    UNIQUE (patient_id, label)
) STRICT;

-- A lesion as measured on one study. NULL diameters mean "not measured" (RECIST NE).
CREATE TABLE lesion_measurement (
    study_id            INTEGER NOT NULL REFERENCES imaging_study (study_id) ON DELETE CASCADE,
    lesion_id           INTEGER NOT NULL REFERENCES lesion (lesion_id) ON DELETE CASCADE,
    longest_diameter_mm REAL CHECK (longest_diameter_mm >= 0),
    short_axis_mm       REAL CHECK (short_axis_mm >= 0),
    mean_hu             REAL,
    is_new              INTEGER NOT NULL DEFAULT 0 CHECK (is_new IN (0, 1)),
    file_id             INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    PRIMARY KEY (study_id, lesion_id)
) STRICT;

-- PET uptake of one lesion on one study by one segmentation method. `method` is
-- relative | absolute | percist | background, `method_param` its number (0.41, 2.5 ...),
-- `threshold` the SUV threshold it resolved to.
CREATE TABLE pet_uptake (
    study_id     INTEGER NOT NULL REFERENCES imaging_study (study_id) ON DELETE CASCADE,
    lesion_id    INTEGER NOT NULL REFERENCES lesion (lesion_id) ON DELETE CASCADE,
    method       TEXT NOT NULL CHECK (method IN ('relative', 'absolute', 'percist', 'background')),
    method_param REAL NOT NULL DEFAULT 0,
    threshold    REAL NOT NULL,
    voxels       INTEGER NOT NULL CHECK (voxels >= 0),
    suv_max      REAL,
    suv_peak     REAL,
    suv_mean     REAL,
    mtv_ml       REAL NOT NULL CHECK (mtv_ml >= 0),
    tlg          REAL,
    file_id      INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    PRIMARY KEY (study_id, lesion_id, method, method_param)
) STRICT;

-- Radiomic features in long form, named as PyRadiomics writes them.
CREATE TABLE radiomic_feature (
    study_id  INTEGER NOT NULL REFERENCES imaging_study (study_id) ON DELETE CASCADE,
    lesion_id INTEGER NOT NULL REFERENCES lesion (lesion_id) ON DELETE CASCADE,
    feature   TEXT NOT NULL,
    value     REAL NOT NULL,
    file_id   INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    PRIMARY KEY (study_id, lesion_id, feature)
) STRICT;

-- A named analysis (cluster run, harmonisation run) with its parameters as JSON.
CREATE TABLE analysis_run (
    run_id     INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('cluster', 'harmonize')),
    name       TEXT NOT NULL UNIQUE,
    params     TEXT NOT NULL DEFAULT '{}',
    software   TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Cluster membership of each patient in a cluster run (clusters numbered from 1), with the
-- patient's silhouette width and coordinates on the first two principal components (display).
CREATE TABLE cluster_assignment (
    run_id     INTEGER NOT NULL REFERENCES analysis_run (run_id) ON DELETE CASCADE,
    patient_id INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    cluster    INTEGER NOT NULL CHECK (cluster >= 1),
    silhouette REAL,
    pc1        REAL,
    pc2        REAL,
    PRIMARY KEY (run_id, patient_id)
) STRICT;

-- Feature values after harmonisation (ComBat), per harmonisation run.
CREATE TABLE harmonized_feature (
    run_id    INTEGER NOT NULL REFERENCES analysis_run (run_id) ON DELETE CASCADE,
    study_id  INTEGER NOT NULL REFERENCES imaging_study (study_id) ON DELETE CASCADE,
    lesion_id INTEGER NOT NULL REFERENCES lesion (lesion_id) ON DELETE CASCADE,
    feature   TEXT NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (run_id, study_id, lesion_id, feature)
) STRICT;

CREATE INDEX cytokine_by_analyte ON cytokine_measurement (analyte, date);
CREATE INDEX imaging_study_by_patient ON imaging_study (patient_id, date);
CREATE INDEX lesion_measurement_by_lesion ON lesion_measurement (lesion_id);
CREATE INDEX pet_uptake_by_lesion ON pet_uptake (lesion_id);
CREATE INDEX radiomic_feature_by_feature ON radiomic_feature (feature);
CREATE INDEX clinical_event_by_kind ON clinical_event (kind, patient_id);
