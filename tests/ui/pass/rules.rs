// Rule blocks: both events, every operator, `clip`/`min`/`max`, the built-in names a rule may
// read, a postsynaptic target, an event-driven trace, a trace kept integrated every step
// (`clock_driven`), and the field forms `-=` and `*=`. The description says how each variable
// is stored.

use neurode::prelude::*;

#[synapse]
#[on_pre(g_post += w; g_post -= 0.5 * w; x *= decay; x = max(x, 0.0); y += 1.0;
         w = clip(w + trace * step_size, 0.0, 1.0); trace += 1.0;
         y = if spike_post { y } else { min(y, 10.0) })]
#[on_post(w -= 0.1 * trace * step_size; y = if v_post > 0.0 { 0.0 } else { y };
          kept += 1.0)]
pub struct Every {
    /// A factor.
    #[param(default = 0.9, unit = "1")]
    pub decay: f64,
    /// A step.
    #[param(default = 0.01, unit = "1")]
    pub step_size: f64,
    /// A time constant.
    #[param(default = 10.0, unit = "ms")]
    pub tau: f64,
    /// Changed by rules only.
    #[state(init = 0.5, unit = "1")]
    pub w: f64,
    /// Changed by rules only.
    #[state(init = 1.0, unit = "1")]
    pub x: f64,
    /// Changed by rules only.
    #[state(init = 0.0, unit = "1")]
    pub y: f64,
    /// Event-driven.
    #[state(init = 0.0, unit = "1", ode = -trace / tau)]
    pub trace: f64,
    /// Integrated every step.
    #[state(init = 0.0, unit = "1", ode = -kept / tau, clock_driven)]
    pub kept: f64,
}

#[synapse]
#[output(current = k * s)]
pub struct Fields {
    #[param(default = 0.1, unit = "nA")]
    pub k: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[state(init = 1.0, unit = "1", ode = -s / tau, on_pre_after -= 0.5)]
    pub s: f64,
    #[state(init = 1.0, unit = "1", ode = -r / tau, on_pre *= 0.5)]
    pub r: f64,
}

fn main() {
    let info = <Every as Model>::INFO;
    let flags = |name: &str| {
        let s = &info.states[info.column(name).unwrap()];
        (s.per_synapse, s.event_driven)
    };
    assert_eq!(flags("w"), (true, false));
    assert_eq!(flags("trace"), (true, true));
    assert_eq!(flags("kept"), (false, false));
    assert_eq!(info.rules_pre.len(), 8);
    assert_eq!(info.rules_post.len(), 3);
    assert_eq!(info.post_writes.len(), 1);
    assert_eq!(info.post_writes[0].name, "g");
    let _ = (Fields::default(), Fields::s, Fields::r);
}
