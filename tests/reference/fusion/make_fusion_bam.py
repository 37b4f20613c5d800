"""Simulates fixtures/liquid/fusion_junctions.bam (+ .bai) with pysam: paired-end reads
across two known junctions, every case `count --fusions` must get right (seed 13).

Junctions (hg19 coordinates, real contig lengths, random bases: no reference needed):
  EWSR1-FLI1  chr22:29683123 (A, keeps <= pos) - chr11:128651853 (B, keeps >= pos)  +-
  SS18-SSX1   chr18:23632000 (A, keeps >= pos) - chrX:48120000 (B, keeps >= pos)   --

A fused molecule is two pieces: molecule coordinate t < 0 lies in the first piece, t >= 0
in the second (orientation conventions of src/model/fusion.rs). Cases: reference pairs on
both partners (mates overlapping, anchors of exactly k and k - 1 bases, a deletion and an
insertion at the edge), split reads (primary soft-clipped, SA tag, the supplementary record
hard-clipped in the file too) with the primary on either partner, pairs where both mates are
split, discordant pairs (also beyond the window and on the wrong strand), duplicates,
QC-fail, low-MAPQ reads and SA alignments, secondary alignments, reads clipped at the wrong
place (6 bp off, 20 bp off, SA 30 bp off, SA on the wrong strand), a single-end split read,
and one read whose SA tag does not parse (bad_sa_1).

Run: /work/venv-fusion/bin/python tests/reference/fusion/make_fusion_bam.py (from the
repository root; pysam 0.24.1). Then run fusion_reference.py.
"""
import os
import random

import pysam

rng = random.Random(13)
L = 100  # read length
OUT = "fixtures/liquid/fusion_junctions.bam"
CONTIGS = [("chr11", 135006516), ("chr18", 78077248), ("chr22", 51304566), ("chrX", 155270560)]
TID = {name: i for i, (name, _) in enumerate(CONTIGS)}


class Piece:
    """One partner as a piece of the fused molecule."""

    def __init__(self, chrom, pos, keeps_left, reversed_):
        self.chrom, self.keeps_left, self.reversed = chrom, keeps_left, reversed_
        self.edge = pos if keeps_left else pos - 1  # 0-based boundary

    def interval(self, s, e, first):
        """Reference interval of molecule interval [s, e) inside this piece."""
        if not self.reversed:
            return self.edge + s, self.edge + e
        return self.edge - e, self.edge - s


class Junction:
    def __init__(self, name, first, second):
        self.name, self.first, self.second = name, first, second


# +-: A first (keeps left, forward), B second (keeps right, forward).
EWS = Junction("ews", Piece("chr22", 29683123, True, False), Piece("chr11", 128651853, False, False))
# --: B first (keeps right, reversed), A second (keeps right, forward).
SS = Junction("ss", Piece("chrX", 48120000, False, True), Piece("chr18", 23632000, False, False))

records = []
header = pysam.AlignmentHeader.from_dict(
    {"HD": {"VN": "1.6", "SO": "unsorted"}, "SQ": [{"SN": n, "LN": l} for n, l in CONTIGS]}
)


def seq(n):
    return "".join(rng.choice("ACGT") for _ in range(n))


def cigar_for(piece, length, other):
    """The CIGAR of a piece: the clip (soft) on the junction side of the partner."""
    if other == 0:
        return f"{length}M"
    return f"{length}M{other}S" if piece.keeps_left else f"{other}S{length}M"


class Read:
    """A read before it becomes records: its placements."""

    def __init__(self, name, read2, paired=True):
        self.name, self.read2, self.paired = name, read2, paired
        self.primary = None  # (chrom, start, cigar, reverse)
        self.supplementary = None
        self.mapq, self.sa_mapq, self.flag_extra = 60, 60, 0
        self.sa_override = None
        self.sequence = seq(L)


def molecule_read(j, name, s, e, molecule_reverse, read2):
    """A read of molecule interval [s, e): split when it crosses t = 0."""
    r = Read(name, read2)
    pieces = []
    if s < 0:
        a0, a1 = j.first.interval(s, min(e, 0), True)
        pieces.append((j.first, a0, a1))
    if e > 0:
        b0, b1 = j.second.interval(max(s, 0), e, False)
        pieces.append((j.second, b0, b1))
    placed = []
    for piece, start, end in pieces:
        length = end - start
        reverse = molecule_reverse != piece.reversed
        placed.append((piece, start, length, reverse))
    placed.sort(key=lambda p: -p[2])  # the longer piece is primary (first on a tie)
    piece, start, length, reverse = placed[0]
    r.primary = (piece.chrom, start, cigar_for(piece, length, L - length), reverse)
    if len(placed) > 1:
        piece, start, length, reverse = placed[1]
        r.supplementary = (piece.chrom, start, cigar_for(piece, length, L - length), reverse)
    return r


