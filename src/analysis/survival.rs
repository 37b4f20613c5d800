//! Survival: Kaplan-Meier with Greenwood confidence intervals, median survival, log-rank test.
