//! Input formats: one module per source format; each parses and validates a file into domain types and writes no SQL.

pub mod bam;
pub mod cytokines;
pub mod dates;
pub mod dicom;
pub mod events;
pub mod fusions;
pub mod lesions;
pub mod loci;
pub mod patients;
pub mod pet;
pub mod radiomics;
pub mod table;
pub mod targets;
pub mod vcf;

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An input file identified by content: its absolute path and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Absolute path (as given, made absolute; symlinks not resolved).
    pub path: PathBuf,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// Hashes a file by streaming it (never held in memory whole).
///
/// # Errors
/// [`Error::Io`] when the file is missing, a directory or unreadable.
pub fn fingerprint(path: &Path) -> Result<Fingerprint> {
    let file = open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buffer).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    let digest = hasher.finalize();
    let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
    let path = std::path::absolute(path).map_err(|e| Error::io(path, e))?;
    Ok(Fingerprint { path, sha256 })
}

/// Opens a file for reading, refusing directories with a clear message.
///
/// # Errors
/// [`Error::Io`] when the path is missing, a directory or unreadable.
pub fn open_regular(path: &Path) -> Result<File> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory, expected a file",
            ),
        ));
    }
    File::open(path).map_err(|e| Error::io(path, e))
}

/// The largest CSV table read (bytes): tables are held in memory, so a larger file
/// (or a stream of bytes that never ends) is refused before it exhausts it.
pub const MAX_CSV_BYTES: u64 = 512 << 20;

/// The longest line of a CSV table (bytes). A thousand-feature radiomics row is some
/// tens of kilobytes; a longer line is not a table (zero bytes, a binary file).
pub const MAX_CSV_LINE: u64 = 1 << 20;

/// Reads all of `reader`, refusing more than `limit` bytes in all or a line longer
/// than [`MAX_CSV_LINE`] as soon as it is read (a file of zero bytes fails in its
/// first mebibyte, not after filling memory).
fn read_bounded(reader: &mut impl Read, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    let mut line = 1u64;
    let mut line_start = 0u64;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, e)),
        };
        let offset = bytes.len() as u64;
        for (i, b) in chunk[..n].iter().enumerate() {
            if *b == b'\n' {
                line += 1;
                line_start = offset + i as u64 + 1;
            }
        }
        if offset + n as u64 - line_start > MAX_CSV_LINE {
            return Err(Error::parse(
                path,
                line,
                "(record)",
                format!(
                    "line is longer than {} MiB (starting at byte {line_start}), the limit of a \
                     CSV line: this is not a CSV table (binary or zero bytes?)",
                    MAX_CSV_LINE >> 20
                ),
            ));
        }
        if offset + n as u64 > limit {
            return Err(Error::io(
                path,
                std::io::Error::other(format!(
                    "is larger than {} MiB, the limit of a CSV table; split it into smaller files",
                    limit >> 20
                )),
            ));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    Ok(bytes)
}

/// The text of a small table (CSV, loci, fusions, BED) as UTF-8 bytes, read within
/// [`MAX_CSV_BYTES`] and [`MAX_CSV_LINE`]: gzip-compressed read decompressed, UTF-16
/// refused, not UTF-8 read as Windows-1252 (the flag says so); an empty (or only blank)
/// file refused.
///
/// # Errors
/// [`Error::Io`] when unreadable or too large; [`Error::Parse`] at line 1 for an empty,
/// damaged gzip or UTF-16 file.
pub(crate) fn table_bytes(reader: &mut impl Read, path: &Path) -> Result<(Vec<u8>, bool)> {
    let mut bytes = read_bounded(reader, path, MAX_CSV_BYTES)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        // A gzip-compressed table (`gzip file.csv`): read decompressed, bounded alike.
        let mut decoder = flate2::read::MultiGzDecoder::new(bytes.as_slice());
        bytes = read_bounded(&mut decoder, path, MAX_CSV_BYTES).map_err(|e| match e {
            Error::Io { source, .. } if source.kind() != std::io::ErrorKind::Other => Error::parse(
                path,
                1,
                "(file)",
                format!(
                    "the file is gzip-compressed but cannot be decompressed \
                         ({source}): it is cut or damaged; copy it again"
                ),
            ),
            other => other,
        })?;
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::parse(
            path,
            1,
            "(file)",
            "the file is empty: it has no header and no rows; nothing was ingested",
        ));
    }
    if bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]) {
        return Err(Error::parse(
            path,
            1,
            "(file)",
            "the file is UTF-16 text (Excel's 'Unicode Text'), which oncotrack does not \
             read: save it as 'CSV UTF-8'; nothing was ingested",
        ));
    }
    let windows_1252 = std::str::from_utf8(&bytes).is_err();
    if windows_1252 {
        bytes = windows_1252_to_utf8(&bytes);
    }
    Ok((bytes, windows_1252))
}

