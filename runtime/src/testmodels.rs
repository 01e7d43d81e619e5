//! Hand-written models implementing the contract directly, for the runtime's own tests.

use crate::error::Error;
use crate::model::*;

const NO_PARAMS: &[ParamInfo] = &[];

const fn param(name: &'static str, default: f64) -> ParamInfo {
    ParamInfo {
        name,
        default,
        unit: "1",
        doc: "",
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
    }
}

/// A neuron whose `v` integrates its input (`v += input`), spikes when `v >= th` (then `v = 0`),
/// stores the time of its last update in `t_seen` and its first constant (`2·dt`) in `k`, turns
/// `v[1]` into NaN from `t >= fail_at`, and panics on neuron 1 from `t >= panic_at` (a bug in a
/// model's code, for the runtime's handling of it).
#[derive(Clone, Debug)]
pub struct Acc {
    pub th: f64,
    pub v0: f64,
    pub fail_at: f64,
    pub panic_at: f64,
}

impl Default for Acc {
    fn default() -> Self {
        Acc {
            th: 1e30,
            v0: 0.0,
            fail_at: 1e30,
            panic_at: 1e30,
        }
    }
}

#[allow(non_upper_case_globals)]
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
};

impl Model for Acc {
    const INFO: &'static ModelInfo = &ACC_INFO;

    fn get_param(&self, name: &str) -> Option<f64> {
        match name {
            "th" => Some(self.th),
            "v0" => Some(self.v0),
            "fail_at" => Some(self.fail_at),
            _ => None,
        }
    }

    fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        let slot = match name {
            "th" => &mut self.th,
            "v0" => &mut self.v0,
            "fail_at" => &mut self.fail_at,
            _ => return Err(Self::INFO.unknown_parameter(name)),
        };
        if !value.is_finite() {
            return Err(Self::INFO.invalid_parameter(name, value));
        }
        *slot = value;
        Ok(())
    }

    fn prepare(&self, _method: Method, dt: f64) -> Vec<f64> {
        vec![2.0 * dt]
    }

    fn init(&self, columns: &mut [Vec<f64>]) {
        columns[0].fill(self.v0);
        columns[1].fill(-1.0);
        columns[2].fill(0.0);
    }
}

impl NeuronModel for Acc {
    crate::model::no_neuron_kernel!();

    fn update(&self, consts: &[f64], _method: Method, step: NeuronStep<'_, '_>) -> bool {
        let [v, t_seen, k] = crate::__private::tile_columns_mut::<3>(step.columns);
        for j in 0..v.len() {
            v[j] += step.input[j];
            step.input[j] = 0.0;
            t_seen[j] = step.t;
            k[j] = consts[0];
            step.spike[j] = v[j] >= self.th;
            step.refractory[j] = false;
            if step.spike[j] {
                v[j] = 0.0;
                step.t_last_spike[j] = step.t;
            }
            if step.first + j == 1 && step.t >= self.fail_at {
                v[j] = f64::NAN;
            }
            assert!(
                step.first + j != 1 || step.t < self.panic_at,
                "test model panics"
            );
        }
        [&*v, &*t_seen, &*k]
            .iter()
            .all(|c| c.iter().all(|x| x.is_finite()))
    }
}

/// A neuron with no state and no membrane potential that never spikes.
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
    input: None,
};

impl Model for Silent {
    const INFO: &'static ModelInfo = &SILENT_INFO;
    fn get_param(&self, _name: &str) -> Option<f64> {
        None
    }
    fn set_param(&mut self, name: &str, _value: f64) -> Result<(), Error> {
        Err(Self::INFO.unknown_parameter(name))
    }
    fn prepare(&self, _method: Method, _dt: f64) -> Vec<f64> {
        Vec::new()
    }
    fn init(&self, _columns: &mut [Vec<f64>]) {}
}

impl NeuronModel for Silent {
    crate::model::no_neuron_kernel!();

    fn update(&self, _consts: &[f64], _method: Method, step: NeuronStep<'_, '_>) -> bool {
        step.input.fill(0.0);
        true
    }
}

/// A synapse that counts presynaptic spikes in `n` (per presynaptic neuron or per synapse) and, on
/// each presynaptic spike, pushes through every synapse of the row: `w_cur` as a current to post
/// (delayed by `delay` ms), `w_cond` as a conductance to post (reversal `e`), `w_volt` as a voltage
/// jump to post, and `w_pre` as a current to the presynaptic neuron itself. With `fail != 0`, a
/// spike makes `n` NaN.
#[derive(Clone, Debug, Default)]
pub struct Kick {
    pub w_cur: f64,
    pub w_cond: f64,
    pub w_volt: f64,
    pub w_pre: f64,
    pub e: f64,
    pub delay: f64,
    pub fail: f64,
}

#[allow(non_upper_case_globals)]
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
};

impl Model for Kick {
    const INFO: &'static ModelInfo = &KICK_INFO;

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

    fn prepare(&self, _method: Method, _dt: f64) -> Vec<f64> {
        Vec::new()
    }

    fn init(&self, columns: &mut [Vec<f64>]) {
        columns[0].fill(0.0);
    }
}

impl SynapseModel for Kick {
    type Kernel<'a, const M: u8> = NoKernel;

    fn post_kernel<const M: u8>(
        &self,
        _consts: &[f64],
        _clock: (f64, f64),
        _columns: &mut [&mut [f64]],
        _n: usize,
        _advance: bool,
    ) -> NoKernel {
        NoKernel
    }

    fn reversals(&self) -> Vec<f64> {
        vec![f64::NAN, self.e, f64::NAN, f64::NAN]
    }

    fn delays(&self) -> Vec<f64> {
        vec![self.delay, 0.0, 0.0, 0.0]
    }

    fn update(&self, _consts: &[f64], _method: Method, step: SynapseStep<'_>) -> bool {
        let [n] = crate::__private::columns_mut::<1>(step.columns);
        let [cur, cond, volt, back] = crate::__private::columns_mut::<4>(step.outputs);
        for (p, &spiked) in step.pre.spike.iter().enumerate() {
            if !spiked {
                continue;
            }
            let bump = if self.fail != 0.0 { f64::NAN } else { 1.0 };
            if step.storage == Storage::PerPre {
                n[p] += bump;
            }
            for s in step.conn.range(p) {
                let q = step.conn.post[s] as usize;
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
}
