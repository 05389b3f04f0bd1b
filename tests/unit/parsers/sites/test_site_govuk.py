"""govuk parser on the five saved GOV.UK Content API documents (read from ../shared).

Expectations written by hand from the JSON: title, description (lead), details.first_public_at,
document_type, organisations, and the first and last sentences of details.body.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from govpress.parsers.sites import govuk
from govpress.parsers.release import BlockedPage, ParseContext, ParseError
from govpress.parsers.text import sentences
from testpaths import shared_file

CTX = ParseContext(source_id="govuk_news", timezone="Europe/London", languages=("en",))
UTC = timezone.utc


def load(name: str) -> tuple[bytes, str]:
    body = shared_file(f"pages/govuk/{name}").read_bytes()
    base_path = json.loads(body)["base_path"]
    return body, f"https://www.gov.uk/api/content{base_path}"


@pytest.mark.parametrize(
    ("name", "title", "published", "kind", "first_tag", "first", "last"),
    [
        (
            "best-practice-news-story.json",
            "Public approval for driving limits for 16 drugs",
            datetime(2014, 3, 27, 9, 35, tzinfo=UTC),
            "news_story",
            "Department for Transport",
            "Today (27 March 2014) the government’s ambition to create a new drug drive limit moved a step closer "
            "following the results of 2 public consultations.",
            "Drug driving written ministerial statement, 27 March 2014",
        ),
        (
            "best-practice-press-release.json",
            "New FRANK adverts mark tenth anniversary",
            datetime(2013, 1, 28, 0, 0, tzinfo=UTC),
            "press_release",
            "Home Office",
            "The TV sponsorship, radio and online advertising campaign is aimed at 13 to 18 year olds and adopts a "
            "humorous tone by playing on drug terminology.",
            "Text 82111",
        ),
        (
            "news_article_press_release.json",
            "Modern life responsible for ‘worrying’ health in middle aged",
            datetime(2016, 12, 28, 0, 0, 19, tzinfo=UTC),
            "press_release",
            "Public Health England",
            "Eight out of 10 of the middle aged either weigh too much, drink too much or don’t exercise enough, as new "
            "analysis from Public Health England (PHE) out today (28 December 2016) shows modern life taking its toll on health.",
            "Follow us on Twitter @PHE_uk",
        ),
        (
            "world_news_story_news_article.json",
            "Christmas 2016: Prime Minister's message",
            datetime(2016, 12, 25, 0, 15, 2, tzinfo=UTC),
            "world_news_story",
            "British High Commission Singapore",
            "Prime Minister Theresa May said:",
            "Wherever you are this Christmas, I wish you joy and peace in this season of celebration, along with "
            "health and happiness in the year ahead.",
        ),
    ],
)
def test_english_documents(name, title, published, kind, first_tag, first, last):
    body, url = load(name)
    release = govuk.parse(body, url, CTX)
    data = json.loads(body)
    assert release.title == title
    assert release.lead == data["description"]
    assert release.published_at == published
    assert release.published_at.utcoffset() == timedelta(0)
    assert release.kind == kind
    assert release.tags[0] == first_tag
    assert release.language == "en"
    assert release.url == url
    assert release.canonical_url == "https://www.gov.uk" + data["base_path"]
    body_sentences = sentences(release.body_text)
    assert body_sentences[0] == first
    assert body_sentences[-1] == last
    assert "<" not in release.body_text
    # The press office's contact card (div.contact / vcard) closing some bodies is not release text.
    for noise in ("Switchboard", "Out of hours", "020 7654 8000"):
        assert noise not in release.body_text


def test_urdu_translation_and_english_original_are_linked():
    en_body, en_url = load("world_news_story_news_article.json")
    ur_body, ur_url = load("news_article_news_story_translated_arabic.json")
    en = govuk.parse(en_body, en_url, CTX)
    ur = govuk.parse(ur_body, ur_url, CTX)
    assert ur.language == "ur"
    assert ur.title == "کرسمس 2016ء : وزیراعظم کا پیغام"
    assert en.translation_key == ur.translation_key == "govuk:d0ee80cd-ed7a-4b04-b60f-3be2f03693af"
    assert en.translations == {"ur": ur.canonical_url}
    assert ur.canonical_url == "https://www.gov.uk/government/news/christmas-2016-prime-ministers-message.ur"
    # The Urdu document names the English version by its own base path (the saved English example
    # was re-published under "...-from-azerbaijan"; the pair still shares the content_id).
    assert ur.translations == {"en": "https://www.gov.uk/government/news/christmas-2016-prime-ministers-message"}
    assert sentences(ur.body_text)[0] == "وزیراعظم ٹریزامے نے پیغام میں کہا ہے:"


def test_documents_without_translations_use_their_own_content_id():
    body, url = load("news_article_press_release.json")
    release = govuk.parse(body, url, CTX)
    assert release.translation_key == "govuk:4ae92ddf-5ba6-4ec4-a7d5-7648ea4c9ffd"
    assert release.translations == {}


def test_not_json_is_an_error_and_a_challenge_is_blocked():
    with pytest.raises(ParseError):
        govuk.parse(b'{"title": "no body"}', "https://www.gov.uk/api/content/x", CTX)
    with pytest.raises(BlockedPage):
        govuk.parse(b"<html><head><title>Just a moment...</title></head><body></body></html>", "https://www.gov.uk/api/content/x", CTX)
