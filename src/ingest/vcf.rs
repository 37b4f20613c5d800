//! Somatic variant calls from plain or bgzipped VCF 4.1–4.3 of every common caller, streamed; agrees with `bcftools query`.
//!
//! The caller is detected from the header (or forced), the tumour sample chosen, and
//! each record split into one [`Call`] per ALT allele with its allele fraction, alt
//! and ref reads and depth taken exactly as DESIGN.md's table says for that caller.
//! The lazy `noodles_vcf::Record` is used so that a field noodles would reject is
//! reported with its record, line and field instead of failing the whole file
//! blindly. The reference script `tests/reference/liquid/vcf_expected.sh` extracts
//! the same numbers with `bcftools query`.
//!
//! Structural-variant records (symbolic alleles, breakends) go to [`sv`] instead and
//! are handed over, breakend pairs joined, by [`CallReader::structural_variants`].

mod caller;
pub mod sv;

/// The variant type, defined in `model` (re-exported here for the readers of loci lists).
pub use crate::model::Locus;
pub use caller::Caller;
pub use sv::{Paired, SvCaller};

use crate::error::{Error, Result};
use noodles::vcf;
use noodles::vcf::variant::record::AlternateBases as _;
use noodles::vcf::variant::record::samples::series::Value as SampleValue;
use noodles::vcf::variant::record::samples::series::value::Array as SampleArray;
use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// How a VCF is to be read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Force a caller instead of detecting it from the header.
    pub caller: Option<Caller>,
    /// The tumour sample's column name, overriding the header.
    pub sample: Option<String>,
    /// Also read each call's somatic status ([`Call::somatic`]) and the alt reads
    /// of the matched normal ([`Call::normal_alt_reads`]): what `--track` chooses by.
    pub somatic: bool,
}

/// How the caller was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerOrigin {
    /// Found in the header.
    Detected,
    /// Given with `--caller`.
    Forced,
    /// Not recognisable: generic AF / AD handling.
    Fallback,
}

/// One ALT allele of one record in the tumour sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// 1-based number of the data record (header lines not counted).
    pub record: u64,
    /// 1-based line number in the (decompressed) file.
    pub line: u64,
    /// The variant, contig normalised.
    pub locus: Locus,
    /// The contig as written in the file.
    pub chrom_raw: String,
    /// Gene symbol from `ANN` (SnpEff) or `CSQ` (VEP).
    pub gene: Option<String>,
    /// Protein change (HGVS.p) from `ANN` or `CSQ`.
    pub protein_change: Option<String>,
    /// Variant allele fraction in the tumour sample (0..=1).
    pub vaf: Option<f64>,
    /// Reads supporting this ALT.
    pub alt_reads: Option<u32>,
    /// Reads supporting REF.
    pub ref_reads: Option<u32>,
    /// Read depth (FORMAT DP when present, else REF plus every ALT's reads).
    pub depth: Option<u32>,
    /// The field or tier the allele fraction came from (e.g. `FORMAT/AF`, `tier1 TU/(CU+TU)`).
    pub vaf_source: Cow<'static, str>,
    /// FILTER as written (`PASS`, `.`, or the failed filters joined by `;`).
    pub filter: String,
    /// QUAL, when given.
    pub qual: Option<f64>,
    /// The tumour sample's genotype is given and holds the reference allele only
    /// (`0/0`, `0|0`, `0`): the caller says the ALT is not in the sample.
    pub genotype_ref: bool,
    /// The caller's somatic status of the call (read with [`Options::somatic`],
    /// else [`Somatic::NotGiven`]).
    pub somatic: Somatic,
    /// Reads of this ALT in the matched normal column, when there is one and it
    /// says (read with [`Options::somatic`]).
    pub normal_alt_reads: Option<u32>,
}

impl Call {
    /// Whether the record passed its filters (`PASS` or `.`).
    pub fn passed(&self) -> bool {
        self.filter == "PASS" || self.filter == "."
    }

    /// Whether the ALT was seen in the tumour sample: at least one alt read (a
    /// VAF above 0 when the caller gives no read counts) and, when the caller gives
    /// a genotype, one other than reference only (0/0). A call of 0 alt reads is
    /// stored as not detected, with its depth.
    pub fn detected(&self) -> bool {
        let seen = match self.alt_reads {
            Some(alt) => alt >= 1,
            None => self.vaf.is_none_or(|v| v > 0.0),
        };
        seen && !self.genotype_ref
    }
}

/// A caller's somatic status of a call, each caller's own way of saying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Somatic {
    /// Somatic, and how the caller said so (`STATUS=StrongSomatic`, `SS=2`,
    /// `somatic caller`).
    Yes(Cow<'static, str>),
    /// Not somatic, as the caller wrote it (`STATUS=Germline`, `SS=1`).
    No(Cow<'static, str>),
    /// The caller gives no somatic status (a tumour-only or germline caller's file),
    /// or it was not asked for.
    NotGiven,
}

pub use crate::model::locus::normalize_contig;

/// A `BufRead` that counts the lines consumed through it while `counting` is on
/// (the header's length, so records get their file line numbers).
struct LineCounter<R> {
    inner: R,
    lines: u64,
    counting: bool,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.counting {
            self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        }
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if self.counting
            && let Ok(buf) = self.inner.fill_buf()
        {
            let end = amount.min(buf.len());
            self.lines += buf[..end].iter().filter(|b| **b == b'\n').count() as u64;
        }
        self.inner.consume(amount);
    }
}

/// The longest line (header line or record) a VCF may have: 16 MiB. A line this long
/// would hold the genotypes of a million samples; what is longer is
/// refused where it starts, so hostile input (a header followed by gigabytes without a
/// newline) fails at once instead of being gathered into memory.
pub const MAX_LINE_BYTES: u64 = 16 << 20;

/// What made [`Guard`] stop: a NUL byte (no text VCF has one) or an over-long line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// A NUL byte at this 0-based offset of the (decompressed) text.
    Nul(u64),
    /// A line starting at this offset grew past [`MAX_LINE_BYTES`].
    Long(u64),
}

