"""europarl parser on the five saved European Parliament press releases (read from ../shared).

Expectations written by hand from the pages: h1.ep_title, the datePublished stamp (naive
Brussels wall-clock time), the standfirst (.ep-layout_chapo) as the lead (and not again in the
body, which follows it), the last sentence of the last .ep-a_text block, the facts list, and the
reference in the URL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from govpress.parsers.sites import europarl
from govpress.parsers.release import ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import shared_file

BRUSSELS = ZoneInfo("Europe/Brussels")
CTX = ParseContext(source_id="europarl_press_en", timezone="Europe/Brussels", languages=("en",))
ROOM = "https://www.europarl.europa.eu/news/en/press-room/"

CASES = [
    (
        "20190712IPR56948",
        "venezuela-european-parliament-calls-for-additional-sanctions",
        "Venezuela: European Parliament calls for additional sanctions",
        datetime(2019, 7, 18, 11, 37),
        2,
        "For the third time this year, the European Parliament adopted a resolution on the situation in Venezuela, "
        "expressing its deep concern at the severe state of emergency",
        "Parliament praises the efforts and solidarity shown by neighbouring countries, in particular Colombia, "
        "Ecuador and Peru and ask the Commission to continue cooperating with these countries.",
        "Full support “for legitimate interim president Juan Guaidó”",
        ["Plenary session"],
    ),
    (
        "20201217IPR94207",
        "eu-uk-relations-parliament-adopts-temporary-contingency-measures",
        "EU-UK relations: parliament adopts temporary contingency measures",
        datetime(2020, 12, 18, 17, 10),
        1,
        "On Friday, Parliament adopted measures to ensure basic road and air connections in case no agreement is "
        "reached on EU-UK future relations.",
        "They will enter into force after publication in the EU Official Journal and become applicable if a similar "
        "set of measures is adopted by the UK.",
        None,
        ["Plenary session", "Transport and Tourism", "TRAN"],
    ),
    (
        "20221014IPR43206",
        "car-recharging-stations-should-be-available-every-60-km-say-meps",
        "Car-recharging stations should be available every 60 km, say MEPs",
        datetime(2022, 10, 19, 13, 14),
        2,
        "To help the EU become climate neutral, MEPs want car-recharging stations every 60 km, hydrogen refuelling "
        "stations every 100 km and fewer emissions from ships.",
        "Parliament is now ready to start negotiations with member states.",
        "Faster roll-out of recharging stations needed on main EU roads",
        ["Plenary session", "Transport and Tourism", "TRAN"],
    ),
    (
        "20241212IPR25960",
        "ep-paves-way-for-the-use-of-eu-funds-to-finance-natural-disaster-recovery",
        "Parliament paves way for the use of EU funds to finance natural disaster recovery",
        datetime(2024, 12, 17, 13, 17),
        1,
        "Two new EU laws will offer quick EU funding for recovery measures following natural disasters that have "
        "occurred after 1 January 2024.",
        "The two proposals responded to floods and wildfires in Central, Eastern and Southern Europe in September 2024.",
        "Regional development funds can be used more flexibly for reconstruction following natural disasters",
        ["Plenary session", "Agriculture and Rural Development", "AGRI", "Employment and Social Affairs", "EMPL",
         "Regional Development", "REGI"],
    ),
    (
        "20250204IPR26689",
        "meps-georgia-s-self-proclaimed-authorities-have-no-legitimacy",
        "MEPs: Georgia’s self-proclaimed authorities have no legitimacy",
        datetime(2025, 2, 13, 12, 47),
        1,
        "MEPs call on the international community to join the boycott of Georgia’s self-proclaimed authorities, who "
        "they accuse of eroding the country’s democracy and cracking down on dissents.",
        "The country’s most recent parliamentary elections, however, were deemed neither free nor fair by the "
        "European Parliament, with MEPs calling for a re-run of the elections within the next year.",
        "Parliament recognises Salome Zourabichvili as Georgia’s legitimate president",
        ["Plenary session", "Foreign Affairs", "AFET"],
    ),
]

NOISE = ("Share this page", "Contacts:", "Press Officer", "Further information", "Product information",
         "Sign up for mail updates", "PDF version", "Parliament in your country", "(+32)", "EN - English")


@pytest.mark.parametrize(("reference", "slug", "title", "local", "offset", "first", "last", "fact", "tags"), CASES)
def test_press_release(reference, slug, title, local, offset, first, last, fact, tags):
    body = shared_file(f"pages/europarl/press-release_{reference}.html").read_bytes()
    url = f"{ROOM}{reference}/{slug}"
    release = europarl.parse(body, url, CTX)
    assert release.title == title
    assert release.published_at == local.replace(tzinfo=BRUSSELS)
    assert release.published_at.utcoffset() == timedelta(hours=offset)  # CEST in July/October, CET in winter
    assert release.language == "en"
    assert release.kind == "press_release"
    assert release.tags == tags
    body_sentences = sentences(release.body_text)
    assert release.lead == first
    assert first not in release.body_text  # the body is what follows the standfirst
    assert body_sentences[-1] == last
    if fact is None:
        assert release.subtitle is None
    else:
        assert release.subtitle.split("\n")[0] == fact
    assert release.canonical_url == url
    assert release.translation_key == f"europarl:{reference}"
    assert len(release.translations) == 23  # 24 languages, this one excluded
    assert release.translations["de"] == f"https://www.europarl.europa.eu/news/de/press-room/{reference}/{slug}"
    assert "en" not in release.translations
    for noise in NOISE:
        assert noise not in release.body_text


def test_reference_comes_from_the_page_when_the_url_has_none():
    body = shared_file("pages/europarl/press-release_20190712IPR56948.html").read_bytes()
    release = europarl.parse(body, "http://127.0.0.1:8765/shared/europarl/venezuela.html", CTX)
    assert release.translation_key == "europarl:20190712IPR56948"  # from the canonical link


def test_press_room_url_without_the_markup_is_a_parse_error():
    page = b"<html><head><title>Press room</title></head><body><h1>Press room</h1>" + b"<p>Some text here.</p>" * 300 + b"</body></html>"
    with pytest.raises(ParseError):
        europarl.parse(page, f"{ROOM}20190712IPR56948/x", CTX)
