//! Figures of other shapes than stacked time series: a histogram, curves of (x, y) points, a
//! spike raster beside population rates.

use std::path::Path;

use plotters::prelude::*;

use super::{
    err, font_ready, rgb, title_style, write_rgb, PlotError, BLUE, FAMILY, ORANGE, PANEL_HEIGHT,
    TITLE_HEIGHT, WIDTH, X_LABEL_EXTRA,
};

/// Draws the histogram of `values` over `range` in `bins` equal bins (values outside are left
/// out) as a PNG file at `path`, written as [`save_png`](super::save_png) writes: a
/// distribution of weights, say.
///
/// Error: [`PlotError`] for an empty range or no bins, drawing problems, or when the file
/// cannot be written.
pub fn histogram(
    path: &Path,
    title: &str,
    x_label: &str,
    values: &[f64],
    (lo, hi): (f64, f64),
    bins: usize,
) -> Result<(), PlotError> {
    font_ready()?;
    if bins == 0 || lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
        return Err(PlotError(format!("no bins in [{lo}, {hi}]")));
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in values {
        if (lo..=hi).contains(&v) {
            let k = (((v - lo) / width) as usize).min(bins - 1);
            counts[k] += 1;
        }
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
    let (w, h) = (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT + 2 * X_LABEL_EXTRA + 40);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root
            .titled(title, title_style(&root, title)?)
            .map_err(err)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0.0..top)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc("count")
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        let fill = rgb(BLUE).filled();
        chart
            .draw_series(counts.iter().enumerate().map(|(k, &c)| {
                let x0 = lo + k as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.92, c as f64)], fill)
            }))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    write_rgb(&buf, (w, h), path)
}

/// One curve of [`xy`]: its legend, points and colour.
pub type Curve<'a> = (&'a str, &'a [(f64, f64)], [u8; 3]);

/// Draws curves of `(x, y)` points (lines with a dot at each point) on shared axes spanning
/// every point, as a PNG file at `path`, written as [`save_png`](super::save_png) writes: a
/// window of STDP, a series of amplitudes.
///
/// Error: [`PlotError`] without points, for drawing problems, or when the file cannot be
/// written.
pub fn xy(
    path: &Path,
    title: &str,
    (x_label, y_label): (&str, &str),
    curves: &[Curve<'_>],
) -> Result<(), PlotError> {
    font_ready()?;
    let points = || {
        curves
            .iter()
            .flat_map(|c| c.1.iter())
            .filter(|p| p.0.is_finite() && p.1.is_finite())
    };
    if points().next().is_none() {
        return Err(PlotError("nothing to plot".into()));
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points() {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let pad = |a: f64, b: f64| {
        let d = if b > a {
            (b - a) * 0.06
        } else {
            a.abs().max(1.0) * 0.1
        };
        (a - d, b + d)
    };
    let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
    let (w, h) = (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT + 2 * X_LABEL_EXTRA + 40);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root
            .titled(title, title_style(&root, title)?)
            .map_err(err)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        for &(label, pts, color) in curves {
            let style = ShapeStyle::from(rgb(color)).stroke_width(2);
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), style))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 3, rgb(color).filled())))
                .map_err(err)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FAMILY, 14))
            .margin(8)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    write_rgb(&buf, (w, h), path)
}

/// One population of [`raster`]: its name, its spikes as (time in ms, row) with rows counted
/// from the top of the raster, and its mean rate (Hz).
pub type RasterGroup<'a> = (&'a str, &'a [(f64, f64)], f64);

/// Draws a spike raster (left: each population's spikes over `(t0, t1)` ms in rows stacked top
/// to bottom, `rows` in all) beside a bar chart of the populations' rates (right), as a PNG file
/// at `path`, written as [`save_png`](super::save_png) writes: the microcircuit's activity.
///
/// Error: [`PlotError`] for an empty time range, drawing problems, or when the file cannot be
/// written.
pub fn raster(
    path: &Path,
    title: &str,
    (t0, t1): (f64, f64),
    rows: f64,
    groups: &[RasterGroup<'_>],
) -> Result<(), PlotError> {
    font_ready()?;
    if t0.partial_cmp(&t1) != Some(std::cmp::Ordering::Less) {
        return Err(PlotError(format!("no time in [{t0}, {t1}] ms")));
    }
    const COLORS: [[u8; 3]; 2] = [BLUE, ORANGE];
    let (w, h) = (
        WIDTH,
        TITLE_HEIGHT + 2 * PANEL_HEIGHT + 2 * X_LABEL_EXTRA + 40,
    );
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root
            .titled(title, title_style(&root, title)?)
            .map_err(err)?;
        let (left, right) = body.split_horizontally(w * 2 / 3);
        let mut chart = ChartBuilder::on(&left)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(t0..t1, -rows..0.0)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time (ms)")
            .y_desc("neuron")
            .y_label_formatter(&|_| String::new())
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        for (k, &(_, spikes, _)) in groups.iter().enumerate() {
            let color = rgb(COLORS[k % 2]).filled();
            chart
                .draw_series(
                    spikes
                        .iter()
                        .filter(|p| (t0..=t1).contains(&p.0))
                        .map(|&(t, r)| Circle::new((t, -r), 1, color)),
                )
                .map_err(err)?;
        }
        let top = groups.iter().map(|g| g.2).fold(0.0, f64::max).max(1.0) * 1.1;
        let n = groups.len() as f64;
        let mut bars = ChartBuilder::on(&right)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..top, -n..0.0)
            .map_err(err)?;
        let names: Vec<&str> = groups.iter().map(|g| g.0).collect();
        bars.configure_mesh()
            .x_desc("rate (Hz)")
            .y_labels(groups.len() * 2 + 1)
            .y_label_formatter(&|y| {
                let k = (-y - 0.5).round();
                if (-y - 0.5 - k).abs() < 0.01 && k >= 0.0 {
                    names
                        .get(k as usize)
                        .map_or(String::new(), |s| (*s).to_string())
                } else {
                    String::new()
                }
            })
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        bars.draw_series(groups.iter().enumerate().map(|(k, g)| {
            let y = -(k as f64);
            Rectangle::new(
                [(0.0, y - 0.1), (g.2, y - 0.9)],
                rgb(COLORS[k % 2]).filled(),
            )
        }))
        .map_err(err)?;
        root.present().map_err(err)?;
    }
    write_rgb(&buf, (w, h), path)
}

