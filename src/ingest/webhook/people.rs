//! Who a webhook's message is from or to: a phone number, a
//! business-scoped user id, both, or a member of a group.
//!
//! Meta, Business-scoped user IDs: incoming messages carry `from` (the
//! phone number, omitted or empty for a username adopter) and
//! `from_user_id`; statuses carry `recipient_id` ("the WhatsApp user's
//! phone number ... the group ID, if you sent the message to a group ...
//! empty") and `recipient_user_id`; the change's `contacts` pair `wa_id`
//! with `user_id` and name the user's `country_code`. Group statuses name
//! the member in `recipient_participant_id` (phone) or
//! `recipient_participant_user_id`.

use super::shape::{ChangeValue, InMessage, Status};
use super::RowError;
use crate::ingest::identities::Identities;
use crate::model::identity::{mask_user_id, parse_user_id, ContactKey, UserId};
use crate::model::phone::E164;
use crate::model::redact::quote_field;

/// One entry of a change's `contacts`.
#[derive(Debug, Clone, Copy)]
struct Contact<'v> {
    wa_id: &'v str,
    user_id: &'v str,
    country: Option<[u8; 2]>,
}

/// A change's `contacts`: who its phone numbers and user ids are.
#[derive(Debug, Default)]
pub(super) struct Contacts<'v> {
    list: Vec<Contact<'v>>,
}

impl<'v> Contacts<'v> {
    pub(super) fn of(value: &'v ChangeValue<'_>) -> Contacts<'v> {
        let list = value.contacts.0.iter().map(|c| Contact {
            wa_id: c.wa_id.get().unwrap_or(""),
            user_id: c.user_id.get().unwrap_or(""),
            country: c.profile.0.country_code.get().and_then(iso2),
        });
        Contacts {
            list: list.collect(),
        }
    }

    /// Links every contact that names both a number and a user id: Meta
    /// sends both while it shares the number.
    pub(super) fn link(&self, ids: &mut Identities) {
        for c in &self.list {
            let (Ok(n), Some(u)) = (E164::parse(c.wa_id), parse_user_id(c.user_id)) else {
                continue;
            };
            let _ = ids.customer(Some(n), Some(u));
        }
    }

    /// The country `contacts` give a user id without one of its own.
    fn country_of(&self, user_id: &str) -> Option<[u8; 2]> {
        self.list
            .iter()
            .find(|c| c.user_id == user_id)
            .and_then(|c| c.country)
    }

    /// The one contact's user id, for a status that names none itself.
    fn only_user_id(&self) -> Option<&'v str> {
        match self.list.as_slice() {
            [c] if !c.user_id.is_empty() => Some(c.user_id),
            _ => None,
        }
    }
}

fn iso2(s: &str) -> Option<[u8; 2]> {
    match s.trim().as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a.to_ascii_uppercase(), b.to_ascii_uppercase()])
        }
        _ => None,
    }
}

/// A group message's member, and the text that tells its deliveries
/// apart (Meta sends one status per member under one message id).
#[derive(Debug, Clone)]
pub(super) struct GroupPart {
    pub(super) key: String,
    /// A status of the group as a whole (`sent`, `failed`), no member.
    pub(super) whole: bool,
}

/// The sender of an inbound message (a member, in a group).
pub(super) fn sender(
    m: &InMessage<'_>,
    contacts: &Contacts<'_>,
    ids: &mut Identities,
) -> Result<ContactKey, RowError> {
    let who = person(
        ("from", m.from.get()),
        ("from_user_id", m.from_user_id.get()),
        contacts,
        ids,
    )?;
    match m.group_id.get().filter(|g| !g.is_empty()) {
        Some(g) => ids.member(g, Some(who)).map_err(|e| (Some("group_id"), e)),
        None => Ok(who),
    }
}

/// The recipient of a status, and for a group status its member.
pub(super) fn recipient(
    s: &Status<'_>,
    contacts: &Contacts<'_>,
    ids: &mut Identities,
) -> Result<(ContactKey, Option<GroupPart>), RowError> {
    if s.recipient_type.get() == Some("group") {
        return group_recipient(s, contacts, ids);
    }
    let user = s
        .recipient_user_id
        .get()
        .or_else(|| contacts.only_user_id());
    let who = person(
        ("recipient_id", s.recipient_id.get()),
        ("recipient_user_id", user),
        contacts,
        ids,
    )?;
    Ok((who, None))
}

fn group_recipient(
    s: &Status<'_>,
    contacts: &Contacts<'_>,
    ids: &mut Identities,
) -> Result<(ContactKey, Option<GroupPart>), RowError> {
    let group = s.recipient_id.get().unwrap_or("");
    if group.is_empty() {
        return Err((
            Some("recipient_id"),
            "group status without a group id".into(),
        ));
    }
    let phone = s.recipient_participant_id.get().filter(|p| !p.is_empty());
    let user = s
        .recipient_participant_user_id
        .get()
        .filter(|u| !u.is_empty());
    if phone.is_none() && user.is_none() {
        let key = ids
            .member(group, None)
            .map_err(|e| (Some("recipient_id"), e))?;
        let part = GroupPart {
            key: "group".into(),
            whole: true,
        };
        return Ok((key, Some(part)));
    }
    let who = person(
        ("recipient_participant_id", phone),
        ("recipient_participant_user_id", user),
        contacts,
        ids,
    )?;
    let key = ids
        .member(group, Some(who))
        .map_err(|e| (Some("recipient_id"), e))?;
    let part = GroupPart {
        key: format!("member {}", who.value()),
        whole: false,
    };
    Ok((key, Some(part)))
}

/// A customer from a phone field and a user id field, either of which
/// may be missing or empty; a phone field may hold a user id (a message
/// sent to one).
fn person(
    (phone_field, phone): (&'static str, Option<&str>),
    (user_field, user): (&'static str, Option<&str>),
    contacts: &Contacts<'_>,
    ids: &mut Identities,
) -> Result<ContactKey, RowError> {
    let phone = phone.map(str::trim).filter(|p| !p.is_empty());
    let mut user = match user.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => Some(parse_user_id(u).ok_or_else(|| {
            (
                Some(user_field),
                format!(
                    "{user_field} {}: not a business-scoped user id (a country code, a period and letters or digits, e.g. BR.1234567890)",
                    mask_user_id(u)
                ),
            )
        })?),
        None => None,
    };
    let number = match phone {
        Some(p) => match parse_user_id(p) {
            Some(u) => {
                user = user.or(Some(u));
                None
            }
            None => Some(E164::parse(p).map_err(|e| {
                (
                    Some(phone_field),
                    format!("{phone_field} {}: {e}", quote_field(p)),
                )
            })?),
        },
        None => None,
    };
    let user = user.map(|u| with_country(u, contacts));
    if number.is_none() && user.is_none() {
        return Err((
            Some(phone_field),
            format!("no {phone_field} and no {user_field}: the customer is unknown"),
        ));
    }
    ids.customer(number, user)
        .map_err(|e| (Some(user_field), e))
}

/// A user id without a country of its own takes the one `contacts` name.
fn with_country<'u>(u: UserId<'u>, contacts: &Contacts<'_>) -> UserId<'u> {
    UserId {
        country: u.country.or_else(|| contacts.country_of(u.text)),
        ..u
    }
}
