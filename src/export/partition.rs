//! Hive-style partitioning of an export (`site=A/part-0.parquet`) by a patient attribute: site, diagnosis or index year.

use crate::store::export::{Cell, ColumnKind, ExportTable};
use std::collections::{BTreeMap, HashMap};

/// The folder name of a partition without a value (as Hive, Spark and pyarrow write it).
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// The patient attribute an export is partitioned by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionBy {
    /// The patient's site (centre).
    Site,
    /// The patient's diagnosis.
    Diagnosis,
    /// The calendar year of the patient's index date.
    Year,
}

impl PartitionBy {
    /// The partition column's name (`site`, `diagnosis`, `year`).
    pub fn column(self) -> &'static str {
        match self {
            PartitionBy::Site => "site",
            PartitionBy::Diagnosis => "diagnosis",
            PartitionBy::Year => "year",
        }
    }
}

fn cell_text(cell: &Cell) -> Option<String> {
    cell.text()
}

/// Each patient code's partition value, read from the `patients` export table.
pub fn partition_keys(patients: &ExportTable, by: PartitionBy) -> HashMap<String, Option<String>> {
    let find = |name: &str| patients.columns.iter().position(|(n, _)| *n == name);
    let (Some(code), Some(value)) = (
        find("patient"),
        find(match by {
            PartitionBy::Site => "site",
            PartitionBy::Diagnosis => "diagnosis",
            PartitionBy::Year => "index_date",
        }),
    ) else {
        return HashMap::new();
    };
    patients
        .rows
        .iter()
        .filter_map(|row| {
            let patient = cell_text(&row[code])?;
            let mut v = cell_text(&row[value]).filter(|v| !v.is_empty());
            if by == PartitionBy::Year {
                v = v.and_then(|d| d.get(..4).map(String::from));
            }
            Some((patient, v))
        })
        .collect()
}

/// Splits a table into one table per partition value (in value order, the null
/// partition last), each without the partition column when the table has one of
/// that name (its value is in the folder name).
pub fn split(
    table: &ExportTable,
    keys: &HashMap<String, Option<String>>,
    by: PartitionBy,
) -> Vec<(Option<String>, ExportTable)> {
    let patient = table
        .columns
        .iter()
        .position(|(_, kind)| *kind == ColumnKind::Patient);
    let dropped = table.columns.iter().position(|(n, _)| *n == by.column());
    let keep: Vec<usize> = (0..table.columns.len())
        .filter(|i| Some(*i) != dropped)
        .collect();
    let columns: Vec<_> = keep.iter().map(|&i| table.columns[i]).collect();
    let mut groups: BTreeMap<(bool, Option<String>), Vec<Vec<Cell>>> = BTreeMap::new();
    for row in &table.rows {
        let value = patient
            .and_then(|p| cell_text(&row[p]))
            .and_then(|code| keys.get(&code).cloned().flatten());
        let cells = keep.iter().map(|&i| row[i].clone()).collect();
        groups
            .entry((value.is_none(), value))
            .or_default()
            .push(cells);
    }
    groups
        .into_iter()
        .map(|((_, value), rows)| {
            (
                value,
                ExportTable {
                    columns: columns.clone(),
                    rows,
                },
            )
        })
        .collect()
}

/// The folder of one partition: `column=value`, the value percent-encoded where
/// Hive and Spark escape (`/`, `=`, `%`, quotes, `:` …), or the null partition.
pub fn hive_folder(by: PartitionBy, value: Option<&str>) -> String {
    let Some(value) = value else {
        return format!("{}={NULL_PARTITION}", by.column());
    };
    let mut encoded = String::new();
    for c in value.chars() {
        if c.is_control() || "\"#%'*/:=?\\[]^{}".contains(c) {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                encoded.push_str(&format!("%{b:02X}"));
            }
        } else {
            encoded.push(c);
        }
    }
    format!("{}={encoded}", by.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patients() -> ExportTable {
        ExportTable {
            columns: vec![
                ("patient", ColumnKind::Patient),
                ("index_date", ColumnKind::Date),
                ("site", ColumnKind::Site),
            ],
            rows: vec![
                vec![
                    Cell::Text("P1".into()),
                    Cell::Date(crate::model::parse_date("2023-05-01").unwrap()),
                    Cell::Text("Site B".into()),
                ],
                vec![
                    Cell::Text("P2".into()),
                    Cell::Date(crate::model::parse_date("2024-01-02").unwrap()),
                    Cell::Text("Site A".into()),
                ],
                vec![Cell::Text("P3".into()), Cell::Null, Cell::Null],
            ],
        }
    }

    #[test]
    fn rows_split_by_the_patients_site_in_order_null_last_without_the_site_column() {
        let keys = partition_keys(&patients(), PartitionBy::Site);
        let parts = split(&patients(), &keys, PartitionBy::Site);
        let values: Vec<Option<&str>> = parts.iter().map(|(v, _)| v.as_deref()).collect();
        assert_eq!(values, vec![Some("Site A"), Some("Site B"), None]);
        assert!(parts.iter().all(|(_, t)| t.columns.len() == 2));
    }

    #[test]
    fn the_year_is_the_index_year() {
        let keys = partition_keys(&patients(), PartitionBy::Year);
        assert_eq!(keys["P1"].as_deref(), Some("2023"));
        assert_eq!(keys["P3"], None);
    }

    #[test]
    fn folder_names_escape_what_hive_escapes() {
        assert_eq!(
            hive_folder(PartitionBy::Site, Some("Site A")),
            "site=Site A"
        );
        assert_eq!(
            hive_folder(PartitionBy::Site, Some("A/B=C")),
            "site=A%2FB%3DC"
        );
        assert_eq!(
            hive_folder(PartitionBy::Diagnosis, None),
            "diagnosis=__HIVE_DEFAULT_PARTITION__"
        );
    }
}
