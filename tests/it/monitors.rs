//! Observing never changes what is observed: monitors on every kind of variable (neuron states,
//! synapse state kept per postsynaptic neuron and run fused with the neurons, per presynaptic
//! neuron, per synapse, derived expressions, spike counts) leave every spike and every stored
//! value bit-identical, on one thread and on several.

use neurode::benchmarks::coba;
use neurode::models::{ExponentialCoba, Lif};

use crate::threads::{mixed_with, Outcome};

/// COBA (3000 neurons, seed 5, 100 ms): spikes and the final state of the neurons and of both
/// synapse groups, with or without monitors on V, on both conductances and on the spikes.
fn coba_outcome(observe: bool, threads: usize) -> Outcome {
    let mut bench = coba(3000, 5).unwrap();
    let net = &mut bench.net;
    net.set_threads(threads).unwrap();
    let trains = net.record_spikes(bench.neurons).unwrap();
    let synapses = ["exc", "inh"].map(|name| net.find_projection::<ExponentialCoba>(name).unwrap());
    if observe {
        net.record(bench.neurons, Lif::V).unwrap();
        net.record(synapses[0], ExponentialCoba::s).unwrap();
        net.record_every(synapses[1].elements(&[5, 0, 2999]), ExponentialCoba::s, 7)
            .unwrap();
    }
    net.run(100.0).unwrap();
    let trace = net.spikes(trains).unwrap();
    let spikes = trace
        .steps
        .iter()
        .copied()
        .zip(trace.indices.iter().copied())
        .collect();
    let mut state: Vec<u64> = net
        .population(bench.neurons)
        .unwrap()
        .columns()
        .concat()
        .iter()
        .map(|x| x.to_bits())
        .collect();
    for s in synapses {
        state.extend(
            net.projection(s)
                .unwrap()
                .columns()
                .concat()
                .iter()
                .map(|x| x.to_bits()),
        );
    }
    Outcome { spikes, state }
}

#[test]
fn monitors_leave_coba_bit_identical() {
    for threads in [1, 2] {
        let plain = coba_outcome(false, threads);
        assert!(plain.spikes.len() > 1000, "{} spikes", plain.spikes.len());
        assert!(
            coba_outcome(true, threads) == plain,
            "{threads} threads: monitors changed the run"
        );
    }
}

#[test]
fn monitors_leave_every_kind_of_phase_bit_identical() {
    for threads in [1, 3] {
        let (phases, plain) = mixed_with(threads, false);
        let (observed_phases, observed) = mixed_with(threads, true);
        assert_eq!(phases, observed_phases, "monitors change no phase");
        assert!(
            observed == plain,
            "{threads} threads: monitors changed the run"
        );
    }
}

/// The `f64` values of a `.npy` file written by a stream, and its shape.
fn read_npy(bytes: &[u8]) -> ((usize, usize), Vec<f64>) {
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + len]).unwrap();
    let shape = header.split("'shape': (").nth(1).unwrap();
    let shape: Vec<usize> = shape
        .split(')')
        .next()
        .unwrap()
        .split(',')
        .map(|x| x.trim().parse().unwrap())
        .collect();
    let values = bytes[10 + len..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    ((shape[0], shape[1]), values)
}

