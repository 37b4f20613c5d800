-- 0001_core: store metadata, patients, clinical events and the ledger of ingested files.
-- Dates are ISO-8601 calendar dates ('YYYY-MM-DD'); times are UTC RFC 3339 strings.

-- Key/value facts about this database (origin, creation time, pseudonym key).
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Every file that was ingested, so that ingesting it again is a no-op.
-- `params` holds the options that change what the file means (patient, date,
-- caller, method ...), canonicalised by the ingest code; '' when there are none.
CREATE TABLE ingested_file (
    file_id     INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    params      TEXT NOT NULL DEFAULT '',
    rows        INTEGER NOT NULL CHECK (rows >= 0),
    ingested_at TEXT NOT NULL,
    UNIQUE (kind, sha256, params)
) STRICT;

-- One row per patient. `code` is the identifier users type (e.g. P001).
-- `site` is the treating centre; `primary_site` the anatomical site of the tumour.
CREATE TABLE patient (
    patient_id   INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE CHECK (length(code) > 0),
    diagnosis    TEXT NOT NULL CHECK (length(diagnosis) > 0),
    sex          TEXT CHECK (sex IN ('F', 'M', 'U')),
    birth_year   INTEGER CHECK (birth_year BETWEEN 1900 AND 2100),
    site         TEXT,
    primary_site TEXT,
    height_cm    REAL CHECK (height_cm > 0),
    file_id      INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL,
    created_at   TEXT NOT NULL
) STRICT;

-- Dated clinical events (diagnosis, treatment lines, surgery, progression, death ...).
CREATE TABLE clinical_event (
    event_id   INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patient (patient_id) ON DELETE CASCADE,
    date       TEXT NOT NULL CHECK (date IS date(date, '+0 days')),
    kind       TEXT NOT NULL CHECK (kind IN ('diagnosis', 'treatment-start', 'treatment-end',
                                             'surgery', 'radiotherapy', 'progression', 'relapse',
                                             'death', 'last-contact')),
    detail     TEXT NOT NULL DEFAULT '',
    file_id    INTEGER REFERENCES ingested_file (file_id) ON DELETE SET NULL
) STRICT;
CREATE UNIQUE INDEX clinical_event_identity ON clinical_event (patient_id, date, kind, detail);

-- Index date per patient: the first diagnosis event, else the first treatment start.
CREATE VIEW patient_index_date AS
SELECT p.patient_id,
       coalesce((SELECT min(e.date) FROM clinical_event e
                  WHERE e.patient_id = p.patient_id AND e.kind = 'diagnosis'),
                (SELECT min(e.date) FROM clinical_event e
                  WHERE e.patient_id = p.patient_id AND e.kind = 'treatment-start')) AS index_date
FROM patient p;
