-- 0010_patient_summary: one row per patient holding the dates the cohort screen and the
-- index date need (first diagnosis and treatment, death, the latest event, blood draw,
-- cytokine panel and imaging study), kept by the triggers below in the same statement as
-- every write to those tables (cytokine inserts: by their writer, see below), so that
-- reading the cohort reads one small row per patient instead of seeking into four large
-- tables per patient (issue 16 §6).

CREATE TABLE patient_summary (
    patient_id      INTEGER PRIMARY KEY REFERENCES patient (patient_id) ON DELETE CASCADE,
    -- min(date) of the patient's 'diagnosis' events
    first_diagnosis TEXT,
    -- min(date) of the patient's 'treatment-start' events
    first_treatment TEXT,
    -- min(date) of the patient's 'death' events
    death_date      TEXT,
    -- max(date) of the patient's clinical events of any kind
    last_event      TEXT,
    -- max(date) of the patient's blood draws (lb_sample)
    last_draw       TEXT,
    -- max(date) of the patient's cytokine measurements
    last_cytokine   TEXT,
    -- max(date) of the patient's imaging studies
    last_imaging    TEXT
) STRICT;

-- The full computation, once, for a store that already holds patients. Each value is
-- one seek in an index that starts with (patient_id, date).
INSERT INTO patient_summary (patient_id, first_diagnosis, first_treatment, death_date,
                             last_event, last_draw, last_cytokine, last_imaging)
SELECT p.patient_id,
       (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND e.kind = 'diagnosis'),
       (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND e.kind = 'treatment-start'),
       (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND e.kind = 'death'),
       (SELECT max(date) FROM clinical_event e WHERE e.patient_id = p.patient_id),
       (SELECT max(date) FROM lb_sample s WHERE s.patient_id = p.patient_id),
       (SELECT max(date) FROM cytokine_measurement c WHERE c.patient_id = p.patient_id),
       (SELECT max(date) FROM imaging_study m WHERE m.patient_id = p.patient_id)
  FROM patient p;

-- A new patient has a summary row at once (removed with the patient by the cascade).
CREATE TRIGGER patient_summary_patient AFTER INSERT ON patient BEGIN
    INSERT INTO patient_summary (patient_id) VALUES (NEW.patient_id);
END;

-- Clinical events: an insert can only lower a minimum or raise a maximum; a delete or an
-- edit recomputes the patient's few events.
CREATE TRIGGER patient_summary_event_insert AFTER INSERT ON clinical_event BEGIN
    UPDATE patient_summary SET
        first_diagnosis = CASE WHEN NEW.kind = 'diagnosis'
                                AND (first_diagnosis IS NULL OR NEW.date < first_diagnosis)
                               THEN NEW.date ELSE first_diagnosis END,
        first_treatment = CASE WHEN NEW.kind = 'treatment-start'
                                AND (first_treatment IS NULL OR NEW.date < first_treatment)
                               THEN NEW.date ELSE first_treatment END,
        death_date = CASE WHEN NEW.kind = 'death' AND (death_date IS NULL OR NEW.date < death_date)
                          THEN NEW.date ELSE death_date END,
        last_event = CASE WHEN last_event IS NULL OR NEW.date > last_event
                          THEN NEW.date ELSE last_event END
     WHERE patient_id = NEW.patient_id;
END;

CREATE TRIGGER patient_summary_event_delete AFTER DELETE ON clinical_event BEGIN
    UPDATE patient_summary SET
        first_diagnosis = (SELECT min(date) FROM clinical_event e
                            WHERE e.patient_id = OLD.patient_id AND e.kind = 'diagnosis'),
        first_treatment = (SELECT min(date) FROM clinical_event e
                            WHERE e.patient_id = OLD.patient_id AND e.kind = 'treatment-start'),
        death_date = (SELECT min(date) FROM clinical_event e
                       WHERE e.patient_id = OLD.patient_id AND e.kind = 'death'),
        last_event = (SELECT max(date) FROM clinical_event e WHERE e.patient_id = OLD.patient_id)
     WHERE patient_id = OLD.patient_id;
END;

