//! Running, and checkpoints of what a run changes.

use super::*;
use crate::exec;
use crate::monitor::Owner;
use crate::schedule;

impl Network {
    /// Runs for `duration` ms: [`steps_for`]`(duration, dt)` steps from the current step on.
    /// The duration must be a whole number of steps of `dt` (within the rounding of
    /// [`STEP_TOLERANCE`], so 1000 ms at dt = 0.1 ms is 10000 steps): a
    /// run never rounds the time asked for, and the time simulated is exactly `duration`
    /// ([`Network::time`] advances by it). 0 ms runs no step.
    ///
    /// Errors: [`Error::InvalidDuration`] (negative, not finite, more than
    /// [`MAX_STEPS`] steps), [`Error::DurationNotWhole`] (0.25 ms at dt = 0.1 ms: the error
    /// names the whole numbers of steps on either side), both before anything runs; at the start, [`Error::NegativeDelay`] and the other
    /// preparation errors of synapse groups; during the run, [`Error::NonFinite`] when a state
    /// variable becomes NaN or infinite (the run stops there, the step counter is not advanced past
    /// the failing step, and the state is that of the failure, except that per-postsynaptic
    /// synapse state run in tiles may already be advanced to the next step: see
    /// [`SynapseModel::post_kernel`](crate::SynapseModel::post_kernel)).
    ///
    /// Actions scheduled with [`Network::at`] are applied before the steps they are scheduled
    /// for: the run stops there internally and goes on, with the numbers of a run split by
    /// hand; an action's error stops the run before its step.
    pub fn run(&mut self, duration: f64) -> Result<()> {
        let steps = steps_for(duration, self.dt)?;
        self.run_steps(steps)
    }
    /// Runs `steps` steps (see [`Network::run`]).
    pub fn run_steps(&mut self, steps: u64) -> Result<()> {
        if steps > MAX_STEPS {
            return Err(Error::InvalidDuration {
                duration: steps as f64 * self.dt,
            });
        }
        self.run_with_actions(steps)
    }

    /// Runs `steps` steps, in pieces when monitors are streamed.
    pub(super) fn run_streamed(&mut self, steps: u64) -> Result<()> {
        if self.streams.is_empty() {
            return self.run_piece(steps);
        }
        let piece = self.piece_steps();
        let mut left = steps;
        while left > 0 {
            let n = left.min(piece);
            let result = self.run_piece(n);
            // What was recorded is written even when the piece failed.
            for k in 0..self.streams.len() {
                self.drain_stream(k)?;
            }
            result?;
            left -= n;
        }
        Ok(())
    }

    /// Runs `steps` steps at once.
    fn run_piece(&mut self, steps: u64) -> Result<()> {
        self.prepare()?;
        let end = self.step + steps;
        for m in &mut self.monitors {
            m.reserve(self.step, end, &mut self.budget)?;
        }
        if steps > 0 {
            self.record_start();
        }
        let phases = self.plan();
        let (done, result) = exec::run(
            exec::Objects {
                neurons: &mut self.neurons,
                synapses: &mut self.synapses,
                monitors: &mut self.monitors,
                spike_monitors: &mut self.spike_monitors,
                schedule: &self.schedule,
                phases: &phases,
            },
            exec::RunConfig {
                start: self.step,
                steps,
                dt: self.dt,
                threads: self.threads,
                check: self.check_finite,
                observer: self.observer.as_mut(),
            },
        );
        self.step += done;
        result
    }

    /// Records the state a run starts from, at time `step · dt`, in every monitor that wants
    /// it (see [`Trace`](crate::Trace)): the initial state before the first run.
    fn record_start(&mut self) {
        let (step, dt) = (self.step, self.dt);
        let t = step as f64 * dt;
        for m in &mut self.monitors {
            if !m.wants_start(step) {
                continue;
            }
            let col = m.col;
            match m.owner {
                Owner::Neuron(g) => m.record(step, dt, self.neurons[g].source().columns[col]),
                Owner::Synapse(s) => {
                    let syn = &self.synapses[s];
                    if syn.info().states[col].event_driven {
                        let n = syn.column(col).len();
                        m.record_with(step, dt, n, |i| syn.value_at(col, i, t));
                    } else {
                        m.record(step, dt, syn.column(col));
                    }
                }
            }
        }
    }

