#!/usr/bin/env python3
"""Regenerate wacost's bundled pricing data from the research reference.

Usage (from the repository root):

    python3 pricing/tools/build_from_reference.py [REF_RATES_DIR [FOUND_DIR]]   # build, then check
    python3 pricing/tools/build_from_reference.py --check                        # check only

REF_RATES_DIR defaults to ../shared/reference/rates (relative to the repo root). It must contain
markets.csv, rates_{usd,eur,inr,mxn}.csv and tiers.csv, as described in its SOURCES.md.
FOUND_DIR defaults to REF_RATES_DIR/found-2026-12 (the December 2026 research: REPORT.md,
found_values_all.csv, usd_unknown_cells_proposals.csv, the card files, source_keys.json); the build
skips it with a warning if it is absent. Python 3 standard library only; output is deterministic.

Files written (all under pricing/):
    markets.csv         versioned calling-code prefix -> Meta market map (snapshots)
    calling_codes.csv   ITU-T E.164 country calling codes (embedded table below)
    rates/<CUR>.csv     rate cards: effective_from,market,category,rate,confidence,source
                        (AED, BRL, EUR, GBP, IDR, INR, MXN, MYR, SAR, USD)
    tiers/<CUR>.csv     complete volume-tier ladders (BRL, INR, USD), with confidence
    SOURCES.md          the generated tables between its <!-- ...:begin/end --> markers

No number is invented: every decimal rate is copied from the reference or a found source
(confidence direct), carried from the previous card of the same currency where Meta's change log
lists no change (carried), or derived with the derivation in its source text (inferred: backward
carries, authentication = utility, the BRL/USD anchor, an unpinned card date). Every other cell is
`unknown` (Meta has a rate, no public source gave it; empty confidence) or `n/a` (Meta publishes no
rate: authentication-international outside Meta's list; direct), with a source text saying why.
A found value that disagrees with a bundled cell stops the build.
"""

import argparse
import csv
import io
import json
import os
import re
import sys
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRICING = os.path.join(REPO, "pricing")
DEFAULT_REF = os.path.join("..", "shared", "reference", "rates")

CATS = ["marketing", "utility", "authentication", "authentication_international", "service"]
CURRENCIES = ["USD", "EUR", "INR", "MXN"]
SERVICE_CHARGED_FROM = "2026-10-01"
RATE_HEADER = ["effective_from", "market", "category", "rate", "confidence", "source"]
TIER_HEADER = ["effective_from", "market", "category", "from", "to", "rate", "confidence", "source"]

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
     "marketing raised about 15% on 2026-10-01 per R-OCT26-USD and OCT_ES ([3P]; not in the change "
     "list seen by the project; two 3P transcriptions agree, found-2026-12 REPORT section 3)"),
    ("2026-10-01", ["Mexico"], MK,
     "marketing raised 2026-10-01 (0.0305 -> 0.0397 USD; [3P] OCT_ES, MX70983, LATAM71581, "
     "announcement quoted in C68579; found-2026-12 REPORT section 3)"),
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


def classify(rate, src):
    """Confidence of a cell built from the reference (see SOURCES.md 'confidence')."""
    if rate == "unknown":
        return ""
    if rate == "n/a":
        return "direct"  # Meta's M-AUTHINTL list
    if src.startswith("carried (backward)"):
        return "inferred"
    if src.startswith("carried"):
        return "carried"
    if "effective date inferred" in src:
        return "inferred"
    return "direct"


def carried_conf(conf):
    """A carry of a direct or carried value is carried; a carry of an inference stays inferred."""
    return "carried" if conf in ("direct", "carried") else "inferred"


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
            rate = norm_rate(r["rate"])
            card[key] = (rate, r["source"], classify(rate, r["source"]))
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
                        card[(m, c)] = (norm_rate(rate), src, classify(rate, src))
                        continue
                    if c == "authentication_international" and not authintl_offered(m, d):
                        card[(m, c)] = ("n/a", NA_AUTHINTL_SRC, "direct")
                        continue
                    if c == "service":
                        if d < SERVICE_CHARGED_FROM:
                            card[(m, c)] = ("0", FREE_SERVICE_SRC, "direct")
                        else:
                            deferred_service.append(m)
                        continue
                    card[(m, c)] = fill_gap(cur, cards.get(prev_date), prev_date, d, m, c)
            for m in deferred_service:
                card[(m, "service")] = service_from_utility(card[(m, "utility")])
            cards[d] = card
            prev_date = d
        files[cur] = cards
    return files


def service_from_utility(util):
    """Meta's rule from 2026-10-01: service = the card's utility rate, at the utility cell's level."""
    util_rate, util_src, util_conf = util
    if util_rate not in ("n/a", "unknown"):
        return (util_rate, SERVICE_EQ_UTIL + " (" + util_src + ")", util_conf)
    return ("unknown", SERVICE_EQ_UTIL + ", and this card's utility rate is unknown (" + util_src + ")",
            "")


