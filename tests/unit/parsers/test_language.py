"""govpress.parsers.language: close pairs (be/ru, az/tr, uk/ru), mixed pages, declared languages, short text."""

from __future__ import annotations

from collections import Counter

import pytest

from govpress.parsers.language import detect_language, language_mismatch, language_probabilities

SENTENCES = {
    "ru": "Президент Беларуси Александр Лукашенко встретился с премьер-министром Азербайджана. "
          "Стороны обсудили вопросы торгово-экономического сотрудничества.",
    "be": "Прэзідэнт Беларусі Аляксандр Лукашэнка сустрэўся з прэм'ер-міністрам Азербайджана. "
          "Бакі абмеркавалі пытанні гандлёва-эканамічнага супрацоўніцтва.",
    "uk": "Президент України провів зустріч з прем'єр-міністром Азербайджану. "
          "Сторони обговорили питання торговельно-економічного співробітництва.",
    "az": "Azərbaycan Respublikasının Baş naziri Əli Əsədov Belarus Respublikasına rəsmi səfərə gəlib. "
          "Tərəflər ticarət-iqtisadi əməkdaşlıq məsələlərini müzakirə ediblər.",
    "tr": "Türkiye Cumhuriyeti Dışişleri Bakanı bugün Ankara'da Azerbaycan heyetiyle bir araya geldi. "
          "Taraflar ticari ve ekonomik işbirliğini görüştü.",
    "en": "The Prime Minister met the President of Azerbaijan in London to discuss trade and energy cooperation.",
    "de": "Die Bundesministerin traf sich heute in Luxemburg mit den Außenministern der deutschsprachigen Länder.",
    "fr": "Le Parlement européen a adopté aujourd'hui une résolution sur la situation au Venezuela.",
    "ur": "وزیر اعظم نے آج اسلام آباد میں ایک اہم اجلاس کی صدارت کی اور معیشت پر بات کی",
    # Languages of official sites the detector could not answer before (a Vietnamese page came out Irish, a
    # Turkmen one Turkish, Tatar and Bashkir Kazakh, Pashto Persian), declared or not.
    "vi": "Thủ tướng Chính phủ đã có cuộc hội đàm với Thủ tướng Cộng hòa Belarus về tăng cường hợp tác kinh tế, "
          "thương mại và đầu tư giữa hai nước.",
    "tk": "Türkmenistanyň Prezidenti Belarus Respublikasynyň Premýer-ministri bilen duşuşyk geçirdi. "
          "Duşuşygyň barşynda ykdysady we söwda hyzmatdaşlygyny ösdürmegiň meseleleri ara alnyp maslahatlaşyldy.",
    "tt": "Татарстан Рәисе Беларусь Республикасы Премьер-министры белән очрашты. Очрашу барышында якларның "
          "икътисадый һәм сәүдә хезмәттәшлеген үстерү мәсьәләләре каралды.",
    "ba": "Башҡортостан Республикаһы Башлығы Беларусь Республикаһы Премьер-министры менән осрашты. "
          "Осрашыуҙа иҡтисади һәм сауҙа хеҙмәттәшлеген үҫтереү мәсьәләләре ҡаралды.",
    "ps": "د افغانستان د بهرنیو چارو وزیر د بېلاروس له همکار سره وکتل او د دواړو هېوادونو ترمنځ د اقتصادي او "
          "سوداګریزو اړیکو پر پراختیا یې خبرې وکړې.",
    "sw": "Rais wa Jamhuri ya Muungano wa Tanzania amekutana na Waziri Mkuu wa Belarus na kujadili kuhusu "
          "ushirikiano wa kiuchumi na biashara kati ya nchi hizo mbili.",
    "tl": "Nakipagpulong ang Pangulo ng Pilipinas sa Punong Ministro ng Belarus upang talakayin ang pagpapalakas "
          "ng kooperasyong pang-ekonomiya at kalakalan ng dalawang bansa.",
    "is": "Forsætisráðherra Íslands átti fund með forsætisráðherra Hvíta-Rússlands þar sem rætt var um "
          "efnahagslegt samstarf og viðskipti milli landanna tveggja.",
    "eu": "Eusko Jaurlaritzako lehendakariak Bielorrusiako lehen ministroarekin bildu da bi herrialdeen arteko "
          "lankidetza ekonomikoa eta merkataritza indartzeko.",
    "gl": "O presidente da Xunta reuniuse co primeiro ministro de Bielorrusia para falar da cooperación económica "
          "e comercial entre os dous países nos próximos anos.",
    "cy": "Cyfarfu Prif Weinidog Cymru â Phrif Weinidog Belarws i drafod cydweithrediad economaidd a masnach rhwng "
          "y ddwy wlad yn y blynyddoedd nesaf.",
}


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_realistic_sentences(language: str) -> None:
    assert detect_language(SENTENCES[language]) == language


