//! Compiles the bundled `pricing/` directory into the binary, so `wacost`
//! works from any directory and loads its data without touching the disk.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let pricing = Path::new(&root).join("pricing");
    println!("cargo:rerun-if-changed=pricing");
    let mut out = String::from("/// Files of the bundled pricing directory: (path relative to pricing/, contents).\npub static BUNDLED: &[(&str, &str)] = &[\n");
    let mut files = Vec::new();
    collect(&pricing, &pricing, &mut files);
    files.sort();
    for rel in files {
        let abs = pricing.join(&rel);
        println!("cargo:rerun-if-changed={}", abs.display());
        let _ = writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        );
    }
    out.push_str("];\n");
    println!(
        "cargo:rustc-env=WACOST_NEWEST_CARD={}",
        newest_card(&pricing)
    );
    let dest = Path::new(&env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("bundled.rs");
    if let Err(e) = fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}

/// The latest `effective_from` of `pricing/rates/*.csv`: what `wacost
/// --version` names as the data's newest card ("none" without any).
fn newest_card(pricing: &Path) -> String {
    let Ok(entries) = fs::read_dir(pricing.join("rates")) else {
        return "none".into();
    };
    let mut newest = String::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        let text = fs::read_to_string(&p).unwrap_or_default();
        for line in text.lines() {
            let date = line.split(',').next().unwrap_or("").trim();
            if is_date(date) && date > newest.as_str() {
                newest = date.to_string();
            }
        }
    }
    if newest.is_empty() {
        "none".into()
    } else {
        newest
    }
}

/// `YYYY-MM-DD` in shape (the loader checks the calendar).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            println!("cargo:rerun-if-changed={}", p.display());
            collect(base, &p, files);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("csv" | "toml")) {
            if let Ok(rel) = p.strip_prefix(base) {
                files.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}
