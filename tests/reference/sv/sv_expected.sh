#!/bin/sh
# Counts, independently of oncotrack, the structural-variant records of every VCF of the
# shared data (../shared/data/vcf and vcf/sv) with bcftools, and writes expected_counts.tsv:
#   file  sv_records  pass_records
# sv_records: records with a symbolic ALT (<DEL>, <INV>, <TRA> ...; not the gVCF reference
# blocks <*> and <NON_REF>), a breakend ALT (t[p[, t]p], ]p]t, [p[t) or a single breakend
# (.t, t.); pass_records: those of them with FILTER PASS or '.'.
# Run from the repository root: sh tests/reference/sv/sv_expected.sh
set -eu
data=${1:-../shared/data}
out=tests/reference/sv/expected_counts.tsv
sv='(ALT~"<" && ALT!~"<\*>" && ALT!~"<NON_REF>") || ALT~"\[" || ALT~"\]" || ALT~"^\.[ACGTNacgtn]" || ALT~"[ACGTNacgtn]\.$"'
{
    printf 'file\tsv_records\tpass_records\n'
    for f in "$data"/vcf/*.vcf "$data"/vcf/*.vcf.gz "$data"/vcf/sv/*.vcf "$data"/vcf/sv/*.vcf.gz; do
        [ -f "$f" ] || continue
        name=${f#"$data"/}
        all=$(bcftools view -H -i "$sv" "$f" 2>/dev/null | wc -l)
        pass=$(bcftools view -H -i "($sv) && (FILTER=\"PASS\" || FILTER=\".\")" "$f" 2>/dev/null | wc -l)
        printf '%s\t%s\t%s\n' "$name" "$all" "$pass"
    done
} > "$out"
bcftools --version | head -1 > tests/reference/sv/bcftools_version.txt
