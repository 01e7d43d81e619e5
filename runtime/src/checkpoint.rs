//! Checkpoints: everything a run changes, stored and restored bit for bit.
//!
//! A checkpoint holds the step counter and, for every object of the network in order, what a
//! run changes: parameters, state columns, inputs in flight, spike flags and lists, last-spike
//! times, the times of each synapse's last event, output accumulators, delay rings and the
//! spikes in flight of per-synapse delays, and every monitor's recorded data. What the code that
//! builds the network decides (connectivity, delays, inputs, random keys, which follow from the
//! seed) is not stored but checked: each object's model is fingerprinted by its equations, and
//! each synapse group by its connectivity and delays, so a checkpoint restores only into a
//! network built by the same code. Random numbers are keyed by (seed, element, step), so the
//! step counter is their position.
//!
//! The file format (version [`FORMAT_VERSION`]): the 8 bytes `NEURODE\x01`, the format version
//! (u32), the length of the body (u64) and its FNV-1a hash (u64), then the body; integers and
//! floats little-endian, floats bit for bit. A loader refuses a file of another version, a
//! truncated or corrupted file (length, hash) and a network it does not fit, with an error that
//! says which, and changes nothing then. A reader checks the header before it reads the body
//! and reads no more than the body's announced length, at most [`MAX_CHECKPOINT_BYTES`].
//!
//! What fits is checked as the network's own setters check: each object's model (by name and
//! fingerprint), sizes, state columns finite and in their domain (as
//! [`Network::set`](crate::Network::set) requires), spike lists strictly ascending and in
//! range, and each delay ring exactly as long as the restored delays make it at the network's
//! step. A checkpoint writes a ring not yet sized for its delays (before the first run, or
//! after a delay changed) as the empty ring of that size a run would start with. **Compatibility policy**: a version reads only its own
//! format; any change to what is stored or how increments [`FORMAT_VERSION`]; a checkpoint is a
//! way to continue a run with the same build of a program, not an archive format.

use crate::error::{Error, Result};
use crate::info::ModelInfo;

/// The version of the checkpoint format this build writes and reads. Version 2 stores each
/// group's model name next to its fingerprint, so that a mismatch names both models; version 3
/// each state monitor's last recorded time (rows are labelled with the time they hold, the
/// first one being the state a run starts from); version 4 each spike monitor's rate bins (0
/// steps per bin for a monitor without).
pub const FORMAT_VERSION: u32 = 4;

/// Longest body [`Checkpoint::read_from`] accepts: 64 GiB. A header announcing more is refused
/// before anything more is read (a corrupted or crafted length); a body shorter than its header
/// says is refused once its end is reached, having taken only the memory of what arrived.
pub const MAX_CHECKPOINT_BYTES: u64 = 1 << 36;

/// Bytes [`Checkpoint::read_from`] reads (and reserves) at a time.
const READ_CHUNK: usize = 1 << 20;

/// The first bytes of a checkpoint.
const MAGIC: &[u8; 8] = b"NEURODE\x01";

/// Bytes of the header: magic, version, body length, hash.
const HEADER: usize = 8 + 4 + 8 + 8;

/// The FNV-1a hash of `bytes`, continued from `h` (start with [`FNV_START`]).
pub(crate) fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The FNV-1a offset basis.
pub(crate) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// A fingerprint of a model's equations and variables (not its documentation or defaults).
pub(crate) fn model_fingerprint(info: &ModelInfo) -> u64 {
    let mut text = format!("{}|{:?}|", info.name, info.kind);
    for p in info.params {
        text.push_str(&format!("p:{}:{}:{}|", p.name, p.unit, p.per_element));
    }
    for s in info.states {
        text.push_str(&format!(
            "s:{}:{}:{:?}:{:?}:{}:{}|",
            s.name, s.unit, s.ode, s.events, s.per_synapse, s.derived
        ));
    }
    for o in info.outputs {
        text.push_str(&format!(
            "o:{:?}:{:?}:{}:{:?}:{:?}|",
            o.kind, o.target, o.value, o.reversal, o.delay
        ));
    }
    text.push_str(&format!(
        "t:{:?}|r:{:?}|f:{:?}|pre:{:?}|post:{:?}",
        info.threshold, info.reset, info.refractory, info.rules_pre, info.rules_post
    ));
    fnv(FNV_START, text.as_bytes())
}

