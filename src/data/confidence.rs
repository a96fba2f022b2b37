//! How a rate cell is known. Meta publishes its cards as signed, expiring
//! files, so every bundled number is a copy; the level says how close the
//! copy is to the card it prices (see `pricing/README.md`).

use std::fmt;
use std::str::FromStr;

/// How a rate is known, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Confidence {
    /// A copy of that dated card states it (or Meta's own file, imported).
    #[default]
    Direct,
    /// Repeated from another card of the currency: Meta's change log lists
    /// no change between them.
    Carried,
    /// Derived (an exchange ratio, a backward carry, authentication =
    /// utility); the source text gives the derivation.
    Inferred,
}

impl Confidence {
    pub const ALL: [Confidence; 3] = [
        Confidence::Direct,
        Confidence::Carried,
        Confidence::Inferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Direct => "direct",
            Confidence::Carried => "carried",
            Confidence::Inferred => "inferred",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Confidence {
    type Err = String;

    fn from_str(s: &str) -> Result<Confidence, String> {
        Confidence::ALL
            .into_iter()
            .find(|c| s.trim().eq_ignore_ascii_case(c.as_str()))
            .ok_or_else(|| format!("confidence {s:?} is not one of direct, carried, inferred"))
    }
}

/// Which rate cells a run may price with (`--confidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Accept {
    /// Every known cell; lines priced with an inferred one say so.
    #[default]
    Any,
    /// Cells a card copy states, or carries by Meta's change log; inferred
    /// cells are refused, each message named.
    Direct,
}

impl Accept {
    /// Whether a cell of this level may price a message.
    #[inline]
    pub fn admits(self, c: Confidence) -> bool {
        self == Accept::Any || c != Confidence::Inferred
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!("Carried".parse::<Confidence>(), Ok(Confidence::Carried));
        assert!("guessed"
            .parse::<Confidence>()
            .unwrap_err()
            .contains("direct, carried, inferred"));
        assert!(Confidence::Direct < Confidence::Inferred);
        assert!(Accept::Direct.admits(Confidence::Carried));
        assert!(!Accept::Direct.admits(Confidence::Inferred));
        assert!(Accept::Any.admits(Confidence::Inferred));
    }
}
