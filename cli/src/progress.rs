//! A progress bar on stderr for long runs, drawn from the network's progress reports
//! ([`Network::set_observer`]): the library reports, the command line draws.

use indicatif::{ProgressBar, ProgressDrawTarget};
use neurode::runtime::{Network, Progress};

/// Shows a bar on stderr while `net` runs, when stderr is a terminal (nothing otherwise).
pub fn show(net: &mut Network) {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return;
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    net.set_observer(Some(Box::new(move |p: Progress| {
        bar.set_length(p.total);
        bar.set_position(p.done);
        if p.done == p.total {
            bar.finish_and_clear();
        }
    })));
}
