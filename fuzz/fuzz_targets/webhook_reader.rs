#![no_main]
//! Cloud API webhook payloads: `ingest::read_from` with
//! `InputFormat::Webhook`, then `webhook::finish`.

use libfuzzer_sys::fuzz_target;
use wacost::model::Direction;
use wacost::ingest::InputFormat;

mod common;

fuzz_target!(|data: &[u8]| {
    let r = common::read(data, Some(InputFormat::Webhook));
    assert!(r.ok, "the webhook reader only fails on I/O");
    common::check(&r);
    let mut ids = std::collections::HashSet::new();
    for m in &r.msgs {
        assert!(m.line >= 1);
        if m.direction() == Direction::Outbound {
            // Statuses are merged by message id: one message per id.
            assert_ne!(m.id_hash, 0, "outbound webhook message without id");
            assert!(
                ids.insert(m.id_hash),
                "outbound id {:x} emitted twice",
                m.id_hash
            );
        }
    }
    // `finish` emptied the held messages: a second call emits nothing.
    let mut inputs = r.inputs;
    let more = std::cell::Cell::new(0);
    wacost::ingest::webhook::finish(&mut inputs, &mut |_| more.set(more.get() + 1), &mut |_| {
        more.set(more.get() + 1)
    });
    assert_eq!(more.get(), 0, "held messages left after finish");
});
