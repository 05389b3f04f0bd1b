"""Text normalisation and repair shared by every parser (pure functions, no I/O).

* :func:`normalize` — Unicode NFC, invisible characters out, exotic spaces to plain spaces.
* :func:`repair_paragraphs` — undo the damage of PDF exports and bad HTML: words hyphenated
  across line or paragraph breaks are rejoined (``взаимодей-`` + ``ствию``), paragraphs
  split mid-sentence are joined again, real compounds (``торгово-экономического``) keep
  their hyphen, section breaks (``***``) are kept as a paragraph of their own.
* :func:`to_body_text` — the one body layout: paragraphs separated by one blank line.
* :func:`sentences` — a sentence splitter for ru/be/az/en/de that knows abbreviations.
* :func:`fold_for_hash` — a cosmetic-insensitive form of a text for content hashing.
* :func:`chrome_kind` / :func:`is_chrome` — a line that is only page chrome (share bar, "follow us",
  "see also" link, photo credit, print link, tag list, copyright) in ru/be/uk/az/en/de/fr/es.
* :func:`comparable_words` — the words of a text, folded, to tell whether two texts say the same.

The hyphen rule (what :func:`repair_paragraphs` does with ``X-`` at the end of a line or
paragraph followed by a lowercase word ``y``), first rule that applies wins:

1. Evidence from the same text: if ``X-y`` occurs elsewhere inside a line, keep the hyphen;
   if ``Xy`` occurs elsewhere, join.
2. ``y`` is a conjunction (``und``, ``и``, ``or``, ...): a suspended hyphen
   (``Ein- und Ausfuhr``) — keep the hyphen *and* the space.
3. Known hyphen formations keep the hyphen: ``X`` ends in a digit or is an acronym
   (``COVID-19``), ``X`` is a known prefix (``премьер``, ``вице``, ``экс``, ``северо``, ``юго``,
   ``пресс``, ...), or ``y`` is a hyphenated particle (``то``, ``либо``, ``нибудь``, ``ка``).
4. A coordinate compound adjective keeps the hyphen: ``X`` has at least four letters and ends
   in a linking vowel after a consonant typical of adjective stems (ru ``-но -во -ко -ро -ско``,
   and for Belarusian also ``-на -ва -ка``), ``X`` is not a prefix that is written solid
   (``много``, ``взаимо``, ``высоко``, ...), and ``y`` ends in an adjective ending
   (``торгово-`` + ``экономического``, ``северо-`` + ``западный``).
5. Otherwise the word was split by a line break: join without the hyphen.

Rule 4 errs towards keeping a hyphen in the rare split of a solid compound that is not in the
solid-prefix list (``сельско-хозяйственный``); rule 1 fixes that whenever the document uses
the word once more.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from govpress.parsers.memo import ShortTextMemo
from govpress.parsers.regex_cache import compiled

# Characters that carry no text: soft hyphen, zero-width space, word joiner, BOM, bidi marks. Soft hyphens at a
# line end are handled by repair_paragraphs before this.
_INVISIBLE = compiled("[\u00ad\u200b\u2060\ufeff\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The zero-width non-joiner and joiner are spelling inside a word (Persian "همکاری‌ها", "می‌شود"; Indic conjuncts;
# emoji sequences): kept there, dropped only where they join nothing, beside a space or a line's end.
_JOINERS = "\u200c\u200d"
_STRAY_JOINERS = compiled(r"(?:^|(?<=\s))[\u200c\u200d]+|[\u200c\u200d]+(?=\s|$)", re.M)
_FOLD_INVISIBLE = compiled("[" + _INVISIBLE.pattern[1:-1] + _JOINERS + "]")
"""Every character that carries no text, the joiners too: what a text's fold for hashing and near-duplicate words
drops (a text typed with or without the Persian non-joiner is the same text)."""
# Every Unicode space except newline: NBSP, narrow NBSP, en/em spaces, ideographic space, ...
_SPACES = compiled("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v ]+")
_NEWLINES = compiled(r"\r\n?|[\u2028\u2029\u0085]")

_SECTION_BREAK = compiled(r"^(?:\\?\*[ \t]*){3,}$|^(?:\\?\*[ \t]+){2}\\?\*$")
_HEADING = compiled(r"^#{1,6}\s")
_WHOLLY_BOLD = compiled(r"^(\*\*|__)(?=\S).*\S\1$", re.S)
_LIST_ITEM = compiled(r"^(?:[-*•–—]\s|\d{1,3}[.)]\s)")

# Terminal punctuation: a paragraph ending in one of these ends a sentence.
_TERMINAL = set(".!?…:;»\"”“'’")

_HYPHENS = "-\u2010"  # ASCII hyphen-minus, Unicode hyphen
_LETTER = r"[^\W\d_]"

_CONJUNCTIONS = frozenset(
    "und oder bis sowie bzw and or nor to и или либо а і ці або ды və yaxud ya da".split()
)
# Words no sentence ends with (articles, prepositions, conjunctions), per language: a paragraph that stops on one
# was cut mid-sentence by the page's markup ("... won the" / "Africa Movie Academy Award ..."), whatever case the
# next paragraph opens with. Only words that are nothing else in that language; matched as written, lower case.
_DANGLING: dict[str, frozenset[str]] = {
    code: frozenset(words.split()) for code, words in {
        "en": "the a an of to for with from by at into onto than and or nor",
        "ru": "в во на с со по к ко о об обо для от до из у за при под над без через между и или а но что чтобы",
        "be": "у ў на з са па да для ад аб пры пад над без праз паміж і ці або але што каб",
        "uk": "в у на з зі із по до для від о об при під над без через між і й та чи або але що щоб",
        "de": "der die das den dem des ein eine einen einem einer eines und oder mit von zu zum zur für auf im aus bei nach über unter",
        "fr": "le la les un une des du de au aux et ou pour par sur avec dans sans entre chez vers",
        "es": "el los las un una unos unas del de y o para por con en sin entre hacia sobre",
        "it": "il lo gli le un una uno del della dei degli delle di e o per con su tra fra",
        "pt": "o os as um uma uns umas do da dos das de e ou para por com em sem entre",
        "pl": "w we na z ze do od dla przez przy po pod nad bez oraz lub albo i",
        "az": "və ilə üçün",
        "kk": "және мен пен бен үшін",
    }.items()
}
# A page of no stated language: the words of them all that end no sentence in any of them ("do", "we", "die",
# "con", "per", "sin" do in English; "o" and "e" are too short to be sure of).
_DANGLING[""] = frozenset().union(*_DANGLING.values()) - frozenset("do we die con per sin o e".split())
_PARTICLES = frozenset("то либо нибудь ка таки де с тка небудзь якая".split())
_HYPHEN_PREFIXES = frozenset(
    """вице экс премьер пресс бизнес интернет онлайн офлайн медиа штаб генерал обер унтер лейб кое
    северо юго вест ист блиц мини макси топ контр лейтенант камер норд зюйд
    віцэ экс прэм'ер прэс бізнес інтэрнэт онлайн
    ex vice""".split()
)
# First elements that end like a coordinate adjective stem but are written solid.
_SOLID_PREFIXES = frozenset(
    """много мало взаимо высоко низко широко долго крупно средне ново само право лесо водо газо нефте
    земле тепло электро авто агро радио гидро био эко микро макро теле фото кино мото вело аэро
    сельско лёгко легко тяжело трудно равно разно едино одно дву трёх трех четырёх четырех
    шматпа узаема высока доўга""".split()
)
_COMPOUND_STEM = {
    None: compiled(r"(?:[нвкр]о|ско)$"),
    "ru": compiled(r"(?:[нвкр]о|ско)$"),
    "uk": compiled(r"(?:[нвкр]о|сько)$"),
    "be": compiled(r"(?:[нвкр][оа]|ска)$"),
}
_ADJECTIVE_ENDING = compiled(
    r"(?:ого|его|ому|ему|ый|ий|ой|ая|яя|ое|ее|ые|ие|ых|их|ым|им|ыми|ими|ую|юю|"  # ru
    r"ага|яга|аму|яму|ая|ыя|ія|ае|ое|ых|іх|ым|ім|ымі|імі|ую|юю)$"  # be
)


# A character one of the three substitutions of normalize() would change, other than the plain
# space (two plain spaces in a row are the other case). One character class, no alternation: re
# then scans for it in C; a branch makes it try the whole pattern at every position (4x slower).
_SPECIAL_CHARS = compiled(
    "[\r\u2028\u2029\u0085" + _INVISIBLE.pattern[1:-1] + _JOINERS + "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]"
)


def _needs_substitution(text: str) -> bool:
    """Whether normalize()'s substitutions would change ``text`` (for ASCII, substring searches alone)."""
    if "  " in text:
        return True
    if text.isascii():  # of the special characters only these four are ASCII
        return "\t" in text or "\r" in text or "\f" in text or "\v" in text
    # Every special character is a control, format or separator character, which str.isprintable
    # refuses: a printable text has none (told in C from the character database, faster than the class).
    if "\n" not in text and text.isprintable():
        return False
    return _SPECIAL_CHARS.search(text) is not None


