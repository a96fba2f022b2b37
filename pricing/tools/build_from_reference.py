#!/usr/bin/env python3
"""Regenerate wacost's bundled pricing data from the research reference.

Usage (from the repository root):

    python3 pricing/tools/build_from_reference.py [REF_RATES_DIR]   # build, then check
    python3 pricing/tools/build_from_reference.py --check            # check only

REF_RATES_DIR defaults to ../shared/reference/rates (relative to the repo root).
It must contain markets.csv, rates_{usd,eur,inr,mxn}.csv and tiers.csv, as described
in its SOURCES.md. Python 3 standard library only; output is deterministic (sorted).

Files written (all under pricing/):
    markets.csv         versioned calling-code prefix -> Meta market map (snapshots)
    calling_codes.csv   ITU-T E.164 country calling codes (embedded table below)
    rates/USD.csv, rates/EUR.csv, rates/INR.csv, rates/MXN.csv   rate cards
    tiers/INR.csv       the only complete volume-tier ladder found

No number is invented: every decimal rate is copied from the reference files, carried
from the previous card of the same currency where Meta's change log lists no change
(source text starts with "carried:"), or is the same card's utility rate for service
from 2026-10-01 (Meta's rule). Every other cell is `unknown` (Meta has a rate, no public
source gave it) or `n/a` (Meta publishes no rate: authentication-international outside
Meta's list), with a source text saying why.
"""

import argparse
import csv
import io
import os
import re
import sys
from decimal import Decimal, InvalidOperation

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRICING = os.path.join(REPO, "pricing")
DEFAULT_REF = os.path.join("..", "shared", "reference", "rates")

CATS = ["marketing", "utility", "authentication", "authentication_international", "service"]
CURRENCIES = ["USD", "EUR", "INR", "MXN"]
SERVICE_CHARGED_FROM = "2026-10-01"

# --------------------------------------------------------------------------------------
# Market map
# --------------------------------------------------------------------------------------

# The reference's first snapshot (2025-07-01) is also the best available mapping for
# earlier dates (reference SOURCES.md), so it is filed from the first CBP-era date.
FIRST_SNAPSHOT_REF = "2025-07-01"
FIRST_SNAPSHOT_OUT = "2023-06-01"

META_TABLE = "Meta pricing page 'Country calling codes' table (M-PRICING-2026-07)"
RELABEL_NOTE = (
    " [inferred: 2025-07-01 snapshot filed from 2023-06-01; reference SOURCES.md: the 2025-07 "
    "table is the best available mapping for earlier dates; pre-2025 placement not checked]"
)
NANP_OTHER_NOTE = (
    "[3P R-MARKETMAP] [inferred: Meta's 'if a country is not listed, it maps to Other' applied "
    "to this NANP area code; Meta lists no Caribbean NANP code except DO/JM/PR]"
)
KZ_NOTE = (
    "Meta change log 'Rate card updates effective October 1, 2026' (M-PRICING-2026-07): "
    "Kazakhstan standalone from 2026-10-01 [3P R-MARKETMAP] [inferred: the +76/+77 split of "
    "+7 is R-MARKETMAP's assumption; Meta's prefix rule for Kazakhstan was not found]"
)
GEO_NOTE = (
    "[3P R-MARKETMAP] [inferred: geographic placement before 2026-07-01; Meta's change log "
    "names only Poland -> Rest of Central & Eastern Europe explicitly]"
)
STANDALONE_2607 = {"HK", "HU", "PL", "QA", "RO", "SG"}
STANDALONE_2610 = {"BD", "IQ", "NP", "LK", "KZ", "KW", "MA", "OM", "UA"}


def market_source(snap, prefix, iso, market):
    if prefix.startswith("1") and len(prefix) == 4 and market == "Other":
        s = NANP_OTHER_NOTE
    elif iso == "KZ":
        s = KZ_NOTE
    elif iso == "ZW" and market == "Other":
        s = ("Meta change log (M-PRICING-2026-03, 2025-10-01): 'Zimbabwe (+263) moved from Other "
             "to Rest of Africa' [inferred: explicit Other row for an otherwise unlisted country, "
             "made from that sentence]")
    elif iso == "ZW":
        s = META_TABLE + "; in Rest of Africa from 2025-10-01 (Meta change log, M-PRICING-2026-03)"
    elif iso == "PL" and snap < "2026-07-01":
        s = (META_TABLE + "; Meta change log 2026-07-01 (M-PRICING-2026-07): Poland taken out of "
             "Rest of Central & Eastern Europe")
    elif iso in STANDALONE_2607 and snap < "2026-07-01":
        s = GEO_NOTE
    elif iso in STANDALONE_2607:
        s = META_TABLE + "; standalone from 2026-07-01 (Meta change log, M-PRICING-2026-07)"
    elif iso in STANDALONE_2610 and snap >= "2026-10-01":
        s = ("Meta change log 'Rate card updates effective October 1, 2026' (M-PRICING-2026-07): "
             "standalone from 2026-10-01")
    elif iso in STANDALONE_2610:
        s = META_TABLE + "; regional until 2026-09-30 (Meta change log)"
    elif prefix == "1":
        s = (META_TABLE + ": +1 = United States and Canada (North America); one row per prefix, "
             "country US stands for the shared +1 (CA numbers cannot be told apart without area codes)")
    else:
        s = META_TABLE
    if snap == FIRST_SNAPSHOT_OUT:
        s += RELABEL_NOTE
    return s