    /// How a run cuts the schedule into phases.
    pub(super) fn plan(&self) -> Vec<Phase> {
        let fusers: &[FuserEntry] = if self.fuse { &self.fusers } else { &[] };
        schedule::plan(&self.schedule, &self.neurons, &self.synapses, fusers)
    }

    /// Computes every object's step-invariant constants (once per run, never per step).
    pub(super) fn prepare(&mut self) -> Result<()> {
        let dt = self.dt;
        for (k, g) in self.neurons.iter_mut().enumerate() {
            g.prepare(dt)?;
            g.set_noise_key(crate::rng::key_prefix(
                self.seed,
                crate::rng::domain::NOISE ^ k as u64,
            ));
        }
        for s in &mut self.synapses {
            s.prepare(dt, &mut self.budget)?;
        }
        Ok(())
    }
    /// Everything a run changes, as a [`Checkpoint`](crate::Checkpoint) in memory (Brian2's
    /// `store`): the step counter; every group's and synapse group's parameters, states,
    /// inputs, spike flags and lists, last-spike and last-event times, output accumulators,
    /// delay rings and spikes in flight; every monitor's data. What the code that built the
    /// network decides (connectivity, delays, inputs, seeds) is fingerprinted, not stored. See
    /// [`crate::checkpoint`] for the format.
    pub fn checkpoint(&self) -> crate::Checkpoint {
        use crate::checkpoint::Writer;
        let mut w = Writer::default();
        w.u64(self.dt.to_bits());
        w.u64(self.step);
        w.u64(self.seed);
        w.u64(self.neurons.len() as u64);
        w.u64(self.synapses.len() as u64);
        w.u64(self.monitors.len() as u64);
        w.u64(self.spike_monitors.len() as u64);
        for g in &self.neurons {
            g.save(&mut w);
        }
        for s in &self.synapses {
            s.save(&mut w, self.dt);
        }
        for m in &self.monitors {
            m.save(&mut w);
        }
        for m in &self.spike_monitors {
            m.save(&mut w);
        }
        crate::Checkpoint::of_body(w.buf)
    }

    /// Goes back to `checkpoint` (Brian2's `restore`): the network must have been built by the
    /// same code (the same objects, models, sizes, connectivity and delays; parameters set
    /// since are restored too). A run from there continues bit for bit as the run that made the
    /// checkpoint would have, on any thread count.
    ///
    /// Error: [`Error::Checkpoint`] saying what does not fit; the network is unchanged then.
    pub fn restore(&mut self, checkpoint: &crate::Checkpoint) -> Result<()> {
        use crate::checkpoint::Reader;
        // Checked whole first, then applied: a checkpoint that does not fit changes nothing.
        for apply in [false, true] {
            let mut r = Reader::new(checkpoint.body());
            r.expect_u64("the time step (its bits)", self.dt.to_bits())?;
            let step = r.u64("the step counter")?;
            r.expect_u64("the seed", self.seed)?;
            r.expect_u64("the number of neuron groups", self.neurons.len() as u64)?;
            r.expect_u64("the number of synapse groups", self.synapses.len() as u64)?;
            r.expect_u64("the number of state monitors", self.monitors.len() as u64)?;
            r.expect_u64(
                "the number of spike monitors",
                self.spike_monitors.len() as u64,
            )?;
            for g in &mut self.neurons {
                g.load(&mut r, apply)?;
            }
            for s in &mut self.synapses {
                s.load(&mut r, self.dt, apply)?;
            }
            for m in &mut self.monitors {
                m.load(&mut r, apply)?;
            }
            for m in &mut self.spike_monitors {
                m.load(&mut r, apply)?;
            }
            r.finish()?;
            if step > MAX_STEPS {
                return Err(Error::Checkpoint {
                    reason: format!("the step counter {step} is beyond any run"),
                });
            }
            if apply {
                self.step = step;
            }
        }
        Ok(())
    }
}
