//! Argument parsing, `--set` parsing, CSV round trip, error lines and file writing.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use neurode::tutorial::Recording;

/// Runs the command line on `args` (without the program name), returning stdout.
fn cli(args: &[&str]) -> Result<String, CliError> {
    let mut out = Vec::new();
    let all = std::iter::once("neurode").chain(args.iter().copied());
    run_cli(all, &mut out)?;
    Ok(String::from_utf8(out).expect("utf-8 output"))
}

/// The one-line error of a failing command line, and its exit code.
fn fails(args: &[&str]) -> (String, u8) {
    match cli(args) {
        Ok(out) => panic!("{args:?} succeeded:\n{out}"),
        Err(e) => {
            let line = e.to_string();
            assert!(!line.contains('\n'), "{args:?}: not one line: {line:?}");
            assert!(!line.is_empty());
            (line, e.exit_code())
        }
    }
}

/// A fresh, empty directory under the system's temporary directory.
fn scratch(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "neurode-cli-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Parses CSV written by [`Recording::write_csv`] back into a recording.
fn parse_csv(text: &str) -> Recording {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    assert_eq!(header[0], "t");
    let mut rec = Recording {
        t: Vec::new(),
        columns: header[1..]
            .iter()
            .map(|name| neurode::tutorial::Column {
                name: name.to_string(),
                values: Vec::new(),
            })
            .collect(),
    };
    for line in lines {
        let cells: Vec<f64> = line
            .split(',')
            .map(|c| c.parse().expect("a number"))
            .collect();
        assert_eq!(cells.len(), header.len(), "{line}");
        rec.t.push(cells[0]);
        for (col, v) in rec.columns.iter_mut().zip(&cells[1..]) {
            col.values.push(*v);
        }
    }
    rec
}

fn assert_bitwise_equal(a: &Recording, b: &Recording) {
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.t), bits(&b.t));
    assert_eq!(a.columns.len(), b.columns.len());
    for (x, y) in a.columns.iter().zip(&b.columns) {
        assert_eq!(x.name, y.name);
        assert_eq!(bits(&x.values), bits(&y.values), "{}", x.name);
    }
}

#[test]
fn arguments_parse_with_defaults() {
    let c = Cli::try_parse_from(["neurode", "run", "ampa", "--spikes", "10,20.5"]).unwrap();
    let Command::Run(r) = c.command else {
        panic!("not run")
    };
    assert_eq!(r.model, "ampa");
    assert_eq!(r.spikes.as_deref(), Some("10,20.5"));
    assert_eq!(
        (r.v_post.as_str(), r.duration.as_deref(), r.dt.as_str()),
        ("-65", None, "0.1")
    );
    assert!(r.csv.is_none() && r.png.is_none() && r.record.is_none() && r.method.is_none());
    assert!(r.set.is_empty() && r.v_pre.is_none());
    let cfg = run_config(&r).unwrap();
    assert_eq!(cfg.spikes, vec![10.0, 20.5]);
    assert_eq!((cfg.v_post, cfg.duration, cfg.dt), (-65.0, 50.0, 0.1));
    // Without --duration the run reaches 50 ms past the last spike.
    let c = Cli::try_parse_from(["neurode", "run", "ampa", "--spikes", "10,60,110"]).unwrap();
    let Command::Run(r) = c.command else {
        panic!("not run")
    };
    assert_eq!(run_config(&r).unwrap().duration, 160.0);

    let c = Cli::try_parse_from([
        "neurode",
        "run",
        "nmda",
        "--spikes",
        "-1",
        "--v-post",
        "-70",
        "--v-pre",
        "-60",
        "--set",
        "tau_decay=50",
        "--set",
        "E=-5",
        "--method",
        "rk4",
        "--record",
        "s, x",
        "--duration",
        "1e2",
        "--dt",
        "0.05",
    ])
    .unwrap();
    let Command::Run(r) = c.command else {
        panic!("not run")
    };
    let cfg = run_config(&r).unwrap();
    assert_eq!(cfg.spikes, vec![-1.0]);
    assert_eq!(
        (cfg.v_post, cfg.v_pre, cfg.duration, cfg.dt),
        (-70.0, Some(-60.0), 100.0, 0.05)
    );
    assert_eq!(
        cfg.params,
        vec![("tau_decay".to_string(), 50.0), ("E".to_string(), -5.0)]
    );
    assert_eq!(cfg.method, Some(Method::Rk4));
    assert_eq!(cfg.record, Some(vec!["s".to_string(), "x".to_string()]));

    let c = Cli::try_parse_from(["neurode", "tutorial", "all"]).unwrap();
    let Command::Tutorial(t) = c.command else {
        panic!("not tutorial")
    };
    assert_eq!(t.out, PathBuf::from("figures"));
    assert!(t.csv.is_none() && t.set.is_empty() && t.method.is_none());
    assert!(matches!(
        Cli::try_parse_from(["neurode", "describe", "lif"]).unwrap().command,
        Command::Describe { model } if model == "lif"
    ));
    assert!(matches!(
        Cli::try_parse_from(["neurode", "models"]).unwrap().command,
        Command::Models
    ));
}