def _unify_newlines(text: str) -> str:
    """CR LF, CR and the Unicode line separators as "\\n"; the text itself when it has none (the usual case)."""
    if "\r" in text or (not text.isascii() and ("\u2028" in text or "\u2029" in text or "\u0085" in text)):
        return _NEWLINES.sub("\n", text)
    return text


def normalize(text: str) -> str:
    """NFC; no soft hyphens or zero-width characters (but the joiners inside a word); one plain space between words;
    lines stripped."""
    # ASCII is NFC already; for the rest the quick check costs a fraction of normalising.
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Most texts reaching here (squashed paragraphs) hold nothing to substitute: a few searches
    # instead of three substitutions that would each copy the text (a fifth of it was this).
    if _needs_substitution(text):
        text = _unify_newlines(text)
        text = _INVISIBLE.sub("", text)
        text = _SPACES.sub(" ", text)
        if "\u200c" in text or "\u200d" in text:
            text = _STRAY_JOINERS.sub("", text)
    if "\n" not in text:
        return text.strip()
    return "\n".join(line.strip() for line in text.split("\n"))


def is_section_break(paragraph: str) -> bool:
    """``***``, ``* * *`` or their markdown-escaped forms ``\\*\\*\\*``."""
    text = paragraph.strip()
    # Every form opens with "*" or "\\": most paragraphs are told by their first character, not a match.
    return text[:1] in ("*", "\\") and _SECTION_BREAK.match(text) is not None


def _is_heading(paragraph: str) -> bool:
    first = paragraph[:1]  # "#" opens a markdown heading, "**" or "__" a wholly bold line: most lines neither
    return (first == "#" and _HEADING.match(paragraph) is not None) or (
        first in ("*", "_") and _WHOLLY_BOLD.match(paragraph) is not None)


def _ends_sentence(paragraph: str) -> bool:
    stripped = paragraph.rstrip()
    return bool(stripped) and stripped[-1] in _TERMINAL


def _trailing_word(text: str) -> str | None:
    """The word fragment before a line-final hyphen (``взаимодей`` in ``... взаимодей-``)."""
    # Most paragraphs do not end in a hyphen; the search from every start position is quadratic.
    if not text or text[-1] not in _HYPHENS:
        return None
    m = _TRAILING_WORD.search(text[-300:])
    return m.group(1) if m else None


_LEADING_WORD = compiled(rf"({_LETTER}+)")
# Compiled once here: re's module functions look a pattern up in their cache at every call (~1 us, cold in a parse).
_TRAILING_WORD = compiled(rf"(\w+(?:[{_HYPHENS}]\w+)*)[{_HYPHENS}]$")
_HYPHEN_SPLIT = compiled(f"[{_HYPHENS}]")


def _leading_word(text: str) -> str | None:
    m = _LEADING_WORD.match(text)
    return m.group(1) if m else None


def _keeps_hyphen(first: str, rest: str, language: str | None, evidence: _Evidence) -> bool:
    """Rules 1, 3 and 4 of the module docstring: is ``first-`` + ``rest`` a real compound?"""
    last_part = _HYPHEN_SPLIT.split(first)[-1]
    lower_first, lower_rest = last_part.lower(), rest.lower()
    # 1. evidence from the document itself
    if evidence.has_pair(lower_first, lower_rest):
        return True
    if evidence.has_word(lower_first + lower_rest):
        return False
    # 3. known hyphen formations
    if last_part[-1].isdigit() or (len(last_part) <= 5 and last_part.isupper()):
        return True
    if lower_first in _HYPHEN_PREFIXES or lower_rest in _PARTICLES:
        return True
    # 4. coordinate compound adjectives
    if lower_first in _SOLID_PREFIXES or len(lower_first) < 4:
        return False
    stem = _COMPOUND_STEM.get(language, _COMPOUND_STEM[None])
    return bool(stem.search(lower_first) and _ADJECTIVE_ENDING.search(lower_rest) and len(lower_rest) >= 4)


def _join_broken(left: str, right: str, language: str | None, evidence: _Evidence) -> str | None:
    """Join ``left`` and ``right`` across a break if the break is not real, else ``None``."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return None
    first = _trailing_word(left)
    rest = _leading_word(right) if first is not None else None  # read only after a line-final hyphen (few breaks)
    if first is not None and rest is not None and rest[0].islower():
        if rest.lower() in _CONJUNCTIONS:  # suspended hyphen: "Ein- und Ausfuhr"
            return f"{left} {right}"
        if _keeps_hyphen(first, rest, language, evidence):
            return left + right
        return left[:-1] + right
    if first is not None and right[0].isdigit():  # "COVID-" / "19"
        return left + right
    if not _ends_sentence(left):
        if right[0].islower() or (left.endswith((",", "—", "–")) and not _LIST_ITEM.match(right)):
            return f"{left} {right}"
        if _ends_on_dangling_word(left, language) and not _LIST_ITEM.match(right):
            return f"{left} {right}"
    return None


def _ends_on_dangling_word(text: str, language: str | None) -> bool:
    """The text's last word is one no sentence ends with in ``language`` (see :data:`_DANGLING`)."""
    words = _DANGLING.get((language or "")[:2].lower())
    if not words:
        return False
    cut = text.rfind(" ")
    return text[cut + 1:] in words