def card_rows(cards):
    rows = []
    for d in sorted(cards):
        for (m, c), (rate, src, conf) in cards[d].items():
            rows.append((d, m, c, rate, conf, src))
    rows.sort(key=lambda r: (r[0], r[1], CATS.index(r[2])))
    return rows


def fill_gap(cur, prev_card, prev_date, d, m, c, no_source=None):
    if CARRY.get(cur, True) and prev_card is not None and (m, c) in prev_card:
        evs = events_for(m, c, prev_date, d)
        if not evs:
            rate, src, conf = prev_card[(m, c)]
            if rate == "unknown":
                return rate, src, ""
            if rate == "n/a":
                raise SystemExit(f"{cur} {d} {m} {c}: cannot carry n/a into an offered category")
            return rate, (f"carried: no change for this market/category listed in Meta change log "
                          f"for {d} | from: {root_source(src)}"), carried_conf(conf)
    evs = events_for(m, c, "0000-00-00", d)
    if evs:
        date, text = evs[-1]
        reason = f"{text}; {cur} value in force on this card not found in public sources"
        later = events_for(m, c, d, "9999-12-31")
        if cur == "USD" and later:
            reason += (f" (a later card's value is not carried back: another change is listed "
                       f"for this market/category on {later[0][0]})")
        return "unknown", reason, ""
    if no_source is not None:
        return "unknown", no_source, ""
    if prev_card is None and cur in FIRST_CARD_GAP:
        return "unknown", FIRST_CARD_GAP[cur], ""
    raise SystemExit(f"{cur} {d} {m} {c}: gap with no explanation; add an event or a carry")


# --------------------------------------------------------------------------------------
# found-2026-12: the December 2026 research (REPORT.md and its CSV files)
# --------------------------------------------------------------------------------------

FOUND = "found-2026-12"
NEW_CURRENCIES = ["BRL", "GBP", "IDR", "SAR", "AED", "MYR"]
CONFS = ("direct", "carried", "inferred")
WEAK_KEYS = {"C30005": "weak: undated file, dated by consistency (found-2026-12 REPORT section 2a)",
             "MYR": "card date not pinned (MYR cards exist from 2026-04-01)",
             "AEDHF": "weak: exact dataset path not recorded",
             "FRFACT": "3P claim without a row source"}
AUTH_EQ_UTIL = ("authentication = utility on every per-message card (3P WhaTools changes.json "
                "'2025-07-01-auth-matches-utility', quoted in code-index 70147906444; found-2026-12 "
                "REPORT section 2a), applied to this card's utility rate")
CONFLICT_TAG = "[CONFLICT: +15%/Mexico vs 2026-07 sources; see SOURCES.md]"
MX_CONFIRMED = ("[confirmed, found-2026-12 REPORT section 3: OCT_ES (code-index 70161666885) states "
                "0.0397; MX70983 'verified 24-Sep-2026 against Meta + Twilio'; LATAM71581 lists MX "
                "marketing 0.0305->0.0397 as a confirmed change; C68579 (read 2026-09-21): 'A marketing "
                "increase for Mexico is already announced effective 2026-10-01']")
RISE_SUPPORTED = ("[not in the change list seen by the project; two 3P transcriptions agree: "
                  "R-OCT26-USD and OCT_ES (code-index 70161666885), found-2026-12 REPORT section 3]")
BRL_ANCHOR = Decimal("5.147")
BRL_ANCHOR_WHY = (
    "BRL/USD anchor 5.147 reproduces all four stated BRL cells exactly (rounded half-up to 4 "
    "decimals): Brazil 0.3217 = 0.0625x5.147, 0.0350 = 0.0068x5.147 (BRL, BRL10); Argentina "
    "test fixture (code-index 59798159530, low confidence) 0.3181 = 0.0618x5.147, 0.1338 = "
    "0.026x5.147 (found-2026-12 REPORT section 7)")
NO_SOURCE = {
    "GBP": "no GBP source found for this market (found-2026-12: only GBP71361's 8 markets of the "
           "2026-07-01 card were seen); GBP rate not found in public sources",
    "IDR": "no IDR source found for this market/category (found-2026-12: only Indonesia rows were "
           "seen); IDR rate not found in public sources",
    "SAR": "no SAR source found for this market/category (found-2026-12: only Saudi Arabia rows were "
           "seen); SAR rate not found in public sources",
    "AED": "no AED source found for this market/category (found-2026-12: only UAE 2026-07 and "
           "Bangladesh 2026-10 rows were seen); AED rate not found in public sources",
    "MYR": "no MYR source found for this market/category (found-2026-12: only Malaysia marketing was "
           "seen); MYR rate not found in public sources",
    "EUR": "market not in the EUR 2026-04-01 calculator copy (EUR55141); EUR rate for this market not "
           "found in public sources",
}