@pytest.mark.parametrize("language", ["vi", "tk", "tt", "ba", "ps", "sw", "tl", "is", "eu", "gl", "cy"])
def test_a_declared_language_of_an_official_site_is_answered(language: str) -> None:
    assert detect_language(SENTENCES[language], declared=(language,)) == language


@pytest.mark.parametrize(("text_language", "declared"), [("ru", ("be",)), ("be", ("ru",)), ("az", ("tr",)),
                                                          ("tr", ("az",)), ("ru", ("be", "ru"))])
def test_clear_text_overrules_a_wrong_declaration(text_language: str, declared: tuple[str, ...]) -> None:
    assert detect_language(SENTENCES[text_language], declared=declared) == text_language


def test_russian_page_quoting_english_names_is_russian() -> None:
    text = ("Премьер-министр встретился с Boris Johnson и Emmanuel Macron в Лондоне. "
            "Стороны обсудили Brexit, Green Deal и вопросы безопасности.")
    assert detect_language(text) == "ru"


def test_mixed_page_goes_with_the_majority() -> None:
    mixed = SENTENCES["en"] + " " + SENTENCES["ru"] + " " + SENTENCES["ru"]
    assert detect_language(mixed) == "ru"
    assert detect_language(SENTENCES["az"] * 3 + SENTENCES["ru"]) == "az"


def test_short_text_follows_the_declared_language() -> None:
    title = "Встреча глав правительств"  # Russian or Belarusian-looking? too short to overrule the source
    assert detect_language(title, declared=("be",)) == "be"
    assert detect_language("Hi", declared=("ru",)) == "ru"
    assert detect_language("Əsədov", declared=("az", "ru")) == "az"


def test_too_short_without_declaration_is_none() -> None:
    assert detect_language("Hello") is None
    assert detect_language("") is None
    assert detect_language("12.10.2024 — 15:00 ***") is None


def test_declared_codes_are_normalised() -> None:
    assert detect_language("Да", declared=("ru-RU",)) == "ru"
    assert language_mismatch("ru", ["ru-RU"]) is False


def test_probabilities_are_restricted_to_the_script() -> None:
    probabilities = language_probabilities(SENTENCES["be"])
    assert set(probabilities) <= {"ru", "be", "uk", "kk", "bg", "sr", "mk", "ky", "tg", "mn", "uz", "tt", "ba"}
    assert abs(sum(probabilities.values()) - 1.0) < 1e-6
    assert next(iter(probabilities)) == "be"
    assert language_probabilities("123 !!!") == {}


def test_language_mismatch() -> None:
    assert language_mismatch("ru", ["be"]) is True
    assert language_mismatch("ru", ["be", "ru"]) is False
    assert language_mismatch(None, ["ru"]) is False
    assert language_mismatch("ru", []) is False


def test_repeated_calls_reuse_the_model() -> None:
    import govpress.parsers.language as module

    detect_language(SENTENCES["de"])
    first = module._get_identifier()
    detect_language(SENTENCES["en"])
    assert module._get_identifier() is first


def test_the_detector_reads_a_sample_spread_over_a_long_text():
    from govpress.parsers.language import SAMPLE_CHARS, text_sample

    assert text_sample("Короткий текст.") == "Короткий текст."
    long = " ".join(f"слово{i}" for i in range(3000))
    sample = text_sample(long)
    assert len(sample) <= SAMPLE_CHARS and text_sample(sample) == sample
    assert sample.startswith("слово0 ") and sample.endswith("слово2999")  # from the start to the end
    assert any(f"слово{i} " in sample for i in range(1450, 1550))  # and the middle
    assert all(part.split()[0].startswith("слово") for part in sample.split("\n"))  # no word cut in half


def test_a_long_russian_text_opening_with_an_english_quote_is_russian():
    text = "Joint statement on trade and investment cooperation. " + SENTENCES["ru"] * 40
    assert detect_language(text, ["ru"]) == "ru"