def pair(j, tag, t0, t1):
    """A fragment of the molecule [t0, t1): read 1 forward from t0, read 2 reverse to t1."""
    name = f"{tag}_{len(records)}"
    r1 = molecule_read(j, name, t0, min(t0 + L, t1), False, False)
    r2 = molecule_read(j, name, max(t1 - L, t0), t1, True, True)
    return [r1, r2]


def plain(name, chrom, start, reverse, read2, cigar=None, paired=True):
    r = Read(name, read2, paired)
    r.primary = (chrom, start, cigar or f"{L}M", reverse)
    return r


def ref_pair(tag, chrom, edge, lo, hi):
    start = rng.randint(edge + lo, edge + hi)
    frag = rng.randint(L + 20, 320)
    name = f"{tag}_{len(records)}"
    return [plain(name, chrom, start, False, False), plain(name, chrom, start + frag - L, True, True)]


def emit(reads):
    records.append(reads)
    return reads


def to_segments(reads):
    """pysam records of one fragment (mates linked), supplementary records included."""
    out = []
    prim = [r for r in reads]
    for r in prim:
        chrom, start, cigar, reverse = r.primary
        a = pysam.AlignedSegment(header)
        a.query_name = r.name
        flag = 0
        if r.paired:
            flag |= 0x1 | (0x80 if r.read2 else 0x40)
            mate = next((m for m in prim if m is not r), None)
            if mate is None:
                flag |= 0x8
            else:
                if mate.primary[3]:
                    flag |= 0x20
                a.next_reference_id = TID[mate.primary[0]]
                a.next_reference_start = mate.primary[1]
        if reverse:
            flag |= 0x10
        a.flag = flag | r.flag_extra
        a.reference_id = TID[chrom]
        a.reference_start = start
        a.mapping_quality = r.mapq
        a.cigarstring = cigar
        a.query_sequence = r.sequence
        a.query_qualities = pysam.qualitystring_to_array("I" * L)
        if r.supplementary is not None:
            s_chrom, s_start, s_cigar, s_reverse = r.supplementary
            sa = f"{s_chrom},{s_start + 1},{'-' if s_reverse else '+'},{s_cigar},{r.sa_mapq},0;"
            a.set_tag("SA", r.sa_override or sa, "Z")
            # The supplementary record itself: hard-clipped, flag 0x800.
            b = pysam.AlignedSegment(header)
            b.query_name = r.name
            b.flag = (flag & ~0x10) | 0x800 | (0x10 if s_reverse else 0) | (r.flag_extra & 0x600)
            b.reference_id = TID[s_chrom]
            b.reference_start = s_start
            b.mapping_quality = r.sa_mapq
            b.cigarstring = s_cigar.replace("S", "H")
            m = sum(int(x[:-1]) for x in pysam_ops(s_cigar) if x.endswith("M"))
            b.query_sequence = seq(m)
            b.query_qualities = pysam.qualitystring_to_array("I" * m)
            b.next_reference_id, b.next_reference_start = a.next_reference_id, a.next_reference_start
            b.set_tag("SA", f"{chrom},{start + 1},{'-' if reverse else '+'},{cigar},{r.mapq},0;", "Z")
            out.append(b)
        elif r.sa_override:
            a.set_tag("SA", r.sa_override, "Z")
        out.append(a)
    return out


def pysam_ops(cigar):
    ops, num = [], ""
    for ch in cigar:
        if ch.isdigit():
            num += ch
        else:
            ops.append(num + ch)
            num = ""
    return ops


