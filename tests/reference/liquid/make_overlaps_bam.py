"""Writes fixtures/liquid/overlaps.sam: a synthetic paired-end BAM source with every case
the allele counter must get right (deterministic, seed 7). Converted to a sorted,
indexed BAM by make_overlaps_bam.sh with samtools.

Cases: overlapping mates that agree and disagree (equal and unequal base qualities),
mates starting at the same position, soft clips, insertions and deletions (also inside
the overlap), MAPQ 0..60 and 255, missing qualities ('*'), duplicate, QC-fail,
secondary and supplementary records, pairs that are not proper, mates on another contig.
"""
import random

rng = random.Random(7)
REF_LEN = 3000
ref = "".join(rng.choice("ACGT") for _ in range(REF_LEN))
lines = ["@HD\tVN:1.6\tSO:unsorted", f"@SQ\tSN:chr1\tLN:{REF_LEN}", "@SQ\tSN:chr2\tLN:1000"]


def read_from(pos, length):
    """Sequence, CIGAR and qualities of a read at 0-based pos, with edits."""
    seq, cigar = [], []
    kind = rng.random()
    i = pos
    if kind < 0.1:  # soft clip at the start
        clip = rng.randint(2, 8)
        seq += [rng.choice("ACGT") for _ in range(clip)]
        cigar.append(f"{clip}S")
        length -= clip
    if kind > 0.8 and length > 30:  # an indel in the middle
        first = rng.randint(10, length - 15)
        seq += list(ref[i:i + first]); i += first
        cigar.append(f"{first}M")
        if rng.random() < 0.5:
            d = rng.randint(1, 4); i += d; cigar.append(f"{d}D")
            rest = length - first
        else:
            n = rng.randint(1, 3); seq += [rng.choice("ACGT") for _ in range(n)]; cigar.append(f"{n}I")
            rest = length - first - n
        seq += list(ref[i:i + rest]); cigar.append(f"{rest}M")
    else:
        seq += list(ref[i:i + length]); cigar.append(f"{length}M")
    # mismatches, some at a planted variant site
    for j in range(len(seq)):
        if rng.random() < 0.03:
            seq[j] = rng.choice("ACGT")
    quals = [rng.choice([2, 10, 19, 20, 21, 25, 30, 30, 30, 35, 38, 40]) for _ in seq]
    return "".join(seq), "".join(cigar), quals


def ref_len(cigar):
    n, total = "", 0
    for c in cigar:
        if c.isdigit():
            n += c
        else:
            if c in "MDN=X":
                total += int(n)
            n = ""
    return total


def qual_text(quals):
    return "".join(chr(q + 33) for q in quals)


records = []
for k in range(400):
    name = f"frag{k:04d}"
    length = rng.randint(40, 100)
    start = rng.randint(0, REF_LEN - 300)
    insert = rng.randint(length - 20, 2 * length + 40)  # overlapping and not
    mate = start if rng.random() < 0.05 else start + max(0, insert - length)
    s1, c1, q1 = read_from(start, length)
    s2, c2, q2 = read_from(mate, length)
    if rng.random() < 0.3:  # force a disagreement inside the overlap
        for j in range(len(s2)):
            p = mate + j - start
            if 0 <= p < len(s1) and rng.random() < 0.1:
                s2 = s2[:j] + ("A" if s1[p] != "A" else "C") + s2[j + 1:]
                if rng.random() < 0.5:
                    q2[j] = q1[p]
    mapq1 = rng.choice([0, 10, 19, 20, 40, 60, 60, 60, 255])
    mapq2 = rng.choice([0, 10, 20, 60, 60, 60, 255])
    proper = 2 if rng.random() < 0.85 else 0
    extra = rng.choice([0] * 20 + [1024, 512, 256, 2048])
    tlen = mate + ref_len(c2) - start
    qt1 = "*" if rng.random() < 0.03 else qual_text(q1)
    flag1 = 1 | proper | 64 | 32 | extra
    flag2 = 1 | proper | 128 | 16
    mate_contig = "="
    if rng.random() < 0.03:
        mate_contig, flag1 = "chr2", flag1 & ~2
    records.append((start, f"{name}\t{flag1}\tchr1\t{start + 1}\t{mapq1}\t{c1}\t{mate_contig}\t{mate + 1}\t{tlen}\t{s1}\t{qt1}"))
    records.append((mate, f"{name}\t{flag2}\tchr1\t{mate + 1}\t{mapq2}\t{c2}\t=\t{start + 1}\t{-tlen}\t{s2}\t{qual_text(q2)}"))

with open("fixtures/liquid/overlaps.sam", "w") as f:
    f.write("\n".join(lines) + "\n")
    for _, line in records:
        f.write(line + "\n")