def test_the_numpy_tokenizer_ranks_exactly_like_py3langid() -> None:
    """The vectorised walk (each byte's state from the bytes before it) gives py3langid's scores to the bit."""
    import govpress.parsers.language as module

    scorer = module._get_scorer()
    identifier = module._get_identifier()
    texts = [*SENTENCES.values(), "", " ", "a", "ab", "Ünï", "12345 678", "ЗАГОЛОВОК КАПСОМ", "😀 emoji ✓",
             "lone \ud800 surrogate", "Ñandú", " ".join(SENTENCES.values()) * 3, "x" * 7000]
    texts += [text[start:start + width] for text in SENTENCES.values() for start in (0, 3, 17) for width in (1, 5, 6, 7, 40)]
    for text in texts:
        assert scorer.rank(text) == identifier.rank(text), text


VARIED = {
    "Azərbaycan Respublikasının Prezidenti İlham Əliyev bu gün Şuşa şəhərində yeni məktəbin açılışında iştirak edib.": "az",
    "Президент Республики Беларусь Александр Лукашенко провёл совещание с руководством правительства в Минске.": "ru",
    "Прэзідэнт Рэспублікі Беларусь Аляксандр Лукашэнка правёў нараду з кіраўніцтвам урада ў Мінску.": "be",
    "Президент України провів зустріч із представниками уряду та обговорив питання економічного розвитку країни.": "uk",
    "国务院总理李强今天在北京主持召开国务院常务会议，研究部署进一步推动经济高质量发展的政策措施。": "zh",
    "内閣総理大臣は本日、首相官邸で記者会見を行い、新しい経済対策について説明しました。": "ja",
    "Die Bundesregierung hat heute in Berlin ein neues Gesetz zur Förderung erneuerbarer Energien beschlossen.": "de",
    "Министр иностранных дел встретился с послом Azerbaijan Republic и обсудил вопросы сотрудничества в регионе.": "ru",
    "Ilham Aliyev met with Prime Minister of Belarus Roman Golovchenko in Baku to discuss bilateral trade.": "en",
}
"""Texts of several scripts and close languages, with the language the detector told before the feature table's
rows were taken by ``take`` (and the majority script by lead bytes)."""


def test_varied_texts_keep_their_languages_and_py3langids_scores() -> None:
    """The languages told before, declared or not; and the scores (the feature table's rows by ``take``) equal
    py3langid's to the bit on those texts and on made mixes of their words."""
    import random

    import govpress.parsers.language as module

    assert {text: detect_language(text) for text in VARIED} == VARIED
    assert {text: detect_language(text, ("ru",)) for text in VARIED} == VARIED
    scorer = module._get_scorer()
    identifier = module._get_identifier()
    words = " ".join(VARIED).split()
    rng = random.Random(42)
    texts = [*VARIED, *(" ".join(rng.choices(words, k=rng.randrange(1, 60))) for _ in range(300))]
    for text in texts:
        assert scorer.rank(text) == identifier.rank(text), text


def test_feature_counts_keep_py3langid_order_of_first_occurrence() -> None:
    """The order of the features is the order of the sum in the scores' product: it must be py3langid's."""
    from py3langid.langid import visit_counts

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    identifier = module._get_identifier()
    for text in SENTENCES.values():
        data = text.encode("utf-8")
        walked = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
        features, counts = scorer.feature_counts(data)
        assert features.tolist() == list(walked) and counts.tolist() == list(walked.values())


def _counted_script(text: str) -> str | None:
    """The script choice as language_probabilities made it before majority_script: every run counted (a Chinese
    character, a kana or a Hangul syllable as three letters when the text holds any character of U+3000-U+DFFF)."""
    from govpress.parsers.language import _script_counts

    counts = _script_counts(text)
    if any("\u3000" <= c <= "\udfff" for c in text):
        counts = Counter({name: n * (3 if name in ("han", "kana", "hangul") else 1) for name, n in counts.items()})
    if not counts:
        return None
    script = counts.most_common(1)[0][0]
    return "kana" if script == "han" and counts.get("kana") else script


