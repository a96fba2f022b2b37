//! Who each row's customer is, when Meta names them by a business-scoped
//! user id (BSUID) or writes to a group ([`crate::model::identity`]).
//!
//! A customer is their phone number when the log shows it, else their
//! BSUID. Meta sends both while the number is known ("If a user has not
//! adopted a username, messages webhooks will include both their phone
//! number and their BSUID", Meta, Business-scoped user IDs), so a row with
//! both links them: rows of the id alone read afterwards are the phone's
//! customer at once; rows read before the link are moved to the phone
//! when the log is held in memory ([`Identities::relink`]), and a streamed
//! run starts over in memory when that happens ([`Identities::late_link`]).

use std::collections::HashMap;
use std::sync::Arc;

use crate::hash::IntMap;
use crate::model::identity::{
    self, ContactKey, Customer, UserId, MAX_GROUPS, MAX_USER_IDS, MEMBER_BITS,
};
use crate::model::phone::E164;
use crate::model::{Message, Privacy};

/// Members one group can have over a run (Meta allows 8 at a time).
const MAX_MEMBERS: usize = (1 << MEMBER_BITS) - 1;

/// The run's user ids and groups.
#[derive(Debug, Default, Clone)]
pub struct Identities {
    /// A BSUID's text -> its customer (the phone's key once linked).
    by_user_id: HashMap<Box<str>, ContactKey>,
    /// A user id's number -> its text.
    texts: Vec<Box<str>>,
    /// User ids first read alone, later seen with a phone number.
    links: IntMap<u64, E164>,
    /// A link came after rows of the id alone were handed on.
    late: bool,
    groups: HashMap<Box<str>, u64>,
    group_texts: Vec<Box<str>>,
    /// Per group: its members' keys (member `i` at `i - 1`).
    members: Arc<Vec<Vec<ContactKey>>>,
}

impl Identities {
    /// The customer of a row that names a phone number, a user id, or
    /// both (which links them).
    pub fn customer(
        &mut self,
        phone: Option<E164>,
        user_id: Option<UserId<'_>>,
    ) -> Result<ContactKey, String> {
        match (phone, user_id) {
            (Some(p), None) => Ok(p.into()),
            (Some(p), Some(u)) => Ok(self.link(p, u)),
            (None, Some(u)) => self.user_id(u),
            (None, None) => Err("no phone number and no user id".into()),
        }
    }

    fn link(&mut self, phone: E164, u: UserId<'_>) -> ContactKey {
        match self.by_user_id.get(u.text).copied() {
            Some(k) if !k.is_phone() => {
                self.links.entry(k.value()).or_insert(phone);
                self.late = true;
            }
            Some(_) => {}
            None => {
                self.by_user_id.insert(u.text.into(), phone.into());
            }
        }
        phone.into()
    }

    fn user_id(&mut self, u: UserId<'_>) -> Result<ContactKey, String> {
        if let Some(&k) = self.by_user_id.get(u.text) {
            return Ok(k);
        }
        let seq = self.texts.len() as u64;
        if seq >= MAX_USER_IDS {
            return Err(format!("more than {MAX_USER_IDS} user ids in one run"));
        }
        let k = ContactKey::user_id(u.country, seq);
        self.texts.push(u.text.into());
        self.by_user_id.insert(u.text.into(), k);
        Ok(k)
    }

    /// The key of `member` (a customer key) in group `group` (Meta's
    /// group id), or of the group itself without one.
    pub fn member(
        &mut self,
        group: &str,
        member: Option<ContactKey>,
    ) -> Result<ContactKey, String> {
        let g = match self.groups.get(group) {
            Some(&g) => g,
            None => {
                let g = self.group_texts.len() as u64;
                if g >= MAX_GROUPS {
                    return Err(format!("more than {MAX_GROUPS} groups in one run"));
                }
                self.groups.insert(group.into(), g);
                self.group_texts.push(group.into());
                Arc::make_mut(&mut self.members).push(Vec::new());
                g
            }
        };
        let Some(member) = member else {
            return Ok(ContactKey::member(g, 0));
        };
        let list = &mut Arc::make_mut(&mut self.members)[g as usize];
        let i = match list.iter().position(|&k| k == member) {
            Some(i) => i,
            None if list.len() < MAX_MEMBERS => {
                list.push(member);
                list.len() - 1
            }
            None => {
                return Err(format!(
                    "group has more than {MAX_MEMBERS} members in one run"
                ))
            }
        };
        Ok(ContactKey::member(g, (i + 1) as u16))
    }

    /// Whether an id read alone was linked to a phone number after its
    /// rows went on: a streamed run must start over in memory.
    pub fn late_link(&self) -> bool {
        self.late
    }

