//! `--deidentify --key-file` on the listings that print patient rows: the pseudonyms of `export`, rows in pseudonym order, no calendar date, code, site or free text.

use crate::util::Sandbox;

fn has_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
    })
}

fn first_column(csv: &str) -> Vec<String> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn deidentified_listings_use_the_export_pseudonyms_and_hold_no_dates_or_codes() {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", "20", "--out", "files", "--no-tui"])
        .ok();
    let key = s.key_file("0123456789abcdef0123456789");
    let key = key.to_str().unwrap();
    let deid = ["--deidentify", "--key-file", key];
    let run = |args: &[&str]| {
        let mut full = vec!["--format", "csv"];
        full.extend_from_slice(args);
        full.extend_from_slice(&deid);
        s.run(&full).ok().to_string()
    };
    let exported = s
        .run(&[
            "export",
            "patients",
            "--out",
            "-",
            "--deidentify",
            "--key-file",
            key,
        ])
        .ok()
        .to_string();
    let pseudonyms = first_column(&exported);
    assert_eq!(pseudonyms.len(), 20);
    for args in [
        vec!["patient", "list"],
        vec!["cohort", "response"],
        vec!["cluster", "--k", "3", "--bootstrap", "0"],
    ] {
        let out = run(&args);
        let ids = first_column(&out);
        assert_eq!(ids, pseudonyms, "{args:?}: same pseudonyms, same order");
        assert!(!has_date(&out) && !out.contains("P0"), "{args:?}: {out}");
        assert!(!out.contains("Site "), "{args:?}: {out}");
    }
    let list = run(&["patient", "list"]);
    assert!(list.lines().next().unwrap().contains("age_at_index"));
    assert!(!list.contains("birth_year") && !list.contains("index_date"));
    let response = run(&["cohort", "response"]);
    assert!(response.lines().next().unwrap().contains("recist_day"));
    for args in [
        vec!["patient", "show", "P001"],
        vec!["timeline", "P001"],
        vec!["response", "P001"],
        vec!["response", "P001", "--best"],
        vec!["ctdna", "P001"],
        vec!["cytokines", "P001"],
        vec!["calls", "P001"],
        vec!["trend", "P001", "--series", "ctdna.mean_vaf,cytokine:IL-6"],
        vec!["cohort", "board"],
        vec!["track", "list", "P001"],
    ] {
        let out = run(&args);
        assert!(!has_date(&out), "{args:?}: {out}");
        assert!(!out.contains("P001"), "{args:?}: {out}");
    }
    assert!(
        run(&["timeline", "P001"])
            .lines()
            .next()
            .unwrap()
            .starts_with("day,")
    );
    let show = run(&["patient", "show", "P001"]);
    assert!(pseudonyms.iter().any(|p| show.contains(p.as_str())));
    // The patients a survival analysis leaves out are named by pseudonym too.
    let out = s
        .run(&[
            "--format",
            "json",
            "survival",
            "--deidentify",
            "--key-file",
            key,
        ])
        .ok()
        .to_string();
    assert!(!out.contains("\"P0"), "{out}");
}