def test_majority_script_is_the_counted_choice() -> None:
    import random

    from govpress.parsers.language import majority_script

    fixed = [
        "", "123 !!!", "— … «»", "Hello world", "Привет мир", "Grüße aus Köln", "Ümumi məlumat", "ab вг", "abв гд",
        "аб cd", "ab вг ε", "日本語のテキスト", "中文文本", "漢字かな", "Ελληνικά κείμενα", "ქართული", "עברית", "العربية",
        "Путин: Hello, dear friends, welcome", "Moscow — Москва, Kremlin", "Ab ВГ", "a б",
    ] + list(SENTENCES.values())
    pools = ["abcxyzéőş", "абвгдёїў", "αβγ", "日本中", "かなカ", "한국", "ქა", "աբ", "אב", "عربی", " ,.-—0123\n"]
    rng = random.Random(14)
    mixed = []
    for _ in range(3000):
        chosen = rng.sample(pools, rng.randint(1, 4))
        mixed.append("".join(rng.choice(rng.choice(chosen)) for _ in range(rng.randint(0, 40))))
    for text in fixed + mixed:
        assert majority_script(text) == _counted_script(text), text


def test_majority_scripts_lead_bytes_count_only_that_scripts_letters() -> None:
    """Every code point's UTF-8 keeps at most one byte through a script's ``_SCRIPT_LEAD_BYTES`` filter, and only a
    character of that script's ranges keeps one: the count is a lower bound of its letters, whatever the text."""
    import re

    from govpress.parsers.language import _SCRIPT_LEAD_BYTES, _SCRIPT_RANGES

    ranges = dict(_SCRIPT_RANGES)
    for name, others in _SCRIPT_LEAD_BYTES:
        inside = re.compile(f"[{ranges[name]}]")
        wrong = [hex(c) for c in range(0x110000)
                 if (kept := len(chr(c).encode("utf-8", "surrogatepass").translate(None, others)))
                 and (kept > 1 or not inside.match(chr(c)))]
        assert wrong == [], name


def test_majority_script_at_the_half_is_the_counted_choice() -> None:
    """Texts near the half of each script, with the letters the lead bytes leave out (Cyrillic Supplement, IPA,
    Latin Extended Additional), the ones they count (Azerbaijani, Polish, Serbian Cyrillic) and others (CJK, Greek)."""
    import random

    from govpress.parsers.language import majority_script

    pools = ["abcz", "əğıöşüçİƏŞ", "ąćęłńóśźż", "ʁʃʒɐ", "ḀẞỳỹṠ", "×÷", "абвгд", "јљњћџђ", "ԀԁԂԚ", "ᲀᲁ", "Ꙁꙁⷠ",
             "日本中文", "かな", "αβγ", "ԱԲ", " .,0\n\u00a0", "\u200b\u00ad"]
    rng = random.Random(41)
    texts = []
    for _ in range(6000):
        chosen = rng.sample(pools, rng.randint(2, 4))
        texts.append("".join(rng.choice(rng.choice(chosen)) for _ in range(rng.randint(1, 30))))
    assert [majority_script(t) for t in texts] == [_counted_script(t) for t in texts]
    assert majority_script("Əliyev Şuşada çıxış etdi") == "latin"
    assert majority_script("ԀԁԂ ab") == "cyrillic"
    assert majority_script("Президент Азербайджана Ilham Əliyev 習近平") == "cyrillic"


def test_feature_counts_match_py3langid_on_random_and_short_texts() -> None:
    """Repeated features far apart, one-byte texts, random bytes: py3langid's counts in its order, as float32."""
    import random

    from py3langid.langid import visit_counts

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    identifier = module._get_identifier()
    rng = random.Random(14)
    words = [w for text in SENTENCES.values() for w in text.split()]
    texts = [b"a", b"ab", b"the the the", " ".join(["и"] * 50).encode()]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 300))).encode() for _ in range(60)]
    texts += [rng.randbytes(rng.randint(1, 400)) for _ in range(60)]
    for data in texts:
        walked = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
        found = scorer.feature_counts(data)
        if not walked:
            assert found is None
            continue
        features, counts = found
        assert counts.dtype.name == "float32"
        assert features.tolist() == list(walked) and counts.tolist() == list(walked.values()), data


def test_letter_count_of_ascii_is_isalpha() -> None:
    """The ASCII path counts what str.isalpha counts, character by character."""
    from govpress.parsers.language import _letter_count

    ascii_text = "".join(chr(c) for c in range(128)) * 3 + " The 2 ministers, met_at 10:00!"
    for text in (ascii_text, "", "123", "abc", SENTENCES["en"], SENTENCES["ru"], "Grüße 12"):
        assert _letter_count(text) == sum(map(str.isalpha, text)), text


