"""Fills an initialised oncotrack database with N synthetic patients shaped like
fixtures/response/example.sql (3 lesions on 3 CT scans, 2 PET scans, 4 blood draws with 2
tracked variants, IL-6), values varied per patient, for benches/response.sh.

Usage: python3 response_db.py DB N
"""
import random
import sqlite3
import sys

db, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(2026)
conn = sqlite3.connect(db)
conn.execute("PRAGMA foreign_keys = ON")
cur = conn.cursor()
cur.execute("BEGIN")
cur.execute("INSERT INTO call_provenance (sample_name, chrom_raw, vaf_source) VALUES ('TUMOR', '17', 'AF')")
provenance = cur.lastrowid
for i in range(n):
    cur.execute(
        "INSERT INTO patient (code, diagnosis, sex, height_cm, created_at) "
        "VALUES (?, 'undifferentiated pleomorphic sarcoma', ?, ?, '2026-01-01T00:00:00Z')",
        (f"P{i + 1:05d}", "MF"[i % 2], 155 + rng.random() * 40),
    )
    pid = cur.lastrowid
    lesions = []
    for label, organ, nodal in (("T1", "thigh", 0), ("N1", "groin node", 1), ("M1", "lung", 0)):
        cur.execute("INSERT INTO lesion (patient_id, label, organ, is_nodal) VALUES (?, ?, ?, ?)",
                    (pid, label, organ, nodal))
        lesions.append(cur.lastrowid)
    t1, n1, hu = 30 + rng.random() * 70, 15 + rng.random() * 20, 40 + rng.random() * 30
    for k, date in enumerate(("2024-01-10", "2024-03-10", "2024-05-10")):
        cur.execute("INSERT INTO imaging_study (patient_id, date, modality) VALUES (?, ?, 'CT')",
                    (pid, date))
        study = cur.lastrowid
        f = 1 + (rng.random() - 0.5) * 0.6 * k
        cur.execute("INSERT INTO lesion_measurement VALUES (?, ?, ?, ?, ?, 0, NULL)",
                    (study, lesions[0], t1 * f, t1 * f * 0.7, hu * (1 - 0.2 * k * rng.random())))
        cur.execute("INSERT INTO lesion_measurement VALUES (?, ?, ?, ?, ?, 0, NULL)",
                    (study, lesions[1], n1 * 1.5 * f, n1 * f, hu))
        if k == 2 and rng.random() < 0.3:
            cur.execute("INSERT INTO lesion_measurement VALUES (?, ?, 12, 9, NULL, 1, NULL)",
                        (study, lesions[2]))
    suv = 4 + rng.random() * 10
    for k, date in enumerate(("2024-01-12", "2024-03-12")):
        cur.execute("INSERT INTO imaging_study (patient_id, date, modality, weight_kg, liver_suv_mean,"
                    " liver_suv_sd, blood_pool_suv) VALUES (?, ?, 'PET', ?, 2.1, 0.3, 1.5)",
                    (pid, date, 60 + rng.random() * 30))
        study = cur.lastrowid
        f = 1 + (rng.random() - 0.6) * k
        for lesion, scale in ((lesions[0], 1.0), (lesions[1], 0.5)):
            cur.execute("INSERT INTO pet_uptake VALUES (?, ?, 'relative', 0.41, 1, 100, ?, ?, ?, ?, ?, NULL)",
                        (study, lesion, suv * f * scale, suv * f * scale * 0.8, suv * f * scale * 0.5,
                         50 * f * scale, 25 * f * f * scale * suv))
    variants = []
    for v in range(2):
        cur.execute("INSERT INTO variant (chrom, pos, ref, alt) VALUES ('17', ?, 'C', 'T')",
                    (1000 + 2 * i + v,))
        variants.append(cur.lastrowid)
        cur.execute("INSERT INTO tracked_variant (patient_id, variant_id, added_at) VALUES (?, ?, '2024-01-08')",
                    (pid, cur.lastrowid))
    vaf = 0.01 + rng.random() * 0.2
    for k, date in enumerate(("2024-01-08", "2024-02-08", "2024-03-08", "2024-04-08")):
        cur.execute("INSERT INTO lb_sample (patient_id, date) VALUES (?, ?)", (pid, date))
        sample = cur.lastrowid
        for v in variants:
            value = vaf * rng.random() * 2 if rng.random() > 0.2 * k else 0.0
            cur.execute("INSERT INTO variant_call (sample_id, variant_id, caller, provenance_id, vaf,"
                        " alt_reads, ref_reads, depth, detected) VALUES (?, ?, 'mutect2', ?, ?, ?, ?, 500, ?)",
                        (sample, v, provenance, value, round(value * 500), 500 - round(value * 500),
                         int(value > 0)))
        cur.execute("INSERT INTO cytokine_measurement (patient_id, date, analyte, analyte_raw, value,"
                    " value_raw) VALUES (?, ?, 'IL-6', 'IL6', ?, 'x')", (pid, date, 5 + rng.random() * 50))
conn.commit()