def build_markets(ref):
    rows = read_csv(os.path.join(ref, "markets.csv"))
    out = {}
    for r in rows:
        snap = r["effective_from"]
        if snap == FIRST_SNAPSHOT_REF:
            snap = FIRST_SNAPSHOT_OUT
        prefix, iso, market = r["calling_code_prefix"], r["iso_country"], r["market"]
        key = (snap, prefix)
        if key in out:
            # The reference lists +1 twice (CA and US, both North America). Keep one row.
            prev = out[key]
            if prev[3] != market:
                raise SystemExit(f"markets: prefix {prefix} on {snap} maps to two markets")
            if prefix != "1":
                raise SystemExit(f"markets: unexpected duplicate prefix {prefix} on {snap}")
            iso = "US"
        out[key] = (snap, prefix, iso, market, market_source(snap, prefix, iso, market))
    return [out[k] for k in sorted(out)]


# --------------------------------------------------------------------------------------
# ITU-T E.164 country calling codes (Complement to ITU-T E.164). Written from the ITU
# list; shared codes are filed under their main country (noted in the name). Canadian
# NANP area codes are deliberately not listed (prefix 1 = US/CA region, country US).
# Non-geographic codes for global services (800, 808, 870, 878, 881, 882, 883, 888, 979,
# 991) are left out: they have no ISO 3166 country and wacost's loader requires one.
# --------------------------------------------------------------------------------------
CALLING_CODES = [
    ("1", "US", "United States, Canada (NANP +1; Caribbean/territory area codes listed separately)"),
    ("1242", "BS", "Bahamas"), ("1246", "BB", "Barbados"), ("1264", "AI", "Anguilla"),
    ("1268", "AG", "Antigua and Barbuda"), ("1284", "VG", "British Virgin Islands"),
    ("1340", "VI", "United States Virgin Islands"), ("1345", "KY", "Cayman Islands"),
    ("1441", "BM", "Bermuda"), ("1473", "GD", "Grenada"), ("1649", "TC", "Turks and Caicos Islands"),
    ("1658", "JM", "Jamaica"), ("1664", "MS", "Montserrat"), ("1670", "MP", "Northern Mariana Islands"),
    ("1671", "GU", "Guam"), ("1684", "AS", "American Samoa"), ("1721", "SX", "Sint Maarten"),
    ("1758", "LC", "Saint Lucia"), ("1767", "DM", "Dominica"),
    ("1784", "VC", "Saint Vincent and the Grenadines"), ("1787", "PR", "Puerto Rico"),
    ("1809", "DO", "Dominican Republic"), ("1829", "DO", "Dominican Republic"),
    ("1849", "DO", "Dominican Republic"), ("1868", "TT", "Trinidad and Tobago"),
    ("1869", "KN", "Saint Kitts and Nevis"), ("1876", "JM", "Jamaica"), ("1939", "PR", "Puerto Rico"),
    ("20", "EG", "Egypt"), ("211", "SS", "South Sudan"),
    ("212", "MA", "Morocco (also Western Sahara)"), ("213", "DZ", "Algeria"), ("216", "TN", "Tunisia"),
    ("218", "LY", "Libya"), ("220", "GM", "Gambia"), ("221", "SN", "Senegal"), ("222", "MR", "Mauritania"),
    ("223", "ML", "Mali"), ("224", "GN", "Guinea"), ("225", "CI", "Cote d'Ivoire"),
    ("226", "BF", "Burkina Faso"), ("227", "NE", "Niger"), ("228", "TG", "Togo"), ("229", "BJ", "Benin"),
    ("230", "MU", "Mauritius"), ("231", "LR", "Liberia"), ("232", "SL", "Sierra Leone"),
    ("233", "GH", "Ghana"), ("234", "NG", "Nigeria"), ("235", "TD", "Chad"),
    ("236", "CF", "Central African Republic"), ("237", "CM", "Cameroon"), ("238", "CV", "Cabo Verde"),
    ("239", "ST", "Sao Tome and Principe"), ("240", "GQ", "Equatorial Guinea"), ("241", "GA", "Gabon"),
    ("242", "CG", "Congo"), ("243", "CD", "Democratic Republic of the Congo"), ("244", "AO", "Angola"),
    ("245", "GW", "Guinea-Bissau"), ("246", "IO", "Diego Garcia (British Indian Ocean Territory)"),
    ("247", "SH", "Ascension"), ("248", "SC", "Seychelles"), ("249", "SD", "Sudan"),
    ("250", "RW", "Rwanda"), ("251", "ET", "Ethiopia"), ("252", "SO", "Somalia"), ("253", "DJ", "Djibouti"),
    ("254", "KE", "Kenya"), ("255", "TZ", "Tanzania"), ("256", "UG", "Uganda"), ("257", "BI", "Burundi"),
    ("258", "MZ", "Mozambique"), ("260", "ZM", "Zambia"), ("261", "MG", "Madagascar"),
    ("262", "RE", "Reunion (also Mayotte)"), ("263", "ZW", "Zimbabwe"), ("264", "NA", "Namibia"),
    ("265", "MW", "Malawi"), ("266", "LS", "Lesotho"), ("267", "BW", "Botswana"), ("268", "SZ", "Eswatini"),
    ("269", "KM", "Comoros"), ("27", "ZA", "South Africa"),
    ("290", "SH", "Saint Helena, Tristan da Cunha"), ("291", "ER", "Eritrea"), ("297", "AW", "Aruba"),
    ("298", "FO", "Faroe Islands"), ("299", "GL", "Greenland"),
    ("30", "GR", "Greece"), ("31", "NL", "Netherlands"), ("32", "BE", "Belgium"), ("33", "FR", "France"),
    ("34", "ES", "Spain"), ("350", "GI", "Gibraltar"), ("351", "PT", "Portugal"),
    ("352", "LU", "Luxembourg"), ("353", "IE", "Ireland"), ("354", "IS", "Iceland"),
    ("355", "AL", "Albania"), ("356", "MT", "Malta"), ("357", "CY", "Cyprus"),
    ("358", "FI", "Finland (also Aland Islands)"), ("359", "BG", "Bulgaria"), ("36", "HU", "Hungary"),
    ("370", "LT", "Lithuania"), ("371", "LV", "Latvia"), ("372", "EE", "Estonia"),
    ("373", "MD", "Moldova"), ("374", "AM", "Armenia"), ("375", "BY", "Belarus"), ("376", "AD", "Andorra"),
    ("377", "MC", "Monaco"), ("378", "SM", "San Marino"),
    ("379", "VA", "Vatican City (assigned; Vatican numbers are in use under +39 06 698)"),
    ("380", "UA", "Ukraine"), ("381", "RS", "Serbia"), ("382", "ME", "Montenegro"),
    ("383", "XK", "Kosovo (XK: user-assigned code, no ISO 3166-1 entry)"), ("385", "HR", "Croatia"),
    ("386", "SI", "Slovenia"), ("387", "BA", "Bosnia and Herzegovina"), ("389", "MK", "North Macedonia"),
    ("39", "IT", "Italy (also Vatican City)"),
    ("40", "RO", "Romania"), ("41", "CH", "Switzerland"), ("420", "CZ", "Czechia"),
    ("421", "SK", "Slovakia"), ("423", "LI", "Liechtenstein"), ("43", "AT", "Austria"),
    ("44", "GB", "United Kingdom (also Guernsey, Isle of Man, Jersey)"), ("45", "DK", "Denmark"),
    ("46", "SE", "Sweden"), ("47", "NO", "Norway (also Svalbard and Jan Mayen)"), ("48", "PL", "Poland"),
    ("49", "DE", "Germany"),
    ("500", "FK", "Falkland Islands"), ("501", "BZ", "Belize"), ("502", "GT", "Guatemala"),
    ("503", "SV", "El Salvador"), ("504", "HN", "Honduras"), ("505", "NI", "Nicaragua"),
    ("506", "CR", "Costa Rica"), ("507", "PA", "Panama"), ("508", "PM", "Saint Pierre and Miquelon"),
    ("509", "HT", "Haiti"), ("51", "PE", "Peru"), ("52", "MX", "Mexico"), ("53", "CU", "Cuba"),
    ("54", "AR", "Argentina"), ("55", "BR", "Brazil"), ("56", "CL", "Chile"), ("57", "CO", "Colombia"),
    ("58", "VE", "Venezuela"), ("590", "GP", "Guadeloupe (also Saint Barthelemy, Saint Martin)"),
    ("591", "BO", "Bolivia"), ("592", "GY", "Guyana"), ("593", "EC", "Ecuador"),
    ("594", "GF", "French Guiana"), ("595", "PY", "Paraguay"), ("596", "MQ", "Martinique"),
    ("597", "SR", "Suriname"), ("598", "UY", "Uruguay"),
    ("599", "CW", "Curacao (also Bonaire, Sint Eustatius, Saba)"),
    ("60", "MY", "Malaysia"), ("61", "AU", "Australia (also Christmas Island, Cocos Islands)"),
    ("62", "ID", "Indonesia"), ("63", "PH", "Philippines"), ("64", "NZ", "New Zealand (also Pitcairn)"),
    ("65", "SG", "Singapore"), ("66", "TH", "Thailand"), ("670", "TL", "Timor-Leste"),
    ("672", "NF", "Australian External Territories (Norfolk Island, Antarctic bases)"),
    ("673", "BN", "Brunei Darussalam"), ("674", "NR", "Nauru"), ("675", "PG", "Papua New Guinea"),
    ("676", "TO", "Tonga"), ("677", "SB", "Solomon Islands"), ("678", "VU", "Vanuatu"), ("679", "FJ", "Fiji"),
    ("680", "PW", "Palau"), ("681", "WF", "Wallis and Futuna"), ("682", "CK", "Cook Islands"),
    ("683", "NU", "Niue"), ("685", "WS", "Samoa"), ("686", "KI", "Kiribati"), ("687", "NC", "New Caledonia"),
    ("688", "TV", "Tuvalu"), ("689", "PF", "French Polynesia"), ("690", "TK", "Tokelau"),
    ("691", "FM", "Micronesia"), ("692", "MH", "Marshall Islands"),
    ("7", "RU", "Russia"), ("76", "KZ", "Kazakhstan"), ("77", "KZ", "Kazakhstan"),
    ("81", "JP", "Japan"), ("82", "KR", "Korea, Republic of"), ("84", "VN", "Viet Nam"),
    ("850", "KP", "Korea, Democratic People's Republic of"), ("852", "HK", "Hong Kong"),
    ("853", "MO", "Macao"), ("855", "KH", "Cambodia"), ("856", "LA", "Lao PDR"), ("86", "CN", "China"),
    ("880", "BD", "Bangladesh"), ("886", "TW", "Taiwan"),
    ("90", "TR", "Turkiye"), ("91", "IN", "India"), ("92", "PK", "Pakistan"), ("93", "AF", "Afghanistan"),
    ("94", "LK", "Sri Lanka"), ("95", "MM", "Myanmar"), ("960", "MV", "Maldives"),
    ("961", "LB", "Lebanon"), ("962", "JO", "Jordan"), ("963", "SY", "Syria"), ("964", "IQ", "Iraq"),
    ("965", "KW", "Kuwait"), ("966", "SA", "Saudi Arabia"), ("967", "YE", "Yemen"), ("968", "OM", "Oman"),
    ("970", "PS", "Palestine"), ("971", "AE", "United Arab Emirates"), ("972", "IL", "Israel"),
    ("973", "BH", "Bahrain"), ("974", "QA", "Qatar"), ("975", "BT", "Bhutan"), ("976", "MN", "Mongolia"),
    ("977", "NP", "Nepal"), ("98", "IR", "Iran"),
    ("992", "TJ", "Tajikistan"), ("993", "TM", "Turkmenistan"), ("994", "AZ", "Azerbaijan"),
    ("995", "GE", "Georgia"), ("996", "KG", "Kyrgyzstan"), ("998", "UZ", "Uzbekistan"),
]