impl Fault {
    /// The byte offset and the message of the fault.
    fn explain(self) -> (u64, String) {
        match self {
            Fault::Nul(at) => (
                at,
                "a NUL byte: a VCF is text, so the file is damaged here or is not a VCF (zero bytes after a crash or a failed copy); copy it again from its source".to_string(),
            ),
            Fault::Long(at) => (
                at,
                format!(
                    "the line starting here is longer than {} MiB, the limit of a VCF line: the file is damaged (no line ends) or is not a VCF",
                    MAX_LINE_BYTES >> 20
                ),
            ),
        }
    }
}

/// A `BufRead` over the VCF's text that bounds each line to [`MAX_LINE_BYTES`], stops at
/// the first NUL byte, and remembers how the text ended (whether its last line had a
/// newline, and how many columns that line had), so a truncated last record is caught.
struct Guard<R> {
    inner: R,
    /// Bytes consumed so far.
    offset: u64,
    /// Offset at which the current line starts.
    line_start: u64,
    /// Bytes at the front of the inner buffer already checked.
    clean: usize,
    /// Tabs in the current line so far.
    tabs: u64,
    /// The last byte consumed.
    last_byte: Option<u8>,
    /// The end of the text was reached.
    eof: bool,
    fault: Option<Fault>,
}

impl<R: BufRead> Guard<R> {
    fn new(inner: R) -> Self {
        Guard {
            inner,
            offset: 0,
            line_start: 0,
            clean: 0,
            tabs: 0,
            last_byte: None,
            eof: false,
            fault: None,
        }
    }

    /// When the text ended without a newline after its last line: that line's columns.
    fn unterminated_columns(&self) -> Option<u64> {
        (self.eof && self.last_byte.is_some_and(|b| b != b'\n')).then_some(self.tabs + 1)
    }
}

impl<R: BufRead> Read for Guard<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Guard<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.clean == 0 {
            if let Some(fault) = self.fault {
                let (at, message) = fault.explain();
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("byte {at}: {message}"),
                ));
            }
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                self.eof = true;
            }
            let mut line_length = self.offset - self.line_start;
            let mut line_start = self.line_start;
            let mut stop = buf.len();
            let mut fault = None;
            for (i, byte) in buf.iter().enumerate() {
                let at = self.offset + i as u64;
                match byte {
                    0 => {
                        fault = Some(Fault::Nul(at));
                        stop = i;
                        break;
                    }
                    b'\n' => {
                        line_length = 0;
                        line_start = at + 1;
                    }
                    _ => {
                        line_length += 1;
                        if line_length > MAX_LINE_BYTES {
                            fault = Some(Fault::Long(line_start));
                            stop = i;
                            break;
                        }
                    }
                }
            }
            self.clean = stop;
            self.fault = fault;
            if stop == 0
                && let Some(fault) = fault
            {
                let (at, message) = fault.explain();
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("byte {at}: {message}"),
                ));
            }
        }
        let buf = self.inner.fill_buf()?;
        Ok(&buf[..self.clean.min(buf.len())])
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.clean);
        if let Ok(buf) = self.inner.fill_buf() {
            for (i, byte) in buf[..amount.min(buf.len())].iter().enumerate() {
                match byte {
                    b'\n' => {
                        self.line_start = self.offset + i as u64 + 1;
                        self.tabs = 0;
                    }
                    b'\t' => self.tabs += 1,
                    _ => {}
                }
                self.last_byte = Some(*byte);
            }
        }
        self.offset += amount as u64;
        self.clean -= amount;
        self.inner.consume(amount);
    }
}

/// Checks the first bytes of the (decompressed) text before the header is parsed, so an
/// empty file, binary data or a text file of another kind is named as such (noodles
/// would say "empty input" of all three). A UTF-8 byte-order mark is skipped.
fn check_start(path: &Path, input: &mut LineCounter<Guard<Input>>) -> Result<()> {
    let fail = |e: io::Error| Error::parse(path, 1, "header", e.to_string()).caused_by(e);
    if input
        .fill_buf()
        .map_err(fail)?
        .starts_with(&[0xEF, 0xBB, 0xBF])
    {
        input.consume(3);
    }
    let head = input.fill_buf().map_err(fail)?;
    let shown: String = head
        .iter()
        .take_while(|&&b| b != b'\n' && b != b'\r')
        .take(32)
        .map(|&b| {
            if b.is_ascii_graphic() || b == b' ' {
                char::from(b)
            } else {
                '.'
            }
        })
        .collect();
    let message = if head.is_empty() {
        "the file holds no text: it is empty; nothing to ingest (was the caller's output written?)"
            .to_string()
    } else if head.starts_with(b"#") {
        return Ok(());
    } else if head
        .iter()
        .take(512)
        .any(|&b| b < 0x09 || (0x0e..0x20).contains(&b) || b == 0x7f)
    {
        format!(
            "not a VCF: it starts with binary data ('{shown}'), where a VCF starts with '##fileformat=VCF'; check that this is the caller's VCF (a BAM, an index or a damaged file?)"
        )
    } else {
        format!(
            "not a VCF: its first line starts with '{shown}', where a VCF starts with '##fileformat=VCF'; check that this is the caller's VCF"
        )
    };
    Err(Error::parse(path, 1, "header", message))
}

/// The bytes of a VCF: plain text, BGZF (bgzip) or plain gzip (`gzip file.vcf`,
/// which bcftools reads too). A failure of the decompression says which of the two
/// it is and where.
enum Input {
    Plain(BufReader<File>),
    Bgzf(noodles::bgzf::io::Reader<BufReader<File>>),
    Gzip(Box<BufReader<flate2::bufread::MultiGzDecoder<Counted<BufReader<File>>>>>),
    /// The file with its first line (`##fileformat=`) replaced ([`Input::relabelled`]).
    Relabelled(Box<io::Chain<io::Cursor<Vec<u8>>, Input>>),
}

