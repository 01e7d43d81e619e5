//! Layer 3, values: the [`Unit`] of a quantity, its arithmetic, and the names of units (parsing
//! `unit = "..."` text, printing units in errors).
//!
//! Every model quantity lives in the system ms, mV, nA, mM, where the derived units uS = nA/mV,
//! MOhm = mV/nA and nF = nA·ms/mV have scale 1. A [`Unit`] is four exponents over those base
//! dimensions plus an exact power-of-ten scale, so `uM` is `10^-3 mM` and never equal to `mM`:
//! nothing converts silently.

use proc_macro2::Span;
use std::fmt;

/// A unit: exponents of time \[ms\], voltage \[mV\], current \[nA\], concentration \[mM\],
/// length \[cm\] (for densities such as mS/cm²), and a decimal scale (`10^scale` times that
/// product). Exponents may be halves (white noise is in 1/√ms). Arithmetic saturates instead
/// of overflowing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unit {
    /// Twice the exponents of ms, mV, nA, mM, cm, in that order (`ms^-1/2` is `[-1, 0, ..]`).
    pub exp: [i8; 5],
    /// Power of ten relative to the base units (`-3` for pA against nA).
    pub scale: i32,
}

impl Unit {
    /// A unit without length from exponents of ms, mV, nA, mM and a power-of-ten scale.
    pub const fn new(exp: [i8; 4], scale: i32) -> Unit {
        Unit {
            exp: [2 * exp[0], 2 * exp[1], 2 * exp[2], 2 * exp[3], 0],
            scale,
        }
    }

    /// A length (cm) to the power `n`, times `10^scale`.
    pub const fn length(n: i8, scale: i32) -> Unit {
        Unit {
            exp: [0, 0, 0, 0, 2 * n],
            scale,
        }
    }

    /// 1/√ms, the unit of white noise.
    pub const PER_SQRT_MS: Unit = Unit {
        exp: [-1, 0, 0, 0, 0],
        scale: 0,
    };

    /// The pure number `10^scale` (a conversion factor's unit).
    pub const fn power_of_ten(scale: i32) -> Unit {
        Unit::new([0; 4], scale)
    }
    /// Dimensionless, scale 1.
    pub const ONE: Unit = Unit::new([0, 0, 0, 0], 0);
    /// Millisecond.
    pub const MS: Unit = Unit::new([1, 0, 0, 0], 0);
    /// Millivolt.
    pub const MV: Unit = Unit::new([0, 1, 0, 0], 0);
    /// Nanoampere.
    pub const NA: Unit = Unit::new([0, 0, 1, 0], 0);
    /// Millimolar.
    pub const MM: Unit = Unit::new([0, 0, 0, 1], 0);
    /// Microsiemens (nA/mV).
    pub const US: Unit = Unit::new([0, -1, 1, 0], 0);
    /// Megaohm (mV/nA).
    pub const MOHM: Unit = Unit::new([0, 1, -1, 0], 0);
    /// Nanofarad (nA·ms/mV).
    pub const NF: Unit = Unit::new([1, -1, 1, 0], 0);

    /// `self · other`.
    pub fn mul(self, other: Unit) -> Unit {
        let mut exp = self.exp;
        for (e, o) in exp.iter_mut().zip(other.exp) {
            *e = e.saturating_add(o);
        }
        Unit {
            exp,
            scale: self.scale.saturating_add(other.scale),
        }
    }

    /// `self / other`.
    pub fn div(self, other: Unit) -> Unit {
        self.mul(other.powi(-1))
    }

    /// `self^n`.
    pub fn powi(self, n: i32) -> Unit {
        let exp = self
            .exp
            .map(|e| (i32::from(e).saturating_mul(n)).clamp(-128, 127) as i8);
        Unit {
            exp,
            scale: self.scale.saturating_mul(n),
        }
    }

