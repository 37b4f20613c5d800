"""Independent reference for `oncotrack count --fusions`: classifies every fragment of a
BAM by the definitions of docs/methods.md ("Fusion junctions") with pysam, and writes the
expected counts as JSON (tests/reference/fusion/expected.json), one entry per option set.

It shares no code with oncotrack: it reads the whole file (pysam, until_eof), applies the
read filters of `count`, parses the SA tag itself and classifies each read name.

Run from the repository root: /work/venv-fusion/bin/python tests/reference/fusion/fusion_reference.py
(pysam 0.24.1).
"""
import csv
import json
import sys

import pysam

BAM = "fixtures/liquid/fusion_junctions.bam"
FUSIONS = "tests/reference/fusion/fusions.tsv"
OUT = "tests/reference/fusion/expected.json"
OPTION_SETS = [
    {"min_mapq": 20, "clip_window": 5, "insert_window": 1000, "anchor": 10},
    {"min_mapq": 0, "clip_window": 10, "insert_window": 500, "anchor": 20},
    {"min_mapq": 40, "clip_window": 0, "insert_window": 2000, "anchor": 1},
]
CLIP = (pysam.CSOFT_CLIP, pysam.CHARD_CLIP)
ALIGNED = (pysam.CMATCH, pysam.CEQUAL, pysam.CDIFF)


def sides(row):
    """(contig, edge, keeps_left) of A and B: the edge is the 0-based boundary after the
    last kept base (+) or before the first kept base (-)."""
    orientation = row.get("orientation") or "+-"
    out = []
    for chrom, pos, sign in ((row["chrom_a"], int(row["pos_a"]), orientation[0]),
                             (row["chrom_b"], int(row["pos_b"]), orientation[1])):
        keeps_left = sign == "+"
        out.append((chrom, pos if keeps_left else pos - 1, keeps_left))
    return out


def parse_cigar_string(text):
    ops, num = [], ""
    for ch in text:
        if ch.isdigit():
            num += ch
        elif ch in "MIDNSHP=X" and num:
            ops.append((ch, int(num)))
            num = ""
        else:
            raise ValueError(f"bad CIGAR {text}")
    if num or not ops:
        raise ValueError(f"bad CIGAR {text}")
    return ops


def parse_sa(text):
    """[(chrom, start0, end0, reverse, clip_left, clip_right, mapq)] or raises ValueError."""
    out = []
    for entry in text.split(";"):
        if not entry:
            continue
        f = entry.split(",")
        if len(f) != 6:
            raise ValueError(entry)
        pos = int(f[1])
        if pos < 1 or f[2] not in "+-" or len(f[2]) != 1:
            raise ValueError(entry)
        ops = parse_cigar_string(f[3])
        mapq = int(f[4])
        if not 0 <= mapq <= 255:
            raise ValueError(entry)
        int(f[5])
        span = sum(n for op, n in ops if op in "MDN=X")
        out.append((f[0], pos - 1, pos - 1 + span, f[2] == "-",
                    ops[0][0] in "SH", ops[-1][0] in "SH", mapq))
    if not out:
        raise ValueError("empty")
    return out


def clipped_at(side, chrom, start, end, clip_left, clip_right, w):
    s_chrom, edge, keeps_left = side
    if chrom != s_chrom:
        return False
    if keeps_left:
        return clip_right and abs(end - edge) <= w
    return clip_left and abs(start - edge) <= w


def runs(read):
    """Uninterrupted runs of M/=/X as (start, end), 0-based half-open."""
    out, pos, run = [], read.reference_start, None
    for op, n in read.cigartuples:
        if op in ALIGNED:
            if run is None:
                run = pos
            pos += n
        else:
            if run is not None:
                out.append((run, pos))
                run = None
            if op in (pysam.CDEL, pysam.CREF_SKIP):
                pos += n
    if run is not None:
        out.append((run, pos))
    return out


def evidence(read, a, b, opt, warnings):
    chrom = read.reference_name
    start, end = read.reference_start, read.reference_end
    cig = read.cigartuples
    cl, cr = cig[0][0] in CLIP, cig[-1][0] in CLIP
    rev = read.is_reverse
    w, win, k = opt["clip_window"], opt["insert_window"], opt["anchor"]
    same_strand = a[2] != b[2]

    split = False
    for here, there in ((a, b), (b, a)):
        if not clipped_at(here, chrom, start, end, cl, cr, w):
            continue
        if not read.has_tag("SA"):
            continue
        try:
            sa = parse_sa(read.get_tag("SA"))
        except (ValueError, IndexError):
            warnings.add(read.query_name)
            sa = []
        for s_chrom, s0, s1, s_rev, s_cl, s_cr, s_mapq in sa:
            if (s_mapq >= opt["min_mapq"]
                    and clipped_at(there, s_chrom, s0, s1, s_cl, s_cr, w)
                    and (s_rev == rev) == same_strand):
                split = True

    def near(side):
        s_chrom, edge, keeps_left = side
        if chrom != s_chrom:
            return False
        if keeps_left:
            return not rev and start >= edge - win and end <= edge
        return rev and start >= edge and end <= edge + win

    def spans(side):
        s_chrom, edge, _ = side
        return chrom == s_chrom and any(s <= edge - k and e >= edge + k for s, e in runs(read))

    return {"split": split, "near_a": near(a), "near_b": near(b),
            "spans_a": spans(a), "spans_b": spans(b)}


def count(bam_path, row, opt, warnings):
    a, b = sides(row)
    fragments = {}
    with pysam.AlignmentFile(bam_path) as bam:
        for read in bam.fetch(until_eof=True):
            if (read.is_unmapped or read.is_secondary or read.is_supplementary
                    or read.is_qcfail or read.is_duplicate
                    or read.mapping_quality < opt["min_mapq"]):
                continue
            slot = 1 if (read.is_paired and read.is_read2) else 0
            mates = fragments.setdefault(read.query_name, [None, None])
            if mates[slot] is None:
                mates[slot] = evidence(read, a, b, opt, warnings)
    split = discordant = ref_a = ref_b = 0
    for first, last in fragments.values():
        reads = [r for r in (first, last) if r is not None]
        if any(r["split"] for r in reads):
            split += 1
        elif first and last and ((first["near_a"] and last["near_b"]) or (first["near_b"] and last["near_a"])):
            discordant += 1
        else:
            ref_a += any(r["spans_a"] for r in reads)
            ref_b += any(r["spans_b"] for r in reads)
    depth = split + discordant + (ref_a + ref_b) / 2
    return {
        "chrom_a": row["chrom_a"], "pos_a": int(row["pos_a"]),
        "chrom_b": row["chrom_b"], "pos_b": int(row["pos_b"]),
        "orientation": row.get("orientation") or "+-", "gene": row.get("gene") or None,
        "split": split, "discordant": discordant, "ref_a": ref_a, "ref_b": ref_b,
        "depth": depth,
        "fusion_fraction": (split + discordant) / depth if depth > 0 else None,
    }


def main():
    with open(FUSIONS) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    result = {"pysam": pysam.__version__, "bam": BAM, "fusions": FUSIONS, "runs": []}
    for opt in OPTION_SETS:
        warnings = set()
        counts = [count(BAM, row, opt, warnings) for row in rows]
        result["runs"].append({"options": opt, "counts": counts, "sa_warnings": sorted(warnings)})
    with open(OUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    json.dump(result["runs"][0]["counts"], sys.stdout, indent=1)
    print()


main()
