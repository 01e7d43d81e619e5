//! Draws a [`Figure`]: stacked panels over a shared time axis, markers and legends.

use std::path::Path;

use image::{codecs::png::PngEncoder, ColorType, ImageEncoder};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::axes::{
    legend_corner, segments, split_at_sharp_turns, tick_label, y_range, PLOT_H, PLOT_W,
};
use super::{
    err, font_ready, rgb, title_style, Figure, Panel, PlotError, FAMILY, GREY, PANEL_HEIGHT,
    TITLE_HEIGHT, WIDTH, X_LABEL_EXTRA,
};

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

/// Draws `fig` into the PNG file `path`, atomically (see [`crate::output::write_file`]).
///
/// Error: [`PlotError`] for drawing problems or when the file cannot be written.
pub fn save_png(fig: &Figure<'_>, path: &Path) -> Result<(), PlotError> {
    let png = render_png(fig)?;
    crate::output::write_file(path, |w| w.write_all(&png))
        .map_err(|e| PlotError(format!("cannot write {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::plot::{Series, GREEN};

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