#[test]
fn streamed_monitors_write_what_monitors_in_memory_hold() {
    use neurode::runtime::Format;
    let dir = tempfile::tempdir().unwrap();
    let (v_path, spikes_path) = (dir.path().join("v.npy"), dir.path().join("spikes.csv"));
    let mut runs = Vec::new();
    for stream in [false, true] {
        let mut bench = coba(3000, 5).unwrap();
        let net = &mut bench.net;
        let v = net.record(bench.neurons, Lif::V).unwrap();
        let spikes = net.record_spikes(bench.neurons).unwrap();
        net.run(3.0).unwrap();
        if stream {
            // Rows recorded before streaming starts are written first.
            let file = std::fs::File::create(&v_path).unwrap();
            net.stream_trace(v, file, Format::Npy).unwrap();
            let file = std::fs::File::create(&spikes_path).unwrap();
            net.stream_spikes(spikes, file, Format::Csv).unwrap();
            assert_eq!(net.trace(v).unwrap().n_rows(), 0);
        }
        // 3000 neurons: a piece holds 174 rows, so these runs come in several pieces.
        net.run(60.0).unwrap();
        net.run(40.0).unwrap();
        runs.push((
            net.trace(v).unwrap().clone(),
            net.spikes(spikes).unwrap().clone(),
        ));
    }
    let (memory, streamed) = (&runs[0], &runs[1]);
    // The initial state (t = 0) and the end of each of the 1030 steps.
    assert_eq!(memory.0.n_rows(), 1031);
    assert_eq!(streamed.0.n_rows(), 0);
    assert!(streamed.1.times.is_empty());
    assert_eq!(memory.1.counts, streamed.1.counts);

    let ((rows, cols), values) = read_npy(&std::fs::read(&v_path).unwrap());
    assert_eq!((rows, cols), (1031, 3001));
    for i in 0..rows {
        assert_eq!(values[i * cols].to_bits(), memory.0.times[i].to_bits());
        for (a, b) in values[i * cols + 1..(i + 1) * cols]
            .iter()
            .zip(memory.0.row(i))
        {
            assert_eq!(a.to_bits(), b.to_bits(), "row {i}");
        }
    }

    let csv = std::fs::read_to_string(&spikes_path).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("t,i"));
    let spikes: Vec<(f64, u32)> = lines
        .map(|l| {
            let (t, i) = l.split_once(',').unwrap();
            (t.parse().unwrap(), i.parse().unwrap())
        })
        .collect();
    assert!(spikes.len() > 1000, "{} spikes", spikes.len());
    let expected: Vec<(f64, u32)> = memory
        .1
        .times
        .iter()
        .copied()
        .zip(memory.1.indices.iter().copied())
        .collect();
    assert_eq!(spikes, expected);
}

/// A writer that fails after `ok` bytes.
struct Failing {
    ok: usize,
}

impl std::io::Write for Failing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.ok {
            return Err(std::io::Error::other("disk full"));
        }
        self.ok -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::io::Seek for Failing {
    fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
        Ok(0)
    }
}

#[test]
fn streams_refuse_what_they_cannot_do_and_report_failed_writes() {
    use neurode::runtime::{Error, Format};
    let mut bench = coba(400, 1).unwrap();
    let net = &mut bench.net;
    let v = net.record(bench.neurons, Lif::V).unwrap();
    let e = net
        .stream_spikes(bench.spikes, Failing { ok: 1 << 20 }, Format::Csv)
        .unwrap_err();
    assert!(
        e.to_string().contains("use `Network::record_spikes`"),
        "{e}"
    );
    net.stream_trace(v, Failing { ok: 100_000 }, Format::Csv)
        .unwrap();
    let e = net
        .stream_trace(v, Failing { ok: 1 << 20 }, Format::Npy)
        .unwrap_err();
    assert!(e.to_string().contains("already streamed"), "{e}");
    let e = net.run(50.0).unwrap_err();
    assert_eq!(
        e,
        Error::Write {
            object: "neurons.V".into(),
            reason: "disk full".into()
        }
    );
}

/// A row is labelled with the time of the values it holds: row k of a monitor in place from
/// the start is V(k·dt) of an exactly integrated decay, the first row V(0); a second run adds
/// no second row for the time the first ended at; a monitor added between runs starts at its
/// time; a period of k steps records at multiples of k·dt.
#[test]
fn rows_hold_the_state_at_their_time() {
    use neurode::runtime::{Method, Network};
    let lif = Lif {
        V_th: 1e9,
        ..Lif::default()
    };
    let (v0, tau, rest) = (-2.0, lif.tau, lif.V_rest);
    let mut net = Network::new(0.1).unwrap();
    let g = net.add_population("g", 1, lif).unwrap();
    net.set_method(g, Method::Exact).unwrap();
    net.set(g, Lif::V, [v0]).unwrap();
    let all = net.record(g, Lif::V).unwrap();
    net.run(2.0).unwrap();
    let late = net.record(g, Lif::V).unwrap();
    let sparse = net.record_every(g, Lif::V, 5).unwrap();
    net.run(3.0).unwrap();
    let exact = |t: f64| rest + (v0 - rest) * (-t / tau).exp();
    let trace = net.trace(all).unwrap();
    assert_eq!(trace.n_rows(), 51);
    assert_eq!(trace.get(0, 0), v0);
    for (k, &t) in trace.times.iter().enumerate() {
        assert_eq!(t, k as f64 * 0.1);
        let got = trace.get(k, 0);
        assert!((got - exact(t)).abs() < 1e-12, "row {k} (t = {t}): {got}");
    }
    let late = net.trace(late).unwrap();
    assert_eq!(late.times.first(), Some(&2.0));
    assert_eq!(late.n_rows(), 31);
    assert_eq!(late.column(0), trace.column(0)[20..].to_vec());
    let sparse = net.trace(sparse).unwrap();
    let want: Vec<f64> = (4..=10).map(|k| (5 * k) as f64 * 0.1).collect();
    assert_eq!(sparse.times, want);
}

