#!/usr/bin/env bash
# Expected per-ALT allele fraction, alt reads, ref reads and depth of the tumour sample
# of every VCF in ../shared/data/vcf, extracted with `bcftools query` (bcftools 1.16,
# Debian package) and computed per DESIGN.md's caller table by vcf_expected.py.
# Output: vcf/<file>.tsv (chrom_raw pos ref alt filter vaf alt_reads ref_reads depth),
# one line per ALT allele in file order, every filter kept.
# Run from the repository root: bash tests/reference/liquid/vcf_expected.sh
set -euo pipefail
data=${1:-../shared/data/vcf}
out=tests/reference/liquid/vcf
mkdir -p "$out"
q() { # file caller sample format
    bcftools query -s "$3" -f "%CHROM\t%POS\t%REF\t%ALT\t%FILTER\t$4\n" "$1" 2>/dev/null \
        | python3 tests/reference/liquid/vcf_expected.py "$2" > "$out/$(basename "$1").tsv"
}
q "$data/mutect2_mt_EGAN00001437488.vcf" mutect2 EGAN00001437488 '[%AF\t%AD\t%DP]'
q "$data/mutect2_mt_MSM0.87_s3.vcf"      mutect2 MSM0.87_s3      '[%AF\t%AD\t%DP]'
q "$data/jacquard_case_A.mutect.vcf"     mutect1 case_A_tumor    '[%FA\t%AD\t%DP]'
q "$data/jacquard_case_A.strelka.snvs.vcf"   strelka_snv   TUMOR '[%AU\t%CU\t%GU\t%TU\t%DP]'
q "$data/jacquard_case_A.strelka.indels.vcf" strelka_indel TUMOR '[%TAR\t%TIR\t%DP]'
q "$data/jacquard_case_A.varscan.snp.vcf"   varscan2 TUMOR '[%FREQ\t%RD\t%AD\t%DP]'
q "$data/jacquard_case_A.varscan.indel.vcf" varscan2 TUMOR '[%FREQ\t%RD\t%AD\t%DP]'
q "$data/vardict.simple.vcf"             vardict abc       '[%AF\t%AD\t%VD\t%DP]'
q "$data/freebayes_q.vcf.gz"             freebayes 1       '[%RO\t%AO\t%DP]'
q "$data/deepvariant_NA12878_chr20.vcf"  deepvariant NA12878 '[%VAF\t%AD\t%DP]'
bcftools --version | head -1 > "$out/VERSION"
