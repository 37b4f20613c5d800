-- 0007_pet_body: the body measures a PET series carries, stored with its study, and
-- whether a lesion's target and nodal status were given (issue 14).
--
-- PatientWeight already has imaging_study.weight_kg; PatientSize and PatientSex come
-- here, so PERCIST's SUL (Janmahasatian lean body mass) is known from the scan when
-- the patient row has no height or sex.
ALTER TABLE imaging_study ADD COLUMN height_m REAL CHECK (height_m > 0 AND height_m < 3);
ALTER TABLE imaging_study ADD COLUMN sex TEXT CHECK (sex IN ('F', 'M', 'O'));

-- Target and nodal status belong to the RECIST baseline (CT/MR measurements). A lesion
-- first stored by a PET or radiomics ingest has them not given (0): the first
-- measurement row that gives them sets them; once given they are fixed.
ALTER TABLE lesion ADD COLUMN target_given INTEGER NOT NULL DEFAULT 1 CHECK (target_given IN (0, 1));
ALTER TABLE lesion ADD COLUMN nodal_given INTEGER NOT NULL DEFAULT 1 CHECK (nodal_given IN (0, 1));
UPDATE lesion SET target_given = 0, nodal_given = 0
 WHERE NOT EXISTS (SELECT 1 FROM lesion_measurement m WHERE m.lesion_id = lesion.lesion_id);