def read_found_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def load_keys(found):
    with open(os.path.join(found, "source_keys.json"), encoding="utf-8") as f:
        return json.load(f)


def key_text(keys, key):
    """'KEY: description [directness]' for a source key of found-2026-12/source_keys.json."""
    k = keys[key]
    return f"{key}: {k['source']} [{k['directness']}]"


def found_row_agreement(base, found):
    """found_values_all.csv row by row against the cells built from the reference alone."""
    agree, fills, no_cell = 0, 0, 0
    for r in read_found_csv(os.path.join(found, "found_values_all.csv")):
        cell = base.get(r["currency"], {}).get(r["effective_from"], {}).get((r["market"], r["category"]))
        rate = norm_rate(r["value"])
        if cell is None:
            no_cell += 1
        elif cell[0] == "unknown":
            fills += 1
        elif cell[0] != rate:
            raise SystemExit(f"{FOUND}: {r['currency']} {r['effective_from']} {r['market']} "
                             f"{r['category']}: bundled {cell[0]} but {r['source_key']} gives {rate}")
        else:
            agree += 1
    return agree, fills, no_cell


def found_statements(found, keys):
    """Every value a source states (found_values_all.csv without the INFER_* rows):
    (currency, date, market, category) -> (rate, source key, note)."""
    out = {}
    for r in read_found_csv(os.path.join(found, "found_values_all.csv")):
        key = r["source_key"]
        if key.startswith("INFER") or keys[key]["directness"].startswith("INFERENCE"):
            continue
        cell = (r["currency"], r["effective_from"], r["market"], r["category"])
        rate = norm_rate(r["value"])
        if cell in out and out[cell][0] != rate:
            raise SystemExit(f"{FOUND}: {cell} stated as {out[cell][0]} and {rate}")
        out.setdefault(cell, (rate, key, r["note"]))
    return out


def stated_source(keys, key, note):
    src = f"[3P] {key_text(keys, key)}"
    if note:
        src += f" ({note})"
    if key in WEAK_KEYS:
        src += f" [{WEAK_KEYS[key]}]"
    return src + f" [{FOUND}]"


def agreement(base, statements):
    """Compare the stated values with the cells built from the reference alone."""
    agree, fills, no_cell = 0, 0, 0
    for (cur, d, m, c), (rate, key, _) in sorted(statements.items()):
        cell = base.get(cur, {}).get(d, {}).get((m, c))
        if cell is None:
            no_cell += 1
        elif cell[0] == "unknown":
            fills += 1
        elif cell[0] != rate:
            raise SystemExit(f"{FOUND}: {cur} {d} {m} {c}: bundled {cell[0]} but {key} states {rate}")
        else:
            agree += 1
    return agree, fills, no_cell


def fix_conflict_notes(usd):
    for d, card in usd.items():
        for (m, c), (rate, src, conf) in list(card.items()):
            if CONFLICT_TAG in src:
                note = MX_CONFIRMED if m == "Mexico" else RISE_SUPPORTED
                card[(m, c)] = (rate, src.replace(CONFLICT_TAG, note), conf)


def proposal_conf(level, basis):
    if level.startswith("3P direct"):
        return "direct"
    if level.startswith("inference"):
        return "inferred"
    raise SystemExit(f"{FOUND}: proposal level {level!r} not understood")


def apply_proposals(usd, found, keys):
    for r in read_found_csv(os.path.join(found, "usd_unknown_cells_proposals.csv")):
        d, m, c = r["effective_from"], r["market"], r["category"]
        rate, src, _ = usd[d][(m, c)]
        if rate != "unknown":
            raise SystemExit(f"{FOUND}: proposal for USD {d} {m} {c}, but the cell is {rate}")
        level, basis, value = r["level"], r["basis"], norm_rate(r["proposed"])
        if value == "unknown":
            usd[d][(m, c)] = ("unknown", src + f"; no source found by the {FOUND} research", "")
            continue
        conf = proposal_conf(level, basis)
        text = direct_proposal_source(level, basis, keys) if conf == "direct" else f"{level}: {basis}"
        usd[d][(m, c)] = (value, f"{text} [{FOUND} usd_unknown_cells_proposals.csv]", conf)


def direct_proposal_source(level, basis, keys):
    """'direct: K1, K2' expanded to the source keys' descriptions; a weak level is kept as a note."""
    if not basis.startswith("direct: "):
        raise SystemExit(f"{FOUND}: direct proposal without 'direct: KEYS': {basis!r}")
    names = [k.strip() for k in basis[len("direct: "):].split(",")]
    text = "[3P] " + "; ".join(key_text(keys, k) for k in names)
    if "weak" in level:
        text += f" [{level[len('3P direct'):].strip(' ()')}]"
    return text


