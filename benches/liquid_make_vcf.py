"""Writes a Mutect2-style tumour/normal VCF with N records (default 1,000,000) to stdout.

Deterministic (seed 1). Contigs chr1..chr22, ~5 % multi-allelic records, ~30 % filtered,
FORMAT GT:AD:AF:DP:F1R2:F2R1:SB like GATK 4 Mutect2. Pipe through `bgzip` for the
benchmark (benches/liquid.sh does).
"""
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(1)
out = sys.stdout
out.write("##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=TUMOR\n##normal_sample=NORMAL\n")
out.write('##FILTER=<ID=PASS,Description="All filters passed">\n')
for f in ("weak_evidence", "strand_bias", "clustered_events"):
    out.write(f'##FILTER=<ID={f},Description="{f}">\n')
out.write('##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">\n')
out.write('##INFO=<ID=TLOD,Number=A,Type=Float,Description="Tumor LOD">\n')
for fmt in ('GT,1,String', 'AD,R,Integer', 'AF,A,Float', 'DP,1,Integer', 'F1R2,R,Integer', 'F2R1,R,Integer', 'SB,4,Integer'):
    i, num, ty = fmt.split(",")
    out.write(f'##FORMAT=<ID={i},Number={num},Type={ty},Description="{i}">\n')
for c in range(1, 23):
    out.write(f"##contig=<ID=chr{c},length=250000000>\n")
out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n")
per_contig = n // 22 + 1
bases = "ACGT"
written = 0
for c in range(1, 23):
    pos = 10000
    for _ in range(per_contig):
        if written == n:
            break
        pos += rng.randint(1, 200)
        ref = rng.choice(bases)
        alts = [b for b in bases if b != ref]
        k = 2 if rng.random() < 0.05 else 1
        alt = rng.sample(alts, k)
        depth = rng.randint(30, 2000)
        afs = [round(rng.uniform(0.001, 0.5) / k, 3) for _ in alt]
        alt_reads = [max(1, int(depth * a)) for a in afs]
        ref_reads = max(0, depth - sum(alt_reads))
        flt = "PASS" if rng.random() < 0.7 else rng.choice(["weak_evidence", "strand_bias", "clustered_events"])
        ad = ",".join(str(x) for x in [ref_reads] + alt_reads)
        nd = rng.randint(20, 200)
        normal = f"0/0:{nd},{','.join('0' for _ in alt)}:{','.join('0.005' for _ in alt)}:{nd}:{nd//2},{','.join('0' for _ in alt)}:{nd//2},{','.join('0' for _ in alt)}:{nd//4},{nd//4},0,0"
        gt = "0/1" if k == 1 else "0/1/2"
        tumour = f"{gt}:{ad}:{','.join(str(a) for a in afs)}:{depth}:{ref_reads//2},{','.join(str(a//2) for a in alt_reads)}:{ref_reads//2},{','.join(str(a//2) for a in alt_reads)}:{ref_reads//2},{ref_reads//2},{sum(alt_reads)//2},{sum(alt_reads)//2}"
        tlod = ",".join(f"{rng.uniform(3, 500):.2f}" for _ in alt)
        out.write(f"chr{c}\t{pos}\t.\t{ref}\t{','.join(alt)}\t.\t{flt}\tDP={depth + nd};TLOD={tlod}\tGT:AD:AF:DP:F1R2:F2R1:SB\t{normal}\t{tumour}\n")
        written += 1
