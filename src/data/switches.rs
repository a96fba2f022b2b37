//! Rule switches for mechanics Meta does not state, or states for some
//! businesses only: `[[switch]]` tables of `pricing/rules.toml`, each with
//! its default and the source (or the silence) behind it.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::DataError;

/// One `[[switch]]`: on/off, or one of two named values (`values`, the
/// first meaning on).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    pub name: String,
    /// Two names for on and off (`charge-at = delivery | sent`).
    #[serde(default)]
    pub values: Option<[String; 2]>,
    pub default: String,
    pub source: String,
}

impl Switch {
    /// A value given on the command line: on/off words, or one of
    /// `values`.
    pub fn parse(&self, val: &str) -> Option<bool> {
        let v = val.to_ascii_lowercase();
        if let Some([on, off]) = &self.values {
            return match v {
                _ if v == *on => Some(true),
                _ if v == *off => Some(false),
                _ => None,
            };
        }
        on_off(&v)
    }

    /// What the switch accepts, for messages.
    pub fn accepted(&self) -> String {
        match &self.values {
            Some([on, off]) => format!("{on} or {off}"),
            None => "on or off".into(),
        }
    }

    fn check(&self) -> Result<bool, DataError> {
        self.parse(&self.default).ok_or_else(|| DataError::File {
            file: "rules.toml".into(),
            msg: format!(
                "[[switch]] {}: default {:?} is not {}",
                self.name,
                self.default,
                self.accepted()
            ),
        })
    }
}

/// On/off words.
pub fn on_off(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Some(true),
        "off" | "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The declared switches, checked: a default each accepts.
#[derive(Debug, Clone, Default)]
pub struct Switches(Vec<(Switch, bool)>);

impl Switches {
    pub fn new(raw: Vec<Switch>) -> Result<Switches, DataError> {
        raw.into_iter()
            .map(|s| s.check().map(|d| (s, d)))
            .collect::<Result<Vec<_>, _>>()
            .map(Switches)
    }

    pub fn get(&self, name: &str) -> Option<&Switch> {
        self.0.iter().find(|(s, _)| s.name == name).map(|(s, _)| s)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(s, _)| s.name.as_str())
    }

    /// Whether `name` is on in a run: `--rule` overrides, else the default;
    /// a switch the data does not declare is off.
    pub fn on(&self, name: &str, given: &BTreeMap<String, bool>) -> bool {
        let default = self.0.iter().find(|(s, _)| s.name == name).map(|(_, d)| *d);
        given.get(name).copied().or(default).unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn switch(values: Option<[&str; 2]>, default: &str) -> Switch {
        Switch {
            name: "charge-at".into(),
            values: values.map(|v| v.map(str::to_string)),
            default: default.into(),
            source: "test".into(),
        }
    }

    #[test]
    fn two_valued_switches_name_on_and_off() {
        let s = switch(Some(["delivery", "sent"]), "delivery");
        assert_eq!(s.parse("Sent"), Some(false));
        assert_eq!(s.parse("delivery"), Some(true));
        assert_eq!(s.parse("on"), None);
        let all = Switches::new(vec![s]).unwrap();
        assert!(all.on("charge-at", &BTreeMap::new()));
        let given = BTreeMap::from([("charge-at".to_string(), false)]);
        assert!(!all.on("charge-at", &given));
        assert!(!all.on("undeclared", &BTreeMap::new()));
    }

    #[test]
    fn a_default_must_be_a_value() {
        assert!(Switches::new(vec![switch(Some(["delivery", "sent"]), "on")]).is_err());
        assert!(Switches::new(vec![switch(None, "off")]).is_ok());
    }
}
