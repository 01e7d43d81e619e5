//! Fused loops: a neuron group and up to [`MAX_FUSED`] synapse groups of one model onto it
//! (state per postsynaptic neuron) run as one loop over a tile. Per neuron, each synapse
//! kernel adds its outputs to the neuron's input, then the neuron's kernel consumes it: the
//! arithmetic of the kernels run one after the other, element by element, in one pass over
//! memory instead of one per object.

use crate::group::{AnyGroup, NeuronGroup};
use crate::info::with_method;
use crate::model::{ColumnsMut, NeuronKernel, NeuronModel, NeuronTile, PostKernel, SynapseModel};
use crate::synapse::{AccSink, AnySynapses, SynapseGroup};

/// Most synapse groups fused into one loop with their postsynaptic neurons.
pub(crate) const MAX_FUSED: usize = 2;

/// The columns of a fused synapse group on the tile, and their shadow (the step's values, for
/// monitors).
pub(crate) type FusedColumns<'a> = (ColumnsMut<'a>, Option<ColumnsMut<'a>>);

/// Everything a fused loop runs on: the neurons' tile and input, each synapse group's columns
/// on the tile, whether to store the synapse state advanced, and whether the input
/// accumulators are quiet (nothing but the fused synapse groups adds to them: they are zero,
/// and the loop keeps the sum in a register).
pub(crate) struct Fused<'a> {
    pub(crate) tile: NeuronTile<'a>,
    pub(crate) input: &'a mut [f64],
    pub(crate) synapses: [Option<FusedColumns<'a>>; MAX_FUSED],
    pub(crate) advance: bool,
    pub(crate) quiet: bool,
}

/// A fused loop for one synapse model onto one neuron model ([`fuse`] instantiated): whether
/// the neurons' and each synapse group's stored values are finite.
pub(crate) type Fuser = fn(
    &dyn AnyGroup,
    [Option<&dyn AnySynapses>; MAX_FUSED],
    Fused<'_>,
) -> (bool, [bool; MAX_FUSED]);

/// The fused loop of synapse model `S` onto neuron model `B`.
///
/// # Panics
///
/// If the objects are not a `NeuronGroup<B>` and `SynapseGroup<S>`s of the group's method: the
/// schedule only fuses objects whose types it registered this loop for.
pub(crate) fn fuse<S: SynapseModel, B: NeuronModel>(
    group: &dyn AnyGroup,
    synapses: [Option<&dyn AnySynapses>; MAX_FUSED],
    run: Fused<'_>,
) -> (bool, [bool; MAX_FUSED]) {
    const WRONG: &str = "neurode internal error: a fused loop got objects of another type";
    let g = group
        .as_any()
        .downcast_ref::<NeuronGroup<B>>()
        .expect(WRONG);
    let method = g.method();
    fn of_model<S: SynapseModel>(
        s: Option<&dyn AnySynapses>,
        method: crate::info::Method,
    ) -> &SynapseGroup<S> {
        s.and_then(|s| s.as_any().downcast_ref::<SynapseGroup<S>>())
            .filter(|s| s.method() == method)
            .expect(WRONG)
    }
    let Fused {
        tile,
        input,
        synapses: columns,
        advance,
        quiet,
    } = run;
    let clock = tile.clock;
    let (model, consts) = g.parts();
    // Kernels that store the step's state for monitors only where a monitor asks for it.
    let shadow = columns.iter().flatten().any(|(_, s)| s.is_some());
    macro_rules! run {
        ($shadow:literal) => {
            match columns {
                [Some((ca, sa)), None] => {
                    let (ma, ka) = of_model::<S>(synapses[0], method).parts();
                    with_method!(method, M => {
                        let neurons = model.kernel::<M>(consts, tile);
                        let a = ma.post_kernel::<M, $shadow>(ka, clock, ca, sa, advance);
                        let (finite, [fa]) = drive_fused_with(quiet, neurons, [a], input);
                        (finite, [fa, true])
                    })
                }
                [Some((ca, sa)), Some((cb, sb))] => {
                    let (ma, ka) = of_model::<S>(synapses[0], method).parts();
                    let (mb, kb) = of_model::<S>(synapses[1], method).parts();
                    with_method!(method, M => {
                        let neurons = model.kernel::<M>(consts, tile);
                        let a = ma.post_kernel::<M, $shadow>(ka, clock, ca, sa, advance);
                        let b = mb.post_kernel::<M, $shadow>(kb, clock, cb, sb, advance);
                        drive_fused_with(quiet, neurons, [a, b], input)
                    })
                }
                _ => panic!("{WRONG}"),
            }
        };
    }
    if shadow {
        run!(true)
    } else {
        run!(false)
    }
}

/// One loop over a tile: per neuron, the synapse kernels in order, then the neuron's kernel.
/// With `QUIET` the input accumulators are known to be zero and are neither read nor written.
#[inline]
fn drive_fused<N: NeuronKernel, P: PostKernel, const K: usize, const QUIET: bool>(
    mut neurons: N,
    mut synapses: [P; K],
    input: &mut [f64],
) -> (bool, [bool; K]) {
    let mut finite = true;
    let mut synapse_finite = [true; K];
    for (q, x) in input.iter_mut().enumerate() {
        let (v, refractory) = (neurons.v(q), neurons.refractory(q));
        let mut acc = if QUIET { 0.0 } else { *x };
        for (f, s) in synapse_finite.iter_mut().zip(&mut synapses) {
            *f &= s.element(q, v, refractory, &mut AccSink(&mut acc));
        }
        finite &= neurons.element(q, acc);
        if !QUIET {
            *x = 0.0;
        }
    }
    (finite, synapse_finite)
}

/// [`drive_fused`] with `quiet` as its const parameter.
#[inline]
fn drive_fused_with<N: NeuronKernel, P: PostKernel, const K: usize>(
    quiet: bool,
    neurons: N,
    synapses: [P; K],
    input: &mut [f64],
) -> (bool, [bool; K]) {
    if quiet {
        drive_fused::<N, P, K, true>(neurons, synapses, input)
    } else {
        drive_fused::<N, P, K, false>(neurons, synapses, input)
    }
}