impl Input {
    /// Tells the three apart by the first bytes: gzip's magic `1f 8b`, and for BGZF
    /// the extra field `BC` (SAM/BAM specification, section 4.1).
    fn new(file: File) -> io::Result<Input> {
        let mut buffered = BufReader::with_capacity(1 << 16, file);
        let head = buffered.fill_buf()?;
        if !head.starts_with(&[0x1f, 0x8b]) {
            return Ok(Input::Plain(buffered));
        }
        let bgzf = head.len() >= 16 && head[3] & 0x04 != 0 && head[12] == b'B' && head[13] == b'C';
        Ok(if bgzf {
            Input::Bgzf(noodles::bgzf::io::Reader::new(buffered))
        } else {
            Input::Gzip(Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::bufread::MultiGzDecoder::new(Counted {
                    inner: buffered,
                    consumed: 0,
                }),
            )))
        })
    }

    /// The file read as `##fileformat=VCFv4.2`: its first line is dropped and that one
    /// read in its place (same number of lines).
    fn relabelled(file: File) -> io::Result<Input> {
        let mut inner = Input::new(file)?;
        let mut first = Vec::new();
        inner.read_until(b'\n', &mut first)?;
        let prefix = io::Cursor::new(b"##fileformat=VCFv4.2\n".to_vec());
        Ok(Input::Relabelled(Box::new(prefix.chain(inner))))
    }

    /// The compressed stream's kind and the compressed byte reached, for errors.
    fn position(&self) -> Option<(&'static str, u64)> {
        match self {
            Input::Relabelled(r) => r.get_ref().1.position(),
            Input::Plain(_) => None,
            Input::Bgzf(r) => Some(("BGZF block", r.virtual_position().compressed())),
            Input::Gzip(r) => Some(("gzip stream", r.get_ref().get_ref().consumed)),
        }
    }
}

/// A decompression failure at `at` ([`Input::position`]), saying what broke and where.
fn explain(at: Option<(&'static str, u64)>, e: io::Error) -> io::Error {
    match at {
        None => e,
        Some((what, byte)) => io::Error::new(
            e.kind(),
            format!("truncated or corrupt {what} at byte {byte} of the compressed file ({e})"),
        ),
    }
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let at = self.position();
        match self {
            Input::Plain(r) => r.read(buf),
            Input::Bgzf(r) => r.read(buf),
            Input::Gzip(r) => r.read(buf),
            Input::Relabelled(r) => r.read(buf),
        }
        .map_err(|e| explain(at, e))
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let at = self.position();
        match self {
            Input::Plain(r) => r.fill_buf(),
            Input::Bgzf(r) => r.fill_buf(),
            Input::Gzip(r) => r.fill_buf(),
            Input::Relabelled(r) => r.fill_buf(),
        }
        .map_err(|e| explain(at, e))
    }

    fn consume(&mut self, amount: usize) {
        match self {
            Input::Plain(r) => r.consume(amount),
            Input::Bgzf(r) => r.consume(amount),
            Input::Gzip(r) => r.consume(amount),
            Input::Relabelled(r) => r.consume(amount),
        }
    }
}

/// A `BufRead` that counts the bytes consumed from it (the compressed offset of a
/// plain gzip stream, for errors).
struct Counted<R> {
    inner: R,
    consumed: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

/// An I/O error with the errors it wraps (noodles' header errors say only "invalid
/// record" at the top: the field and why are in their sources).
fn error_chain(e: &io::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.get_ref().and_then(|inner| inner.source());
    while let Some(err) = next {
        parts.push(err.to_string());
        next = err.source();
    }
    parts.join(": ")
}

/// Where the columns of the `CSQ` (VEP) annotation are, from its header description.
#[derive(Debug, Clone, Default)]
struct CsqLayout {
    allele: Option<usize>,
    symbol: Option<usize>,
    hgvsp: Option<usize>,
}

/// A streaming reader of a VCF's calls in the tumour sample.
pub struct CallReader {
    path: PathBuf,
    reader: vcf::io::Reader<LineCounter<Guard<Input>>>,
    header: vcf::Header,
    record: vcf::Record,
    header_lines: u64,
    records: u64,
    /// Empty lines passed over between or after the records (a trailing empty line).
    blank_lines: u64,
    caller: Caller,
    origin: CallerOrigin,
    sample: String,
    sample_index: usize,
    /// The matched normal's column, read with [`Options::somatic`].
    normal_index: Option<usize>,
    /// Read the somatic status ([`Options::somatic`]).
    somatic: bool,
    csq: Option<CsqLayout>,
    /// `ANN` (SnpEff) when the header declares it, else `CSQ` (VEP) when declared.
    annotation_key: Option<&'static str>,
    skipped: Vec<Skipped>,
    /// The structural-variant dialect ([`SvCaller::detect`]).
    sv_caller: SvCaller,
    /// The matched normal's column for the SV records' somatic status (always looked for).
    sv_normal_index: Option<usize>,
    /// Structural-variant records parsed so far, before pairing.
    sv_ends: Vec<sv::SvEnd>,
    /// Structural-variant records left out, with why.
    sv_left_out: Vec<Skipped>,
    /// Structural-variant records read (parsed or left out).
    sv_records: u64,
    /// Why the header was read by VCF 4.2's rules, when it was.
    header_warning: Option<String>,
}

/// The structural-variant records of a file, read by [`CallReader::structural_variants`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SvRead {
    /// Symbolic and breakend records read (every one is in `calls` or `left_out`).
    pub records: u64,
    /// The calls, breakend pairs joined ([`sv::pair`]).
    pub calls: Vec<crate::model::SvCall>,
    /// Records left out, with why.
    pub left_out: Vec<Skipped>,
    /// Breakends whose mate is not in the file (each kept as a call of its own).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for CallReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallReader")
            .field("path", &self.path)
            .field("caller", &self.caller)
            .field("sample", &self.sample)
            .finish_non_exhaustive()
    }
}

impl CallReader {
    /// A record must have one sample column per sample the header names.
    fn check_sample_count(
        &self,
        at: &Position<'_>,
        samples: &noodles::vcf::record::Samples<'_>,
    ) -> Result<()> {
        let declared = self.header.sample_names().len();
        let present = samples.iter().count();
        if present != declared {
            return Err(at.error(
                "FORMAT",
                format!("{present} sample columns, the header declares {declared}"),
            ));
        }
        Ok(())
    }

