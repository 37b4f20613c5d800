//! ctDNA metrics per liquid-biopsy sample: mean and max VAF over tracked variants, detection, mutant molecules per mL.
