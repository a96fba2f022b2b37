#![no_main]
//! Template books (`--templates`): `ingest::templates::Book::read_bytes` on
//! any bytes, CSV or Graph API JSON by the first character.

use libfuzzer_sys::fuzz_target;
use wacost::ingest::templates::{Book, Lookup};
use wacost::ingest::InputError;
use wacost::model::Category;

mod common;

fuzz_target!(|data: &[u8]| {
    let mut book = Book::default();
    match book.read_bytes("fuzz", data) {
        Ok(n) => {
            // Rows repeating a (name, language) merge: never more kept than read.
            assert!(book.len() <= n, "{} kept of {n}", book.len());
            assert_eq!(book.is_empty(), book.len() == 0);
        }
        Err(InputError::Format { file, msg }) => {
            assert_eq!(file, "fuzz");
            assert!(!common::leaks_number(&msg), "number in {msg:?}");
            assert!(book.is_empty() || !msg.is_empty());
        }
        Err(e) => panic!("only format errors from bytes: {e}"),
    }
    // A name the input holds (as text) looks up to a category or to none,
    // never to service.
    if let Ok(text) = std::str::from_utf8(data) {
        for word in text.split(|c: char| !c.is_alphanumeric() && c != '_').take(64) {
            match book.category(word) {
                Lookup::Found(c) => assert_ne!(c, Category::Service),
                Lookup::Missing => {}
                Lookup::Ambiguous(why) => assert!(why.contains(", ")),
            }
        }
    }
});