CREATE TRIGGER patient_summary_event_update AFTER UPDATE OF patient_id, date, kind ON clinical_event BEGIN
    UPDATE patient_summary SET
        first_diagnosis = (SELECT min(date) FROM clinical_event e
                            WHERE e.patient_id = patient_summary.patient_id AND e.kind = 'diagnosis'),
        first_treatment = (SELECT min(date) FROM clinical_event e
                            WHERE e.patient_id = patient_summary.patient_id AND e.kind = 'treatment-start'),
        death_date = (SELECT min(date) FROM clinical_event e
                       WHERE e.patient_id = patient_summary.patient_id AND e.kind = 'death'),
        last_event = (SELECT max(date) FROM clinical_event e
                       WHERE e.patient_id = patient_summary.patient_id)
     WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
END;

-- Measurements: an insert writes only when its date is the patient's newest; a delete
-- recomputes only when it removed the newest date (one seek); an edit of the date or
-- patient recomputes both patients.
CREATE TRIGGER patient_summary_draw_insert AFTER INSERT ON lb_sample BEGIN
    UPDATE patient_summary SET last_draw = NEW.date
     WHERE patient_id = NEW.patient_id AND (last_draw IS NULL OR last_draw < NEW.date);
END;

CREATE TRIGGER patient_summary_draw_delete AFTER DELETE ON lb_sample BEGIN
    UPDATE patient_summary
       SET last_draw = (SELECT max(date) FROM lb_sample s WHERE s.patient_id = OLD.patient_id)
     WHERE patient_id = OLD.patient_id AND last_draw <= OLD.date;
END;

CREATE TRIGGER patient_summary_draw_update AFTER UPDATE OF patient_id, date ON lb_sample BEGIN
    UPDATE patient_summary
       SET last_draw = (SELECT max(date) FROM lb_sample s
                         WHERE s.patient_id = patient_summary.patient_id)
     WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
END;

-- No insert trigger on cytokine_measurement: a row trigger makes every insert journal the
-- pages it changes (so that the statement alone can roll back), which doubled the time of
-- a cytokine ingest (20 rows a draw); `Tx::add_cytokine` (src/store/cytokines.rs), the one
-- writer of that table, sets `last_cytokine` in the same transaction instead. Deletes and
-- edits, rare, are kept by triggers.
CREATE TRIGGER patient_summary_cytokine_delete AFTER DELETE ON cytokine_measurement BEGIN
    UPDATE patient_summary
       SET last_cytokine = (SELECT max(date) FROM cytokine_measurement c
                             WHERE c.patient_id = OLD.patient_id)
     WHERE patient_id = OLD.patient_id AND last_cytokine <= OLD.date;
END;

CREATE TRIGGER patient_summary_cytokine_update AFTER UPDATE OF patient_id, date ON cytokine_measurement BEGIN
    UPDATE patient_summary
       SET last_cytokine = (SELECT max(date) FROM cytokine_measurement c
                             WHERE c.patient_id = patient_summary.patient_id)
     WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
END;

CREATE TRIGGER patient_summary_imaging_insert AFTER INSERT ON imaging_study BEGIN
    UPDATE patient_summary SET last_imaging = NEW.date
     WHERE patient_id = NEW.patient_id AND (last_imaging IS NULL OR last_imaging < NEW.date);
END;

CREATE TRIGGER patient_summary_imaging_delete AFTER DELETE ON imaging_study BEGIN
    UPDATE patient_summary
       SET last_imaging = (SELECT max(date) FROM imaging_study m WHERE m.patient_id = OLD.patient_id)
     WHERE patient_id = OLD.patient_id AND last_imaging <= OLD.date;
END;

CREATE TRIGGER patient_summary_imaging_update AFTER UPDATE OF patient_id, date ON imaging_study BEGIN
    UPDATE patient_summary
       SET last_imaging = (SELECT max(date) FROM imaging_study m
                            WHERE m.patient_id = patient_summary.patient_id)
     WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
END;

-- The index date (first diagnosis, else first treatment start) is now read from the
-- summary: one seek per patient instead of two scans of the patient's events. Same
-- columns and rows as the view of 0001.
DROP VIEW patient_index_date;
CREATE VIEW patient_index_date AS
SELECT patient_id, coalesce(first_diagnosis, first_treatment) AS index_date
  FROM patient_summary;
