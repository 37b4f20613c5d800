"""Expected base counts at loci of a BAM, from `samtools mpileup` (samtools 1.16.1, Debian).

usage: bam_expected.py BAM OUT_DIR [--synthetic]
Writes OUT_DIR/<bam>.loci.tsv (chrom pos ref alt) unless it exists, then for each
(min MAPQ, min BQ, overlap mode) OUT_DIR/<bam>.q<MQ>.Q<BQ>.<fragment|reads>.tsv with
chrom pos depth a c g t n, counted from the base column of
  samtools mpileup -A -B -q MQ -Q BQ --ff UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY
                   --no-output-ins --no-output-ins --no-output-del --no-output-ends
                   [-x] -r CHROM:POS-POS BAM
run once per locus (-x: overlapping mates not detected, oncotrack's --count-overlaps).
Loci: every 5th covered position (at most 300) plus every position where a second base
is seen in at least 2 reads; REF is the most frequent base, ALT the second (or the next
base in ACGT order when there is none).
"""
import os
import subprocess
import sys
from collections import Counter

bam, out = sys.argv[1], sys.argv[2]
name = os.path.basename(bam)
SETTINGS = [(20, 20), (0, 0), (30, 38)]
FLAGS = "UNMAP,SECONDARY,QCFAIL,DUP,SUPPLEMENTARY"


def mpileup(args):
    cmd = ["samtools", "mpileup", "-A", "-B", "--ff", FLAGS, "--no-output-ins",
           "--no-output-ins", "--no-output-del", "--no-output-ends"] + args
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def counts(bases):
    c = Counter()
    for ch in bases.upper():
        if ch in "ACGT":
            c[ch] += 1
        elif ch.isalpha():
            c["N"] += 1
    return c


loci_path = os.path.join(out, name + ".loci.tsv")
if not os.path.exists(loci_path):
    loci = []
    covered = []
    for line in mpileup(["-q", "0", "-Q", "0", bam]).splitlines():
        chrom, pos, _, depth, bases, _ = line.split("\t")[:6]
        c = counts(bases)
        ranked = [b for b, _ in c.most_common() if b != "N"]
        if not ranked:
            continue
        covered.append((chrom, int(pos), ranked, c))
    for i, (chrom, pos, ranked, c) in enumerate(covered):
        minor = len(ranked) > 1 and c[ranked[1]] >= 2
        if minor or (i % 5 == 0 and i // 5 < 300):
            ref = ranked[0]
            alt = ranked[1] if len(ranked) > 1 else "ACGT"[("ACGT".index(ref) + 1) % 4]
            loci.append((chrom, pos, ref, alt))
    with open(loci_path, "w") as f:
        f.write("chrom\tpos\tref\talt\n")
        for chrom, pos, ref, alt in loci:
            f.write(f"{chrom}\t{pos}\t{ref}\t{alt}\n")

loci = [l.split("\t") for l in open(loci_path).read().splitlines()[1:]]
for mq, bq in SETTINGS:
    for mode, extra in (("fragment", []), ("reads", ["-x"])):
        rows = []
        for chrom, pos, _, _ in loci:
            text = mpileup(["-q", str(mq), "-Q", str(bq)] + extra + ["-r", f"{chrom}:{pos}-{pos}", bam])
            c = Counter()
            for line in text.splitlines():
                f = line.split("\t")
                if f[1] == pos:
                    c = counts(f[4])
            depth = sum(c[b] for b in "ACGTN")
            rows.append(f"{chrom}\t{pos}\t{depth}\t" + "\t".join(str(c[b]) for b in "ACGTN"))
        with open(os.path.join(out, f"{name}.q{mq}.Q{bq}.{mode}.tsv"), "w") as f:
            f.write("chrom\tpos\tdepth\ta\tc\tg\tt\tn\n")
            f.write("\n".join(rows) + "\n")