def upgrade_stated(cards, cur, statements, keys):
    """A cell a dated source states is direct; a disagreement stops the build."""
    for (scur, d, m, c), (rate, key, note) in sorted(statements.items()):
        if scur != cur or d not in cards or c == "service" or key == "MYR":
            continue
        old = cards[d].get((m, c))
        if old is None:
            raise SystemExit(f"{FOUND}: {cur} {d} {m} {c} stated by {key}, not a cell of the card")
        if old[0] not in ("unknown", rate):
            raise SystemExit(f"{FOUND}: {cur} {d} {m} {c} is {old[0]} but {key} states {rate}")
        if old[2] != "direct":
            cards[d][(m, c)] = (rate, stated_source(keys, key, note), "direct")


def carry_pass(cur, cards):
    """An inferred carry whose previous card has the same direct or carried value, with no change
    listed in between, is a forward carry: carried."""
    dates = sorted(cards)
    for prev, d in zip(dates, dates[1:]):
        for (m, c), (rate, src, conf) in list(cards[d].items()):
            if conf != "inferred" or not is_carry(src):
                continue
            p = cards[prev].get((m, c))
            if p and p[0] == rate and p[2] in ("direct", "carried") and not events_for(m, c, prev, d):
                cards[d][(m, c)] = (rate, f"carried: same value on the {prev} {cur} card, no change for "
                                    f"this market/category listed in Meta change log for {d}; also: "
                                    + src, "carried")


def is_carry(src):
    head = src.split(":", 1)[0]
    return src.startswith("carried (backward)") or ("carry" in head or "bracketed" in head)


def refresh_service(cards):
    """service = utility from 2026-10-01, at the utility cell's level (Meta rule rows only)."""
    for d, card in cards.items():
        if d < SERVICE_CHARGED_FROM:
            continue
        for (m, c), cell in list(card.items()):
            if c == "service" and cell[1].startswith(SERVICE_EQ_UTIL):
                card[(m, c)] = service_from_utility(card[(m, "utility")])


def build_usd(usd, found, statements, keys):
    fix_conflict_notes(usd)
    apply_proposals(usd, found, keys)
    upgrade_stated(usd, "USD", statements, keys)
    carry_pass("USD", usd)
    refresh_service(usd)


def build_eur_2604(eur, snaps, found, keys):
    """EUR 2026-04-01 from the Meta calculator copy (EUR55141)."""
    d, nxt = "2026-04-01", "2026-07-01"
    src_rows = {r["market"]: r for r in read_found_csv(
        os.path.join(found, "eur_2026-04-01_meta_calculator.csv"))}
    card = {}
    for m in sorted(snapshot_markets(snaps, d)):
        row = src_rows.pop(m, None)
        for c in CATS:
            card[(m, c)] = eur_2604_cell(eur[nxt], row, d, nxt, m, c, keys)
    if src_rows:
        raise SystemExit(f"{FOUND}: EUR 2026-04 markets not in the map: {sorted(src_rows)}")
    eur[d] = card


def eur_2604_cell(later, row, d, nxt, m, c, keys):
    if c == "authentication_international" and not authintl_offered(m, d):
        return ("n/a", NA_AUTHINTL_SRC, "direct")
    if c == "service":
        return ("0", FREE_SERVICE_SRC, "direct")
    if row is None:
        return ("unknown", NO_SOURCE["EUR"], "")
    src = stated_source(keys, "EUR55141", "")
    if c in ("marketing", "utility"):
        rate = norm_rate(row[c])
        if not events_for(m, c, d, nxt) and later[(m, c)][0] != rate:
            raise SystemExit(f"{FOUND}: EUR {d} {m} {c} {rate} != EUR {nxt} {later[(m, c)][0]} "
                             f"with no change listed")
        return (rate, src, "direct")
    if c == "authentication":
        return (norm_rate(row["utility"]), f"inferred: {AUTH_EQ_UTIL} ({src})", "inferred")
    if events_for(m, c, d, nxt) or later[(m, c)][0] in ("unknown", "n/a"):
        return ("unknown", f"EUR auth-intl for {d} not stated by EUR55141; no later value can be "
                           "carried back", "")
    rate, lsrc, _ = later[(m, c)]
    return (rate, f"carried (backward): EUR {nxt} card value, no change for this market/category "
                  f"listed in Meta change log between {d} and {nxt} | from: {lsrc}", "inferred")


def brl_convert(usd_rate):
    return norm_rate(str((Decimal(usd_rate) * BRL_ANCHOR).quantize(Decimal("0.0001"),
                                                                   rounding=ROUND_HALF_UP)))


