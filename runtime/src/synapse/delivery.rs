//! Delay rings, the sinks outputs are delivered through, and what a group run whole is lent.

use super::{SynapseGroup, MAX_DELAY_STEPS};
use crate::error::{Error, Result};
use crate::model::{ColumnsMut, NeuronView, PostKernel, Segment, Sink, SynapseModel};

/// Delay ring of one output: `slots.len()` = delay in steps; `slots[pos]` holds the value written
/// that many steps ago (zeros before anything was written).
#[derive(Clone, Debug, Default)]
pub(super) struct Ring {
    pub(super) slots: Vec<Vec<f64>>,
    pub(super) pos: usize,
}

impl<S: SynapseModel> SynapseGroup<S> {
    /// Zeroes the write slots of the outputs the runtime delivers.
    pub(super) fn clear_outputs(&mut self) {
        for (out, &direct) in self.outputs.iter_mut().zip(&self.direct) {
            if !direct {
                out.fill(0.0);
            }
        }
    }

    /// Swaps this step's values into the rings; what comes out was written `slots.len()` steps
    /// ago and is what [`AnySynapses::deliver`](super::AnySynapses::deliver) delivers.
    pub(super) fn rotate_rings(&mut self) {
        for (out, ring) in self.outputs.iter_mut().zip(&mut self.rings) {
            if let Some(slot) = ring.slots.get_mut(ring.pos) {
                std::mem::swap(out, slot);
                ring.pos = (ring.pos + 1) % ring.slots.len();
            }
        }
    }
}

/// Delay `d` (ms) in whole steps: `ceil(d / dt)`, 0 for none.
pub(crate) fn delay_to_steps(object: &str, d: f64, dt: f64) -> Result<usize> {
    if !d.is_finite() || d < 0.0 {
        return Err(Error::NegativeDelay {
            object: object.to_string(),
            delay: d,
        });
    }
    let steps = (d / dt).ceil();
    if steps > MAX_DELAY_STEPS as f64 {
        return Err(Error::InvalidInput {
            object: object.to_string(),
            reason: format!(
                "delay {} ms is {} steps, more than {MAX_DELAY_STEPS}",
                crate::error::num(d),
                crate::error::num(steps)
            ),
        });
    }
    // 0 <= steps <= MAX_DELAY_STEPS.
    Ok(steps as usize)
}

/// The outputs of one postsynaptic element added to a running sum: the neuron's input (a
/// register in fused loops). Tiled groups deliver every output this way, so none is a voltage.
pub(crate) struct AccSink<'a>(pub(crate) &'a mut f64);

impl Sink for AccSink<'_> {
    #[inline(always)]
    fn current(&mut self, _o: usize, value: f64) {
        *self.0 += value;
    }

    #[inline(always)]
    fn conductance(&mut self, _o: usize, g: f64, v: f64, e: f64) {
        *self.0 -= g * (v - e);
    }

    #[inline(always)]
    fn voltage(&mut self, _o: usize, _value: f64) {}

    #[inline(always)]
    fn summed(&mut self, _o: usize, _value: f64) {}
}

/// The outputs of postsynaptic element `q` of a group run whole: direct outputs into the
/// neuron's input, the others into their write slots (delivered after the delay).
pub(super) struct DeliverySink<'a> {
    pub(super) direct: &'a [bool],
    pub(super) input: &'a mut [f64],
    pub(super) outputs: &'a mut [Vec<f64>],
    pub(super) q: usize,
}

impl Sink for DeliverySink<'_> {
    #[inline]
    fn current(&mut self, o: usize, value: f64) {
        if self.direct[o] {
            self.input[self.q] += value;
        } else {
            self.outputs[o][self.q] += value;
        }
    }

    #[inline]
    fn conductance(&mut self, o: usize, g: f64, v: f64, e: f64) {
        if self.direct[o] {
            self.input[self.q] -= g * (v - e);
        } else {
            self.outputs[o][self.q] += g;
        }
    }

    #[inline]
    fn voltage(&mut self, o: usize, value: f64) {
        self.outputs[o][self.q] += value;
    }

    #[inline]
    fn summed(&mut self, o: usize, value: f64) {
        self.outputs[o][self.q] += value;
    }
}

/// Runs `kernel` over every postsynaptic element of a tile: membrane potentials `v`, refractory
/// flags `refractory`, input accumulators `input` (all of the tile's length); every output is
/// direct.
#[inline]
pub(super) fn drive_post<K: PostKernel>(
    mut kernel: K,
    v: &[f64],
    refractory: &[bool],
    input: &mut [f64],
) -> bool {
    let n = input.len();
    let (v, refractory) = (&v[..n], &refractory[..n]);
    let mut finite = true;
    for q in 0..n {
        finite &= kernel.element(q, v[q], refractory[q], &mut AccSink(&mut input[q]));
    }
    finite
}

/// The postsynaptic side of a group kept per postsynaptic neuron and run whole
/// ([`AnySynapses::post_whole`](super::AnySynapses::post_whole)).
pub(crate) struct PostWhole<'a> {
    pub(crate) columns: ColumnsMut<'a>,
    pub(crate) shadow: Option<ColumnsMut<'a>>,
    pub(crate) v: &'a [f64],
    pub(crate) refractory: &'a [bool],
    pub(crate) input: &'a mut [f64],
    /// The synapses the step's spikes act through.
    pub(crate) segments: &'a [Segment],
    /// The postsynaptic group's spike flags, the presynaptic group, and the postsynaptic
    /// columns the rules add to.
    pub(crate) post_spike: &'a [bool],
    pub(crate) pre: NeuronView<'a>,
    pub(crate) targets: ColumnsMut<'a>,
}

/// What the `#[on_post(...)]` rules of a group run whole reach
/// ([`AnySynapses::post_rules`](super::AnySynapses::post_rules)).
pub(crate) struct PostRules<'a> {
    /// The columns that follow the storage: staged ones for a group kept per postsynaptic
    /// neuron (which the rules never touch), `None` for the group's own.
    pub(crate) staged: Option<ColumnsMut<'a>>,
    pub(crate) pre: NeuronView<'a>,
    pub(crate) post: NeuronView<'a>,
    pub(crate) targets: ColumnsMut<'a>,
}
