//! The shared toolkit of every reader of outside files: how exports write
//! text, delimiters, header names, timestamps, months, amounts and category
//! words. A reader never parses these on its own.

pub mod amount;
pub mod category;
pub mod decode;
pub mod delimiter;
pub mod header;
pub mod month;
pub mod timestamp;