    /// `self^(halves/2)`, if every exponent and the scale come out whole (exponents may be
    /// halves: `ms^-0.5`).
    pub fn pow_halves(self, halves: i32) -> Option<Unit> {
        let ok = self.exp.iter().all(|&e| (i32::from(e) * halves) % 2 == 0)
            && (self.scale * halves) % 2 == 0;
        ok.then(|| Unit {
            exp: self
                .exp
                .map(|e| (i32::from(e) * halves / 2).clamp(-128, 127) as i8),
            scale: self.scale * halves / 2,
        })
    }

    /// The square root, if every exponent is whole (its root may be a half) and the scale is
    /// even.
    pub fn sqrt(self) -> Option<Unit> {
        let even = self.exp.iter().all(|e| e % 2 == 0) && self.scale % 2 == 0;
        even.then(|| Unit {
            exp: self.exp.map(|e| e / 2),
            scale: self.scale / 2,
        })
    }

    /// `true` for the pure number 1: every exponent 0 and scale 0.
    pub fn is_dimensionless(self) -> bool {
        self == Unit::ONE
    }

    /// `true` when both have the same exponents, whatever their scales.
    pub fn same_dimension(&self, other: &Unit) -> bool {
        self.exp == other.exp
    }
}

/// Recognised atoms (after `µ`/`μ` → `u` and `Ω` → `Ohm`), in the order used for suggestions.
#[rustfmt::skip]
const ATOMS: [(&str, Unit); 31] = [
    ("ms", Unit::MS), ("s", Unit::new([1, 0, 0, 0], 3)),
    ("mV", Unit::MV), ("V", Unit::new([0, 1, 0, 0], 3)),
    ("nA", Unit::NA), ("pA", Unit::new([0, 0, 1, 0], -3)), ("uA", Unit::new([0, 0, 1, 0], 3)),
    ("mM", Unit::MM), ("uM", Unit::new([0, 0, 0, 1], -3)), ("nM", Unit::new([0, 0, 0, 1], -6)),
    ("M", Unit::new([0, 0, 0, 1], 3)),
    ("uS", Unit::US), ("nS", Unit::new([0, -1, 1, 0], -3)), ("pS", Unit::new([0, -1, 1, 0], -6)),
    ("mS", Unit::new([0, -1, 1, 0], 3)), ("S", Unit::new([0, -1, 1, 0], 6)),
    ("MOhm", Unit::MOHM), ("GOhm", Unit::new([0, 1, -1, 0], 3)),
    ("kOhm", Unit::new([0, 1, -1, 0], -3)), ("Ohm", Unit::new([0, 1, -1, 0], -6)),
    ("nF", Unit::NF), ("pF", Unit::new([1, -1, 1, 0], -3)), ("uF", Unit::new([1, -1, 1, 0], 3)),
    ("Hz", Unit::new([-1, 0, 0, 0], -3)),
    ("cm", Unit::length(1, 0)), ("mm", Unit::length(1, -1)), ("um", Unit::length(1, -4)),
    ("m", Unit::length(1, 2)), ("mA", Unit::new([0, 0, 1, 0], 6)),
    ("kHz", Unit::new([-1, 0, 0, 0], 0)),
    ("dimensionless", Unit::ONE),
];

/// Atoms `Display` prints as a whole unit: all but `kHz` (shown as `1/ms`) and `dimensionless`.
fn named() -> impl Iterator<Item = &'static (&'static str, Unit)> {
    ATOMS[..29].iter()
}

