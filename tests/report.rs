//! The one-page report and the cohort figures: what is drawn equals what is stored (the SVG parsed back), every timeline date is in the report, no network reference, one page when Chromium prints it.

use crate::util::Sandbox;
use std::collections::BTreeMap;

/// One SVG element: its name, attributes and the `data-chart` of the group it is in.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    chart: Option<String>,
    /// The text right after the tag (a `<text>` element's content).
    text: String,
}

/// The elements of an SVG (or an HTML page with one inline), with the chart group each
/// lies in; a small scanner is enough for what oncotrack writes (no CDATA, no comments).
fn elements(svg: &str) -> Vec<Element> {
    let mut out = Vec::new();
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 1..start + end];
        rest = &rest[start + end + 1..];
        let content = rest[..rest.find('<').unwrap_or(rest.len())].to_string();
        if let Some(closing) = tag.strip_prefix('/') {
            if closing.trim() == "g" {
                stack.pop();
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name: String = tag.chars().take_while(|c| !c.is_whitespace()).collect();
        let mut attrs = BTreeMap::new();
        let mut text = &tag[name.len()..];
        while let Some(eq) = text.find("=\"") {
            let key = text[..eq].trim().to_string();
            let value_start = eq + 2;
            let Some(value_len) = text[value_start..].find('"') else {
                break;
            };
            let value = text[value_start..value_start + value_len]
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            attrs.insert(key, value);
            text = &text[value_start + value_len + 1..];
        }
        let inherited = stack.iter().rev().find_map(|c| c.clone());
        if name == "g" {
            let chart = attrs.get("data-chart").cloned().or(inherited.clone());
            out.push(Element {
                name: name.clone(),
                attrs,
                chart: inherited,
                text: content,
            });
            if !self_closing {
                stack.push(chart);
            }
        } else {
            out.push(Element {
                name,
                attrs,
                chart: inherited,
                text: content,
            });
        }
    }
    out
}

fn num(e: &Element, key: &str) -> f64 {
    e.attrs
        .get(key)
        .unwrap_or_else(|| panic!("{} lacks {key}: {:?}", e.name, e.attrs))
        .parse()
        .unwrap_or_else(|_| panic!("{key} of {:?} is not a number", e.attrs))
}

/// The chart group `name` (its axes as data attributes).
fn chart<'a>(els: &'a [Element], name: &str) -> &'a Element {
    els.iter()
        .find(|e| e.name == "g" && e.attrs.get("data-chart").map(String::as_str) == Some(name))
        .unwrap_or_else(|| panic!("no chart {name}"))
}

/// The value a y coordinate stands for on a chart's value axis.
fn value_at(chart: &Element, y: f64) -> f64 {
    let (lo, hi) = (num(chart, "data-lo"), num(chart, "data-hi"));
    let (bottom, top) = (num(chart, "data-bottom"), num(chart, "data-top"));
    let t = (bottom - y) / (bottom - top);
    if chart.attrs["data-scale"] == "log" {
        10f64.powf(lo.log10() + t * (hi.log10() - lo.log10()))
    } else {
        lo + t * (hi - lo)
    }
}

/// The date an x coordinate stands for on a chart's time axis, as days after its start.
fn day_at(chart: &Element, x: f64) -> f64 {
    let (x0, x1) = (num(chart, "data-x0"), num(chart, "data-x1"));
    let start = oncotrack::model::parse_date(&chart.attrs["data-start"]).unwrap();
    let end = oncotrack::model::parse_date(&chart.attrs["data-end"]).unwrap();
    (x - x0) / (x1 - x0) * (end - start).num_days() as f64
}

fn days_after_start(chart: &Element, date: &str) -> f64 {
    let start = oncotrack::model::parse_date(&chart.attrs["data-start"]).unwrap();
    (oncotrack::model::parse_date(date).unwrap() - start).num_days() as f64
}

fn demo(patients: &str) -> Sandbox {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", patients, "--no-tui"]).ok();
    s
}

