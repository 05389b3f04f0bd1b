"""The element holding the article text, found by text density (prose weight per block).

A paragraph's weight is its length times the square of the share of it that is not link
text; short labels and sentence-less snippets weigh nothing. The block with the most prose
directly inside it is the start; :func:`find_main_content` then climbs towards the root,
taking sibling blocks that are mostly prose and excluding the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from govpress.parsers.html.blocks import BLOCK_TAGS, held_verdicts, is_boilerplate
from govpress.parsers.html.tree import Element, child_named, squash
from govpress.parsers.text import chrome_kind

__all__ = [
    "MainContent", "caption_blocks", "find_main_content", "link_blocks", "locate_main_content", "paragraph_weight",
    "prose_weight", "trailing_link_lists",
]

_PARAGRAPH_TAGS = frozenset({"p", "li", "blockquote", "pre", "dd", "td"})
_CONTAINER_TAGS = frozenset({"div", "section"})
# A sentence's end: Latin punctuation before a space or the end, or a full-width one (Chinese and Japanese write
# "。！？" and go on with no space).
_SENTENCE_INSIDE = re.compile(r"[.!?…][\"'»”’)\]]*(?:\s|$)|[。！？]")
_CLIMB_STOPS = BLOCK_TAGS - {"p", "li"}


def _link_length(element: Element) -> int:
    return sum(len(squash("".join(a.itertext()))) for a in element.iterdescendants("a"))


def _paragraph_weight(text: str, link_density: float) -> float:
    """How much a paragraph looks like article prose: sentence-like text, few links."""
    length = len(text)
    if length < 25:
        return 0.0
    if length < 100 and not _SENTENCE_INSIDE.search(text):
        return 0.0  # labels, names, phone numbers, link lists, highlight bullets
    return length * (1.0 - link_density) ** 2


_LINK_BLOCK_TAGS = ("div", "ul", "ol", "p", "section", "dl", "td")
_LINK_SHARE = 0.6
_LINK_BLOCK_CHARS = 300


def link_blocks(element: Element) -> list[Element]:
    """Blocks inside a content pick that are rows of links, not text: teaser grids, tag lists,
    "Login | Register" bars, "comments feed | trackback" lines.

    Short (under 300 characters), mostly link text (60% or more) and without a sentence: a
    paragraph that merely carries a link has a sentence around it and stays. A list whose items are
    each a link (three or more) goes at any length, whatever its headlines' punctuation.
    """
    found: list[Element] = []
    inside: set[Element] = set()
    for block in element.iter(*_LINK_BLOCK_TAGS):
        if block is element or block.getparent() in inside:
            if block is not element:
                inside.add(block)  # already dropped with an ancestor
            continue
        links = block.iterdescendants("a")
        if next(links, None) is None:
            continue  # no link text at all, so no row of links: read no further (most paragraphs of a text)
        if block.tag == "td" and next(links, None) is None:
            continue  # a table's cell with one link is a cell of the table; a layout cell of two or more, a menu
        text = _short_text(block, _LINK_BLOCK_CHARS)
        if block.tag in ("ul", "ol") and _list_of_links(block):
            found.append(block)  # a long "more headlines" list: each item a link, however many there are
            inside.add(block)
            continue
        if not text or _SENTENCE_INSIDE.search(text):
            continue
        # Letters only: a row's labels and separators ("Tags:", " | ", commas) are not text either.
        letters = _word_chars(text)
        # An address to write or call ("mailto:", "tel:") is the text's own contact line, not a way to another page.
        linked = sum(_word_chars("".join(a.itertext())) for a in block.iterdescendants("a")
                     if not (a.get("href") or "").lstrip().lower().startswith(("mailto:", "tel:")))
        if letters and linked >= _LINK_SHARE * letters:
            found.append(block)
            inside.add(block)
    return found


_ALT_CHARS = (12, 250)
"""Lengths of an image's alt text that can name a caption: shorter ones ("photo", a name) are too common in prose,
longer ones are a paragraph some CMS copied into ``alt``, not a caption."""


_CAPTION_TAGS = frozenset({"p", "div", "span", "dd", "dt", "em", "small", "i", "figcaption", "td"})


def caption_blocks(element: Element) -> list[Element]:
    """Captions inside a content pick: a block near an image (within the image's grandparent) whose text is
    the image's ``alt`` or ``title`` text, alone or with a short credit after it ("... (Photo AFP)").

    Many CMSs write the caption twice, once for the image and once for the reader, under class names nobody
    can list ("foto", "cnn_strylccimg300cntr", none at all); the repetition is what gives it away. (Blocks only
    beside the image were tried: they missed a third of the captions and teaser sliders the sweep has.)"""
    found: list[Element] = []
    for image in element.iter("img"):
        alts = {squash(image.get(name) or "") for name in ("alt", "title")}
        alts = {alt for alt in alts if _ALT_CHARS[0] <= len(alt) <= _ALT_CHARS[1]}
        if not alts:
            continue
        scope = image.getparent()
        for _ in range(2):
            if scope is None or scope is element:
                break
            scope = scope.getparent()
        if scope is None:
            continue
        for block in scope.iter(*_CAPTION_TAGS):
            if block in found or next(block.iter("img"), None) is not None:
                continue
            text = _short_text(block, _ALT_CHARS[1] + 60)
            if text and any(text == alt or (text.startswith(alt) and len(text) - len(alt) <= 60) for alt in alts):
                found.append(block)
    return found


_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")
_VISIBLE_LINK_TEXT = etree.XPath(".//a//text()[not(ancestor::script) and not(ancestor::style)]")


def _list_of_links(block: Element) -> bool:
    """A list of three items or more, each of them a link and little else (a comment count, a date): a list of
    headlines or documents, however long. An item that says something besides its link makes it a text's list."""
    items = [child for child in block if child.tag == "li"]
    if len(items) < 3:
        return False
    for item in items:
        letters = _word_chars("".join(_VISIBLE_TEXT(item)))
        if not letters or _word_chars("".join(_VISIBLE_LINK_TEXT(item))) < 0.8 * letters:
            return False
    return True


# Files a list of links may offer: such a list is the release's own attachments, not other pages' headlines.
_FILE_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|rtf|zip|rar|7z|csv|txt|jpe?g|png|mp[34])(?:$|[?#])", re.I)
_LIST_LABEL_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6", "p", "div", "strong", "b"})
_LIST_LABEL_CHARS = 80
_TEXT_AFTER_CHARS = 40
"""Text after a list of links (outside boilerplate and scripts) that makes it part of the article, not its tail."""


def trailing_link_lists(element: Element) -> list[Element]:
    """Lists of headlines a CMS appends to the article's own block ("Editors' Recommendations", "Читайте также"), and
    the label line right before each: lists of three links or more (:func:`_list_of_links`) with no text after them
    in ``element``. Such lists rotate as new pages appear, so kept they would make every fetch a new version; the
    density pick drops every list of links already (:func:`link_blocks`), this is for a block the page names as the
    article's text. A list of files (the release's attachments) stays, and so does a list the text goes on after."""
    lists = [block for block in element.iter("ul", "ol")
             if _list_of_links(block) and not any(_FILE_LINK.search((a.get("href") or "").strip()) for a in block.iter("a"))]
    found: list[Element] = []
    trailing = True
    for block in reversed(lists):
        label = block.getprevious()
        text = None
        if label is not None and label.tag in _LIST_LABEL_TAGS and next(label.iter("a", "img"), None) is None:
            text = _short_text(label, _LIST_LABEL_CHARS)
            if text and _SENTENCE_INSIDE.search(text):
                text = None
        trailing = trailing and _text_after(block, element, skipped=found) <= _TEXT_AFTER_CHARS
        # Anywhere in the text, a list under a "see also" label ("Auch interessant:", "Читайте также:") is other pages.
        if trailing or (text and chrome_kind(text) == "see_also"):
            found.append(block)
            if text:
                found.append(label)
    return found


def _text_after(block: Element, within: Element, *, skipped: list[Element]) -> int:
    """Characters of visible text after ``block`` inside ``within`` (boilerplate, scripts and ``skipped`` left out),
    counted until more than :data:`_TEXT_AFTER_CHARS` are seen."""
    seen = 0
    node = block
    while node is not within and node is not None:
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str) or sibling.tag in ("script", "style", "noscript", "template"):
                continue
            if sibling in skipped or is_boilerplate(sibling):
                continue
            seen += len(squash("".join(_VISIBLE_TEXT(sibling))))
            if seen > _TEXT_AFTER_CHARS:
                return seen
        node = node.getparent()
    return seen


_WORD_RUN = re.compile(r"\w+")


def _word_chars(text: str) -> int:
    """How many characters of ``text`` are ``\\w`` (what ``len(re.findall(r"\\w", text))`` counts): the text less its
    word runs, by one substitution in C, instead of a list of one-character strings (2-4x the time)."""
    return len(text) - len(_WORD_RUN.sub("", text))


def _short_text(element: Element, limit: int) -> str | None:
    """The element's squashed text when it is at most ``limit`` characters, else None.

    Stops reading once the text is known to be longer: a container's whole text (the page's
    content, around every block inside it) is never joined just to be found too long. The
    squashed length of a text only grows as text is appended, so a prefix already too long decides.
    """
    pieces: list[str] = []
    raw = 0
    check = limit  # raw length at which the squashed length is next measured (doubling: linear overall)
    for piece in element.itertext():
        pieces.append(piece)
        raw += len(piece)
        if raw > check:
            if len(squash("".join(pieces))) > limit:
                return None
            check = 2 * raw
    text = squash("".join(pieces))
    return text if len(text) <= limit else None


def paragraph_weight(text: str) -> float:
    """The prose weight of a paragraph of plain text (no links)."""
    return _paragraph_weight(squash(text), 0.0)


def _has_ancestor(element: Element, tag: str) -> bool:
    return next(element.iterancestors(tag), None) is not None


def _own_weight(element: Element, tag: str, counted: _Counted) -> float:
    """The prose weight ``element`` (its ``tag`` given) contributes as one paragraph; 0.0 when it has none or
    is counted elsewhere (inside a paragraph ``counted`` holds).

    The link text is measured only for a text that can weigh: a short or sentence-less text weighs nothing
    whatever its links (:func:`_paragraph_weight`'s first tests), and most of a page's short items are that."""
    if tag in _CONTAINER_TAGS:
        # Text written directly in a <div>/<section> (no <p>) counts as a paragraph of it.
        own = [element.text or ""] + [child.tail or "" for child in element]
        text = squash("".join(own))
        if len(text) < 25:
            return 0.0
        return _paragraph_weight(text, 0.0)
    if not len(element):
        # No children (most paragraphs): the text is the element's own, no link is inside it, and a <td> holds
        # no paragraph of its own.
        if element in counted.inside:
            return 0.0  # a <p> inside an <li> is counted once, with the <li>
        text = squash(element.text or "")
        length = len(text)
        if length < 25 or (length < 100 and not _SENTENCE_INSIDE.search(text)):
            return 0.0
        return _paragraph_weight(text, 0.0)
    if tag == "td" and any(any(t.strip() for t in block.itertext())
                           for block in element.iterdescendants("p", "div", "table", "li")):
        return 0.0  # a layout cell (old table CMS): its paragraphs count, not the whole cell (an empty <div>, a
        # video slot, does not make a cell of text written between <br>s a layout cell)
    if element in counted.inside:
        return 0.0  # a <p> inside an <li> is counted once, with the <li>
    text = squash("".join(element.itertext()))
    length = len(text)
    if length < 25 or (length < 100 and not _SENTENCE_INSIDE.search(text)):
        return 0.0  # what _paragraph_weight says of such a text, whatever its link density
    if ("{" in text or "(" in text or "=" in text) and next(element.iter("script", "style"), None) is not None:
        # A script in a paragraph (a pager that writes its links, Shanxi's government site): code is no prose.
        text = squash("".join(_VISIBLE_TEXT(element)))
        length = len(text)
        if length < 25 or (length < 100 and not _SENTENCE_INSIDE.search(text)):
            return 0.0
    return _paragraph_weight(text, min(1.0, _link_length(element) / length))


class _Counted:
    """The paragraphs a count (elements in document order) has taken, as much as a later paragraph asks of them:
    whether one of them holds it.

    A paragraph inside a counted one is not counted, so counted paragraphs never nest; in document order,
    everything between a counted paragraph and an element inside it is inside it too. So the last counted
    paragraph is the only one that can hold a later element, and the paragraph elements it holds (read once,
    when it is counted: most have none) answer that, instead of a look at every element's ancestors."""

    __slots__ = ("inside",)

    def __init__(self) -> None:
        self.inside: frozenset[Element] | set[Element] = frozenset()

    def add(self, element: Element, tag: str) -> None:
        """Note a counted paragraph (containers hold no paragraph in this sense: they are not asked)."""
        if tag not in _CONTAINER_TAGS:
            self.inside = set(element.iterdescendants(*_PARAGRAPH_TAGS)) if len(element) else frozenset()


def prose_weight(element: Element) -> float:
    """All the prose inside ``element``, boilerplate-looking blocks included.

    What a short content pick is checked against: when broken markup (closing tags lost) makes
    a menu or a cookie banner swallow the article, the article's paragraphs are still prose here
    while the density count (which skips boilerplate) does not see them.
    """
    total = 0.0
    counted = _Counted()
    for node in element.iter(*_PARAGRAPH_TAGS, *_CONTAINER_TAGS):
        tag = node.tag
        weight = _own_weight(node, tag, counted)
        if weight > 0:
            counted.add(node, tag)
            total += weight
    return total


class _Density:
    """Per-page text statistics (elements -> numbers); the dicts hold the elements, so lxml keeps their identity."""

    def __init__(self, root: Element) -> None:
        self.root = root
        self.boiler: dict[Element, bool] = {}
        self.verdicts = held_verdicts()  # the parse's is_boilerplate verdicts: most elements were judged before the count
        self.weight: dict[Element, float] = {}  # paragraph weight accumulated on every ancestor
        self.direct: dict[Element, float] = {}  # weight of paragraphs whose nearest block parent is the element
        self.skipped: list[Element] = []  # paragraph candidates inside boilerplate, in document order
        counted = _Counted()
        weights, direct = self.weight, self.direct
        boiler, verdicts = self.boiler, self.verdicts
        for element in root.iter(*_PARAGRAPH_TAGS, *_CONTAINER_TAGS):
            if element is root:
                continue
            tag = element.tag  # read once: lxml builds a new string at every read
            # inside_boilerplate written out for its usual case, a parent already judged (the elements come in
            # document order): the element's own verdict then decides (a paragraph or a container is no <header>).
            parent_verdict = boiler.get(element.getparent())
            if parent_verdict is None:
                inside = self.inside_boilerplate(element)
            else:
                inside = boiler[element] = parent_verdict or (
                    is_boilerplate(element) if (known := verdicts.get(element)) is None else known)
            if inside:
                self.skipped.append(element)
                continue
            weight = _own_weight(element, tag, counted)
            if weight <= 0:
                continue
            counted.add(element, tag)
            parent = element if tag in _CONTAINER_TAGS else element.getparent()
            while parent is not None and parent.tag not in _CLIMB_STOPS:
                parent = parent.getparent()
            if parent is None:
                continue
            direct[parent] = direct.get(parent, 0.0) + weight
            node: Element | None = element
            while node is not None:
                weights[node] = weights.get(node, 0.0) + weight
                node = node.getparent()

    def hidden_prose(self) -> float:
        """The prose weight of the paragraphs the count skipped as boilerplate (see :func:`prose_weight`)."""
        total = 0.0
        counted = _Counted()
        for node in self.skipped:
            tag = node.tag
            weight = _own_weight(node, tag, counted)
            if weight > 0:
                counted.add(node, tag)
                total += weight
        return total

    def inside_boilerplate(self, element: Element) -> bool:
        """Whether ``element`` or an ancestor below the root is boilerplate (memoised per element).

        The climb first looks for the nearest ancestor already judged: inside a navigation or a
        footer (most of the blocks a page has) the element is then known without being looked at.
        Only the unjudged elements between are judged, outermost first, until one is boilerplate.
        """
        boiler = self.boiler
        chain: list[Element] = []
        node: Element | None = element
        verdict = False
        root = self.root
        while node is not None and node is not root:
            known = boiler.get(node)
            if known is not None:
                verdict = known
                break
            chain.append(node)
            node = node.getparent()
        verdicts = self.verdicts
        for seen in reversed(chain):  # outermost first: below a boilerplate block everything is inside it
            if not verdict and ((is_boilerplate(seen) if (known := verdicts.get(seen)) is None else known)
                                or (seen.tag == "header" and not _has_ancestor(seen, "article"))):
                verdict = True
            boiler[seen] = verdict
        return verdict

    def visible_length(self, element: Element) -> int:
        """Text length of a subtree outside boilerplate blocks (what a reader sees as content)."""
        if not isinstance(element.tag, str) or self.inside_boilerplate(element):
            return 0
        total = 0
        boiler = self.boiler
        walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
        for event, node in walker:
            if event == "start":
                if node is not element:
                    # Its parent is judged and not boilerplate (the walk skips what is): what inside_boilerplate
                    # would say is the node's own verdict, kept as it keeps it.
                    verdict = boiler.get(node)
                    if verdict is None:
                        verdict = boiler[node] = is_boilerplate(node) or (
                            node.tag == "header" and not _has_ancestor(node, "article"))
                    if verdict:
                        walker.skip_subtree()
                        continue
                if text := node.text:
                    total += len(text.strip())
            elif node is not element and (tail := node.tail):
                total += len(tail.strip())
        return total


_PROSE_SHARE = 0.6  # a sibling block joins the content when this share of its text is prose
_MIN_SIBLING_PROSE = 80.0
_STOP_NOISE = 200  # characters of non-prose a level may add before the climb stops


@dataclass(slots=True)
class MainContent:
    """The element holding the article text, the subtrees inside it that are not content, and the
    share of the page's prose (outside boilerplate) it holds: a low share means the pick is doubtful."""

    element: Element | None
    excluded: list[Element] = field(default_factory=list)
    prose_share: float = 0.0
    prose: float = 0.0
    """The prose weight of the pick (the paragraphs the density count saw inside it)."""
    _density: _Density | None = None

    def page_prose(self) -> float:
        """All the page's prose, boilerplate-looking blocks included (computed on demand)."""
        if self._density is None:
            return 0.0
        return self._density.weight.get(self._density.root, 0.0) + self._density.hidden_prose()


def find_main_content(root: Element) -> tuple[Element | None, list[Element]]:
    """:func:`locate_main_content` as a pair ``(element, excluded)``."""
    found = locate_main_content(root)
    return found.element, found.excluded


def locate_main_content(root: Element) -> MainContent:
    """The element holding the article text, and the subtrees inside it that are not content.

    Starts at the block with the most prose directly inside it, then climbs towards the
    page root: at each level, sibling blocks that are mostly prose (a lead paragraph in
    its own grid column) join the content and the other siblings (highlight bullets,
    contact cards, link lists, empty cells) are returned to be excluded. The climb stops
    at the first level that adds no prose but more than a little other text.
    ``MainContent(None)`` when the page has no prose at all.
    """
    body = child_named(root, "body") if root.tag == "html" else None
    top_root = body if body is not None else root
    density = _Density(top_root)
    if not density.direct:
        return MainContent(None)
    top = max(density.direct, key=density.direct.__getitem__)
    content, excluded = top, []
    pending_noise: list[Element] = []
    node = top
    while node is not top_root and node.getparent() is not None and node.getparent().tag != "html":
        parent = node.getparent()
        prose, noise, noise_length = [], [], 0
        for sibling in parent:
            if not isinstance(sibling.tag, str) or sibling is node:
                continue
            weight = density.weight.get(sibling, 0.0)
            visible = density.visible_length(sibling)
            # A short paragraph of prose ("The lesson, as always: you are what you search.") among the text's
            # paragraphs is text too: a <p> joins on any prose weight, other blocks from _MIN_SIBLING_PROSE.
            if ((weight >= _MIN_SIBLING_PROSE or (weight > 0 and sibling.tag == "p"))
                    and visible and weight / visible >= _PROSE_SHARE):
                prose.append(sibling)
            else:
                noise.append(sibling)
                noise_length += visible
        if prose:
            content = parent
            excluded.extend(pending_noise)
            excluded.extend(noise)
            pending_noise = []
        else:
            if noise_length > _STOP_NOISE:
                break
            pending_noise.extend(noise)
        node = parent
    total = density.weight.get(top_root, 0.0)
    share = density.weight.get(content, 0.0) / total if total else 0.0
    return MainContent(content, excluded, share, density.weight.get(content, 0.0), density)