/// Base names in the order of `Unit::exp`, and the order `Display` prints them in.
const BASE: [&str; 5] = ["ms", "mV", "nA", "mM", "cm"];
const PRINT_ORDER: [usize; 5] = [1, 2, 3, 0, 4];

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((name, _)) = named().find(|(_, u)| u == self) {
            return f.write_str(name);
        }
        // A named unit without time, per ms, per ms², or times ms: `mV/ms`, `1/ms`, `pA/ms`.
        for k in [1, 2, -1] {
            let rest = self.mul(Unit::MS.powi(k));
            let hit = named()
                .find(|(_, u)| *u == rest && u.exp[0] == 0)
                .map(|(n, _)| *n);
            let hit = hit.or_else(|| rest.is_dimensionless().then_some("1"));
            if let Some(name) = hit {
                return match k {
                    1 => write!(f, "{name}/ms"),
                    -1 => write!(f, "{name}*ms"),
                    _ => write!(f, "{name}/ms^{k}"),
                };
            }
        }
        let part = |sign: i8| {
            let v: Vec<String> = PRINT_ORDER
                .iter()
                .filter(|&&d| self.exp[d].signum() == sign)
                .map(|&d| match self.exp[d].unsigned_abs() {
                    2 => BASE[d].to_string(),
                    n if n % 2 == 0 => format!("{}^{}", BASE[d], n / 2),
                    n => format!("{}^{}.5", BASE[d], n / 2),
                })
                .collect();
            v
        };
        let (num, den) = (part(1), part(-1));
        let factor = (self.scale != 0).then(|| format!("1e{}", self.scale));
        match (&factor, num.is_empty()) {
            (Some(x), true) => f.write_str(x)?,
            (Some(x), false) => write!(f, "{x} {}", num.join("*"))?,
            (None, true) => f.write_str("1")?,
            (None, false) => f.write_str(&num.join("*"))?,
        }
        match den.len() {
            0 => Ok(()),
            1 => write!(f, "/{}", den[0]),
            _ => write!(f, "/({})", den.join("*")),
        }
    }
}

/// Parses unit text such as `mV/ms`, `1/(mM*ms)`, `ms^-1`, `mM**2` or `MOhm*nF`; the empty
/// string, `1` and `dimensionless` are dimensionless. Errors are reported at `span`.
pub fn parse_unit(text: &str, span: Span) -> Result<Unit, syn::Error> {
    let mut p = UnitParser {
        text,
        rest: text,
        span,
    };
    if p.peek().is_none() {
        return Ok(Unit::ONE);
    }
    let unit = p.product()?;
    match p.peek() {
        None => Ok(unit),
        Some('.') => Err(p.error("exponents of units are integers".to_string())),
        Some(c) => Err(p.error(format!("expected `*`, `/` or the end, found `{c}`"))),
    }
}

/// Recursive descent over the unit grammar; `rest` is the text not consumed yet.
struct UnitParser<'a> {
    text: &'a str,
    rest: &'a str,
    span: Span,
}

impl<'a> UnitParser<'a> {
    fn peek(&mut self) -> Option<char> {
        self.rest = self.rest.trim_start();
        self.rest.chars().next()
    }

    fn eat(&mut self, token: &str) -> bool {
        self.peek();
        let next = self.rest.strip_prefix(token);
        self.rest = next.unwrap_or(self.rest);
        next.is_some()
    }

    fn take(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        self.peek();
        let (word, rest) = self
            .rest
            .split_at(self.rest.find(|c| !f(c)).unwrap_or(self.rest.len()));
        self.rest = rest;
        word
    }

    fn error(&self, detail: String) -> syn::Error {
        syn::Error::new(self.span, format!("invalid unit `{}`: {detail}", self.text))
    }

    /// `power (('*' | '·' | '/') power)*`
    fn product(&mut self) -> Result<Unit, syn::Error> {
        let mut unit = self.power()?;
        loop {
            if self.eat("/") {
                unit = unit.div(self.power()?);
            } else if self.eat("*") || self.eat("·") {
                unit = unit.mul(self.power()?);
            } else {
                return Ok(unit);
            }
        }
    }

    /// `primary (('^' | '**') integer)?`, the integer optionally signed and parenthesised.
    fn power(&mut self) -> Result<Unit, syn::Error> {
        let base = self.primary()?;
        if !(self.eat("**") || self.eat("^")) {
            return Ok(base);
        }
        let paren = self.eat("(");
        let sign = if self.eat("-") { -1 } else { 1 };
        let n = match self.take(|c| c.is_ascii_digit()).parse::<i32>() {
            Ok(n) if n <= 64 => n,
            Ok(_) => return Err(self.error("exponent out of range".into())),
            Err(_) => return Err(self.error("expected an integer exponent".into())),
        };
        // A half: `ms^-0.5`, `ms^1.5`.
        let half = self.rest.starts_with('.');
        if half {
            self.eat(".");
            if self.take(|c| c.is_ascii_digit()) != "5" {
                return Err(self.error("exponents of units are whole numbers or halves".into()));
            }
        }
        if paren && !self.eat(")") {
            return Err(self.error("expected `)`".into()));
        }
        if !half {
            return Ok(base.powi(sign * n));
        }
        base.pow_halves(sign * (2 * n + 1)).ok_or_else(|| {
            self.error(
                "this power has no exact unit (a half power of a half, or of an odd scale)".into(),
            )
        })
    }