/// The lines of a small delimited table that is not read by column name (loci and
/// fusion lists): `(line number, cells)` for every line that is not blank, cells trimmed
/// and quotes around a cell removed (as pandas and R quote text; a quoted cell may hold
/// the separator). The separator
/// is told from the first line that is not blank: a tab, else `,`, else `;`, else runs of
/// spaces. A BOM, CRLF line ends, gzip and Windows-1252 are read as [`table_bytes`] reads
/// them.
///
/// # Errors
/// As [`table_bytes`]; a cell holding a quote that does not close, naming its line and
/// column.
pub(crate) fn small_table(path: &Path) -> Result<Vec<(u64, Vec<String>)>> {
    let (bytes, _) = table_bytes(&mut open_regular(path)?, path)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut separator: Option<Option<char>> = None;
    let mut lines = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let number = index as u64 + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let split = *separator
            .get_or_insert_with(|| ['\t', ',', ';'].into_iter().find(|c| line.contains(*c)));
        let cells = match split {
            Some(c) => split_quoted(line, c),
            None => Ok(line.split_whitespace().map(str::to_string).collect()),
        }
        .map_err(|column| {
            Error::parse(
                path,
                number,
                "record",
                format!(
                    "column {} opens a quote (\") that does not close on its line: remove the quote or close it",
                    column + 1
                ),
            )
        })?;
        lines.push((number, cells));
    }
    Ok(lines)
}

/// A line split at `separator` outside quotes, cells trimmed, a quoted cell's quotes
/// removed (`""` inside quotes is one quote); `Err(column)` (0-based) for a quote that
/// does not close.
fn split_quoted(line: &str, separator: char) -> std::result::Result<Vec<String>, usize> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                cells.push(cell.trim().to_string());
                cell.clear();
            }
            c => cell.push(c),
        }
    }
    if quoted {
        return Err(cells.len());
    }
    cells.push(cell.trim().to_string());
    Ok(cells)
}

/// A column name as loci, fusion and target tables write it, for matching: lower case,
/// a leading `#` and the separators ` `, `-`, `.` and `_` removed (`#CHROM`,
/// `Start_Position`, `start.position` and `chrom-a` read as `chrom`, `startposition`,
/// `startposition`, `chroma`).
pub(crate) fn column_key(name: &str) -> String {
    name.trim()
        .trim_start_matches('#')
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The lines of `bytes` with their 1-based numbers and byte offsets, a BOM and CR
/// removed.
fn text_lines(bytes: &[u8]) -> impl Iterator<Item = (u64, usize, &str)> {
    let mut offset = 0;
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .map(move |(i, raw)| {
            let start = offset;
            offset += raw.len() + 1;
            let text = std::str::from_utf8(raw).unwrap_or("");
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            (i as u64 + 1, start, text.strip_suffix('\r').unwrap_or(text))
        })
}

/// The cells of a line that are not empty, or `None` for a quote that does not close.
fn filled_cells(line: &str, delimiter: u8) -> Option<Vec<String>> {
    split_quoted(line, char::from(delimiter))
        .ok()
        .map(|cells| cells.into_iter().filter(|c| !c.is_empty()).collect())
}

/// A title or merged header row above the header, as spreadsheets export one (`Cytokine
/// panel (pg/mL);;;` over `patient;date;IL-6;IL-8`): the first line that is not blank has
/// empty cells and at most half of its cells filled, and the next one has more filled
/// cells. Refused (its unit or grouping would be lost), with the line and what to do.
fn title_row(bytes: &[u8], delimiter: u8) -> Option<(u64, String)> {
    let mut lines = text_lines(bytes).filter(|(_, _, t)| !t.trim().is_empty());
    let (number, _, first) = lines.next()?;
    let (next_number, _, next) = lines.next()?;
    let cells = split_quoted(first, char::from(delimiter)).ok()?;
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    let below = filled_cells(next, delimiter)?.len();
    (cells.len() > filled && filled * 2 <= cells.len() && below > filled).then(|| {
        (
            number,
            format!(
                "line {number} has {filled} of {} cells filled above line {next_number}, which \
                 has {below}: a title or a merged header row over the header, as a spreadsheet \
                 exports one; delete it so that the header is the first line (a unit it names \
                 goes into the column names, e.g. 'IL-6 (pg/mL)'); nothing was ingested",
                cells.len()
            ),
        )
    })
}

/// The lines at the end of a table that are notes, not rows (`Printed on 05.03.2024`,
/// `Total: 12 samples`, `Exported by xPONENT`): after the last row, each (blank lines
/// aside) with its first cell filled, holding a letter and a space or a colon, and every
/// other cell empty, in a table of two columns or more (a row cut short, `P3,,,`, or
/// `,,,a detail`, is none and stays an error). `(line, byte offset)` of each, first to last.
fn trailing_notes_of(bytes: &[u8], delimiter: u8) -> Vec<(u64, usize)> {
    let lines: Vec<(u64, usize, &str)> = text_lines(bytes).collect();
    let mut notes = Vec::new();
    // In a table of one column every row has one cell: none is a note.
    let columns = lines
        .iter()
        .find(|(_, _, t)| !t.trim().is_empty())
        .and_then(|(_, _, header)| split_quoted(header, char::from(delimiter)).ok())
        .map_or(0, |cells| cells.len());
    if columns < 2 {
        return notes;
    }
    for &(number, start, text) in lines.iter().skip(1).rev() {
        if text.trim().is_empty() {
            continue;
        }
        // The note in the first column (where a report's footer is written), every other
        // cell empty: `,,,some text` is a row without its key columns, and stays an error.
        let cells = split_quoted(text, char::from(delimiter)).unwrap_or_default();
        let note = cells.first().is_some_and(|first| {
            first.contains([' ', ':']) && first.chars().any(char::is_alphabetic)
        }) && cells.iter().skip(1).all(String::is_empty);
        if !note {
            break;
        }
        notes.push((number, start));
    }
    notes.reverse();
    notes
}

/// What reading a table as Windows-1252 touched: the cells (header included) holding a
/// character outside ASCII, which is where an 8-bit encoding other than Windows-1252
/// (a DOS code page, Mac Roman) would read differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows1252 {
    /// Cells holding a character outside ASCII.
    pub cells: usize,
    /// The first of them: its line and its column as the header names it.
    pub first: Option<(u64, String)>,
}