/// A checkpoint in memory (Brian2's `store`/`restore`): [`Network::checkpoint`](crate::Network::checkpoint)
/// makes one, [`Network::restore`](crate::Network::restore) goes back to it, as often as wanted;
/// [`Checkpoint::write_to`] and [`Checkpoint::read_from`] keep it in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    bytes: Vec<u8>,
}

impl Checkpoint {
    /// The checkpoint as the bytes of a file ([`Checkpoint::write_to`] writes them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Writes the checkpoint to `out` (a file, say) and flushes it.
    ///
    /// # Errors
    ///
    /// The first I/O error.
    pub fn write_to<W: std::io::Write>(&self, mut out: W) -> std::io::Result<()> {
        out.write_all(&self.bytes)?;
        out.flush()
    }

    /// Reads a checkpoint [`Checkpoint::write_to`] wrote, checked as [`Checkpoint::from_bytes`]
    /// checks. The 28-byte header is read and checked first (magic, version, and a body length
    /// of at most [`MAX_CHECKPOINT_BYTES`]); then exactly the body's length is read, in pieces
    /// reserved as they arrive, so that an endless input (`/dev/zero`) or a header that
    /// announces more than follows fails fast, with the memory of what was read only.
    ///
    /// # Errors
    ///
    /// [`Error::Checkpoint`] for an I/O error, a header that is not a checkpoint's, of another
    /// version or announcing too long a body, a body shorter than announced, bytes after it,
    /// memory that cannot be had, and as [`Checkpoint::from_bytes`].
    pub fn read_from<R: std::io::Read>(input: R) -> Result<Checkpoint> {
        use std::io::Read;
        let bad = |reason: String| Error::Checkpoint { reason };
        let io = |e: std::io::Error| bad(format!("cannot read it: {e}"));
        let mut input = input;
        let mut header = [0u8; HEADER];
        let mut got = 0;
        while got < HEADER {
            match input.read(&mut header[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        }
        let len = check_header(&header[..got])?;
        if len > MAX_CHECKPOINT_BYTES {
            return Err(bad(format!(
                "its header announces a body of {len} bytes, more than the {MAX_CHECKPOINT_BYTES} \
                 bytes a checkpoint may have"
            )));
        }
        let mut bytes = header.to_vec();
        let mut body = input.take(len);
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            let n = match body.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io(e)),
            };
            bytes.try_reserve(n).map_err(|_| {
                bad(format!(
                    "no memory for its body of {len} bytes ({} read)",
                    bytes.len() - HEADER
                ))
            })?;
            bytes.extend_from_slice(&chunk[..n]);
        }
        // One byte past the announced body tells a file with trailing bytes.
        let mut rest = body.into_inner();
        loop {
            match rest.read(&mut chunk[..1]) {
                Ok(0) => break,
                Ok(_) => {
                    return Err(bad(format!(
                        "the file has trailing bytes: the header says the body is {len} bytes"
                    )))
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        }
        Checkpoint::from_bytes(bytes)
    }

    /// A checkpoint from the bytes of a file. Only the header is checked here (format, version,
    /// length, hash); the restore checks that it fits the network.
    ///
    /// # Errors
    ///
    /// [`Error::Checkpoint`] for bytes that are not a checkpoint, of another format version,
    /// truncated or corrupted.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Checkpoint> {
        let bad = |reason: String| Error::Checkpoint { reason };
        let len = check_header(&bytes[..bytes.len().min(HEADER)])?;
        let word = |at: usize, n: usize| -> u64 {
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(&bytes[at..at + n]);
            u64::from_le_bytes(b)
        };
        let body = bytes.len() - HEADER;
        if len != body as u64 {
            return Err(bad(format!(
                "the file is truncated or has trailing bytes: the body is {body} bytes, the header says {len}"
            )));
        }
        if word(20, 8) != fnv(FNV_START, &bytes[HEADER..]) {
            return Err(bad("the file is corrupted (its hash does not match)".into()));
        }
        Ok(Checkpoint { bytes })
    }

