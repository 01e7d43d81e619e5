//! The geometry of a panel: its y range, tick labels, the points of a series (split at gaps,
//! thinned, split at sharp turns) and the corner of its legend.

use plotters::prelude::SeriesLabelPosition;

use super::{Figure, Panel, PANEL_HEIGHT, WIDTH};

/// Y range of a panel: every finite value with 8 % padding; a constant gets ±10 % (at least ±1
/// for 0).
pub(super) fn y_range(panel: &Panel<'_>) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for s in &panel.series {
        for &v in s.values.iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo <= f64::EPSILON * hi.abs().max(lo.abs()) {
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.08;
    (lo - pad, hi + pad)
}

/// Tick labels for an axis spanning `lo..hi`: fixed decimals fitted to the tick spacing, or
/// scientific notation for values below 1e-3 or from `large` on.
pub(super) fn tick_label(lo: f64, hi: f64, large: f64) -> impl Fn(&f64) -> String {
    let span = hi - lo;
    let mag = lo.abs().max(hi.abs());
    let scientific = !(1e-3..large).contains(&mag);
    let step = span / 6.0;
    let decimals = if step > 0.0 && step.is_finite() {
        (1.0 - step.log10().floor()).clamp(0.0, 12.0) as usize
    } else {
        2
    };
    move |&v: &f64| {
        if v.abs() <= span * 1e-9 {
            "0".to_string()
        } else if scientific {
            let s = format!("{v:.1e}");
            s.replace(".0e", "e")
        } else {
            let s = format!("{v:.decimals$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
    }
}

/// The points of one series, split at NaN into separate segments, each thinned to at most about
/// four points per pixel column (keeping each bucket's extremes, so peaks survive).
pub(super) fn segments(t: &[f64], v: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let n = t.len().min(v.len());
    let buckets = (WIDTH as usize) * 2;
    let per = if n > 4 * buckets {
        n.div_ceil(buckets)
    } else {
        1
    };
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for start in (0..n).step_by(per) {
        let end = (start + per).min(n);
        let mut i = start;
        while i < end {
            if !v[i].is_finite() {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                i += 1;
                continue;
            }
            let run = i;
            while i < end && v[i].is_finite() {
                i += 1;
            }
            if i - run <= 2 {
                current.extend((run..i).map(|j| (t[j], v[j])));
            } else {
                let by_value = |a: &usize, b: &usize| v[*a].total_cmp(&v[*b]);
                let lo = (run..i).min_by(by_value).unwrap_or(run);
                let hi = (run..i).max_by(by_value).unwrap_or(run);
                let (a, b) = (lo.min(hi), lo.max(hi));
                current.push((t[a], v[a]));
                if b != a {
                    current.push((t[b], v[b]));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The corner of a panel whose legend box would hide the fewest data points (upper right first
/// on ties).
pub(super) fn legend_corner(
    fig: &Figure<'_>,
    panel: &Panel<'_>,
    t_end: f64,
    (y0, y1): (f64, f64),
    first: bool,
) -> SeriesLabelPosition {
    let mut labels: Vec<&str> = panel.series.iter().map(|s| s.label.as_str()).collect();
    if first && !fig.markers.is_empty() && !fig.marker_label.is_empty() {
        labels.push(&fig.marker_label);
    }
    let chars = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    // Approximate plot area (px) and legend box (px) as fractions of the axes.
    let (plot_w, plot_h) = (f64::from(WIDTH) - 130.0, f64::from(PANEL_HEIGHT) - 50.0);
    let fx = ((50.0 + 8.0 * chars) / plot_w).min(1.0);
    let fy = ((20.0 * labels.len() as f64 + 20.0) / plot_h).min(1.0);
    let corners = [
        (SeriesLabelPosition::UpperRight, true, true),
        (SeriesLabelPosition::UpperLeft, false, true),
        (SeriesLabelPosition::LowerRight, true, false),
        (SeriesLabelPosition::LowerLeft, false, false),
    ];
    let hidden = |right: bool, upper: bool| -> usize {
        let xs = if right {
            (t_end * (1.0 - fx), t_end)
        } else {
            (0.0, t_end * fx)
        };
        let span = y1 - y0;
        let ys = if upper {
            (y1 - span * fy, y1)
        } else {
            (y0, y0 + span * fy)
        };
        panel
            .series
            .iter()
            .map(|s| {
                fig.t
                    .iter()
                    .zip(s.values.iter())
                    .filter(|(t, v)| (xs.0..=xs.1).contains(*t) && (ys.0..=ys.1).contains(*v))
                    .count()
            })
            .sum()
    };
    let mut best = (SeriesLabelPosition::UpperRight, usize::MAX);
    for (pos, right, upper) in corners {
        let n = hidden(right, upper);
        if n < best.1 {
            best = (pos, n);
        }
    }
    best.0
}

/// Approximate size of a panel's plotting area (px), for geometry in pixels.
pub(super) const PLOT_W: f64 = 870.0;
pub(super) const PLOT_H: f64 = 230.0;

/// Splits a polyline where it turns by more than 60° on screen (`scale`: px per unit of x and
/// of y), so that each piece has only gentle joins.
pub(super) fn split_at_sharp_turns(
    points: Vec<(f64, f64)>,
    scale: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    let px = |a: (f64, f64), b: (f64, f64)| ((b.0 - a.0) * scale.0, (b.1 - a.1) * scale.1);
    let mut out = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for (i, &p) in points.iter().enumerate() {
        current.push(p);
        if i == 0 || i + 1 == points.len() {
            continue;
        }
        let (a, b) = (px(points[i - 1], p), px(p, points[i + 1]));
        let (la, lb) = (a.0.hypot(a.1), b.0.hypot(b.1));
        if la > 0.0 && lb > 0.0 && (a.0 * b.0 + a.1 * b.1) / (la * lb) < 0.5 {
            out.push(std::mem::take(&mut current));
            current.push(p);
        }
    }
    if current.len() > 1 {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::plot::{Series, BLUE};

    #[test]
    fn tick_labels_fit_the_range() {
        let f = tick_label(-70.0, 30.0, 1e5);
        assert_eq!(f(&-60.0), "-60");
        assert_eq!(f(&0.0), "0");
        let f = tick_label(0.0, 0.8, 1e5);
        assert_eq!(f(&0.2), "0.2");
        assert_eq!(f(&0.25), "0.25");
        assert_eq!(f(&1.0), "1");
        assert_eq!(f(&-0.1), "-0.1");
        let f = tick_label(0.0, 1.6e-7, 1e5);
        assert_eq!(f(&4e-8), "4e-8");
        assert_eq!(f(&1.5e-7), "1.5e-7");
        assert_eq!(f(&0.0), "0");
        let f = tick_label(0.0, 1e5, 1e8);
        assert_eq!(f(&20000.0), "20000");
        assert_eq!(tick_label(0.0, 1e5, 1e5)(&20000.0), "2e4");
    }

    #[test]
    fn ranges_pad_and_survive_constants() {
        let p = |v: &'static [f64]| Panel {
            y_label: String::new(),
            series: vec![Series {
                label: String::new(),
                values: Cow::Borrowed(v),
                color: BLUE,
            }],
        };
        let (lo, hi) = y_range(&p(&[0.0; 4]));
        assert!(lo < 0.0 && hi > 0.0);
        let (lo, hi) = y_range(&p(&[-65.0, -65.0]));
        assert!(lo < -65.0 && hi > -65.0);
        let (lo, hi) = y_range(&p(&[0.0, 10.0, f64::NAN]));
        assert!((lo + 0.8).abs() < 1e-12 && (hi - 10.8).abs() < 1e-12);
        assert_eq!(y_range(&p(&[f64::NAN])), (0.0, 1.0));
    }

    #[test]
    fn segments_split_at_gaps_and_thin_long_series() {
        let t: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let v = [
            f64::NAN,
            f64::NAN,
            1.0,
            2.0,
            f64::NAN,
            3.0,
            4.0,
            5.0,
            f64::NAN,
            6.0,
        ];
        let s = segments(&t, &v);
        assert_eq!(
            s,
            vec![
                vec![(2.0, 1.0), (3.0, 2.0)],
                vec![(5.0, 3.0), (6.0, 4.0), (7.0, 5.0)],
                vec![(9.0, 6.0)]
            ]
        );
        let n = 1_000_000;
        let t: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut v = vec![0.0; n];
        v[123_457] = 9.0;
        let s = segments(&t, &v);
        assert_eq!(s.len(), 1);
        assert!(s[0].len() <= 4 * WIDTH as usize + 2, "{}", s[0].len());
        assert!(
            s[0].contains(&(123_457.0, 9.0)),
            "the peak survives thinning"
        );
    }

    #[test]
    fn polylines_split_at_sharp_turns_only() {
        let pts = vec![
            (0.0, 0.0),
            (1.0, 0.1),
            (2.0, 0.2),
            (2.0, -5.0),
            (3.0, -4.9),
            (4.0, -4.8),
        ];
        let parts = split_at_sharp_turns(pts, (1.0, 1.0));
        assert_eq!(
            parts,
            vec![
                vec![(0.0, 0.0), (1.0, 0.1), (2.0, 0.2)],
                vec![(2.0, 0.2), (2.0, -5.0)],
                vec![(2.0, -5.0), (3.0, -4.9), (4.0, -4.8)]
            ]
        );
        assert!(split_at_sharp_turns(vec![(0.0, 0.0)], (1.0, 1.0)).is_empty());
    }
}