def junction_cases(j, scale):
    a, b = (j.first, j.second)
    # Reference pairs on both partners, around the edge.
    for _ in range(30 * scale // 2):
        emit(ref_pair(f"{j.name}_refA", a.chrom, a.edge, -250, 50))
    for _ in range(25 * scale // 2):
        emit(ref_pair(f"{j.name}_refB", b.chrom, b.edge, -250, 50))
    # Anchors of exactly k = 10 and k - 1 = 9 bases on the right of A's edge.
    emit([plain(f"{j.name}_k10", a.chrom, a.edge - L + 10, False, False, paired=False)])
    emit([plain(f"{j.name}_k9", a.chrom, a.edge - L + 9, False, False, paired=False)])
    emit([plain(f"{j.name}_k10left", b.chrom, b.edge - 10, False, False, paired=False)])
    # A deletion and an insertion at the edge: not reference.
    emit([plain(f"{j.name}_del", a.chrom, a.edge - 50, False, False, "50M3D50M", paired=False)])
    emit([plain(f"{j.name}_ins", b.chrom, b.edge - 50, False, False, "50M2I48M", paired=False)])
    # Split fragments: one read crosses the junction.
    splits = []
    for _ in range(12 * scale // 2):
        t0 = rng.randint(-L + 20, -20)  # read 1 crosses
        frag = rng.randint(L + 60, 300)
        splits.append(emit(pair(j, f"{j.name}_split1", t0, t0 + frag)))
    for _ in range(6 * scale // 2):
        t1 = rng.randint(20, L - 20)  # read 2 crosses
        frag = rng.randint(L + 60, 300)
        splits.append(emit(pair(j, f"{j.name}_split2", t1 - frag, t1)))
    # Both mates split: a short fragment, both reads cross.
    for _ in range(3):
        t0 = rng.randint(-L + 30, -30)
        t1 = t0 + L + rng.randint(5, 15)
        if t1 - L > -15:
            t1 = -15 + L
        emit(pair(j, f"{j.name}_both", t0, t1))
    # Discordant pairs: the junction between the mates.
    for _ in range(10 * scale // 2):
        t0 = rng.randint(-900, -L - 1)
        t1 = rng.randint(L + 1, 900)
        emit(pair(j, f"{j.name}_disc", t0, t1))
    # Beyond the window on A's side (the mate 1,000+ bp away): not discordant.
    emit(pair(j, f"{j.name}_farA", -1150, 300))
    # Duplicates of a split and of a discordant fragment.
    for src in (splits[0], splits[1]):
        name = f"{j.name}_dup_{len(records)}"
        copy = [Read(name, s.read2) for s in src]
        for c, s in zip(copy, src):
            c.primary, c.supplementary, c.flag_extra = s.primary, s.supplementary, 0x400
        emit(copy)
    disc = pair(j, f"{j.name}_dupdisc", -400, 400)
    for r in disc:
        r.flag_extra = 0x400
    emit(disc)
    # QC-fail split fragment.
    qc = pair(j, f"{j.name}_qcfail", -50, 200)
    for r in qc:
        r.flag_extra = 0x200
    emit(qc)
    # Low MAPQ: the split read (mate kept), and an SA alignment below the floor.
    low = pair(j, f"{j.name}_lowmapq", -60, 200)
    low[0].mapq = 5
    emit(low)
    low_sa = pair(j, f"{j.name}_lowsa", -40, 220)
    low_sa[0].sa_mapq = 3
    emit(low_sa)
    # A discordant pair with one mate of MAPQ 10.
    low_disc = pair(j, f"{j.name}_lowdisc", -500, 450)
    low_disc[1].mapq = 10
    emit(low_disc)
    # Secondary alignment at the junction (primary elsewhere, unpaired).
    sec_src = molecule_read(j, f"{j.name}_secondary", -45, 55, False, False)
    sec_src.paired = False
    sec_src.flag_extra = 0x100
    elsewhere = plain(sec_src.name, "chr22", 1_000_000, False, False, paired=False)
    emit([sec_src])
    emit([elsewhere])
    # Clipped at the wrong place.
    for off in (6, 20):
        r = molecule_read(j, f"{j.name}_off{off}", -50, 50, False, False)
        r.paired = False
        chrom, start, cigar, rev = r.primary
        p = j.first if chrom == j.first.chrom and abs(start - j.first.edge) < 200 else j.second
        # Move the primary alignment `off` bp away from its edge (same CIGAR).
        r.primary = (chrom, start - off if p.keeps_left else start + off, cigar, rev)
        emit([r])
    r = molecule_read(j, f"{j.name}_saoff30", -50, 50, False, False)
    r.paired = False
    s_chrom, s_start, s_cigar, s_rev = r.supplementary
    r.supplementary = (s_chrom, s_start + 30, s_cigar, s_rev)
    emit([r])
    r = molecule_read(j, f"{j.name}_sastrand", -50, 50, False, False)
    r.paired = False
    s_chrom, s_start, s_cigar, s_rev = r.supplementary
    r.supplementary = (s_chrom, s_start, s_cigar, not s_rev)
    emit([r])
    # Exactly W = 5 bp off on the SA side: still split.
    r = molecule_read(j, f"{j.name}_saoff5", -50, 50, False, False)
    r.paired = False
    s_chrom, s_start, s_cigar, s_rev = r.supplementary
    r.supplementary = (s_chrom, s_start + 5, s_cigar, s_rev)
    emit([r])
    # A single-end split read.
    r = molecule_read(j, f"{j.name}_single", -35, 65, True, False)
    r.paired = False
    emit([r])


junction_cases(EWS, 2)
junction_cases(SS, 1)
# One read whose SA tag does not parse: clipped at EWSR1's edge.
bad = molecule_read(EWS, "bad_sa_1", -60, 40, False, False)
bad.paired = False
bad.supplementary = None
bad.sa_override = "chr11,notanumber,+,60S40M,60,0;"
emit([bad])

tmp = OUT + ".unsorted.bam"
with pysam.AlignmentFile(tmp, "wb", header=header) as out:
    for reads in records:
        for seg in to_segments(reads):
            out.write(seg)
pysam.sort("-o", OUT, tmp)
os.remove(tmp)
pysam.index(OUT)
print(f"wrote {OUT}: {len(records)} fragments")