# --------------------------------------------------------------------------------------
# Rates
# --------------------------------------------------------------------------------------

FREE_SERVICE_SRC = ("Meta (M-CBP/M-PRICING): service conversations free from 2024-11-01; "
                    "non-template (service) messages free until 2026-09-30")
NA_AUTHINTL_SRC = ("Meta publishes no authentication-international rate for this market "
                   "(M-AUTHINTL list)")
SERVICE_EQ_UTIL = ("Meta (M-NONTEMPLATE): from 2026-10-01 service messages are charged at the "
                   "market's utility rate, no volume tiers; = utility on this card")

# Markets in which Meta offers an authentication-international rate, from when (M-AUTHINTL).
AUTHINTL_FROM = {"Indonesia": "2024-06-01", "India": "2024-07-01"}
for _m in ["Egypt", "Malaysia", "Nigeria", "Pakistan", "Saudi Arabia", "South Africa",
           "United Arab Emirates"]:
    AUTHINTL_FROM[_m] = "2025-02-01"
for _m in ["Bangladesh", "Iraq", "Nepal", "Sri Lanka", "Kazakhstan", "Kuwait", "Morocco", "Oman",
           "Ukraine"]:
    AUTHINTL_FROM[_m] = "2026-10-01"


def authintl_offered(market, date):
    start = AUTHINTL_FROM.get(market)
    return start is not None and start <= date


