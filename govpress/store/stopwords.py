"""Stopword lists of the full-text search: closed-class words only, so no content word is ever dropped.

Why our own lists: DuckDB's fts ships one list (``stopwords='english'``, 571 words) that also
drops content words an analyst searches for -- "greetings", "thanks", "welcome", "serious",
"novel", "value", "appreciate" -- so "greetings" found nothing although Kremlin titles contain
it. The lists here hold articles, pronouns, prepositions, conjunctions, particles and auxiliary
verbs only; a word that could carry the meaning of a headline is never listed. BM25 already
gives the remaining frequent words little weight; these lists keep them out of the index
(smaller, faster) and out of disjunctive queries.

Words are matched on the lower-cased surface form, before folding and stemming, so a stopword
can never remove a content word that merely shares its stem ("более" is listed, "боль" is not
touched). Keyed by search family (see :mod:`govpress.store.search`): Russian, Belarusian and
Ukrainian share one family and one (joined) list.
"""

from __future__ import annotations

ENGLISH = """
a an the and or but nor so yet if then than as of to in on at by for from with without into onto
upon about over under between among through during before after above below up down out off
is are was were be been being am do does did done has have had having will would shall should
can could may might must it its itself this that these those he him his himself she her hers
herself they them their theirs themselves we us our ours ourselves you your yours yourself i me
my mine myself who whom whose which what there here not no
"""

GERMAN = """
der die das den dem des ein eine einer eines einem einen und oder aber sondern denn doch als wie
wenn dass daß ob zu zur zum im in ins an am auf aus bei beim mit nach von vom vor für fur über uber
unter durch gegen ohne um bis seit während ist sind war waren wird werden wurde wurden worden sei
hat haben hatte hatten es er sie ihr ihre ihren ihrem ihres sein seine seinen seinem seiner wir
uns unser unsere ich mich mir du dich dir man sich nicht kein keine auch noch so dies diese dieser
dieses diesen diesem jene jener
"""

# Russian, Belarusian and Ukrainian: one family, one list (each word is a function word in its language).
CYRILLIC = """
и в во не на с со по к ко о об обо от до за из изо у для при что чтобы как а но или же ли бы
это этот эта эти этого этой этих его ее её их он она оно они мы вы я ты мне меня нас вам вас
им ним них ней нее то так также был была было были быть будет будут который которая
которое которые которых которой которого также ни же уже
і й ў у з са па да ад не на што як а але ці гэта гэты гэтая гэтыя яго яе іх ён яна яно яны
мы вы я для пры аб за ад з і таксама быў была было былі будзе які якая якое якія
та в із зі до від по за не що як а але чи це цей ця ці його її їх він вона воно вони ми ви я
для при про також був була було були буде який яка яке які
"""

AZERBAIJANI = """
və ilə bu o bir da də ki üçün isə kimi həm ya yaxud amma lakin ancaq onun onlar onların biz siz
mən sən bunu buna bunun həmin hər heç nə necə olan olub olaraq edir edib etdi
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(sorted(set(text.split())))


STOPWORDS: dict[str, tuple[str, ...]] = {
    "ru": _words(CYRILLIC),
    "en": _words(ENGLISH),
    "de": _words(GERMAN),
    "az": _words(AZERBAIJANI),
    "other": (),
}
"""Search family -> its stopwords (lower-case surface forms)."""