/// The population rate of COBA's excitatory neurons (a view) in bins of 2 ms, recorded over
/// runs of 25 ms and 15.3 ms (the second ending inside a bin) and after a restore, equals the
/// spike monitor's spikes binned by hand, and Hz are spikes / (neurons × bin).
#[test]
fn a_rate_monitor_bins_what_a_spike_monitor_records() {
    let mut bench = coba(2000, 3).unwrap();
    let net = &mut bench.net;
    net.run(5.0).unwrap();
    let exc = bench.neurons.slice(..1600).unwrap();
    let trains = net.record_spikes(exc.clone()).unwrap();
    let rate = net.record_rate(exc, 2.0).unwrap();
    let each_step = net.record_rate(bench.neurons, 0.1).unwrap();
    let counter = net.count_spikes(bench.neurons).unwrap();
    net.run(25.0).unwrap();
    let saved = net.checkpoint();
    net.run(15.3).unwrap();
    let mut second = neurode::benchmarks::coba(2000, 3).unwrap();
    second.net.run(5.0).unwrap();
    let exc2 = second.neurons.slice(..1600).unwrap();
    second.net.record_spikes(exc2.clone()).unwrap();
    let rate2 = second.net.record_rate(exc2, 2.0).unwrap();
    second.net.record_rate(second.neurons, 0.1).unwrap();
    second.net.count_spikes(second.neurons).unwrap();
    second.net.restore(&saved).unwrap();
    second.net.run(15.3).unwrap();

    let spikes = net.spikes(trains).unwrap();
    let r = net.rate(rate).unwrap();
    // 40.3 ms recorded: 20 complete bins of 20 steps, starting at step 50; the 3 steps of
    // the 21st are pending.
    assert_eq!((r.start_step, r.bin_steps, r.counts.len()), (50, 20, 20));
    assert_eq!(r.n_neurons, 1600);
    let mut by_hand = vec![0u64; 20];
    for &s in &spikes.steps {
        if let Some(c) = by_hand.get_mut(((s - 50) / 20) as usize) {
            *c += 1;
        }
    }
    assert_eq!(r.counts, by_hand);
    assert!(by_hand.iter().sum::<u64>() > 100, "{by_hand:?}");
    assert_eq!(r.times()[1], 7.0);
    let hz = r.rates();
    assert!((hz[3] - by_hand[3] as f64 / (1600.0 * 2e-3)).abs() < 1e-9);
    assert_eq!(
        second.net.rate(rate2).unwrap(),
        r,
        "the restored run bins the same spikes"
    );
    // Bins of one step hold each step's spikes of all 2000 neurons: 403 of them.
    let all = net.rate(each_step).unwrap();
    assert_eq!(all.counts.len(), 403);
    assert_eq!(
        all.counts.iter().sum::<u64>(),
        net.spikes(counter).unwrap().total()
    );
}

#[test]
fn rate_monitors_refuse_bins_off_the_step_grid_and_foreign_handles() {
    let mut bench = coba(100, 1).unwrap();
    for bin in [0.0, 0.05, 0.25, -1.0, f64::NAN, f64::INFINITY] {
        let e = bench.net.record_rate(bench.neurons, bin).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("whole number") && text.contains("0.1 ms"),
            "{text}"
        );
    }
    let other = coba(100, 1).unwrap();
    let mut other = other;
    let id = other.net.record_rate(other.neurons, 1.0).unwrap();
    assert!(matches!(
        bench.net.rate(id),
        Err(neurode::runtime::Error::UnknownObject { .. })
    ));
}