UA = ("utility", "authentication")
MK = ("marketing",)
AI = ("authentication_international",)
ALL = "*"

# Meta's change log (meta-pricing-facts.md section 1, reference SOURCES.md), plus the
# 2026-10-01 changes that only the 3P USD card shows (reference SOURCES.md conflicts 1-3).
# A value is carried to a later card only if no event below touches its market/category in
# between; otherwise the cell is `unknown` with the event as the reason.
# (date, markets, categories, text)
EVENTS = [
    ("2025-02-01", ["Egypt", "Malaysia", "Nigeria", "Pakistan", "Saudi Arabia", "South Africa",
                    "United Arab Emirates"], ("authentication",),
     "authentication lowered 2025-02-01 (M-CBP 'Updates to rate cards')"),
    ("2025-02-01", ["Egypt", "Malaysia", "Nigeria", "Pakistan", "Saudi Arabia", "South Africa",
                    "United Arab Emirates"], AI,
     "authentication-international introduced 2025-02-01 (M-AUTHINTL; M-CBP 'Updates to rate cards')"),
    ("2025-04-01", ["Egypt", "Nigeria", "Pakistan", "South Africa"], AI,
     "authentication-international lowered 2025-04-01 (M-CBP)"),
    ("2025-07-01", ALL, UA,
     "per-message pricing from 2025-07-01; utility and authentication rates lowered in several "
     "markets that Meta does not name (M-PRICING-2026-03)"),
    ("2025-07-01", ALL, AI,
     "per-message pricing from 2025-07-01 replaced the per-conversation authentication-international "
     "rate (M-PRICING-2026-03)"),
    ("2025-10-01", ["Colombia"], UA, "utility and authentication raised 2025-10-01 (M-PRICING-2026-03)"),
    ("2025-10-01", ["Argentina", "Egypt", "Saudi Arabia"], UA,
     "utility and authentication lowered 2025-10-01 (M-PRICING-2026-03)"),
    ("2025-10-01", ["Mexico"], MK, "marketing lowered 2025-10-01 (M-PRICING-2026-03)"),
    ("2025-10-01", ["United Arab Emirates"], MK, "marketing raised 2025-10-01 (M-PRICING-2026-03)"),
    ("2026-01-01", ["India"], MK, "marketing raised 2026-01-01 (M-PRICING-2026-03/-07)"),
    ("2026-01-01", ["France", "Egypt"], MK, "marketing lowered 2026-01-01 (M-PRICING-2026-03/-07)"),
    ("2026-01-01", ["North America"], UA,
     "utility and authentication lowered 2026-01-01 (M-PRICING-2026-03/-07)"),
    ("2026-04-01", ["Saudi Arabia"], MK, "marketing raised 2026-04-01 (M-PRICING-2026-03/-07)"),
    ("2026-04-01", ["India"], AI,
     "authentication-international raised 2026-04-01 (M-PRICING-2026-03/-07)"),
    ("2026-04-01", ["Pakistan"], UA,
     "utility and authentication raised 2026-04-01 (M-PRICING-2026-03/-07)"),
    ("2026-04-01", ["Turkey"], UA,
     "utility and authentication lowered 2026-04-01 (M-PRICING-2026-03/-07)"),
    ("2026-07-01", ["Hong Kong", "Hungary", "Poland", "Qatar", "Romania", "Singapore"], ALL,
     "new standalone market from 2026-07-01 (M-PRICING-2026-07 'Previous rate card updates')"),
    ("2026-07-01", ["Italy", "Spain", "United Kingdom"], MK,
     "marketing raised 2026-07-01 (M-PRICING-2026-07)"),
    ("2026-10-01", ["Bangladesh", "Iraq", "Nepal", "Sri Lanka", "Kazakhstan", "Kuwait", "Morocco",
                    "Oman", "Ukraine"], ALL,
     "new standalone market from 2026-10-01 (M-PRICING-2026-07 'Rate card updates effective "
     "October 1, 2026')"),
    ("2026-10-01", ["Pakistan", "Peru", "South Africa"], UA,
     "utility and authentication raised 2026-10-01 per R-OCT26-USD ([3P]; matches Meta's '12 markets, "
     "8 increases and 4 decreases'; reference SOURCES.md conflict 3)"),
    ("2026-10-01", ["Saudi Arabia", "United Arab Emirates", "Rest of Asia Pacific",
                    "Rest of Middle East"], MK,
     "[CONFLICT] R-OCT26-USD shows a +15% marketing rise on 2026-10-01 that is not in Meta's announced "
     "list (reference SOURCES.md conflict 1); treated as a possible change"),
    ("2026-10-01", ["Mexico"], MK,
     "[CONFLICT] R-OCT26-USD Mexico marketing 0.0397 on 2026-10-01 does not square with the 2026-07 "
     "EUR/MXN/INR cards (reference SOURCES.md conflict 2); treated as a possible change"),
]


