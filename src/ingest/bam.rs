//! Allele counts at loci read from indexed BAM files; agrees with `samtools mpileup -A -B`.
