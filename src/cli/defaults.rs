//! Defaults a person sets once instead of on every run: `WACOST_TZ` and
//! `WACOST_CURRENCY` in the environment, or a `wacost.toml` (keys `tz`,
//! `currency`, `default_country`) in the current directory or the user's
//! config directory. A flag beats the environment, the environment the file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::model::currency::Code;
use crate::model::time::Zone;

/// The name of the defaults file.
pub const FILE: &str = "wacost.toml";

/// What the environment and the file set; `None` where neither does.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    /// `WACOST_TZ`, else the file's `tz`.
    pub tz: Option<Zone>,
    /// `WACOST_CURRENCY`, else the file's `currency`.
    pub currency: Option<Code>,
    /// The file's `default_country` (two letters, upper case). The flag
    /// `--default-country` and `WACOST_DEFAULT_COUNTRY` come before it.
    pub default_country: Option<String>,
    /// The file these came from, if one was found.
    pub file: Option<PathBuf>,
}

/// `wacost.toml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDefaults {
    tz: Option<String>,
    currency: Option<String>,
    default_country: Option<String>,
}

/// Reads the environment and the first defaults file found.
pub fn load() -> Result<Defaults> {
    let file = find_file();
    let f = match &file {
        Some(path) => read_file(path)?,
        None => FileDefaults::default(),
    };
    let at = |key: &str| match &file {
        Some(p) => format!("{} key {key}", p.display()),
        None => key.to_string(),
    };
    Ok(Defaults {
        tz: pick("WACOST_TZ", f.tz.as_deref(), &at("tz"), Zone::parse)?,
        currency: pick(
            "WACOST_CURRENCY",
            f.currency.as_deref(),
            &at("currency"),
            Code::parse,
        )?,
        default_country: pick(
            "",
            f.default_country.as_deref(),
            &at("default_country"),
            super::parse_country,
        )?,
        file,
    })
}

/// The environment variable `env` when set and not empty, else the file's
/// value, parsed; an error names where the bad value came from.
fn pick<T>(
    env: &str,
    file: Option<&str>,
    at: &str,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<Option<T>> {
    let var = (!env.is_empty())
        .then(|| std::env::var(env).ok())
        .flatten()
        .filter(|v| !v.trim().is_empty());
    if let Some(v) = var {
        return parse(v.trim())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("environment variable {env}={v:?}: {e}"));
    }
    match file {
        Some(v) => parse(v.trim())
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{at} = {v:?}: {e}")),
        None => Ok(None),
    }
}

fn read_file(path: &Path) -> Result<FileDefaults> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the defaults file {}", path.display()))?;
    toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("the defaults file {}: {}", path.display(), e.message()))
}

/// `./wacost.toml`, else `$XDG_CONFIG_HOME/wacost/wacost.toml`, else
/// `~/.config/wacost/wacost.toml`: the first that exists.
fn find_file() -> Option<PathBuf> {
    let config = |var: &str, sub: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(|d| PathBuf::from(d).join(sub).join("wacost").join(FILE))
    };
    [
        Some(PathBuf::from(FILE)),
        config("XDG_CONFIG_HOME", ""),
        config("HOME", ".config"),
    ]
    .into_iter()
    .flatten()
    .find(|p| p.is_file())
}
