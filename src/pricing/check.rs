//! `wacost rates check`: the data is complete and consistent.
