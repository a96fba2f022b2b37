//! The shared toolkit of every reader of outside files: how exports write
//! text, delimiters, header names, timestamps, months, amounts and category
//! words. A reader never parses these on its own (Graph API JSON carries
//! its numbers and times in JSON's own forms, which `analytics.rs` reads).

pub mod amount;
pub mod category;
pub mod decode;
pub mod delimiter;
pub mod header;
pub mod month;
pub mod status;
pub mod timestamp;