    /// A checkpoint of `body` (header added).
    pub(crate) fn of_body(body: Vec<u8>) -> Checkpoint {
        let mut bytes = Vec::with_capacity(HEADER + body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(body.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&fnv(FNV_START, &body).to_le_bytes());
        bytes.extend_from_slice(&body);
        Checkpoint { bytes }
    }

    /// The body, after the header.
    pub(crate) fn body(&self) -> &[u8] {
        &self.bytes[HEADER..]
    }
}

/// Checks the header `bytes` (all of it: a shorter slice is not a checkpoint): the magic and
/// the version; returns the body length it announces.
fn check_header(bytes: &[u8]) -> Result<u64> {
    let bad = |reason: String| Error::Checkpoint { reason };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(bad("not a neurode checkpoint".into()));
    }
    let mut version = [0u8; 4];
    version.copy_from_slice(&bytes[8..12]);
    let version = u32::from_le_bytes(version);
    if version != FORMAT_VERSION {
        return Err(bad(format!(
            "format version {version}, but this build reads version {FORMAT_VERSION} only"
        )));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[12..20]);
    Ok(u64::from_le_bytes(len))
}

/// Writes the model of an object: its name and its fingerprint ([`model_fingerprint`]).
pub(crate) fn save_model(w: &mut Writer, info: &ModelInfo) {
    w.str(info.name);
    w.u64(model_fingerprint(info));
}

/// Reads what [`save_model`] wrote for `object`, which must be of model `info`: a mismatch names
/// the object and both models.
pub(crate) fn load_model(r: &mut Reader<'_>, info: &ModelInfo, object: &str) -> Result<()> {
    let model = r.str(&format!("the model of `{object}`"))?;
    let fingerprint = r.u64(&format!("the fingerprint of the model of `{object}`"))?;
    if model != info.name {
        return Err(Error::Checkpoint {
            reason: format!(
                "`{object}` is of model `{model}` in the checkpoint, `{}` in this network",
                info.name
            ),
        });
    }
    if fingerprint != model_fingerprint(info) {
        return Err(Error::Checkpoint {
            reason: format!(
                "`{object}` is of model `{model}` in both, but its equations or variables differ \
                 (fingerprint {fingerprint:#018x} in the checkpoint, {:#018x} in this network)",
                model_fingerprint(info)
            ),
        });
    }
    Ok(())
}

/// Writes the parameters of a model (names and values, in [`ModelInfo::params`] order).
pub(crate) fn save_params(w: &mut Writer, info: &ModelInfo, get: impl Fn(&str) -> Option<f64>) {
    w.u64(info.params.len() as u64);
    for p in info.params {
        w.str(p.name);
        w.f64(get(p.name).unwrap_or(f64::NAN));
    }
}

/// Reads the parameters [`save_params`] wrote for `info`.
pub(crate) fn load_params(r: &mut Reader<'_>, info: &ModelInfo, object: &str) -> Result<Vec<f64>> {
    r.expect_u64(
        &format!("the number of parameters of `{object}`"),
        info.params.len() as u64,
    )?;
    info.params
        .iter()
        .map(|p| {
            r.expect_str(&format!("a parameter name of `{object}`"), p.name)?;
            r.f64(&format!("parameter `{}` of `{object}`", p.name))
        })
        .collect()
}

/// Writes columns (their count, then each).
pub(crate) fn save_columns(w: &mut Writer, columns: &[Vec<f64>]) {
    w.u64(columns.len() as u64);
    for c in columns {
        w.f64s(c);
    }
}

/// Reads columns of the lengths of `like`.
pub(crate) fn load_columns(
    r: &mut Reader<'_>,
    like: &[Vec<f64>],
    object: &str,
) -> Result<Vec<Vec<f64>>> {
    r.expect_u64(
        &format!("the number of columns of `{object}`"),
        like.len() as u64,
    )?;
    like.iter()
        .enumerate()
        .map(|(j, c)| r.f64s(&format!("column {j} of `{object}`"), c.len()))
        .collect()
}

/// Writes the body of a checkpoint.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn u64(&mut self, x: u64) {
        self.buf.extend_from_slice(&x.to_le_bytes());
    }

    pub(crate) fn f64(&mut self, x: f64) {
        self.u64(x.to_bits());
    }

    pub(crate) fn str(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn f64s(&mut self, xs: &[f64]) {
        self.u64(xs.len() as u64);
        for &x in xs {
            self.f64(x);
        }
    }

    pub(crate) fn u32s(&mut self, xs: &[u32]) {
        self.u64(xs.len() as u64);
        for &x in xs {
            self.buf.extend_from_slice(&x.to_le_bytes());
        }
    }

    pub(crate) fn u64s(&mut self, xs: &[u64]) {
        self.u64(xs.len() as u64);
        for &x in xs {
            self.u64(x);
        }
    }

    pub(crate) fn bools(&mut self, xs: &[bool]) {
        self.u64(xs.len() as u64);
        self.buf.extend(xs.iter().map(|&b| u8::from(b)));
    }
}

