"""The generic extractor on the real saved article pages (read from ../shared, never copied here).

Every expectation below was written by hand after reading the page: the headline as the
page shows it, the publication time as the page states it (europarl gives Brussels wall-clock
time without an offset), the first and last sentence of the article text, and text from
navigation, share, contact and "further information" blocks that must not leak into the body.
If the extractor disagrees, the extractor is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from govpress.parsers import generic
from govpress.parsers.release import ParseContext
from govpress.parsers.text import sentences
from testpaths import shared_file

EP = "https://www.europarl.europa.eu/news/{lang}/press-room/{slug}"


@dataclass(frozen=True)
class Expected:
    path: str
    url: str
    timezone: str
    title: str
    published: datetime | None
    utc_offset_hours: int | None
    precision: str | None
    first_sentence: str
    last_sentence: str
    language: str
    canonical: str
    absent: tuple[str, ...]
    present: tuple[str, ...] = ()
    translations: dict[str, str] = field(default_factory=dict)
    translation_count: int = 0
    subtitle: str | None = None
    lead: str | None = None


# Text that sits around every europarl press release and is never part of it.
EP_CHROME = (
    "Share this page", "Facebook", "LinkedIn", "WhatsApp", "Contacts:", "Press Officer", "Phone number",
    "Further information", "Sign up for mail updates", "PDF version", "Product information", "Ref.:",
    "Press Releases", "Plenary session", "European Parliament |",
)

PAGES = [
    Expected(
        path="pages/europarl/press-release_20190712IPR56948.html",
        url=EP.format(lang="en", slug="20190712IPR56948/venezuela-european-parliament-calls-for-additional-sanctions"),
        timezone="Europe/Brussels",
        title="Venezuela: European Parliament calls for additional sanctions",
        published=datetime(2019, 7, 18, 11, 37),
        utc_offset_hours=2,  # CEST
        precision="second",  # datetime="2019-07-18T11:37:00" carries seconds
        first_sentence=(
            "For the third time this year, the European Parliament adopted a resolution on the situation in "
            "Venezuela, expressing its deep concern at the severe state of emergency"
        ),
        last_sentence=(
            "Parliament praises the efforts and solidarity shown by neighbouring countries, in particular "
            "Colombia, Ecuador and Peru and ask the Commission to continue cooperating with these countries."
        ),
        language="en",
        canonical=EP.format(lang="en", slug="20190712IPR56948/venezuela-european-parliament-calls-for-additional-sanctions"),
        absent=(*EP_CHROME, "Snježana", "Adopted text will be published here", "EP Multimedia Centre"),
        present=("Additional sanctions", "Humanitarian and migration crisis"),
        translations={
            "de": EP.format(lang="de", slug="20190712IPR56948/venezuela-european-parliament-calls-for-additional-sanctions"),
            "ga": EP.format(lang="ga", slug="20190712IPR56948/venezuela-european-parliament-calls-for-additional-sanctions"),
        },
        translation_count=23,  # 24 languages minus English
    ),
    Expected(
        path="pages/europarl/press-release_20201217IPR94207.html",
        url=EP.format(lang="en", slug="20201217IPR94207/eu-uk-relations-parliament-adopts-temporary-contingency-measures"),
        timezone="Europe/Brussels",
        title="EU-UK relations: parliament adopts temporary contingency measures",
        published=datetime(2020, 12, 18, 17, 10),
        utc_offset_hours=1,  # CET
        precision="second",
        first_sentence=(
            "On Friday, Parliament adopted measures to ensure basic road and air connections in case no agreement "
            "is reached on EU-UK future relations."
        ),
        last_sentence=(
            "They will enter into force after publication in the EU Official Journal and become applicable if a "
            "similar set of measures is adopted by the UK."
        ),
        language="en",
        canonical=EP.format(lang="en", slug="20201217IPR94207/eu-uk-relations-parliament-adopts-temporary-contingency-measures"),
        absent=(*EP_CHROME, "Procedure file on aviation safety", "Adopted texts (18.12.2020)"),
        # <strong>Basic air connectivity</strong>: inline markup must not add a space before the colon.
        present=("Basic air connectivity: the temporary rules", "Next steps"),
        translation_count=23,
    ),
    Expected(
        path="pages/europarl/press-release_20221014IPR43206.html",
        url=EP.format(lang="en", slug="20221014IPR43206/car-recharging-stations-should-be-available-every-60-km-say-meps"),
        timezone="Europe/Brussels",
        title="Car-recharging stations should be available every 60 km, say MEPs",  # <title> starts with newlines
        published=datetime(2022, 10, 19, 13, 14),
        utc_offset_hours=2,
        precision="second",
        first_sentence=(
            "To help the EU become climate neutral, MEPs want car-recharging stations every 60 km, hydrogen "
            "refuelling stations every 100 km and fewer emissions from ships."
        ),
        last_sentence="Parliament is now ready to start negotiations with member states.",
        language="en",
        canonical=EP.format(lang="en", slug="20221014IPR43206/car-recharging-stations-should-be-available-every-60-km-say-meps"),
        absent=(*EP_CHROME, "Live webstreaming of the press conference", "Committee on Transport and Tourism"),
        present=("Sustainable maritime fuels", "Jörgen Warborn (EPP, SE) stressed:"),
        translation_count=23,
    ),
    Expected(
        path="pages/europarl/press-release_20241212IPR25960.html",
        url=EP.format(lang="en", slug="20241212IPR25960/ep-paves-way-for-the-use-of-eu-funds-to-finance-natural-disaster-recovery"),
        timezone="Europe/Brussels",
        # The visible <h1>; og:title and <title> shorten "Parliament" to "EP".
        title="Parliament paves way for the use of EU funds to finance natural disaster recovery",
        published=datetime(2024, 12, 17, 13, 17),
        utc_offset_hours=1,
        precision="second",
        first_sentence=(
            "Two new EU laws will offer quick EU funding for recovery measures following natural disasters that "
            "have occurred after 1 January 2024."
        ),
        last_sentence=(
            "The two proposals responded to floods and wildfires in Central, Eastern and Southern Europe in "
            "September 2024."
        ),
        language="en",
        canonical=EP.format(lang="en", slug="20241212IPR25960/ep-paves-way-for-the-use-of-eu-funds-to-finance-natural-disaster-recovery"),
        absent=(*EP_CHROME, "EPRS briefing", "Procedure file (RESTORE)"),
        present=("Andrzej BUŁA (EPP, PL), co-rapporteur",),
        translation_count=23,
    ),
    Expected(
        path="pages/europarl/press-release_20250204IPR26689.html",
        url=EP.format(lang="en", slug="20250204IPR26689/meps-georgia-s-self-proclaimed-authorities-have-no-legitimacy"),
        timezone="Europe/Brussels",
        title="MEPs: Georgia’s self-proclaimed authorities have no legitimacy",
        published=datetime(2025, 2, 13, 12, 47),
        utc_offset_hours=1,
        precision="second",
        first_sentence=(
            "MEPs call on the international community to join the boycott of Georgia’s self-proclaimed "
            "authorities, who they accuse of eroding the country’s democracy and cracking down on dissents."
        ),
        last_sentence=(
            "The country’s most recent parliamentary elections, however, were deemed neither free nor fair by the "
            "European Parliament, with MEPs calling for a re-run of the elections within the next year."
        ),
        language="en",
        canonical=EP.format(lang="en", slug="20250204IPR26689/meps-georgia-s-self-proclaimed-authorities-have-no-legitimacy"),
        absent=(*EP_CHROME, "Watch a video recording of the plenary debate"),
        present=("New elections needed", "Find out how each MEP voted."),
        translation_count=23,
    ),
    Expected(
        path="pages/other_gov/bmjv.de_press_konsum.html",
        url="https://www.bmjv.de/DE/Verbraucherportal/KonsumImAlltag/TransparenzPreisanpassung/TransparenzPreisanpassung_node.html",
        timezone="Europe/Berlin",
        # <h1> carries a "Thema Verbraucherschutz" category label; <title> is "BMJV | Transparenz bei ...".
        title="Mehr Transparenz bei Preisanpassungen",
        published=None,  # the page states no date; "02.01.2016" in the sidebar and "© 2019" are not one
        utc_offset_hours=None,
        precision=None,
        first_sentence=(
            "Falls Sie kürzlich einen Kreditvertrag abgeschlossen, den Stromanbieter gewechselt oder in eine neue "
            "Krankenversicherung eingetreten sind, haben Sie vielleicht einen näheren Blick auf die AGB "
            "(Allgemeine Geschäftsbedingungen) bzw. die AVB (Allgemeine Versicherungsbedingungen) geworfen und "
            "sind dabei auf so genannte Preisanpassungsklauseln gestoßen."
        ),
        # The paragraph ends "...der Kartellbehörden.Foto: photocase.de": the photo credit is not text.
        last_sentence=(
            "Auch die Aufsichtsbehörden nehmen Hinweise zu überhöhten Preisen entgegen: Kommunale Unternehmen "
            "(80 Prozent der Versorger) unterliegen der Kommunalaufsicht, private Anbieter (20 Prozent) "
            "unterliegen der Aufsicht der Kartellbehörden."
        ),
        language="de",
        canonical="https://www.BMJV.de/DE/Verbraucherportal/KonsumImAlltag/TransparenzPreisanpassung/TransparenzPreisanpassung_node.html",
        absent=(
            "photocase", "Servicemenü", "Hauptmenü", "Weitere Informationen", "Themenindex", "Datenschutz",
            "Zusatzinformationen", "Sie sind hier", "Verbraucherportal", "Thema", "Rückzahlungsanspruch",
        ),
        present=("Grundsätzliches", "Fernwärme"),
        subtitle=(
            "Ob Energie, Finanzen oder Telekommunikation: überall finden sich Preisanpassungsklauseln. "
            "Hier informieren wir Sie, was Sie beachten müssen."
        ),
    ),
    Expected(
        path="pages/other_gov/eza.gv.at_press_release_2018-07.html",
        url="http://www.eza.gv.at/das-ministerium/presse/aussendungen/2018/07/aussenministerin-karin-kneissl-beim-treffen-der-deutschsprachigen-aussenminister-in-luxemburg/",
        timezone="Europe/Vienna",
        title="Außenministerin Karin Kneissl beim Treffen der deutschsprachigen Außenminister in Luxemburg",
        # The date line "Schengen, 3. Juli 2018" above the headline (span.press_location_time); no time of day.
        published=datetime(2018, 7, 3),
        utc_offset_hours=2,
        precision="day",
        first_sentence=(
            "Außenministerin Karin Kneissl nahm am 3. Juli 2018 auf Einladung ihres luxemburgischen Amtskollegen "
            "Jean Asselborn am jährlich stattfindenden Treffen der deutschsprachigen Außenminister teil."
        ),
        last_sentence=(
            "Die Außenministerin eröffnete zudem einen Gedankenaustausch über die Prioritäten des österreichischen "
            "Vorsitzes im Rat der Europäischen Union, welchen Österreich seit 1. Juli 2018 innehat."
        ),
        language="de",
        canonical="http://www.eza.gv.at/das-ministerium/presse/aussendungen/2018/07/aussenministerin-karin-kneissl-beim-treffen-der-deutschsprachigen-aussenminister-in-luxemburg/",
        absent=(
            "Rückfragehinweis", "Presseabteilung", "Telefon", "Sie sind hier", "Startseite", "Seite empfehlen",
            "Facebook", "Für Sie erreichbar", "Minoritenplatz", "Aussendung", "Skip to main content",
        ),
        # The quotation in a <blockquote> is part of the release.
        present=("Daher müssen die europäischen Staaten vereint für die Verteidigung der multilateralen Ordnung eintreten.",),
    ),
]


@pytest.fixture(scope="module")
def parsed() -> dict[str, object]:
    """Each page parsed once for the whole module."""
    out: dict[str, object] = {}
    for page in PAGES:
        body = shared_file(page.path).read_bytes()
        out[page.path] = generic.parse(body, page.url, ParseContext(source_id="test", timezone=page.timezone))
    return out


def _ids(page: Expected) -> str:
    return page.path.rsplit("/", 1)[-1]


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_title(page: Expected, parsed) -> None:
    assert parsed[page.path].title == page.title


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_publication_time_and_precision(page: Expected, parsed) -> None:
    release = parsed[page.path]
    if page.published is None:
        assert release.published_at is None
        assert release.published_precision is None
        return
    assert release.published_at is not None
    assert release.published_at.replace(tzinfo=None) == page.published
    assert release.published_at.utcoffset() == timedelta(hours=page.utc_offset_hours)
    assert release.published_precision == page.precision


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_first_and_last_sentence(page: Expected, parsed) -> None:
    found = sentences(parsed[page.path].body_text)
    assert found[0] == page.first_sentence
    assert found[-1] == page.last_sentence


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_no_navigation_share_or_related_text(page: Expected, parsed) -> None:
    body = parsed[page.path].body_text
    for text in page.absent:
        assert text not in body, f"{text!r} leaked into the body"
    for text in page.present:
        assert text in body, f"{text!r} missing from the body"
    assert page.title not in body.split("\n\n"), "the headline is not a body paragraph"


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_language_canonical_and_translations(page: Expected, parsed) -> None:
    release = parsed[page.path]
    assert release.language == page.language
    assert release.canonical_url == page.canonical
    assert len(release.translations) == page.translation_count
    assert page.language not in release.translations
    for language, url in page.translations.items():
        assert release.translations[language] == url


@pytest.mark.parametrize("page", PAGES, ids=_ids)
def test_subtitle_and_lead(page: Expected, parsed) -> None:
    release = parsed[page.path]
    assert release.subtitle == page.subtitle
    # Every page's description is its first paragraph (europarl) or absent: no separate lead.
    assert release.lead == page.lead
    if page.subtitle:
        assert page.subtitle not in release.body_text


def test_body_is_paragraphs_separated_by_one_blank_line(parsed) -> None:
    for page in PAGES:
        body = parsed[page.path].body_text
        assert "\n\n\n" not in body
        assert all(p == p.strip() and p for p in body.split("\n\n"))


def test_europarl_highlights_are_not_taken_for_the_lead_paragraph(parsed) -> None:
    """The bullet highlights above the lead are a summary of the text, not prose of the release."""
    body = parsed[PAGES[0].path].body_text
    assert "Restrict movements, freeze the assets of those responsible for the crisis" not in body


def test_europarl_datetimes_are_brussels_wall_clock(parsed) -> None:
    release = parsed[PAGES[0].path]
    assert release.published_at.isoformat() == "2019-07-18T11:37:00+02:00"