def _join_lines(paragraph: str, language: str | None, evidence: _Evidence) -> str:
    """One paragraph, its soft line wraps removed (list items keep their own line)."""
    if "\n" not in paragraph:
        return paragraph  # one line (most paragraphs): nothing to join
    lines = [line for line in paragraph.split("\n") if line]
    if not lines:
        return ""
    out = lines[0]
    for line in lines[1:]:
        if _LIST_ITEM.match(line) or _is_heading(out.rsplit("\n", 1)[-1]):
            out = f"{out}\n{line}"
            continue
        joined = _join_broken(out, line, language, evidence)
        if joined is None and _trailing_word(out) is not None and line[0].isupper():
            joined = out + line  # "Нью-" / "Йорк": a capitalised part keeps its hyphen
        out = joined if joined is not None else f"{out} {line}"
    return out


def repair_paragraphs(paragraphs: list[str], language: str | None = None) -> list[str]:
    """Rejoin split words and split sentences; keep compounds, headings and section breaks.

    Returns normalised paragraphs without empties; a section break becomes exactly ``***``.
    A paragraph starting with a markdown heading (``#``) or wholly in bold is a heading:
    nothing is ever joined across it or across a section break.
    """
    # A soft hyphen right before a line or paragraph break marks a word split for certain.
    prepared: list[tuple[str, bool]] = []
    for raw in paragraphs:
        if type(raw) is str and raw in _SETTLED:  # its own normalize, stripped: no line break, no soft hyphen in it
            prepared.append((raw, False))
            continue
        raw = _unify_newlines(raw or "")
        if "\u00ad" in raw:
            raw = re.sub("\u00ad[ \t]*\n[ \t]*", "", raw)
        soft_end = raw.rstrip(" \t\n\u00a0").endswith("\u00ad")
        text = normalize(raw).strip()
        if text:
            prepared.append((text, soft_end))
    evidence = _Evidence([text for text, _ in prepared])  # joined only if a line-final hyphen asks for it

    out: list[str] = []
    previous_soft_end = False
    for text, soft_end in prepared:
        if is_section_break(text):
            out.append("***")
            previous_soft_end = False
            continue
        heading = _is_heading(text)
        text = text if heading else _join_lines(text, language, evidence)
        if out and not heading and out[-1] != "***" and not _is_heading(out[-1]):
            if previous_soft_end and text[0].isalpha():
                out[-1] += text
                previous_soft_end = soft_end
                continue
            joined = _join_broken(out[-1], text, language, evidence)
            if joined is not None:
                out[-1] = joined
                previous_soft_end = soft_end
                continue
        out.append(text)
        previous_soft_end = soft_end
    return out


class _Evidence:
    """What the text itself says about hyphens (rule 1): words and hyphenated pairs seen inside lines.

    The text's tokens are its words, or words joined by single hyphens (:data:`_HYPHENATED_TOKEN`); its words are the
    tokens' parts and its pairs the neighbouring parts of a token. Asked only after a line-final hyphen (75 of the
    bench site's 653 pages), once or twice there: each question is answered by searching the text for that word or
    pair, not by reading every token of the text into sets (1.1 M instructions for a 1,600-character text, 2% of
    the site's parse). A token's part is a whole run of ``\\w`` characters, and two parts neighbour in a token exactly
    when one hyphen joins the two runs (the token pattern is greedy), so a search with those bounds answers what
    the sets answered (tests/unit/parsers/test_text.py compares them on made texts).
    """

    __slots__ = ("_inline", "_paragraphs")

    def __init__(self, paragraphs: list[str]) -> None:
        self._paragraphs = paragraphs  # read as one text (joined by line breaks) when the evidence is first asked for
        self._inline: str | None = None

    @classmethod
    def of(cls, text: str) -> _Evidence:
        return cls([text])

    def _text(self) -> str:
        if self._inline is None:
            # Fragments around line-final hyphens are no evidence: they are what is being decided.
            self._inline = _without_line_end_breaks("\n".join(self._paragraphs)).lower()
        return self._inline

    def has_word(self, word: str) -> bool:
        """Whether ``word`` is one of the text's words (a part of one of its tokens)."""
        return _WORD_ONLY.fullmatch(word) is not None and _occurs_as_words(self._text(), word)

    def has_pair(self, first: str, second: str) -> bool:
        """Whether ``first`` and ``second`` stand joined by a hyphen inside one of the text's tokens."""
        if _WORD_ONLY.fullmatch(first) is None or _WORD_ONLY.fullmatch(second) is None:
            return False
        text = self._text()
        return any(_occurs_as_words(text, f"{first}{hyphen}{second}") for hyphen in _HYPHENS)


_WORD_ONLY = compiled(r"\w+")


def _is_word_char(char: str) -> bool:
    """re's ``\\w`` for one character (alphanumeric or the underscore: tests/unit/parsers/test_text.py checks every code point)."""
    return char.isalnum() or char == "_"


def _occurs_as_words(text: str, needle: str) -> bool:
    """Whether ``needle`` (opening and closing with a word character) occurs in ``text`` with no word character
    right before or after it: as whole runs of word characters."""
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        if (start == 0 or not _is_word_char(text[start - 1])) and (end == len(text) or not _is_word_char(text[end])):
            return True
        start = text.find(needle, start + 1)
    return False


_HYPHENATED_TOKEN = compiled(rf"\w+(?:[{_HYPHENS}]\w+)*")
"""A word, or words joined by single hyphens: the tokens the hyphen evidence is read from (:class:`_Evidence`)."""
_LINE_END_BREAK = compiled(rf"\w*[{_HYPHENS}][ \t]*\n\s*\w*")
"""A word broken at a line's end by a hyphen, with the start of the next line's word."""


def _without_line_end_breaks(text: str) -> str:
    """``_LINE_END_BREAK.sub(" ", text)``, searched only from the start of the lines that end in a hyphen.

    The pattern opens with ``\\w*``: the engine enters it at every position of the text and runs each word
    to its end before failing (1% of a generated page's parse, on the pages that ask). Each match holds a
    hyphen, spaces or tabs and a newline; the one line end that can start a match on a line is found by
    ``str.find`` and the pattern searched from that line's start (or the last match's end, if later): the
    leftmost match there is the one ``sub`` finds, since no match can start earlier without a hyphen of
    its own at an earlier line's end."""
    pieces: list[str] = []
    last = 0
    newline = text.find("\n")
    while newline >= 0:
        hyphen = newline - 1
        while hyphen >= last and text[hyphen] in " \t":
            hyphen -= 1
        if hyphen >= last and text[hyphen] in _HYPHENS:
            found = _LINE_END_BREAK.search(text, max(text.rfind("\n", 0, hyphen) + 1, last))
            if found is not None:  # always (the hyphen's own line end matches): the guard is for the type checker
                pieces.append(text[last:found.start()])
                pieces.append(" ")
                last = found.end()
                newline = text.find("\n", last)
                continue
        newline = text.find("\n", newline + 1)
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def to_body_text(paragraphs: Iterable[str]) -> str:
    """Paragraphs joined by one blank line; empty paragraphs dropped."""
    return "\n\n".join(p.strip() for p in paragraphs if p and p.strip())