def events_for(market, cat, after, upto):
    """Events touching (market, cat) with after < date <= upto, oldest first."""
    out = []
    for date, markets, cats, text in EVENTS:
        if not (after < date <= upto):
            continue
        if markets != ALL and market not in markets:
            continue
        if cats != ALL and cat not in cats:
            continue
        out.append((date, text))
    return out


# Extra numbers that are not in the reference rates files but in meta-pricing-facts.md.
# Checked against that file's text when it is present. (currency, date, market, cat) ->
# (rate, source, text that must occur in meta-pricing-facts.md)
FACTS_4E = ("meta-pricing-facts.md section 4e: India authentication-international INR 2.4971 "
            "'INR card effective 2026-07-01, per code file' (3P)")
EXTRA = {
    ("INR", "2026-07-01", "India", "authentication_international"):
        ("2.4971", FACTS_4E, "**₹2.4971** (INR card effective 2026-07-01"),
    ("INR", "2026-04-01", "India", "authentication_international"):
        ("2.4971", "carried (backward): Meta change log lists no change for this market/category "
                   "between 2026-04-01 (raised) and 2026-07-01 | from: " + FACTS_4E,
         "**₹2.4971** (INR card effective 2026-07-01"),
}

# Cards the reference does not have but that are needed so that the card in force on every
# date covers the market map in force and does not silently keep a stale rate (e.g. a
# service rate of 0 after 2026-10-01, or a market that became standalone). Each is built
# from the previous card with the same carry rule as INR 2026-01-01/2026-10-01.
BRIDGE_CARDS = {
    "INR": ["2026-04-01", "2026-07-01"],
    "EUR": ["2026-10-01"],
    "MXN": ["2026-10-01"],
}

# Why cells of a currency's first card are unknown when no event explains it.
FIRST_CARD_GAP = {
    "MXN": ("only the Mexico row of the MXN card was found (reference rates_mxn.csv: 3P 'CSV rates "
            "Meta WhatsApp Business Platform (Mexico)'); MXN rate for this market not found in public "
            "sources"),
}

# In the USD file every gap is explained by an event; no value is carried that the
# reference did not carry (the reference already did the forward/backward carries).
CARRY = {"USD": False, "EUR": True, "INR": True, "MXN": True}


