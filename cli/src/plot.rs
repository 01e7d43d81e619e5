//! PNG figures of recordings: the chapter's figures ([`protocol_figure`]) and single-synapse runs
//! ([`run_figure`]), drawn with plotters into memory and encoded as PNG ([`render_png`]).
//!
//! Text uses DejaVu Sans, embedded in the binary (`assets/DejaVuSans.ttf`, Bitstream Vera
//! license in `assets/LICENSE-DejaVu.txt`), so figures look the same on every machine.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use image::{codecs::png::PngEncoder, ColorType, ImageEncoder};
use neurode::runtime::{Method, T_LAST_SPIKE_INIT};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use crate::single::{column_unit, fmt_short, Outcome};
use neurode::tutorial::{Overrides, Protocol, Recording};

/// The embedded font (DejaVu Sans).
const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
/// Family name the font is registered under (plotters' default sans-serif family).
const FAMILY: &str = "sans-serif";

/// Width of every figure (px).
pub const WIDTH: u32 = 1000;
/// Height of one panel (px).
pub const PANEL_HEIGHT: u32 = 280;
const TITLE_HEIGHT: u32 = 50;
const X_LABEL_EXTRA: u32 = 20;

/// Presynaptic traces.
pub const BLUE: [u8; 3] = [31, 119, 180];
/// Postsynaptic traces.
pub const ORANGE: [u8; 3] = [230, 110, 0];
/// Synaptic variables.
pub const GREEN: [u8; 3] = [34, 139, 34];
/// Further series of a panel, in order.
pub const MORE: [[u8; 3]; 4] = [
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [23, 190, 207],
];
/// Spike markers.
const GREY: [u8; 3] = [150, 150, 150];

/// A figure could not be drawn or encoded.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the figure: {0}")]
pub struct PlotError(pub String);

/// One line of a panel.
#[derive(Clone, Debug)]
pub struct Series<'a> {
    /// Legend text.
    pub label: String,
    /// One value per time point; NaN leaves a gap.
    pub values: Cow<'a, [f64]>,
    /// Line colour (RGB).
    pub color: [u8; 3],
}

/// One panel: lines sharing a y axis.
#[derive(Clone, Debug)]
pub struct Panel<'a> {
    /// Y-axis description, with the unit.
    pub y_label: String,
    /// The lines.
    pub series: Vec<Series<'a>>,
}

/// Stacked panels sharing the time axis.
#[derive(Clone, Debug)]
pub struct Figure<'a> {
    /// Title above the panels.
    pub title: String,
    /// Time of each value (ms).
    pub t: &'a [f64],
    /// End of the time axis (ms).
    pub t_end: f64,
    /// Panels, top to bottom.
    pub panels: Vec<Panel<'a>>,
    /// Times (ms) marked by a dashed vertical line across every panel (e.g. presynaptic spikes).
    pub markers: Vec<f64>,
    /// Legend of the markers (shown in the first panel).
    pub marker_label: String,
}

fn font_ready() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(PlotError("the embedded font does not load".into()))
    }
}

fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

fn err(e: impl std::fmt::Display) -> PlotError {
    PlotError(e.to_string())
}