    /// Opens a VCF (plain, bgzip-compressed or plain gzip, told apart by the first
    /// bytes), reads its header, decides the caller, the tumour sample and (with
    /// [`Options::somatic`]) the matched normal.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::Parse`] when the header is
    /// invalid, has no sample, or the tumour sample cannot be found or chosen.
    pub fn open(path: &Path, options: &Options) -> Result<CallReader> {
        let read = |relabel: bool| -> Result<_> {
            let file = super::open_regular(path)?;
            let inner = if relabel {
                Input::relabelled(file)
            } else {
                Input::new(file)
            }
            .map_err(|e| Error::io(path, e))?;
            let mut reader = vcf::io::Reader::new(LineCounter {
                inner: Guard::new(inner),
                lines: 0,
                counting: true,
            });
            check_start(path, reader.get_mut())?;
            let header = reader.read_header().map_err(|e| {
                // The counter has consumed the failing line already, unless the guard
                // stopped inside it (a NUL byte, an over-long line).
                let counted = reader.get_ref().lines;
                let line = if reader.get_ref().inner.fault.is_some() {
                    counted + 1
                } else {
                    counted.max(1)
                };
                (line, error_chain(&e))
            });
            Ok((reader, header))
        };
        let (mut reader, mut header) = read(false)?;
        let mut header_warning = None;
        // VCF 4.3 reserves INFO/FORMAT keys with fixed Number and Type; SV callers writing
        // "VCFv4.3" with their own (nanomonsv, VarDict: SVLEN Number=1) are read by 4.2's rules.
        if let Err((_, message)) = &header
            && message.contains("definition mismatch")
        {
            let (again, relabelled) = read(true)?;
            if let Ok(h) = relabelled {
                header_warning = Some(format!(
                    "the header declares a reserved field unlike its VCF version does ({message}); read by VCF 4.2's rules"
                ));
                reader = again;
                header = Ok(h);
            }
        }
        let header =
            header.map_err(|(line, message)| Error::parse(path, line, "header", message))?;
        let header_lines = reader.get_ref().lines;
        reader.get_mut().counting = false;

        let (caller, origin) = match options.caller {
            Some(caller) => (caller, CallerOrigin::Forced),
            None => match Caller::detect(&header) {
                Some(caller) => (caller, CallerOrigin::Detected),
                None => (Caller::Generic, CallerOrigin::Fallback),
            },
        };
        let sv_caller = SvCaller::detect(&header, caller);
        let (sample, sample_index) = choose_sample(
            &header,
            caller,
            sv_caller.normal_first(),
            options.sample.as_deref(),
        )
        .map_err(|message| Error::parse(path, header_lines, "sample", message))?;
        let sv_normal_index = normal_sample(&header, sample_index);
        let normal_index = if options.somatic {
            normal_sample(&header, sample_index)
        } else {
            None
        };
        let csq = header
            .infos()
            .get("CSQ")
            .map(|info| csq_layout(info.description()));
        let annotation_key = if header.infos().contains_key("ANN") {
            Some("ANN")
        } else {
            csq.as_ref().map(|_| "CSQ")
        };
        Ok(CallReader {
            path: path.to_path_buf(),
            reader,
            header,
            record: vcf::Record::default(),
            header_lines,
            records: 0,
            blank_lines: 0,
            caller,
            origin,
            sample,
            sample_index,
            normal_index,
            somatic: options.somatic,
            csq,
            annotation_key,
            skipped: Vec::new(),
            sv_caller,
            sv_normal_index,
            sv_ends: Vec::new(),
            sv_left_out: Vec::new(),
            sv_records: 0,
            header_warning,
        })
    }

    /// The header's `##fileDate` (VCF 4.x: the date the file was written, `YYYYMMDD`),
    /// when it has one that reads as a date (the forms of a table's date cell).
    pub fn file_date(&self) -> Option<chrono::NaiveDate> {
        match self.header.get("fileDate") {
            Some(vcf::header::record::value::Collection::Unstructured(values)) => {
                values.iter().find_map(|v| super::dates::file_date(v).ok())
            }
            _ => None,
        }
    }

    /// Why the header was read by another version's rules, when it was.
    pub fn header_warning(&self) -> Option<&str> {
        self.header_warning.as_deref()
    }

    /// The structural-variant dialect read.
    pub fn sv_caller(&self) -> SvCaller {
        self.sv_caller
    }

    /// The structural-variant records read so far, breakend pairs joined into one call
    /// each (call once the records are read; the records are handed over).
    pub fn structural_variants(&mut self) -> SvRead {
        let paired = sv::pair(std::mem::take(&mut self.sv_ends));
        SvRead {
            records: self.sv_records,
            calls: paired.calls,
            left_out: std::mem::take(&mut self.sv_left_out),
            warnings: paired.warnings,
        }
    }

    /// Reads the current record as a structural variant (into `sv_ends` or
    /// `sv_left_out`).
    fn read_sv(&mut self, at: &Position<'_>, pos: u64, alternates: &[&str]) -> Result<()> {
        self.sv_records += 1;
        let record = &self.record;
        if let Some(other) = alternates
            .iter()
            .find(|a| sv::classify(a) == sv::AltClass::OtherSymbolic)
            && alternates.len() == 1
        {
            self.sv_left_out.push(Skipped {
                record: at.record,
                line: at.line,
                field: "ALT",
                reason: format!(
                    "symbolic allele {other} is not a structural-variant type oncotrack reads"
                ),
            });
            return Ok(());
        }
        let filters = record.filters();
        let filter = match filters.as_ref() {
            "" => ".",
            text => text,
        };
        let qual = match record.quality_score() {
            Some(Ok(q)) => Some(decimal(q)),
            Some(Err(e)) => return Err(at.error("QUAL", e)),
            None => None,
        };
        let (ids, alts, info) = (record.ids(), record.alternate_bases(), record.info());
        let samples = record.samples();
        self.check_sample_count(at, &samples)?;
        let keys: Vec<&str> = samples.keys().iter().collect();
        let tumour = samples.get_index(self.sample_index);
        let normal = self.sv_normal_index.and_then(|i| samples.get_index(i));
        let text = sv::RecordText {
            record: at.record,
            line: at.line,
            chrom: record.reference_sequence_name(),
            pos,
            id: ids.as_ref(),
            reference: record.reference_bases(),
            alt: alts.as_ref(),
            qual,
            filter,
            info: info.as_ref(),
            keys: &keys,
            tumour: tumour.as_ref().map(|s| s.as_ref()),
            normal: normal.as_ref().map(|s| s.as_ref()),
        };
        let layout = sv::AnnotationLayout {
            ann: self.annotation_key == Some("ANN"),
            csq_symbol: self.csq.as_ref().and_then(|l| l.symbol),
        };
        match sv::parse_record(self.sv_caller, &text, layout) {
            Ok(end) => self.sv_ends.push(end),
            Err(sv::SvProblem::LeftOut(reason)) => self.sv_left_out.push(Skipped {
                record: at.record,
                line: at.line,
                field: "ALT",
                reason,
            }),
            Err(sv::SvProblem::Invalid { field, message }) => {
                return Err(at.error(&field, message));
            }
        }
        Ok(())
    }