def check_brl_anchor(found):
    stated = {("Brazil", "marketing"): ("0.0625", "0.3217"), ("Brazil", "utility"): ("0.0068", "0.035"),
              ("Argentina", "marketing"): ("0.0618", "0.3181"),
              ("Argentina", "utility"): ("0.026", "0.1338")}
    for (m, c), (usd, brl) in stated.items():
        if brl_convert(usd) != brl:
            raise SystemExit(f"{FOUND}: BRL anchor 5.147 does not reproduce {m} {c} {brl}")
    for r in read_found_csv(os.path.join(found, "brl_brazil_2026-07_2026-10.csv")):
        for c in ("marketing", "utility", "authentication"):
            usd = stated[("Brazil", "utility" if c == "authentication" else c)][0]
            if brl_convert(usd) != norm_rate(r[c]):
                raise SystemExit(f"{FOUND}: BRL {r['effective_from']} Brazil {c} != USD x 5.147")


def build_brl(usd, found, keys):
    check_brl_anchor(found)
    brazil = {r["effective_from"]: r for r in read_found_csv(
        os.path.join(found, "brl_brazil_2026-07_2026-10.csv"))}
    cards = {}
    for d in ("2026-07-01", "2026-10-01"):
        card = {}
        for (m, c), cell in usd[d].items():
            if c != "service":
                card[(m, c)] = brl_cell(cell, brazil[d], d, m, c, keys)
        for m in {m for (m, _) in usd[d]}:
            card[(m, "service")] = brl_service(card, brazil[d], d, m, keys)
        cards[d] = card
    return cards


def brl_cell(usd_cell, brazil, d, m, c, keys):
    rate, src, conf = usd_cell
    if m == "Brazil" and c != "authentication_international":
        return (norm_rate(brazil[c]), stated_source(keys, "BRL" if d < SERVICE_CHARGED_FROM else "BRL10", ""), "direct")
    if rate == "n/a":
        return (rate, src, conf)
    if rate == "unknown":
        return ("unknown", f"BRL: the USD cell of the {d} card is unknown, so no BRL value can be "
                           f"derived (USD: {src})", "")
    note = ""
    if m == "Argentina" and c in ("marketing", "utility"):
        note = (" Argentina BRL test fixture (code-index 59798159530, low confidence) states the "
                "same value.")
    return (brl_convert(rate), f"inferred: USD {rate} ({conf}) x BRL/USD anchor 5.147, rounded half-up "
                               f"to 4 decimals; {BRL_ANCHOR_WHY}.{note} | USD source: {src}", "inferred")


def brl_service(card, brazil, d, m, keys):
    if d < SERVICE_CHARGED_FROM:
        return ("0", FREE_SERVICE_SRC, "direct")
    if m == "Brazil":
        return (norm_rate(brazil["service"]), stated_source(keys, "BRL10", ""), "direct")
    return service_from_utility(card[(m, "utility")])


def sparse_statements(found, keys):
    """(currency, date, market, category) -> (rate, src, conf) for GBP, IDR, SAR, AED, MYR."""
    out = {}
    for r in read_found_csv(os.path.join(found, "gbp_2026-07-01_partial.csv")):
        d, m = r["effective_from"], r["market"]
        src = stated_source(keys, "GBP71361", "")
        out[("GBP", d, m, "marketing")] = (norm_rate(r["marketing"]), src, "direct")
        out[("GBP", d, m, "utility")] = (norm_rate(r["utility"]), src, "direct")
        out[("GBP", d, m, "authentication")] = (norm_rate(r["utility"]),
                                                f"inferred: {AUTH_EQ_UTIL} ({src})", "inferred")
    for r in read_found_csv(os.path.join(found, "other_currency_points.csv")):
        cur = r["currency"]
        if cur not in NEW_CURRENCIES:
            continue
        key = {"IDR": "IDR", "MYR": "MYR", "SAR": "SAR"}.get(cur)
        key = key or ("AEDHF" if r["market"] == "Bangladesh" else "MEA68321")
        conf = "inferred" if cur == "MYR" else "direct"
        src = stated_source(keys, key, r["source"])
        if conf == "inferred":
            src = "inferred: card date 2026-07-01 assumed (the source does not pin it) | " + src
        out[(cur, r["effective_from"], r["market"], r["category"])] = (norm_rate(r["value"]), src, conf)
    return out


GBP_OCT = ("GBP71361: Meta's October 2026 cards keep UK, DE, FR, ES, IT, NL, Rest of WE and North "
           "America unchanged")


def build_sparse(cur, stated, snaps):
    cards, prev = {}, None
    for d in ("2026-07-01", "2026-10-01"):
        card, deferred = {}, []
        for m in sorted(snapshot_markets(snaps, d)):
            for c in CATS:
                cell = stated.get((cur, d, m, c))
                if cell:
                    card[(m, c)] = cell
                elif c == "authentication_international" and not authintl_offered(m, d):
                    card[(m, c)] = ("n/a", NA_AUTHINTL_SRC, "direct")
                elif c == "service" and d < SERVICE_CHARGED_FROM:
                    card[(m, c)] = ("0", FREE_SERVICE_SRC, "direct")
                elif c == "service":
                    deferred.append(m)
                else:
                    card[(m, c)] = sparse_gap(cur, cards.get(prev), prev, d, m, c)
        for m in deferred:
            card[(m, "service")] = service_from_utility(card[(m, "utility")])
        cards[d], prev = card, d
    return cards


