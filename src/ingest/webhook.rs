//! Cloud API webhook payloads, as Meta posts them: JSON Lines, a JSON array,
//! or documents one after another. Inbound `messages[]` open windows;
//! outbound `statuses[]` are the business's messages, merged by message id
//! (sent, delivered, read and retries of one message count once).

mod people;
mod shape;

use std::collections::HashSet;
use std::io::BufRead;
use std::str::FromStr;

use shape::{Change, ChangeValue, Document, InMessage, Payload, Status, Text};

use super::{InputError, Inputs};
use crate::hash::{IntMap, IntSet};
use crate::ingest::toolkit::decode::strip_bom;
use crate::ingest::toolkit::timestamp::parse_timestamp;
use crate::model::identity::ContactKey;
use crate::model::redact::quote_field;
use crate::model::{Category, Delivery, Direction, InboundKind};
use crate::model::{LogPrice, Message, MetaPricing, Rejected};

pub(super) fn read(
    mut reader: Box<dyn BufRead>,
    name: &str,
    file_idx: u16,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) -> Result<(), InputError> {
    let mut text = Vec::new();
    reader
        .read_to_end(&mut text)
        .map_err(|source| InputError::Io {
            file: name.to_string(),
            source,
        })?;
    let body = strip_bom(&text);
    let line_of = LineIndex::new(body);
    // Statuses of one message may sit in different files (daily log
    // rotation): the pending messages live in `inputs` until `finish`.
    let held = std::mem::take(&mut inputs.webhook);
    let state = Collect {
        name,
        file_idx,
        outbound: held.outbound,
        order: held.order,
        inbound_ids: held.inbound_ids,
    };
    read_from(body, &line_of, state, inputs, out, rejected);
    Ok(())
}

/// Outbound messages held across webhook files, merged by message id.
#[derive(Debug, Default)]
pub struct WebhookState {
    /// Fingerprint of a message id (and group member) -> its message.
    outbound: IntMap<u64, usize>,
    order: Vec<Pending>,
    inbound_ids: IntSet<u64>,
}

/// Emits every held outbound message once all inputs are read.
pub fn finish(
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) {
    let held = std::mem::take(&mut inputs.webhook);
    Collect {
        name: "",
        file_idx: 0,
        outbound: held.outbound,
        order: held.order,
        inbound_ids: held.inbound_ids,
    }
    .finish(inputs, out, rejected);
}

/// Reads every document; after invalid JSON, resumes at the next line (JSON
/// Lines): the rest of a broken document cannot be trusted.
fn read_from(
    body: &[u8],
    line_of: &LineIndex,
    mut state: Collect<'_>,
    inputs: &mut Inputs,
    out: &mut dyn FnMut(Message),
    rejected: &mut dyn FnMut(Rejected),
) {
    let mut base = 0;
    let mut sinks = Sinks { out, rejected };
    while let Some(next) = state.documents(body, base, line_of, inputs, &mut sinks) {
        base = next;
    }
    inputs.webhook = WebhookState {
        outbound: state.outbound,
        order: state.order,
        inbound_ids: state.inbound_ids,
    };
}

/// Where messages and rejected rows go.
struct Sinks<'a, 'b> {
    out: &'a mut dyn FnMut(Message),
    rejected: &'b mut dyn FnMut(Rejected),
}

fn leading_ws(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_whitespace()).count()
}

/// Byte offset -> 1-based line number.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(b: &[u8]) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            b.iter()
                .enumerate()
                .filter(|(_, &c)| c == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    fn line(&self, off: usize) -> u64 {
        self.starts.partition_point(|&s| s <= off) as u64
    }
}

/// Outbound messages are held until the input ends, so that every status
/// of a message is merged before it is priced.
struct Collect<'a> {
    name: &'a str,
    file_idx: u16,
    outbound: IntMap<u64, usize>,
    order: Vec<Pending>,
    inbound_ids: IntSet<u64>,
}

/// A change's business number and the zone index of its WABA.
#[derive(Debug, Clone, Copy)]
struct Biz {
    number: u16,
    zone: usize,
}

