//! Hand-written models implementing the contract directly, for the runtime's own tests.

use crate::error::Error;
use crate::info::*;
use crate::model::*;

const NO_PARAMS: &[ParamInfo] = &[];

const fn param(name: &'static str, default: f64) -> ParamInfo {
    ParamInfo {
        name,
        default,
        unit: "1",
        doc: "",
        per_element: false,
        domain: crate::info::Domain::Any,
    }
}

const fn state(name: &'static str) -> StateInfo {
    StateInfo {
        name,
        unit: "1",
        doc: "",
        init: "0",
        ode: None,
        events: &[],
        derived: false,
        per_synapse: false,
        event_driven: false,
        summed: false,
        held: false,
        dims: None,
    }
}

/// Turns `x` into NaN from `t >= fail_at` on element 1, and panics there from `t >= panic_at`
/// (a bug in a model's code, for the runtime's handling of it).
#[derive(Clone, Copy, Debug)]
pub struct Faults {
    pub fail_at: f64,
    pub panic_at: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            fail_at: 1e30,
            panic_at: 1e30,
        }
    }
}

impl Faults {
    fn apply(self, element: usize, t: f64, x: &mut f64) {
        if element == 1 && t >= self.fail_at {
            *x = f64::NAN;
        }
        assert!(element != 1 || t < self.panic_at, "test model panics");
    }
}

/// A neuron whose `v` integrates its input (`v += input`), spikes when `v >= th` (then `v = 0`),
/// stores the time of its last update in `t_seen` and its constant (`2·dt`) in `k`, with
/// [`Faults`] on neuron 1.
#[derive(Clone, Debug)]
pub struct Acc {
    pub th: f64,
    pub v0: f64,
    pub faults: Faults,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            th: 1e30,
            v0: 0.0,
            faults: Faults::default(),
        }
    }
}

#[allow(
    non_upper_case_globals,
    reason = "accessors are named as the variables"
)]
impl Acc {
    pub const v: Var<Acc> = Var::new(0, "v");
    pub const t_seen: Var<Acc> = Var::new(1, "t_seen");
    pub const k: Var<Acc> = Var::new(2, "k");
}

static ACC_INFO: ModelInfo = ModelInfo {
    name: "Acc",
    kind: ModelKind::Neuron,
    doc: "",
    method: Method::Euler,
    method_auto: false,
    methods: &[Method::Euler, Method::Rk4],
    params: &[param("th", 1e30), param("v0", 0.0), param("fail_at", 1e30)],
    states: &[state("v"), state("t_seen"), state("k")],
    outputs: &[],
    storages: &[],
    tile: false,
    threshold: Some("v >= th"),
    reset: &["v = 0"],
    refractory: None,
    membrane: Some(0),
    input: Some("input"),
    rules_pre: &[],
    rules_post: &[],
    post_writes: &[],
    requires: &[],
};

impl Model for Acc {
    const INFO: &'static ModelInfo = &ACC_INFO;
    type Consts = f64;

    fn get_param(&self, name: &str) -> Option<f64> {
        match name {
            "th" => Some(self.th),
            "v0" => Some(self.v0),
            "fail_at" => Some(self.faults.fail_at),
            _ => None,
        }
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        let slot = match name {
            "th" => &mut self.th,
            "v0" => &mut self.v0,
            "fail_at" => &mut self.faults.fail_at,
            _ => return Err(Self::INFO.unknown_parameter(name)),
        };
        if !value.is_finite() {
            return Err(Self::INFO.invalid_parameter(name, value));
        }
        *slot = value;
        Ok(())
    }

    fn prepare(&self, _method: Method, dt: f64) -> f64 {
        2.0 * dt
    }

    fn init(&self, columns: &mut [Vec<f64>]) {
        columns[0].fill(self.v0);
        columns[1].fill(-1.0);
        columns[2].fill(0.0);
    }
}

pub struct AccKernel<'a> {
    model: &'a Acc,
    k: f64,
    clock: Clock,
    first: usize,
    v: &'a mut [f64],
    t_seen: &'a mut [f64],
    kc: &'a mut [f64],
    spike: &'a mut [bool],
    refractory: &'a mut [bool],
    t_last_spike: &'a mut [f64],
}

