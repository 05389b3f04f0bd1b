"""Versions that mean something: what changed between two texts of one release, paragraph by paragraph.

A release's text is its title plus paragraphs: the subtitle, the lead and the body's paragraphs (split
at blank lines). Two texts are the same *version* when their folded forms are equal
(:func:`govpress.parsers.text.fold_for_hash`: whitespace and NBSP, quotes, dashes, ``ё``/``е``, case and
invisible characters fold away; that is what ``content_hash`` hashes). When only the folded forms agree,
the change is *trivial* (typography): recorded, never a new version.

:func:`diff_texts` matches paragraphs by their folded form with :class:`difflib.SequenceMatcher`, so a
reworded paragraph is ``changed``, an inserted one ``added`` and a dropped one ``removed``; equal folded
paragraphs that differ as written are ``changed`` with ``typography: true``. Only the paragraphs that
differ are listed (an analyst reads what moved, not the whole text again).
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from typing import Protocol

from govpress.parsers.text import fold_for_hash


class HasText(Protocol):
    """Anything with a release's four text fields (a ReleaseRow, a stored release, a version)."""

    title: str
    subtitle: str | None
    lead: str | None
    body_text: str


@dataclass(frozen=True, slots=True)
class Text:
    """The four text fields of one release version."""

    title: str
    subtitle: str | None
    lead: str | None
    body_text: str


def text_hash(text: HasText) -> str:
    """32 hex characters over the exact text (every character counts: typography too)."""
    exact = "\x1f".join(part or "" for part in (text.title, text.subtitle, text.lead, text.body_text))
    return hashlib.sha256(exact.encode("utf-8")).hexdigest()[:32]


def paragraphs(text: HasText) -> list[tuple[str, str]]:
    """(part, paragraph) pairs in reading order: the subtitle, the lead, then each body paragraph."""
    out = [(part, value.strip()) for part, value in (("subtitle", text.subtitle), ("lead", text.lead)) if value and value.strip()]
    out += [("body", p.strip()) for p in (text.body_text or "").split("\n\n") if p.strip()]
    return out


@dataclass(slots=True)
class TextDiff:
    """What changed from one text to the next."""

    changes: list[dict] = field(default_factory=list)
    """{part, op, at, before, after, typography} for every paragraph (and the title) that differs."""
    added: int = 0
    removed: int = 0
    changed: int = 0
    """Paragraphs reworded (typography-only changes are not counted here)."""
    typography: int = 0
    """Paragraphs (and the title) that differ only in typography."""
    title_before: str = ""
    title_after: str = ""

    @property
    def retitled(self) -> bool:
        """The headline changed in words, not only in typography."""
        return fold_for_hash(self.title_before) != fold_for_hash(self.title_after)

    @property
    def edited(self) -> bool:
        """A paragraph was added, removed or reworded."""
        return bool(self.added or self.removed or self.changed)

    @property
    def trivial(self) -> bool:
        """The texts differ, but only in typography."""
        return not (self.retitled or self.edited) and self.typography > 0

    def as_json(self) -> str:
        return json.dumps(self.changes, ensure_ascii=False)


def _change(part: str, op: str, at: int, before: str | None, after: str | None, typography: bool = False) -> dict:
    return {"part": part, "op": op, "at": at, "before": before, "after": after, "typography": typography}


def diff_texts(before: HasText, after: HasText) -> TextDiff:
    """The paragraph-level diff from ``before`` to ``after`` (see the module docstring)."""
    out = TextDiff(title_before=before.title, title_after=after.title)
    if before.title != after.title:
        typography = fold_for_hash(before.title) == fold_for_hash(after.title)
        out.changes.append(_change("title", "changed", 0, before.title, after.title, typography))
        out.typography += typography
    old, new = paragraphs(before), paragraphs(after)
    matcher = difflib.SequenceMatcher(None, [fold_for_hash(p) for _, p in old], [fold_for_hash(p) for _, p in new],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                (part, was), (_, now) = old[i1 + k], new[j1 + k]
                if was != now:
                    out.changes.append(_change(part, "changed", j1 + k, was, now, typography=True))
                    out.typography += 1
            continue
        # A replaced block pairs its paragraphs in order; what is left over was added or removed.
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            out.changes.append(_change(new[j1 + k][0], "changed", j1 + k, old[i1 + k][1], new[j1 + k][1]))
            out.changed += 1
        for k in range(i1 + paired, i2):
            out.changes.append(_change(old[k][0], "removed", k, old[k][1], None))
            out.removed += 1
        for k in range(j1 + paired, j2):
            out.changes.append(_change(new[k][0], "added", k, None, new[k][1]))
            out.added += 1
    return out