#[test]
fn set_values_parse_against_the_model() {
    let info = catalog::find("exponential").unwrap().info;
    assert_eq!(
        parse_set("tau=2", "exponential", info).unwrap(),
        ("tau".into(), 2.0)
    );
    assert_eq!(
        parse_set(" w = -0.5 ", "exponential", info).unwrap(),
        ("w".into(), -0.5)
    );
    assert_eq!(
        parse_set("delay=1e-1", "exponential", info).unwrap(),
        ("delay".into(), 0.1)
    );
    for (text, needle) in [
        ("tau", "invalid --set `tau`: expected NAME=VALUE, e.g. --set tau=1 (parameters of `exponential`: tau, w, delay)"),
        ("=2", "model `exponential` has no parameter `` (--set accepts: tau, w, delay)"),
        ("tua=2", "model `exponential` has no parameter `tua` (--set accepts: tau, w, delay)"),
        ("tau=abc", "invalid --set tau `abc`: not a number (expected a number in ms, or with a unit of its kind)"),
        ("tau=2mV", "invalid --set tau `2mV`: `mV` is not a unit of ms"),
        ("tau=", "invalid --set tau ``: not a number"),
        ("tau=nan", "invalid --set tau `nan`: not a finite number"),
        ("tau=inf", "invalid --set tau `inf`: not a finite number"),
        ("tau=1,2", "not a number"),
    ] {
        let e = parse_set(text, "exponential", info).unwrap_err().to_string();
        assert!(e.contains(needle), "{text}: {e}");
    }
}

#[test]
fn numbers_methods_spikes_and_records_parse() {
    assert_eq!(parse_number("--dt", " 0.1 ", "x").unwrap(), 0.1);
    assert_eq!(parse_number("--dt", "-3", "x").unwrap(), -3.0);
    let e = parse_number("--dt", "0,1", "a step in ms")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "invalid --dt `0,1`: not a number (expected a step in ms)"
    );
    assert!(parse_number("--dt", "NaN", "x").is_err());
    assert!(parse_number("--dt", "-inf", "x").is_err());

    let nmda = catalog::find("nmda").unwrap().info;
    assert_eq!(parse_method("rk2", "nmda", nmda).unwrap(), Method::Rk2);
    assert_eq!(
        parse_method("rk5", "nmda", nmda).unwrap_err().to_string(),
        "unknown method `rk5` (--method accepts: euler, rk2, rk4, exp_euler, exact)"
    );
    assert_eq!(
        parse_method("exact", "nmda", nmda).unwrap_err().to_string(),
        "model `nmda` does not support method `exact` (--method accepts: euler, rk2, rk4, exp_euler)"
    );

    assert_eq!(parse_spikes("10,20.5").unwrap(), vec![10.0, 20.5]);
    assert_eq!(parse_spikes(" 1 , 2 ").unwrap(), vec![1.0, 2.0]);
    assert_eq!(parse_spikes("").unwrap(), Vec::<f64>::new());
    assert!(parse_spikes("10,,20")
        .unwrap_err()
        .to_string()
        .contains("empty item"));
    assert!(parse_spikes("10,")
        .unwrap_err()
        .to_string()
        .contains("empty item"));
    assert_eq!(
        parse_spikes("10,ten").unwrap_err().to_string(),
        "invalid --spikes `ten`: not a number (expected comma-separated times in ms, e.g. 10,20.5 or 10ms,0.0205s)"
    );

    assert_eq!(
        parse_record("s,post.V", "nmda", nmda).unwrap(),
        vec!["s", "post.V"]
    );
    assert!(parse_record("s,", "nmda", nmda)
        .unwrap_err()
        .to_string()
        .contains("accepted for `nmda`: s, x, g_inf, syn.s"));
}