impl NeuronKernel for AccKernel<'_> {
    fn element(&mut self, q: usize, input: f64) -> bool {
        let t = self.clock.t;
        let mut v = self.v[q] + input;
        self.t_seen[q] = t;
        self.kc[q] = self.k;
        let spiked = v >= self.model.th;
        if spiked {
            v = 0.0;
            self.t_last_spike[q] = t;
        }
        self.model.faults.apply(self.first + q, t, &mut v);
        self.v[q] = v;
        self.spike[q] = spiked;
        self.refractory[q] = false;
        v.is_finite()
    }

    fn v(&self, q: usize) -> f64 {
        self.v[q]
    }

    fn refractory(&self, q: usize) -> bool {
        self.refractory[q]
    }
}

impl NeuronModel for Acc {
    type Kernel<'a, const M: u8> = AccKernel<'a>;

    fn kernel<'a, const M: u8>(&'a self, consts: &'a f64, tile: NeuronTile<'a>) -> AccKernel<'a> {
        let [v, t_seen, kc] = tile.columns.split::<3>();
        AccKernel {
            model: self,
            k: *consts,
            clock: tile.clock,
            first: tile.first,
            v,
            t_seen,
            kc,
            spike: tile.spike,
            refractory: tile.refractory,
            t_last_spike: tile.t_last_spike,
        }
    }
}

/// A neuron with no state and no membrane potential that never spikes; it declares an input
/// (which it ignores) so that current outputs may target it.
#[derive(Clone, Debug, Default)]
pub struct Silent;

static SILENT_INFO: ModelInfo = ModelInfo {
    name: "Silent",
    kind: ModelKind::Neuron,
    doc: "",
    method: Method::Euler,
    method_auto: true,
    methods: &[Method::Euler],
    params: NO_PARAMS,
    states: &[],
    outputs: &[],
    storages: &[],
    tile: false,
    threshold: None,
    reset: &[],
    refractory: None,
    membrane: None,
    input: Some("I"),
    rules_pre: &[],
    rules_post: &[],
    post_writes: &[],
    requires: &[],
};

impl Model for Silent {
    const INFO: &'static ModelInfo = &SILENT_INFO;
    type Consts = ();
    fn get_param(&self, _name: &str) -> Option<f64> {
        None
    }
    fn set_param(&mut self, name: &str, _value: f64) -> Result<(), Error> {
        Err(Self::INFO.unknown_parameter(name))
    }
    fn prepare(&self, _method: Method, _dt: f64) {}
    fn init(&self, _columns: &mut [Vec<f64>]) {}
}

pub struct SilentKernel;

impl NeuronKernel for SilentKernel {
    fn element(&mut self, _q: usize, _input: f64) -> bool {
        true
    }
    fn v(&self, _q: usize) -> f64 {
        0.0
    }
    fn refractory(&self, _q: usize) -> bool {
        false
    }
}

impl NeuronModel for Silent {
    type Kernel<'a, const M: u8> = SilentKernel;

    fn kernel<'a, const M: u8>(&'a self, _: &'a (), _tile: NeuronTile<'a>) -> SilentKernel {
        SilentKernel
    }
}

/// A synapse that counts presynaptic spikes in `n` (per presynaptic neuron or per synapse) and, on
/// each presynaptic spike, pushes through every synapse of the row: `w_cur` as a current to post
/// (delayed by `delay` ms), `w_cond` as a conductance to post (reversal `e`), `w_volt` as a voltage
/// jump to post, and `w_pre` as a current to the presynaptic neuron itself. With `fail != 0`, a
/// spike makes `n` NaN; `panic_at` panics at a spike from that time on.
#[derive(Clone, Debug)]
pub struct Kick {
    pub w_cur: f64,
    pub w_cond: f64,
    pub w_volt: f64,
    pub w_pre: f64,
    pub e: f64,
    pub delay: f64,
    pub fail: f64,
    pub panic_at: f64,
}

impl Default for Kick {
    fn default() -> Self {
        Kick {
            w_cur: 0.0,
            w_cond: 0.0,
            w_volt: 0.0,
            w_pre: 0.0,
            e: 0.0,
            delay: 0.0,
            fail: 0.0,
            panic_at: 1e30,
        }
    }
}

#[allow(
    non_upper_case_globals,
    reason = "accessors are named as the variables"
)]
impl Kick {
    pub const n: Var<Kick> = Var::new(0, "n");
}

const fn output(kind: OutputKind, target: Target) -> OutputInfo {
    OutputInfo {
        kind,
        target,
        value: "w",
        reversal: None,
        delay: None,
        variable: None,
        dims: None,
    }
}