def norm_rate(s):
    s = s.strip()
    if s in ("n/a", "unknown"):
        return s
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise SystemExit(f"not a decimal: {s!r}")
    if d < 0:
        raise SystemExit(f"negative rate: {s!r}")
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def root_source(src):
    """The original source of a carried value (drop our own 'carried: ... | from:' prefix)."""
    if src.startswith("carried") and " | from: " in src:
        return src.split(" | from: ", 1)[1]
    return src


def build_rates(ref, snapshots, facts_text):
    files = {}
    for cur in CURRENCIES:
        ref_rows = read_csv(os.path.join(ref, f"rates_{cur.lower()}.csv"))
        ref_cards = {}
        for r in ref_rows:
            key = (r["market"], r["category"])
            card = ref_cards.setdefault(r["effective_from"], {})
            if key in card:
                raise SystemExit(f"{cur}: duplicate reference row {r['effective_from']} {key}")
            card[key] = (norm_rate(r["rate"]), r["source"])
        dates = sorted(set(ref_cards) | set(BRIDGE_CARDS.get(cur, [])))
        cards = {}
        prev_date = None
        for d in dates:
            markets = snapshot_markets(snapshots, d)
            rc = ref_cards.get(d, {})
            for key in rc:
                if key[0] not in markets:
                    raise SystemExit(f"{cur} {d}: reference market {key[0]!r} not in market map")
            card = {}
            deferred_service = []
            for m in sorted(markets):
                for c in CATS:
                    if (m, c) in rc:
                        card[(m, c)] = rc[(m, c)]
                        continue
                    extra = EXTRA.get((cur, d, m, c))
                    if extra:
                        rate, src, must = extra
                        if facts_text is not None and must not in facts_text:
                            raise SystemExit(f"EXTRA {cur} {d} {m} {c}: {must!r} not in facts file")
                        card[(m, c)] = (norm_rate(rate), src)
                        continue
                    if c == "authentication_international" and not authintl_offered(m, d):
                        card[(m, c)] = ("n/a", NA_AUTHINTL_SRC)
                        continue
                    if c == "service":
                        if d < SERVICE_CHARGED_FROM:
                            card[(m, c)] = ("0", FREE_SERVICE_SRC)
                        else:
                            deferred_service.append(m)
                        continue
                    card[(m, c)] = fill_gap(cur, cards.get(prev_date), prev_date, d, m, c)
            for m in deferred_service:
                util_rate, util_src = card[(m, "utility")]
                if util_rate not in ("n/a", "unknown"):
                    card[(m, "service")] = (util_rate, SERVICE_EQ_UTIL + " (" + util_src + ")")
                else:
                    card[(m, "service")] = (
                        "unknown", SERVICE_EQ_UTIL + ", and this card's utility rate is unknown ("
                        + util_src + ")")
            cards[d] = card
            prev_date = d
        rows = []
        for d in sorted(cards):
            for (m, c), (rate, src) in cards[d].items():
                rows.append((d, m, c, rate, src))
        rows.sort(key=lambda r: (r[0], r[1], CATS.index(r[2])))
        files[cur] = rows
    return files


def fill_gap(cur, prev_card, prev_date, d, m, c):
    if CARRY[cur] and prev_card is not None and (m, c) in prev_card:
        evs = events_for(m, c, prev_date, d)
        if not evs:
            rate, src = prev_card[(m, c)]
            if rate == "unknown":
                return rate, src
            if rate == "n/a":
                raise SystemExit(f"{cur} {d} {m} {c}: cannot carry n/a into an offered category")
            return rate, (f"carried: no change for this market/category listed in Meta change log "
                          f"for {d} | from: {root_source(src)}")
    evs = events_for(m, c, "0000-00-00", d)
    if evs:
        date, text = evs[-1]
        reason = f"{text}; {cur} value in force on this card not found in public sources"
        later = events_for(m, c, d, "9999-12-31")
        if cur == "USD" and later:
            reason += (f" (a later card's value is not carried back: another change is listed "
                       f"for this market/category on {later[0][0]})")
        return "unknown", reason
    if prev_card is None and cur in FIRST_CARD_GAP:
        return "unknown", FIRST_CARD_GAP[cur]
    raise SystemExit(f"{cur} {d} {m} {c}: gap with no explanation; add an event or a carry")


# --------------------------------------------------------------------------------------
# Tiers
# --------------------------------------------------------------------------------------

def build_tiers(ref):
    rows = read_csv(os.path.join(ref, "tiers.csv"))
    out = {}
    for r in rows:
        if not r["rate"].strip():
            continue  # band-only or discount-only fragment: documented in SOURCES.md
        cur = r["currency"]
        src = r["source"]
        if r["discount"].strip():
            src += f"; discount vs list rate: {r['discount'].strip()}"
        out.setdefault(cur, []).append(
            (r["effective_from"], r["market"], r["category"], str(int(r["from"])),
             str(int(r["to"])) if r["to"].strip() else "", norm_rate(r["rate"]), src))
    for cur in out:
        out[cur].sort(key=lambda t: (t[0], t[1], t[2], int(t[3])))
    return out


# --------------------------------------------------------------------------------------
# I/O helpers
# --------------------------------------------------------------------------------------

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write(buf.getvalue())


def load_snapshots(rows):
    snaps = {}
    for r in rows:
        snaps.setdefault(r["effective_from"], []).append(r)
    return snaps


