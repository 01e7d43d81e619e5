//! The `neurode` binary end to end: exit codes, one-line errors, files written whole or not at all,
//! and the CSV interface (`t` then `<object>.<variable>[<index>]`, values that round-trip an f64).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use neurode::tutorial::{Overrides, Protocol};

fn neurode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neurode"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh scratch directory under the target directory (no temp-dir crate needed).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Every error exits non-zero with exactly one line on stderr naming the problem.
fn assert_one_line_error(args: &[&str], needles: &[&str]) {
    let o = neurode(args);
    assert!(!o.status.success(), "{args:?} should fail");
    let err = stderr(&o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{args:?}: one line, got {err:?}"
    );
    for n in needles {
        assert!(err.contains(n), "{args:?}: {err:?} should mention {n:?}");
    }
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn models_lists_every_model() {
    let o = neurode(&["models"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for name in [
        "lif",
        "lif_coba",
        "adex",
        "exp_if",
        "izhikevich",
        "hodgkin_huxley",
        "ampa",
        "nmda",
        "gaba_a",
        "gaba_a_markov",
        "gaba_b",
        "two_exponentials",
        "alpha",
        "exponential",
        "voltage_jump",
        "delta",
        "gap_junction",
        "gap_junction_symmetric",
        "clamp",
    ] {
        assert!(
            out.lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name} missing from\n{out}"
        );
    }
}

#[test]
fn describe_shows_equations_parameters_and_method() {
    let o = neurode(&["describe", "nmda"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    for needle in [
        "ds/dt = -s / tau_decay + a * x * (1.0 - s)",
        "x += 1.0",
        "g_inf",
        "100",
        "c_Mg",
        "exp_euler",
        "rk4",
        "conductance",
    ] {
        assert!(
            out.contains(needle),
            "describe nmda lacks {needle:?}:\n{out}"
        );
    }
    let o = neurode(&["describe", "alpha"]);
    assert!(
        stdout(&o).contains("exact"),
        "the automatic method is shown"
    );
}

#[test]
fn bad_input_is_one_clear_line() {
    assert_one_line_error(&["describe", "ampx"], &["ampx", "ampa"]);
    assert_one_line_error(&["tutorial", "nope"], &["nope", "gap_junction"]);
    assert_one_line_error(&["tutorial", "ampa", "--set", "tau=3"], &["tau"]);
    assert_one_line_error(&["tutorial", "ampa", "--set", "alpha=abc"], &["abc"]);
    assert_one_line_error(&["tutorial", "ampa", "--method", "rk5"], &["rk5", "rk4"]);
    assert_one_line_error(&["tutorial", "nmda", "--method", "exact"], &["exact"]);
    assert_one_line_error(&["run", "alpha", "--spikes", "5,3"], &["3"]);
    assert_one_line_error(&["run", "alpha", "--spikes", "-1"], &["-1"]);
    assert_one_line_error(&["run", "alpha", "--spikes", "1,x"], &["x"]);
    assert_one_line_error(&["run", "alpha", "--spikes", "1", "--dt", "0"], &["dt"]);
    assert_one_line_error(
        &["run", "alpha", "--spikes", "1", "--duration", "-5"],
        &["-5"],
    );
    assert_one_line_error(
        &["run", "alpha", "--spikes", "1", "--duration", "1e12"],
        &["duration"],
    );
    assert_one_line_error(
        &["run", "alpha", "--spikes", "1", "--record", "s,foo"],
        &["foo"],
    );
    assert_one_line_error(&["run", "lif", "--spikes", "1"], &["lif"]);
    assert_one_line_error(&["run", "adex", "--preset", "jazz"], &["jazz", "bursting"]);
    assert_one_line_error(&["run", "adex", "--current", "lots"], &["lots"]);
    assert_one_line_error(
        &["run", "ampa", "--preset", "rs"],
        &["--preset", "--spikes"],
    );
    assert_one_line_error(&["run", "ampa"], &["--spikes"]);
    assert_one_line_error(&["run", "clamp", "--current", "1"], &["clamp", "adex"]);
    for args in [&["run", "adex", "--preset", "jazz"][..], &["run", "ampa"]] {
        assert_eq!(neurode(args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn time_that_is_not_whole_steps_is_refused_with_exit_2() {
    for (args, line) in [
        (
            &[
                "run",
                "alpha",
                "--spikes",
                "10",
                "--dt",
                "100",
                "--duration",
                "50",
            ][..],
            "invalid --duration 50: it is 0.5 steps of 100 ms (--dt), not a whole number: \
             give 100 ms",
        ),
        (
            &[
                "run",
                "alpha",
                "--spikes",
                "10",
                "--dt",
                "0.1",
                "--duration",
                "0.25",
            ],
            "invalid --duration 0.25: it is 2.5 steps of 0.1 ms (--dt), not a whole number: \
             give 0.2 ms or 0.30000000000000004 ms",
        ),
        (
            &[
                "run",
                "alpha",
                "--spikes",
                "10",
                "--dt",
                "100",
                "--duration",
                "200",
            ],
            "invalid --spikes 10: spike time 10 ms is 0.1 steps of dt = 100 ms, off the step \
             grid: give a whole number of steps (0 or 100 ms)",
        ),
        (
            &["run", "lif", "--dt", "0.1", "--duration", "0.25"],
            "invalid --duration 0.25: it is 2.5 steps of 0.1 ms (--dt)",
        ),
        (
            &["run", "alpha", "--spikes", "1", "--dt", "1e300"],
            "invalid --dt 1e300: the step must be a number of ms greater than 0 and at most 1000",
        ),
    ] {
        let o = neurode(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err:?}");
        assert!(err.contains(line), "{args:?}:\n  got  {err}\n  want {line}");
    }
    // A whole number of steps runs, 1000 ms at 0.1 ms included (9999.999999999998 steps).
    let o = neurode(&["run", "alpha", "--spikes", "10", "--duration", "1000"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn values_outside_their_domain_are_refused_with_exit_2() {
    for (args, needles) in [
        (
            &["run", "exponential", "--spikes", "1", "--set", "tau=-1"][..],
            &["`tau`", "Exponential", "-1", "positive"][..],
        ),
        (
            &["run", "exponential", "--spikes", "1", "--set", "tau=0"],
            &["`tau`", "positive"],
        ),
        (
            &["run", "ampa", "--spikes", "1", "--set", "beta=-5"],
            &["`beta`", "-5", "non-negative"],
        ),
        (
            &["run", "exponential", "--spikes", "1", "--set", "delay=-1"],
            &["`delay`", "non-negative"],
        ),
        (
            &["tutorial", "gap_junction", "--set", "skip_refractory=0.5"],
            &["`skip_refractory`", "0.5", "0 or 1"],
        ),
        (
            &["run", "adex", "--set", "C=-200"],
            &["`C`", "AdEx", "positive"],
        ),
        (
            &["run", "adex", "--set", "V_peak=-100"],
            &["`V_peak`", "AdEx", "> `V_r` (-58)"],
        ),
        (
            &["run", "exponential", "--spikes", "1", "--dt", "1e-300"],
            &["--dt 1e-300", "5.00e301 steps"],
        ),
    ] {
        assert_one_line_error(args, needles);
        assert_eq!(neurode(args).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn run_drives_a_neuron_model_with_its_preset() {
    let dir = scratch("run_neuron");
    let png = dir.join("adex.png");
    let o = neurode(&[
        "run",
        "adex",
        "--preset",
        "bursting",
        "--duration",
        "500",
        "--record",
        "V,w",
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("I_e = 210 pA, preset bursting"), "{out}");
    // Regular bursts of two or three spikes, at the located crossings (docs/neurons.md: 16.16,
    // 19.08, 24.20, 155.96 ms).
    assert!(
        out.contains("spikes: 9 (18 Hz), at 16.158, 19.0756, 24.1984, 155.956"),
        "{out}"
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    let o = neurode(&["run", "izhikevich", "--preset", "rs", "--current", "0"]);
    assert!(stdout(&o).contains("spikes: none"), "{}", stdout(&o));
}

#[test]
fn tutorial_csv_round_trips_the_recording() {
    let dir = scratch("cli-tutorial");
    let csv = dir.join("ampa.csv");
    let o = neurode(&[
        "tutorial",
        "ampa",
        "--out",
        dir.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.join("ampa.png").exists(), "the figure is written");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header[0], "t");
    let want = Protocol::Ampa.run(&Overrides::default()).unwrap();
    for c in &want.columns {
        assert!(
            header.contains(&c.name.as_str()),
            "{} missing from the header",
            c.name
        );
    }
    assert!(
        header.contains(&"syn.s[5]")
            && header.contains(&"pre.V[1]")
            && header.contains(&"post.V[2]")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 301);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0].to_bits(), want.t[i].to_bits(), "t at row {i}");
        for c in &want.columns {
            let j = header.iter().position(|h| *h == c.name).unwrap();
            assert_eq!(
                row[j].to_bits(),
                c.values[i].to_bits(),
                "{} at row {i}: bit-exact round trip",
                c.name
            );
        }
    }
}

#[test]
fn tutorial_set_and_method_change_the_run() {
    let dir = scratch("cli-set");
    let csv = dir.join("te.csv");
    let args = [
        "tutorial",
        "two_exponentials",
        "--out",
        dir.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--set",
        "tau1=3",
        "--set",
        "tau2=3",
        "--method",
        "exact",
    ];
    let o = neurode(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let j = header.iter().position(|h| *h == "syn.s[0]").unwrap();
    // τ1 = τ2 = 3 ms with the exact propagator: the alpha function, 1 ms after the kick of the
    // spike at 8.4 ms, which the row of 8.5 ms is the first to hold.
    let row: Vec<f64> = text
        .lines()
        .nth(1 + 95)
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let want = 1.0 * (-1.0f64 / 3.0).exp();
    assert!((row[j] - want).abs() < 1e-12, "{} vs {want}", row[j]);
}

#[test]
fn run_writes_csv_and_png_and_nothing_on_error() {
    let dir = scratch("cli-run");
    let csv = dir.join("alpha.csv");
    let png = dir.join("alpha.png");
    let o = neurode(&[
        "run",
        "alpha",
        "--spikes",
        "2,10.5",
        "--v-post",
        "-65",
        "--duration",
        "30",
        "--record",
        "s,x",
        "--csv",
        csv.to_str().unwrap(),
        "--png",
        png.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(png.exists());
    let text = std::fs::read_to_string(&csv).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    assert_eq!(header, ["t", "syn.s[0]", "syn.x[0]"]);
    // The header, t = 0 and the end of each of the 300 steps.
    assert_eq!(text.lines().count(), 1 + 301);
    assert!(text.lines().nth(1).unwrap().starts_with("0.0,"), "{text}");
    // s = (t − t₀)·e^{−(t − t₀)/3} after the first spike (exact integration, the model's
    // default), t₀ = 2.1 ms: the spike at 2 ms kicks s at the end of its step, so the row of
    // 2.1 ms is the first to hold it (as Brian2's `on_pre` in the spike's step shows).
    let row: Vec<f64> = text
        .lines()
        .nth(1 + 50)
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let d = row[0] - 2.1;
    assert!((row[1] - d * (-d / 3.0).exp()).abs() < 1e-12, "{row:?}");

    // A failing run leaves no file behind, not even a partial one.
    let bad = dir.join("bad.csv");
    let o = neurode(&[
        "run",
        "exponential",
        "--spikes",
        "1",
        "--set",
        "tau=0",
        "--csv",
        bad.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert_eq!(stderr(&o).trim_end().lines().count(), 1);
    assert!(!bad.exists(), "no partial file");
    assert!(std::fs::read_dir(&dir).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".tmp")));
}

/// `neurode run exponential` writing its CSV to `path`; the process's output.
fn write_csv_to(path: &Path) -> Output {
    neurode(&[
        "run",
        "exponential",
        "--spikes",
        "1",
        "--duration",
        "3",
        "--csv",
        path.to_str().unwrap(),
    ])
}

fn is_csv(text: &str) -> bool {
    text.starts_with("t,") && text.lines().count() == 32
}

/// Output files never destroy what is at their path: devices and FIFOs are written, not
/// replaced; a link at the final name is followed; a link or a file of the user's at a
/// predictable temporary name is left alone; mode and owner are kept; long names work.
#[test]
fn writing_a_result_destroys_nothing() {
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    let dir = scratch("cli-safe-files");
    let run = |cmd: &str, args: &[&str]| {
        let ok = Command::new(cmd)
            .args(args)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "{cmd} {args:?}");
    };

    // A FIFO: written through, still a FIFO.
    let fifo = dir.join("pipe");
    run("mkfifo", &[fifo.to_str().unwrap()]);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let o = write_csv_to(&fifo);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(is_csv(&reader.join().unwrap()));
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    // A device node (the null device, made here, never the machine's /dev): still a device.
    let null = dir.join("null");
    if Command::new("mknod")
        .args([null.to_str().unwrap(), "c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success())
    {
        let o = write_csv_to(&null);
        assert!(o.status.success(), "{}", stderr(&o));
        let m = std::fs::symlink_metadata(&null).unwrap();
        assert!(m.file_type().is_char_device(), "still a device");
    } else {
        // Creating device nodes needs privileges this run does not have.
        eprintln!("mknod refused: the device-node case is not exercised");
    }

    // A link at the final name: its target is replaced, the link stays.
    let target = dir.join("target.csv");
    std::fs::write(&target, "old").unwrap();
    let link = dir.join("link.csv");
    std::os::unix::fs::symlink("target.csv", &link).unwrap();
    assert!(write_csv_to(&link).status.success());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(is_csv(&std::fs::read_to_string(&target).unwrap()));

    // Whatever sits at the old temporary name `<name>.tmp` is the user's: left alone.
    let victim = dir.join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.join("out.csv");
    std::os::unix::fs::symlink(&victim, dir.join("out.csv.tmp")).unwrap();
    let mine = dir.join("mine.csv");
    std::fs::write(dir.join("mine.csv.tmp"), "mine").unwrap();
    assert!(write_csv_to(&out).status.success());
    assert!(write_csv_to(&mine).status.success());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(
        std::fs::read_to_string(dir.join("mine.csv.tmp")).unwrap(),
        "mine"
    );
    assert!(is_csv(&std::fs::read_to_string(&out).unwrap()));

    // Mode 600 stays 600; the owner stays (changed here only where this run may).
    let private = dir.join("private.csv");
    std::fs::write(&private, "old").unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let chowned = std::os::unix::fs::chown(&private, Some(4242), Some(4242)).is_ok();
    assert!(write_csv_to(&private).status.success());
    let m = std::fs::metadata(&private).unwrap();
    assert_eq!(m.mode() & 0o777, 0o600);
    if chowned {
        assert_eq!((m.uid(), m.gid()), (4242, 4242));
    }

    // Names of 255 bytes, the longest a name can be.
    let long = dir.join(format!("{}.csv", "n".repeat(251)));
    let o = write_csv_to(&long);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(is_csv(&std::fs::read_to_string(&long).unwrap()));

    // `-` is standard output.
    let o = neurode(&[
        "run",
        "exponential",
        "--spikes",
        "1",
        "--duration",
        "3",
        "--csv",
        "-",
    ]);
    assert!(o.status.success());
    assert!(stdout(&o).starts_with("t,") && stdout(&o).contains("syn.s[0]"));

    // Nothing else was left in the directory.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(
        names.iter().all(|n| !n.starts_with(".neurode-")),
        "{names:?}"
    );
}

/// A write interrupted by SIGTERM or SIGINT leaves no temporary file, and the process ends
/// with the signal's status (128 + its number).
#[test]
fn a_signal_during_a_write_leaves_no_temporary() {
    let dir = scratch("cli-signal");
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129), ("QUIT", 131)] {
        let csv = dir.join(format!("big-{signal}.csv"));
        // A long recording: the CSV takes a while to write.
        let mut child = Command::new(env!("CARGO_BIN_EXE_neurode"))
            .args([
                "run",
                "exponential",
                "--spikes",
                "1",
                "--duration",
                "400000",
                "--csv",
                csv.to_str().unwrap(),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let temporary = || {
            std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .find(|n| n.starts_with(".neurode-"))
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while temporary().is_none() {
            assert!(std::time::Instant::now() < deadline, "no write began");
            assert!(
                child.try_wait().unwrap().is_none(),
                "the run ended before writing"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap()
            .success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(code), "SIG{signal}");
        assert_eq!(temporary(), None, "SIG{signal}: the temporary is removed");
        assert!(!csv.exists(), "SIG{signal}: no partial result");
    }
}

/// When standard output goes away (`neurode tutorial all | head -1`), the command stops with
/// the status of a process ended by SIGPIPE, not with success: the work was not all done.
#[test]
fn a_closed_stdout_is_not_success() {
    use std::io::{BufRead, BufReader};
    let dir = scratch("cli-pipe");
    let mut child = Command::new(env!("CARGO_BIN_EXE_neurode"))
        .args(["tutorial", "all", "--out", dir.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("ampa"), "{first}");
    // The reader is gone: the next line cannot be written.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "no message: {}", stderr(&out));
}

/// Two outputs that would land in one file are refused before anything runs or is written:
/// the same path, the same file through `..` or a symbolic link, a CSV onto a figure of the
/// tutorial. Exit 2, one line, and what was there is intact.
#[test]
fn two_outputs_on_one_file_are_refused() {
    let dir = scratch("same_file");
    let same = dir.join("same.out");
    let s = same.to_str().unwrap();
    let via_dotdot = dir.join("sub/../same.out");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let link = dir.join("link.out");
    std::os::unix::fs::symlink(&same, &link).unwrap();
    for (csv, png) in [
        (s, s),
        (via_dotdot.to_str().unwrap(), s),
        (link.to_str().unwrap(), s),
    ] {
        let args = ["run", "alpha", "--spikes", "10", "--csv", csv, "--png", png];
        assert_one_line_error(&args, &["--csv and --png would both write", "same.out"]);
        assert_eq!(neurode(&args).status.code(), Some(2), "{args:?}");
        assert!(!same.exists(), "{args:?}: nothing written");
    }
    // A neuron model's run checks the same.
    let args = ["run", "lif", "--csv", s, "--png", s];
    assert_one_line_error(&args, &["--csv and --png would both write"]);
    // The tutorial's CSV onto its own figure: the figure already there stays.
    let figures = dir.join("figures");
    std::fs::create_dir_all(&figures).unwrap();
    let figure = figures.join("ampa.png");
    std::fs::write(&figure, b"figure").unwrap();
    let out = figures.to_str().unwrap();
    let args = [
        "tutorial",
        "ampa",
        "--out",
        out,
        "--csv",
        figure.to_str().unwrap(),
    ];
    assert_one_line_error(
        &args,
        &["the figure and --csv would both write", "ampa.png"],
    );
    assert_eq!(neurode(&args).status.code(), Some(2));
    assert_eq!(std::fs::read(&figure).unwrap(), b"figure");
    // Standard output may take one output while a file takes the other.
    let o = neurode(&["run", "alpha", "--spikes", "10", "--csv", "-", "--png", s]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(same.exists());
}

/// The effective user id of this test process (from `/proc/self/status`).
fn euid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// `neurode` with `args` as the unprivileged user `nobody` (65534), through `setpriv`; `None`
/// where this run may not switch users.
fn neurode_as_nobody(args: &[&str]) -> Option<Output> {
    let o = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_neurode"))
        .args(args)
        .output()
        .ok()?;
    // setpriv's own failure (no privilege, no such user) is not neurode's.
    (!stderr(&o).starts_with("setpriv:")).then_some(o)
}

fn csv_args(path: &Path) -> Vec<&str> {
    let mut args = vec!["run", "exponential", "--spikes", "1", "--duration", "3"];
    args.extend(["--csv", path.to_str().unwrap()]);
    args
}

fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".neurode-"))
        .collect()
}

/// A file the caller could not open for writing is not replaced, as `>` would refuse it: exit
/// 2, one line naming the file and the reason, the file untouched, no temporary left. Root
/// may write a read-only file with `>`, and so replaces it (its mode kept). Run as root, the
/// unprivileged cases are run as `nobody` where `setpriv` can switch to it: their read-only
/// file, root's file in a directory they may write, a link to root's file, the tutorial's
/// figure; and a link in a directory they may not write, to a file they may, is written (the
/// temporary goes beside the link's target, not beside the link).
#[test]
fn a_file_the_caller_could_not_write_is_not_replaced() {
    use std::os::unix::fs::{chown, symlink, MetadataExt, PermissionsExt};
    let mode = |p: &Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    };
    let dir = scratch("cli-permissions");
    mode(&dir, 0o755);
    let ro = dir.join("ro.csv");
    std::fs::write(&ro, "old").unwrap();
    mode(&ro, 0o444);
    let o = write_csv_to(&ro);
    if euid() == 0 {
        assert!(o.status.success(), "root writes a 444 file as `>` does");
        assert!(is_csv(&std::fs::read_to_string(&ro).unwrap()));
        assert_eq!(std::fs::metadata(&ro).unwrap().mode() & 0o777, 0o444);
    } else {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "error: cannot replace {}: permission denied (the file is read-only)\n",
                ro.display()
            )
        );
        assert_eq!(std::fs::read_to_string(&ro).unwrap(), "old");
    }
    assert_eq!(temporaries(&dir), Vec::<String>::new());

    if euid() != 0 {
        return;
    }
    // As `nobody`, in a directory everyone may write.
    let shared = dir.join("shared");
    std::fs::create_dir(&shared).unwrap();
    mode(&shared, 0o777);
    let fresh = shared.join("fresh.csv");
    let Some(o) = neurode_as_nobody(&csv_args(&fresh)) else {
        eprintln!("setpriv cannot switch to nobody: the unprivileged cases are not exercised");
        return;
    };
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::metadata(&fresh).unwrap().uid(), 65534);

    let theirs = shared.join("theirs.csv");
    std::fs::write(&theirs, "theirs").unwrap();
    chown(&theirs, Some(65534), Some(65534)).unwrap();
    mode(&theirs, 0o444);
    let roots = shared.join("roots.csv");
    std::fs::write(&roots, "root's").unwrap();
    mode(&roots, 0o644);
    let link = shared.join("link.csv");
    symlink("roots.csv", &link).unwrap();
    for (path, line) in [
        (
            &theirs,
            format!(
                "cannot replace {}: permission denied (the file is read-only)",
                theirs.display()
            ),
        ),
        (
            &roots,
            format!(
                "cannot replace {}: permission denied (the file is not writable by you: mode 644, owner uid 0)",
                roots.display()
            ),
        ),
        (
            &link,
            format!(
                "cannot replace {} (a symbolic link to {}): permission denied (the file is not writable by you: mode 644, owner uid 0)",
                link.display(),
                roots.display()
            ),
        ),
    ] {
        let o = neurode_as_nobody(&csv_args(path)).unwrap();
        assert_eq!(o.status.code(), Some(2), "{path:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), format!("error: {line}\n"));
    }
    assert_eq!(std::fs::read_to_string(&theirs).unwrap(), "theirs");
    assert_eq!(std::fs::read_to_string(&roots).unwrap(), "root's");
    let m = std::fs::metadata(&roots).unwrap();
    assert_eq!((m.uid(), m.mode() & 0o777), (0, 0o644), "still root's");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());

    // The tutorial's figure, root's, is refused before the protocol runs.
    let figure = shared.join("ampa.png");
    std::fs::write(&figure, "figure").unwrap();
    let out = shared.to_str().unwrap();
    let o = neurode_as_nobody(&["tutorial", "ampa", "--out", out]).unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        format!(
            "error: cannot replace {}: permission denied (the file is not writable by you: mode 644, owner uid 0)\n",
            figure.display()
        )
    );
    assert!(stdout(&o).is_empty(), "nothing ran: {}", stdout(&o));
    assert_eq!(std::fs::read(&figure).unwrap(), b"figure");

    // A link in root's directory (which nobody may write) to nobody's file in `shared`: the
    // file is replaced through the link, as `>` writes it.
    let closed = dir.join("closed");
    std::fs::create_dir(&closed).unwrap();
    mode(&closed, 0o755);
    let mine = shared.join("mine.csv");
    std::fs::write(&mine, "mine").unwrap();
    chown(&mine, Some(65534), Some(65534)).unwrap();
    let to_mine = closed.join("to-mine.csv");
    symlink(&mine, &to_mine).unwrap();
    let o = neurode_as_nobody(&csv_args(&to_mine)).unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(is_csv(&std::fs::read_to_string(&mine).unwrap()));
    assert_eq!(std::fs::read_link(&to_mine).unwrap(), mine);
    assert_eq!(temporaries(&shared), Vec::<String>::new());
    assert_eq!(temporaries(&closed), Vec::<String>::new());
}

#[test]
fn the_tutorial_header_shows_the_values_in_effect() {
    let dir = scratch("tutorial_header");
    let out = dir.to_str().unwrap();
    let o = neurode(&[
        "tutorial",
        "two_exponentials",
        "--set",
        "tau1=3",
        "--out",
        out,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("two_exponentials — Two exponentials (τ1 3 ms), run_syn"),
        "{}",
        stdout(&o)
    );
    let o = neurode(&["tutorial", "gap_junction", "--out", out]);
    assert!(
        stdout(&o).starts_with("gap_junction — Gap junction (w 0.5, k_spikelet 5)"),
        "{}",
        stdout(&o)
    );
}

/// CSV rows are labelled with the time of the values they hold: the first row is the initial
/// state (HH at rest, V(0) = −65 mV), and a row at t holds V(t).
#[test]
fn csv_rows_are_labelled_with_the_time_of_their_values() {
    let dir = scratch("cli-csv-labels");
    let csv = dir.join("hh.csv");
    let o = neurode(&[
        "run",
        "hodgkin_huxley",
        "--current",
        "10",
        "--duration",
        "5",
        "--record",
        "V",
        "--csv",
        csv.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows: Vec<(f64, f64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let (t, v) = l.split_once(',').unwrap();
            (t.parse().unwrap(), v.parse().unwrap())
        })
        .collect();
    assert_eq!(rows[0], (0.0, -65.0), "{text}");
    assert_eq!(rows.len(), 51);
    assert_eq!(rows[50].0, 5.0);
    assert_ne!(
        rows[1].1, -65.0,
        "the current moves V within the first step"
    );
}
