// Spike-triggered updates: `on_pre` (before integrating) and `on_pre_after` (after), each with
// `=` and `+=`; a state updated by spikes only (no ODE); two updates on one state; updates that
// read the time, a parameter or the state itself.

use neurode::prelude::*;

#[synapse]
#[output(current = g * (a + b + c + d + both))]
pub struct Updates {
    #[param(default = 0.1, unit = "nA")]
    pub g: f64,
    #[param(default = 5.0, unit = "ms")]
    pub tau: f64,
    #[param(default = 0.5, unit = "1")]
    pub u: f64,
    /// Set before integrating.
    #[state(init = 0.0, unit = "1", ode = -a / tau, on_pre = 1.0)]
    pub a: f64,
    /// Incremented before integrating.
    #[state(init = 0.0, unit = "1", ode = -b / tau, on_pre += u)]
    pub b: f64,
    /// Set after integrating.
    #[state(init = 0.0, unit = "1", ode = -c / tau, on_pre_after = 1.0)]
    pub c: f64,
    /// Incremented after integrating.
    #[state(init = 0.0, unit = "1", ode = -d / tau, on_pre_after += u * (1.0 - d))]
    pub d: f64,
    /// Both timings on one state.
    #[state(init = 0.0, unit = "1", ode = -both / tau, on_pre += 1.0, on_pre_after = both * u)]
    pub both: f64,
    /// No ODE: only spikes change it.
    #[state(init = -1e7, unit = "ms", on_pre = t)]
    pub t_last: f64,
    /// A spike counter.
    #[state(init = 0.0, unit = "1", on_pre_after += 1.0)]
    pub count: f64,
}

fn main() {
    let info = Updates::INFO;
    let names: Vec<&str> = info.states.iter().map(|s| s.name).collect();
    assert_eq!(names, ["a", "b", "c", "d", "both", "t_last", "count"]);
    for s in info.states {
        assert!(!s.events.is_empty(), "{} has a spike update", s.name);
    }
    assert_eq!(info.states[4].events.len(), 2);
    assert_eq!(info.states[5].ode, None);
    assert_eq!(info.states[6].ode, None);
    let _ = (Updates::t_last, Updates::count, Updates::default().u);
}