/// Draws a spike raster (top: `spikes` as (time in ms, neuron), neurons `0..rows` from the
/// bottom) over a population rate (bottom: `rate` as (time in ms, Hz), a
/// [`Rate`](neurode::runtime::Rate)'s `times()` and `rates()` or a smoothing of them) on a shared
/// time axis `(t0, t1)` ms, as a PNG file at `path`, written as [`save_png`](super::save_png)
/// writes: the layout of Brunel (2000), Fig. 8.
///
/// Error: [`PlotError`] for an empty time range, no rows, drawing problems, or when the file
/// cannot be written.
pub fn raster_rate(
    path: &Path,
    title: &str,
    (t0, t1): (f64, f64),
    (spikes, rows): (&[(f64, f64)], f64),
    rate: &[(f64, f64)],
) -> Result<(), PlotError> {
    font_ready()?;
    if t0.partial_cmp(&t1) != Some(std::cmp::Ordering::Less) {
        return Err(PlotError(format!("no time in [{t0}, {t1}] ms")));
    }
    if rows.is_nan() || rows <= 0.0 {
        return Err(PlotError(format!("no rows in the raster ({rows})")));
    }
    let (w, h) = (
        WIDTH,
        TITLE_HEIGHT + 2 * PANEL_HEIGHT + 2 * X_LABEL_EXTRA + 40,
    );
    let top_rate = rate
        .iter()
        .filter(|p| (t0..=t1).contains(&p.0) && p.1.is_finite())
        .map(|p| p.1)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.1;
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root
            .titled(title, title_style(&root, title)?)
            .map_err(err)?;
        let (upper, lower) = body.split_vertically(body.dim_in_pixel().1 * 3 / 5);
        let mut chart = ChartBuilder::on(&upper)
            .margin(12)
            .x_label_area_size(24)
            .y_label_area_size(70)
            .build_cartesian_2d(t0..t1, 0.0..rows)
            .map_err(err)?;
        chart
            .configure_mesh()
            .y_desc("neuron")
            .x_label_formatter(&|_| String::new())
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        let dot = rgb(BLUE).filled();
        chart
            .draw_series(
                spikes
                    .iter()
                    .filter(|p| (t0..=t1).contains(&p.0) && (0.0..rows).contains(&p.1))
                    .map(|&(t, i)| Circle::new((t, i + 0.5), 1, dot)),
            )
            .map_err(err)?;
        let mut chart = ChartBuilder::on(&lower)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(70)
            .build_cartesian_2d(t0..t1, 0.0..top_rate)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc("time (ms)")
            .y_desc("rate (Hz)")
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 16))
            .draw()
            .map_err(err)?;
        let line = ShapeStyle::from(rgb(ORANGE)).stroke_width(1);
        chart
            .draw_series(LineSeries::new(
                rate.iter()
                    .copied()
                    .filter(|p| (t0..=t1).contains(&p.0) && p.1.is_finite()),
                line,
            ))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    write_rgb(&buf, (w, h), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pixels of `path` of exactly colour `c`.
    fn count(path: &Path, c: [u8; 3]) -> usize {
        let img = image::open(path).unwrap().to_rgb8();
        img.pixels().filter(|p| p.0 == c).count()
    }

    #[test]
    fn a_raster_over_a_rate_draws_dots_and_the_rate_line() {
        let dir = tempfile::tempdir().unwrap();
        let spikes: Vec<(f64, f64)> = (0..200).map(|k| (k as f64, (k % 50) as f64)).collect();
        let rate: Vec<(f64, f64)> = (0..200)
            .map(|k| (k as f64, 10.0 + (k % 7) as f64))
            .collect();
        let path = dir.path().join("r.png");
        raster_rate(&path, "raster", (0.0, 200.0), (&spikes, 50.0), &rate).unwrap();
        let blue = count(&path, BLUE);
        let orange = count(&path, ORANGE);
        assert!(
            blue > 200 && orange > 100,
            "{blue} blue, {orange} orange pixels"
        );
        // Without spikes and rate only the axes are drawn.
        let empty = dir.path().join("e.png");
        raster_rate(&empty, "raster", (0.0, 200.0), (&[], 50.0), &[]).unwrap();
        assert_eq!((count(&empty, BLUE), count(&empty, ORANGE)), (0, 0));
        assert!(raster_rate(&empty, "x", (1.0, 1.0), (&spikes, 50.0), &rate).is_err());
        assert!(raster_rate(&empty, "x", (0.0, 1.0), (&spikes, 0.0), &rate).is_err());
    }
}
