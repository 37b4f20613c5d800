//! ComBat harmonisation (Johnson 2007) as in neuroCombat: parametric and non-parametric EB, no-EB, mean-only, reference batch.