    /// The caller whose dialect is read.
    pub fn caller(&self) -> Caller {
        self.caller
    }

    /// Whether the caller was detected, forced or fallen back to.
    pub fn caller_origin(&self) -> CallerOrigin {
        self.origin
    }

    /// The tumour sample's column name.
    pub fn sample(&self) -> &str {
        &self.sample
    }

    /// The matched normal's column name, when one was found (with [`Options::somatic`]).
    pub fn normal_sample(&self) -> Option<&str> {
        let names = self.header.sample_names();
        self.normal_index
            .and_then(|i| names.get_index(i))
            .map(String::as_str)
    }

    /// Records skipped so far because an allele is not a base sequence.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lines of the header (the first record is on the next line).
    pub fn header_lines(&self) -> u64 {
        self.header_lines
    }

    /// Data records read so far.
    pub fn records_read(&self) -> u64 {
        self.records
    }

    /// Reads the next record and appends one call per ALT allele to `calls` (cleared
    /// first). Returns `false` at the end of the file. Records without an ALT
    /// (`.`) and spanning-deletion (`*`) alleles give no call.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line, record number and field when the record is
    /// truncated, malformed, or has an unreadable value in a field that is used.
    pub fn next_calls(&mut self, calls: &mut Vec<Call>) -> Result<bool> {
        calls.clear();
        let record_number = self.records + 1;
        // An empty line (an editor's or a script's trailing newline) holds no record:
        // passed over, counted so that later records keep their file line numbers.
        // Read errors are left to the record reader, which names them.
        loop {
            let inner = self.reader.get_mut();
            let empty = match inner.fill_buf() {
                Ok(buf) if buf.starts_with(b"\n") => 1,
                Ok(buf) if buf.starts_with(b"\r\n") => 2,
                _ => 0,
            };
            if empty == 0 {
                break;
            }
            inner.consume(empty);
            self.blank_lines += 1;
        }
        let line = self.header_lines + self.blank_lines + record_number;
        match self.reader.read_record(&mut self.record) {
            Ok(0) => return Ok(false),
            Ok(_) => {}
            Err(e) => {
                let guard = &self.reader.get_ref().inner;
                return Err(if let Some(fault) = guard.fault {
                    let (at, message) = fault.explain();
                    Error::parse(
                        &self.path,
                        line,
                        "record",
                        format!("record {record_number}: byte {at}: {message}"),
                    )
                } else if guard.eof && e.kind() == io::ErrorKind::UnexpectedEof {
                    Error::parse(
                        &self.path,
                        line,
                        "record",
                        format!(
                            "record {record_number}: the file ends in the middle of this record: it is truncated (an interrupted copy or a caller that did not finish); copy or write it again"
                        ),
                    )
                } else {
                    Error::parse(
                        &self.path,
                        line,
                        "record",
                        format!("record {record_number}: cannot be read: {e}"),
                    )
                    .caused_by(e)
                });
            }
        }
        if let Some(columns) = self.reader.get_ref().inner.unterminated_columns() {
            let samples = self.header.sample_names().len() as u64;
            let expected = if samples == 0 { 8 } else { 9 + samples };
            let what = if columns < expected {
                format!("it has {columns} of the {expected} columns the header declares")
            } else {
                format!("its {columns} columns are there, but its last value may be cut short")
            };
            return Err(Error::parse(
                &self.path,
                line,
                "record",
                format!(
                    "record {record_number}: the file ends without a newline after this line, so it looks truncated ({what}); copy the file again from its source, or if the line is complete, end it with a newline"
                ),
            ));
        }
        self.records = record_number;
        let at = Position {
            path: &self.path,
            line,
            record: record_number,
        };
        let record = &self.record;
        let chrom_raw = record.reference_sequence_name();
        // POS 0 is a telomeric breakend (VCF 4.3 §5.4.8): allowed for structural variants only.
        let start = match record.variant_start() {
            Some(Ok(p)) => Some(usize::from(p) as u64),
            Some(Err(e)) => return Err(at.error("POS", e)),
            None => None,
        };
        let alternate_bases = record.alternate_bases();
        let alternates: Vec<&str> = alternate_bases
            .iter()
            .collect::<io::Result<_>>()
            .map_err(|e| at.error("ALT", e))?;
        if alternates.iter().any(|a| {
            matches!(
                sv::classify(a),
                sv::AltClass::Sv | sv::AltClass::OtherSymbolic
            )
        }) {
            let path = self.path.clone();
            let at = Position {
                path: &path,
                line,
                record: record_number,
            };
            let alternates: Vec<String> = alternates.iter().map(|a| a.to_string()).collect();
            let alternates: Vec<&str> = alternates.iter().map(String::as_str).collect();
            self.read_sv(&at, start.unwrap_or(0), &alternates)?;
            return Ok(true);
        }
        let record = &self.record;
        let pos = start.ok_or_else(|| {
            at.error(
                "POS",
                "position 0 is allowed for a telomeric breakend only, not for this allele",
            )
        })?;
        let reference = record.reference_bases();
        // VarScan2 writes a second indel allele after a '/' in REF or ALT (e.g.
        // `CT/TTTT`); bcftools passes such records through, but they name no variant
        // that can be tracked: skip them, say so, and keep the rest of the file.
        let bad_allele = std::iter::once(("REF", reference))
            .chain(alternates.iter().map(|a| ("ALT", *a)))
            .find(|(_, allele)| !is_allele(allele));
        if let Some((field, allele)) = bad_allele {
            self.skipped.push(Skipped {
                record: record_number,
                line,
                field,
                reason: format!("'{allele}' is not a sequence of bases (A, C, G, T, N)"),
            });
            return Ok(true);
        }
        let filter = match record.filters().as_ref() {
            "" => ".".to_string(),
            text => text.to_string(),
        };
        let qual = match record.quality_score() {
            Some(Ok(q)) => Some(decimal(q)),
            Some(Err(e)) => return Err(at.error("QUAL", e)),
            None => None,
        };
        let samples = record.samples();
        self.check_sample_count(&at, &samples)?;
        let keys: Vec<&str> = samples.keys().iter().collect();
        let Some(sample) = samples.get_index(self.sample_index) else {
            return Err(at.error("FORMAT", "the tumour sample's column is missing"));
        };
        let fields = SampleFields {
            keys: &keys,
            values: std::cell::RefCell::new(SampleValues::new(&self.header, &sample)),
            at: &at,
            parsed: std::cell::RefCell::new(vec![None; keys.len()]),
        };
        let annotations = self.annotations(&at)?;
        let depth_field = fields.integer("DP")?;
        let genotype_ref = fields.genotype_ref()?;
        let normal_sample = self.normal_index.and_then(|i| samples.get_index(i));
        let normal = normal_sample.as_ref().map(|normal| SampleFields {
            keys: &keys,
            values: std::cell::RefCell::new(SampleValues::new(&self.header, normal)),
            at: &at,
            parsed: std::cell::RefCell::new(vec![None; keys.len()]),
        });
        let status = if self.somatic {
            Some(caller::status(
                self.caller,
                &self.header,
                record,
                &filter,
                &at,
            )?)
        } else {
            None
        };
        for (index, alt) in alternates.iter().enumerate() {
            if *alt == "*" || *alt == "." || alt.starts_with('<') {
                continue;
            }
            let counts = caller::extract(
                self.caller,
                &fields,
                index,
                alternates.len(),
                reference,
                alt,
            )?;
            let depth = depth_field.or(counts.total);
            let (gene, protein_change) = pick_annotation(&annotations, alt);
            let normal_alt_reads = match &normal {
                Some(normal) => caller::alt_reads(self.caller, normal, index, alt)?,
                None => None,
            };
            calls.push(Call {
                record: record_number,
                line,
                locus: Locus {
                    chrom: normalize_contig(chrom_raw),
                    pos,
                    reference: reference.to_ascii_uppercase(),
                    alt: alt.to_ascii_uppercase(),
                },
                chrom_raw: chrom_raw.to_string(),
                gene,
                protein_change,
                vaf: counts.vaf,
                alt_reads: counts.alt,
                ref_reads: counts.reference,
                depth,
                vaf_source: counts.source,
                filter: filter.clone(),
                qual,
                genotype_ref,
                somatic: status.clone().unwrap_or(Somatic::NotGiven),
                normal_alt_reads,
            });
        }
        Ok(true)
    }