def snapshot_date(snaps, date):
    ds = [s for s in snaps if s <= date]
    return max(ds) if ds else None


def snapshot_markets(snaps, date):
    s = snapshot_date(snaps, date)
    if s is None:
        raise SystemExit(f"no market snapshot in force on {date}")
    return {r["market"] if isinstance(r, dict) else r[3] for r in snaps[s]}


# --------------------------------------------------------------------------------------
# Check (reads the written files back)
# --------------------------------------------------------------------------------------

DEC_RE = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check(pricing):
    errors = []

    def err(msg):
        errors.append(msg)

    cc = read_csv(os.path.join(pricing, "calling_codes.csv"))
    codes = {}
    for r in cc:
        p = r["prefix"]
        if not p.isdigit():
            err(f"calling_codes: bad prefix {p!r}")
        if p in codes:
            err(f"calling_codes: duplicate prefix {p}")
        if not re.fullmatch(r"[A-Z]{2}", r["country"]):
            err(f"calling_codes: bad country {r['country']!r}")
        codes[p] = r["country"]
    for p in codes:  # a country code must not be a prefix of another one, except NANP/KZ splits
        for q in codes:
            if q != p and q.startswith(p) and p not in ("1", "7"):
                err(f"calling_codes: {p} is a prefix of {q}")

    def cc_lookup(digits):
        for n in range(len(digits), 0, -1):
            if digits[:n] in codes:
                return digits[:n]
        return None

    mrows = read_csv(os.path.join(pricing, "markets.csv"))
    seen = set()
    for r in mrows:
        if not DATE_RE.match(r["effective_from"]):
            err(f"markets: bad date {r['effective_from']!r}")
        key = (r["effective_from"], r["prefix"])
        if key in seen:
            err(f"markets: duplicate prefix {key}")
        seen.add(key)
        if not r["source"].strip():
            err(f"markets: empty source {key}")
        hit = cc_lookup(r["prefix"])
        if hit is None:
            err(f"markets: prefix {r['prefix']} does not start with an assigned calling code")
        elif codes[hit] != r["country"]:
            err(f"markets: {key} country {r['country']} but calling_codes says {codes[hit]} for {hit}")
    snaps = load_snapshots(mrows)
    all_markets = {r["market"] for r in mrows}

    counts = []
    rate_files = {}
    for cur in CURRENCIES:
        path = os.path.join(pricing, "rates", f"{cur}.csv")
        if not os.path.exists(path):
            err(f"missing {path}")
            continue
        rows = read_csv(path)
        rate_files[cur] = rows
        cards = {}
        for r in rows:
            d, m, c, rate = r["effective_from"], r["market"], r["category"], r["rate"]
            if not DATE_RE.match(d):
                err(f"{cur}: bad date {d!r}")
            if c not in CATS:
                err(f"{cur}: bad category {c!r}")
            if m not in all_markets:
                err(f"{cur}: market {m!r} not in markets.csv")
            if rate not in ("n/a", "unknown") and not DEC_RE.match(rate):
                err(f"{cur} {d} {m} {c}: rate {rate!r} is not a plain non-negative decimal")
            if not r["source"].strip():
                err(f"{cur} {d} {m} {c}: empty source")
            card = cards.setdefault(d, {})
            if (m, c) in card:
                err(f"{cur} {d}: duplicate row {m} / {c}")
            card[(m, c)] = rate
        for d, card in sorted(cards.items()):
            markets = snapshot_markets(snaps, d)
            want = {(m, c) for m in markets for c in CATS}
            for k in sorted(want - set(card)):
                err(f"{cur} {d}: missing {k[0]} / {k[1]}")
            for k in sorted(set(card) - want):
                err(f"{cur} {d}: {k[0]} is not a market of the map in force on {d}")
            for (m, c), rate in card.items():
                if c == "authentication_international":
                    if (rate == "n/a") == authintl_offered(m, d):
                        err(f"{cur} {d} {m}: authentication_international {rate} vs M-AUTHINTL list")
                elif rate == "n/a":
                    err(f"{cur} {d} {m} {c}: n/a only allowed for authentication_international")
                if c == "service":
                    util = card.get((m, "utility"))
                    if d < SERVICE_CHARGED_FROM and rate != "0":
                        err(f"{cur} {d} {m}: service must be 0 before {SERVICE_CHARGED_FROM}")
                    if (d >= SERVICE_CHARGED_FROM and DEC_RE.match(rate) and util
                            and DEC_RE.match(util) and Decimal(rate) != Decimal(util)):
                        err(f"{cur} {d} {m}: service {rate} != utility {util}")
            vals = list(card.values())
            counts.append((cur, d, sum(1 for v in vals if DEC_RE.match(v)),
                           vals.count("n/a"), vals.count("unknown"), len(vals)))
        # The card in force must cover the market map in force on every date from the
        # currency's first card on (not only on card dates), so no stale card is used
        # after the market map changes.
        if cards:
            first = min(cards)
            for s in sorted(snaps):
                if s <= first:
                    continue
                in_force = max(c for c in cards if c <= s)
                markets = snapshot_markets(snaps, s)
                have = {m for (m, _) in cards[in_force]}
                if have != markets:
                    err(f"{cur}: card {in_force} in force on {s} does not match the market map of {s} "
                        f"(missing {sorted(markets - have)}, extra {sorted(have - markets)})")
            if max(cards) < SERVICE_CHARGED_FROM:
                err(f"{cur}: no card from {SERVICE_CHARGED_FROM}; the last card's service=0 would apply")

    tier_dir = os.path.join(pricing, "tiers")
    for name in sorted(os.listdir(tier_dir)) if os.path.isdir(tier_dir) else []:
        if not name.endswith(".csv"):
            continue
        cur = name[:-4]
        rows = read_csv(os.path.join(tier_dir, name))
        if not rows:
            err(f"tiers/{name}: no rows (do not create empty tier files)")
        ladders = {}
        for r in rows:
            if r["market"] not in all_markets:
                err(f"tiers/{name}: market {r['market']!r} not in markets.csv")
            if r["category"] not in ("utility", "authentication", "authentication_international"):
                err(f"tiers/{name}: category {r['category']!r} has no volume tiers")
            if not DEC_RE.match(r["rate"]):
                err(f"tiers/{name}: rate {r['rate']!r} is not a plain non-negative decimal")
            ladders.setdefault((r["effective_from"], r["market"], r["category"]), []).append(r)
        for (d, m, c), bands in sorted(ladders.items()):
            bands.sort(key=lambda r: int(r["from"]))
            if int(bands[0]["from"]) != 0:
                err(f"tiers/{name} {d} {m} {c}: first band does not start at 0")
            for a, b in zip(bands, bands[1:]):
                if not a["to"] or int(a["to"]) + 1 != int(b["from"]):
                    err(f"tiers/{name} {d} {m} {c}: gap/overlap after {a['from']}-{a['to']}")
                if Decimal(b["rate"]) > Decimal(a["rate"]):
                    err(f"tiers/{name} {d} {m} {c}: rate rises with volume")
            if bands[-1]["to"]:
                err(f"tiers/{name} {d} {m} {c}: last band is bounded (ladder incomplete)")
            rows_cur = rate_files.get(cur, [])
            card_dates = [r["effective_from"] for r in rows_cur if r["effective_from"] <= d]
            if card_dates:
                cd = max(card_dates)
                lst = [r["rate"] for r in rows_cur
                       if r["effective_from"] == cd and r["market"] == m and r["category"] == c]
                if lst and DEC_RE.match(lst[0]) and Decimal(lst[0]) != Decimal(bands[0]["rate"]):
                    err(f"tiers/{name} {d} {m} {c}: first band {bands[0]['rate']} != list rate {lst[0]}")
    return errors, counts


