"""govpress.parsers.charset: legacy encodings of many languages, unlabelled or mislabelled, read as their text."""

from __future__ import annotations

import pytest

from govpress.parsers.charset import decode

# (encoding, a headline and a paragraph in a language that encoding serves): our own sentences.
TEXTS = {
    "cp1251": "Премьер-министр Азербайджана прибыл с официальным визитом в Республику Беларусь. Стороны обсудят "
              "вопросы торгово-экономического сотрудничества и подпишут ряд документов.",
    "koi8-r": "Министр иностранных дел провёл переговоры с коллегой. Обсуждались вопросы двустороннего "
              "сотрудничества в торговле, энергетике и образовании.",
    "gbk": "国务院总理在人民大会堂会见来访的白俄罗斯总理。双方就进一步深化两国经贸合作、推进共建一带一路等议题深入交换意见，"
           "并共同见证了多项合作文件的签署。",
    "big5": "行政院長今日在行政院會見來訪的外國代表團，雙方就經濟貿易合作、科技交流及文化教育等議題深入交換意見，"
            "並簽署多項合作備忘錄。",
    "shift_jis": "首相は首相官邸で来日中の外国首脳と会談し、両国間の経済協力や貿易の拡大について意見を交換した。"
                 "両首脳は協力文書に署名した。",
    "euc-kr": "국무총리는 정부서울청사에서 방한 중인 외국 총리와 회담을 갖고 양국 간 경제협력과 교역 확대 방안에 대해 "
              "의견을 나눴다. 양측은 협력 문서에 서명했다.",
    "cp1256": "استقبل رئيس مجلس الوزراء اليوم رئيس وزراء جمهورية بيلاروس وبحث الجانبان سبل تعزيز التعاون الاقتصادي "
              "والتجاري بين البلدين ووقعا عددا من الاتفاقيات.",
    "iso-8859-7": "Ο Πρωθυπουργός συναντήθηκε σήμερα με τον Πρωθυπουργό της Λευκορωσίας και συζήτησαν την ενίσχυση "
                  "της οικονομικής και εμπορικής συνεργασίας των δύο χωρών.",
    "tis-620": "นายกรัฐมนตรีได้พบหารือกับนายกรัฐมนตรีเบลารุสที่ทำเนียบรัฐบาล เพื่อหารือความร่วมมือด้านเศรษฐกิจและการค้า"
               "ระหว่างสองประเทศ และลงนามในเอกสารความร่วมมือ",
    "cp1255": "ראש הממשלה נפגש היום עם ראש ממשלת בלארוס ודנו בחיזוק שיתוף הפעולה הכלכלי והמסחרי בין שתי המדינות. "
              "הצדדים חתמו על מספר הסכמים.",
}


def page(text: str, head: str = "", lang: str = "") -> str:
    attribute = f" lang='{lang}'" if lang else ""
    return (f"<!doctype html><html{attribute}><head>{head}<title>News</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>News</h1><p>{text}</p><p>{text[::-1]}</p></article></body></html>")


@pytest.mark.parametrize("encoding", sorted(TEXTS))
def test_an_unlabelled_page_in_a_legacy_encoding_is_read_as_its_text(encoding: str) -> None:
    raw = page(TEXTS[encoding]).encode(encoding)
    assert TEXTS[encoding] in decode(raw)[0]
    # labelled UTF-8, which it is not (the bytes do not decode as UTF-8): the label is not trusted
    assert TEXTS[encoding] in decode(raw, "text/html; charset=utf-8")[0]


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "cp1256", "iso-8859-7", "cp1255"])
def test_a_western_default_label_on_a_page_of_another_script_is_not_trusted(encoding: str) -> None:
    """A server's default ``charset=iso-8859-1`` on windows-1251 (or Greek, Arabic, Hebrew) bytes: latin-1 decodes
    any byte, but reads the words as accented letters only."""
    raw = page(TEXTS[encoding]).encode(encoding)
    for label in ("text/html; charset=iso-8859-1", "text/html; charset=windows-1252"):
        text, used = decode(raw, label)
        assert TEXTS[encoding] in text and used not in ("iso8859-1", "cp1252"), (label, used)