/// Reads the body of a checkpoint: every read is checked, a short or malformed body is an
/// [`Error::Checkpoint`] naming what was being read, never a panic.
#[derive(Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        match self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.data.len())
        {
            Some(end) => {
                let s = &self.data[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            None => Err(Error::Checkpoint {
                reason: format!("it ends inside {what}"),
            }),
        }
    }

    pub(crate) fn u64(&mut self, what: &str) -> Result<u64> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    pub(crate) fn f64(&mut self, what: &str) -> Result<f64> {
        self.u64(what).map(f64::from_bits)
    }

    /// A length that must equal `expected` (the network's).
    fn len(&mut self, what: &str, expected: usize) -> Result<usize> {
        let n = self.u64(what)?;
        if n != expected as u64 {
            return Err(Error::Checkpoint {
                reason: format!(
                    "{what} has {n} values in the checkpoint, {expected} in this network"
                ),
            });
        }
        Ok(expected)
    }

    /// A length that may be anything the data can hold (`size` bytes per value).
    fn any_len(&mut self, what: &str, size: usize) -> Result<usize> {
        let n = self.u64(what)?;
        let left = (self.data.len() - self.pos) as u64;
        if n.saturating_mul(size as u64) > left {
            return Err(Error::Checkpoint {
                reason: format!("it ends inside {what}"),
            });
        }
        Ok(n as usize)
    }

    pub(crate) fn str(&mut self, what: &str) -> Result<String> {
        let n = self.any_len(what, 1)?;
        let b = self.take(n, what)?;
        String::from_utf8(b.to_vec()).map_err(|_| Error::Checkpoint {
            reason: format!("{what} is not text"),
        })
    }

    /// A name that must be `expected`.
    pub(crate) fn expect_str(&mut self, what: &str, expected: &str) -> Result<()> {
        let got = self.str(what)?;
        if got != expected {
            return Err(Error::Checkpoint {
                reason: format!(
                    "{what} is `{got}` in the checkpoint, `{expected}` in this network"
                ),
            });
        }
        Ok(())
    }

    /// A number that must be `expected`.
    pub(crate) fn expect_u64(&mut self, what: &str, expected: u64) -> Result<()> {
        let got = self.u64(what)?;
        if got != expected {
            return Err(Error::Checkpoint {
                reason: format!("{what} is {got} in the checkpoint, {expected} in this network"),
            });
        }
        Ok(())
    }

    /// Exactly `expected` floats.
    pub(crate) fn f64s(&mut self, what: &str, expected: usize) -> Result<Vec<f64>> {
        let n = self.len(what, expected)?;
        (0..n).map(|_| self.f64(what)).collect()
    }

    /// Any number of floats.
    pub(crate) fn any_f64s(&mut self, what: &str) -> Result<Vec<f64>> {
        let n = self.any_len(what, 8)?;
        (0..n).map(|_| self.f64(what)).collect()
    }

    /// Any number of u32.
    pub(crate) fn any_u32s(&mut self, what: &str) -> Result<Vec<u32>> {
        let n = self.any_len(what, 4)?;
        let b = self.take(4 * n, what)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// Any number of u64.
    pub(crate) fn any_u64s(&mut self, what: &str) -> Result<Vec<u64>> {
        let n = self.any_len(what, 8)?;
        (0..n).map(|_| self.u64(what)).collect()
    }

    /// Exactly `expected` booleans.
    pub(crate) fn bools(&mut self, what: &str, expected: usize) -> Result<Vec<bool>> {
        let n = self.len(what, expected)?;
        let b = self.take(n, what)?;
        b.iter()
            .map(|&x| match x {
                0 => Ok(false),
                1 => Ok(true),
                _ => Err(Error::Checkpoint {
                    reason: format!("{what} holds a byte that is not a boolean"),
                }),
            })
            .collect()
    }

    /// Whether everything was read.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(Error::Checkpoint {
                reason: format!(
                    "{} bytes follow the network's data",
                    self.data.len() - self.pos
                ),
            })
        }
    }
}
