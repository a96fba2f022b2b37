//! The shared toolkit of every reader of outside files: timestamps and
//! amounts as exports write them. A reader never parses these on its own.

pub mod amount;
pub mod timestamp;