def sparse_gap(cur, prev_card, prev, d, m, c):
    if prev_card is None:
        return "unknown", NO_SOURCE[cur], ""
    rate, src, conf = fill_gap(cur, prev_card, prev, d, m, c, NO_SOURCE[cur])
    if cur == "GBP" and src.startswith("carried:"):
        src = src.replace("carried: ", f"carried: {GBP_OCT}; ", 1)
    if rate == "unknown" and src != NO_SOURCE[cur]:
        src = f"{NO_SOURCE[cur]}; {src}"
    return rate, src, conf


def build_found(files, snaps, found):
    """Apply the found-2026-12 research to the cards built from the reference."""
    keys = load_keys(found)
    statements = found_statements(found, keys)
    base = {cur: {d: dict(card) for d, card in cards.items()} for cur, cards in files.items()}
    agree, fills, no_cell = agreement(base, statements)
    print(f"{FOUND}: {len(statements)} stated cells; {agree} agree with the bundled cells, {fills} fill "
          f"an unknown, {no_cell} have no bundled cell; 0 disagree")
    agree, fills, no_cell = found_row_agreement(base, found)
    print(f"{FOUND}: found_values_all.csv rows: {agree} agree with the bundled cells, {fills} fill an "
          f"unknown, {no_cell} have no bundled cell; 0 disagree")
    build_usd(files["USD"], found, statements, keys)
    build_eur_2604(files["EUR"], snaps, found, keys)
    files["BRL"] = build_brl(files["USD"], found, keys)
    stated = sparse_statements(found, keys)
    for cur in ("GBP", "IDR", "SAR", "AED", "MYR"):
        files[cur] = build_sparse(cur, stated, snaps)
    for cur, cards in files.items():
        upgrade_stated(cards, cur, statements, keys)
        refresh_service(cards)
    return files


# --------------------------------------------------------------------------------------
# Tiers
# --------------------------------------------------------------------------------------

INR_TIER_CONFLICT = "which fits the utility ladder - CONFLICT)"
INR_TIER_RESOLVED = (
    "which fits the utility ladder; resolved by INTIER (code-index 69064656504, a copy of the Meta "
    "calculator's India INR tier lists): India has two ladders, authentication from 750,001 (this one, "
    "same rates) and utility from 25,000,001 (tiers/INR.csv utility rows; found-2026-12 REPORT "
    "sections 3 and 5))")
TIER_KEYS = {"BR": "BRL", "SA": "SATIER", "AE": "AETIER", "IN": "INTIER"}
# Ladders of tiers_volume_found.csv that are filed; the others have bands without rates.
TIER_LADDERS = {("BRL", "Brazil", "utility"), ("BRL", "Brazil", "authentication"),
                ("USD", "Saudi Arabia", "utility"), ("USD", "Saudi Arabia", "authentication"),
                ("USD", "United Arab Emirates", "utility"), ("INR", "India", "utility")}


def build_tiers(ref, found):
    rows = read_csv(os.path.join(ref, "tiers.csv"))
    out = {}
    for r in rows:
        if not r["rate"].strip():
            continue  # band-only or discount-only fragment: documented in SOURCES.md
        cur = r["currency"]
        src = r["source"].replace(INR_TIER_CONFLICT, INR_TIER_RESOLVED)
        if r["discount"].strip():
            src += f"; discount vs list rate: {r['discount'].strip()}"
        out.setdefault(cur, []).append(
            (r["effective_from"], r["market"], r["category"], str(int(r["from"])),
             str(int(r["to"])) if r["to"].strip() else "", norm_rate(r["rate"]), "direct", src))
    if found is None:
        return out
    keys = load_keys(found)
    for r in read_found_csv(os.path.join(found, "tiers_volume_found.csv")):
        cur = r["currency"]
        if (cur, r["market"], r["category"]) not in TIER_LADDERS:
            continue  # incomplete ladder (band rates not recorded)
        out.setdefault(cur, []).append(found_band(r, keys))
    for cur in out:
        out[cur].sort(key=lambda t: (t[0], t[1], t[2], int(t[3])))
    return out


