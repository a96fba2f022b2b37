//! One message, many rows: exports with one row per status are merged by
//! message id, the furthest status deciding (sent then failed = failed;
//! sent then delivered 19 days later = one delivered message), and what a
//! message that stops at `sent` means follows its file's evidence.
//!
//! Meta retries delivery for up to 30 days (the default time-to-live of
//! marketing and utility; Meta, Configure message time-to-live): held in
//! memory, the merge sees every row of an id, however far apart.

use crate::ingest::{Inputs, MergedRow};
use crate::model::{Delivery, Direction, Message};

/// Merges the rows of each message id into the message of its first row
/// (earliest, then by file and line). The merged message is delivered
/// when any row says so, at the first delivered row's time when
/// `inputs.charge_at_delivery`; failed when a row failed and none was
/// delivered. Its template category is the first row's that has one.
/// The other rows are counted (and named when `inputs.keep_extras`).
pub fn merge(msgs: &mut Vec<Message>, inputs: &mut Inputs) {
    msgs.sort_unstable_by_key(id_order);
    // Most logs have no repeated id: nothing is allocated for them.
    let mut merged: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < msgs.len() {
        let end = group_end(msgs, i);
        if end > i + 1 {
            merge_group(&mut msgs[i..end], inputs);
            merged.extend(i + 1..end);
        }
        i = end;
    }
    if merged.is_empty() {
        return;
    }
    let mut next = merged.into_iter().peekable();
    let mut at = 0;
    msgs.retain(|_| {
        let drop = next.next_if_eq(&at).is_some();
        at += 1;
        !drop
    });
}

/// Rows of one id together, outbound and inbound apart, in time order.
fn id_order(m: &Message) -> (u64, bool, i64, u16, u32) {
    (
        m.id_hash,
        m.direction() == Direction::Outbound,
        m.ts(),
        m.file,
        m.line,
    )
}

/// Where the group of rows starting at `i` ends: rows without an id, and
/// inbound rows (a repeated one opens the same window again), are groups
/// of one.
fn group_end(msgs: &[Message], i: usize) -> usize {
    let first = &msgs[i];
    if first.id_hash == 0 || first.direction() == Direction::Inbound {
        return i + 1;
    }
    let same = |m: &Message| m.id_hash == first.id_hash && m.direction() == first.direction();
    i + 1 + msgs[i + 1..].iter().take_while(|m| same(m)).count()
}

/// Folds the rows of one id into the first.
fn merge_group(rows: &mut [Message], inputs: &mut Inputs) {
    let Some((first, rest)) = rows.split_first_mut() else {
        return;
    };
    let mut delivered_at = (first.delivery() == Delivery::Delivered).then(|| first.ts());
    let mut delivery = first.delivery();
    for row in rest.iter() {
        delivery = delivery.max(row.delivery());
        if row.delivery() == Delivery::Delivered && delivered_at.is_none() {
            delivered_at = Some(row.ts());
        }
        if !first.is_template() && row.is_template() {
            first.set_template(row.category());
            first.template_name = row.template_name;
        }
        inputs.status_rows += 1;
        if inputs.keep_extras {
            inputs.merged_rows.push(MergedRow {
                file: row.file,
                line: row.line,
                into_line: first.line,
            });
        }
    }
    first.set_delivery(delivery);
    if let Some(at) = delivered_at.filter(|_| inputs.charge_at_delivery) {
        first.set_ts(at);
    }
}

/// A message that stops at `sent` was not delivered when the log shows
/// delivered messages; in a log that shows none (every row `sent`, say)
/// `sent` is all it can say, so it is billed as delivered and the report
/// says so.
pub fn resolve_delivery(msgs: &mut [Message], evidence: bool) {
    if evidence {
        return;
    }
    for m in msgs.iter_mut().filter(|m| m.delivery() == Delivery::Sent) {
        m.set_delivery(Delivery::Unknown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::phone::E164;
    use crate::model::{Category, Zone};

    fn row(line: u64, ts: i64, id: u64, d: Delivery) -> Message {
        let c = E164::from_digits_value(5511987654321);
        let mut m = Message::new(0, line, ts, Direction::Outbound, c);
        m.id_hash = id;
        m.set_delivery(d);
        m
    }

    fn merged(mut msgs: Vec<Message>, at_delivery: bool) -> (Vec<Message>, Inputs) {
        let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
        inputs.charge_at_delivery = at_delivery;
        inputs.keep_extras = true;
        merge(&mut msgs, &mut inputs);
        msgs.sort_by_key(|m| m.line);
        (msgs, inputs)
    }

    #[test]
    fn sent_then_delivered_19_days_later_is_one_message_charged_at_delivery() {
        let day = 86_400;
        let mut sent = row(2, 1000, 7, Delivery::Sent);
        sent.set_template(Some(Category::Utility));
        let rows = vec![
            row(9, 1000 + 19 * day + 5, 7, Delivery::Delivered),
            sent,
            row(12, 1000 + 19 * day + 60, 7, Delivery::Delivered),
        ];
        let (m, inputs) = merged(rows.clone(), true);
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].line, m[0].ts()), (2, 1000 + 19 * day + 5));
        assert_eq!(m[0].delivery(), Delivery::Delivered);
        assert_eq!(m[0].category(), Some(Category::Utility));
        assert_eq!(inputs.status_rows, 2);
        let lines: Vec<u32> = inputs.merged_rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [9, 12]);
        let (m, _) = merged(rows, false);
        assert_eq!(m[0].ts(), 1000, "charge-at=sent keeps the first row's time");
    }

    #[test]
    fn the_furthest_status_decides() {
        let (m, _) = merged(
            vec![
                row(2, 10, 7, Delivery::Sent),
                row(3, 20, 7, Delivery::Failed),
            ],
            true,
        );
        assert_eq!((m.len(), m[0].delivery()), (1, Delivery::Failed));
        let (m, _) = merged(
            vec![row(2, 10, 7, Delivery::Sent), row(3, 20, 8, Delivery::Sent)],
            true,
        );
        assert_eq!(m.len(), 2, "different ids stay apart");
        let (m, _) = merged(
            vec![row(2, 10, 0, Delivery::Sent), row(3, 10, 0, Delivery::Sent)],
            true,
        );
        assert_eq!(m.len(), 2, "rows without an id are never merged");
    }

    #[test]
    fn sent_means_undelivered_only_where_the_log_shows_deliveries() {
        let mut msgs = vec![row(2, 10, 1, Delivery::Sent)];
        resolve_delivery(&mut msgs, true);
        assert_eq!(msgs[0].delivery(), Delivery::Sent);
        resolve_delivery(&mut msgs, false);
        assert_eq!(msgs[0].delivery(), Delivery::Unknown);
    }
}
