//! Customers Meta names without a phone number, and group members.
//!
//! Since 2026 Meta sends a business-scoped user id (BSUID) in every
//! messages webhook, and withholds the phone number of users who adopted a
//! username (Meta, Business-scoped user IDs: "their phone number will not
//! be included in messages webhooks in some cases. Instead, their BSUID will
//! be sent in a new `user_id` field"). The Groups API bills each delivery to
//! a member at the member's rate, and a member's message opens the window
//! "between you and the entire group" (Meta, Groups API Pricing).
//!
//! A [`ContactKey`] is the 50 bits a message keeps for its customer: the
//! digits of an E.164 number (below 10^15), or, above them, a user id (the
//! country its BSUID names and a sequence number the readers hand out) or
//! a group member (a group and the member's index in it). Windows are kept
//! per key, a group's members sharing their group's.

use super::phone::E164;

/// 10^15: above every E.164 number (15 digits at most).
const SYNTHETIC_BASE: u64 = 1_000_000_000_000_000;
/// Bits of a user id's sequence number under its country.
const USER_SEQ_BITS: u32 = 36;
/// Countries `AA`..`ZZ` are 1..=676; 0 is a user id that names none.
const COUNTRIES: u64 = 677;
/// Group members start here: above every user id (677 << 36 < 2^46), and
/// a multiple of 2^[`MEMBER_BITS`], so a member's group is its key with the
/// member bits cleared.
const GROUP_BASE: u64 = SYNTHETIC_BASE + (1 << 46);
/// Bits of a member's index in its group (0: the group itself).
pub const MEMBER_BITS: u32 = 12;
const MEMBER_MASK: u64 = (1 << MEMBER_BITS) - 1;
/// Keys stay under 2^50 (the bits a message keeps).
const KEY_LIMIT: u64 = 1 << 50;
/// User ids one run can hold.
pub const MAX_USER_IDS: u64 = 1 << USER_SEQ_BITS;
/// Groups one run can hold.
pub const MAX_GROUPS: u64 = (KEY_LIMIT - GROUP_BASE) >> MEMBER_BITS;

/// A customer as a message keeps it (50 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContactKey(u64);

/// What a [`ContactKey`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Customer {
    Phone(E164),
    /// A customer known by their BSUID only: its country (ISO alpha-2),
    /// when it names one, and the readers' number for it.
    UserId {
        country: Option<[u8; 2]>,
        seq: u64,
    },
    /// A member of a group (`member` 0: the group, no member named).
    Member {
        group: u64,
        member: u16,
    },
}

impl From<E164> for ContactKey {
    fn from(n: E164) -> ContactKey {
        ContactKey(n.value())
    }
}

impl ContactKey {
    /// The key of user id number `seq` (under [`MAX_USER_IDS`]).
    pub fn user_id(country: Option<[u8; 2]>, seq: u64) -> ContactKey {
        let c = country.map_or(0, |[a, b]| {
            1 + u64::from(a.saturating_sub(b'A')) * 26 + u64::from(b.saturating_sub(b'A'))
        });
        ContactKey(SYNTHETIC_BASE + (c.min(COUNTRIES - 1) << USER_SEQ_BITS) + (seq % MAX_USER_IDS))
    }

    /// The key of member `member` of group number `group`.
    pub fn member(group: u64, member: u16) -> ContactKey {
        let m = u64::from(member) & MEMBER_MASK;
        ContactKey(GROUP_BASE + ((group % MAX_GROUPS) << MEMBER_BITS) + m)
    }

    /// Back from the bits a message keeps.
    pub fn from_value(v: u64) -> ContactKey {
        ContactKey(v)
    }

    pub fn value(self) -> u64 {
        self.0
    }

    pub fn is_phone(self) -> bool {
        self.0 < SYNTHETIC_BASE
    }

    pub fn is_group(self) -> bool {
        self.0 >= GROUP_BASE
    }

    /// The part of the key windows are kept by: a member's group.
    #[inline]
    pub fn window_part(self) -> u64 {
        if self.0 >= GROUP_BASE {
            self.0 & !MEMBER_MASK
        } else {
            self.0
        }
    }

    pub fn customer(self) -> Customer {
        let v = self.0;
        if v < SYNTHETIC_BASE {
            return Customer::Phone(E164::from_digits_value(v));
        }
        if v >= GROUP_BASE {
            let rest = v - GROUP_BASE;
            return Customer::Member {
                group: rest >> MEMBER_BITS,
                member: (rest & MEMBER_MASK) as u16,
            };
        }
        let rest = v - SYNTHETIC_BASE;
        let c = rest >> USER_SEQ_BITS;
        let country = (c > 0).then(|| {
            let i = c - 1;
            [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8]
        });
        Customer::UserId {
            country,
            seq: rest & (MAX_USER_IDS - 1),
        }
    }
}

