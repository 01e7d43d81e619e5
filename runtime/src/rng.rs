//! Random numbers that no thread count, tiling or order of draws can change.
//!
//! Every random quantity of a network is drawn from a [`Stream`] keyed by a seed, a *domain*
//! (what is drawn: one connector's rows, one variable's initial values, one Poisson source) and
//! an *element* (a neuron, a presynaptic row). The stream of `(seed, domain, element)` is the
//! same numbers whoever draws from it, on whichever thread, before or after any other stream:
//! keys, not positions in one shared sequence, decide every draw.
//!
//! Each stream is a PCG-64 generator (`rand_pcg::Pcg64Mcg`: 16 bytes of state, fast), started
//! at a state derived from the key by seeking in a ChaCha8 generator (`rand_chacha`: stream =
//! domain, position = element), so that distinct keys give unrelated starting points. A stream
//! counts its draws, so that a checkpoint can store where it is ([`Stream::draws`]) and
//! [`Streams::resume`] can put it back exactly.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_pcg::Pcg64Mcg;

/// The family of streams of one seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Streams {
    seed: u64,
}

impl Streams {
    /// The streams of `seed`.
    pub const fn new(seed: u64) -> Self {
        Streams { seed }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The stream of `element` in `domain`, at its start.
    pub fn stream(&self, domain: u64, element: u64) -> Stream {
        let mut key = ChaCha8Rng::seed_from_u64(self.seed);
        key.set_stream(domain);
        // Four 32-bit words per element: the 128-bit starting state.
        key.set_word_pos(u128::from(element) * 4);
        let state = (u128::from(key.next_u64()) << 64) | u128::from(key.next_u64());
        Stream {
            rng: Pcg64Mcg::new(state),
            draws: 0,
        }
    }

    /// The stream of `element` in `domain` started from a hash of the key (the SplitMix64
    /// finalizer chained over seed, domain and element) instead of a seek in ChaCha8: a tenth
    /// of the cost, for what starts one stream per element of millions (per-synapse values).
    /// The streams of distinct keys are as unrelated as 128-bit hashes of the keys.
    pub fn keyed(&self, domain: u64, element: u64) -> Stream {
        self.keyer(domain).stream(element)
    }

    /// The streams [`Streams::keyed`] gives in `domain`, with the part of their key that
    /// depends on the seed and domain hashed once (for one stream per element of millions).
    pub fn keyer(&self, domain: u64) -> Keyer {
        Keyer {
            prefix: key_prefix(self.seed, domain),
        }
    }

    /// The stream of `element` in `domain` after `draws` draws (a stream saved by a checkpoint).
    pub fn resume(&self, domain: u64, element: u64, draws: u64) -> Stream {
        let mut s = self.stream(domain, element);
        s.rng.advance(u128::from(draws));
        s.draws = draws;
        s
    }
}

/// One stream of random numbers (see the module documentation). Implements
/// [`rand::RngCore`], so every `rand_distr` distribution can draw from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stream {
    rng: Pcg64Mcg,
    draws: u64,
}

impl Stream {
    /// How many 64-bit steps the generator has taken since the stream's start.
    pub fn draws(&self) -> u64 {
        self.draws
    }

