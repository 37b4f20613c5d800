//! Structural variants: every symbolic and breakend record of the real VCFs stored or counted with a reason (against bcftools' count), each caller's fixture, the calls listing, and bad input.

use crate::util::{Run, Sandbox, shared_data};
use std::path::{Path, PathBuf};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `ingest vcf FILE --patient P --date D EXTRA...`.
fn ingest(sandbox: &Sandbox, file: &Path, patient: &str, date: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "ingest",
        "vcf",
        file.to_str().unwrap(),
        "--patient",
        patient,
        "--date",
        date,
    ];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

/// The SV counts of the summary line: (records, stored, left out); zeros when the file
/// has no SV record (the line then says nothing of them).
fn sv_counts(out: &str) -> (u64, u64, u64) {
    let first = out.lines().next().unwrap_or("");
    let Some((before, after)) = first.split_once(" structural-variant records (") else {
        return (0, 0, 0);
    };
    let records = before.rsplit(' ').next().unwrap().parse().unwrap();
    let numbers: Vec<u64> = after
        .trim_end_matches(')')
        .split(", ")
        .map(|part| part.split(' ').next().unwrap().parse().unwrap())
        .collect();
    (records, numbers[0], numbers[1])
}

/// Records stored in `sv_call` for the patient's draw (a breakend pair counts two).
fn stored_records(sandbox: &Sandbox, patient: &str, date: &str) -> (u64, u64) {
    let conn = rusqlite::Connection::open_with_flags(
        sandbox.db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row(
        "SELECT coalesce(sum(c.records), 0), count(*) FROM sv_call c
           JOIN lb_sample s USING (sample_id) JOIN patient p ON p.patient_id = s.patient_id
          WHERE p.code = ?1 AND s.date = ?2",
        [patient, date],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )
    .unwrap()
}

fn calls(sandbox: &Sandbox, patient: &str, date: &str) -> Vec<serde_json::Value> {
    sandbox
        .run(&["calls", patient, "--date", date, "--format", "json"])
        .json()
        .into_iter()
        .filter(|c| !c["svtype"].is_null())
        .collect()
}

#[test]
fn every_sv_record_of_the_shared_vcfs_is_stored_or_left_out_with_a_reason_as_bcftools_counts() {
    let Some(root) = shared_data("vcf") else {
        return;
    };
    let root = root.parent().unwrap().to_path_buf();
    let expected = std::fs::read_to_string(repo("tests/reference/sv/expected_counts.tsv"))
        .expect("run tests/reference/sv/sv_expected.sh");
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let mut checked = 0;
    let mut with_sv = 0;
    for (day, row) in (1..).zip(expected.lines().skip(1)) {
        let f: Vec<&str> = row.split('\t').collect();
        let (name, sv_records, pass_records, expected_events): (&str, u64, u64, u64) = (
            f[0],
            f[1].parse().unwrap(),
            f[2].parse().unwrap(),
            f[3].parse().unwrap(),
        );
        let path = root.join(name);
        assert!(
            path.exists(),
            "{name} listed in expected_counts.tsv is missing"
        );
        // LUMPY's two columns are named by the study, not by role.
        let extra: &[&str] = if name.contains("lumpy") {
            &["--sample", "COLO829T"]
        } else {
            &[]
        };
        let date = format!("2024-01-{day:02}");
        // As the SNVs: failed filters are left out and counted...
        let out = ingest(&sandbox, &path, "P001", &date, extra)
            .ok()
            .to_string();
        let (records, stored, left_out) = sv_counts(&out);
        assert_eq!(records, sv_records, "{name}: SV records\n{out}");
        assert_eq!(
            stored + left_out,
            sv_records,
            "{name}: every record accounted\n{out}"
        );
        assert_eq!(
            stored, pass_records,
            "{name}: the PASS records are stored\n{out}"
        );
        assert_eq!(stored_records(&sandbox, "P001", &date).0, stored, "{name}");
        if left_out > 0 {
            assert!(
                out.contains(&format!(
                    "{left_out} structural-variant records left out: {left_out} failed a filter (--all-filters keeps them)"
                )),
                "{name}: {out}"
            );
        }
        // ...and kept with --all-filters.
        let mut all = extra.to_vec();
        all.push("--all-filters");
        let out = ingest(&sandbox, &path, "P002", &date, &all)
            .ok()
            .to_string();
        assert_eq!(
            sv_counts(&out),
            (sv_records, sv_records, 0),
            "{name}\n{out}"
        );
        let (records, events) = stored_records(&sandbox, "P002", &date);
        assert_eq!(records, sv_records, "{name}");
        assert_eq!(events, expected_events, "{name}: one event per MATEID pair");
        let listed = calls(&sandbox, "P002", &date);
        assert_eq!(
            listed.len() as u64,
            events,
            "{name}: calls lists every event"
        );
        for call in &listed {
            assert!(call["support"].is_string() && call["vaf_source"].is_string());
        }
        check_dialect(name, &listed, &out);
        checked += 1;
        with_sv += u64::from(sv_records > 0);
    }
    assert!(checked >= 14, "only {checked} VCFs checked");
    assert!(with_sv >= 5, "only {with_sv} VCFs with SV records");
}

/// What each real caller's file must show in `calls`.
fn check_dialect(name: &str, calls: &[serde_json::Value], out: &str) {
    let count = |svtype: &str| calls.iter().filter(|c| c["svtype"] == svtype).count();
    if name.contains("manta") {
        assert!(
            out.contains("structural variants (manta): 6 records stored as 3 events"),
            "{out}"
        );
        assert_eq!(count("BND"), 3);
        let c = calls.iter().find(|c| c["pos"] == 107653411).unwrap();
        assert_eq!(c["partner"], "11:94987872");
        assert_eq!(c["orientation"], "-+");
        assert_eq!(c["support"], "PR=489,4 SR=520,19");
        assert_eq!(c["alt_reads"], 23);
        assert_eq!(c["vaf_source"], "FORMAT/PR+SR alt/(ref+alt)");
        assert_eq!(c["somatic"], "somatic: INFO/SOMATIC");
        assert_eq!(c["sample"], "HCC1954", "Manta writes the normal first");
        assert_eq!(c["records"], 2);
    } else if name.contains("gridss") {
        // 212 paired breakends (106 events) and 10 single breakends.
        assert_eq!((count("BND"), count("SGL")), (106, 10), "{out}");
        assert!(
            calls
                .iter()
                .all(|c| c["sample"] == "COLO829T_dedup.realigned.bam")
        );
        let c = calls.iter().find(|c| c["pos"] == 9424907).unwrap();
        assert_eq!(c["vaf_source"], "FORMAT/VF/(VF+REF+REFPAIR)");
        assert_eq!(c["alt_reads"], 36);
        assert_eq!(c["depth"], 36 + 66 + 82);
        let single = calls.iter().find(|c| c["svtype"] == "SGL").unwrap();
        assert!(single["partner"].is_null());
        assert_eq!(single["vaf_source"], "FORMAT/BVF/(BVF+REF+REFPAIR)");
    } else if name.contains("delly") {
        assert_eq!(count("TRA"), 375);
        let c = calls.iter().find(|c| c["pos"] == 32048707).unwrap();
        assert_eq!(c["partner"], "1:59096868", "CHR2:END");
        assert_eq!(c["orientation"], "-+", "CT=5to3");
        assert_eq!(c["vaf_source"], "FORMAT/DV/(DR+DV) (imprecise: read pairs)");
    } else if name.contains("lumpy") {
        // 1,250 paired breakends (625 events) and 337 <DEL>/<DUP>/<INV>.
        assert_eq!(count("BND"), 625, "{out}");
        assert_eq!(count("DEL") + count("DUP") + count("INV"), 337);
        let del = calls.iter().find(|c| c["pos"] == 19151862).unwrap();
        assert_eq!(del["partner"], "1:19152272");
        assert!(del["vaf"].is_null());
        assert_eq!(
            del["somatic"], "somatic: 0 variant reads in the matched normal",
            "COLO829R is the normal"
        );
    } else if name.contains("vardict") {
        assert_eq!(count("INV"), 2);
        assert!(calls.iter().all(|c| c["vaf_source"] == "FORMAT/AF"));
        assert!(calls.iter().all(|c| c["filter"] == "f0.02"));
    } else {
        assert!(calls.is_empty(), "{name}: {calls:?}");
    }
}

/// A fixture: file, extra flags, SV records, stored, left out, events, dialect, an AF source.
type Fixture = (
    &'static str,
    &'static [&'static str],
    u64,
    u64,
    u64,
    usize,
    &'static str,
    &'static str,
);

