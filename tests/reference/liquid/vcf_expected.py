"""Turns `bcftools query` rows into expected calls per DESIGN.md's caller table.

stdin: CHROM POS REF ALT FILTER then the caller's FORMAT fields (see vcf_expected.sh).
stdout: chrom_raw pos ref alt filter vaf alt_reads ref_reads depth, one line per ALT
('.' for a missing value). Records whose REF or ALT is not a base sequence (VarScan2's
'CT/TTTT') are skipped, as oncotrack skips them; '*', '.' and '<...>' ALTs give no call.
"""
import re
import sys

caller = sys.argv[1]
BASES = re.compile(r"^[ACGTNacgtn]+$")


def num(text):
    return None if text in (".", "") else float(text)


def vec(text):
    return [num(t) for t in text.split(",")]


def at(values, i):
    return values[i] if i < len(values) else None


def ratio(alt, ref):
    if alt is None or ref is None or alt + ref == 0:
        return None
    return alt / (alt + ref)


def total(values):
    return None if any(v is None for v in values) else sum(values)


def fmt(x):
    if x is None:
        return "."
    if float(x).is_integer() and abs(x) >= 1:
        return str(int(x))
    return repr(float(x))


for line in sys.stdin:
    chrom, pos, ref, alts, filt, *f = line.rstrip("\n").split("\t")
    alts = alts.split(",")
    def ok(a):
        return bool(BASES.match(a)) or a in ("*", ".") or (a.startswith("<") and a.endswith(">"))
    if not BASES.match(ref) or not all(ok(a) for a in alts):
        continue
    n = len(alts)
    for i, alt in enumerate(alts):
        if alt in ("*", ".") or alt.startswith("<"):
            continue
        if caller in ("mutect2", "mutect1", "deepvariant"):
            af, ad, dp = vec(f[0]), vec(f[1]), num(f[2])
            vaf = at(af, i)
            r, a = at(ad, 0), at(ad, i + 1)
            if vaf is None:
                vaf = ratio(a, r)
            depth = dp if dp is not None else total(ad[: n + 1])
        elif caller == "vardict":
            af, ad, vd, dp = vec(f[0]), vec(f[1]), vec(f[2]), num(f[3])
            vaf = at(af, i)
            r, a = at(ad, 0), at(ad, i + 1)
            if a is None:
                a = at(vd, i)
            if vaf is None:
                vaf = ratio(a, r)
            depth = dp if dp is not None else total(ad[: n + 1])
        elif caller == "freebayes":
            ro, ao, dp = num(f[0]), vec(f[1]), num(f[2])
            r, a = ro, at(ao, i)
            vaf = ratio(a, r)
            t = total(ao[:n])
            depth = dp if dp is not None else (None if r is None or t is None else r + t)
        elif caller == "varscan2":
            freq, rd, ad, dp = f[0], num(f[1]), vec(f[2]), num(f[3])
            r, a = rd, at(ad, i)
            vaf = None if freq == "." else float(freq.rstrip("%")) / 100
            if vaf is None:
                vaf = ratio(a, r)
            t = total(ad[:n])
            depth = dp if dp is not None else (None if r is None or t is None else r + t)
        elif caller == "strelka_snv":
            counts = {b: vec(v)[0] for b, v in zip("ACGT", f[:4])}
            dp = num(f[4])
            r, a = counts[ref.upper()], counts[alt.upper()]
            vaf = ratio(a, r)
            depth = dp if dp is not None else total(list(counts.values()))
        elif caller == "strelka_indel":
            r, a, dp = vec(f[0])[0], vec(f[1])[0], num(f[2])
            vaf = ratio(a, r)
            depth = dp if dp is not None else total([r, a])
        else:
            raise SystemExit(f"unknown caller {caller}")
        print("\t".join([chrom, pos, ref, alt, filt, fmt(vaf), fmt(a), fmt(r), fmt(depth)]))
