"""Writes a coordinate-sorted paired-end SAM of a cfDNA-like library to stdout.

usage: liquid_make_bam.py READ_PAIRS [LOCI_OUT [LENGTH N_LOCI SPACING]]
One contig `chr1` (20 Mb unless LENGTH), 101 bp reads, fragments of 150-190 bp (mates
overlap, as in cfDNA), ~0.5 % sequencing errors, varied base qualities, a few
duplicates and low-MAPQ reads. With 5,000,000 pairs the BAM (samtools view -b) is about
1 GB. LOCI_OUT gets 1,000 loci (chrom pos ref alt) spread over the contig for `count`
and samtools; with N_LOCI and SPACING, N_LOCI loci every SPACING bp from position 1000
instead (the dense panels of benches/liquid.sh: 1,000 loci every 1 kb over 1 Mb; 50
loci every 400 bp over 20 kb). Depth = 2 x 101 x READ_PAIRS / LENGTH.
Deterministic (seed 3).
"""
import heapq
import random
import sys

pairs = int(sys.argv[1])
rng = random.Random(3)
LENGTH = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000_000
DENSE = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else None
READ = 101
ref = "".join(rng.choices("ACGT", k=LENGTH))
quals = ["".join(chr(33 + q) for q in rng.choices(range(2, 42), weights=[1] * 10 + [3] * 30, k=READ)) for _ in range(4000)]
out = sys.stdout
out.write(f"@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:{LENGTH}\n")


def mutate(seq):
    if rng.random() < 0.4:
        s = list(seq)
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(READ)
            s[i] = rng.choice("ACGT")
        return "".join(s)
    return seq


pending = []
step = (LENGTH - 400) / pairs
for k in range(pairs):
    start = int(k * step) + 1
    while pending and pending[0][0] <= start:
        out.write(heapq.heappop(pending)[1])
    fragment = rng.randint(150, 190)
    mate = start + fragment - READ
    name = f"f{k}"
    flag_extra = 1024 if rng.random() < 0.02 else 0
    mapq = 60 if rng.random() > 0.03 else rng.randint(0, 19)
    s1 = mutate(ref[start - 1:start - 1 + READ])
    s2 = mutate(ref[mate - 1:mate - 1 + READ])
    out.write(f"{name}\t{99 | flag_extra}\tchr1\t{start}\t{mapq}\t{READ}M\t=\t{mate}\t{fragment}\t{s1}\t{rng.choice(quals)}\n")
    heapq.heappush(pending, (mate, f"{name}\t{147 | flag_extra}\tchr1\t{mate}\t{mapq}\t{READ}M\t=\t{start}\t{-fragment}\t{s2}\t{rng.choice(quals)}\n"))
while pending:
    out.write(heapq.heappop(pending)[1])

if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        f.write("chrom\tpos\tref\talt\n")
        for i in range(DENSE[0] if DENSE else 1000):
            if DENSE:
                pos = 1000 + i * DENSE[1]
            else:
                pos = 1000 + i * (LENGTH - 2000) // 1000 + rng.randint(0, 500)
            r = ref[pos - 1]
            alt = rng.choice([b for b in "ACGT" if b != r])
            f.write(f"chr1\t{pos}\t{r}\t{alt}\n")
