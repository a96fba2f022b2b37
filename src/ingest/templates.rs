//! Template names joined to their categories (`--templates FILE`), for the
//! exports that name a message's template but not its category: a CSV
//! `name,category[,language]` (any delimiter, encoding or BOM the toolkit
//! reads, a header optional), or Meta's `message_templates` Graph API JSON
//! as the API returns it (`{"data":[{"name":..,"category":..,
//! "language":..}],"paging":{..}}`; each page is one file).

use std::collections::HashMap;
use std::path::Path;

use super::toolkit::category::parse_category;
use super::toolkit::decode::decode;
use super::toolkit::delimiter::sniff;
use super::toolkit::header::normalise;
use super::InputError;
use crate::model::redact::quote_field;
use crate::model::Category;

/// Header names of the CSV's columns (normalised), Portuguese and Spanish
/// included.
const NAME: &[&str] = &["name", "template", "template_name", "nome", "nombre"];
const CATEGORY: &[&str] = &["category", "template_category", "categoria"];
const LANGUAGE: &[&str] = &["language", "lang", "locale", "idioma"];

/// Template names and their categories, by language.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// Lower-case name -> (language, category) for each language given.
    by_name: HashMap<String, Vec<(String, Category)>>,
}

/// What the book says of a template name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Category),
    Missing,
    /// Its languages have different categories, and a log row names none.
    Ambiguous(String),
}

impl Book {
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Templates in the book.
    pub fn len(&self) -> usize {
        self.by_name.values().map(Vec::len).sum()
    }

    /// Adds the templates of one file.
    pub fn read_file(&mut self, path: &Path) -> Result<usize, InputError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| InputError::Io {
            file: name.clone(),
            source,
        })?;
        self.read_bytes(&name, &bytes)
    }

    /// Adds the templates of a file's bytes, Graph API JSON or CSV by their
    /// first character; returns how many it held.
    pub fn read_bytes(&mut self, file: &str, bytes: &[u8]) -> Result<usize, InputError> {
        let (text, _) = decode(bytes);
        let text = text.trim_start_matches('\u{feff}');
        let rows = match text.trim_start().chars().next() {
            Some('{' | '[') => graph_rows(text),
            _ => csv_rows(text),
        }
        .map_err(|msg| InputError::Format {
            file: file.to_string(),
            msg,
        })?;
        let n = rows.len();
        for row in rows {
            self.add(row).map_err(|msg| InputError::Format {
                file: file.to_string(),
                msg,
            })?;
        }
        Ok(n)
    }

    fn add(&mut self, row: Row) -> Result<(), String> {
        let langs = self.by_name.entry(row.name.to_lowercase()).or_default();
        match langs.iter().find(|(l, _)| *l == row.language) {
            Some((_, c)) if *c != row.category => Err(format!(
                "{}: template {} ({}) is {} here and {} in an earlier row or file",
                row.at,
                quote_field(&row.name),
                language_label(&row.language),
                row.category,
                c
            )),
            Some(_) => Ok(()),
            None => {
                langs.push((row.language, row.category));
                Ok(())
            }
        }
    }

    /// The category of a template name as a log writes it (any case).
    #[inline]
    pub fn category(&self, name: &str) -> Lookup {
        let found = self.by_name.get(name).or_else(|| {
            let lower = name.to_lowercase();
            (lower != name).then(|| self.by_name.get(&lower)).flatten()
        });
        let Some(langs) = found else {
            return Lookup::Missing;
        };
        match langs.as_slice() {
            [] => Lookup::Missing,
            [(_, c), rest @ ..] if rest.iter().all(|(_, o)| o == c) => Lookup::Found(*c),
            all => Lookup::Ambiguous(
                all.iter()
                    .map(|(l, c)| format!("{c} ({})", language_label(l)))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

fn language_label(l: &str) -> &str {
    if l.is_empty() {
        "no language"
    } else {
        l
    }
}

/// One template read from a file, with where it was read.
#[derive(Debug)]
struct Row {
    name: String,
    category: Category,
    language: String,
    at: String,
}

/// A category word of a template file: Meta's, Portuguese or Spanish;
/// service is no template category.
fn template_category(word: &str, at: &str, name: &str) -> Result<Category, String> {
    match parse_category(word) {
        Some(c) if c != Category::Service => Ok(c),
        _ => Err(format!(
            "{at}: template {} has category {} (accepted: marketing, utility, authentication, authentication_international)",
            quote_field(name),
            quote_field(word)
        )),
    }
}

/// The templates of a Graph API response: `{"data": [..]}`, an array of
/// templates, or one template.
fn graph_rows(text: &str) -> Result<Vec<Row>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "not JSON as Meta's message_templates API returns it (line {}, column {}): {e}",
            e.line(),
            e.column()
        )
    })?;
    let items: Vec<&serde_json::Value> = match &v {
        serde_json::Value::Array(a) => a.iter().collect(),
        serde_json::Value::Object(o) => match o.get("data") {
            Some(serde_json::Value::Array(a)) => a.iter().collect(),
            Some(_) => return Err("\"data\" is not an array of templates".into()),
            None if o.contains_key("name") => vec![&v],
            None => {
                return Err("no \"data\" array of templates (expected Meta's message_templates response: {\"data\":[{\"name\":..,\"category\":..}]})".into())
            }
        },
        _ => return Err("expected a JSON object with a \"data\" array of templates".into()),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, t)| graph_row(i, t))
        .collect()
}

