"""A lean generator of a large oncotrack store for benches/scale.sh: N patients x V visits
written straight into a database that `oncotrack init` made (same schema, same checks; no
input files, no ingest: `demo --patients` writes and ingests real files, which at 200,000
patients is what would be measured instead of the store).

Per patient: diagnosis, first-line treatment start and end, surgery, for about half a
progression, then death or last contact (5-6 clinical events); V visits every 42 days
from day 7, each a blood draw (cfDNA concentration, 4 tracked variants of a pool of 40
hotspots, one caller row each, some not detected) and a serum panel of C cytokines; a CT
every 4th visit (from the first) with 3 lesions (2 targets, 1 nodal). Values vary per
patient (seeded). Python standard library only.

Usage: python3 scale_db.py DB N [VISITS=20] [CYTOKINES=14]
"""
import datetime
import random
import sqlite3
import sys
import time

db, n = sys.argv[1], int(sys.argv[2])
visits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
n_cytokines = int(sys.argv[4]) if len(sys.argv) > 4 else 14
ANALYTES = ["IL-6", "IL-8", "TNF-a", "IL-1Ra", "IP-10", "MCP-1", "MIG", "CXCL5", "CXCL12",
            "MIF", "M-CSF", "Eotaxin", "IL-18", "IL-7", "IL-10", "IFN-g"][:n_cytokines]
DIAGNOSES = ["osteosarcoma", "Ewing sarcoma", "leiomyosarcoma", "liposarcoma",
             "undifferentiated pleomorphic sarcoma", "synovial sarcoma"]
GENES = ["TP53", "RB1", "NF1", "CDKN2A", "ATRX", "PIK3CA", "KRAS", "DNMT3A", "PTEN", "MDM2"]
rng = random.Random(20261201)
start = time.perf_counter()
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("PRAGMA journal_mode = OFF")
conn.execute("PRAGMA synchronous = OFF")
conn.execute("PRAGMA foreign_keys = OFF")  # every key below is made here, consistently
conn.execute("PRAGMA cache_size = -1000000")
cur = conn.cursor()
cur.execute("BEGIN")
cur.execute("INSERT INTO call_provenance (sample_name, chrom_raw, vaf_source) "
            "VALUES ('TUMOR', '17', 'FORMAT/AF')")
provenance = cur.lastrowid
variants = []
for v in range(40):
    gene = GENES[v % len(GENES)]
    cur.execute("INSERT INTO variant (chrom, pos, ref, alt, gene, protein_change) VALUES (?, ?, 'C', 'T', ?, ?)",
                (str(1 + v % 22), 1_000_000 + 7919 * v, gene, f"p.Arg{100 + v}His"))
    variants.append(cur.lastrowid)
base = datetime.date(2015, 1, 1)
day = lambda d: (base + datetime.timedelta(days=d)).isoformat()

sample_id = study_id = lesion_id = 0
BATCH = 2000
patients, events, tracked, samples, calls, cytokines, studies, lesions, measures = ([] for _ in range(9))


def flush():
    cur.executemany("INSERT INTO patient (patient_id, code, diagnosis, sex, birth_year, site, primary_site,"
                    " height_cm, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')", patients)
    cur.executemany("INSERT INTO clinical_event (patient_id, date, kind, detail) VALUES (?, ?, ?, ?)", events)
    cur.executemany("INSERT INTO tracked_variant (patient_id, variant_id, gene, added_at) VALUES (?, ?, ?, ?)", tracked)
    cur.executemany("INSERT INTO lb_sample (sample_id, patient_id, date, cfdna_ng_per_ml) VALUES (?, ?, ?, ?)", samples)
    cur.executemany("INSERT INTO variant_call (sample_id, variant_id, caller, provenance_id, vaf, alt_reads,"
                    " ref_reads, depth, detected) VALUES (?, ?, 'mutect2', ?, ?, ?, ?, ?, ?)", calls)
    cur.executemany("INSERT INTO cytokine_measurement (patient_id, date, analyte, analyte_raw, value, value_raw,"
                    " assay) VALUES (?, ?, ?, ?, ?, ?, 'Luminex')", cytokines)
    cur.executemany("INSERT INTO imaging_study (study_id, patient_id, date, modality) VALUES (?, ?, ?, 'CT')", studies)
    cur.executemany("INSERT INTO lesion (lesion_id, patient_id, label, organ, is_target, is_nodal) VALUES (?, ?, ?, ?, ?, ?)", lesions)
    cur.executemany("INSERT INTO lesion_measurement (study_id, lesion_id, longest_diameter_mm, short_axis_mm,"
                    " mean_hu) VALUES (?, ?, ?, ?, ?)", measures)
    for rows in (patients, events, tracked, samples, calls, cytokines, studies, lesions, measures):
        rows.clear()