impl std::fmt::Display for Windows1252 {
    /// The notice a data manager reads: what was done, where, and what to check; no
    /// cell's content (a cell may hold a name).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not UTF-8, read as Windows-1252 (Latin-1, as Excel and laboratory software on \
             Windows save CSV)"
        )?;
        match &self.first {
            Some((line, column)) => write!(
                f,
                ": {} cell{} with special characters (first: line {line}, column '{column}'); \
                 check that they read right (µ, ä, é …), or save the file as CSV UTF-8",
                self.cells,
                if self.cells == 1 { "" } else { "s" }
            ),
            None => write!(
                f,
                "; check special characters, or save the file as CSV UTF-8"
            ),
        }
    }
}

/// What reading a CSV table noticed beside its rows, for the notices the command line
/// prints after a table is ingested ([`table_notices`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNotices {
    /// Whether the table was read as Windows-1252 (it is not UTF-8), and which cells
    /// that touched; `None` for a UTF-8 (or ASCII) table.
    pub windows_1252: Option<Windows1252>,
    /// The lines after the table read as notes, not rows ("Printed on …"; see the
    /// table reader): their line numbers.
    pub notes: Vec<u64>,
}

/// [`TableNotices`] of the CSV table at `path`. Reads the table once more (tables are
/// small), so the ingest itself is unchanged.
///
/// # Errors
/// As [`CsvInput`] opening the file (an unreadable or malformed table).
pub fn table_notices(path: &Path) -> Result<TableNotices> {
    let mut input = CsvInput::open(path, &[])?;
    let notes = std::mem::take(&mut input.notes);
    let windows_1252 = input.windows_1252.then(|| windows_1252_cells(&mut input));
    Ok(TableNotices {
        windows_1252,
        notes,
    })
}

/// The cells (header included) of a table read as Windows-1252 that hold a character
/// outside ASCII.
fn windows_1252_cells(input: &mut CsvInput) -> Windows1252 {
    let mut found = Windows1252 {
        cells: 0,
        first: None,
    };
    let mut note = |line: u64, column: String| {
        found.cells += 1;
        found.first.get_or_insert((line, column));
    };
    for (index, name) in input.headers.iter().enumerate() {
        if !name.is_ascii() {
            note(1, format!("column {}", index + 1));
        }
    }
    let mut record = csv::StringRecord::new();
    while let Ok(true) = input.reader.read_record(&mut record) {
        let line = line_of(
            input.reader.get_ref().get_ref(),
            &input.line_starts,
            record.position(),
        );
        for (index, cell) in record.iter().enumerate() {
            if !cell.is_ascii() {
                note(line, input.column_name(index));
            }
        }
    }
    found
}

/// A CSV file read by column name: names are trimmed and matched case-insensitively,
/// so column order is free and real exports' trailing spaces do no harm. Held in
/// memory: tables of patients, events, cytokines and lesions are small (the large
/// formats, VCF and BAM, are streamed by their own readers).
pub(crate) struct CsvInput {
    path: PathBuf,
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    columns: HashMap<String, usize>,
    /// Column names as written in the header, trimmed, in file order.
    headers: Vec<String>,
    /// Byte offset at which each line starts (csv's own line count skips blank lines).
    line_starts: Vec<u64>,
    /// The field separator, told from the header line (`,`, `;` or tab).
    delimiter: u8,
    /// Records (not blank) passed to `for_each` so far.
    records: u64,
    /// Whether the bytes were not UTF-8 and were read as Windows-1252.
    windows_1252: bool,
    /// Lines after the table holding one note each ("Printed on …"), not read as rows.
    notes: Vec<u64>,
}

/// One CSV record with its 1-based line number (the header is line 1).
pub(crate) struct CsvRecord<'a> {
    input: &'a CsvInput,
    record: csv::StringRecord,
    /// Line number of the record in the file.
    pub line: u64,
}

