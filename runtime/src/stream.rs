//! Monitors streamed to a file: the rows a run records are written in pieces, so a long run
//! holds only one piece in memory ([`Network::stream_trace`](crate::Network::stream_trace),
//! [`Network::stream_spikes`](crate::Network::stream_spikes)).

use std::io::{self, Seek, SeekFrom, Write};

use crate::monitor::{Spikes, Trace};

/// The file format of a streamed monitor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header line: as [`Trace::write_csv`] for a state monitor,
    /// `t,i` (time in ms, neuron) for a spike monitor.
    Csv,
    /// A NumPy `.npy` array of `f64`, as [`Trace::write_npy`] for a state monitor (time first),
    /// `spikes × 2` (time in ms, neuron) for a spike monitor; the header is rewritten with the
    /// row count after every piece, so the file is complete between runs.
    Npy,
}

/// What a stream can write to: a file, or any seekable writer (`Sync` so that the network
/// stays `Sync`).
pub trait StreamSink: Write + Seek + Send + Sync {}

impl<T: Write + Seek + Send + Sync> StreamSink for T {}

/// The monitor a stream empties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Source {
    State(usize),
    Spikes(usize),
}

/// Bytes of the fixed `.npy` header of a streamed file (a multiple of 64, room for any shape).
const NPY_HEADER: usize = 128;

/// Writes the fixed-size `.npy` header (format 1.0, little-endian `f64`, C order) of a
/// `rows × width` array.
///
/// # Errors
///
/// The first I/O error of `out`.
pub(crate) fn write_npy_header<W: Write + ?Sized>(
    out: &mut W,
    rows: u64,
    width: usize,
) -> io::Result<()> {
    let dict = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {width}), }}");
    let pad = NPY_HEADER - 10 - dict.len() - 1;
    out.write_all(b"\x93NUMPY\x01\x00")?;
    // NPY_HEADER - 10 fits in a u16.
    out.write_all(&((NPY_HEADER - 10) as u16).to_le_bytes())?;
    out.write_all(dict.as_bytes())?;
    out.write_all(&vec![b' '; pad])?;
    out.write_all(b"\n")
}

/// An open stream: where the rows go and how many went.
pub(crate) struct Stream {
    pub(crate) source: Source,
    out: Box<dyn StreamSink>,
    format: Format,
    /// Rows written so far.
    rows: u64,
    /// Values per row, the time included.
    width: usize,
    started: bool,
}

impl Stream {
    pub(crate) fn new(
        source: Source,
        out: Box<dyn StreamSink>,
        format: Format,
        width: usize,
    ) -> Self {
        Stream {
            source,
            out,
            format,
            rows: 0,
            width,
            started: false,
        }
    }

    /// Writes the header: the CSV line of `names`, or a `.npy` header for the rows so far.
    fn header(&mut self, names: &[String]) -> io::Result<()> {
        match self.format {
            Format::Csv => {
                write!(self.out, "t")?;
                for name in names {
                    write!(self.out, ",{name}")?;
                }
                writeln!(self.out)
            }
            Format::Npy => write_npy_header(&mut self.out, self.rows, self.width),
        }
    }

    /// Writes one row: the time, then the values.
    fn row(&mut self, t: f64, values: impl Iterator<Item = f64>) -> io::Result<()> {
        match self.format {
            Format::Csv => {
                write!(self.out, "{t}")?;
                for v in values {
                    write!(self.out, ",{v}")?;
                }
                writeln!(self.out)
            }
            Format::Npy => {
                self.out.write_all(&t.to_le_bytes())?;
                for v in values {
                    self.out.write_all(&v.to_le_bytes())?;
                }
                Ok(())
            }
        }
    }

    /// After a piece: the `.npy` header rewritten with the row count, everything flushed.
    fn finish_piece(&mut self, names: &[String]) -> io::Result<()> {
        if self.format == Format::Npy {
            let end = self.out.stream_position()?;
            self.out.seek(SeekFrom::Start(0))?;
            self.header(names)?;
            self.out.seek(SeekFrom::Start(end))?;
        }
        self.out.flush()
    }

    /// Writes and removes the rows of `trace`.
    pub(crate) fn drain_trace(&mut self, trace: &mut Trace) -> io::Result<()> {
        if !self.started {
            self.header(&trace.names)?;
            self.started = true;
        }
        for i in 0..trace.times.len() {
            let row = &trace.values[i * trace.n_cols..(i + 1) * trace.n_cols];
            self.row(trace.times[i], row.iter().copied())?;
            self.rows += 1;
        }
        trace.times.clear();
        trace.values.clear();
        self.finish_piece(&trace.names)
    }

    /// Writes and removes the spikes of `trace` (its counts stay).
    pub(crate) fn drain_spikes(&mut self, trace: &mut Spikes) -> io::Result<()> {
        let names = ["i".to_string()];
        if !self.started {
            self.header(&names)?;
            self.started = true;
        }
        for k in 0..trace.times.len() {
            self.row(trace.times[k], std::iter::once(f64::from(trace.indices[k])))?;
            self.rows += 1;
        }
        trace.times.clear();
        trace.steps.clear();
        trace.indices.clear();
        self.finish_piece(&names)
    }
}