/// Y range of a panel: every finite value with 8 % padding; a constant gets ±10 % (at least ±1
/// for 0).
fn y_range(panel: &Panel<'_>) -> (f64, f64) {
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
fn tick_label(lo: f64, hi: f64, large: f64) -> impl Fn(&f64) -> String {
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
fn segments(t: &[f64], v: &[f64]) -> Vec<Vec<(f64, f64)>> {
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
fn legend_corner(
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
const PLOT_W: f64 = 870.0;
const PLOT_H: f64 = 230.0;

/// Splits a polyline where it turns by more than 60° on screen (`scale`: px per unit of x and
/// of y), so that each piece has only gentle joins.
fn split_at_sharp_turns(points: Vec<(f64, f64)>, scale: (f64, f64)) -> Vec<Vec<(f64, f64)>> {
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

/// Draws `fig` and returns it as PNG bytes.
///
/// Error: [`PlotError`] if the font does not load, the figure has no panel, or drawing or
/// encoding fails.
pub fn render_png(fig: &Figure<'_>) -> Result<Vec<u8>, PlotError> {
    font_ready()?;
    if fig.panels.is_empty() {
        return Err(PlotError("nothing to plot".into()));
    }
    let n = fig.panels.len() as u32;
    let (w, h) = (WIDTH, TITLE_HEIGHT + n * PANEL_HEIGHT + X_LABEL_EXTRA);
    let mut buf = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let body = root
            .titled(&fig.title, title_style(&root, &fig.title)?)
            .map_err(err)?;
        let mut breaks = Vec::new();
        for k in 1..n {
            breaks.push(k * PANEL_HEIGHT);
        }
        let areas = body.split_by_breakpoints::<u32, u32, _, _>([], breaks);
        let t_end = if fig.t_end > 0.0 { fig.t_end } else { 1.0 };
        for (k, (panel, area)) in fig.panels.iter().zip(&areas).enumerate() {
            let last = k + 1 == fig.panels.len();
            draw_panel(fig, panel, area, t_end, k == 0, last)?;
        }
        root.present().map_err(err)?;
    }
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(&buf, w, h, ColorType::Rgb8)
        .map_err(err)?;
    Ok(png)
}

/// Encodes an RGB buffer of `w × h` pixels as PNG and writes it at `path` as [`save_png`]
/// writes.
fn write_rgb(buf: &[u8], (w, h): (u32, u32), path: &Path) -> Result<(), PlotError> {
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(buf, w, h, ColorType::Rgb8)
        .map_err(err)?;
    crate::cli::write_atomic(path, |out| out.write_all(&png))
        .map_err(|e| PlotError(format!("cannot write {}: {e}", path.display())))
}

/// The title's style: 22 px, smaller (down to 12 px) until it fits the width.
fn title_style<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
) -> Result<TextStyle<'a>, PlotError>
where
    DB::ErrorType: 'static,
{
    let mut size = 22.0;
    while size > 12.0 {
        let style = (FAMILY, size).into_text_style(root);
        let (w, _) = root.estimate_text_size(title, &style).map_err(err)?;
        if w + 24 <= WIDTH {
            break;
        }
        size -= 1.0;
    }
    Ok((FAMILY, size).into_font().color(&BLACK))
}

fn draw_panel<DB: DrawingBackend>(
    fig: &Figure<'_>,
    panel: &Panel<'_>,
    area: &DrawingArea<DB, plotters::coord::Shift>,
    t_end: f64,
    first: bool,
    last: bool,
) -> Result<(), PlotError>
where
    DB::ErrorType: 'static,
{
    let (y0, y1) = y_range(panel);
    let mut chart = ChartBuilder::on(area)
        .margin_left(12)
        .margin_right(28)
        .margin_top(8)
        .margin_bottom(if last { 4 } else { 10 })
        .x_label_area_size(if last { 30 + X_LABEL_EXTRA } else { 28 })
        .y_label_area_size(78)
        .build_cartesian_2d(0.0..t_end, y0..y1)
        .map_err(err)?;
    let y_fmt = tick_label(y0, y1, 1e5);
    let x_fmt = tick_label(0.0, t_end, 1e8);
    let mut mesh = chart.configure_mesh();
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(228, 228, 228))
        .x_labels(10)
        .y_labels(6)
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 16))
        .y_desc(panel.y_label.as_str())
        .y_label_formatter(&y_fmt)
        .x_label_formatter(&x_fmt);
    if last {
        mesh.x_desc("time (ms)");
    }
    mesh.draw().map_err(err)?;

    let marker_style = ShapeStyle {
        color: rgb(GREY).to_rgba(),
        filled: false,
        stroke_width: 1,
    };
    if !fig.markers.is_empty() {
        let lines = fig
            .markers
            .iter()
            .map(|&x| DashedPathElement::new(vec![(x, y0), (x, y1)], 6, 4, marker_style));
        let drawn = chart.draw_series(lines).map_err(err)?;
        if first && !fig.marker_label.is_empty() {
            drawn
                .label(fig.marker_label.as_str())
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 22, y)], 4, 3, marker_style)
                });
        }
    }
    for s in &panel.series {
        let style = ShapeStyle {
            color: rgb(s.color).to_rgba(),
            filled: false,
            stroke_width: 2,
        };
        // plotters joins wide polylines with unbounded miters, which shoot far out of the panel
        // where a trace turns back on itself (a LIF reset): split the lines at sharp turns.
        let scale = (PLOT_W / t_end, PLOT_H / (y1 - y0));
        let mut pieces: Vec<DynElement<'static, DB, (f64, f64)>> = Vec::new();
        for seg in segments(fig.t, &s.values) {
            if let [p] = seg[..] {
                pieces.push(Circle::new(p, 1, style.filled()).into_dyn());
            }
            for line in split_at_sharp_turns(seg, scale) {
                pieces.push(PathElement::new(line, style).into_dyn());
            }
        }
        chart
            .draw_series(pieces)
            .map_err(err)?
            .label(s.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
    }
    chart
        .configure_series_labels()
        .position(legend_corner(fig, panel, t_end, (y0, y1), first))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FAMILY, 14))
        .margin(8)
        .draw()
        .map_err(err)?;
    Ok(())
}

