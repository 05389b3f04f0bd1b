"""Paragraph diffs between two texts of one release: what changed, and whether it was only typography."""

from __future__ import annotations

import json

from govpress.dedupe.versions import Text, diff_texts, paragraphs, text_hash

BEFORE = Text(
    title="Визит делегации Казахстана в Минск",
    subtitle=None,
    lead="2 октября в Минске прошли переговоры.",
    body_text="Стороны обсудили торгово-экономическое сотрудничество.\n\n"
              "Объем торговли вырос на 12,5 процента.\n\n"
              "Следующее заседание пройдет в Астане.",
)


def edited(**fields) -> Text:
    return Text(**{**{f: getattr(BEFORE, f) for f in ("title", "subtitle", "lead", "body_text")}, **fields})


def test_paragraphs_read_subtitle_lead_then_body_paragraphs():
    assert [part for part, _ in paragraphs(BEFORE)] == ["lead", "body", "body", "body"]


def test_a_reworded_paragraph_is_changed_and_nothing_else_is_listed():
    after = edited(body_text=BEFORE.body_text.replace("12,5", "14,1"))
    diff = diff_texts(BEFORE, after)
    assert (diff.added, diff.removed, diff.changed, diff.typography) == (0, 0, 1, 0)
    [change] = diff.changes
    assert change == {"part": "body", "op": "changed", "at": 2, "before": "Объем торговли вырос на 12,5 процента.",
                      "after": "Объем торговли вырос на 14,1 процента.", "typography": False}
    assert diff.edited and not diff.retitled and not diff.trivial
    assert json.loads(diff.as_json()) == diff.changes


def test_added_and_removed_paragraphs_keep_their_places():
    after = edited(body_text="Новый первый абзац.\n\n" + BEFORE.body_text.rsplit("\n\n", 1)[0])
    diff = diff_texts(BEFORE, after)
    assert [(c["op"], c["at"]) for c in diff.changes] == [("added", 1), ("removed", 3)]
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 0)


def test_a_new_headline_is_a_retitle_with_both_titles():
    diff = diff_texts(BEFORE, edited(title="Визит делегации Казахстана в Минск завершен"))
    assert diff.retitled and not diff.edited
    assert (diff.title_before, diff.title_after) == (BEFORE.title, "Визит делегации Казахстана в Минск завершен")


def test_quotes_dashes_yo_and_spaces_are_typography_not_an_edit():
    after = edited(
        title="Визит делегации Казахстана в\u00a0Минск",
        body_text=BEFORE.body_text.replace("торгово-экономическое", "торгово\u2011экономическое")
                                  .replace("пройдет", "пройдёт"),
    )
    diff = diff_texts(BEFORE, after)
    assert diff.trivial and not diff.edited and not diff.retitled
    assert diff.typography == 3 and all(c["typography"] for c in diff.changes)
    assert text_hash(after) != text_hash(BEFORE)  # the exact text did change


def test_identical_texts_have_no_diff():
    diff = diff_texts(BEFORE, edited())
    assert diff.changes == [] and not diff.trivial and not diff.edited
    assert text_hash(edited()) == text_hash(BEFORE)