#[test]
fn report_draws_the_stored_values_every_timeline_date_and_nothing_from_the_network() {
    let s = demo("20");
    let out = s
        .run(&["report", "P001", "--out", "p1.html"])
        .ok()
        .to_string();
    assert!(out.contains("p1.html"), "{out}");
    let path = s.path().join("p1.html");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "a report holds patient data");
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "a network reference"
    );
    assert!(html.contains("size: A4 landscape"));
    let els = elements(&html);

    // Every date of the timeline is drawn (an event, a draw, a panel or a scan).
    let timeline = s.run(&["timeline", "P001", "--format", "json"]).json();
    assert!(timeline.len() > 10, "{timeline:?}");
    for item in &timeline {
        let date = item["date"].as_str().unwrap();
        assert!(
            html.contains(&format!("data-date=\"{date}\"")),
            "{date} ({}) is not in the report",
            item["item"]
        );
    }
    // The header.
    for needle in [
        "P001",
        "age at diagnosis",
        "endotype E",
        "(run demo-endotypes)",
    ] {
        assert!(html.contains(needle), "header lacks {needle}");
    }

    // ctDNA: each detected draw's mean VAF is drawn where the log axis puts it.
    let ctdna = s.run(&["ctdna", "P001", "--format", "json"]).json();
    let vaf_chart = chart(&els, "ctdna");
    assert_eq!(vaf_chart.attrs["data-scale"], "log");
    let mut checked = 0;
    for draw in ctdna
        .iter()
        .filter(|d| d["detected"].as_u64().unwrap_or(0) > 0)
    {
        let date = draw["date"].as_str().unwrap();
        let stored = draw["mean_vaf"].as_f64().unwrap();
        let point = els
            .iter()
            .find(|e| {
                e.chart.as_deref() == Some("ctdna")
                    && e.attrs.get("data-series").map(String::as_str) == Some("mean VAF")
                    && e.attrs.get("data-date").map(String::as_str) == Some(date)
            })
            .unwrap_or_else(|| panic!("no mean VAF point on {date}"));
        let drawn: f64 = num(point, "data-value");
        assert!(
            (drawn - stored).abs() <= 1e-4 * stored.max(1e-6),
            "{date}: {drawn} vs {stored}"
        );
        let read_back = value_at(vaf_chart, num(point, "cy"));
        assert!(
            ((read_back / stored).ln()).abs() < 0.02,
            "{date}: y reads {read_back}, stored {stored}"
        );
        let day = day_at(vaf_chart, num(point, "cx"));
        assert!(
            (day - days_after_start(vaf_chart, date)).abs() < 1.0,
            "{date}: x reads day {day}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} ctDNA points checked");
    // The MRD decisions of the draws tested are written at their dates.
    for draw in ctdna.iter().filter(|d| d["mrd"].is_string()) {
        let date = draw["date"].as_str().unwrap();
        assert!(
            els.iter()
                .any(|e| e.attrs.get("class").map(String::as_str) == Some("mrd")
                    && e.attrs["data-date"] == date
                    && e.attrs["data-decision"] == draw["mrd"].as_str().unwrap()),
            "MRD call of {date} missing"
        );
    }

    // RECIST: the sum at each follow-up, as `response` reports it, on the linear axis from 0.
    let responses = s
        .run(&[
            "response",
            "P001",
            "--criteria",
            "recist",
            "--format",
            "json",
        ])
        .json();
    let recist_chart = chart(&els, "recist");
    assert_eq!(num(recist_chart, "data-lo"), 0.0);
    let points: Vec<&Element> = els
        .iter()
        .filter(|e| e.chart.as_deref() == Some("recist") && e.attrs.contains_key("data-series"))
        .collect();
    assert_eq!(
        points.len(),
        responses.len() + 1,
        "baseline plus one point per follow-up"
    );
    assert!(
        (num(points[0], "data-value") - responses[0]["baseline"].as_f64().unwrap()).abs() < 1e-3
    );
    for row in &responses {
        let date = row["date"].as_str().unwrap();
        let stored = row["value"].as_f64().unwrap();
        let point = points
            .iter()
            .find(|p| p.attrs["data-date"] == date)
            .unwrap();
        assert!(
            (value_at(recist_chart, num(point, "cy")) - stored).abs() < 0.2,
            "{date}"
        );
    }
    // The response table lists every assessment (or says how many more there are).
    let all = s.run(&["response", "P001", "--format", "json"]).json();
    let rows = els
        .iter()
        .filter(|e| e.attrs.get("class").map(String::as_str) == Some("response"))
        .count();
    assert!(
        rows == all.len() || html.contains(&format!("{} more rows", all.len() - rows)),
        "{rows} of {}",
        all.len()
    );

    // Kaplan–Meier of the endotype, with the patient marked.
    assert!(
        els.iter()
            .any(|e| e.attrs.get("class").map(String::as_str) == Some("patient"))
    );

    // PDF and SVG of the same report.
    s.run(&["report", "P001", "--out", "p1.pdf"]).ok();
    let pdf = std::fs::read(s.path().join("p1.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert_eq!(page_count(&pdf), 1);
    s.run(&["report", "P001", "--out", "p1.svg"]).ok();
    let svg = std::fs::read_to_string(s.path().join("p1.svg")).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));

    // --at: nothing after the date.
    let middle = timeline[timeline.len() / 2]["date"]
        .as_str()
        .unwrap()
        .to_string();
    s.run(&["report", "P001", "--out", "at.html", "--at", &middle])
        .ok();
    let at = std::fs::read_to_string(s.path().join("at.html")).unwrap();
    for e in elements(&at) {
        if let Some(date) = e.attrs.get("data-date") {
            assert!(*date <= middle, "{date} after --at {middle}");
        }
    }
    assert!(at.contains(&format!("as known on {middle}")));

    // Errors: an unknown patient, a file type not written.
    s.run(&["report", "P404", "--out", "x.html"])
        .fails(1, "P404");
    s.run(&["report", "P001", "--out", "x.png"])
        .fails(1, "PNG is not written");
    s.run(&["report", "P001", "--out", "x.txt"])
        .fails(1, ".html");
}

