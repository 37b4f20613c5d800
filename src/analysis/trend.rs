//! Trends of a series over time: change from baseline and nadir, log-slope per 30 days with CI, doubling time.