    /// The `ANN` or `CSQ` entries of the current record as (allele, gene, protein).
    fn annotations(&self, at: &Position<'_>) -> Result<Vec<Annotation>> {
        use noodles::vcf::variant::record::info::field::Value as InfoValue;
        use noodles::vcf::variant::record::info::field::value::Array as InfoArray;
        let Some(key) = self.annotation_key else {
            return Ok(Vec::new());
        };
        let layout = if key == "CSQ" {
            self.csq.as_ref()
        } else {
            None
        };
        let info = self.record.info();
        let entries: Vec<String> = match info.get(&self.header, key) {
            None | Some(Ok(None)) => return Ok(Vec::new()),
            Some(Err(e)) => return Err(at.error(&format!("INFO/{key}"), e)),
            Some(Ok(Some(InfoValue::String(s)))) => s.split(',').map(str::to_string).collect(),
            Some(Ok(Some(InfoValue::Array(InfoArray::String(values))))) => values
                .iter()
                .filter_map(|v| v.ok().flatten().map(|s| s.to_string()))
                .collect(),
            Some(Ok(Some(_))) => return Ok(Vec::new()),
        };
        let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
        Ok(entries
            .iter()
            .map(|entry| {
                let columns: Vec<&str> = entry.split('|').collect();
                match layout {
                    // SnpEff ANN: Allele|Annotation|Impact|Gene_Name|...|HGVS.c|HGVS.p|...
                    None => Annotation {
                        allele: columns.first().map(|s| s.to_string()),
                        gene: nonempty(columns.get(3).copied()),
                        protein: nonempty(columns.get(10).copied()),
                    },
                    Some(layout) => Annotation {
                        allele: layout
                            .allele
                            .and_then(|i| columns.get(i))
                            .map(|s| s.to_string()),
                        gene: nonempty(layout.symbol.and_then(|i| columns.get(i)).copied()),
                        protein: nonempty(layout.hgvsp.and_then(|i| columns.get(i)).copied()),
                    },
                }
            })
            .collect())
    }
}

#[derive(Debug)]
struct Annotation {
    allele: Option<String>,
    gene: Option<String>,
    protein: Option<String>,
}

/// The first annotation of this ALT allele (VEP may trim the leading base of an
/// indel allele, so the first entry is the fallback).
fn pick_annotation(annotations: &[Annotation], alt: &str) -> (Option<String>, Option<String>) {
    annotations
        .iter()
        .find(|a| a.allele.as_deref() == Some(alt))
        .or_else(|| annotations.first())
        .map_or((None, None), |a| (a.gene.clone(), a.protein.clone()))
}

/// Column positions of Allele, SYMBOL and HGVSp in VEP's "... Format: A|B|C" description.
fn csq_layout(description: &str) -> CsqLayout {
    let format = description
        .split_once("Format:")
        .map_or("", |(_, f)| f)
        .trim()
        .trim_end_matches('"');
    let names: Vec<&str> = format.split('|').map(str::trim).collect();
    let find = |name: &str| names.iter().position(|n| n.eq_ignore_ascii_case(name));
    CsqLayout {
        allele: find("Allele"),
        symbol: find("SYMBOL"),
        hgvsp: find("HGVSp"),
    }
}