    /// `'(' product ')' | '1' | atom`
    fn primary(&mut self) -> Result<Unit, syn::Error> {
        if self.eat("(") {
            let unit = self.product()?;
            return if self.eat(")") {
                Ok(unit)
            } else {
                Err(self.error("expected `)`".into()))
            };
        }
        match self.peek() {
            Some(c) if c.is_ascii_digit() => match self.take(|c| c.is_ascii_digit()) {
                "1" => Ok(Unit::ONE),
                n => Err(self.error(format!("only `1` may stand for a number, found `{n}`"))),
            },
            Some(c) if c.is_alphabetic() => {
                let word = self.take(|c| c.is_alphanumeric() || c == '_');
                lookup(word).ok_or_else(|| syn::Error::new(self.span, unknown_unit(word)))
            }
            Some(c) => Err(self.error(format!("expected a unit, found `{c}`"))),
            None => Err(self.error("expected a unit after the operator".into())),
        }
    }
}

/// Normalises micro and ohm signs: `µS`, `μS` → `uS`, `MΩ` → `MOhm`.
fn normalise(word: &str) -> String {
    word.replace(['µ', 'μ'], "u").replace(['Ω', 'Ω'], "Ohm")
}

fn lookup(word: &str) -> Option<Unit> {
    let word = normalise(word);
    ATOMS.iter().find(|(n, _)| *n == word).map(|&(_, u)| u)
}