    /// Uniform in `[0, 1)`, 53 random bits.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`, 53 random bits: never 0, so its logarithm is finite.
    #[inline]
    pub fn uniform_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (`n > 0`; 0 for `n == 0`), without bias (Lemire's method).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Standard normal (Box–Muller, one of the pair).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let u = self.uniform_open0();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

impl RngCore for Stream {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        self.draws += 1;
        self.rng.next_u32()
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.draws += 1;
        self.rng.next_u64()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// The streams of one seed and domain ([`Streams::keyer`]).
#[derive(Clone, Copy, Debug)]
pub struct Keyer {
    prefix: u64,
}

impl Keyer {
    /// The stream of `element`: the same as [`Streams::keyed`]'s.
    #[inline]
    pub fn stream(&self, element: u64) -> Stream {
        let inner = key_with(self.prefix, element);
        let hi = mix(inner ^ 0x243f_6a88_85a3_08d3u64.wrapping_mul(0xd1b5_4a32_d192_ed03));
        let lo = mix(inner ^ 0x1319_8a2e_0370_7344u64.wrapping_mul(0xd1b5_4a32_d192_ed03));
        Stream {
            rng: Pcg64Mcg::new((u128::from(hi) << 64) | u128::from(lo)),
            draws: 0,
        }
    }
}

/// The SplitMix64 finalizer: a bijection of `u64` whose every output bit depends on every
/// input bit.
#[inline]
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The part of the hash of [`keyed_uniform`] that depends on the seed and domain alone (computed
/// once by callers that draw many numbers of one domain: [`keyed_uniform_from`]).
#[inline]
pub fn key_prefix(seed: u64, domain: u64) -> u64 {
    mix(mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ domain)
}

/// A uniform number in `(0, 1]` that depends only on its key `(seed, domain, a, b)`: a draw
/// without a generator to keep, for what is drawn once per element and step (a Poisson source's
/// spikes), so that any thread can draw any element's number at any step, and a checkpoint has
/// nothing to store. The key is hashed by chaining the SplitMix64 finalizer; 53 random bits.
#[inline]
pub fn keyed_uniform(seed: u64, domain: u64, a: u64, b: u64) -> f64 {
    keyed_uniform_from(key_prefix(seed, domain), a, b)
}

/// [`keyed_uniform`] from the prefix [`key_prefix`] of its seed and domain.
#[inline]
pub fn keyed_uniform_from(prefix: u64, a: u64, b: u64) -> f64 {
    bits_to_uniform(keyed_bits(key_with(prefix, a), b))
}

/// The part of the hash of [`keyed_uniform_from`] that depends on `prefix` and `a` alone: for
/// callers that draw for many `b` at one `a` (every neuron at one step).
#[inline]
pub(crate) fn key_with(prefix: u64, a: u64) -> u64 {
    mix(prefix ^ a)
}

/// The 53 random bits, plus one, of the draw at `b` under [`key_with`]'s key: in `1..=2^53`,
/// so that [`bits_to_uniform`] of them is in `(0, 1]`.
#[inline]
pub(crate) fn keyed_bits(key: u64, b: u64) -> u64 {
    (mix(key ^ b.wrapping_mul(0xd1b5_4a32_d192_ed03)) >> 11) + 1
}

/// The uniform number in `(0, 1]` of [`keyed_bits`]' value: exact, as `bits` ≤ 2^53.
#[inline]
pub(crate) fn bits_to_uniform(bits: u64) -> f64 {
    bits as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal number that depends only on its key (Box–Muller from the two keyed
/// uniforms `(a, 2b)` and `(a, 2b + 1)` of [`keyed_uniform_from`]): white noise, drawn once per
/// neuron and step, the same on any thread.
#[inline]
pub fn keyed_normal_from(prefix: u64, a: u64, b: u64) -> f64 {
    let u1 = keyed_uniform_from(prefix, a, b.wrapping_mul(2));
    let u2 = keyed_uniform_from(prefix, a, b.wrapping_mul(2).wrapping_add(1));
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Domains of the random streams the runtime itself draws from (users pick their own for their
/// own draws; any `u64` names a domain).
pub mod domain {
    /// The rows of a connector (element: the presynaptic neuron).
    pub const CONNECT: u64 = 0x636f_6e6e_6563_7400;
    /// The columns of a connector drawn per postsynaptic neuron (element: that neuron).
    pub const CONNECT_IN: u64 = 0x636f_6e6e_6563_7401;
    /// The spikes of a Poisson source (keyed by neuron and step).
    pub const POISSON: u64 = 0x706f_6973_736f_6e00;
    /// The counts of a Poisson input (keyed by neuron and step).
    pub const POISSON_INPUT: u64 = 0x706f_6973_736f_6e01;
    /// Per-element values drawn from a distribution (element: the element).
    pub const VALUES: u64 = 0x7661_6c75_6573_0000;
    /// Initial values drawn with `rand()` / `randn()` in a neuron group (xored with the group's
    /// index; keyed by element, column and call).
    pub const INIT: u64 = 0x696e_6974_0000_0000;
    /// As [`INIT`], in a synapse group.
    pub const INIT_SYNAPSES: u64 = 0x696e_6974_7379_6e00;
    /// White noise `xi` of a neuron group (xored with the group's index; keyed by neuron and
    /// step).
    pub const NOISE: u64 = 0x6e6f_6973_6500_0000;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(s: &mut Stream, n: usize) -> Vec<u64> {
        (0..n).map(|_| s.next_u64()).collect()
    }

    #[test]
    fn a_key_decides_its_stream() {
        let streams = Streams::new(7);
        let a = draws(&mut streams.stream(1, 5), 4);
        // Drawing other streams first, in any order, changes nothing.
        let _ = draws(&mut streams.stream(1, 4), 100);
        let _ = draws(&mut streams.stream(2, 5), 100);
        assert_eq!(draws(&mut streams.stream(1, 5), 4), a);
        // Another element, domain or seed: other numbers.
        assert_ne!(draws(&mut streams.stream(1, 6), 4), a);
        assert_ne!(draws(&mut streams.stream(2, 5), 4), a);
        assert_ne!(draws(&mut Streams::new(8).stream(1, 5), 4), a);
    }

    /// A keyed stream starts at the 128-bit state `(hash(a, C₁), hash(a, C₂))` of the chained
    /// SplitMix64 hash `hash(a, b) = mix(mix(prefix ⊕ a) ⊕ b·K)`, prefix from seed and domain.
    #[test]
    fn a_keyed_stream_starts_at_the_hash_of_its_key() {
        let (seed, domain, element) = (42u64, 7u64, 123_456u64);
        let hash = |b: u64| {
            let h = key_prefix(seed, domain);
            mix(mix(h ^ element) ^ b.wrapping_mul(0xd1b5_4a32_d192_ed03))
        };
        let state = (u128::from(hash(0x243f_6a88_85a3_08d3)) << 64)
            | u128::from(hash(0x1319_8a2e_0370_7344));
        let mut expected = Pcg64Mcg::new(state);
        let mut got = Streams::new(seed).keyed(domain, element);
        for _ in 0..4 {
            assert_eq!(got.next_u64(), expected.next_u64());
        }
    }

    #[test]
    fn a_resumed_stream_continues_exactly() {
        let streams = Streams::new(3);
        let mut s = streams.stream(9, 1_000_000);
        let _ = draws(&mut s, 37);
        let _ = s.next_u32();
        assert_eq!(s.draws(), 38);
        let mut r = streams.resume(9, 1_000_000, s.draws());
        assert_eq!(r, s);
        assert_eq!(draws(&mut r, 10), draws(&mut s, 10));
    }

    #[test]
    fn uniforms_and_normals_have_their_moments() {
        let mut s = Streams::new(1).stream(0, 0);
        let n = 200_000;
        let u: Vec<f64> = (0..n).map(|_| s.uniform()).collect();
        assert!(u.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = u.iter().sum::<f64>() / n as f64;
        // Standard error of the mean of U(0,1): sqrt(1/12/n) ≈ 6.5e-4.
        assert!((mean - 0.5).abs() < 4.0 * 6.5e-4, "{mean}");
        let z: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let m = z.iter().sum::<f64>() / n as f64;
        let v = z.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        assert!(m.abs() < 4.0 / (n as f64).sqrt(), "{m}");
        assert!((v - 1.0).abs() < 4.0 * (2.0 / n as f64).sqrt(), "{v}");
        let k: Vec<u64> = (0..n).map(|_| s.below(10)).collect();
        assert!(k.iter().all(|&x| x < 10));
        assert!((0..10).all(|d| k.contains(&d)));
        assert_eq!(s.below(0), 0);
    }
}