#[test]
fn each_callers_fixture_is_read_in_its_dialect() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let table: [Fixture; 8] = [
        (
            "sniffles2.vcf",
            &[],
            6,
            5,
            1,
            5,
            "sniffles",
            "FORMAT/DV/(DR+DV)",
        ),
        (
            "sniffles1.vcf",
            &[],
            2,
            2,
            0,
            2,
            "sniffles",
            "FORMAT/DV/(DR+DV)",
        ),
        (
            "nanomonsv.vcf",
            &[],
            5,
            4,
            1,
            3,
            "nanomonsv",
            "FORMAT/VR/TR",
        ),
        (
            "svaba.vcf",
            &["--sample", "tumour.bam"],
            6,
            4,
            2,
            2,
            "svaba",
            "FORMAT/AD/DP",
        ),
        ("esvee.vcf", &[], 5, 3, 2, 2, "esvee", "FORMAT/AF"),
        (
            "purple.vcf",
            &[],
            3,
            3,
            0,
            2,
            "purple",
            "INFO/PURPLE_AF (purity-adjusted)",
        ),
        ("vardict_sv.vcf", &[], 3, 2, 1, 2, "vardict", "FORMAT/AF"),
        (
            "breakends.vcf",
            &[],
            11,
            11,
            0,
            7,
            "generic",
            "FORMAT/AD alt/(ref+alt)",
        ),
    ];
    for (day, (file, extra, records, stored, left_out, events, dialect, source)) in (1..).zip(table)
    {
        let date = format!("2024-02-{day:02}");
        let path = repo(&format!("fixtures/sv/{file}"));
        let run = ingest(&sandbox, &path, "P001", &date, extra);
        let out = run.ok().to_string();
        assert_eq!(
            sv_counts(&out),
            (records, stored, left_out),
            "{file}\n{out}"
        );
        assert!(
            out.contains(&format!(
                "structural variants ({dialect}): {stored} records stored as {events} events"
            )),
            "{file}: {out}"
        );
        let listed = calls(&sandbox, "P001", &date);
        assert_eq!(listed.len(), events, "{file}");
        assert!(
            listed.iter().any(|c| c["vaf_source"] == source),
            "{file}: no call with {source}: {listed:?}"
        );
        match file {
            "esvee.vcf" => {
                let fusion = listed.iter().find(|c| c["svtype"] == "BND").unwrap();
                assert_eq!(
                    fusion["gene"], "EWSR1-FLI1",
                    "SnpEff bidirectional_gene_fusion"
                );
                assert_eq!(fusion["chrom"], "chr11");
                assert_eq!(fusion["partner"], "chr22:29683123");
                assert!(
                    listed
                        .iter()
                        .any(|c| c["svtype"] == "SGL" && c["orientation"] == "+")
                );
            }
            "nanomonsv.vcf" | "vardict_sv.vcf" => assert!(
                run.stderr.contains("read by VCF 4.2's rules") && run.stderr.contains("SVLEN"),
                "{file}: {}",
                run.stderr
            ),
            "breakends.vcf" => {
                let telomere = listed.iter().find(|c| c["pos"] == 0).unwrap();
                assert_eq!(telomere["partner"], "13:200000");
                assert!(listed.iter().any(|c| c["partner"] == "ctg1:7"));
                assert!(run.stderr.is_empty(), "{}", run.stderr);
            }
            _ => {}
        }
        if file == "vardict_sv.vcf" {
            // The SNV of the file is stored beside its structural variants.
            assert!(out.contains("4 vcf records read, 1 new"), "{out}");
            let germline = listed.iter().find(|c| c["svtype"] == "DEL").unwrap();
            assert_eq!(germline["somatic"], "not somatic: STATUS=Germline");
        }
    }
}

