"""Reference values of the MRD test on ctDNAtools' T1.bam, computed with samtools (not oncotrack).

usage: python3 mrd_expected.py DATA_DIR > mrd/T1.expected.json
DATA_DIR holds ctdnatools_T1.bam, ctdnatools_mutations.tsv and ctdnatools_targets.bed.
Definitions (ctDNAtools test_ctDNA, min_mapq 40, min_base_quality 30):
- background: `samtools mpileup -A -B -x -q 40 -Q 30 -d 100000 -r TARGET` (every read
  counted, overlapping mates both, as Rsamtools' pileup), positions with non-reference
  fraction >= 0.1 left out, the reference base being the reporter's REF or else the most
  frequent base; rate = sum non-reference / sum depth (A+C+G+T);
- per locus depth = REF + ALT reads of the same pileup;
- informative reads: unique names of reads (`samtools view -F 0x704 -q 40`) whose base
  at a reporter has quality >= 30 and is its REF or ALT;
- phased merge: merge_mutations_in_phase on those names.
"""
import json
import re
import subprocess
import sys

data = sys.argv[1]
bam = f"{data}/ctdnatools_T1.bam"
muts = []
for line in open(f"{data}/ctdnatools_mutations.tsv").read().splitlines()[1:]:
    f = line.split("\t")
    muts.append((f[0], int(f[1]), f[2], f[3], f[4] if len(f) > 4 else ""))
chrom, start, end = open(f"{data}/ctdnatools_targets.bed").read().split()[:3]
region = f"{chrom}:{int(start) + 1}-{end}"


def pileup(reg):
    out = subprocess.run(["samtools", "mpileup", "-A", "-B", "-x", "-q", "40", "-Q", "30", "-d", "100000",
                          "-r", reg, bam], capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        f = line.split("\t")
        s = re.sub(r"\^.", "", f[4]).replace("$", "")
        t, i = "", 0
        while i < len(s):
            if s[i] in "+-":
                j = i + 1
                while s[j].isdigit():
                    j += 1
                i = j + int(s[i + 1:j])
                continue
            t += s[i]
            i += 1
        t = t.upper()
        res[int(f[1])] = {b: t.count(b) for b in "ACGT"}
    return res


p = pileup(region)
known = {m[1]: m[2] for m in muts}
non = depth = 0
for pos, c in p.items():
    d = sum(c.values())
    if d == 0:
        continue
    ref = known.get(pos) or max("ACGT", key=lambda b: (c[b], -"ACGT".index(b)))
    n = d - c[ref]
    if n / d >= 0.1:
        continue
    non += n
    depth += d
depths = []
for _, pos, r, a, _ in muts:
    c = p.get(pos, {b: 0 for b in "ACGT"})
    depths.append(c[r] + c[a])


def base_at(pos1, cigar, seq, qual, locus):
    ref, q = pos1, 0
    for n, op in re.findall(r"(\d+)([MIDNSHP=X])", cigar):
        n = int(n)
        if op in "M=X":
            if ref <= locus < ref + n:
                i = q + locus - ref
                return seq[i], ord(qual[i]) - 33
            ref += n
            q += n
        elif op in "DN":
            if ref <= locus < ref + n:
                return None
            ref += n
        elif op in "IS":
            q += n
    return None


names = {}
for chrom_, pos, r, a, ph in muts:
    out = subprocess.run(["samtools", "view", "-F", "0x704", "-q", "40", bam, f"{chrom_}:{pos}-{pos}"],
                         capture_output=True, text=True, check=True).stdout
    refn, altn = set(), set()
    for line in out.splitlines():
        f = line.split("\t")
        b = base_at(int(f[3]), f[5], f[9], f[10], pos)
        if b is None or b[1] < 30:
            continue
        if b[0] == r:
            refn.add(f[0])
        elif b[0] == a:
            altn.add(f[0])
    names[(pos, ph)] = (refn, altn)
informative = len(set().union(*[r | a for r, a in names.values()]))
groups = {}
for pos, ph in names:
    groups.setdefault(ph or str(pos), []).append((pos, ph))
multi = total = 0
events = []
for key, members in groups.items():
    refs = [n for m in members for n in names[m][0]]
    alts = [n for m in members for n in names[m][1]]
    allr = refs + alts
    multi += len({n for n in allr if allr.count(n) > 1})
    total += len(set(allr))
    purified = [n for n in alts if n not in set(refs)]
    events.append({"id": key, "ref": len(set(refs)), "alt": len(set(purified)),
                   "multi_support": len({n for n in purified if purified.count(n) > 1})})
print(json.dumps({
    "tools": subprocess.run(["samtools", "--version"], capture_output=True, text=True, errors="replace").stdout.splitlines()[0],
    "plain": {"background_non_reference": non, "background_depth": depth, "background_rate": non / depth,
              "depths": depths, "informative_reads": informative},
    "phased": {"events": events, "purification": multi / total,
               "n_nonzero": sum(1 for e in events if e["alt"] > 0), "alt_reads": sum(e["alt"] for e in events)},
}, indent=2))
