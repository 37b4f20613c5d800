//! The scales and axes every report chart shares: one time axis in calendar dates, linear and log value axes, and the group attributes that let a test map a drawn point back to its value.

use super::scene::{Anchor, Color, Scene, Style, num};
use crate::model::date::format_date;
use chrono::{Datelike, NaiveDate};

/// A rectangle of the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Area {
    /// Right edge.
    pub fn right(&self) -> f64 {
        self.x + self.w
    }

    /// Bottom edge.
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// Dates to x: one scale for every chart of a page, so a day falls in the same place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeAxis {
    /// First day.
    pub start: NaiveDate,
    /// Last day.
    pub end: NaiveDate,
    /// x of `start`.
    pub x0: f64,
    /// x of `end`.
    pub x1: f64,
}

impl TimeAxis {
    /// A time axis over `start..=end` (padded by 2 % each side) drawn from `x0` to `x1`.
    pub fn new(start: NaiveDate, end: NaiveDate, x0: f64, x1: f64) -> TimeAxis {
        let days = (end - start).num_days().max(30);
        let pad = chrono::Duration::days((days / 50).max(3));
        TimeAxis {
            start: start - pad,
            end: start + chrono::Duration::days(days) + pad,
            x0,
            x1,
        }
    }

    /// The x of a date.
    pub fn x(&self, date: NaiveDate) -> f64 {
        let span = (self.end - self.start).num_days().max(1) as f64;
        self.x0 + (date - self.start).num_days() as f64 / span * (self.x1 - self.x0)
    }

    /// Tick dates: first days of months every 1, 3, 6 or 12 months, about 4 to 12 ticks.
    pub fn ticks(&self) -> Vec<NaiveDate> {
        let months = (self.end - self.start).num_days() / 30;
        let step = match months {
            0..=10 => 1,
            11..=30 => 3,
            31..=60 => 6,
            _ => 12 * (1 + months / 120) as u32,
        };
        let mut ticks = Vec::new();
        let (mut year, mut month) = (self.start.year(), self.start.month());
        loop {
            if let Some(date) = NaiveDate::from_ymd_opt(year, month, 1) {
                if date > self.end {
                    break;
                }
                let aligned = if step >= 12 {
                    month == 1
                } else {
                    (month - 1) % step == 0
                };
                if date >= self.start && aligned {
                    ticks.push(date);
                }
            }
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
            if year > self.end.year() + 1 {
                break;
            }
        }
        ticks
    }

    /// Vertical grid lines at the ticks over `area`, labelled below when `labels`.
    pub fn draw(&self, scene: &mut Scene, area: Area, labels: bool) {
        for tick in self.ticks() {
            let x = self.x(tick);
            scene.line(
                (x, area.y),
                (x, area.bottom()),
                Style::stroke(Color::LIGHT, 0.4),
            );
            if labels {
                let text = if self.ticks().len() > 8 && tick.month() != 1 {
                    format!("{:02}", tick.month())
                } else {
                    format!("{}-{:02}", tick.year(), tick.month())
                };
                scene.text(
                    x,
                    area.bottom() + 7.0,
                    text,
                    5.5,
                    Anchor::Middle,
                    Color::GREY,
                );
            }
        }
    }

    /// The group attributes of this axis (`data-x0`, `data-x1`, `data-start`, `data-end`).
    pub fn attrs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("x0", num(self.x0)),
            ("x1", num(self.x1)),
            ("start", format_date(self.start)),
            ("end", format_date(self.end)),
        ]
    }
}

/// Values to y: linear or base-10 log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValueAxis {
    /// Lowest value (bottom).
    pub lo: f64,
    /// Highest value (top).
    pub hi: f64,
    /// Log scale.
    pub log: bool,
    /// y of `lo`.
    pub bottom: f64,
    /// y of `hi`.
    pub top: f64,
}

impl ValueAxis {
    /// A linear axis from 0 to a round number above `max` (10 % headroom).
    pub fn linear_from_zero(max: f64, bottom: f64, top: f64) -> ValueAxis {
        let hi = nice_ceiling(if max.is_finite() && max > 0.0 {
            max * 1.1
        } else {
            1.0
        });
        ValueAxis {
            lo: 0.0,
            hi,
            log: false,
            bottom,
            top,
        }
    }

    /// A log axis over whole decades covering `min..max` (positive values).
    pub fn log_decades(min: f64, max: f64, bottom: f64, top: f64) -> ValueAxis {
        let min = if min.is_finite() && min > 0.0 {
            min
        } else {
            1e-4
        };
        let max = if max.is_finite() && max > min {
            max
        } else {
            min * 10.0
        };
        let lo = 10f64.powf(min.log10().floor());
        let mut hi = 10f64.powf(max.log10().ceil());
        if hi <= lo {
            hi = lo * 10.0;
        }
        ValueAxis {
            lo,
            hi,
            log: true,
            bottom,
            top,
        }
    }

    /// The y of a value (clamped into the axis).
    pub fn y(&self, value: f64) -> f64 {
        let t = if self.log {
            let v = value.max(self.lo * 1e-3);
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (value - self.lo) / (self.hi - self.lo)
        };
        let t = if t.is_finite() {
            t.clamp(-0.05, 1.05)
        } else {
            0.0
        };
        self.bottom - t * (self.bottom - self.top)
    }