for i in range(n):
    pid = i + 1
    width = max(5, len(str(n)))
    code = f"P{pid:0{width}d}"
    diagnosis = DIAGNOSES[i % len(DIAGNOSES)]
    patients.append((pid, code, diagnosis, "FM"[i % 2], 1940 + rng.randrange(70),
                     f"Site {'ABCDE'[i % 5]}", "thigh", round(150 + rng.random() * 45, 1)))
    d0 = rng.randrange(0, 3000)
    events.append((pid, day(d0), "diagnosis", diagnosis))
    events.append((pid, day(d0 + 14), "treatment-start", "line 1: doxorubicin-ifosfamide"))
    events.append((pid, day(d0 + 140), "treatment-end", "line 1: doxorubicin-ifosfamide"))
    events.append((pid, day(d0 + 170), "surgery", "wide excision"))
    follow = 7 + 42 * visits + rng.randrange(30, 400)
    if rng.random() < 0.5:
        events.append((pid, day(d0 + rng.randrange(200, follow)), "progression", ""))
    events.append((pid, day(d0 + follow), "death" if rng.random() < 0.4 else "last-contact", ""))
    chosen = rng.sample(variants, 4)
    for v in chosen:
        tracked.append((pid, v, GENES[(v - variants[0]) % len(GENES)], day(d0 + 7)))
    vaf0 = 0.01 + rng.random() * 0.2
    own = []
    for k in range(3):
        lesion_id += 1
        own.append(lesion_id)
        lesions.append((lesion_id, pid, f"L{k + 1}", ("thigh", "lung", "groin node")[k], int(k < 2), int(k == 2)))
    sizes = [30 + rng.random() * 70, 10 + rng.random() * 30, 12 + rng.random() * 10]
    for k in range(visits):
        date = day(d0 + 7 + 42 * k)
        sample_id += 1
        samples.append((sample_id, pid, date, round(5 + rng.random() * 40, 2)))
        trend = max(0.0, 1 - 0.08 * k + 0.05 * rng.random())
        for v in chosen:
            vaf = vaf0 * trend * rng.random() * 2
            depth = 1500 + rng.randrange(1500)
            alt = round(vaf * depth)
            calls.append((sample_id, v, provenance, alt / depth, alt, depth - alt, depth, int(alt > 0)))
        for a in ANALYTES:
            value = round(rng.lognormvariate(3, 1), 3)
            cytokines.append((pid, date, a, a, value, str(value)))
        if k % 4 == 0:
            study_id += 1
            studies.append((study_id, pid, date))
            f = max(0.1, 1 - 0.03 * k + 0.1 * (rng.random() - 0.5))
            for lid, size in zip(own, sizes):
                measures.append((study_id, lid, round(size * f, 1), round(size * f * 0.7, 1), round(40 + 20 * rng.random(), 1)))
    if pid % BATCH == 0:
        flush()
flush()
if cur.execute("SELECT 1 FROM sqlite_master WHERE name = 'patient_summary'").fetchone():
    # Schema 10: triggers keep patient_summary, except the latest cytokine date, which
    # oncotrack's cytokine writer sets (no insert trigger on that table).
    cur.execute("UPDATE patient_summary SET last_cytokine = (SELECT max(date) FROM cytokine_measurement c"
                " WHERE c.patient_id = patient_summary.patient_id)")
cur.execute("COMMIT")
conn.execute("PRAGMA foreign_keys = ON")
bad = conn.execute("PRAGMA foreign_key_check").fetchall()
assert not bad, bad[:5]
conn.execute("PRAGMA journal_mode = WAL")  # as oncotrack init left it
conn.close()
print(f"generated {n} patients x {visits} visits in {time.perf_counter() - start:.1f} s", file=sys.stderr)