impl CsvInput {
    /// Opens a CSV file and checks that the `required` columns are present.
    pub(crate) fn open(path: &Path, required: &[&str]) -> Result<CsvInput> {
        CsvInput::from_reader(open_regular(path)?, path, required)
    }

    /// Reads CSV from `reader`, naming `path` in errors (unit tests pass inline bytes),
    /// and checks that the `required` columns are present.
    pub(crate) fn from_reader(
        mut reader: impl Read,
        path: &Path,
        required: &[&str],
    ) -> Result<CsvInput> {
        let (mut bytes, windows_1252) = table_bytes(&mut reader, path)?;
        let delimiter = sniff_delimiter(&bytes);
        if let Some((line, message)) = title_row(&bytes, delimiter) {
            return Err(Error::parse(path, line, "(header)", message));
        }
        let notes = trailing_notes_of(&bytes, delimiter);
        if let Some(&(_, start)) = notes.first() {
            bytes.truncate(start);
        }
        let line_starts = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i as u64 + 1),
            )
            .collect::<Vec<u64>>();
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(std::io::Cursor::new(bytes));
        let headers = match reader.headers() {
            Ok(headers) => headers.clone(),
            Err(e) => {
                return Err(csv_error(path, e, reader.get_ref().get_ref(), &line_starts));
            }
        };
        if let Some((index, c)) = headers.iter().enumerate().find_map(|(i, name)| {
            name.chars()
                .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                .map(|c| (i, c))
        }) {
            return Err(Error::parse(
                path,
                1,
                "(header)",
                format!(
                    "column {} of the header holds the control character U+{:04X}, which is not text: the file is damaged or not a CSV table (is this a binary file?)",
                    index + 1,
                    u32::from(c)
                ),
            ));
        }
        let mut columns = HashMap::new();
        for (index, name) in headers.iter().enumerate() {
            let key = name.trim().to_ascii_lowercase();
            if !key.is_empty() && columns.insert(key.clone(), index).is_some() {
                return Err(Error::parse(path, 1, name, "column appears twice"));
            }
        }
        for name in required {
            if !columns.contains_key(*name) {
                return Err(Error::parse(
                    path,
                    1,
                    name,
                    format!(
                        "required column is missing (header has: {})",
                        headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        }
        Ok(CsvInput {
            path: path.to_path_buf(),
            reader,
            columns,
            headers: headers.iter().map(|h| h.trim().to_string()).collect(),
            line_starts,
            delimiter,
            records: 0,
            windows_1252,
            notes: notes.into_iter().map(|(line, _)| line).collect(),
        })
    }

    /// Looks columns up by `key(name as written)` instead of the lower-cased name
    /// (`Longest Diameter (mm)` as `longest_diameter_mm`); an empty key leaves the
    /// column out of the lookup.
    ///
    /// # Errors
    /// Two columns whose names give one key, naming both.
    pub(crate) fn rekey(&mut self, key: impl Fn(&str) -> String) -> Result<()> {
        let mut columns: HashMap<String, usize> = HashMap::new();
        for (index, name) in self.headers.iter().enumerate() {
            let k = key(name);
            if k.is_empty() {
                continue;
            }
            if let Some(first) = columns.insert(k.clone(), index) {
                return Err(Error::parse(
                    &self.path,
                    1,
                    name,
                    format!(
                        "column {} '{}' and column {} '{name}' both name '{k}': keep one",
                        first + 1,
                        self.headers[first],
                        index + 1
                    ),
                ));
            }
        }
        self.columns = columns;
        Ok(())
    }

    /// An error unless `for_each` has read a record: a table with a header and no rows
    /// (an export cut short or run on an empty selection) holds no `what` and is
    /// refused, never read as "nothing measured".
    ///
    /// # Errors
    /// [`Error::Parse`] at line 2 when no record was read.
    pub(crate) fn require_rows(&self, what: &str) -> Result<()> {
        if self.records > 0 {
            return Ok(());
        }
        Err(Error::parse(
            &self.path,
            2,
            "(file)",
            format!(
                "the file has a header and no rows, so no {what}: nothing was ingested (an \
                 export cut short, or run on an empty selection? export it again)"
            ),
        ))
    }

    /// The column names as written in the header (trimmed, case kept), in file order.
    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The header's column names as written (trimmed), in file order.
    pub(crate) fn column_names(&mut self) -> Vec<String> {
        self.reader
            .headers()
            .map(|h| h.iter().map(|n| n.trim().to_string()).collect())
            .unwrap_or_default()
    }

    /// Calls `each` for every record, stopping at the first error.
    pub(crate) fn for_each(
        &mut self,
        mut each: impl FnMut(&CsvRecord<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut record = csv::StringRecord::new();
        loop {
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {
                    let line = line_of(
                        self.reader.get_ref().get_ref(),
                        &self.line_starts,
                        record.position(),
                    );
                    if record.iter().all(str::is_empty) {
                        continue;
                    }
                    // NUL and other control characters are not text (SQLite's text
                    // functions stop at a NUL): refused in every cell, tab and line
                    // ends inside quotes excepted.
                    if let Some((index, c)) = record.iter().enumerate().find_map(|(i, cell)| {
                        cell.chars()
                            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                            .map(|c| (i, c))
                    }) {
                        return Err(Error::parse(
                            &self.path,
                            line,
                            &self.column_name(index),
                            format!(
                                "holds the control character U+{:04X}, which is not text; \
                                 remove it (is this a binary file?)",
                                u32::from(c)
                            ),
                        ));
                    }
                    if self.delimiter == b';' {
                        record = self.decimal_points(&record, line)?;
                    }
                    self.records += 1;
                    let current = CsvRecord {
                        input: self,
                        record: std::mem::take(&mut record),
                        line,
                    };
                    each(&current)?;
                    record = current.record;
                }
                Err(e) => {
                    let bytes = self.reader.get_ref().get_ref();
                    return Err(csv_error(&self.path, e, bytes, &self.line_starts));
                }
            }
        }
    }
}

impl CsvInput {
    /// The header of the column at `index` (0-based), or `column N` past the header.
    fn column_name(&self, index: usize) -> String {
        self.headers
            .get(index)
            .map_or_else(|| format!("column {}", index + 1), String::clone)
    }

    /// A record of a semicolon-separated table (Excel's CSV in locales whose decimal
    /// separator is the comma: de, fr, it, es, nl …) with every number written with a
    /// decimal comma (`3,5`, `<3,2`, `-0,5`) rewritten with a point. A number that
    /// groups thousands (`1.234,5`, `1.234`) is refused: `1.234` may be 1.234 or 1234.
    fn decimal_points(&self, record: &csv::StringRecord, line: u64) -> Result<csv::StringRecord> {
        let mut out = csv::StringRecord::with_capacity(record.as_slice().len(), record.len());
        for (index, cell) in record.iter().enumerate() {
            match decimal_comma_cell(cell) {
                Ok(Some(rewritten)) => out.push_field(&rewritten),
                Ok(None) => out.push_field(cell),
                Err(message) => {
                    return Err(Error::parse(
                        &self.path,
                        line,
                        &self.column_name(index),
                        format!("'{cell}': {message}"),
                    ));
                }
            }
        }
        out.set_position(record.position().cloned());
        Ok(out)
    }
}

/// Text in Windows-1252 (Latin-1 with printable 0x80–0x9F), as Excel and laboratory
/// software on Windows write CSV, as UTF-8. Used for a table that is not valid UTF-8:
/// every byte is a character there (`0xB5` is `µ`), and the five bytes it leaves
/// undefined become C1 control characters, which the reader then refuses as not text.
fn windows_1252_to_utf8(bytes: &[u8]) -> Vec<u8> {
    const HIGH: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let text: String = bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => char::from_u32(HIGH[usize::from(b - 0x80)]).unwrap_or('\u{FFFD}'),
            _ => char::from(b),
        })
        .collect();
    text.into_bytes()
}