def test_letter_count_with_a_limit_is_the_count_up_to_the_limit() -> None:
    """detect_language reads the count only up to SHORT_LETTERS + 1: the limited count is min(letters, limit)."""
    import random

    from govpress.parsers.language import SHORT_LETTERS, _letter_count, text_sample

    rng = random.Random(14)
    pools = ["abc xyz ", "абв гд ", "12 ,.-— \n", "éőş ", "日本 ", "²½① "]
    texts = ["", "123", "a" * 61, "a" * 60, "1" * 200 + "a" * 70, *SENTENCES.values(), " ".join(SENTENCES.values()) * 3]
    texts += ["".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(0, 400))) for _ in range(2000)]
    for text in texts:
        letters = sum(map(str.isalpha, text_sample(text)))
        for limit in (1, 20, SHORT_LETTERS + 1, 500):
            assert _letter_count(text, limit) == min(letters, limit), (text, limit)


def test_rank_among_is_rank_filtered_to_the_script_languages() -> None:
    """``language_probabilities`` asks only for the candidates' entries: the same (label, score) pairs in the same
    order as the full ranking filtered to them, ties included, for every script and texts of every script."""
    import random

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    rng = random.Random(18)
    words = [w for text in SENTENCES.values() for w in text.split()]
    texts = [*SENTENCES.values(), "", " ", "a", "123 !!!", "x" * 50, "ЗАГОЛОВОК КАПСОМ", "😀 emoji ✓", "Ñandú"]
    texts += [" ".join(rng.choice(words) for _ in range(rng.randint(1, 120))) for _ in range(150)]
    texts += ["".join(rng.choice(words)[:rng.randint(1, 3)] for _ in range(rng.randint(1, 30))) for _ in range(100)]
    tied = 0
    for text in texts:
        ranked = scorer.rank(text)
        scores = [score for _, score in ranked]
        tied += len(set(scores)) < len(scores)
        for script, languages in module._SCRIPT_LANGUAGES.items():
            wanted = set(languages)
            assert scorer.rank_among(text, script) == [(label, s) for label, s in ranked if label in wanted], (script, text)
    assert tied  # texts without a feature: every label at the floor, the order of the labels decides


