//! PNG figures of recordings: the chapter's figures ([`protocol_figure`]) and single-synapse runs
//! ([`run_figure`]), drawn with plotters into memory and encoded as PNG ([`render_png`]).
//!
//! Text uses DejaVu Sans, embedded in the binary (`assets/DejaVuSans.ttf`, Bitstream Vera
//! license in `assets/LICENSE-DejaVu.txt`), so figures look the same on every machine.
//!
//! This file holds the figure's types, the palette, the font and the PNG writer; `axes` the
//! geometry of a panel (ranges, ticks, thinning, legend placement); `charts` the figures of
//! other shapes ([`histogram`], [`xy`], [`raster`]); `figure` draws a [`Figure`] ([`save_png`]);
//! `recordings` builds the figures of the chapter's protocols and of single-synapse runs.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

use image::{codecs::png::PngEncoder, ColorType, ImageEncoder};
use plotters::prelude::*;

// A module imports only from the ones above it (and from this file).
mod axes;
mod charts;
mod figure;
mod recordings;

pub use charts::{histogram, raster, raster_rate, xy, Curve, RasterGroup};
pub use figure::{render_png, save_png};
pub use recordings::{figure_path, protocol_caption, protocol_figure, run_figure};

/// The embedded font (DejaVu Sans).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
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

/// Encodes an RGB buffer of `w × h` pixels as PNG and writes it at `path` as [`save_png`]
/// writes.
fn write_rgb(buf: &[u8], (w, h): (u32, u32), path: &Path) -> Result<(), PlotError> {
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(buf, w, h, ColorType::Rgb8)
        .map_err(err)?;
    crate::output::write_file(path, |out| out.write_all(&png))
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