    /// Tick values: decades (log) or 4–6 round steps (linear).
    pub fn ticks(&self) -> Vec<f64> {
        if self.log {
            let (a, b) = (
                self.lo.log10().round() as i32,
                self.hi.log10().round() as i32,
            );
            (a..=b).map(|e| 10f64.powi(e)).collect()
        } else {
            let step = nice_ceiling((self.hi - self.lo) / 5.0);
            let mut ticks = Vec::new();
            let mut v = self.lo;
            while v <= self.hi + step * 1e-9 && ticks.len() < 12 {
                ticks.push(v);
                v += step;
            }
            ticks
        }
    }

    /// Horizontal grid lines and labels at the ticks, left of `area` (or right with
    /// `right`), each label made by `label`.
    pub fn draw(&self, scene: &mut Scene, area: Area, right: bool, label: impl Fn(f64) -> String) {
        for tick in self.ticks() {
            let y = self.y(tick);
            if !right {
                scene.line(
                    (area.x, y),
                    (area.right(), y),
                    Style::stroke(Color::LIGHT, 0.4),
                );
                scene.text(
                    area.x - 2.0,
                    y + 2.0,
                    label(tick),
                    5.5,
                    Anchor::End,
                    Color::GREY,
                );
            } else {
                scene.text(
                    area.right() + 2.0,
                    y + 2.0,
                    label(tick),
                    5.5,
                    Anchor::Start,
                    Color::GREY,
                );
            }
        }
    }

    /// The group attributes of this axis (`data-scale`, `data-lo`, `data-hi`,
    /// `data-bottom`, `data-top`), with a `prefix` for a second axis (`tlg-`).
    pub fn attrs(&self, prefix: &'static str) -> Vec<(&'static str, String)> {
        let key = |name: &'static str| -> &'static str {
            match (prefix, name) {
                ("", n) => n,
                (_, "scale") => "right-scale",
                (_, "lo") => "right-lo",
                (_, "hi") => "right-hi",
                (_, "bottom") => "right-bottom",
                (_, _) => "right-top",
            }
        };
        vec![
            (
                key("scale"),
                if self.log { "log" } else { "linear" }.to_string(),
            ),
            (key("lo"), format!("{}", self.lo)),
            (key("hi"), format!("{}", self.hi)),
            (key("bottom"), num(self.bottom)),
            (key("top"), num(self.top)),
        ]
    }
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`.
pub fn nice_ceiling(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return 1.0;
    }
    let exponent = value.log10().floor();
    let base = 10f64.powf(exponent);
    for step in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if step * base >= value * (1.0 - 1e-12) {
            return step * base;
        }
    }
    10.0 * base
}

/// A short number for an axis label: `12`, `2.5`, `0.04`, `1200`.
pub fn short(value: f64) -> String {
    if value == 0.0 {
        return "0".into();
    }
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        num((value * 10.0).round() / 10.0)
    } else {
        let text = format!("{value:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A VAF as a percent label at a decade: `0.01 %`, `1 %`, `100 %`.
pub fn percent(vaf: f64) -> String {
    let pct = vaf * 100.0;
    if pct >= 1.0 {
        format!("{pct:.0}%")
    } else {
        let decimals = (-pct.log10()).ceil().max(0.0) as usize;
        format!("{pct:.decimals$}%")
    }
}

/// A chart's frame and title; returns the plot area inside.
pub fn frame(scene: &mut Scene, area: Area, title: &str) -> Area {
    scene
        .text(
            area.x,
            area.y + 6.0,
            title,
            6.5,
            Anchor::Start,
            Color::BLACK,
        )
        .class("chart-title");
    let plot = Area {
        x: area.x,
        y: area.y + 9.0,
        w: area.w,
        h: area.h - 9.0,
    };
    scene.rect(
        plot.x,
        plot.y,
        plot.w,
        plot.h,
        Style::stroke(Color::GREY, 0.5),
    );
    plot
}

/// "no … for this patient" in the middle of an empty chart.
pub fn announce(scene: &mut Scene, plot: Area, text: &str) {
    scene
        .text(
            plot.x + plot.w / 2.0,
            plot.y + plot.h / 2.0 + 2.5,
            text,
            7.0,
            Anchor::Middle,
            Color::GREY,
        )
        .class("missing");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        crate::model::parse_date(text).unwrap()
    }

    #[test]
    fn time_axis_maps_dates_linearly_and_ticks_on_month_starts() {
        let axis = TimeAxis::new(day("2024-01-01"), day("2025-01-01"), 100.0, 500.0);
        assert!(axis.x(day("2024-01-01")) > 100.0 && axis.x(day("2025-01-01")) < 500.0);
        let mid = axis.x(day("2024-07-02"));
        assert!((mid - 300.0).abs() < 2.0, "{mid}");
        let ticks = axis.ticks();
        assert!(
            ticks
                .iter()
                .all(|t| t.day() == 1 && (t.month() - 1) % 3 == 0)
        );
        assert!((4..=12).contains(&ticks.len()), "{ticks:?}");
    }

    #[test]
    fn value_axes_round_and_invert() {
        let lin = ValueAxis::linear_from_zero(87.0, 200.0, 100.0);
        assert_eq!(lin.hi, 100.0);
        assert_eq!(lin.y(50.0), 150.0);
        let log = ValueAxis::log_decades(0.0004, 0.3, 200.0, 100.0);
        assert_eq!((log.lo, log.hi), (1e-4, 1.0));
        assert_eq!(log.ticks().len(), 5);
        assert!((log.y(0.01) - 150.0).abs() < 1e-9);
        assert_eq!(percent(0.0001), "0.01%");
        assert_eq!(percent(0.1), "10%");
        assert_eq!(short(2065.0), "2065");
        assert_eq!(nice_ceiling(0.37), 0.5);
    }
}
