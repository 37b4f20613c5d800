#!/bin/sh
# Counts, independently of oncotrack, the structural-variant records of every VCF of the
# shared data (../shared/data/vcf and vcf/sv) with bcftools, and writes expected_counts.tsv:
#   file  sv_records  pass_records  events
# sv_records: records with a symbolic ALT (<DEL>, <INV>, <TRA> ...; not the gVCF reference
# blocks <*> and <NON_REF>), a breakend ALT (t[p[, t]p], ]p]t, [p[t) or a single breakend
# (.t, t.); pass_records: those of them with FILTER PASS or '.'; events: the events they
# make with every filter kept, a breakend whose MATEID names a record that names it back
# being one event with it (awk over `bcftools query`).
# Run from the repository root: sh tests/reference/sv/sv_expected.sh
set -eu
data=${1:-../shared/data}
out=tests/reference/sv/expected_counts.tsv
sv='(ALT~"<" && ALT!~"<\*>" && ALT!~"<NON_REF>") || ALT~"\[" || ALT~"\]" || ALT~"^\.[ACGTNacgtn]" || ALT~"[ACGTNacgtn]\.$"'
{
    printf 'file\tsv_records\tpass_records\tevents\n'
    for f in "$data"/vcf/*.vcf "$data"/vcf/*.vcf.gz "$data"/vcf/sv/*.vcf "$data"/vcf/sv/*.vcf.gz; do
        [ -f "$f" ] || continue
        name=${f#"$data"/}
        all=$(bcftools view -H -i "$sv" "$f" 2>/dev/null | wc -l)
        pass=$(bcftools view -H -i "($sv) && (FILTER=\"PASS\" || FILTER=\".\")" "$f" 2>/dev/null | wc -l)
        if [ "$all" -gt 0 ] && bcftools view -h "$f" | grep -q '^##INFO=<ID=MATEID,'; then
            events=$(bcftools query -i "$sv" -f '%ID\t%INFO/MATEID\n' "$f" 2>/dev/null | awk -F'\t' '
                { id[NR] = $1; mate[NR] = $2; if ($1 != ".") row[$1] = NR }
                END {
                    n = 0
                    for (i = 1; i <= NR; i++) {
                        j = (mate[i] in row) ? row[mate[i]] : 0
                        if (j && j != i && mate[j] == id[i]) { if (i < j) n++ } else n++
                    }
                    print n
                }')
        else
            events=$all
        fi
        printf '%s\t%s\t%s\t%s\n' "$name" "$all" "$pass" "$events"
    done
} > "$out"
bcftools --version | head -1 > tests/reference/sv/bcftools_version.txt