def print_counts(counts, out=sys.stdout):
    out.write("| currency | card | decimal | n/a | unknown | rows |\n")
    out.write("|---|---|---:|---:|---:|---:|\n")
    for cur, d, dec, na, unk, tot in counts:
        out.write(f"| {cur} | {d} | {dec} | {na} | {unk} | {tot} |\n")


COUNTS_BEGIN = "<!-- counts:begin (written by build_from_reference.py) -->"
COUNTS_END = "<!-- counts:end -->"


def update_sources_table(counts):
    """Refresh the per-card counts table in pricing/SOURCES.md between its markers."""
    path = os.path.join(PRICING, "SOURCES.md")
    if not os.path.exists(path):
        return
    text = open(path, encoding="utf-8").read()
    if COUNTS_BEGIN not in text or COUNTS_END not in text:
        return
    buf = io.StringIO()
    print_counts(counts, buf)
    head, rest = text.split(COUNTS_BEGIN, 1)
    _, tail = rest.split(COUNTS_END, 1)
    new = head + COUNTS_BEGIN + "\n" + buf.getvalue() + COUNTS_END + tail
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref", nargs="?", default=DEFAULT_REF,
                    help="reference rates directory (default: ../shared/reference/rates, "
                         "relative to the repo root)")
    ap.add_argument("--check", action="store_true", help="only check the files under pricing/")
    args = ap.parse_args()

    if not args.check:
        ref = args.ref if os.path.isabs(args.ref) else os.path.normpath(os.path.join(REPO, args.ref))
        facts_path = os.path.join(os.path.dirname(ref), "meta-pricing-facts.md")
        facts_text = open(facts_path, encoding="utf-8").read() if os.path.exists(facts_path) else None
        markets = build_markets(ref)
        write_csv(os.path.join(PRICING, "markets.csv"),
                  ["effective_from", "prefix", "country", "market", "source"], markets)
        write_csv(os.path.join(PRICING, "calling_codes.csv"), ["prefix", "country", "name"],
                  sorted(CALLING_CODES))
        snaps = {}
        for row in markets:
            snaps.setdefault(row[0], []).append(row)
        rates = build_rates(ref, snaps, facts_text)
        for cur, rows in rates.items():
            write_csv(os.path.join(PRICING, "rates", f"{cur}.csv"),
                      ["effective_from", "market", "category", "rate", "source"], rows)
        for cur, rows in build_tiers(ref).items():
            write_csv(os.path.join(PRICING, "tiers", f"{cur}.csv"),
                      ["effective_from", "market", "category", "from", "to", "rate", "source"], rows)

    errors, counts = check(PRICING)
    print_counts(counts)
    if not args.check and not errors:
        update_sources_table(counts)
    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        print(f"check FAILED: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print("check OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