def found_band(r, keys):
    key = TIER_KEYS[r["source"]]
    src = f"[3P] {key_text(keys, key)}; discount vs list rate: {r['discount_vs_list']}"
    conf = "direct"
    if r["status"].startswith("rate inferred"):
        conf = "inferred"
        src = (f"inferred: band stated, rate not stated; = the same step ({r['discount_vs_list']}) of the "
               f"Saudi Arabia USD utility ladder of the same source ({r['status']}) | {src}")
    if key == "INTIER":
        src += (" [weak: undated copy, service quote 0 so before 2026-10; dated 2026-01-01 by "
                "consistency with tiers/INR.csv authentication (whats91 'Effective January 1, 2026')]")
    return (r["effective_from"], r["market"], r["category"], str(int(r["from"])),
            str(int(r["to"])) if r["to"].strip() else "", norm_rate(r["rate"]), conf,
            src + f" [{FOUND}]")


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
    completeness = []
    rate_files = {}
    rate_dir = os.path.join(pricing, "rates")
    found_curs = sorted(n[:-4] for n in os.listdir(rate_dir) if n.endswith(".csv"))
    for cur in CURRENCIES + NEW_CURRENCIES:
        if cur not in found_curs:
            err(f"missing rates/{cur}.csv")
    for cur in found_curs:
        path = os.path.join(rate_dir, f"{cur}.csv")
        rows = read_csv(path)
        if not rows or list(rows[0]) != RATE_HEADER:
            err(f"rates/{cur}.csv: header must be {','.join(RATE_HEADER)}")
            continue
        rate_files[cur] = rows
        cards = {}
        confs = {"direct": 0, "carried": 0, "inferred": 0, "unknown": 0}
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
            check_confidence(err, f"{cur} {d} {m} {c}", rate, r["confidence"], r["source"])
            level = r["confidence"] or "unknown"
            confs[level] = confs.get(level, 0) + 1
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
        completeness.append((cur, len(cards), len(rows), confs["direct"],
                             sum(1 for r in rows if r["rate"] == "n/a"), confs["carried"],
                             confs["inferred"], confs["unknown"]))

    tier_dir = os.path.join(pricing, "tiers")
    for name in sorted(os.listdir(tier_dir)) if os.path.isdir(tier_dir) else []:
        if not name.endswith(".csv"):
            continue
        cur = name[:-4]
        rows = read_csv(os.path.join(tier_dir, name))
        if not rows:
            err(f"tiers/{name}: no rows (do not create empty tier files)")
        ladders = {}
        if rows and list(rows[0]) != TIER_HEADER:
            err(f"tiers/{name}: header must be {','.join(TIER_HEADER)}")
            continue
        for r in rows:
            where = f"tiers/{name} {r['effective_from']} {r['market']} {r['category']} from {r['from']}"
            check_confidence(err, where, r["rate"], r["confidence"], r["source"])
            if r["market"] not in all_markets:
                err(f"tiers/{name}: market {r['market']!r} not in markets.csv")
            if r["category"] not in ("utility", "authentication", "authentication_international"):
                err(f"tiers/{name}: category {r['category']!r} has no volume tiers")
            if not DEC_RE.match(r["rate"]):
                err(f"tiers/{name}: rate {r['rate']!r} is not a plain non-negative decimal")
            ladders.setdefault((r["effective_from"], r["market"], r["category"]), []).append(r)
        tier_dates = sorted({k[0] for k in ladders})
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
            cd = max(card_dates) if card_dates else None
            lst = list_rate(rows_cur, cd, m, c)
            if lst is None or not DEC_RE.match(lst):
                err(f"tiers/{name} {d} {m} {c}: no decimal list rate on the {cur} card in force ({cd})")
            # The ladder stays in force until the next ladder date of this file: every card of
            # that window with a decimal list rate must start the ladder too.
            until = min([t for t in tier_dates if t > d] or ["9999-12-31"])
            for later in sorted({r["effective_from"] for r in rows_cur
                                 if (cd or "") <= r["effective_from"] < until}):
                lr = list_rate(rows_cur, later, m, c)
                if lr and DEC_RE.match(lr) and Decimal(lr) != Decimal(bands[0]["rate"]):
                    err(f"tiers/{name} {d} {m} {c}: first band {bands[0]['rate']} != list rate {lr} "
                        f"of the {cur} card {later}")
    return errors, counts, completeness


def list_rate(rows, date, market, cat):
    for r in rows:
        if r["effective_from"] == date and r["market"] == market and r["category"] == cat:
            return r["rate"]
    return None


def check_confidence(err, where, rate, conf, src):
    """confidence is direct, carried or inferred for a rate or n/a, and empty for unknown."""
    if rate == "unknown":
        if conf:
            err(f"{where}: confidence {conf!r} on an unknown cell (must be empty)")
        return
    if conf not in CONFS:
        err(f"{where}: confidence {conf!r}; accepted: {', '.join(CONFS)} (empty only for unknown)")
    elif rate == "n/a" and conf != "direct":
        err(f"{where}: n/a from Meta's M-AUTHINTL list is direct, not {conf}")
    elif conf == "inferred" and not re.search(r"infer|carr|assum", src):
        err(f"{where}: an inferred value's source must state the derivation")