#[test]
fn csv_round_trips_bit_for_bit() {
    let dir = scratch("csv");
    // A single-synapse run through the command line.
    let csv = dir.join("run.csv");
    let out = cli(&[
        "run",
        "alpha_coba",
        "--spikes",
        "1,2.5,7",
        "--duration",
        "20",
        "--csv",
        csv.to_str().unwrap(),
    ])
    .unwrap();
    assert!(out.contains("csv: "), "{out}");
    let cfg = RunConfig {
        spikes: vec![1.0, 2.5, 7.0],
        duration: 20.0,
        ..RunConfig::default()
    };
    let direct = single::run("alpha_coba", &cfg).unwrap().recording;
    let text = fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("t,pre.spike[0],post.V[0],post.I_syn[0],syn.s[0],syn.x[0]\n"));
    assert_bitwise_equal(&parse_csv(&text), &direct);
    // A chapter protocol.
    let csv = dir.join("gaba_b.csv");
    cli(&[
        "tutorial",
        "gaba_b",
        "--out",
        dir.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ])
    .unwrap();
    let direct = Protocol::GabaB.run(&Overrides::default()).unwrap();
    let back = parse_csv(&fs::read_to_string(&csv).unwrap());
    assert_eq!(back.t.len(), 10_201);
    assert_bitwise_equal(&back, &direct);
    assert_eq!(files_in(&dir), ["gaba_b.csv", "gaba_b.png", "run.csv"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_one_line_naming_the_accepted_values() {
    let cases: &[(&[&str], &str)] = &[
        (&["describe", "ampaa"], "unknown model `ampaa` (models: lif, lif_coba, adex, exp_if, izhikevich, hodgkin_huxley, clamp, ampa"),
        (&["tutorial", "ampaa"], "unknown protocol `ampaa` (protocols: ampa, nmda, gaba_a, gaba_b, two_exponentials, alpha, exponential, voltage_jump, gap_junction, all)"),
        (&["tutorial", "ampa", "--set", "tua=3"], "model `ampa` has no parameter `tua` (--set accepts: alpha, beta, T, T_duration, g_max, E, delay)"),
        (&["tutorial", "nmda", "--method", "exact"], "model `nmda` does not support method `exact`"),
        (&["tutorial", "all", "--csv", "x.csv"], "--csv takes one protocol, not `all`"),
        (&["tutorial", "all", "--set", "w=1"], "--set changes one protocol's synapse, not `all`"),
        (&["tutorial", "all", "--method", "exact"], "does not support method `exact`"),
        (&["run", "ampaa", "--spikes", "1"], "unknown model `ampaa` (neurode run takes a neuron model: lif, lif_coba, adex"),
        (&["run", "clamp", "--spikes", "1"], "`clamp` cannot run on its own (neurode run takes a neuron model: lif"),
        (&["run", "lif", "--spikes", "1"], "--spikes applies to synapse models; `lif` is a neuron"),
        (&["run", "ampa", "--spikes", "1", "--dt", "abc"], "invalid --dt `abc`: not a number"),
        (&["run", "ampa", "--spikes", "1", "--dt", "0"], "invalid --dt 0: the step must be a number of ms greater than 0"),
        (&["run", "ampa", "--spikes", "1", "--dt", "-0.1"], "invalid --dt -0.1"),
        (&["run", "ampa", "--spikes", "1", "--duration", "-5"], "invalid --duration -5:"),
        (&["run", "ampa", "--spikes", "1", "--duration", "nan"], "invalid --duration `nan`: not a finite number"),
        (&["run", "ampa", "--spikes", "1", "--duration", "1e8"], "at most 1e7"),
        (&["run", "ampa", "--spikes", "1", "--duration", "1e7"], "a run records at most 5000000 steps"),
        (&["run", "ampa", "--spikes", "-1"], "invalid --spikes -1: spike times must be finite, non-negative"),
        (&["run", "ampa", "--spikes", "5,2"], "invalid --spikes 2: spike times must increase: 2 ms comes after 5 ms"),
        (&["run", "ampa", "--spikes", "5,x"], "invalid --spikes `x`: not a number"),
        (&["run", "ampa", "--spikes", "60", "--duration", "50"], "lengthen --duration"),
        (&["run", "ampa", "--spikes", "1", "--record", "s,q"], "unknown variable `q` for --record of `ampa` (accepted: s, t_last, transmitter, syn.s, syn.t_last, syn.transmitter, pre.spike, pre.V, post.V, post.I_syn)"),
        (&["run", "ampa", "--spikes", "1", "--set", "beta"], "expected NAME=VALUE"),
        (&["run", "ampa", "--spikes", "1", "--method", "rk9"], "unknown method `rk9`"),
        (&["run", "ampa", "--spikes", "1", "--v-post", "x"], "invalid --v-post `x`"),
        (&["run", "ampa"], "--spikes"),
        (&["run", "ampa", "--spikes", "1", "--bogus"], "unexpected argument '--bogus'"),
        (&[], "missing command: models, describe, tutorial or run (see `neurode --help`)"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
    ];
    for (args, needle) in cases {
        let (line, code) = fails(args);
        assert!(
            line.contains(needle),
            "{args:?}:\n  got  {line}\n  want {needle}"
        );
        assert_eq!(code, 2, "{args:?}: {line}");
    }
}

#[test]
fn failures_while_running_exit_with_1() {
    // A weight near the largest float overflows the current at the second spike: the runtime
    // stops the run. (τ = 0, which used to do this, is now refused as out of its domain.)
    let (line, code) = fails(&[
        "run",
        "exponential",
        "--spikes",
        "1,2",
        "--set",
        "w=1.7e308",
    ]);
    assert!(line.starts_with("non-finite value inf"), "{line}");
    assert_eq!(code, 1);
    let (line, code) = fails(&["run", "exponential", "--spikes", "1", "--set", "tau=0"]);
    assert!(line.ends_with("it must be positive"), "{line}");
    assert_eq!(code, 2);
    // --out under a regular file cannot be created.
    let dir = scratch("out");
    let file = dir.join("file");
    fs::write(&file, "").unwrap();
    let out = file.join("figures");
    let (line, code) = fails(&["tutorial", "exponential", "--out", out.to_str().unwrap()]);
    assert!(
        line.starts_with("cannot write ") && line.contains("file/figures"),
        "{line}"
    );
    assert_eq!(code, 1);
    fs::remove_dir_all(&dir).unwrap();
    let (line, code) = fails(&[
        "tutorial",
        "exponential",
        "--set",
        "tau=1e-300",
        "--method",
        "euler",
        "--out",
        &std::env::temp_dir().to_string_lossy(),
    ]);
    assert!(
        line.starts_with("protocol `exponential`: non-finite value"),
        "{line}"
    );
    assert_eq!(code, 1);
}

#[test]
fn nothing_is_left_behind_when_a_write_fails() {
    let dir = scratch("atomic");
    let file = dir.join("x.csv");
    crate::output::write_file(&file, |w| w.write_all(b"old\n")).unwrap();
    assert_eq!(files_in(&dir), ["x.csv"]);
    let e = crate::output::write_file(&file, |w| {
        w.write_all(b"partial")?;
        Err(io::Error::other("disk full"))
    })
    .unwrap_err();
    assert_eq!(e.to_string(), "disk full");
    assert_eq!(files_in(&dir), ["x.csv"], "no temporary file");
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "old\n",
        "the old file is intact"
    );
    // The run fails before anything is written: no CSV, no PNG.
    let csv = dir.join("bad.csv");
    let png = dir.join("bad.png");
    let (_, code) = fails(&[
        "run",
        "exponential",
        "--spikes",
        "1,2",
        "--set",
        "w=1.7e308",
        "--csv",
        csv.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    // A figure with nothing to draw is refused before the CSV is written.
    let (line, _) = fails(&[
        "run",
        "exponential",
        "--spikes",
        "1",
        "--record",
        "pre.spike",
        "--csv",
        csv.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(line.contains("--png has nothing to draw"), "{line}");
    // A CSV into a missing directory.
    let missing = dir.join("no/such/dir.csv");
    let (line, code) = fails(&[
        "run",
        "exponential",
        "--spikes",
        "1",
        "--csv",
        missing.to_str().unwrap(),
    ]);
    assert!(
        line.starts_with("cannot write ") && line.contains("dir.csv"),
        "{line}"
    );
    assert_eq!(code, 1);
    assert_eq!(files_in(&dir), ["x.csv"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn help_version_models_and_describe_print_to_stdout() {
    let help = cli(&["--help"]).unwrap();
    for sub in ["models", "describe", "tutorial", "run"] {
        assert!(help.contains(sub), "{help}");
    }
    let run_help = cli(&["run", "--help"]).unwrap();
    for flag in [
        "--spikes",
        "--v-post",
        "--duration",
        "--dt",
        "--record",
        "--csv",
        "--png",
        "--set",
        "--method",
    ] {
        assert!(run_help.contains(flag), "{flag} missing:\n{run_help}");
    }
    assert!(cli(&["--version"]).unwrap().starts_with("neurode "));
    let models = cli(&["models"]).unwrap();
    for e in &catalog::MODELS {
        assert!(models.contains(&format!("  {} ", e.name)), "{}", e.name);
    }
    let d = cli(&["describe", "gaba_b"]).unwrap();
    assert!(
        d.contains("dR/dt = k3 * transmitter * (1.0 - R) - k4 * R"),
        "{d}"
    );
}

#[test]
fn tutorial_writes_figures_and_prints_key_numbers() {
    let dir = scratch("tutorial");
    let out = cli(&["tutorial", "exponential", "--out", dir.to_str().unwrap()]).unwrap();
    assert!(
        out.contains("pre spikes: 8.4, 19.2 ms (both neurons)"),
        "{out}"
    );
    assert!(out.contains("s: peak 1.25924 at 19.3 ms"), "{out}");
    assert_eq!(files_in(&dir), ["exponential.png"]);
    let png = fs::read(dir.join("exponential.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let out = cli(&[
        "tutorial",
        "gap_junction",
        "--out",
        dir.join("sub").to_str().unwrap(),
        "--set",
        "w=0.25",
        "--method",
        "euler",
    ])
    .unwrap();
    assert!(out.contains("method euler, --set w=0.25"), "{out}");
    assert_eq!(files_in(&dir.join("sub")), ["gap_junction.png"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_records_what_is_asked() {
    let dir = scratch("run");
    let csv = dir.join("r.csv");
    let png = dir.join("r.png");
    let out = cli(&[
        "run",
        "nmda",
        "--spikes",
        "5,10",
        "--v-post",
        "-40",
        "--record",
        "g_inf,syn.s,post.I_syn",
        "--csv",
        csv.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ])
    .unwrap();
    assert!(
        out.contains("presynaptic spikes at 5, 10 ms onto a clamp at -40 mV"),
        "{out}"
    );
    let text = fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("t,syn.g_inf[0],syn.s[0],post.I_syn[0]\n"),
        "{text}"
    );
    // g∞(−40 mV) = 1/(1 + e^{2.48}·1.2/3.57), from the first step on (a derived variable is
    // computed in a step: the row of t = 0 holds 0).
    assert!(
        text.lines().nth(1).unwrap().starts_with("0.0,0.0,"),
        "{text}"
    );
    let g: f64 = text
        .lines()
        .nth(2)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let want = 1.0 / (1.0 + (0.062f64 * 40.0).exp() * 1.2 / 3.57);
    assert!((g - want).abs() < 1e-15, "{g} vs {want}");
    assert_eq!(files_in(&dir), ["r.csv", "r.png"]);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn clap_messages_become_one_line() {
    let text = "error: the following required arguments were not provided:\n  --spikes <MS,MS,...>\n\nUsage: neurode run --spikes <MS,MS,...> <MODEL>\n\nFor more information, try '--help'.\n";
    assert_eq!(
        one_line(text),
        "the following required arguments were not provided: --spikes <MS,MS,...> (see `neurode --help`)"
    );
}

/// The messages of issue item 10: `--out` naming a file, a CSV in a missing directory (the
/// target's path and the OS reason, never the hidden temporary's name), `--record` naming a
/// variable twice, the models' summaries.
#[test]
fn messages_name_what_the_user_gave() {
    let dir = scratch("messages");
    let file = dir.join("file");
    fs::write(&file, "mine").unwrap();
    let (line, code) = fails(&["tutorial", "ampa", "--out", file.to_str().unwrap()]);
    assert_eq!(
        line,
        format!("--out {} is a file, not a directory", file.display())
    );
    assert_eq!(code, 2);
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");

    let missing = dir.join("missing/dir/x.csv");
    let (line, code) = fails(&[
        "run",
        "alpha",
        "--spikes",
        "1",
        "--csv",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(
        line,
        format!(
            "cannot write {}: No such file or directory (os error 2)",
            missing.display()
        )
    );
    assert_eq!(code, 1);

    let csv = dir.join("twice.csv");
    cli(&[
        "run",
        "alpha",
        "--spikes",
        "1",
        "--record",
        "s,s,x,s",
        "--csv",
        csv.to_str().unwrap(),
    ])
    .unwrap();
    let text = fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().next().unwrap(), "t,syn.s[0],syn.x[0]");
    let csv = dir.join("neuron.csv");
    let csv = csv.to_str().unwrap();
    cli(&[
        "run",
        "adex",
        "--duration",
        "5",
        "--record",
        "V,V,w,V",
        "--csv",
        csv,
    ])
    .unwrap();
    let text = fs::read_to_string(csv).unwrap();
    assert_eq!(text.lines().next().unwrap(), "t,V,w");
    fs::remove_dir_all(&dir).unwrap();

    for e in catalog::MODELS.iter() {
        let s = e.summary();
        assert!(s.ends_with('.'), "{}: {s:?}", e.name);
        assert!(!s.ends_with(":."), "{}: {s:?}", e.name);
    }
    let adex = catalog::find("adex").unwrap().summary();
    assert_eq!(
        adex,
        "Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005), in the paper's units (pF, nS, pA)."
    );
}

/// `--spikes-csv` writes every spike, `step,t`, with the located times at full precision
/// (AdEx locates its crossings inside the step), the same numbers the library gives.
#[test]
fn spikes_csv_writes_every_located_spike() {
    let dir = scratch("spikes-csv");
    let path = dir.join("spikes.csv");
    let out = cli(&[
        "run",
        "adex",
        "--preset",
        "tonic",
        "--duration",
        "300",
        "--spikes-csv",
        path.to_str().unwrap(),
    ])
    .unwrap();
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("step,t"));
    let rows: Vec<(u64, f64)> = lines
        .map(|l| {
            let (s, t) = l.split_once(',').unwrap();
            (s.parse().unwrap(), t.parse().unwrap())
        })
        .collect();
    let cfg = NeuronConfig {
        preset: Some("tonic".into()),
        current: None,
        duration: 300.0,
        dt: 0.1,
        params: Vec::new(),
        method: None,
        record: None,
    };
    let direct = neuron::run("adex", &cfg).unwrap();
    assert!(rows.len() > 10, "{text}");
    assert_eq!(rows.len(), direct.spike_times.len());
    assert!(out.contains(&format!(
        "spikes csv: {} ({} spikes)",
        path.display(),
        rows.len()
    )));
    for (k, &(step, t)) in rows.iter().enumerate() {
        assert_eq!(step, direct.spike_steps[k]);
        assert_eq!(t.to_bits(), direct.spike_times[k].to_bits(), "spike {k}");
        // Located inside its step, not at its start.
        let start = step as f64 * 0.1;
        assert!(
            t > start && t <= start + 0.1 + 1e-12,
            "spike {k}: {t} in step {step}"
        );
    }
    fs::remove_dir_all(&dir).unwrap();
}

/// `--current` and the other quantities take a unit suffix, converted exactly into the model's
/// unit and echoed in it; a suffix of the wrong kind is one clear line, exit 2.
#[test]
fn quantities_take_unit_suffixes() {
    let plain = cli(&["run", "adex", "--current", "800", "--duration", "100"]).unwrap();
    let suffixed = cli(&["run", "adex", "--current", "0.8nA", "--duration", "0.1s"]).unwrap();
    assert_eq!(plain, suffixed);
    assert!(plain.contains("I_e = 800 pA (--current)"), "{plain}");
    let lif = cli(&["run", "lif", "--current", "25000pA", "--duration", "100"]).unwrap();
    assert!(lif.contains("input 25 nA (--current)"), "{lif}");
    let (line, code) = fails(&["run", "hodgkin_huxley", "--current", "0.8nA"]);
    assert_eq!(code, 2);
    assert!(line.contains("`nA` is not a unit of uA/cm^2"), "{line}");
    let (line, code) = fails(&["run", "adex", "--dt", "0.1mV"]);
    assert_eq!(code, 2);
    assert!(
        line.contains("invalid --dt `0.1mV`: `mV` is not a unit of ms"),
        "{line}"
    );
    let (line, _) = fails(&["run", "exponential", "--spikes", "1,2apples"]);
    assert!(line.contains("unknown unit `apples`"), "{line}");
    let us = cli(&[
        "run",
        "exponential",
        "--spikes",
        "1000us,2ms",
        "--set",
        "tau=0.008s",
    ])
    .unwrap();
    let ms = cli(&["run", "exponential", "--spikes", "1,2", "--set", "tau=8"]).unwrap();
    // The summary echoes the values in the model's units: `--set tau=8`.
    assert_eq!(us, ms);
    assert!(us.contains("--set tau=8"), "{us}");
}

/// `exp_if` takes its textbook time constant and resistance: C = 1000·τ_m/R pF, g_L = 1000/R nS.
#[test]
fn exp_if_takes_tau_m_and_r() {
    let textbook = cli(&[
        "run",
        "exp_if",
        "--current",
        "500",
        "--set",
        "tau_m=10",
        "--set",
        "R=50",
    ])
    .unwrap();
    assert!(textbook.contains("--set C=200, --set g_L=20"), "{textbook}");
    let direct = cli(&[
        "run",
        "exp_if",
        "--current",
        "500",
        "--set",
        "C=200",
        "--set",
        "g_L=20",
    ])
    .unwrap();
    assert_eq!(textbook, direct);
    let (line, code) = fails(&["run", "exp_if", "--set", "R=50", "--set", "g_L=3"]);
    assert_eq!(code, 2);
    assert!(line.contains("use C and g_L, or tau_m and R"), "{line}");
    let (line, _) = fails(&["run", "exp_if", "--set", "R=-1"]);
    assert!(line.contains("`R`") && line.contains("-1"), "{line}");
}