/// Why a number with a comma in a comma- or tab-separated table is refused.
pub(crate) const COMMA_IN_NUMBER: &str = "a number with a comma: in a comma- or \
     tab-separated table the comma may be a decimal comma (3,5) or group thousands (1,234), \
     and oncotrack does not guess which; write it with a decimal point and no thousands \
     separator (3.5, 1234), or export the table separated by semicolons, where the comma is \
     the decimal separator";

/// Whether `text` is a number written with a comma (`3,5`, `1,234.5`, `<3,2`): digits,
/// commas and points only (after a sign or censoring mark), a comma among them.
pub(crate) fn is_comma_number(text: &str) -> bool {
    let body = text.trim_start_matches(['<', '>', '=', ' ', '-', '+']);
    body.contains(',')
        && body.starts_with(|c: char| c.is_ascii_digit())
        && body
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
}

/// The field separator of a CSV table: the one of `,`, `;` and tab that the header
/// line (outside quotes) holds most often; `,` when none or a tie with it.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let header = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let [comma, semicolon, tab] = counts;
    if semicolon > comma && semicolon >= tab {
        b';'
    } else if tab > comma && tab > semicolon {
        b'\t'
    } else {
        b','
    }
}

/// A cell of a semicolon-separated table read with the decimal comma: `Some` with the
/// number written with a point when it is one with a comma (`3,5`, `< 3,2`, `>5000,0`),
/// `None` when it is something else (text, an integer, `12.5`).
///
/// # Errors
/// A number with a thousands separator (`1.234,5`, `1 234,5`, or `1.234`, which may be
/// 1.234 or 1234): the reader does not guess which.
fn decimal_comma_cell(cell: &str) -> Result<Option<String>, String> {
    let body = cell.trim_start_matches(['<', '>', '=', '≤', '≥', ' ']);
    let prefix = &cell[..cell.len() - body.len()];
    let unsigned = body.strip_prefix(['-', '+']).unwrap_or(body);
    if unsigned.is_empty()
        || !unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
    {
        return Ok(None);
    }
    if !unsigned.starts_with(|c: char| c.is_ascii_digit()) {
        return Ok(None);
    }
    let commas = unsigned.matches(',').count();
    let points = unsigned.matches('.').count();
    let ambiguous = || {
        Err(
            "the number groups thousands with '.', which a semicolon-separated table with \
             decimal commas leaves ambiguous (1.234 is 1.234 or 1234): write it without a \
             thousands separator (1234,5)"
                .to_string(),
        )
    };
    match (commas, points) {
        (0, 0) => Ok(None),
        (1, 0) => Ok(Some(format!("{prefix}{}", body.replacen(',', ".", 1)))),
        (0, 1) => {
            // `12.5` is a decimal point, but `1.234` groups thousands or not.
            let (int, frac) = unsigned.split_once('.').unwrap_or_default();
            if frac.len() == 3 && !int.is_empty() && !int.starts_with('0') && int.len() <= 3 {
                ambiguous()
            } else {
                Ok(None)
            }
        }
        (0, _) | (_, 0) => {
            // `1.234.567` groups thousands; `01.03.2024` (a date) or `1,2,3` does not.
            let thousands = unsigned
                .split(['.', ','])
                .skip(1)
                .all(|group| group.len() == 3);
            if thousands { ambiguous() } else { Ok(None) }
        }
        _ => ambiguous(),
    }
}