/// A REF or ALT allele oncotrack can store: bases, `*`, `.`, or a symbolic `<...>` allele.
fn is_allele(allele: &str) -> bool {
    let is_base = |b: u8| matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T' | b'N');
    (!allele.is_empty() && allele.bytes().all(is_base))
        || allele == "*"
        || allele == "."
        || (allele.starts_with('<') && allele.ends_with('>'))
}

/// A record left out of the calls, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// 1-based data record number.
    pub record: u64,
    /// 1-based line number.
    pub line: u64,
    /// The field at fault.
    pub field: &'static str,
    /// Why the record was skipped.
    pub reason: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}: record {}: field '{}': {}; skipped",
            self.line, self.record, self.field, self.reason
        )
    }
}

/// A float read as f32 by noodles, given back as the decimal number written in the
/// file (`0.453f32` → `0.453f64`, not `0.45300000905990601`).
fn decimal(value: f32) -> f64 {
    if !value.is_finite() {
        return f64::from(value);
    }
    // The shortest digits that give back the f32 (ryu, on the stack), read as an f64.
    ryu::Buffer::new()
        .format_finite(value)
        .parse()
        .unwrap_or(f64::from(value))
}

/// Where in the file a record is, for error messages.
struct Position<'a> {
    path: &'a Path,
    line: u64,
    record: u64,
}

impl Position<'_> {
    fn error(&self, field: &str, message: impl std::fmt::Display) -> Error {
        Error::parse(
            self.path,
            self.line,
            field,
            format!("record {}: {message}", self.record),
        )
    }
}

/// The tumour sample's FORMAT values of the current record.
struct SampleFields<'a> {
    keys: &'a [&'a str],
    values: std::cell::RefCell<SampleValues<'a>>,
    at: &'a Position<'a>,
    /// Numbers of each FORMAT key once parsed (outer `None`: not parsed yet), so
    /// that a field read for several ALTs or sums is parsed once per record.
    parsed: std::cell::RefCell<Vec<Option<FieldNumbers>>>,
}

/// The numbers of one FORMAT field (`None`: missing), elements `None` when `.`.
type FieldNumbers = Option<Vec<Option<f64>>>;

/// A sample's typed values (noodles), read in one pass over the column as far as
/// the furthest key asked for: `Sample::get_index` would parse every value before
/// the one wanted again for each key.
struct SampleValues<'a> {
    header: &'a vcf::Header,
    sample: &'a vcf::record::samples::Sample<'a>,
    iter: Box<dyn Iterator<Item = io::Result<(&'a str, Option<SampleValue<'a>>)>> + 'a>,
    /// Values read so far in FORMAT order; `None` once handed out.
    read: Vec<Option<io::Result<Option<SampleValue<'a>>>>>,
}

impl<'a> SampleValues<'a> {
    fn new(header: &'a vcf::Header, sample: &'a vcf::record::samples::Sample<'a>) -> Self {
        SampleValues {
            header,
            sample,
            iter: sample.iter(header),
            read: Vec::new(),
        }
    }

    /// The value of the key at `index`, as `Sample::get_index` gives it (outer
    /// `None`: the column has fewer values than FORMAT keys).
    fn take(&mut self, index: usize) -> Option<io::Result<Option<SampleValue<'a>>>> {
        if self.sample.as_ref().is_empty() {
            // noodles reports an empty column at every index, not only the first.
            return self
                .sample
                .get_index(self.header, index)
                .map(Option::transpose);
        }
        while self.read.len() <= index {
            let Some(next) = self.iter.next() else { break };
            self.read.push(Some(next.map(|(_, value)| value)));
        }
        match self.read.get_mut(index)?.take() {
            Some(value) => Some(value),
            // Handed out before (a field read twice): parse it again.
            None => self
                .sample
                .get_index(self.header, index)
                .map(Option::transpose),
        }
    }
}

impl<'a> SampleFields<'a> {
    /// Whether the record's FORMAT has `key`.
    fn has(&self, key: &str) -> bool {
        self.keys.contains(&key)
    }