def test_feature_counts_leave_their_table_unseen_and_each_thread_has_its_own() -> None:
    """The first-position table is put back after every count (an entry left behind would move a later
    text's first visits), and threads counting at once each read py3langid's counts."""
    import threading

    import numpy as np
    from py3langid.langid import visit_counts

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    identifier = module._get_identifier()
    texts = [text.encode("utf-8") for text in SENTENCES.values()] * 20
    scorer.feature_counts(texts[0])
    table = scorer._first_positions()
    for data in texts[:len(SENTENCES)]:
        scorer.feature_counts(data)
        assert bool(np.all(table == module._UNSEEN))
    wrong: list[bytes] = []
    tables: list[object] = []

    def count() -> None:
        tables.append(scorer._first_positions())
        for data in texts:
            walked = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
            features, counts = scorer.feature_counts(data)
            if features.tolist() != list(walked) or counts.tolist() != list(walked.values()):
                wrong.append(data)

    threads = [threading.Thread(target=count) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong
    assert len({id(t) for t in tables}) == 4 and all(t is not table for t in tables)


def test_the_pair_table_is_the_state_after_two_moves_from_the_start() -> None:
    """The first two tokenizer steps are one look-up by the pair of bytes: each entry is what the two moves give."""
    import numpy as np

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    nextmove, rowbase = scorer.nextmove, scorer.rowbase
    firsts = [int(nextmove[rowbase[0] + byte]) for byte in range(256)]
    assert scorer.first_states.tolist() == firsts
    expected = np.array([int(nextmove[rowbase[first] + second]) for first in firsts for second in range(256)])
    assert scorer.pair_states.dtype == np.int64 and np.array_equal(scorer.pair_states, expected)


def test_feature_counts_around_the_window_match_py3langid() -> None:
    """Texts of every length around the tokenizer's window (the pair look-up needs ``window`` bytes), random and
    from the sentences: py3langid's counts in its order."""
    import random

    from py3langid.langid import visit_counts

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    identifier = module._get_identifier()
    rng = random.Random(26)
    joined = " ".join(SENTENCES.values()).encode("utf-8")
    texts = [rng.randbytes(size) for size in range(1, 3 * scorer.window) for _ in range(40)]
    texts += [joined[start:start + size] for size in range(1, 3 * scorer.window)
              for start in rng.sample(range(len(joined) - size), 40)]
    for data in texts:
        walked = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
        found = scorer.feature_counts(data)
        if not walked:
            assert found is None, data
            continue
        features, counts = found
        assert features.tolist() == list(walked) and counts.tolist() == list(walked.values()), data


def test_the_log1p_table_is_numpys_log1p_of_each_count() -> None:
    """The scores read each count's log1p from a table: the same float32 values NumPy's log1p gives for the counts as
    a float32 array, whatever the array's length and the count's place in it."""
    import random

    import numpy as np

    import govpress.parsers.language as module

    scorer = module._get_scorer()
    table = scorer.log1p
    assert table.dtype == np.float32 and len(table) == module._LOG1P_COUNTS
    every = np.arange(len(table))
    assert np.array_equal(np.log1p(every.astype(np.float32)).view(np.uint32), table.view(np.uint32))
    rng = random.Random(26)
    for _ in range(300):
        counts = np.array([rng.choice((1, 1, 1, 2, 3, rng.randrange(len(table)))) for _ in range(rng.randint(1, 700))])
        start = rng.randrange(len(counts))
        counts = counts[start:]
        assert np.array_equal(np.log1p(counts.astype(np.float32)).view(np.uint32), table.take(counts).view(np.uint32))


def test_scores_read_the_callers_bytes_only_when_they_are_what_the_model_reads() -> None:
    """``scores(text, data)``: the same scores as from the text alone; a text in upper case or not in NFC is read from
    its own lower case or NFC whatever bytes come with it."""
    import govpress.parsers.language as module

    scorer = module._get_scorer()
    texts = [*SENTENCES.values(), "ЗАГОЛОВОК КАПСОМ", "Cafe\u0301 au lait, re\u0301sume\u0301", "a", "Ünïcödé ünd ßo"]
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        assert scorer.scores(text, data) == scorer.scores(text), text
    for text in ("ЗАГОЛОВОК КАПСОМ", "Cafe\u0301 au lait, re\u0301sume\u0301"):
        assert scorer.scores(text, b"something else entirely") == scorer.scores(text), text
    # A plain text's bytes are read as given (what spares the encoding): other bytes, other scores.
    assert scorer.scores("plain words here", b"other words") != scorer.scores("plain words here")


def test_detections_are_held_only_within_the_block_and_only_for_its_thread() -> None:
    """:func:`detect_later` runs a detection at once, or holds it in :func:`detections_held`'s list, in order, for the
    thread that holds them (a small run parses in threads at once: another thread's detections run as they come)."""
    import threading

    from govpress.parsers.language import detect_later, detections_held

    ran: list[str] = []
    detect_later(lambda: ran.append("now"))
    assert ran == ["now"]
    with detections_held() as held:
        detect_later(lambda: ran.append("first"))
        other = threading.Thread(target=detect_later, args=(lambda: ran.append("other thread"),))
        other.start()
        other.join()
        detect_later(lambda: ran.append("second"))
        assert ran == ["now", "other thread"] and len(held) == 2
    detect_later(lambda: ran.append("after"))
    for detection in held:
        detection()
    assert ran == ["now", "other thread", "after", "first", "second"]


def test_a_chinese_text_quoting_code_and_english_names_is_chinese() -> None:
    # More Latin letters than Chinese characters (a code sample, product names), and still a Chinese article.
    text = ("一日一技：在 Python 中实现延迟调用\n\n熟悉 Golang 的同学都知道，Golang 里面有一个关键词叫做defer。"
            "实际上在 Python 里面也有相关的语法。我有一个函数parse，它的作用是从 Redis 中持续读入数据，并写入到MongoDB 中。"
            "示例代码如下： import json import redis import pymongo client = redis.Redis() "
            "handler = pymongo.MongoClient().test.data def parse(): data = client.lpop('test')")
    assert detect_language(text) == "zh"
    # An English text naming a Chinese place in its own characters stays English.
    english = ("The delegation visited Wuhan (武汉) on Tuesday and met the provincial governor to discuss "
               "trade, river transport and the new airport terminal that opens next spring.")
    assert detect_language(english) == "en"