/// A business-scoped user id as Meta writes it: an ISO country code, a
/// period and up to 256 letters and digits (`BR.1502576394655843`; a
/// parent id carries `ENT`: `US.ENT.1181...`); the first ids Meta showed
/// had no country (`user.9373...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserId<'s> {
    pub text: &'s str,
    pub country: Option<[u8; 2]>,
}

/// Longest user id accepted: Meta's 256 characters and its prefix.
const MAX_USER_ID_LEN: usize = 300;

/// Reads a user id, or `None` when `s` is not one (a phone number, say).
pub fn parse_user_id(s: &str) -> Option<UserId<'_>> {
    let s = crate::text::trim(s);
    let (head, rest) = s.split_once('.')?;
    let ok = |r: &str| {
        !r.is_empty()
            && r.len() <= MAX_USER_ID_LEN
            && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
    };
    if !ok(rest) {
        return None;
    }
    let country = match head.as_bytes() {
        [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Some([*a, *b]),
        _ if head.eq_ignore_ascii_case("user") => None,
        _ => return None,
    };
    Some(UserId { text: s, country })
}

/// Masks a user id like a number: its country and the last two
/// characters stay readable (`BR.…43`).
pub fn mask_user_id(text: &str) -> String {
    let head = text.split_once('.').map_or("", |(h, _)| h);
    let n = text.chars().count();
    let tail: String = text.chars().skip(n.saturating_sub(2)).collect();
    if n <= head.len() + 5 {
        return format!("{head}.…");
    }
    format!("{head}.…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_stay_in_50_bits() {
        let n = E164::from_digits_value(999_999_999_999_999);
        assert_eq!(ContactKey::from(n).customer(), Customer::Phone(n));
        for (country, seq) in [
            (Some(*b"BR"), 0),
            (Some(*b"ZZ"), MAX_USER_IDS - 1),
            (None, 7),
        ] {
            let k = ContactKey::user_id(country, seq);
            assert!(k.value() < KEY_LIMIT && !k.is_phone() && !k.is_group());
            assert_eq!(k.customer(), Customer::UserId { country, seq });
        }
        let last = ContactKey::member(MAX_GROUPS - 1, MEMBER_MASK as u16);
        assert!(last.value() < KEY_LIMIT && last.is_group());
        assert_eq!(
            last.customer(),
            Customer::Member {
                group: MAX_GROUPS - 1,
                member: MEMBER_MASK as u16
            }
        );
        assert!(ContactKey::user_id(Some(*b"ZZ"), MAX_USER_IDS - 1).value() < GROUP_BASE);
    }

    #[test]
    fn members_of_a_group_share_its_windows_and_groups_do_not() {
        let a = ContactKey::member(5, 1);
        let b = ContactKey::member(5, 2);
        assert_eq!(a.window_part(), b.window_part());
        assert_eq!(a.window_part(), ContactKey::member(5, 0).window_part());
        assert_ne!(a.window_part(), ContactKey::member(6, 1).window_part());
        let u = ContactKey::user_id(Some(*b"BR"), 5);
        assert_eq!(u.window_part(), u.value());
    }

    #[test]
    fn user_ids_in_meta_s_shapes() {
        let u = parse_user_id("BR.1502576394655843").unwrap();
        assert_eq!(u.country, Some(*b"BR"));
        assert_eq!(
            parse_user_id("US.ENT.11815799212886844830")
                .unwrap()
                .country,
            Some(*b"US")
        );
        assert_eq!(
            parse_user_id(" user.9373795779eb6441c8 ").unwrap().country,
            None
        );
        for not in [
            "5511987654321",
            "+55 11 98765-4321",
            "",
            "BR.",
            "br.123",
            "BR.12 3",
            "B.123",
        ] {
            assert_eq!(parse_user_id(not), None, "{not}");
        }
    }

    #[test]
    fn masks_never_show_the_id() {
        let m = mask_user_id("BR.1502576394655843");
        assert_eq!(m, "BR.…43");
        assert!(!m.contains("150257"));
        assert_eq!(mask_user_id("BR.12"), "BR.…");
        let h = crate::model::phone::hash_text(b"k", "BR.1502576394655843");
        assert!(h.starts_with("h:") && h.len() == 34);
    }
}