/// Draws `fig` into the PNG file `path`, atomically (see [`crate::cli::write_atomic`]).
///
/// Error: [`PlotError`] for drawing problems or when the file cannot be written.
pub fn save_png(fig: &Figure<'_>, path: &Path) -> Result<(), PlotError> {
    let png = render_png(fig)?;
    crate::cli::write_atomic(path, |w| w.write_all(&png))
        .map_err(|e| PlotError(format!("cannot write {}: {e}", path.display())))
}

/// Draws the histogram of `values` over `range` in `bins` equal bins (values outside are left
/// out) as a PNG file at `path`, written as [`save_png`] writes: a distribution of weights, say.
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
/// every point, as a PNG file at `path`, written as [`save_png`] writes: a window of STDP, a
/// series of amplitudes.
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

/// One-line description of a protocol: model and setting.
pub fn protocol_caption(p: Protocol) -> &'static str {
    match p {
        Protocol::Ampa => "AMPA (T_duration 3 ms), run_syn: 2 LIF → 3 LIF, input 35 to pre",
        Protocol::Nmda => "NMDA, run_syn: 2 LIF → 3 LIF, input 35 to pre",
        Protocol::GabaA => "GABA_A (exponential), run_syn: 2 LIF → 3 LIF, input 35 to pre",
        Protocol::GabaB => "GABA_B: 2 LIF → 3 LIF, input 25 to pre for 20 ms, then 0",
        Protocol::TwoExponentials => {
            "Two exponentials (τ1 2 ms), run_syn: 2 LIF → 3 LIF, input 35 to pre"
        }
        Protocol::Alpha => "Alpha, run_syn: 2 LIF → 3 LIF, input 35 to pre",
        Protocol::Exponential => "Exponential, run_syn: 2 LIF → 3 LIF, input 35 to pre",
        Protocol::VoltageJump => "Voltage jump, run_syn: 2 LIF → 3 LIF, input 35 to pre",
        Protocol::GapJunction => {
            "Gap junction (w 0.5, k_spikelet 5): 2 LIF from −10 mV, input 30 to pre"
        }
    }
}

/// `method exp_euler; tau=2` style description of the method and the overrides.
fn settings_text(method: Method, chapter: bool, overrides: &Overrides) -> String {
    let mut s = format!(
        "method {method}{}",
        if chapter { "" } else { " (--method)" }
    );
    for (name, value) in &overrides.params {
        s.push_str(&format!("; --set {name}={value}"));
    }
    s
}

/// Unit suffix for an axis label: ` (mV)`, nothing for dimensionless.
fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() || unit == "1" {
        String::new()
    } else {
        format!(" ({unit})")
    }
}

fn column<'a>(rec: &'a Recording, name: &str) -> Option<Cow<'a, [f64]>> {
    rec.column(name).map(Cow::Borrowed)
}

/// The chapter's figure of protocol `p` from its recording: for `run_syn` and GABA_B, pre and
/// post V (neuron 0 of each group; the others are identical) above the synapse's `s`; for the
/// gap junction, both V.
pub fn protocol_figure<'a>(p: Protocol, rec: &'a Recording, overrides: &Overrides) -> Figure<'a> {
    let method = overrides.method.unwrap_or_else(|| p.method());
    let title = format!(
        "{} — {}",
        protocol_caption(p),
        settings_text(method, overrides.method.is_none(), overrides)
    );
    let mut v = Panel {
        y_label: "membrane potential (mV)".into(),
        series: Vec::new(),
    };
    for (name, label, color) in [("pre.V[0]", "pre V", BLUE), ("post.V[0]", "post V", ORANGE)] {
        if let Some(values) = column(rec, name) {
            v.series.push(Series {
                label: label.into(),
                values,
                color,
            });
        }
    }
    let mut panels = vec![v];
    if p != Protocol::GapJunction {
        if let Some(values) = column(rec, "syn.s[0]") {
            let info = p.model();
            let state = info.column("s").map(|i| &info.states[i]);
            let unit = state.map_or("1", |s| s.unit);
            let label = match state.map(|s| s.doc.trim().trim_end_matches('.')) {
                Some(doc) if !doc.is_empty() => {
                    let mut c = doc.chars();
                    let first = c.next().map(|f| f.to_lowercase().collect::<String>());
                    format!("s: {}{}", first.unwrap_or_default(), c.as_str())
                }
                _ => "s".to_string(),
            };
            panels.push(Panel {
                y_label: format!("s{}", unit_suffix(unit)),
                series: vec![Series {
                    label,
                    values,
                    color: GREEN,
                }],
            });
        }
    }
    panels.retain(|p| !p.series.is_empty());
    Figure {
        title,
        t: &rec.t,
        t_end: p.duration(),
        panels,
        markers: Vec::new(),
        marker_label: String::new(),
    }
}