/// A row's error: the field and the reason.
type RowError = (Option<&'static str>, String);

#[derive(Debug)]
struct Pending {
    msg: Message,
    id: Box<str>,
    meta: Option<MetaPricing>,
    /// The charged and max prices its statuses carry (issue 14).
    price: LogPrice,
    /// Best status seen: 0 none, 1 sent, 2 failed, 3 delivered/read.
    rank: u8,
    /// The first delivered or read status: the charging instant.
    delivered_at: Option<i64>,
    /// `meta` and `category_raw` come from a delivered or read status: the
    /// pricing object that goes with the charge (Meta, Status messages: the
    /// `pricing` object is "only included with sent status, and one of
    /// either delivered or read status").
    from_delivery: bool,
    category_raw: Option<String>,
    bad: Option<RowError>,
    /// A status of a group as a whole (no member): a status update of its
    /// members' deliveries when they are in the log.
    group_whole: bool,
}

impl Pending {
    /// Merges a later status of the message.
    fn merge(&mut self, u: StatusUpdate) {
        if let Ok(ts) = u.ts {
            if self.bad.is_none() {
                self.msg.set_ts(self.msg.ts().min(ts));
                if u.rank == DELIVERED {
                    self.delivered_at = Some(self.delivered_at.map_or(ts, |t| t.min(ts)));
                }
            }
        }
        self.rank = self.rank.max(u.rank);
        match u.price {
            Ok(p) => self.price = p.or(self.price),
            Err(e) => {
                self.bad.get_or_insert(e);
            }
        }
        let delivery_pricing = u.rank == DELIVERED && u.meta.is_some() && !self.from_delivery;
        if delivery_pricing {
            self.meta = u.meta;
            self.from_delivery = true;
            if u.category_raw.is_some() {
                self.category_raw = u.category_raw;
            }
            return;
        }
        if self.category_raw.is_none() {
            self.category_raw = u.category_raw;
        }
        if self.meta.is_none() {
            self.meta = u.meta;
        }
    }

    /// How far the message got, from its best status.
    fn delivery(&self) -> Delivery {
        match self.rank {
            DELIVERED => Delivery::Delivered,
            2 => Delivery::Failed,
            1 => Delivery::Sent,
            _ => Delivery::Unknown,
        }
    }

    /// The message once every status is merged, or why it is rejected.
    fn into_message(self, inputs: &mut Inputs) -> Result<Message, RowError> {
        if let Some(bad) = self.bad {
            return Err(bad);
        }
        let delivery = self.delivery();
        let mut msg = self.msg;
        msg.set_delivery(delivery);
        if let Some(at) = self.delivered_at.filter(|_| inputs.charge_at_delivery) {
            msg.set_ts(at);
        }
        inputs.add_extra(msg.id_hash, &self.id, self.meta);
        let key = super::prices::key(msg.id_hash, msg.file, msg.line);
        inputs.prices.record(key, self.price);
        match self.category_raw.as_deref().map(meta_category) {
            Some(Some((cat, template))) => {
                msg.set_template(template.then_some(cat));
                msg.set_meta_category(true);
            }
            Some(None) => {
                let raw = self.category_raw.unwrap_or_default();
                return Err((
                    Some("pricing.category"),
                    format!(
                        "pricing category {} is not one wacost prices (accepted: {})",
                        quote_field(&raw),
                        Category::ACCEPTED
                    ),
                ));
            }
            None if msg.failed() => {}
            None => return Err((Some("pricing.category"), "no status of this message carries pricing.category or conversation.origin.type, so its category is unknown".into())),
        }
        Ok(msg)
    }
}

/// What one status says about its message.
struct StatusUpdate {
    rank: u8,
    ts: Result<i64, RowError>,
    category_raw: Option<String>,
    meta: Option<MetaPricing>,
    price: Result<LogPrice, RowError>,
}

impl StatusUpdate {
    fn of(s: &Status<'_>, inputs: &Inputs) -> StatusUpdate {
        let pricing = s.pricing.as_ref().map(|p| &p.0);
        StatusUpdate {
            rank: status_rank(s.status.get().unwrap_or("")),
            ts: timestamp(&s.timestamp, inputs),
            category_raw: category_raw(s, pricing),
            meta: pricing.map(meta_pricing),
            price: pricing.map_or(Ok(LogPrice::default()), log_price),
        }
    }
}

/// The charged and max prices a status's `pricing` object carries, as
/// providers extend it (issue 14).
fn log_price(p: &shape::Pricing<'_>) -> Result<LogPrice, RowError> {
    use super::prices::{parse_currency, parse_price};
    let read = |name: &'static str, t: &Text<'_>| {
        parse_price(t.get().unwrap_or("")).map_err(|e| (Some(name), e))
    };
    let charged = read("pricing.charged_price", &p.charged_price)?
        .or(read("pricing.price", &p.price)?)
        .or(read("pricing.totalPrice", &p.total_price)?);
    let max =
        read("pricing.max_price", &p.max_price)?.or(read("pricing.bid_amount", &p.bid_amount)?);
    let currency = parse_currency(p.currency.get().unwrap_or(""))
        .map_err(|e| (Some("pricing.currency"), e))?;
    Ok(super::prices::log_price(charged, max, currency))
}

/// The rank of a delivered status (see [`Pending::rank`]).
const DELIVERED: u8 = 3;

/// How far a status says the message got (see [`Pending::rank`]); a
/// `deleted` message was delivered first.
fn status_rank(status: &str) -> u8 {
    match status {
        "delivered" | "read" | "played" | "deleted" => DELIVERED,
        "failed" => 2,
        "sent" => 1,
        _ => 0,
    }
}

/// `pricing.category`, else the CBP `conversation.origin.type`.
fn category_raw(s: &Status<'_>, pricing: Option<&shape::Pricing<'_>>) -> Option<String> {
    pricing
        .and_then(|p| p.category.get())
        .or_else(|| s.conversation.0.origin.0.kind.get())
        .map(str::to_string)
}

fn meta_pricing(p: &shape::Pricing<'_>) -> MetaPricing {
    let text = |t: &Text<'_>| t.get().map(str::to_string);
    MetaPricing {
        billable: p.billable.0,
        pricing_model: text(&p.pricing_model),
        pricing_type: text(&p.kind),
        category: text(&p.category),
    }
}

impl Collect<'_> {
    fn reject(
        &self,
        line: u64,
        field: Option<&str>,
        reason: String,
        inputs: &mut Inputs,
        rejected: &mut dyn FnMut(Rejected),
    ) {
        inputs.rows += 1;
        rejected(Rejected {
            file: self.name.to_string(),
            line,
            field: field.map(str::to_string),
            reason,
        });
    }

    /// Reads the documents from `base` on; after invalid JSON, where to
    /// read again (the next line), if anywhere.
    fn documents(
        &mut self,
        body: &[u8],
        base: usize,
        line_of: &LineIndex,
        inputs: &mut Inputs,
        sinks: &mut Sinks<'_, '_>,
    ) -> Option<usize> {
        let mut stream =
            serde_json::Deserializer::from_slice(&body[base..]).into_iter::<Document<'_>>();
        loop {
            let start = base + stream.byte_offset();
            match stream.next() {
                None => return None,
                Some(Ok(v)) => {
                    let line = line_of.line(start + leading_ws(&body[start..]));
                    self.document(&v, line, inputs, sinks);
                }
                Some(Err(e)) => {
                    let off = base + stream.byte_offset();
                    let reason = format!("invalid JSON at byte {off}: {e}");
                    self.reject(line_of.line(off), None, reason, inputs, sinks.rejected);
                    let nl = body[off..].iter().position(|&b| b == b'\n')?;
                    return Some(off + nl + 1);
                }
            }
        }
    }

    /// A payload, or a JSON array of payloads.
    fn document(
        &mut self,
        v: &Document<'_>,
        line: u64,
        inputs: &mut Inputs,
        sinks: &mut Sinks<'_, '_>,
    ) {
        match v {
            Document::Many(items) => {
                for item in items {
                    self.payload(item, line, inputs, sinks);
                }
            }
            Document::One(v) => self.payload(v, line, inputs, sinks),
        }
    }

    fn payload(
        &mut self,
        v: &Payload<'_>,
        line: u64,
        inputs: &mut Inputs,
        sinks: &mut Sinks<'_, '_>,
    ) {
        let Some(entries) = &v.entry else {
            self.reject(line, None, "not a webhook payload: no \"entry\" array (expected {\"object\":\"whatsapp_business_account\",\"entry\":[...]})".into(), inputs, sinks.rejected);
            return;
        };
        for entry in &entries.0 {
            // The entry's id is the WABA: its zone, when it has its own.
            let zone = inputs.zone_of_waba(entry.id.get().unwrap_or(""));
            for change in &entry.changes.0 {
                self.change(change, (line, zone), inputs, sinks);
            }
        }
    }

    /// One change of an entry: the messages and statuses of a `messages`
    /// webhook; a note for a webhook of another field.
    fn change(
        &mut self,
        change: &Change<'_>,
        (line, zone): (u64, usize),
        inputs: &mut Inputs,
        sinks: &mut Sinks<'_, '_>,
    ) {
        let field = change.field.get().unwrap_or("");
        let Some(shape::Obj(value)) = &change.value else {
            return;
        };
        if field == "calls" {
            return self.calls(value, (line, zone), inputs, sinks);
        }
        if field != "messages" {
            inputs.notes.push(format!(
                "{}:{line}: skipped a webhook of field {}: it carries no messages",
                self.name,
                quote_field(field)
            ));
            return;
        }
        let Some(biz) = self.business_number(value, (line, zone), inputs, sinks.rejected) else {
            return;
        };
        let contacts = people::Contacts::of(value);
        contacts.link(&mut inputs.identities);
        for m in &value.messages.0 {
            self.message(m, (line, &contacts), biz, None, inputs, sinks);
        }
        for s in &value.statuses.0 {
            self.status(s, (line, &contacts), biz, inputs, sinks.rejected);
        }
    }

    /// A `calls` webhook: a call the user makes opens the customer service
    /// window like a message (Meta, Send messages: "When a WhatsApp user
    /// messages you or calls you, a 24-hour timer called a customer service
    /// window starts"); its events (connect, terminate) share the call id.
    fn calls(
        &mut self,
        value: &ChangeValue<'_>,
        (line, zone): (u64, usize),
        inputs: &mut Inputs,
        sinks: &mut Sinks<'_, '_>,
    ) {
        let Some(biz) = self.business_number(value, (line, zone), inputs, sinks.rejected) else {
            return;
        };
        for call in &value.calls.0 {
            let direction = call.direction.get().unwrap_or("USER_INITIATED");
            if !direction.eq_ignore_ascii_case("USER_INITIATED") {
                let note = format!("{}: skipped business-initiated calls: Meta bills calls per minute through the Calling API, which wacost does not price, and a call the business makes opens no window", self.name);
                if !inputs.notes.contains(&note) {
                    inputs.notes.push(note);
                }
                continue;
            }
            let none = people::Contacts::default();
            let call_kind = Some(InboundKind::Call);
            self.message(call, (line, &none), biz, call_kind, inputs, sinks);
        }
    }

    /// The business number the change's `metadata.phone_number_id` (else
    /// `display_phone_number`) names, with its WABA's zone.
    fn business_number(
        &self,
        value: &ChangeValue<'_>,
        (line, zone): (u64, usize),
        inputs: &mut Inputs,
        rejected: &mut dyn FnMut(Rejected),
    ) -> Option<Biz> {
        let m = &value.metadata.0;
        let biz = m
            .phone_number_id
            .get()
            .or_else(|| m.display_phone_number.get())
            .unwrap_or("");
        match inputs.business_number(biz) {
            Ok(number) => Some(Biz { number, zone }),
            Err(reason) => {
                let field = Some("metadata.phone_number_id");
                self.reject(line, field, reason, inputs, rejected);
                None
            }
        }
    }

    /// An inbound message; Meta's retries of a delivery are one message.
    fn message(
        &mut self,
        m: &InMessage<'_>,
        (line, contacts): (u64, &people::Contacts<'_>),
        biz: Biz,
        kind: Option<InboundKind>,
        inputs: &mut Inputs,
        sinks: &mut Sinks<'_, '_>,
    ) {
        if let Some(id) = m.id.get() {
            if !self.inbound_ids.insert(crate::hash::id_hash(id)) {
                inputs.merged_statuses += 1;
                return;
            }
        }
        match self.inbound(m, (line, contacts), (biz, kind), inputs) {
            Ok(msg) => {
                inputs.rows += 1;
                (sinks.out)(msg);
            }
            Err((f, reason)) => self.reject(line, f, reason, inputs, sinks.rejected),
        }
    }

    fn inbound(
        &self,
        m: &InMessage<'_>,
        (line, contacts): (u64, &people::Contacts<'_>),
        (biz, kind): (Biz, Option<InboundKind>),
        inputs: &mut Inputs,
    ) -> Result<Message, (Option<&'static str>, String)> {
        let contact = people::sender(m, contacts, &mut inputs.identities)?;
        let ts = timestamp(&m.timestamp, inputs)?;
        let mut msg = Message::new(self.file_idx, line, ts, Direction::Inbound, contact);
        msg.set_entry_point(m.referral.0);
        msg.set_inbound_kind(kind.unwrap_or(match m.kind.get() {
            Some("reaction") => InboundKind::Reaction,
            Some("system") => InboundKind::System,
            Some("call") => InboundKind::Call,
            _ => InboundKind::Message,
        }));
        msg.set_business(biz.number, biz.zone);
        let id = m.id.get().unwrap_or("");
        msg.id_hash = crate::hash::id_hash(id);
        inputs.add_extra(msg.id_hash, id, None);
        Ok(msg)
    }

    fn status(
        &mut self,
        s: &Status<'_>,
        (line, contacts): (u64, &people::Contacts<'_>),
        biz: Biz,
        inputs: &mut Inputs,
        rejected: &mut dyn FnMut(Rejected),
    ) {
        // An empty id would merge the statuses of unrelated messages.
        let Some(id) = s.id.get().filter(|id| !id.trim().is_empty()) else {
            self.reject(
                line,
                Some("id"),
                "status without message \"id\"".into(),
                inputs,
                rejected,
            );
            return;
        };
        let update = StatusUpdate::of(s, inputs);
        let who = people::recipient(s, contacts, &mut inputs.identities);
        // A group's message is one delivery per member, under one id.
        let key = match &who {
            Ok((_, Some(part))) => format!("{id}\u{1f}{}", part.key),
            _ => id.to_string(),
        };
        let key = crate::hash::id_hash(&key);
        if let Some(&i) = self.outbound.get(&key) {
            inputs.merged_statuses += 1;
            self.order[i].merge(update);
            return;
        }
        self.first_status((id, key), who, line, biz, update);
    }

    /// The first status of an outbound message: it is held until every
    /// input is read.
    fn first_status(
        &mut self,
        (id, key): (&str, u64),
        who: Result<(ContactKey, Option<people::GroupPart>), RowError>,
        line: u64,
        biz: Biz,
        u: StatusUpdate,
    ) {
        let mut bad = None;
        let (contact, group_whole) = match who {
            Ok((c, part)) => (c, part.is_some_and(|p| p.whole)),
            Err(e) => {
                bad = Some(e);
                (ContactKey::from_value(0), false)
            }
        };
        let ts = match u.ts {
            Ok(t) => t,
            Err(e) => {
                bad.get_or_insert(e);
                0
            }
        };
        let price = u.price.unwrap_or_else(|e| {
            bad.get_or_insert(e);
            LogPrice::default()
        });
        let mut msg = Message::new(self.file_idx, line, ts, Direction::Outbound, contact);
        msg.set_business(biz.number, biz.zone);
        msg.id_hash = key;
        self.outbound.insert(key, self.order.len());
        let delivered = u.rank == DELIVERED;
        self.order.push(Pending {
            msg,
            id: id.into(),
            from_delivery: delivered && u.meta.is_some(),
            meta: u.meta,
            price,
            rank: u.rank,
            delivered_at: delivered.then_some(ts),
            category_raw: u.category_raw,
            bad,
            group_whole,
        });
    }

    fn finish(
        self,
        inputs: &mut Inputs,
        out: &mut dyn FnMut(Message),
        rejected: &mut dyn FnMut(Rejected),
    ) {
        // Any delivered status makes `sent` mean "not delivered".
        inputs.delivery_evidence |= self.order.iter().any(|p| p.rank == DELIVERED);
        let delivered_to_members: HashSet<&str> = self
            .order
            .iter()
            .filter(|p| p.msg.contact().is_group() && !p.group_whole)
            .map(|p| &*p.id)
            .collect();
        let whole: Vec<bool> = self
            .order
            .iter()
            .map(|p| p.group_whole && delivered_to_members.contains(&*p.id))
            .collect();
        for (p, status_of_members) in self.order.into_iter().zip(whole) {
            if status_of_members {
                inputs.merged_statuses += 1;
                continue;
            }
            inputs.rows += 1;
            let (file, line) = (p.msg.file as usize, u64::from(p.msg.line));
            match p.into_message(inputs) {
                Ok(msg) => out(msg),
                Err((field, reason)) => rejected(Rejected {
                    file: inputs.files.get(file).cloned().unwrap_or_default(),
                    line,
                    field: field.map(str::to_string),
                    reason,
                }),
            }
        }
    }
}

/// Meta's category words -> (category, is a template).
fn meta_category(raw: &str) -> Option<(Category, bool)> {
    match raw.to_ascii_lowercase().as_str() {
        // Marketing Messages API (MM Lite) is billed at marketing rates.
        "marketing_lite" => Some((Category::Marketing, true)),
        // Groups API categories are billed as the category they name, per
        // member delivered (Meta, Groups API Pricing).
        "group_marketing" => Some((Category::Marketing, true)),
        "group_utility" => Some((Category::Utility, true)),
        "group_service" => Some((Category::Service, false)),
        // Pre-2023 CBP words and the CBP free entry point carry no category.
        "business_initiated" => None,
        "user_initiated" | "service" => Some((Category::Service, false)),
        // CBP's free entry point conversation names no template category;
        // every message in it is free, so price it as the window decides.
        "referral_conversion" => Some((Category::Service, false)),
        other => Category::from_str(other)
            .ok()
            .map(|c| (c, c != Category::Service)),
    }
}

fn timestamp(t: &Text<'_>, inputs: &Inputs) -> Result<i64, (Option<&'static str>, String)> {
    let Some(t) = t.get() else {
        return Err((Some("timestamp"), "missing \"timestamp\"".to_string()));
    };
    parse_timestamp(t, &inputs.zone).map_err(|e| (Some("timestamp"), e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::Zone;

    fn read_str(text: &str) -> (Vec<Message>, Vec<Rejected>, Inputs) {
        read_with(text, |_| {})
    }

    /// Reads `text` with inputs `setup` prepared.
    fn read_with(
        text: &str,
        setup: impl FnOnce(&mut Inputs),
    ) -> (Vec<Message>, Vec<Rejected>, Inputs) {
        let mut inputs = Inputs::new(Zone::parse("UTC").unwrap());
        inputs.keep_extras = true;
        inputs.files.push("w.jsonl".into());
        setup(&mut inputs);
        let mut msgs = Vec::new();
        let mut rej = Vec::new();
        read(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            "w.jsonl",
            0,
            &mut inputs,
            &mut |m| msgs.push(m),
            &mut |r| rej.push(r),
        )
        .unwrap();
        finish(&mut inputs, &mut |m| msgs.push(m), &mut |r| rej.push(r));
        (msgs, rej, inputs)
    }

    const STATUS: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"551130000000","phone_number_id":"109"},"statuses":[{"id":"wamid.A","status":"STATUS","timestamp":"TS","recipient_id":"5511987654321","pricing":{"billable":true,"pricing_model":"PMP","type":"regular","category":"marketing"}}]}}]}]}"#;

    fn status(st: &str, ts: &str) -> String {
        STATUS.replace("STATUS", st).replace("TS", ts)
    }

    #[test]
    fn statuses_of_one_message_count_once() {
        let text = [
            status("sent", "1790861400"),
            status("delivered", "1790861405"),
            status("read", "1790861500"),
            status("delivered", "1790861405"),
        ]
        .join("\n");
        let (m, r, inputs) = read_str(&text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m.len(), 1);
        assert_eq!(inputs.rows, 1);
        assert_eq!(inputs.merged_statuses, 3);
        // Charged at delivery: the first delivered status's time.
        assert_eq!(m[0].ts(), 1790861405);
        assert_eq!(m[0].delivery(), Delivery::Delivered);
        assert_eq!(m[0].category(), Some(Category::Marketing));
        assert!(m[0].is_template() && !m[0].failed());
        assert_eq!(
            inputs
                .extra(&m[0])
                .unwrap()
                .meta
                .as_ref()
                .unwrap()
                .pricing_type
                .as_deref(),
            Some("regular")
        );
    }

    #[test]
    fn failed_and_inbound_with_referral() {
        let inbound = r#"[{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"109"},"contacts":[{"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.IN","timestamp":"1790861000","type":"text","text":{"body":"Oi"},"referral":{"source_type":"ad","source_id":"1"}}]}}]}]}]"#;
        let text = format!("{inbound}\n{}\n", status("failed", "1790861400"));
        let (m, r, _) = read_str(&text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m.len(), 2);
        assert!(m[0].entry_point() && m[0].direction() == Direction::Inbound);
        assert!(m[1].failed());
    }

    #[test]
    fn charge_at_sent_keeps_the_first_status_time() {
        let text = [
            status("sent", "1790861400"),
            status("delivered", "1790861405"),
        ]
        .join("\n");
        let (msgs, _, _) = read_with(&text, |i| i.charge_at_delivery = false);
        assert_eq!(msgs[0].ts(), 1790861400);
    }

    #[test]
    fn the_delivered_status_pricing_object_goes_with_the_charge() {
        // Meta, Status messages: the pricing object is "only included with
        // sent status, and one of either delivered or read status".
        let sent = status("sent", "1790861400")
            .replace("\"regular\"", "\"free_customer_service\"")
            .replace("\"marketing\"", "\"utility\"");
        let text = [sent, status("delivered", "1790861405")].join("\n");
        let (m, _, inputs) = read_str(&text);
        let meta = inputs.extra(&m[0]).unwrap().meta.clone().unwrap();
        assert_eq!(meta.pricing_type.as_deref(), Some("regular"));
        assert_eq!(m[0].category(), Some(Category::Marketing));
    }

    #[test]
    fn sent_only_is_sent_and_a_delivered_status_is_the_evidence() {
        let text = [
            status("sent", "1790861400"),
            status("delivered", "1790861405").replace("wamid.A", "wamid.B"),
        ]
        .join("\n");
        let (m, _, inputs) = read_str(&text);
        assert_eq!(m[0].delivery(), Delivery::Sent);
        assert_eq!(m[1].delivery(), Delivery::Delivered);
        assert!(inputs.delivery_evidence);
        let (_, _, inputs) = read_str(&status("sent", "1790861400"));
        assert!(
            !inputs.delivery_evidence,
            "no delivered status: no evidence"
        );
    }

    #[test]
    fn a_user_call_is_an_inbound_call_and_its_events_count_once() {
        // Meta, Send messages: "When a WhatsApp user messages you or calls
        // you, a 24-hour timer called a customer service window starts."
        let call = |event: &str, dir: &str| {
            format!(
                r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"field":"calls","value":{{"messaging_product":"whatsapp","metadata":{{"phone_number_id":"109"}},"calls":[{{"id":"wacid.C1","from":"5511987654321","to":"551130000000","event":"{event}","timestamp":"1790861000","direction":"{dir}"}}]}}}}]}}]}}"#
            )
        };
        let text = [
            call("connect", "USER_INITIATED"),
            call("terminate", "USER_INITIATED"),
            call("connect", "BUSINESS_INITIATED").replace("wacid.C1", "wacid.C2"),
        ]
        .join("\n");
        let (m, r, inputs) = read_str(&text);
        assert!(r.is_empty(), "{r:?}");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].direction(), Direction::Inbound);
        assert_eq!(m[0].inbound_kind(), InboundKind::Call);
        assert_eq!(inputs.merged_statuses, 1);
        assert!(inputs
            .notes
            .iter()
            .any(|n| n.contains("business-initiated calls")));
    }

    #[test]
    fn the_entry_id_names_the_waba_and_its_zone() {
        let sp = Zone::parse("America/Sao_Paulo").unwrap();
        let text = status("delivered", "1790861400");
        let (msgs, _, inputs) = read_with(&text, |i| i.set_waba_zones(&[("1".into(), sp)]));
        assert_eq!(msgs[0].zone_index(), 1);
        assert_eq!(inputs.zone_of(&msgs[0]).name(), "America/Sao_Paulo");
        assert_eq!(
            inputs
                .business_numbers
                .name(u32::from(msgs[0].business_number())),
            "109"
        );
    }

    #[test]
    fn truncated_json_is_rejected_and_reading_goes_on() {
        let good = status("delivered", "1790861400");
        let text = format!(
            "{}\n{{\"object\":\"whatsapp_business_account\",\"entry\":[\n{}\n",
            good,
            good.replace("wamid.A", "wamid.B")
        );
        let (m, r, _) = read_str(&text);
        assert_eq!(m.len(), 2);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].line, 2);
        assert!(r[0].reason.contains("invalid JSON"));
    }

    #[test]
    fn other_fields_are_noted_not_priced() {
        let t = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{"event":"VOLUME_BASED_PRICING_TIER_UPDATE"}}]}]}"#;
        let (m, r, inputs) = read_str(t);
        assert!(m.is_empty() && r.is_empty());
        assert_eq!(inputs.notes.len(), 1);
    }

    #[test]
    fn authentication_international_with_hyphen() {
        let t = status("delivered", "1790861400")
            .replace("\"marketing\"", "\"authentication-international\"");
        let (m, _, _) = read_str(&t);
        assert_eq!(m[0].category(), Some(Category::AuthenticationInternational));
    }
}
