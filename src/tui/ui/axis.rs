//! Axis arithmetic shared by every chart of the patient screen: the day-to-column mapping of ratatui's braille canvas, calendar and day ticks, nice linear ticks and log decades, and labels with sensible precision.

use chrono::{Datelike, Duration, NaiveDate};

/// Columns left of every plot for the y labels (6) and the axis line (1): all charts
/// and the event strip start their x scale at the same column.
pub const GUTTER: u16 = 7;

/// The column (relative to the plot's left edge) where ratatui's braille canvas draws
/// `value` on an axis of `bounds` over `width` cells (2 dots per cell).
pub fn column(bounds: [f64; 2], value: f64, width: u16) -> u16 {
    if width == 0 || bounds[1] <= bounds[0] {
        return 0;
    }
    let fraction = ((value - bounds[0]) / (bounds[1] - bounds[0])).clamp(0.0, 1.0);
    let dot = (fraction * (f64::from(width) * 2.0 - 1.0)) as u16;
    (dot / 2).min(width - 1)
}

/// The row (from the plot's top) where the braille canvas draws `value` on a y axis of
/// `bounds` over `height` cells (4 dots per cell).
pub fn row(bounds: [f64; 2], value: f64, height: u16) -> u16 {
    if height == 0 || bounds[1] <= bounds[0] {
        return 0;
    }
    let fraction = ((bounds[1] - value) / (bounds[1] - bounds[0])).clamp(0.0, 1.0);
    let dot = (fraction * (f64::from(height) * 4.0 - 1.0)) as u16;
    (dot / 4).min(height - 1)
}

/// Ticks of the shared time axis: `(day since index, label)`. Calendar months (or years)
/// when the index date is known and `days` is false, else multiples of a round number
/// of days; at most one label per 9 columns.
pub fn x_ticks(
    index: Option<NaiveDate>,
    x: [f64; 2],
    width: u16,
    days: bool,
) -> Vec<(f64, String)> {
    let max_labels = (usize::from(width) / 9).max(2);
    let span = (x[1] - x[0]).max(1.0);
    match index {
        Some(index) if !days => calendar_ticks(index, x, max_labels),
        _ => {
            let step = [
                7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, 730.0, 1825.0, 3650.0,
            ]
            .into_iter()
            .find(|step| span / step <= max_labels as f64)
            .unwrap_or(3650.0);
            let mut ticks = Vec::new();
            let mut day = (x[0] / step).ceil() * step;
            while day <= x[1] + 1e-9 {
                ticks.push((day, format!("{day:.0}d")));
                day += step;
            }
            ticks
        }
    }
}

fn calendar_ticks(index: NaiveDate, x: [f64; 2], max_labels: usize) -> Vec<(f64, String)> {
    let start = index + Duration::days(x[0].floor() as i64);
    let end = index + Duration::days(x[1].ceil() as i64);
    let months = |d: NaiveDate| i64::from(d.year()) * 12 + i64::from(d.month0());
    let span = (months(end) - months(start)).max(1);
    let step = [1, 2, 3, 6, 12, 24, 60, 120]
        .into_iter()
        .find(|step| span / step < max_labels as i64)
        .unwrap_or(120);
    let mut ticks = Vec::new();
    let mut month = months(start);
    if month % step != 0 {
        month += step - month.rem_euclid(step);
    }
    loop {
        let (year, month0) = (month.div_euclid(12), month.rem_euclid(12));
        let Some(date) = NaiveDate::from_ymd_opt(year as i32, month0 as u32 + 1, 1) else {
            break;
        };
        if date > end {
            break;
        }
        if date >= start {
            let label = if step >= 12 {
                format!("{year}")
            } else {
                format!("{year}-{:02}", month0 + 1)
            };
            ticks.push(((date - index).num_days() as f64, label));
        }
        month += step;
    }
    if ticks.len() < 2 {
        // Less than two month starts in view: the first and last dates themselves.
        ticks = vec![(x[0], start.to_string()), (x[1], end.to_string())];
    }
    ticks
}

