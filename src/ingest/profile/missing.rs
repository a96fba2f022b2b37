//! The error for a header that lacks required columns: every missing one
//! at once, the names accepted for each, and a `--map` file to paste,
//! filled with the header's likely columns.

use crate::model::redact::quote_field;

/// One required field the header lacks.
#[derive(Debug, Clone)]
pub struct Missing {
    pub name: &'static str,
    /// The names the reader (or the profile) accepts.
    pub own: Vec<String>,
    /// The built-in Portuguese and Spanish names.
    pub local: Vec<String>,
}

/// The message: one line per missing column, then the snippet.
pub fn message(headers: &[String], missing: &[Missing]) -> String {
    let mut msg = format!(
        "line 1: {} required column{} missing; header has: {}",
        missing.len(),
        if missing.len() > 1 { "s" } else { "" },
        quote_header(headers)
    );
    for m in missing {
        msg.push_str(&format!(
            "\n  missing required column {:?} (accepted names: {})",
            m.name,
            m.own.join(", ")
        ));
        if !m.local.is_empty() {
            msg.push_str(&format!(
                "; in Portuguese and Spanish: {}",
                m.local.join(", ")
            ));
        }
    }
    msg.push_str(&format!(
        "\n  Name them in a --map FILE (see README \"Your export\"), or read a provider's export with --profile ({}). A map to start from:\n",
        super::names().join(", ")
    ));
    msg.push_str(&map_snippet(headers, missing));
    msg
}

/// Words in a header name that suggest a field.
fn hints(field: &str) -> &'static [&'static str] {
    match field {
        "timestamp" => &[
            "date", "time", "data", "hora", "fecha", "created", "sent", "envio",
        ],
        "direction" => &["direction", "dir", "sentido", "traffic", "in_out"],
        "contact" => &[
            "phone",
            "tel",
            "numero",
            "number",
            "msisdn",
            "whatsapp",
            "mobile",
            "celular",
            "contat",
            "contact",
            "destin",
            "recipient",
        ],
        _ => &[],
    }
}

/// A `--map` file naming the missing columns: a header column whose name
/// suggests the field, or a placeholder; a missing direction as the
/// constant of a broadcast export.
fn map_snippet(headers: &[String], missing: &[Missing]) -> String {
    let mut cols = String::new();
    let mut consts = String::new();
    for m in missing {
        let name = m.name;
        let guess = headers
            .iter()
            .find(|h| hints(name).iter().any(|k| h.contains(k)))
            .map(|h| quote_field(h));
        match (name, guess) {
            (_, Some(g)) => cols.push_str(&format!("    {name} = {g}\n")),
            ("direction", None) => consts.push_str(
                "    [constants]\n    direction = \"outbound\"   # every row sent by the business; or name its column under [columns]\n",
            ),
            (_, None) => cols.push_str(&format!(
                "    {name} = \"COLUMN\"   # the header name of the {name} column\n"
            )),
        }
    }
    if !cols.is_empty() {
        cols.insert_str(0, "    [columns]\n");
    }
    cols + &consts
}

/// The header as read, for an error: a file without a header row shows its
/// first data row here, so each name is quoted like a field and the list is
/// cut after a few names.
fn quote_header(headers: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut names: Vec<String> = headers.iter().take(SHOWN).map(|h| quote_field(h)).collect();
    if headers.len() > SHOWN {
        names.push(format!("… and {} more", headers.len() - SHOWN));
    }
    names.join(", ")
}