@pytest.mark.parametrize("text", [
    "Le Premier ministre a reçu aujourd'hui son homologue bélarusse. Les deux délégations ont évoqué la coopération "
    "économique, l'énergie et l'éducation, et signé plusieurs accords.",
    "Forsætisráðherra átti fund með forsætisráðherra Hvíta-Rússlands þar sem rætt var um efnahagslegt samstarf og "
    "viðskipti milli landanna tveggja á næstu árum.",
    "Der Bundesminister für Wirtschaft traf sich heute mit dem Außenminister. Die Gespräche über die Zusammenarbeit "
    "in Energiefragen wurden fortgesetzt.",
])
def test_a_western_page_under_its_western_label_keeps_it(text: str) -> None:
    text_read, used = decode(page(text).encode("cp1252"), "text/html; charset=windows-1252")
    assert text in text_read and used == "cp1252"


def test_the_pages_lang_breaks_a_near_tie_between_two_encodings() -> None:
    """Turkish ISO-8859-9 and windows-1252 differ in six letters (ş ğ ı İ Ş Ğ): detection reads both as well, the
    page's ``lang`` picks Turkish's."""
    turkish = ("Başbakan bugün Belarus Başbakanı ile görüştü ve iki ülke arasındaki ekonomik ve ticari işbirliğinin "
               "güçlendirilmesini ele aldı. Taraflar anlaşmalar imzaladı.")
    text, used = decode(page(turkish, lang="tr").encode("iso-8859-9"))
    assert turkish in text and used in ("cp1254", "iso8859-9")
    # and a Russian page keeps windows-1251 whatever else reads its bytes
    text, used = decode(page(TEXTS["cp1251"], lang="ru").encode("cp1251"))
    assert TEXTS["cp1251"] in text and used == "cp1251"


FEED = """<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>Новости</title>
<item><title>Премьер-министр прибыл в Минск</title><link>https://gov.example/news/1</link>
<pubDate>Wed, 02 Oct 2024 14:30:00 +0300</pubDate><description>Переговоры прошли в узком формате.</description></item>
</channel></rss>"""


@pytest.mark.parametrize("declared,actual", [
    ("utf-8", "cp1251"), ("windows-1251", "utf-8"), ("windows-1251", "cp1251"), ("utf-8", "utf-8"), (None, "cp1251"),
])
def test_a_feed_is_read_in_the_charset_its_bytes_are_in_whatever_it_declares(declared, actual) -> None:
    from govpress.parsers.feeds import parse_feed_document
    from govpress.parsers.listings.feed import read_feed

    feed = FEED.format(declared=declared) if declared else FEED.split("?>", 1)[1]
    body = feed.encode(actual)
    [item] = read_feed(body, "https://gov.example/rss").items
    assert item.title == "Премьер-министр прибыл в Минск"
    assert parse_feed_document(body).entries[0].title == "Премьер-министр прибыл в Минск"


def test_xml_in_utf8_leaves_a_document_that_tells_the_truth_as_it_is() -> None:
    from govpress.parsers.charset import xml_in_utf8

    for declared, actual in (("utf-8", "utf-8"), ("windows-1251", "cp1251")):
        body = FEED.format(declared=declared).encode(actual)
        assert xml_in_utf8(body) is body
    converted = xml_in_utf8(FEED.format(declared="utf-8").encode("cp1251"))
    assert converted == FEED.format(declared="utf-8").encode("utf-8")
    relabelled = xml_in_utf8(FEED.format(declared="windows-1251").encode("utf-8"))
    assert relabelled == FEED.format(declared="utf-8").encode("utf-8")


@pytest.mark.parametrize("label,actual", [("koi8-r", "cp1251"), ("windows-1251", "koi8_r"), ("iso-8859-5", "cp1251")])
def test_one_cyrillic_charset_labelled_as_another_is_read_as_written(label: str, actual: str) -> None:
    text = ("Премьер-министр Азербайджана прибыл в Минск с официальным визитом. Переговоры прошли в узком формате, "
            "затем продолжились в расширенном составе делегаций обеих стран.")
    page = f'<html><head><meta charset="{label}"><title>Визит</title></head><body><p>{text}</p></body></html>'
    decoded, charset = decode(page.encode(actual))
    assert text in decoded, charset


def test_real_cyrillic_text_with_acronyms_and_camel_case_names_is_not_taken_for_a_wrong_charset() -> None:
    from govpress.parsers.charset import _case_scrambled

    text = ("МИД России и ЕАЭС: встреча в Минске. Подписывайтесь на страницу ВКонтакте и в Телеграм. "
            "Министр иностранных дел провёл переговоры с делегацией СНГ, обсудили вопросы ОДКБ и торговли.")
    assert not _case_scrambled(text)