/// One template object: `name` and `category` required, `language` kept.
fn graph_row(i: usize, t: &serde_json::Value) -> Result<Row, String> {
    let at = format!("data[{i}]");
    let text = |k: &str| t.get(k).and_then(serde_json::Value::as_str);
    let name = text("name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{at}: template without a \"name\""))?;
    let word = text("category").ok_or_else(|| {
        format!(
            "{at}: template {} without a \"category\" (ask the API for fields=name,category,language)",
            quote_field(name)
        )
    })?;
    Ok(Row {
        category: template_category(word, &at, name)?,
        name: name.to_string(),
        language: text("language").unwrap_or_default().trim().to_string(),
        at,
    })
}

/// Column positions of a template CSV.
#[derive(Debug, Clone, Copy)]
struct Columns {
    name: usize,
    category: usize,
    language: Option<usize>,
}

/// The rows of a template CSV: by its header's names, or `name,category
/// [,language]` in that order when the first row is already a template.
fn csv_rows(text: &str) -> Result<Vec<Row>, String> {
    let sniffed = sniff(text.as_bytes());
    let body = text.get(sniffed.sep_line..).unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniffed.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut rows = Vec::new();
    let mut cols: Option<Columns> = None;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| format!("line {}: {e}", i + 1))?;
        let line = rec.position().map_or(i as u64 + 1, csv::Position::line);
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let c = match cols {
            Some(c) => c,
            None => {
                let (c, header) = columns(&rec, line)?;
                cols = Some(c);
                if header {
                    continue;
                }
                c
            }
        };
        rows.push(csv_row(&rec, c, line)?);
    }
    Ok(rows)
}

/// The columns of the first row: a header's, or the positional ones when
/// its second field is a category word.
fn columns(rec: &csv::StringRecord, line: u64) -> Result<(Columns, bool), String> {
    let names: Vec<String> = rec.iter().map(normalise).collect();
    let find = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
    if let (Some(name), Some(category)) = (find(NAME), find(CATEGORY)) {
        let language = find(LANGUAGE);
        return Ok((
            Columns {
                name,
                category,
                language,
            },
            true,
        ));
    }
    if rec.get(1).and_then(parse_category).is_some() {
        let language = (rec.len() > 2).then_some(2);
        return Ok((
            Columns {
                name: 0,
                category: 1,
                language,
            },
            false,
        ));
    }
    let shown: Vec<String> = rec.iter().take(6).map(quote_field).collect();
    Err(format!(
        "line {line}: expected a header with columns name and category (and optionally language), or rows name,category[,language]; first row has: {}",
        shown.join(", ")
    ))
}

