//! Importer of Meta's rate-card CSVs (being written).