static KICK_INFO: ModelInfo = ModelInfo {
    name: "Kick",
    kind: ModelKind::Synapse,
    doc: "",
    method: Method::Euler,
    method_auto: true,
    methods: &[Method::Euler],
    params: &[
        param("w_cur", 0.0),
        param("w_cond", 0.0),
        param("w_volt", 0.0),
        param("w_pre", 0.0),
        param("e", 0.0),
        param("delay", 0.0),
        param("fail", 0.0),
    ],
    states: &[state("n")],
    outputs: &[
        output(OutputKind::Current, Target::Post),
        output(OutputKind::Conductance, Target::Post),
        output(OutputKind::Voltage, Target::Post),
        output(OutputKind::Current, Target::Pre),
    ],
    storages: &[Storage::PerPre, Storage::PerSynapse],
    tile: false,
    threshold: None,
    reset: &[],
    refractory: None,
    membrane: None,
    input: None,
    rules_pre: &[],
    rules_post: &[],
    post_writes: &[],
    requires: &[],
};

impl Model for Kick {
    const INFO: &'static ModelInfo = &KICK_INFO;
    type Consts = ();

    fn get_param(&self, name: &str) -> Option<f64> {
        Some(match name {
            "w_cur" => self.w_cur,
            "w_cond" => self.w_cond,
            "w_volt" => self.w_volt,
            "w_pre" => self.w_pre,
            "e" => self.e,
            "delay" => self.delay,
            "fail" => self.fail,
            _ => return None,
        })
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        let slot = match name {
            "w_cur" => &mut self.w_cur,
            "w_cond" => &mut self.w_cond,
            "w_volt" => &mut self.w_volt,
            "w_pre" => &mut self.w_pre,
            "e" => &mut self.e,
            // Deliberately unchecked, so tests can reach the runtime's delay check.
            "delay" => &mut self.delay,
            "fail" => &mut self.fail,
            _ => return Err(Self::INFO.unknown_parameter(name)),
        };
        *slot = value;
        Ok(())
    }

    fn prepare(&self, _method: Method, _dt: f64) {}

    fn init(&self, columns: &mut [Vec<f64>]) {
        columns[0].fill(0.0);
    }
}

impl SynapseModel for Kick {
    fn reversals(&self) -> Vec<f64> {
        vec![f64::NAN, self.e, f64::NAN, f64::NAN]
    }

    fn delays(&self) -> Vec<f64> {
        vec![self.delay, 0.0, 0.0, 0.0]
    }

    fn step(&self, _consts: &(), step: SynapseStep<'_>) -> bool {
        let [n] = step.columns.split::<1>();
        let [cur, cond, volt, back] = crate::__private::outputs_mut::<4>(step.outputs);
        for (p, &spiked) in step.pre.spike.iter().enumerate() {
            if !spiked {
                continue;
            }
            assert!(step.clock.t < self.panic_at, "test model panics");
            let bump = if self.fail != 0.0 { f64::NAN } else { 1.0 };
            if step.storage == Storage::PerPre {
                n[p] += bump;
            }
            for s in step.conn.range(p) {
                let q = step.conn.post.get(s);
                cur[q] += self.w_cur;
                cond[q] += self.w_cond;
                volt[q] += self.w_volt;
                back[p] += self.w_pre;
                if step.storage == Storage::PerSynapse {
                    n[s] += bump;
                }
            }
        }
        n.iter().all(|x| x.is_finite())
    }

    type PostKernel<'a, const M: u8, const SHADOW: bool> = NoKernel;

    fn pre_events(&self, _consts: &(), _events: PreEvents<'_>) -> bool {
        true
    }

    fn post_events(&self, _consts: &(), _events: PostEvents<'_>) -> bool {
        true
    }

    fn post_kernel<'a, const M: u8, const SHADOW: bool>(
        &'a self,
        _consts: &'a (),
        _clock: Clock,
        _columns: ColumnsMut<'a>,
        _shadow: Option<ColumnsMut<'a>>,
        _advance: bool,
    ) -> NoKernel {
        NoKernel
    }
}

/// A current kept per postsynaptic neuron: `s ← decay·s` every step, `s += w` for every spike
/// onto it (after the decay), output `s` (nA) to the postsynaptic neuron, delayed by `delay`
/// ms; with [`Faults`] on element 1.
#[derive(Clone, Debug)]
pub struct Leak {
    pub decay: f64,
    pub w: f64,
    pub delay: f64,
    pub faults: Faults,
}

