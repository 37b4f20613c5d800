-- 0006_board: patients marked for the next tumour board, with the date they were marked.
--
-- The terminal UI's one write (`m`), listed by `cohort board`. One row per marked
-- patient: marking again updates the date, unmarking deletes the row.

CREATE TABLE board_mark (
    patient_id INTEGER PRIMARY KEY REFERENCES patient (patient_id) ON DELETE CASCADE,
    -- The day the patient was marked (YYYY-MM-DD).
    marked_on  TEXT NOT NULL CHECK (marked_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
) STRICT;