def print_completeness(rows, out=sys.stdout):
    out.write("| currency | cards | cells | direct | of which n/a | carried | inferred | unknown |\n")
    out.write("|---|---:|---:|---:|---:|---:|---:|---:|\n")
    for cur, cards, cells, direct, na, carried, inferred, unknown in rows:
        out.write(f"| {cur} | {cards} | {cells} | {direct} | {na} | {carried} | {inferred} | {unknown} |\n")


def print_counts(counts, out=sys.stdout):
    out.write("| currency | card | decimal | n/a | unknown | rows |\n")
    out.write("|---|---|---:|---:|---:|---:|\n")
    for cur, d, dec, na, unk, tot in counts:
        out.write(f"| {cur} | {d} | {dec} | {na} | {unk} | {tot} |\n")


COUNTS_BEGIN = "<!-- counts:begin (written by build_from_reference.py) -->"
COUNTS_END = "<!-- counts:end -->"
COMPLETE_BEGIN = "<!-- completeness:begin (written by build_from_reference.py) -->"
COMPLETE_END = "<!-- completeness:end -->"
UNKNOWN_BEGIN = "<!-- usd-unknown:begin (written by build_from_reference.py) -->"
UNKNOWN_END = "<!-- usd-unknown:end -->"


def print_usd_unknowns(pricing, out=sys.stdout):
    rows = [r for r in read_csv(os.path.join(pricing, "rates", "USD.csv")) if r["rate"] == "unknown"]
    out.write(f"{len(rows)} cells.\n\n| card | market | category |\n|---|---|---|\n")
    for r in rows:
        out.write(f"| {r['effective_from']} | {r['market']} | {r['category']} |\n")


def replace_between(text, begin, end, body):
    if begin not in text or end not in text:
        return text
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + body + end + tail


KEYS_BEGIN = "<!-- found-keys:begin (written by build_from_reference.py) -->"
KEYS_END = "<!-- found-keys:end -->"


def print_found_keys(found, out):
    out.write("| key | source | directness |\n|---|---|---|\n")
    for key, k in load_keys(found).items():
        cell = [key, k["source"], k["directness"]]
        out.write("| " + " | ".join(c.replace("|", "\\|") for c in cell) + " |\n")


def update_sources_table(counts, completeness, found):
    """Refresh the generated tables in pricing/SOURCES.md between their markers."""
    path = os.path.join(PRICING, "SOURCES.md")
    if not os.path.exists(path):
        return
    text = open(path, encoding="utf-8").read()
    new = text
    for begin, end, write in ((COUNTS_BEGIN, COUNTS_END, lambda b: print_counts(counts, b)),
                              (COMPLETE_BEGIN, COMPLETE_END,
                               lambda b: print_completeness(completeness, b)),
                              (UNKNOWN_BEGIN, UNKNOWN_END, lambda b: print_usd_unknowns(PRICING, b)),
                              (KEYS_BEGIN, KEYS_END, lambda b: print_found_keys(found, b))):
        if begin == KEYS_BEGIN and not os.path.isdir(found):
            continue
        buf = io.StringIO()
        write(buf)
        new = replace_between(new, begin, end, buf.getvalue())
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ref", nargs="?", default=DEFAULT_REF,
                    help="reference rates directory (default: ../shared/reference/rates, "
                         "relative to the repo root)")
    ap.add_argument("found", nargs="?", default=None,
                    help="the 2026-12 research directory (default: REF/found-2026-12); "
                         "skipped with a warning if absent")
    ap.add_argument("--check", action="store_true", help="only check the files under pricing/")
    args = ap.parse_args()

    found = None
    if not args.check:
        ref = args.ref if os.path.isabs(args.ref) else os.path.normpath(os.path.join(REPO, args.ref))
        found = args.found or os.path.join(ref, FOUND)
        found = found if os.path.isabs(found) else os.path.normpath(os.path.join(REPO, found))
        build(ref, found)

    errors, counts, completeness = check(PRICING)
    print_counts(counts)
    print()
    print_completeness(completeness)
    if not args.check and not errors:
        update_sources_table(counts, completeness, found)
    if errors:
        for e in errors:
            print("ERROR:", e, file=sys.stderr)
        print(f"check FAILED: {len(errors)} error(s)", file=sys.stderr)
        return 1
    print("check OK")
    return 0


def build(ref, found):
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
    if os.path.isdir(found):
        rates = build_found(rates, snaps, found)
    else:
        print(f"warning: {found} not found; building from the reference alone", file=sys.stderr)
    for cur, cards in rates.items():
        write_csv(os.path.join(PRICING, "rates", f"{cur}.csv"), RATE_HEADER, card_rows(cards))
    for cur, rows in build_tiers(ref, found if os.path.isdir(found) else None).items():
        write_csv(os.path.join(PRICING, "tiers", f"{cur}.csv"), TIER_HEADER, rows)


if __name__ == "__main__":
    sys.exit(main())