impl CsvRecord<'_> {
    /// The trimmed value of a column; `None` when the column is absent or the cell empty.
    pub(crate) fn get(&self, column: &str) -> Option<&str> {
        let index = *self.input.columns.get(column)?;
        self.record.get(index).filter(|v| !v.is_empty())
    }

    /// The trimmed value in column `index` (file order); `None` when the cell is empty.
    pub(crate) fn get_at(&self, index: usize) -> Option<&str> {
        self.record.get(index).filter(|v| !v.is_empty())
    }

    /// The value of a required column.
    pub(crate) fn required(&self, column: &str) -> Result<&str> {
        self.get(column)
            .ok_or_else(|| self.error(column, "empty, a value is required"))
    }

    /// Parses an optional column with `parse`, naming the column in the error.
    pub(crate) fn parse_opt<T>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>> {
        self.get(column)
            .map(|v| parse(v).map_err(|m| self.error(column, format!("'{v}': {m}"))))
            .transpose()
    }

    /// Parses a required date (`YYYY-MM-DD`, or another unambiguous form: see
    /// `dates::file_date`) that may not lie after `today` (a
    /// measurement cannot come from the future: such a date is a typo) nor before 1900
    /// (`dates::past_date`).
    pub(crate) fn past_date(
        &self,
        column: &str,
        today: chrono::NaiveDate,
    ) -> Result<chrono::NaiveDate> {
        let text = self.required(column)?;
        dates::past_date(text, today).map_err(|m| {
            let message = if m.starts_with("lies ") {
                format!("'{text}' {m}")
            } else {
                format!("'{text}': {m}")
            };
            self.error(column, message)
        })
    }

    /// An error at this record, in `column` (a lower-case name the format module
    /// looks up), named as the file's header writes it (`IL-6 `, `Patient_ID`).
    pub(crate) fn error(&self, column: &str, message: impl Into<String>) -> Error {
        let written = self
            .input
            .columns
            .get(column)
            .and_then(|&i| self.input.headers.get(i))
            .map_or(column, String::as_str);
        Error::parse(&self.input.path, self.line, written, message)
    }
}