/// The figure of a single-synapse run: one panel per recorded variable (the presynaptic spike
/// flag is drawn as dashed lines across every panel instead). Timers initialised to −1e7 ms
/// (`t_last`) are not drawn before the first spike.
pub fn run_figure<'a>(model: &str, out: &'a Outcome, overrides: &Overrides) -> Figure<'a> {
    let spikes: Vec<String> = out.spike_times.iter().map(|&t| fmt_short(t)).collect();
    let method = overrides.method.unwrap_or(out.info.method);
    let title = format!(
        "{model}: pre spikes at {} ms onto a clamp at {} mV — {}",
        if spikes.is_empty() {
            "(none)".to_string()
        } else {
            spikes.join(", ")
        },
        fmt_short(out.v_post),
        settings_text(method, overrides.method.is_none(), overrides)
    );
    let mut panels = Vec::new();
    let mut k = 0;
    for c in &out.recording.columns {
        if c.name.starts_with("pre.spike") {
            continue;
        }
        let unit = column_unit(out.info, &c.name);
        let values: Cow<'a, [f64]> = if unit == "ms" && c.values.contains(&T_LAST_SPIKE_INIT) {
            Cow::Owned(
                c.values
                    .iter()
                    .map(|&v| if v == T_LAST_SPIKE_INIT { f64::NAN } else { v })
                    .collect(),
            )
        } else {
            Cow::Borrowed(&c.values)
        };
        let color = match c.name.split('.').next() {
            Some("post") => ORANGE,
            Some("pre") => BLUE,
            _ => {
                k += 1;
                if k == 1 {
                    GREEN
                } else {
                    MORE[(k - 2) % MORE.len()]
                }
            }
        };
        let var = c.name.split('[').next().unwrap_or(&c.name);
        panels.push(Panel {
            y_label: format!("{var}{}", unit_suffix(unit)),
            series: vec![Series {
                label: c.name.clone(),
                values,
                color,
            }],
        });
    }
    let t_end = out.recording.t.len() as f64 * out.dt;
    Figure {
        title,
        t: &out.recording.t,
        t_end,
        panels,
        markers: out.spike_times.clone(),
        marker_label: "presynaptic spike".into(),
    }
}

/// The path of protocol `p`'s figure in directory `dir` (`<dir>/<protocol>.png`).
pub fn figure_path(dir: &Path, p: Protocol) -> PathBuf {
    dir.join(format!("{}.png", p.name()))
}

/// One population of [`raster`]: its name, its spikes as (time in ms, row) with rows counted
/// from the top of the raster, and its mean rate (Hz).
pub type RasterGroup<'a> = (&'a str, &'a [(f64, f64)], f64);

/// Draws a spike raster (left: each population's spikes over `(t0, t1)` ms in rows stacked top
/// to bottom, `rows` in all) beside a bar chart of the populations' rates (right), as a PNG file
/// at `path`, written as [`save_png`] writes: the microcircuit's activity.
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

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn renders_a_png() {
        let t: Vec<f64> = (0..300).map(|i| i as f64 * 0.1).collect();
        let v: Vec<f64> = t.iter().map(|x| (x / 3.0).sin()).collect();
        let fig = Figure {
            title: "test — ünïcode τ1 −5".into(),
            t: &t,
            t_end: 30.0,
            panels: vec![Panel {
                y_label: "s".into(),
                series: vec![Series {
                    label: "s".into(),
                    values: Cow::Borrowed(&v),
                    color: GREEN,
                }],
            }],
            markers: vec![8.4, 19.2],
            marker_label: "spike".into(),
        };
        let png = render_png(&fig).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let empty = Figure {
            panels: Vec::new(),
            ..fig
        };
        assert!(render_png(&empty).is_err());
    }
}
