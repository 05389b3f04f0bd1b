"""govpress.parsers.memo.ShortTextMemo: which calls are remembered, and under which key."""

from __future__ import annotations

from govpress.parsers.memo import ShortTextMemo


class _Text(str):
    """A string subclass (as lxml's smart strings are): never remembered."""


def test_plain_short_strings_are_remembered_and_anything_else_is_asked_each_time() -> None:
    calls: list[tuple] = []

    def function(text, *more):
        calls.append((text, *more))
        return f"{text}:{more}"

    memo = ShortTextMemo(function, longest=10)
    for _ in range(2):
        assert memo("a") == "a:()"
        assert memo("a", "b") == "a:('b',)"
        assert memo("a", None) == "a:(None,)"
        assert memo("a", "b", None) == "a:('b', None)"
        assert memo("a", 1) == "a:(1,)"  # an extra argument that is no plain str: asked each time
        assert memo("a", "b", _Text("c")) == "a:('b', 'c')"
        assert memo(_Text("t")) == "t:()"
        assert memo("x" * 11) == "xxxxxxxxxxx:()"
    assert calls.count(("a",)) == 1 and calls.count(("a", "b")) == 1 and calls.count(("a", None)) == 1
    assert calls.count(("a", "b", None)) == 1
    assert calls.count(("a", 1)) == 2 and calls.count(("a", "b", "c")) == 2 and calls.count(("x" * 11,)) == 2 and calls.count(("t",)) == 2
    assert set(memo.answers) == {"a", ("a", "b"), ("a", None), ("a", "b", None)}