    /// Moves every row of a linked user id to its phone number: the log
    /// held in memory, every row is the phone's customer whatever came
    /// first.
    pub fn relink(&mut self, msgs: &mut [Message]) {
        if self.links.is_empty() {
            return;
        }
        for m in msgs.iter_mut() {
            if let Some(&p) = self.links.get(&m.contact().value()) {
                m.set_contact(p.into());
            }
        }
        let links = &self.links;
        for list in Arc::make_mut(&mut self.members).iter_mut() {
            for k in list.iter_mut() {
                if let Some(&p) = links.get(&k.value()) {
                    *k = p.into();
                }
            }
        }
    }

    /// The members of every group, for the pricer.
    pub fn members(&self) -> Members {
        Members(Arc::clone(&self.members))
    }

    /// A customer as a person reads it: numbers and user ids masked (or
    /// hashed, or shown), a group member as `group / member`.
    pub fn render(&self, k: ContactKey, privacy: &Privacy, cc_len: usize) -> String {
        match k.customer() {
            Customer::Phone(n) => privacy.render(n, cc_len),
            Customer::UserId { seq, .. } => {
                let text = self.texts.get(seq as usize).map_or("", |t| t);
                render_text(text, privacy)
            }
            Customer::Member { group, member } => {
                let g = self.group_texts.get(group as usize).map_or("", |t| t);
                let g = format!("group {}", render_group(g, privacy));
                match self.members().get(k) {
                    Some(m) if member > 0 => format!("{g} / {}", self.render(m, privacy, cc_len)),
                    _ => g,
                }
            }
        }
    }
}

/// A user id or group id as a person reads it.
fn render_text(text: &str, privacy: &Privacy) -> String {
    match privacy {
        Privacy::Masked => identity::mask_user_id(text),
        Privacy::Full => text.to_string(),
        Privacy::Hashed(key) => crate::model::phone::hash_text(key, text),
    }
}

/// A group id as a person reads it: a group is the business's, not a
/// person's, so masked output keeps enough of its id to find it.
fn render_group(text: &str, privacy: &Privacy) -> String {
    match privacy {
        Privacy::Masked => {
            let head: String = text.chars().take(8).collect();
            format!("{head}…")
        }
        _ => render_text(text, privacy),
    }
}

/// The groups' members, shared with the pricer: a member's market is the
/// market of the customer it stands for.
#[derive(Debug, Clone, Default)]
pub struct Members(Arc<Vec<Vec<ContactKey>>>);

impl Members {
    /// The customer a group member key stands for.
    pub fn get(&self, k: ContactKey) -> Option<ContactKey> {
        match k.customer() {
            Customer::Member { group, member } => self
                .0
                .get(group as usize)?
                .get(usize::from(member).checked_sub(1)?)
                .copied(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::identity::parse_user_id;
    use crate::model::Direction;

    const PHONE: u64 = 5511987654321;

    fn uid(s: &str) -> Option<UserId<'_>> {
        parse_user_id(s)
    }

    #[test]
    fn a_user_id_seen_with_its_number_first_is_the_number() {
        let mut ids = Identities::default();
        let p = E164::from_digits_value(PHONE);
        assert_eq!(ids.customer(Some(p), uid("BR.15")).unwrap(), p.into());
        assert_eq!(ids.customer(None, uid("BR.15")).unwrap(), p.into());
        assert!(!ids.late_link());
    }

    #[test]
    fn a_user_id_seen_alone_first_moves_to_the_number_once_linked() {
        let mut ids = Identities::default();
        let p = E164::from_digits_value(PHONE);
        let alone = ids.customer(None, uid("BR.15")).unwrap();
        assert!(!alone.is_phone());
        assert_eq!(ids.customer(Some(p), uid("BR.15")).unwrap(), p.into());
        assert!(ids.late_link());
        let mut msgs = vec![Message::new(0, 2, 10, Direction::Inbound, alone)];
        ids.relink(&mut msgs);
        assert_eq!(msgs[0].contact(), p.into());
    }

    #[test]
    fn group_members_are_numbered_per_group_and_rendered_masked() {
        let mut ids = Identities::default();
        let p = E164::from_digits_value(PHONE).into();
        let a = ids.member("G1", Some(p)).unwrap();
        assert_eq!(ids.member("G1", Some(p)).unwrap(), a);
        let u = ids.customer(None, uid("AR.99887766")).unwrap();
        let b = ids.member("G1", Some(u)).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.window_part(), b.window_part());
        assert_eq!(ids.members().get(b), Some(u));
        let shown = ids.render(b, &Privacy::Masked, 2);
        assert!(shown.starts_with("group G1… / "), "{shown}");
        assert!(shown.ends_with("AR.…66"), "{shown}");
        assert!(!shown.contains("99887766"));
    }
}
