//! The parts of a webhook payload wacost reads, as borrowed, typed
//! structs: a payload is scanned once, strings point into the input (no
//! copy unless escaped) and everything else is skipped without building a
//! value. Every field is lenient: a value of another JSON type than
//! expected reads as absent, as a look-up in a parsed document would, so
//! a malformed message is rejected on its own, never its whole payload.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// A string field (numbers are kept as their text: timestamps are sent
/// both ways); any other JSON type reads as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Text<'a>(pub(super) Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    pub(super) fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor(PhantomData))
    }
}

struct TextVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for TextVisitor<'a> {
    type Value = Text<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Borrowed(v))))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v))))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Text(Some(Cow::Owned(v.to_string()))))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Text(None))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

/// A boolean field; any other JSON type reads as absent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Flag(pub(super) Option<bool>);

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FlagVisitor)
    }
}

struct FlagVisitor;

impl<'de> Visitor<'de> for FlagVisitor {
    type Value = Flag;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Flag, E> {
        Ok(Flag(Some(v)))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Flag, E> {
        Ok(Flag(None))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Flag, E> {
        Ok(Flag(None))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Flag, E> {
        Ok(Flag(None))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Flag, E> {
        Ok(Flag(None))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Flag, E> {
        Ok(Flag(None))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Flag, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Flag(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Flag, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Flag(None))
    }
}

/// Whether a field is there and not `null` (a `referral` object).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Present(pub(super) bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Option::<IgnoredAny>::deserialize(d)?;
        Ok(Present(v.is_some()))
    }
}

/// An object field: its struct, or the struct's default for any other JSON
/// type (`null`, a string, an array).
#[derive(Debug, Clone, Default)]
pub(super) struct Obj<T>(pub(super) T);

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ObjVisitor(PhantomData))
    }
}