/// ``unknown unit `mv`\nhelp: did you mean `mV`?``, or the list of known units when nothing is close.
fn unknown_unit(word: &str) -> String {
    let norm = normalise(word);
    let lower = norm.to_lowercase();
    let names = || ATOMS.iter().map(|(n, _)| *n);
    let best = names().find(|n| n.to_lowercase() == lower).or_else(|| {
        let scored = names().map(|n| (crate::errors::edit_distance(&lower, &n.to_lowercase()), n));
        let (d, n) = scored.min_by_key(|&(d, _)| d)?;
        (d <= (lower.chars().count() / 2).max(1)).then_some(n)
    });
    match best {
        Some(n) => format!("unknown unit `{word}`\nhelp: did you mean `{n}`?"),
        None => format!(
            "unknown unit `{word}`; known units are {}",
            names().collect::<Vec<_>>().join(", ")
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn sp() -> Span {
        Span::call_site()
    }
    /// The unit `text` names (panics on an error).
    pub(crate) fn u(text: &str) -> Unit {
        parse_unit(text, sp()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }
    fn parse_err(text: &str) -> String {
        parse_unit(text, sp()).map_or_else(
            |e| e.to_string().replace('\n', " | "),
            |u| panic!("{text} parsed as {u}"),
        )
    }

    #[test]
    fn parses_atoms_and_compounds() {
        for (name, unit) in ATOMS {
            assert_eq!(u(name), unit, "{name}");
        }
        let milli = Unit::power_of_ten(-3);
        let cases = [
            ("µS,μM,MΩ", [Unit::US, u("uM"), Unit::MOHM]),
            (", ,dimensionless", [Unit::ONE; 3]),
            ("1, mV / mV ,mV^0", [Unit::ONE; 3]),
            (
                "1/(mM*ms),1/mM/ms,mM^-1*ms**-1",
                [Unit::ONE.div(Unit::MM.mul(Unit::MS)); 3],
            ),
            ("mV/ms,ms^-1*mV,mV*ms^(-1)", [Unit::MV.div(Unit::MS); 3]),
            (
                "mV^2,mM**2,(mV*nA)/ms",
                [Unit::MV.mul(Unit::MV), Unit::MM.powi(2), u("mV/ms*nA")],
            ),
            ("MOhm*nF,MOhm*nA,uS*mV", [Unit::MS, Unit::MV, Unit::NA]),
            (
                "nS,pF,uM",
                [Unit::US, Unit::NF, Unit::MM].map(|x| x.mul(milli)),
            ),
            ("Hz,kHz,GOhm*pA", [u("1/s"), u("1/ms"), Unit::MV]),
        ];
        for (texts, units) in cases {
            let got: Vec<Unit> = texts.split(',').map(u).collect();
            assert_eq!(got, units, "{texts}");
        }
        assert_eq!(
            [u("mV^2"), u("uM^2")].map(Unit::sqrt),
            [Some(Unit::MV), Some(u("uM"))]
        );
        // Half powers: white noise is in 1/√ms; an odd scale has no exact root.
        assert_eq!(u("mV").sqrt().map(|r| r.to_string()), Some("mV^0.5".into()));
        assert_eq!(u("1/ms").sqrt(), Some(Unit::PER_SQRT_MS));
        assert_eq!(u("ms^-0.5"), Unit::PER_SQRT_MS);
        assert_eq!(u("ms^-0.5").to_string(), "1/ms^0.5");
        assert_eq!(u("mV^2*ms^1.5"), u("mV^2").mul(u("ms^3").sqrt().unwrap()));
        assert_eq!(u("nS").sqrt(), None);
        assert_eq!(Unit::PER_SQRT_MS.sqrt(), None);
        assert!(u("mV/V").same_dimension(&Unit::ONE) && !u("mV/V").is_dimensionless());
    }

    #[test]
    fn parse_errors() {
        table(
            "
mv
    unknown unit `mv`
    help: did you mean `mV`?
1/(mM*msec)
    unknown unit `msec`
    help: did you mean `ms`?
mohm
    unknown unit `mohm`
    help: did you mean `MOhm`?
furlong
    unknown unit `furlong`; known units are ms, s, mV, V, nA, pA, uA, mM, uM, nM, M, uS, nS, \
    pS, mS, S, MOhm, GOhm, kOhm, Ohm, nF, pF, uF, Hz, cm, mm, um, m, mA, kHz, dimensionless
mV/
    invalid unit `mV/`: expected a unit after the operator
(mV
    invalid unit `(mV`: expected `)`
2*mV
    invalid unit `2*mV`: only `1` may stand for a number, found `2`
mV ms
    invalid unit `mV ms`: expected `*`, `/` or the end, found `m`
mV^x
    invalid unit `mV^x`: expected an integer exponent
mV^99
    invalid unit `mV^99`: exponent out of range
",
            parse_err,
        );
    }

    #[test]
    fn display() {
        let cases =
            "1=1; nA/mV=uS; nS=nS; mV/nA=MOhm; nA*ms/mV=nF; pA=pA; uM=uM; ms=ms; kHz=1/ms; \
            Hz=Hz; mV/ms=mV/ms; nA/ms=nA/ms; uS/ms=uS/ms; 1/ms^2=1/ms^2; mV*ms=mV*ms; \
            1/(ms*mM)=1/(mM*ms); mM^2=mM^2; 1/mV=1/mV; mV/s=1e-3 mV/ms; mV/V=1e-3; \
            1/(s*mM)=1e-3/(mM*ms); mV^2*nA/mM=mV^2*nA/mM";
        for case in cases.split(';') {
            let (text, shown) = case.trim().split_once('=').unwrap();
            assert_eq!(u(text).to_string(), shown, "{text}");
        }
    }

    /// Runs `cases`: an input line, then indented lines that `f` of it must give, joined by ` | `.
    pub(crate) fn table(cases: &str, f: impl Fn(&str) -> String) {
        let mut lines = cases.lines().filter(|l| !l.trim().is_empty()).peekable();
        while let Some(src) = lines.next() {
            let mut want = Vec::new();
            while let Some(l) = lines.next_if(|l| l.starts_with(' ')) {
                want.push(l.trim());
            }
            assert_eq!(f(src), want.join(" | "), "{src}");
        }
    }
}