impl Default for Leak {
    fn default() -> Self {
        Leak {
            decay: 0.5,
            w: 1.0,
            delay: 0.0,
            faults: Faults::default(),
        }
    }
}

#[allow(
    non_upper_case_globals,
    reason = "accessors are named as the variables"
)]
impl Leak {
    pub const s: Var<Leak> = Var::new(0, "s");
}

static LEAK_INFO: ModelInfo = ModelInfo {
    name: "Leak",
    kind: ModelKind::Synapse,
    doc: "",
    method: Method::Euler,
    method_auto: true,
    methods: &Method::ALL,
    params: &[param("decay", 0.5), param("w", 1.0), param("delay", 0.0)],
    states: &[state("s")],
    outputs: &[OutputInfo {
        kind: OutputKind::Current,
        target: Target::Post,
        value: "s",
        reversal: None,
        delay: Some("delay"),
        variable: None,
        dims: None,
    }],
    storages: &[Storage::PerPost],
    tile: true,
    threshold: None,
    reset: &[],
    refractory: None,
    membrane: None,
    input: None,
    rules_pre: &[],
    rules_post: &[],
    post_writes: &[],
    requires: &[],
};

impl Model for Leak {
    const INFO: &'static ModelInfo = &LEAK_INFO;
    type Consts = ();

    fn get_param(&self, name: &str) -> Option<f64> {
        match name {
            "decay" => Some(self.decay),
            "w" => Some(self.w),
            "delay" => Some(self.delay),
            _ => None,
        }
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        let slot = match name {
            "decay" => &mut self.decay,
            "w" => &mut self.w,
            "delay" => &mut self.delay,
            _ => return Err(Self::INFO.unknown_parameter(name)),
        };
        *slot = value;
        Ok(())
    }

    fn prepare(&self, _method: Method, _dt: f64) {}

    fn init(&self, columns: &mut [Vec<f64>]) {
        columns[0].fill(0.0);
    }
}

pub struct LeakKernel<'a> {
    model: &'a Leak,
    clock: Clock,
    s: &'a mut [f64],
    shadow: Option<&'a mut [f64]>,
    advance: bool,
}

impl PostKernel for LeakKernel<'_> {
    fn element<S: Sink>(&mut self, q: usize, _v: f64, _refractory: bool, sink: &mut S) -> bool {
        let mut s = self.s[q];
        self.model.faults.apply(q, self.clock.t, &mut s);
        sink.current(0, s);
        if let Some(shadow) = self.shadow.as_deref_mut() {
            shadow[q] = s;
        }
        self.s[q] = if self.advance {
            self.model.decay * s
        } else {
            s
        };
        self.s[q].is_finite()
    }

    fn advance(&mut self, q: usize) -> bool {
        self.s[q] *= self.model.decay;
        self.s[q].is_finite()
    }
}

impl SynapseModel for Leak {
    fn reversals(&self) -> Vec<f64> {
        vec![f64::NAN]
    }

    fn delays(&self) -> Vec<f64> {
        vec![self.delay]
    }

    fn step(&self, _consts: &(), _step: SynapseStep<'_>) -> bool {
        true
    }

    type PostKernel<'a, const M: u8, const SHADOW: bool> = LeakKernel<'a>;

    fn pre_events(&self, _consts: &(), events: PreEvents<'_>) -> bool {
        let [s] = events.columns.split::<1>();
        for seg in events.segments {
            for q in events.conn.post.iter(seg.start..seg.end) {
                s[q - events.first] += self.w;
            }
        }
        true
    }

    fn post_events(&self, _consts: &(), _events: PostEvents<'_>) -> bool {
        true
    }

    fn post_kernel<'a, const M: u8, const SHADOW: bool>(
        &'a self,
        _consts: &'a (),
        clock: Clock,
        columns: ColumnsMut<'a>,
        shadow: Option<ColumnsMut<'a>>,
        advance: bool,
    ) -> LeakKernel<'a> {
        let [s] = columns.split::<1>();
        LeakKernel {
            model: self,
            clock,
            s,
            shadow: shadow.map(|c| {
                let [x] = c.split::<1>();
                x
            }),
            advance,
        }
    }
}

#[allow(non_upper_case_globals)]
impl Acc {
    /// The threshold, as generated code would name it.
    pub const th: crate::Param<Acc> = crate::Param::new(0, "th");
}

#[allow(non_upper_case_globals)]
impl Kick {
    /// The delay, as generated code would name it.
    pub const delay: crate::Param<Kick> = crate::Param::new(5, "delay");
}