struct ObjVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ObjVisitor<T> {
    type Value = Obj<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Obj)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Obj<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Obj(T::default()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Obj<T>, E> {
        Ok(Obj(T::default()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Obj<T>, E> {
        Ok(Obj(T::default()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Obj<T>, E> {
        Ok(Obj(T::default()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Obj<T>, E> {
        Ok(Obj(T::default()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Obj<T>, E> {
        Ok(Obj(T::default()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Obj<T>, E> {
        Ok(Obj(T::default()))
    }
}

/// An array field of objects: each element as [`Obj`]; any other JSON
/// type reads as empty.
#[derive(Debug, Clone)]
pub(super) struct List<T>(pub(super) Vec<T>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(1).min(64));
        while let Some(Obj(t)) = seq.next_element::<Obj<T>>()? {
            out.push(t);
        }
        Ok(List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List(Vec::new()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<List<T>, E> {
        Ok(List(Vec::new()))
    }
}

/// One webhook payload (`{"object": ..., "entry": [...]}`); `entry` is
/// `None` when the document is not a payload.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Payload<'a> {
    #[serde(borrow, default)]
    pub(super) entry: Option<List<Entry<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Entry<'a> {
    #[serde(borrow, default)]
    pub(super) id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) changes: List<Change<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Change<'a> {
    #[serde(borrow, default)]
    pub(super) field: Text<'a>,
    #[serde(borrow, default)]
    pub(super) value: Option<Obj<ChangeValue<'a>>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ChangeValue<'a> {
    #[serde(borrow, default)]
    pub(super) metadata: Obj<Metadata<'a>>,
    #[serde(borrow, default)]
    pub(super) contacts: List<ContactEntry<'a>>,
    #[serde(borrow, default)]
    pub(super) messages: List<InMessage<'a>>,
    #[serde(borrow, default)]
    pub(super) statuses: List<Status<'a>>,
    #[serde(borrow, default)]
    pub(super) calls: List<InMessage<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Metadata<'a> {
    #[serde(borrow, default)]
    pub(super) phone_number_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) display_phone_number: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ContactEntry<'a> {
    #[serde(borrow, default)]
    pub(super) wa_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) user_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) profile: Obj<Profile<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Profile<'a> {
    #[serde(borrow, default)]
    pub(super) country_code: Text<'a>,
}

/// An incoming message, or a call (`calls` webhooks share the fields read).
#[derive(Debug, Default, Deserialize)]
pub(super) struct InMessage<'a> {
    #[serde(borrow, default)]
    pub(super) id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) from: Text<'a>,
    #[serde(borrow, default)]
    pub(super) from_user_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) group_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) timestamp: Text<'a>,
    #[serde(borrow, default, rename = "type")]
    pub(super) kind: Text<'a>,
    #[serde(default)]
    pub(super) referral: Present,
    /// Calls: who placed it (`USER_INITIATED`, `BUSINESS_INITIATED`).
    #[serde(borrow, default)]
    pub(super) direction: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Status<'a> {
    #[serde(borrow, default)]
    pub(super) id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) status: Text<'a>,
    #[serde(borrow, default)]
    pub(super) timestamp: Text<'a>,
    #[serde(borrow, default)]
    pub(super) recipient_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) recipient_user_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) recipient_type: Text<'a>,
    #[serde(borrow, default)]
    pub(super) recipient_participant_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) recipient_participant_user_id: Text<'a>,
    #[serde(borrow, default)]
    pub(super) pricing: Option<Obj<Pricing<'a>>>,
    #[serde(borrow, default)]
    pub(super) conversation: Obj<Conversation<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Pricing<'a> {
    #[serde(default)]
    pub(super) billable: Flag,
    #[serde(borrow, default)]
    pub(super) pricing_model: Text<'a>,
    #[serde(borrow, default, rename = "type")]
    pub(super) kind: Text<'a>,
    #[serde(borrow, default)]
    pub(super) category: Text<'a>,
    /// Extensions providers add for max-price marketing (issue 14): the
    /// final charge (`charged_price`, `price`, YCloud's `totalPrice`), the
    /// max price (`max_price`, 360dialog's `bid_amount`) and their currency.
    #[serde(borrow, default)]
    pub(super) charged_price: Text<'a>,
    #[serde(borrow, default)]
    pub(super) price: Text<'a>,
    #[serde(borrow, default, rename = "totalPrice")]
    pub(super) total_price: Text<'a>,
    #[serde(borrow, default)]
    pub(super) max_price: Text<'a>,
    #[serde(borrow, default)]
    pub(super) bid_amount: Text<'a>,
    #[serde(borrow, default)]
    pub(super) currency: Text<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Conversation<'a> {
    #[serde(borrow, default)]
    pub(super) origin: Obj<Origin<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Origin<'a> {
    #[serde(borrow, default, rename = "type")]
    pub(super) kind: Text<'a>,
}

/// A document: a payload, or an array of payloads.
#[derive(Debug)]
pub(super) enum Document<'a> {
    One(Payload<'a>),
    Many(Vec<Payload<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Document<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DocumentVisitor(PhantomData))
    }
}

struct DocumentVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for DocumentVisitor<'a> {
    type Value = Document<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a webhook payload or an array of payloads")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Payload::deserialize(de::value::MapAccessDeserializer::new(map)).map(Document::One)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Obj(p)) = seq.next_element::<Obj<Payload<'a>>>()? {
            out.push(p);
        }
        Ok(Document::Many(out))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Document::One(Payload::default()))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Document::One(Payload::default()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Document::One(Payload::default()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Document::One(Payload::default()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Document::One(Payload::default()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Document::One(Payload::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_another_type_read_as_absent_not_as_errors() {
        let text = r#"{"entry":[{"id":7,"changes":[{"field":"messages","value":{
            "messages":[{"id":"wamid.A","from":"5511","timestamp":1790000000,"referral":null},
                        "not an object",
                        {"id":{"x":1},"timestamp":true,"referral":{"source_id":"1"}}],
            "statuses":{"oops":1},
            "contacts":[{"wa_id":"55","profile":"x"}]}}]}]}"#;
        let Document::One(p) = serde_json::from_str::<Document<'_>>(text).unwrap() else {
            panic!("one payload");
        };
        let entry = &p.entry.unwrap().0[0];
        assert_eq!(entry.id.get(), Some("7"));
        let Some(Obj(v)) = &entry.changes.0[0].value else {
            panic!("a value");
        };
        let m = &v.messages.0;
        assert_eq!(m.len(), 3);
        assert_eq!(
            (m[0].id.get(), m[0].timestamp.get()),
            (Some("wamid.A"), Some("1790000000"))
        );
        assert!(!m[0].referral.0 && m[2].referral.0);
        assert_eq!(
            (m[1].id.get(), m[2].id.get(), m[2].timestamp.get()),
            (None, None, None)
        );
        assert!(v.statuses.0.is_empty());
        assert_eq!(v.contacts.0[0].profile.0.country_code.get(), None);
    }

    #[test]
    fn a_document_is_a_payload_or_an_array_of_them() {
        let many: Document<'_> = serde_json::from_str(r#"[{"entry":[]},{"object":"x"}]"#).unwrap();
        assert!(matches!(&many, Document::Many(v) if v.len() == 2 && v[1].entry.is_none()));
        let none: Document<'_> = serde_json::from_str(r#"{"object":"x"}"#).unwrap();
        assert!(matches!(none, Document::One(Payload { entry: None })));
    }

    #[test]
    fn escaped_strings_are_owned_and_plain_ones_borrowed() {
        let m: InMessage<'_> =
            serde_json::from_str(r#"{"id":"wamid.\u0041","from":"55"}"#).unwrap();
        assert_eq!(m.id.get(), Some("wamid.A"));
        assert!(matches!(m.from.0, Some(Cow::Borrowed("55"))));
    }
}