/// The 1-based line on which a csv position lies, from its byte offset (csv counts
/// blank lines before a record as part of it: they are skipped here).
fn line_of(bytes: &[u8], line_starts: &[u64], position: Option<&csv::Position>) -> u64 {
    position.map_or(0, |p| {
        let mut byte = p.byte() as usize;
        while matches!(bytes.get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        line_starts.partition_point(|start| *start <= byte as u64) as u64
    })
}

fn csv_error(path: &Path, e: csv::Error, bytes: &[u8], line_starts: &[u64]) -> Error {
    let line = line_of(bytes, line_starts, e.position());
    let error = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Error::parse(
            path,
            line,
            "(record)",
            format!("has {len} fields where the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { err, .. } => Error::parse(
            path,
            line,
            &format!("column {}", err.field() + 1),
            "not valid UTF-8 text",
        ),
        // The csv error (holding the I/O error) is kept whole as the cause.
        csv::ErrorKind::Io(_) => return Error::io(path, std::io::Error::other(e)),
        _ => Error::parse(path, line, "(record)", e.to_string()),
    };
    error.caused_by(e)
}

/// Helpers for the unit tests of the format modules.
#[cfg(test)]
pub(crate) mod testing {
    use std::io::Write;

    /// A temporary file holding `content`.
    pub(crate) fn file(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    #[test]
    fn csv_line_longer_than_the_limit_is_refused_with_its_line() {
        let mut bytes = b"patient,date,kind\nP1,2024-01-01,death\n".to_vec();
        bytes.extend(std::iter::repeat_n(
            0u8,
            (super::MAX_CSV_LINE + 10) as usize,
        ));
        let error = super::CsvInput::from_reader(
            bytes.as_slice(),
            std::path::Path::new("e.csv"),
            &["patient"],
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            error.starts_with(
                "e.csv: line 3: field '(record)': line is longer than 1 MiB (starting at byte 38)"
            ),
            "{error}"
        );
    }

    #[test]
    fn empty_csv_and_a_header_of_zero_bytes_are_named_not_missing_columns() {
        let open = |bytes: &[u8]| {
            super::CsvInput::from_reader(bytes, std::path::Path::new("p.csv"), &["patient"])
                .err()
                .unwrap()
                .to_string()
        };
        assert_eq!(
            open(b""),
            "p.csv: line 1: field '(file)': the file is empty: it has no header and no rows; nothing was ingested"
        );
        assert_eq!(open(b" \n\n"), open(b""));
        assert!(
            open(&[0u8; 300]).starts_with(
                "p.csv: line 1: field '(header)': column 1 of the header holds the control character U+0000"
            ),
            "{}",
            open(&[0u8; 300])
        );
    }

    #[test]
    fn csv_cell_with_a_nul_byte_is_refused_naming_its_column() {
        let data: &[u8] = b"patient,diagnosis\nP1\0,osteosarcoma\n";
        let mut input =
            super::CsvInput::from_reader(data, std::path::Path::new("p.csv"), &["patient"])
                .unwrap();
        let error = input.for_each(|_| Ok(())).unwrap_err().to_string();
        assert_eq!(
            error,
            "p.csv: line 2: field 'patient': holds the control character U+0000, which is not \
             text; remove it (is this a binary file?)"
        );
    }

    fn read_all(bytes: &[u8], required: &[&str]) -> crate::error::Result<Vec<Vec<String>>> {
        let mut input =
            super::CsvInput::from_reader(bytes, std::path::Path::new("t.csv"), required)?;
        let headers = input.headers().to_vec();
        let mut rows = vec![headers];
        input.for_each(|r| {
            rows.push(
                (0..rows[0].len())
                    .map(|i| r.get_at(i).unwrap_or("").to_string())
                    .collect(),
            );
            Ok(())
        })?;
        Ok(rows)
    }

    #[test]
    fn semicolon_and_tab_separated_tables_are_read_by_their_header() {
        let rows = read_all(
            b"patient;date;value;note\nP1;01.03.2024;3,5;a, b\nP1;2024-03-01;<3,2;12.5\n",
            &["patient", "value"],
        )
        .unwrap();
        assert_eq!(rows[0], ["patient", "date", "value", "note"]);
        assert_eq!(rows[1], ["P1", "01.03.2024", "3.5", "a, b"]);
        assert_eq!(rows[2], ["P1", "2024-03-01", "<3.2", "12.5"]);
        let rows = read_all(b"patient\tvalue\nP1\t3.5\n", &["patient", "value"]).unwrap();
        assert_eq!(rows[1], ["P1", "3.5"]);
        // A comma-separated table keeps its quoted comma as written (the parsers refuse it).
        let rows = read_all(b"patient,value\nP1,\"3,5\"\n", &["value"]).unwrap();
        assert_eq!(rows[1], ["P1", "3,5"]);
        for (cell, expected) in [
            ("1.234,5", "'1.234,5'"),
            ("1.234", "'1.234'"),
            ("1,234.5", "'1,234.5'"),
        ] {
            let text = format!("patient;value\nP1;{cell}\n");
            let error = read_all(text.as_bytes(), &[]).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!(
                    "t.csv: line 2: field 'value': {expected}: the number groups thousands"
                )),
                "{error}"
            );
        }
    }

    #[test]
    fn a_header_without_rows_is_refused_by_every_measurement_table() {
        let today = today();
        let path = std::path::Path::new("h.csv");
        let errors = [
            crate::ingest::lesions::read_from(
                &b"patient,date,modality,lesion\n\n"[..],
                path,
                today,
            )
            .err(),
            crate::ingest::events::read_from(&b"patient,date,kind\n"[..], path, today).err(),
            crate::ingest::patients::read_from(&b"patient,diagnosis\r\n"[..], path).err(),
        ];
        for error in errors {
            let error = error.map(|e| e.to_string()).unwrap_or_default();
            assert!(
                error.starts_with(
                    "h.csv: line 2: field '(file)': the file has a header and no rows"
                ),
                "{error}"
            );
        }
        let f = file("patient,date,analyte,value\n");
        let options = crate::ingest::cytokines::Options::new(today);
        let error = crate::ingest::cytokines::read(f.path(), &options)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("the file has a header and no rows, so no samples"),
            "{error}"
        );
        let f = file("patient,date,IL-6\nLLOQ,,1.5\n");
        let error = crate::ingest::cytokines::read(f.path(), &options)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("1 limits rows and no sample rows"),
            "{error}"
        );
    }

    #[test]
    fn a_latin1_table_is_read_as_windows_1252_and_utf16_is_refused() {
        let rows = read_all(b"analyte,unit\nIL-6,\xb5g/mL\nTNF-\x80,x\n", &["unit"]).unwrap();
        assert_eq!(rows[1], ["IL-6", "µg/mL"]);
        assert_eq!(rows[2], ["TNF-€", "x"]);
        // UTF-8 stays as it is (a µ of two bytes is not read as two Latin-1 characters).
        let rows = read_all("analyte,unit\nIL-6,µg/mL\n".as_bytes(), &["unit"]).unwrap();
        assert_eq!(rows[1], ["IL-6", "µg/mL"]);
        let error = read_all(b"\xff\xfea\x00,\x00b\x00\n\x00", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("UTF-16"), "{error}");
    }

    #[test]
    fn a_table_read_as_windows_1252_counts_the_cells_it_touched() {
        let f = file("analyte,unit\nIL-6,pg/mL\nIL-8,ng/mL\n");
        assert_eq!(super::table_notices(f.path()).unwrap().windows_1252, None);
        let f = file("analyte,unit\nIL-6,µg/mL\n");
        assert_eq!(
            super::table_notices(f.path()).unwrap().windows_1252,
            None,
            "UTF-8"
        );
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"Analyt,Einheit\nIL-6,pg/mL\nIL-8,\xb5g/mL\nTNF-\xe4,\xb5g/mL\n")
            .unwrap();
        let found = super::table_notices(f.path())
            .unwrap()
            .windows_1252
            .unwrap();
        assert_eq!(found.cells, 3);
        assert_eq!(found.first, Some((3, "Einheit".to_string())));
        assert_eq!(
            found.to_string(),
            "not UTF-8, read as Windows-1252 (Latin-1, as Excel and laboratory software on \
             Windows save CSV): 3 cells with special characters (first: line 3, column \
             'Einheit'); check that they read right (µ, ä, é …), or save the file as CSV UTF-8"
        );
    }

    #[test]
    fn notes_after_the_table_are_not_rows_and_a_title_row_above_it_is_refused() {
        let rows = read_all(
            b"patient;date;IL-6\r\nP1;2024-03-01;3,5\r\n;;\r\nGedruckt am 05.03.2024;;\r\nTotal: 1;;\r\n",
            &["patient"],
        )
        .unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        let f = file("patient,date,IL-6\nP1,2024-03-01,3\n\nPrinted on 05.03.2024 by LIS\n");
        assert_eq!(super::table_notices(f.path()).unwrap().notes, [4]);
        // A table of one column has no notes; a row cut short is no note: it stays an error.
        let rows = read_all(b"name\nJohn Smith\nJane Doe\n", &[]).unwrap();
        assert_eq!(rows.len(), 3);
        let f = file("patient,date,IL-6\nP1,2024-03-01,3\nP3,,\n");
        assert!(super::table_notices(f.path()).unwrap().notes.is_empty());
        let f = file("patient,date,detail\nP1,2024-03-01,x\n,,a detail\n");
        assert!(super::table_notices(f.path()).unwrap().notes.is_empty());
        for (text, needle) in [
            (
                &b"Cytokine panel (pg/mL),,\npatient,date,IL-6\nP1,2024-03-01,3\n"[..],
                "t.csv: line 1: field '(header)': line 1 has 1 of 3 cells filled above line 2, \
                 which has 3: a title or a merged header row",
            ),
            (
                &b"Sample,,Cytokines,\npatient,date,IL-6,IL-8\nP1,2024-03-01,3,4\n"[..],
                "line 1 has 2 of 4 cells filled above line 2",
            ),
        ] {
            let error = read_all(text, &[]).unwrap_err().to_string();
            assert!(error.contains(needle), "{error}");
        }
        // A pandas index column (an empty first name) is a header, not a title.
        let rows = read_all(b",patient,value\n0,P1,3\n", &["patient"]).unwrap();
        assert_eq!(rows[1], ["0", "P1", "3"]);
    }

    #[test]
    fn a_gzip_compressed_table_is_read_decompressed() {
        use flate2::write::GzEncoder;
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(b"patient,value\nP1,3.5\n").unwrap();
        let bytes = encoder.finish().unwrap();
        let rows = read_all(&bytes, &["patient"]).unwrap();
        assert_eq!(rows[1], ["P1", "3.5"]);
        let error = read_all(&bytes[..bytes.len() - 12], &["patient"])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("gzip-compressed but cannot be decompressed"),
            "{error}"
        );
    }

    #[test]
    fn csv_table_larger_than_the_limit_is_refused() {
        let mut endless = std::io::repeat(b'\n');
        let error = super::read_bounded(&mut endless, std::path::Path::new("e.csv"), 2 << 20)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("larger than 2 MiB"), "{error}");
    }

    /// The "today" of the unit tests (dates after it are in the future).
    pub(crate) fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }
}