/// `/Type /Page` objects of a PDF (not `/Pages`).
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let mut count = 0;
    let mut rest = text.as_ref();
    while let Some(at) = rest.find("/Type") {
        rest = &rest[at + 5..];
        let trimmed = rest.trim_start();
        if trimmed.starts_with("/Page") && !trimmed.starts_with("/Pages") {
            count += 1;
        }
    }
    count
}

#[test]
fn board_reports_every_marked_patient_and_the_cohort_figures_hold_the_stored_numbers() {
    let s = demo("20");
    s.run(&["report", "--board", "--out", "board"])
        .fails(1, "no patient is marked");
    {
        let mut store =
            oncotrack::store::Store::open(&s.db(), oncotrack::store::Access::ReadWrite).unwrap();
        let tx = store.transaction().unwrap();
        let day = oncotrack::model::parse_date("2026-11-30").ok();
        tx.set_board_mark("P002", day).unwrap();
        tx.set_board_mark("P005", day).unwrap();
        tx.commit().unwrap();
    }
    let listed = s
        .run(&["report", "--board", "--out", "board", "--format", "json"])
        .json();
    assert_eq!(listed.len(), 2);
    for code in ["P002", "P005"] {
        let html =
            std::fs::read_to_string(s.path().join("board").join(format!("{code}-report.html")))
                .unwrap();
        assert!(html.contains(code));
    }
    s.run(&["report", "--board", "--out", "board", "--as", "pdf"])
        .ok();
    assert!(s.path().join("board/P002-report.pdf").is_file());

    // cohort response: the board's triage fields, as `response`, `ctdna` and `timeline` say.
    let cohort = s.run(&["cohort", "response", "--format", "json"]).json();
    let newest = cohort
        .iter()
        .filter_map(|r| r["last_contact"].as_str())
        .max()
        .unwrap()
        .to_string();
    let mut mrd_seen = 0;
    for row in &cohort {
        let code = row["patient"].as_str().unwrap();
        let best = s
            .run(&[
                "response",
                code,
                "--best",
                "--criteria",
                "recist",
                "--format",
                "json",
            ])
            .json();
        assert_eq!(
            row["best_response"],
            best.first()
                .map_or(serde_json::Value::Null, |b| b["category"].clone()),
            "{code}"
        );
        let visits = s
            .run(&["response", code, "--criteria", "recist", "--format", "json"])
            .json();
        let last = visits.last();
        assert_eq!(
            row["latest_response"],
            last.map_or(serde_json::Value::Null, |v| v["category"].clone()),
            "{code}"
        );
        assert_eq!(
            row["latest_response_date"],
            last.map_or(serde_json::Value::Null, |v| v["date"].clone()),
            "{code}"
        );
        let tested: Vec<serde_json::Value> = s
            .run(&["ctdna", code, "--format", "json"])
            .json()
            .into_iter()
            .filter(|d| d["mrd"].is_string())
            .collect();
        match tested.last() {
            Some(draw) => {
                assert_eq!(row["mrd_status"], draw["mrd"], "{code}");
                assert_eq!(row["mrd_date"], draw["date"], "{code}");
                mrd_seen += 1;
            }
            None => assert!(row["mrd_status"].is_null(), "{code}"),
        }
        let timeline = s.run(&["timeline", code, "--format", "json"]).json();
        let last_contact = timeline
            .iter()
            .filter_map(|t| t["date"].as_str())
            .max()
            .unwrap();
        assert_eq!(row["last_contact"], last_contact, "{code}");
        let dead = timeline.iter().any(|t| t["item"] == "death");
        let expected = (!dead).then(|| {
            (oncotrack::model::parse_date(&newest).unwrap()
                - oncotrack::model::parse_date(last_contact).unwrap())
            .num_days()
        });
        assert_eq!(row["days_since_last_contact"].as_i64(), expected, "{code}");
        assert!(row["discordance"].is_null() || row["discordance"].is_string());
    }
    assert!(mrd_seen >= 1, "the demo tests P001's draws for MRD");

    // Survival: each group's steps equal `survival --format json`, censor marks for
    // every censored subject, numbers at risk at 0 equal n.
    s.run(&[
        "survival",
        "--group",
        "cluster:demo-endotypes",
        "--plot",
        "km.svg",
    ])
    .ok();
    let json: serde_json::Value = serde_json::from_str(
        s.run(&[
            "survival",
            "--group",
            "cluster:demo-endotypes",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let svg = std::fs::read_to_string(s.path().join("km.svg")).unwrap();
    let els = elements(&svg);
    let km = chart(&els, "survival");
    let groups = json["groups"].as_array().unwrap();
    assert!(groups.len() >= 2);
    for group in groups {
        let name = group["group"].as_str().unwrap();
        let steps: Vec<&Element> = els
            .iter()
            .filter(|e| e.attrs.get("class").map(String::as_str) == Some("step"))
            .filter(|e| group_of(&els, e) == Some(name.to_string()))
            .collect();
        let stored = group["km"].as_array().unwrap();
        assert_eq!(steps.len(), stored.len(), "{name}");
        for (drawn, point) in steps.iter().zip(stored) {
            assert!((num(drawn, "data-time") - point["time"].as_f64().unwrap()).abs() < 1e-9);
            let survival = point["survival"].as_f64().unwrap();
            assert!((num(drawn, "data-survival") - survival).abs() < 1e-9);
            assert!(
                (value_at(km, num(drawn, "cy")) - survival).abs() < 0.005,
                "{name}"
            );
            assert!(
                (num(drawn, "data-ci-lower") - point["ci_lower"].as_f64().unwrap()).abs() < 1e-9
            );
        }
        let censors = els
            .iter()
            .filter(|e| e.attrs.get("class").map(String::as_str) == Some("censor"))
            .filter(|e| group_of(&els, e) == Some(name.to_string()))
            .count() as u64;
        assert_eq!(
            censors,
            group["n"].as_u64().unwrap() - group["events"].as_u64().unwrap(),
            "{name}"
        );
        let at_zero = els
            .iter()
            .find(|e| {
                e.attrs.get("data-group").map(String::as_str) == Some(name)
                    && e.attrs.get("data-time").map(String::as_str) == Some("0")
            })
            .unwrap();
        assert_eq!(at_zero.text, group["n"].to_string(), "{name}: at risk at 0");
    }
    s.run(&["survival", "--plot", "km.png"])
        .fails(1, "PNG is not written");

    // Cluster heatmap: one cell per patient and feature, each in its cluster.
    let clustered: serde_json::Value = serde_json::from_str(
        s.run(&[
            "cluster",
            "--features",
            "cytokines",
            "--k",
            "3",
            "--plot",
            "heat.svg",
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let heat = std::fs::read_to_string(s.path().join("heat.svg")).unwrap();
    let cells: Vec<Element> = elements(&heat)
        .into_iter()
        .filter(|e| e.attrs.get("class").map(String::as_str) == Some("cell"))
        .collect();
    let assignments = clustered["assignments"].as_array().unwrap();
    let features = clustered["profiles"][0]["mean_z"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(cells.len(), assignments.len() * features);
    for a in assignments {
        let id = a["id"].as_str().unwrap();
        let cluster = a["cluster"].as_u64().unwrap().to_string();
        assert!(
            cells
                .iter()
                .filter(|c| c.attrs["data-id"] == id)
                .all(|c| c.attrs["data-cluster"] == cluster),
            "{id}"
        );
    }

    // Swimmer: one lane per patient, its length the days on study, sorted longest first.
    s.run(&["report", "--swimmer", "--out", "swimmer.svg"]).ok();
    let swim = std::fs::read_to_string(s.path().join("swimmer.svg")).unwrap();
    let lanes: Vec<Element> = elements(&swim)
        .into_iter()
        .filter(|e| e.attrs.get("class").map(String::as_str) == Some("lane"))
        .collect();
    assert_eq!(lanes.len(), 20);
    let days: Vec<i64> = lanes
        .iter()
        .map(|l| l.attrs["data-days"].parse().unwrap())
        .collect();
    assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
    for lane in &lanes {
        let code = &lane.attrs["data-patient"];
        let timeline = s.run(&["timeline", code, "--format", "json"]).json();
        let end = timeline
            .iter()
            .find(|t| t["item"] == "death" || t["item"] == "last-contact")
            .unwrap();
        assert_eq!(lane.attrs["data-days"], end["day"].to_string(), "{code}");
        assert_eq!(
            lane.attrs["data-died"] == "true",
            end["item"] == "death",
            "{code}"
        );
    }
}

/// The `data-group` of the group an element lies in.
fn group_of(els: &[Element], target: &Element) -> Option<String> {
    let mut current = None;
    for e in els {
        if e.name == "g"
            && let Some(g) = e.attrs.get("data-group")
        {
            current = Some(g.clone());
        }
        if std::ptr::eq(e, target) {
            return current;
        }
    }
    None
}

/// Chromium's own print of the HTML report is one page (A4 landscape).
#[test]
fn chromium_prints_the_html_report_on_one_page() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(chromium) = chromium else {
        eprintln!("skipped: no Chromium found (apt-get install chromium)");
        return;
    };
    let s = demo("12");
    for code in ["P001", "P002", "P003"] {
        let html = format!("{code}.html");
        s.run(&["report", code, "--out", &html]).ok();
        let profile = tempfile::tempdir().unwrap();
        let pdf = s.path().join(format!("{code}.pdf"));
        let out = std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(s.path().join(&html))
            .output()
            .expect("chromium runs");
        let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {out:?}"));
        assert_eq!(
            page_count(&bytes),
            1,
            "{code}: Chromium printed more than one page"
        );
    }
}
