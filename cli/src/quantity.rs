//! Quantities on the command line: a number with an optional unit suffix (`0.8nA`, `800 pA`,
//! `1s`), converted exactly into the unit an option or parameter is declared in.
//!
//! A unit is a prefix (`f`, `p`, `n`, `u` or `µ`, `m`, `c`, `k`, `M`, `G`, or none) and a base
//! (`A`, `V`, `S`, `F`, `Ohm` or `Ω`, `s`, `Hz`, `M` for molar), optionally per area
//! (`/cm^2`, `/cm2`): `pA`, `uA/cm^2`, `MOhm`, `mM`. A suffix is accepted where it has the
//! base (and area) of the declared unit; the conversion shifts the number's decimal exponent,
//! so `0.8nA` in pA is the `f64` nearest to 800, as if `800` had been typed. Units that are
//! not of this form (`1/ms`, `mV/uS`, `1`) take a plain number only.

/// A unit split into the power of ten of its prefix, its base and whether it is per cm².
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Unit<'a> {
    exp: i32,
    base: &'a str,
    per_cm2: bool,
}

const BASES: [&str; 9] = ["Ohm", "Ω", "Hz", "A", "V", "S", "F", "s", "M"];
const PREFIXES: [(&str, i32); 11] = [
    ("f", -15),
    ("p", -12),
    ("n", -9),
    ("u", -6),
    ("µ", -6),
    ("m", -3),
    ("c", -2),
    ("", 0),
    ("k", 3),
    ("M", 6),
    ("G", 9),
];

/// Splits `text` into prefix, base and area, if it is a unit of the form above.
fn unit(text: &str) -> Option<Unit<'_>> {
    let (body, per_cm2) = match text
        .strip_suffix("/cm^2")
        .or_else(|| text.strip_suffix("/cm2"))
    {
        Some(b) => (b, true),
        None => (text, false),
    };
    let base = BASES.iter().find(|b| body.ends_with(**b))?;
    let prefix = &body[..body.len() - base.len()];
    let exp = PREFIXES.iter().find(|(p, _)| *p == prefix)?.1;
    // `Ohm` spelled with the prefix `O` and base `hm` is not a thing; `Hz` is not `H` + `z`.
    Some(Unit {
        exp,
        base: if *base == "Ω" { "Ohm" } else { base },
        per_cm2,
    })
}

/// Where the number of `text` ends: digits, a point, a leading sign, an exponent.
fn number_end(text: &str) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    i
}

/// Why a quantity was refused, for the caller's one-line message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The text is not a number, with or without a suffix.
    NotANumber,
    /// The number is not finite (or overflows when converted).
    NotFinite,
    /// The suffix is not a unit this parser knows.
    UnknownUnit(String),
    /// The suffix is a unit of another kind than the declared one (or the declared unit takes
    /// plain numbers only).
    WrongUnit(String),
}

/// Parses `text` (a number, optionally followed by a unit) as a value in `declared`.
pub fn parse(text: &str, declared: &str) -> Result<f64, Refusal> {
    let text = text.trim();
    let end = number_end(text);
    let (number, suffix) = (&text[..end], text[end..].trim());
    let plain = |s: &str| match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err(Refusal::NotFinite),
        Err(_) => Err(Refusal::NotANumber),
    };
    if suffix.is_empty() {
        return plain(number);
    }
    if number.is_empty() {
        // `inf`, `NaN` and words: what `f64` makes of the whole text.
        return plain(text);
    }
    if !suffix.starts_with(|c: char| c.is_alphabetic()) {
        // `0,1`, `1..2`: not a number followed by a unit.
        return Err(Refusal::NotANumber);
    }
    if suffix == declared {
        return plain(number);
    }
    let Some(given) = unit(suffix) else {
        return Err(Refusal::UnknownUnit(suffix.to_string()));
    };
    let Some(target) =
        unit(declared).filter(|t| t.base == given.base && t.per_cm2 == given.per_cm2)
    else {
        return Err(Refusal::WrongUnit(suffix.to_string()));
    };
    // Shift the decimal exponent: the result is the f64 nearest the converted decimal.
    let (mantissa, exp) = match number.find(['e', 'E']) {
        Some(i) => (
            &number[..i],
            number[i + 1..]
                .parse::<i32>()
                .map_err(|_| Refusal::NotANumber)?,
        ),
        None => (number, 0),
    };
    mantissa.parse::<f64>().map_err(|_| Refusal::NotANumber)?;
    let shift = exp.saturating_add(given.exp - target.exp);
    plain(&format!("{mantissa}e{shift}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_convert_exactly_into_the_declared_unit() {
        assert_eq!(parse("0.8nA", "pA"), Ok(800.0));
        assert_eq!(parse("800 pA", "nA"), Ok(0.8));
        assert_eq!(parse("800pA", "pA"), Ok(800.0));
        assert_eq!(parse("500", "pA"), Ok(500.0));
        assert_eq!(parse("-65mV", "mV"), Ok(-65.0));
        assert_eq!(parse("1s", "ms"), Ok(1000.0));
        assert_eq!(parse("100us", "ms"), Ok(0.1));
        assert_eq!(parse("100µs", "ms"), Ok(0.1));
        assert_eq!(parse("1e-3s", "ms"), Ok(1.0));
        assert_eq!(parse("2.5e2pA", "nA"), Ok(0.25));
        assert_eq!(parse("10 uA/cm^2", "uA/cm^2"), Ok(10.0));
        assert_eq!(parse("0.01mA/cm2", "uA/cm^2"), Ok(10.0));
        assert_eq!(parse("0.3 GOhm", "MOhm"), Ok(300.0));
        assert_eq!(parse("2mM", "uM"), Ok(2000.0));
        // Exact: the nearest f64 to the converted decimal, not a product that rounds twice.
        assert_eq!(parse("0.1nA", "pA"), Ok(100.0));
        assert_eq!(parse("0.7ms", "ms"), Ok(0.7));
        assert_eq!(parse("70us", "ms"), Ok("0.07".parse().unwrap()));
    }

    #[test]
    fn wrong_units_and_non_numbers_are_refused() {
        assert_eq!(
            parse("0.8nA", "uA/cm^2"),
            Err(Refusal::WrongUnit("nA".into()))
        );
        assert_eq!(parse("5mV", "ms"), Err(Refusal::WrongUnit("mV".into())));
        assert_eq!(parse("5ms", "1/ms"), Err(Refusal::WrongUnit("ms".into())));
        assert_eq!(
            parse("5 apples", "ms"),
            Err(Refusal::UnknownUnit("apples".into()))
        );
        assert_eq!(parse("5xA", "nA"), Err(Refusal::UnknownUnit("xA".into())));
        assert_eq!(parse("NaN", "ms"), Err(Refusal::NotFinite));
        assert_eq!(parse("inf", "ms"), Err(Refusal::NotFinite));
        assert_eq!(parse("1e400pA", "pA"), Err(Refusal::NotFinite));
        assert_eq!(parse("1e308GA", "fA"), Err(Refusal::NotFinite));
        assert_eq!(parse("0,1", "ms"), Err(Refusal::NotANumber));
        assert_eq!(parse("", "ms"), Err(Refusal::NotANumber));
        assert_eq!(parse("ms", "ms"), Err(Refusal::NotANumber));
    }
}