fn csv_row(rec: &csv::StringRecord, c: Columns, line: u64) -> Result<Row, String> {
    let at = format!("line {line}");
    let get = |i: usize| rec.get(i).map(str::trim).unwrap_or_default();
    let name = get(c.name);
    if name.is_empty() {
        return Err(format!("{at}: template without a name"));
    }
    Ok(Row {
        category: template_category(get(c.category), &at, name)?,
        name: name.to_string(),
        language: c.language.map(get).unwrap_or_default().to_string(),
        at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(files: &[&str]) -> Result<Book, String> {
        let mut b = Book::default();
        for (i, f) in files.iter().enumerate() {
            b.read_bytes(&format!("t{i}"), f.as_bytes())
                .map_err(|e| e.to_string())?;
        }
        Ok(b)
    }

    #[test]
    fn csv_with_header_any_delimiter_and_bom() {
        for text in [
            "name,category,language\npromo_natal,MARKETING,pt_BR\ncodigo,authentication,pt_BR\n",
            "\u{feff}Nome;Categoria;Idioma\r\npromo_natal;Marketing;pt_BR\r\ncodigo;Autenticação;pt_BR\r\n",
            "sep=|\ntemplate_name|category\npromo_natal|marketing\ncodigo|AUTHENTICATION\n",
            "promo_natal,marketing\ncodigo,authentication\n",
        ] {
            let b = book(&[text]).unwrap();
            assert_eq!(b.category("promo_natal"), Lookup::Found(Category::Marketing), "{text}");
            assert_eq!(b.category("Codigo"), Lookup::Found(Category::Authentication), "{text}");
            assert_eq!(b.category("outro"), Lookup::Missing, "{text}");
        }
    }

    #[test]
    fn utf16_csv_reads() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "name\tcategory\npedido_enviado\tutility\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let mut b = Book::default();
        assert_eq!(b.read_bytes("t", &bytes).unwrap(), 1);
        assert_eq!(
            b.category("pedido_enviado"),
            Lookup::Found(Category::Utility)
        );
    }

    #[test]
    fn graph_api_pages_join() {
        let page1 = r#"{"data":[{"name":"promo_natal","category":"MARKETING","language":"pt_BR","status":"APPROVED","id":"1"}],"paging":{"cursors":{"before":"a","after":"b"},"next":"https://example.invalid/next"}}"#;
        let page2 = r#"{"data":[{"name":"pedido_enviado","category":"UTILITY","language":"pt_BR"}],"paging":{"cursors":{"before":"b","after":"c"}}}"#;
        let b = book(&[page1, page2]).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(
            b.category("promo_natal"),
            Lookup::Found(Category::Marketing)
        );
        assert_eq!(
            b.category("pedido_enviado"),
            Lookup::Found(Category::Utility)
        );
    }

    #[test]
    fn languages_that_disagree_are_ambiguous() {
        let b = book(&["name,category,language\nboas_vindas,marketing,pt_BR\nboas_vindas,utility,en_US\nok,utility,pt_BR\nok,utility,en_US\n"]).unwrap();
        assert!(
            matches!(b.category("boas_vindas"), Lookup::Ambiguous(s) if s.contains("marketing (pt_BR)"))
        );
        assert_eq!(b.category("ok"), Lookup::Found(Category::Utility));
    }

    #[test]
    fn bad_files_name_their_line_and_value() {
        for (text, want) in [
            (
                "name,category\npromo,service\n",
                "line 2: template \"promo\" has category \"service\"",
            ),
            ("name,category\npromo,banana\n", "has category \"banana\""),
            (
                "foo,bar\n1,2\n",
                "expected a header with columns name and category",
            ),
            (
                r#"{"data":[{"name":"x"}]}"#,
                "data[0]: template \"x\" without a \"category\"",
            ),
            (r#"{"data":5}"#, "\"data\" is not an array"),
            ("{", "not JSON"),
            (
                "name,category\npromo,marketing\npromo,utility\n",
                "is utility here and marketing",
            ),
        ] {
            let e = book(&[text]).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