/// A round step (1, 2, 2.5 or 5 times a power of ten) giving about `count` steps over `range`.
pub fn nice_step(range: f64, count: usize) -> f64 {
    let raw = (range / count.max(1) as f64).abs().max(f64::MIN_POSITIVE);
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// Linear ticks covering `[lo, hi]` with about `count` steps: the widened bounds and
/// each tick's value.
pub fn linear_ticks(lo: f64, hi: f64, count: usize) -> ([f64; 2], Vec<f64>, f64) {
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let step = nice_step(hi - lo, count);
    let first = (lo / step).floor() * step;
    let last = (hi / step).ceil() * step;
    let mut ticks = Vec::new();
    let mut tick = first;
    while tick <= last + step * 1e-6 {
        ticks.push(tick);
        tick += step;
    }
    ([first, last], ticks, step)
}

/// A tick value with just the decimals its step needs (no `2065.000`).
pub fn format_value(value: f64, step: f64) -> String {
    if value.abs() >= 1e5 {
        return format!("{value:.0e}");
    }
    let power = step.log10().floor();
    let quarter = usize::from((step / 10f64.powf(power) - 2.5).abs() < 1e-9);
    let decimals = if step >= 1.0 {
        quarter.min(usize::from(power < 1.0))
    } else {
        (-power) as usize + quarter
    };
    let text = format!("{value:.decimals$}");
    if text.starts_with('-')
        && text
            .trim_matches(|c| c == '-' || c == '0' || c == '.')
            .is_empty()
    {
        text[1..].to_string()
    } else {
        text
    }
}

/// The label of decade `10^exponent`: as a percentage for VAFs (`0.01%`, `1%`), else
/// as a plain number (`0.1`, `100`, `1e5`).
pub fn decade_label(exponent: i32, percent: bool) -> String {
    let exponent = if percent { exponent + 2 } else { exponent };
    let text = match exponent {
        e if e >= 5 => format!("1e{e}"),
        e if e >= 0 => format!("{}", 10i64.pow(e as u32)),
        e if e >= -4 => format!("{:.*}", (-e) as usize, 10f64.powi(e)),
        e => format!("1e{e}"),
    };
    if percent { format!("{text}%") } else { text }
}

/// The label of a value on a log axis (`20%`, `0.5%` for VAFs; `200`, `0.05` else),
/// with only the decimals it needs.
pub fn log_label(value: f64, percent: bool) -> String {
    let shown = if percent { value * 100.0 } else { value };
    let text = if shown >= 1e5 {
        format!("{shown:.0e}")
    } else if shown >= 1.0 {
        format!("{shown:.0}")
    } else {
        let decimals = (-shown.log10().floor()) as usize;
        format!("{shown:.decimals$}")
    };
    if percent { format!("{text}%") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        crate::model::parse_date(text).unwrap()
    }

    #[test]
    fn columns_follow_the_braille_canvas() {
        assert_eq!(column([0.0, 100.0], 0.0, 50), 0);
        assert_eq!(column([0.0, 100.0], 100.0, 50), 49);
        assert_eq!(column([0.0, 100.0], 50.0, 50), 24);
        assert_eq!(column([0.0, 100.0], 500.0, 50), 49, "clamped");
        assert_eq!(row([0.0, 1.0], 1.0, 10), 0);
        assert_eq!(row([0.0, 1.0], 0.0, 10), 9);
    }

    #[test]
    fn calendar_ticks_fall_on_month_starts_and_thin_out_with_the_span() {
        let ticks = x_ticks(Some(d("2024-01-15")), [0.0, 200.0], 80, false);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2024-02", "2024-03", "2024-04", "2024-05", "2024-06", "2024-07", "2024-08"
            ]
        );
        assert_eq!(ticks[0].0, 17.0, "1 February is day 17");
        let ticks = x_ticks(Some(d("2020-03-01")), [0.0, 2000.0], 80, false);
        assert!(
            ticks.len() <= 8 && ticks.iter().all(|t| t.1.len() == 4),
            "{ticks:?}"
        );
        let days = x_ticks(Some(d("2020-03-01")), [0.0, 811.0], 80, true);
        assert_eq!(days[1].1, "180d");
        let short = x_ticks(Some(d("2024-01-02")), [0.0, 10.0], 80, false);
        assert_eq!(short[1].1, "2024-01-12");
    }

    #[test]
    fn linear_ticks_are_round_and_labels_have_sensible_precision() {
        let ([lo, hi], ticks, step) = linear_ticks(0.0, 59.2, 4);
        assert_eq!((lo, hi, step), (0.0, 60.0, 20.0));
        assert_eq!(ticks, [0.0, 20.0, 40.0, 60.0]);
        assert_eq!(format_value(2065.0, 50.0), "2065");
        assert_eq!(format_value(0.25, 0.25), "0.25");
        assert_eq!(format_value(1.5, 0.5), "1.5");
        assert_eq!(format_value(-0.0, 1.0), "0");
    }

    #[test]
    fn decades_are_labelled_as_percent_for_vaf() {
        let labels: Vec<String> = (-4..=-1).map(|e| decade_label(e, true)).collect();
        assert_eq!(labels, ["0.01%", "0.1%", "1%", "10%"]);
        assert_eq!(decade_label(3, false), "1000");
        assert_eq!(decade_label(-1, false), "0.1");
        assert_eq!(log_label(0.2, true), "20%");
        assert_eq!(log_label(0.005, true), "0.5%");
        assert_eq!(log_label(0.05, false), "0.05");
        assert_eq!(log_label(2000.0, false), "2000");
    }
}