    /// The raw typed value of `key`, `None` when absent or missing (`.`).
    fn value(&self, key: &str) -> Result<Option<SampleValue<'a>>> {
        let Some(index) = self.keys.iter().position(|k| *k == key) else {
            return Ok(None);
        };
        match self.values.borrow_mut().take(index) {
            None | Some(Ok(None)) => Ok(None),
            Some(Ok(Some(value))) => Ok(Some(value)),
            Some(Err(e)) => Err(self.at.error(&format!("FORMAT/{key}"), e)),
        }
    }

    /// Numbers of `key` (a scalar is a one-element list); missing elements are `None`.
    fn parse_numbers(&self, key: &str) -> Result<FieldNumbers> {
        let field = || format!("FORMAT/{key}");
        let numbers = match self.value(key)? {
            None => return Ok(None),
            Some(SampleValue::Integer(n)) => vec![Some(f64::from(n))],
            Some(SampleValue::Float(x)) => vec![Some(decimal(x))],
            Some(SampleValue::Array(SampleArray::Integer(values))) => values
                .iter()
                .map(|v| v.map(|n| n.map(f64::from)))
                .collect::<io::Result<_>>()
                .map_err(|e| self.at.error(&field(), e))?,
            Some(SampleValue::Array(SampleArray::Float(values))) => values
                .iter()
                .map(|v| v.map(|n| n.map(decimal)))
                .collect::<io::Result<_>>()
                .map_err(|e| self.at.error(&field(), e))?,
            Some(SampleValue::String(s)) => {
                vec![Some(parse_number(&s).ok_or_else(|| {
                    self.at.error(&field(), format!("'{s}' is not a number"))
                })?)]
            }
            Some(SampleValue::Array(SampleArray::String(values))) => {
                let mut numbers = Vec::new();
                for value in values.iter() {
                    let value = value.map_err(|e| self.at.error(&field(), e))?;
                    numbers.push(match value {
                        None => None,
                        Some(s) => Some(parse_number(&s).ok_or_else(|| {
                            self.at.error(&field(), format!("'{s}' is not a number"))
                        })?),
                    });
                }
                numbers
            }
            Some(_) => return Err(self.at.error(&field(), "is not numeric")),
        };
        for n in numbers.iter().flatten() {
            if !n.is_finite() || *n < 0.0 {
                return Err(self
                    .at
                    .error(&field(), format!("{n} is not a count or fraction")));
            }
        }
        Ok(Some(numbers))
    }

    /// The `i`-th number of `key`, parsing the field on first use.
    fn number_at(&self, key: &str, i: usize) -> Result<Option<f64>> {
        let Some(index) = self.keys.iter().position(|k| *k == key) else {
            return Ok(None);
        };
        if let Some(Some(parsed)) = self.parsed.borrow().get(index) {
            return Ok(parsed.as_ref().and_then(|v| v.get(i).copied().flatten()));
        }
        let numbers = self.parse_numbers(key)?;
        let value = numbers.as_ref().and_then(|v| v.get(i).copied().flatten());
        if let Some(slot) = self.parsed.borrow_mut().get_mut(index) {
            *slot = Some(numbers);
        }
        Ok(value)
    }

    /// A read count (`i`-th element of `key`).
    fn count_at(&self, key: &str, i: usize) -> Result<Option<u32>> {
        self.number_at(key, i)?
            .map(|n| {
                if n.fract() == 0.0 && n <= f64::from(u32::MAX) {
                    Ok(n as u32)
                } else {
                    Err(self
                        .at
                        .error(&format!("FORMAT/{key}"), format!("{n} is not a read count")))
                }
            })
            .transpose()
    }

    /// Whether the GT field is given and calls the reference allele only (`0/0`);
    /// `false` when absent, missing (`./.`) or holding another allele.
    fn genotype_ref(&self) -> Result<bool> {
        if !self.has("GT") {
            return Ok(false);
        }
        let Some(SampleValue::Genotype(genotype)) = self.value("GT")? else {
            return Ok(false);
        };
        let mut any = false;
        for allele in genotype.iter() {
            let (position, _) = allele.map_err(|e| self.error("GT", e))?;
            match position {
                Some(0) => any = true,
                _ => return Ok(false),
            }
        }
        Ok(any)
    }

    /// A single integer field (e.g. DP).
    fn integer(&self, key: &str) -> Result<Option<u32>> {
        self.count_at(key, 0)
    }

    /// A percentage written as text ("12.5%" → 0.125), VarScan2's FREQ.
    fn percent(&self, key: &str) -> Result<Option<f64>> {
        let field = format!("FORMAT/{key}");
        let text = match self.value(key)? {
            None => return Ok(None),
            Some(SampleValue::String(s)) => s.into_owned(),
            Some(SampleValue::Float(x)) => return Ok(Some(decimal(x) / 100.0)),
            Some(SampleValue::Integer(n)) => return Ok(Some(f64::from(n) / 100.0)),
            Some(_) => return Err(self.at.error(&field, "is not a percentage")),
        };
        let number = text.trim().trim_end_matches('%').replace(',', ".");
        // Parsed as `NNe-2` so that "24.49%" is exactly the double nearest 0.2449.
        match (number.parse::<f64>(), format!("{number}e-2").parse::<f64>()) {
            (Ok(p), Ok(fraction)) if (0.0..=100.0).contains(&p) => Ok(Some(fraction)),
            _ => Err(self.at.error(
                &field,
                format!("'{text}' is not a percentage between 0% and 100%"),
            )),
        }
    }

    /// The error for this record in `FORMAT/key`.
    fn error(&self, key: &str, message: impl std::fmt::Display) -> Error {
        self.at.error(&format!("FORMAT/{key}"), message)
    }
}

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}

/// Chooses the tumour sample: `--sample`, then the header (`##tumor_sample=`,
/// MuTect1's `tumor_sample_name=`), a column named `TUMOR`, the only sample, or the
/// first column for VarDict (which writes the tumour first).
fn choose_sample(
    header: &vcf::Header,
    caller: Caller,
    normal_first: bool,
    requested: Option<&str>,
) -> std::result::Result<(String, usize), String> {
    let names = header.sample_names();
    let all = || names.iter().cloned().collect::<Vec<_>>().join(", ");
    if names.is_empty() {
        return Err("the VCF has no sample columns".into());
    }
    let find = |name: &str| names.get_index_of(name).map(|i| (name.to_string(), i));
    if let Some(name) = requested {
        if let Some(found) = find(name) {
            return Ok(found);
        }
        // `--sample colo829t` for a column `COLO829T`: the one column it names but for case.
        let cased: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(i, _)| i)
            .collect();
        if let [only] = cased[..]
            && let Some(column) = names.get_index(only)
        {
            return Ok((column.clone(), only));
        }
        return Err(format!(
            "sample '{name}' (--sample) is not a column of the VCF (columns: {})",
            all()
        ));
    }
    if let Some(name) = caller::tumor_sample_from_header(header) {
        return find(&name).ok_or_else(|| {
            format!(
                "the header names tumour sample '{name}', which is not a column (columns: {}); choose one with --sample",
                all()
            )
        });
    }
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case("TUMOR")) {
        return Ok((names[i].clone(), i));
    }
    if names.len() == 1 || caller == Caller::VarDict {
        return Ok((names[0].clone(), 0));
    }
    // Manta's somatic VCF, GRIDSS, Esvee and PURPLE write the normal, then the tumour.
    if normal_first && names.len() == 2 {
        return Ok((names[1].clone(), 1));
    }
    Err(format!(
        "cannot tell which sample is the tumour among {}; choose one with --sample",
        all()
    ))
}

/// The matched normal's column: `##normal_sample=` (Mutect2), MuTect1's
/// `normal_sample_name=`, a column named `NORMAL`, or the other column of a
/// two-sample (tumour–normal) VCF; `None` for a tumour-only file.
fn normal_sample(header: &vcf::Header, tumour: usize) -> Option<usize> {
    let names = header.sample_names();
    if let Some(name) = caller::normal_sample_from_header(header) {
        return names.get_index_of(name.as_str()).filter(|i| *i != tumour);
    }
    if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case("NORMAL"))
        && i != tumour
    {
        return Some(i);
    }
    (names.len() == 2).then_some(1 - tumour.min(1))
}

#[cfg(test)]
mod tests;