# ---------------------------------------------------------------- sentences

_ABBREVIATIONS = frozenset(
    """
    т.е т.д т.п т.к т.н т.ч т.о н.э до н.э г гг им ул пр просп пл д стр см напр др руб млн млрд трлн тыс
    коп обл р-н ст проф акад доц чл.-корр ок св ген полк подп мин сек рис табл англ рус нем франц
    т.я г.д вул зб жн
    b e.ə küç prof dos akad müəl mln mlrd
    mr mrs ms dr prof sr jr st vs e.g i.e inc ltd co corp no nos art para pp gen col lt sgt capt gov sen
    rep hon rt messrs mt ft approx dept est fig jan feb mar apr jun jul aug sep sept oct nov dec
    z.b d.h u.a bzw ca nr hr fr vgl ggf evtl inkl abs mio mrd str u.ä s.o o.ä sog i.d.r tel jh bzw
    u.s u.k u.n e.u
    """.split()
)
_MONTHS_AFTER_ORDINAL = compiled(
    r"(?:januar|jänner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november|dezember|"
    r"jan|feb|mär|apr|jun|jul|aug|sep|sept|okt|nov|dez)\b",
    re.I,
)
# A Latin sentence mark before a space and a word, or a full-width one ("。！？", Chinese and Japanese) before
# anything: those scripts write the next sentence with no space and no capital.
_CANDIDATE = compiled(r"(?:[.!?]+|…)[\"»”’)\]]*(?=\s+[\"«„“(\[—–-]?\s*[^\W_])|[。！？]+[」』”’）)\]]*(?=\s*[^\s」』”’）)\]])")
_FULL_WIDTH_MARKS = frozenset("。！？")


_BLANK = compiled(r"\s")
_INITIALS = compiled(rf"(?:{_LETTER}\.)*{_LETTER}")


def _is_boundary(text: str, end_of_mark: int, mark_start: int) -> bool:
    mark = text[mark_start:end_of_mark]
    if mark[0] in _FULL_WIDTH_MARKS:
        return True  # no abbreviation or initial ends with a full-width mark
    # Only a small window on each side is looked at: the splitter stays linear on long texts.
    after = text[end_of_mark:end_of_mark + 40].lstrip()
    after = after.lstrip("\"«„“([—–- ")
    if not after or not (after[0].isupper() or after[0].isdigit()):
        return False
    if not mark.startswith("."):
        return True
    token = _BLANK.split(text[max(0, mark_start - 40):mark_start])[-1].lstrip("\"«„“([")
    lowered = token.lower()
    if lowered in _ABBREVIATIONS or lowered.rstrip(".") in _ABBREVIATIONS:
        return False
    if _INITIALS.fullmatch(token):  # initials, single letters, "z. B"
        return False
    if token.isdigit() and _MONTHS_AFTER_ORDINAL.match(after):  # German "13. Juli"
        return False
    return True


def sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; blank lines always end a sentence.

    Abbreviations (``т.е.``, ``г.``, ``Mr.``, ``z.B.``), initials (``А. Асадов``, ``А.Асадов``),
    decimals (``2.5``) and German ordinals before a month (``13. Juli``) do not split.
    Fragments without a letter or digit (``***``) are dropped.
    """
    out: list[str] = []
    for block in re.split(r"\n\s*\n", normalize(text)):
        block = squash(block)  # every whitespace run to one space, as re's \s
        start = 0
        for m in _CANDIDATE.finditer(block):
            if _is_boundary(block, m.end(), m.start()):
                out.append(block[start:m.end()].strip())
                start = m.end()
        out.append(block[start:].strip())
    return [s for s in out if any(ch.isalnum() for ch in s)]


# ---------------------------------------------------------------- whitespace

_SETTLED: set[str] = set()
"""Texts known to be their own :func:`squash` and their own :func:`normalize` (see :func:`note_settled`)."""
_SETTLED_CHARS = 0
_SETTLED_MOST_TEXTS = 2048
_SETTLED_MOST_CHARS = 2_000_000
"""The set is emptied when it holds this many texts or characters: bounded whatever a page or a backfill reads."""


def note_settled(text: str) -> None:
    """Remember that ``text``, a plain ``str``, is its own squash and its own normalize (a paragraph the HTML reader
    found so: blocks.py's ``_squash_and_normal``), so that :func:`repair_paragraphs` and :func:`chrome_kind` take it as
    it is instead of scanning its characters again (each check reads every character through the Unicode database:
    ~10 us for a 500-character Cyrillic paragraph). Whether a text is settled depends on its characters alone, so
    an equal text met anywhere is settled too; the set holds the texts themselves, never their ids."""
    global _SETTLED_CHARS
    if type(text) is not str:
        return
    if len(_SETTLED) >= _SETTLED_MOST_TEXTS or _SETTLED_CHARS >= _SETTLED_MOST_CHARS:
        _SETTLED.clear()
        _SETTLED_CHARS = 0
    _SETTLED.add(text)
    _SETTLED_CHARS += len(text)


def squash(text: str) -> str:
    """Runs of whitespace to one space, ends stripped.

    A printable text has no whitespace but the space (every other whitespace character is a control or a
    separator, which ``str.isprintable`` refuses: tests/unit/parsers/test_text.py checks every code point), so
    without a double space it only needs its ends stripped: no list of its words to build and join (two
    thirds of a page's ~80 texts squashed, mostly its paragraphs; the check stops at the first other character).
    """
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    return " ".join(text.split())  # the same whitespace as re's \s, several times faster


# ---------------------------------------------------------------- hashing

_INVISIBLE_CHARS = "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(
    map(chr, range(0x2066, 0x206A)))
_HASH_FOLDS = {
    **dict.fromkeys(_INVISIBLE_CHARS, ""), "ё": "е", **dict.fromkeys("\"«»“”„‟″〝〞＂", '"'),
    **dict.fromkeys("'‘’‚‛′‹›`´ʼ", "'"), **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
    "…": "...",
}
_HASH_FOLD = compiled("[" + "".join(map(re.escape, _HASH_FOLDS)) + "]")


_ASCII_HASH_FOLDS = tuple((char, folded) for char, folded in _HASH_FOLDS.items() if char.isascii() and char != folded)
"""The folds an ASCII text can need (the backtick to an apostrophe; the ASCII quotes fold to themselves)."""


def _hash_fold(match: re.Match[str]) -> str:
    return _HASH_FOLDS[match.group()]


def _fold_for_hash(text: str) -> str:
    """A form in which texts differing only cosmetically are equal.

    NFC, invisible characters dropped, casefolded, ``ё`` -> ``е``, all quotes to ``"``/``'``,
    all dashes to ``-``, ``…`` to ``...``, every whitespace run to one space, stripped.

    The drops and replacements after the case fold are one pass (:data:`_HASH_FOLDS`), not five: each maps
    one character, none maps to a character another one changes, and the invisible characters are their
    own case fold (dropped before or after it, the same text: tests/unit/parsers/test_text.py checks every
    code point against the five passes). A quarter less CPU for the content hash of a parsed page. The
    whitespace runs are squashed by ``str.split``, whose whitespace is exactly that of re's ``\\s`` (checked there too).
    """
    if text.isascii():
        # NFC leaves an ASCII text as it is and its case fold is its lower case; of the folds only the ASCII ones
        # can apply (the backtick): a search in C each, not the class's search over every character.
        text = text.lower()
        for char, replacement in _ASCII_HASH_FOLDS:
            if char in text:
                text = text.replace(char, replacement)
        return _squash_paragraphs(text)
    text = unicodedata.normalize("NFC", text).casefold()
    return _squash_paragraphs(_HASH_FOLD.sub(_hash_fold, text))


def _squash_paragraphs(text: str) -> str:
    """:func:`squash` of a text whose paragraphs may be joined by blank lines (a release's body).

    Each ``"\\n\\n"`` made a space first: whitespace for whitespace, so the same words, the same squash; a body
    whose only other whitespace is single spaces then passes squash's own test (printable, no double space) and is
    only stripped, where the blank lines sent every body to the split of all its words and their join (two thirds
    of a body's fold). A text without a blank line is itself (``" ".join`` of one piece returns it).
    """
    return squash(" ".join(text.split("\n\n")))


fold_for_hash = ShortTextMemo(_fold_for_hash)
"""``_fold_for_hash``, remembered for short texts: a release's title, subtitle and lead are folded by the text
convention and again for the content hash (3 of a page's 7 folds)."""
_FOLDS = fold_for_hash.answers


# ---------------------------------------------------------------- page chrome
#
# Sites put chrome inside the article container: BelTA's messenger invitation, share bars, "see also"
# link lines, photo credits, print links, tag lists. Site parsers drop the blocks they know by
# selector; these rules catch the same things as TEXT, whatever the markup, on every parser's body.
# A line is chrome only when it is nothing else: a label with nothing after it, or a label followed by
# what such a label is followed by (network names, a link title, a credit), short and not a sentence.
# Real sentences that merely contain such words ("Фото и видео с церемонии опубликованы на сайте.",
# "See also Annex II for the figures.") are kept: see tests/unit/parsers/test_text_convention.py.

_MAX_CHROME_CHARS = 300
"""Longer lines are never chrome: no share bar or credit runs to three hundred characters."""
LONGEST_CHROME_LINE = 2 * _MAX_CHROME_CHARS
"""A line longer than this is never chrome, told by its length alone (before its whitespace is squashed)."""

_PRINT_WORDS = (
    r"версия для печати|распечатать|напечатать|печать|печатная версия|версія для друку|друкувати|надрукувати|"
    r"друк|print|print this page|print this article|print version|printable version|print page|"
    r"druckversion|drucken|seite drucken|druckansicht|imprimer|version imprimable|imprimir|"
    r"versión para imprimir|versión imprimible|çap et|çap versiyası|çapa göndər|"
    r"pdf|pdf version|pdf-версия|версия pdf|download pdf|скачать pdf|скачать|pdf herunterladen|"
    r"télécharger le pdf|descargar pdf"
)
_NETWORK = (
    r"(?:vk|vkontakte|вконтакте|вк|одноклассники|ok|ok\.ru|facebook|fb|twitter|x|telegram|телеграм|tg|whatsapp|"
    r"viber|вайбер|linkedin|instagram|youtube|ютуб|tiktok|threads|mastodon|bluesky|reddit|pinterest|дзен|"
    r"яндекс\.?\s?дзен|mail\.ru|мой мир|e-?mail|электронная почта|почта|link|ссылка|copy link|"
    rf"копировать ссылку|скопировать ссылку|rss|{_PRINT_WORDS})"
)
_SHARE_LABEL = (
    r"(?:share(?: this)?(?: page| article| story| post| news)?(?: on| via)?|поделиться(?: в)?|поделитесь|"
    r"падзяліцца|падзяліцеся|поділитися|поділіться|paylaş|paylaşın|bölüş|teilen|diesen artikel teilen|"
    r"seite teilen|artikel teilen|partager(?: sur| cet article| cette page)?|compartir(?: en)?)"
)
_SHARE = compiled(rf"{_SHARE_LABEL}\s*[:：]?\s*(?:{_NETWORK}\s*[,;|/·•]?\s*)*", re.I)
# A "follow us" line starts with the invitation and points at us, our channel, a network or a messenger.
_SUBSCRIBE_LABEL = (
    r"(?:подписывайтесь|подпишитесь|следите за нами|следите за новостями|присоединяйтесь|читайте нас|"
    r"падпісвайцеся|падпішыцеся|сачыце за намі|сачыце за навінамі|далучайцеся|чытайце нас|"
    r"підписуйтесь|підписуйтеся|підпишіться|слідкуйте за нами|стежте за нами|приєднуйтесь|"
    r"follow us|follow our|subscribe|join us|stay connected|"
    r"folgen sie uns|folgt uns|abonnieren sie|abonniert|"
    r"suivez[- ]nous|abonnez[- ]vous|rejoignez[- ]nous|"
    r"síguenos|siguenos|suscríbete|suscribete|suscríbase|únete|"
    r"bizi izləyin|bizi izleyin|abunə olun|qoşulun|bizi\b[^.!?]{0,60}?\b(?:izləyin|izleyin|abunə olun))"
)
_SUBSCRIBE_START = compiled(rf"{_SUBSCRIBE_LABEL}\b", re.I)
_SUBSCRIBE_OBJECT = compiled(
    r"\b(?:нас|наш\w*|нам|намі|unser\w*|uns|us|our|nous|notre|nos|nuestr\w*|bizi|bizim|"
    r"канал\w*|channel\w*|kanal\w*|chaîne|мессенджер\w*|messenger\w*|мэсэнджар\w*|месенджер\w*|соцсет\w*|"
    r"сацсет\w*|соцмереж\w*|social\w*|sozial\w*|sociaux|redes|newsletter|рассылк\w*|розсилк\w*|"
    rf"{_NETWORK})\b",
    re.I,
)
_SEE_ALSO_STRONG = (
    r"see also|read also|also read|read more|more on this(?: topic)?|"
    r"читайте также|читайте ещё|читайте еще|смотрите также|см\. также|чытайце таксама|глядзіце таксама|"
    r"читайте також|дивіться також|"
    r"lesen sie auch|lesen sie mehr|siehe auch|mehr zum thema|auch interessant|"
    r"voir aussi|lire aussi|à lire aussi|a lire aussi|lire la suite|"
    r"ver también|vea también|lea también|lee también|"
    r"həmçinin oxuyun|həmçinin bax|bax həmçinin|oxu həmçinin"
)
# Labels that also begin ordinary sentences ("Related measures were adopted"): chrome only alone or
# with a separator after them.
_SEE_ALSO_WEAK = (
    r"related(?: news| articles| content| stories| links| materials| documents)?|"
    r"по теме|материалы по теме|другие новости|па тэме|матэрыялы па тэме|за темою|інші новини|"
    r"zum thema|verwandte artikel|sur le même sujet|sur le meme sujet|relacionad[oa]s|noticias relacionadas|"
    r"mövzu ilə bağlı|digər xəbərlər|oxşar xəbərlər"
)
_SEPARATOR = r"[:：»>→–—-]"
_SEE_ALSO = compiled(rf"(?P<label>{_SEE_ALSO_STRONG})\b\s*(?P<sep>{_SEPARATOR}+)?\s*(?P<rest>.*)", re.I)
_SEE_ALSO_WEAK_RE = compiled(rf"(?:{_SEE_ALSO_WEAK})\s*(?:{_SEPARATOR}+\s*.*)?", re.I)
_CREDIT_LABEL = (
    r"фото|фотография|фотографии|фотографія|фота|фотаздымак|світлина|видео|відео|відэа|"
    r"photo|photos|photograph|photo credit|photos credit|image|images|image credit|picture|credit|credits|"
    r"foto|fotos|fotografía|fotografia|video|vídeo|bild|bilder|bildquelle|"
    r"crédit photo|crédits photo|crédit|şəkil|fotoşəkil"
)
_CREDIT_SEPARATED = compiled(rf"(?:{_CREDIT_LABEL})\s*[:：©/–—-]\s*(?P<rest>.*)", re.I)
_CREDIT_ALONE = compiled(rf"(?:{_CREDIT_LABEL})", re.I)
# "Фото из архива", "Фото БЕЛТА", "Photo by Jane Doe": the label, then who or where it is from
# (a preposition of origin or a capitalised name), at most four words, no full stop.
_CREDIT_BARE = compiled(
    rf"(?i:{_CREDIT_LABEL})\s+(?:(?i:by|from|courtesy|of|из|с|со|з|от|ад|пресс-службы|прэс-службы|прес-служби|"
    r"von|de|par|por)\b|©|[A-ZА-ЯЁІЎЄЇҐƏ])\S*(?:\s+\S+){0,3}",
)
_COPYRIGHT = compiled(r"(?:©|\(c\)\s|copyright\b).*", re.I)
_PRINT = compiled(rf"(?:{_PRINT_WORDS})\s*(?:\([^()]{{0,40}}\))?", re.I)
_TAGS_LABEL = (
    r"(?:теги|тэги|тэгі|теґи|метки|ключевые слова|ключавыя словы|ключові слова|tags?|keywords|topics?|"
    r"темы|тэмы|теми|schlagwörter|schlagworte|stichwörter|themen|étiquettes|mots[- ]clés|sujets|thèmes|"
    r"etiquetas|palabras clave|temas|teqlər|açar sözlər|mövzular)"
)
_TAGS = compiled(rf"{_TAGS_LABEL}\s*(?:[:：]\s*.*)?", re.I)
# "« Назад к новостям", "Back to news", "Zurück zur Übersicht": the link back to the list, alone on its line.
_BACK_LABEL = (
    r"(?:назад|вернуться|вярнуцца|повернутися|back|go back|return|zurück|retour|volver|regresar|voltar|torna|"
    r"indietro|geri|geri qayıt|geriyə|wstecz|powrót|zpět|späť|atpakaļ|atgal|tagasi|vissza|înapoi|orqaga|артқа|кайра)"
)
_BACK = compiled(
    rf"{_BACK_LABEL}(?:\s+(?:к|в|на|до|ко|to(?: the)?|zur|zum|zu den|au|aux|à la|à|a la|al|a|para|alla|ai|do|na|do)\s+"
    r"(?:списку\s+)?(?:новостям|новостей|новости|списку|разделу|ленте|началу|главной|навінах|навін|спісу|новин|списку|"
    r"news|all news|the news|list|top|overview|index|home|homepage|übersicht|liste|nachrichten|startseite|actualités|"
    r"la liste|noticias|listado|inicio|notícias|lista|notizie|elenco|haberlere|listeye|xəbərlərə|siyahıya|aktualności|listy|"
    r"zpráv|seznamu|ziņām|naujienų|uudistele|hírekhez|știri))?",
    re.I,
)


def _alternatives(words: str) -> list[str]:
    """The alternatives of a label's words (a regex): split at each ``|`` outside a group or a class,
    the group that encloses all of them taken away first."""
    forms, depth, start, i, first_closed = [], 0, 0, 0, -1
    while i < len(words):
        char = words[i]
        if char == "\\":
            i += 1  # an escaped character: itself
        elif char == "[":
            i = words.index("]", i + 2)  # a class (none here escapes its "]"): no group, no "|" inside
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0 and first_closed < 0:
                first_closed = i
        elif char == "|" and depth == 0:
            forms.append(words[start:i])
            start = i + 1
        i += 1
    if words.startswith("(?:") and first_closed == len(words) - 1:
        return _alternatives(words[3:-1])  # one group around all of them
    forms.append(words[start:])
    return forms


def _factored(forms: list[str]) -> str:
    """One alternation of ``forms`` (regexes) with the forms that open with the same letter behind that letter.

    The regex engine enters every alternative of a case-blind alternation at a position (it skips one at
    once only when it opens with a case-sensitive literal): ~200 label forms were ~200 entries at every
    line's start; grouped by opening letter, recursively, they are one per opening letter and a few after
    it. ``ab|ac`` and ``a(?:b|c)`` match the same strings in the same order of preference; forms that open
    otherwise (a group, a class, a letter that a quantifier follows, an empty form) stay as they are."""
    return "|".join(_factored_parts(forms))


def _factored_parts(forms: list[str]) -> list[str]:
    """:func:`_factored`'s top-level alternatives. None holds a ``|`` outside a group or a class (each is a form,
    a form less its first letter, or a letter before one group or one alternative), so two or more joined are
    that many alternatives: only a single one is split again (by :func:`_alternatives`, which walks it
    character by character) to tell whether it is one group around several, which a letter before it needs
    enclosed. The pattern is the same string (tests/unit/parsers/test_text.py); 2 ms less at each import."""
    groups: dict[str, list[str]] = {}
    for form in forms:
        letter = form[:1] if form[:1].isalpha() and form[1:2] not in ("?", "*", "+", "{") else ""
        groups.setdefault(letter or f"\0{len(groups)}", []).append(form)
    parts = []
    for letter, members in groups.items():
        rests = [member[1:] for member in members]
        if len(letter) != 1 or len(members) == 1 or "" in rests:
            parts.extend(members)
        else:
            inner_parts = _factored_parts(rests)
            inner = "|".join(inner_parts)
            several = len(inner_parts) > 1 or len(_alternatives(inner)) > 1
            parts.append(f"{letter}(?:{inner})" if several else letter + inner)
    return parts


# What every pattern above opens with (each is matched at the start of the line): a line opening with none
# of these labels is none of them, told by one match instead of nine (most lines of a body). The forms are
# grouped by their opening letters (``_factored``): the same strings, a fifth of the work at a line's start.
_CHROME_LABELS = (_SHARE_LABEL, _SUBSCRIBE_LABEL, _SEE_ALSO_STRONG, _SEE_ALSO_WEAK, _PRINT_WORDS, _TAGS_LABEL, _CREDIT_LABEL,
                  _BACK_LABEL)
_CHROME_OPENING = compiled(_factored([form for words in _CHROME_LABELS for form in _alternatives(words)]), re.I)
# Decoration around a chrome line: bullets, arrows, pipes, icons drawn with characters.
_DECORATION = " \t•·|›»→>←<‹«*-–—_~#"
_SENTENCE_END = compiled(r"[.!?…]\W*$")


def _labelled_chrome(bare: str) -> str | None:
    """The kind of a chrome line a label opens (share, subscribe, see also, print, tags, credit), or None."""
    if _SHARE.fullmatch(bare):
        return "share"
    if _SUBSCRIBE_START.match(bare) and _SUBSCRIBE_OBJECT.search(bare) and len(sentences(bare)) <= 2:
        return "subscribe"
    see_also = _SEE_ALSO.fullmatch(bare)
    if see_also:
        rest = see_also.group("rest").strip()
        # Alone, or pointing at a link ("Читайте также: ..."), or a short link title with no full stop.
        if not rest or see_also.group("sep") or (len(rest.split()) <= 12 and not _SENTENCE_END.search(rest)):
            return "see_also"
    if _SEE_ALSO_WEAK_RE.fullmatch(bare):
        return "see_also"
    if _PRINT.fullmatch(bare):
        return "print"
    if _TAGS.fullmatch(bare):
        return "tags"
    if _BACK.fullmatch(bare):
        return "back"
    credit = _CREDIT_SEPARATED.fullmatch(bare)
    if credit and len(credit.group("rest")) <= 120 and len(sentences(credit.group("rest"))) <= 1:
        return "credit"
    if _CREDIT_ALONE.fullmatch(bare):
        return "credit"
    bare_credit = _CREDIT_BARE.fullmatch(bare)
    if bare_credit and not _SENTENCE_END.search(bare):
        return "credit"
    return None


# Lines a site rewrites at every visit without the release changing: view and comment counters ("Просмотров: 1234",
# "1,2K views", "👁 1234") and how long ago it was published ("3 часа назад", "vor 2 Stunden"). Kept, each fetch of an
# unchanged release would hash differently and be stored as a new version (a false edit). Only the whole line goes: a
# label, a number, its "times" word, joined to others of these kinds by a separator ("3 часа назад | Просмотров: 12").
_COUNT = r"(?:\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+)(?:[.,]\d)?\s*(?:[kKmMкК]|тыс\.?|млн\.?|mln|mil)?"
_COUNTER_WORDS = (
    # Russian, Belarusian, Ukrainian, Azerbaijani, Kazakh, Uzbek, Kyrgyz, Tajik, Armenian, Georgian, Mongolian
    r"просмотр\w*|прочитан\w*|прагляд\w*|прачытан\w*|перегляд\w*|переглянут\w*|"
    r"baxış\w*(?:\s+sayı\w*)?|baxılıb|baxılma\w*|oxunub|oxunma\w*|göstərilmə\w*|"
    r"қаралды|қаралым\w*|көрілді|көрсетілім\w*|ko['‘’ʻ`]?rildi|ko['‘’ʻ`]?rishlar\w*|ko['‘’ʻ`]?rilgan|"
    r"көрүлдү|көрүүлөр\w*|дидашуда|дида шуд|դիտում\w*|ნახვ\w*|ნანახია|үзсэн|үзэлт\w*|"
    # English, German, French, Spanish, Portuguese, Italian
    r"views?|viewed|page ?views|hits|reads|visits|"
    r"aufrufe|aufgerufen|zugriffe|gelesen|ansichten|"
    r"vues?|consultations?|consulté|lectures?|lu|"
    r"visitas?|vistas?|lecturas?|leído|leido|visto|visualizaciones|"
    r"visualizações|visualizacoes|acessos|lido|leituras|"
    r"visite|letture|visualizzazioni|letto|"
    # Polish, Czech, Slovak, Slovenian, Croatian, Serbian, Bulgarian, Macedonian, Romanian, Hungarian
    r"wyświetle\w*|odsłon\w*|zobrazeno|zobrazení|přečteno|prečítané|videné|ogledov|"
    r"pregleda|pregledi|прегледа|прегледи|прочетено|видяна|прегледано|"
    r"vizualizări|vizualizari|afișări|afisari|accesări|accesari|megtekintés\w*|megtekintve|olvasva|"
    # Baltic, Finnish, Greek, Turkish, Turkmen
    r"skatīts|skatījum\w*|lasīts|peržiūr\w*|skaitė|vaatamisi|loetud|katselukerrat|luettu|"
    r"προβολές|αναγνώσεις|görüntülenme|görüntüleme|okunma|okundu|görüldi|okaldy|"
    # Chinese, Japanese, Korean, Arabic, Persian, Hebrew, Vietnamese, Indonesian, Thai, Hindi
    r"浏览(?:次数|量)?|阅读(?:次数|量)?|点击(?:次数|数|量|率)?|访问量|瀏覽(?:次數|量)?|閱讀(?:次數|量)?|點擊(?:次數|數|率)?|"
    r"閲覧(?:数)?|조회(?:수)?|"
    r"(?:عدد )?(?:المشاهدات|مشاهدات|مشاهدة|القراءات|قراءات|قراءة|الزيارات|زيارات|زيارة)|(?:تعداد )?بازدید|צפיות|"
    r"lượt xem|dilihat|dibaca|paparan|การเข้าชม|เข้าชม|बार देखा गया|व्यूज़|"
    # comments counted
    r"комментари\w*|каментар\w*|коментар\w*|şərh\w*|comments?|kommentare?|commentaires?|comentarios?|"
    r"comentários|commenti|komentarz\w*|yorum\w*|评论|評論|コメント|댓글|تعليقات?"
)
_TIMES = r"раз\w*|times|mal|fois|veces|vezes|volte|kez|dəfə|разоў|разів|рет|marta|次|回|번|مرة|بار|lần|kali|krát|razy|ครั้ง"
# Grouped by their opening letters (_factored): each line's start meets one alternative per letter, not ~150 words.
_COUNTER_OPENING = _factored(_alternatives(_COUNTER_WORDS))
_COUNTER_SEGMENT = (
    rf"(?:[👁👀💬🗨]\ufe0f?\s*)?(?:{_COUNTER_OPENING})\s*[:：\-–—]?\s*[(\[]?{_COUNT}[)\]]?(?:\s*(?:{_TIMES}))?"
    rf"|(?:[👁👀💬🗨]\ufe0f?\s*)?{_COUNT}\s*(?:(?:{_TIMES})\s+)?(?:{_COUNTER_WORDS})"
    rf"|[👁👀💬🗨]\ufe0f?\s*{_COUNT}"
)
_AGO_UNITS = (
    r"(?:\d+|an?|one|une?|una?|un|einer?|einem|одну|один|одна|адну|адзін|адна|одну|одна)\s*"
    r"(?:секунд\w*|сек\.?|минут\w*|мин\.?|час\w*|ч\.|дн\w*|день|недел\w*|месяц\w*|год\w*|лет|хвілін\w*|гадзін\w*|дзён|"
    r"тыдн\w*|тыдзень|гадоў|хвилин\w*|годин\w*|тижн\w*|тиждень|місяц\w*|рок\w*|років|"
    r"seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|[smhd]|"
    r"sekunden?|minuten?|stunden?|tag(?:en)?|wochen?|monat(?:en)?|jahr(?:en)?|"
    r"secondes?|heures?|jours?|semaines?|mois|ans?|segundos?|minutos?|horas?|días?|dias?|semanas?|mes(?:es)?|"
    r"mês|meses|años?|anos?|secondi|secondo|minuti|minuto|ore|ora|giorni|giorno|settimane?|settimana|mesi|mese|anni|anno|"
    r"saniyə|dəqiqə|saat|gün|həftə|ay|il|saniye|dakika|hafta|yıl|sekund\w*|godzin\w*|dni|dzień|tygodni\w*|miesi\w*|lat|"
    r"сағат|күн|апта|жыл|soniya|daqiqa|soat|kun|oy|yil)"
)
# Today and yesterday, which news modules print for a fresh item ("Сегодня, 14:30"): read as a date against the fetch
# time (govpress/parsers/dates.py ``parse_relative_day``), and no text either way.
TODAY_WORDS = (
    "сегодня|сьогодні|сёння|бүгін|bugün|bu\\s*gün|today|heute|aujourd['’]hui|hoy|hoje|oggi|dzisiaj|dziś|dnes|danas|днес|"
    "astăzi|azi|vandaag|idag|i\\s*dag|tänään|täna|šodien|šiandien|σήμερα|今天|今日|오늘|اليوم|امروز|היום|hôm\\s*nay|hari\\s*ini"
)
# No French "hier": alone on a line it is as likely the German "here" (a link "Hier").
YESTERDAY_WORDS = (
    "вчера|вчора|учора|кеше|dünən|dün|yesterday|gestern|ayer|ontem|ieri|wczoraj|včera|jučer|juče|gisteren|igår|"
    "i\\s*går|eilen|eile|vakar|χθες|昨天|昨日|어제|أمس|امس|دیروز|אתמול|hôm\\s*qua|kemarin"
)
_CLOCK = r"(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*(?:uhr|h|[ap]\.?\s?m\.?))?"
_RELATIVE_DAY_SEGMENT = (
    rf"(?:{TODAY_WORDS}|{YESTERDAY_WORDS})(?![^\W\d_])"
    rf"(?:\s*,?\s*(?:в|о|у|at|um|à|a\s+las|a\s+la|o|saat|alle|às|om|kl\.?)?\s*{_CLOCK})?"
)
_RELATIVE_SEGMENT = (
    r"(?:(?:опубликовано|обновлено|апублікавана|абноўлена|опубліковано|оновлено|published|updated|posted|"
    r"veröffentlicht|aktualisiert|publié|mis à jour|publicado|actualizado|atualizado|pubblicato|aggiornato|"
    r"dərc edilib|yeniləndi|yayımlandı|güncellendi|opublikowano|zaktualizowano)\s*[:：]?\s*)?"
    rf"(?:{_AGO_UNITS}\s*(?:назад|таму|тому|ago|fa|temu|əvvəl|öncə|önce|бұрын|oldin|avval)"
    rf"|(?:vor|il y a|hace|há|ha|منذ)\s*{_AGO_UNITS}"
    r"|\d+\s*(?:秒|分钟|小时|天|周|个月|年|分|時間|日|週間|か月|ヶ月)前|\d+\s*(?:초|분|시간|일|주|개월|년)\s*전"
    r"|منذ\s*(?:\d+\s*)?(?:ثانية|ثوان|دقيقة|دقائق|ساعة|ساعات|يوم|أيام|أسبوع|أسابيع|شهر|أشهر|سنة|سنوات)"
    rf"|{_RELATIVE_DAY_SEGMENT})"
)
_VOLATILE_SEGMENT = rf"(?:{_COUNTER_SEGMENT})|(?P<age>{_RELATIVE_SEGMENT})"
_VOLATILE = compiled(
    rf"(?:{_COUNTER_SEGMENT}|{_RELATIVE_SEGMENT})(?:\s*[|·•,;/]\s*(?:{_COUNTER_SEGMENT}|{_RELATIVE_SEGMENT}))*", re.I
)
_COUNTER_ANYWHERE = compiled(_COUNTER_SEGMENT, re.I)
_VOLATILE_MAX_CHARS = 80
"""Longer lines are never only counters and ages."""
_DAY_WORD_CHARS = 16
"""The longest line an age without a digit can be: a day word alone ("aujourd'hui", "Сегодня")."""
_ANY_DIGIT = compiled(r"\d")


_BARE_COUNT = compiled(rf"[👁👀💬🗨]?\ufe0f?\s*{_COUNT}")


def is_bare_count(line: str) -> bool:
    """Whether ``line`` is a number alone ("1 234", "1.2K"): at the body's edges, a counter whose label is an icon."""
    return len(line) <= 24 and _BARE_COUNT.fullmatch(line.strip(_DECORATION)) is not None


def _volatile_kind(bare: str) -> str | None:
    """``"counter"`` for a line of view or comment counts (an age beside them or not), ``"age"`` for a line that
    only says how long ago the release was published, else None."""
    if len(bare) > _VOLATILE_MAX_CHARS or (len(bare) > _DAY_WORD_CHARS and _ANY_DIGIT.search(bare) is None):
        return None  # most lines, told without the pattern: a counter or an age has a number, a day word is short
    if not _VOLATILE.fullmatch(bare):
        return None
    return "counter" if _COUNTER_ANYWHERE.search(bare) else "age"


def chrome_kind(line: str) -> str | None:
    """What kind of page chrome ``line`` is ("share", "subscribe", "see_also", "credit", "print",
    "tags", "copyright"), or None when it is text. See the comment above for the rule."""
    if len(line) > LONGEST_CHROME_LINE:
        return None  # most lines of a body: decided before any work
    # Body lines come normalised from the parsers; only whitespace is evened out here (str.split knows
    # every Unicode space): normalize() on every line would be most of the convention step's time.
    text = line if type(line) is str and line in _SETTLED else squash(line)  # a paragraph found settled: its own squash
    if not text or len(text) > _MAX_CHROME_CHARS or is_section_break(text):
        return None
    bare = text.strip(_DECORATION + ":：")
    if not bare:
        return None
    # Only a line a label opens can be one of the labelled kinds (one match instead of nine: most lines).
    kind = _labelled_chrome(bare) if _CHROME_OPENING.match(bare) else None
    if kind is not None:
        return kind
    if _COPYRIGHT.fullmatch(text.lstrip(_DECORATION)):
        return "copyright"
    return _volatile_kind(bare)


def is_chrome(line: str) -> bool:
    """Whether ``line`` is only page chrome (:func:`chrome_kind`)."""
    return chrome_kind(line) is not None


_WORD = compiled(r"\w+")


def comparable_words(text: str | None) -> list[str]:
    """The words of ``text`` in :func:`fold_for_hash` form: equal lists mean the same words in the same
    order, whatever the quotes, dashes, case, ``ё``/``е`` or punctuation."""
    return _WORD.findall(fold_for_hash(text or "")) if text else []