#[test]
fn a_breakend_alt_that_does_not_parse_fails_the_file_naming_the_record_and_stores_nothing() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let head = "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
                #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n";
    let bad = format!(
        "{head}1\t100\t.\tG\tA\t.\tPASS\t.\tGT\t0/1\n\
         2\t321681\tbnd_W\tG\tG]17:198982]\t.\tPASS\tSVTYPE=BND;MATEID=bnd_Y\tGT\t0/1\n\
         17\t198982\tbnd_Y\tA\tA]2:321681[\t.\tPASS\tSVTYPE=BND;MATEID=bnd_W\tGT\t0/1\n"
    );
    let path = sandbox.file("bad_bnd.vcf", &bad);
    let before = sandbox.dump();
    ingest(&sandbox, &path, "P001", "2024-03-01", &[]).fails(
        1,
        "bad_bnd.vcf: line 6: field 'ALT': record 3: 'A]2:321681[' is not a breakend",
    );
    assert_eq!(sandbox.dump(), before, "nothing half-stored");

    // A breakend whose mate is missing: kept alone, and a warning names it.
    let lone = format!(
        "{head}2\t321681\tbnd_W\tG\tG]17:198982]\t.\tPASS\tSVTYPE=BND;MATEID=bnd_Y\tGT\t0/1\n"
    );
    let path = sandbox.file("lone.vcf", &lone);
    let run = ingest(&sandbox, &path, "P001", "2024-03-02", &[]);
    let out = run.ok().to_string();
    assert_eq!(sv_counts(&out), (1, 1, 0), "{out}");
    assert!(
        run.stderr
            .contains("lone.vcf: line 4: record 1 (ID bnd_W): its mate bnd_Y (MATEID)"),
        "{}",
        run.stderr
    );
    let listed = calls(&sandbox, "P001", "2024-03-02");
    assert_eq!(listed[0]["partner"], "17:198982");

    // POS 0 is for telomeric breakends only.
    let zero = format!("{head}1\t0\t.\tG\tA\t.\tPASS\t.\tGT\t0/1\n");
    let path = sandbox.file("zero.vcf", &zero);
    ingest(&sandbox, &path, "P001", "2024-03-03", &[])
        .fails(1, "zero.vcf: line 4: field 'POS': record 1: position 0");
    // A symbolic allele oncotrack does not read is counted with the reason.
    let cn = format!("{head}1\t100\t.\tG\t<CN2>\t.\tPASS\tEND=900\tGT\t0/1\n");
    let path = sandbox.file("cn.vcf", &cn);
    let run = ingest(&sandbox, &path, "P001", "2024-03-04", &[]);
    assert_eq!(sv_counts(run.ok()), (1, 0, 1));
    assert!(
        run.stdout
            .contains("1 symbolic allele <CN2> is not a structural-variant type oncotrack reads"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("cn.vcf: line 4: record 1: field 'ALT'"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_same_event_from_another_file_is_already_in_the_database() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let path = repo("fixtures/sv/sniffles1.vcf");
    ingest(&sandbox, &path, "P001", "2024-04-01", &[]).ok();
    let again = ingest(&sandbox, &path, "P001", "2024-04-01", &[]);
    assert!(again.ok().contains("already ingested"), "{}", again.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    let copy = sandbox.file(
        "copy.vcf",
        &text.replacen("##source=Sniffles\n", "##source=Sniffles\n##note=copy\n", 1),
    );
    let out = ingest(&sandbox, &copy, "P001", "2024-04-01", &[])
        .ok()
        .to_string();
    assert!(
        out.contains("2 records stored as 2 events (0 new, 2 already in the database)"),
        "{out}"
    );
    assert_eq!(stored_records(&sandbox, "P001", "2024-04-01"), (2, 2));
}

#[test]
fn track_selects_the_somatic_pass_junctions_of_an_sv_vcf() {
    let Some(manta) = shared_data("vcf/sv/manta1.4_HCC1954demo.somaticSV.vcf.gz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (mut store, _) = oncotrack::store::Store::create(&dir.path().join("t.db")).unwrap();
    let tx = store.transaction().unwrap();
    tx.add_patient(
        &oncotrack::model::NewPatient {
            code: "P001".into(),
            diagnosis: "Ewing sarcoma".into(),
            sex: None,
            birth_year: None,
            site: None,
            primary_site: None,
            height_cm: None,
        },
        None,
    )
    .unwrap();
    tx.commit().unwrap();
    let request = oncotrack::pipeline::liquid::VcfIngest {
        patient: "P001".into(),
        date: chrono::NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
        options: oncotrack::ingest::vcf::Options::default(),
        all_filters: false,
        track: true,
        track_all: false,
        max_normal_alt_reads: oncotrack::pipeline::liquid::MAX_NORMAL_ALT_READS,
        allow_empty: false,
        cfdna_ng_per_ml: None,
    };
    let (_, detail) =
        oncotrack::pipeline::liquid::ingest_vcf(&mut store, &manta, &request).unwrap();
    let junctions = detail.unwrap().sv.junctions;
    assert_eq!(junctions.len(), 3, "{junctions:?}");
    let first = &junctions[0];
    assert_eq!((first.a.chrom.as_str(), first.a.pos), ("8", 107653411));
    assert_eq!((first.b.chrom.as_str(), first.b.pos), ("11", 94987872));
    assert_eq!(first.orientation, oncotrack::model::Orientation::MinusPlus);
    // ... and tracks them as fusions (issue 13 §2), as `track add --vcf` does.
    let tracked = store.tracked_fusions("P001").unwrap();
    assert_eq!(tracked.len(), 3, "{tracked:?}");
    assert!(
        tracked[0].source.contains("somatic PASS"),
        "{}",
        tracked[0].source
    );
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let out = sandbox
        .run(&["track", "add", "P001", "--vcf", manta.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(
        out.contains("6 structural-variant records: 3 junctions tracked as fusions"),
        "{out}"
    );
    let listed = sandbox
        .run(&["--format", "json", "track", "fusions", "P001"])
        .json();
    assert_eq!(listed.len(), 3, "{listed:?}");
}
