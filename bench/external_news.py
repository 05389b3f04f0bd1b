"""A second external check set for the generic extractor: real news pages in eight languages, kept OUTSIDE the repository.

Run: ``uv run python bench/external_news.py [--dir bench/out/news] [--sdist PATH] [--verbose]``. Not part
of the test suite. The pages are the saved article pages of the newspaper4k project's test data
(``tests/data/html``, with the article texts its own tests expect in ``tests/data/txt``), taken from
that project's source distribution: ``--sdist`` names a saved copy, else the script asks the package
registry for it once into ``DIR`` (bench/sdist_pages.py). Other people's words:
written under ``bench/out/`` (gitignored), never committed.

The truth below is ours where it differs from the corpus, chosen by reading each page: the headline
as the page shows it in its ``<h1>`` (the corpus's titles are often the ``<title>`` or an older
headline), the publication day the page shows (its dateline, else the day its metadata and URL give).
The article text is the corpus's (newspaper4k's expected output: lead paragraph included where it
is a plain paragraph, captions and bylines out), so a body F1 below 1 is partly the corpus's taste.

These pages are held out: scored first (2026-12-07), then the general rules they showed were added
(tests/unit/parsers/test_generic_news_rules.py); never tune the extractor to one of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sdist_pages import fetch_sdist, unpack, write_jsonl  # noqa: E402  (a sibling script's module, run as a script)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "newspaper4k==0.9.6"
CORPUS = "newspaper4k 0.9.6 tests/data (html, txt)"

# file stem, url, zone, languages, published (ours), title (as the page's <h1> shows it)
PAGES = [
    ("arabic_article", "http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html",
     # The line under the headline says "last updated ... 28 August": the day of the URL is the publication's.
     "Asia/Dubai", ["ar"], "2013-08-03", "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"),
    ("article_with_br", "https://www.sott.net/article/434715-The-American-friends-New-court-files-expose-Sheldon-Adelsons-security-team-involved-in-US-spy-operation-against-Julian-Assange",
     "UTC", ["en"], "2020-05-14",
     "'The American friends': New court files expose Sheldon Adelson's security team involved in US spy operation against Julian Assange"),
    ("article_with_divs", "https://www.linknaija.com/2018/10/nollywood-actress-kate-henshaw-is.html",
     "Africa/Lagos", ["en"], "2018-10-06", "Nollywood Actress, Kate Henshaw Is Looking Stunning In New Photos"),
    ("burmese_article", "https://www.bbc.com/burmese/burma-45989453", "Asia/Yangon", ["my"], "2018-10-26",
     "နိုင်ငံတော်အကြည်ညိုပျက်စေမှုပုဒ်မနဲ့ တရားစွဲခံထားရတဲ့ အလဲဗင်းသတင်းသမား သုံးဦး အာမခံရ"),
    ("chinese_article", None,  # the saved page names no address of its own
     "UTC", ["zh"], "2012-12-10", "港特首梁振英就住宅违建事件道歉"),
    ("chinese_article_001", "https://china.chinadaily.com.cn/a/202311/17/WS65571297a310d5acd876f404.html",
     "Asia/Shanghai", ["zh"], "2023-11-17", "外国专家：中美合作共赢符合国际社会利益"),
    ("chinese_article_002", "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm",
     "Asia/Shanghai", ["zh"], "2023-11-17", "短缺药品保供稳价 全力保障临床用药需求"),
    ("cleveland.com1", "http://www.cleveland.com/food/index.ssf/2014/12/let_me_google_that_for_you_201.html",
     "America/New_York", ["en"], "2014-12-27", "Let me Google that for you: 2014's most popular food-related searches"),
    ("cnn_001", "https://www.cnn.com/2023/11/06/politics/alito-prelogar-supreme-court-analysis/index.html",
     "America/New_York", ["en"], "2023-11-06",
     "The nonstop sparring match between the conservative justice and liberal Biden attorney at the Supreme Court"),
    ("cnn_002", "https://www.cnn.com/2023/11/06/politics/takeaways-trump-engoron-testimony-fraud-trial/index.html",
     "America/New_York", ["en"], "2023-11-06", "Takeaways from Donald Trump’s contentious testimony in his civil fraud trial"),
    ("cnn_article", "http://www.cnn.com/2013/11/27/travel/weather-thanksgiving/index.html",
     "America/New_York", ["en"], "2013-11-27", "After storm, forecasters see smooth sailing for Thanksgiving"),
    ("cnn_test_nlp", "https://edition.cnn.com/2016/12/18/politics/bob-gates-rex-tillerson-trump-russia/index.html",
     "America/New_York", ["en"], "2016-12-18", "Gates on Tillerson and Russia: ‘Being friendly doesn’t make you friends’"),
    ("fox13now_001", "https://www.fox13now.com/2013/12/30/new-year-new-laws-obamacare-pot-guns-and-drones",
     "America/Denver", ["en"], "2013-12-30", "New Year, new laws: Obamacare, pot, guns and drones"),
    ("japanese_article", "https://www.nikkei.com/article/DGXMZO31897660Y8A610C1000000/",
     "Asia/Tokyo", ["ja"], "2018-06-19", "米朝首脳直通電話 習氏に挑むトランプ戦術の成否"),
    ("japanese_article2", "http://www.afpbb.com/articles/-/3178894",
     "Asia/Tokyo", ["ja"], "2018-06-18", "動画：ナイジェリアで少女らによる自爆攻撃、ロケット弾も撃ち込まれ31人死亡"),
    ("latvian_article", "https://www.lsm.lv/raksts/zinas/arzemes/norvegija-pec-zemes-nogruvuma-pieci-bojagajusie.a387519/",
     # It shows "Šodien, 17:40" (today) only; its JSON-LD states the day.
     "Europe/Riga", ["lv"], "2021-01-03", "Norvēģijā pēc zemes nogruvuma pieci bojāgājušie"),
    ("spanish_article", "http://ultimahora.es/mallorca/noticia/noticias/local/fiscalia-anticorrupcion-estudia-recurre-imputacion-infanta.html",
     "Europe/Madrid", ["es"], "2014-01-08", "Anticorrupción decidirá en Madrid si recurre la imputación de la Infanta"),
    ("thai_article", "https://prachatai.com/journal/2019/01/80642", "Asia/Bangkok", ["th"], "2019-01-21",
     "ผล DNA ยืนยัน ศพลอยแม่น้ำโขงเป็นคนสนิท อ.สุรชัย"),
    ("time_001", "https://time.com/6330957/james-hansen-climate-warning-geoengineering-study/",
     "America/New_York", ["en"], "2023-11-02",
     "We Need Geoengineering to Stop Out of Control Warming, Warns Climate Scientist James Hansen"),
    ("video_article_02", "https://www.oneesports.gg/league-of-legends/t1-worlds-2023-champion/",
     "Asia/Manila", ["en"], "2023-11-19",
     "Faker wins 4th title as T1 embody Heartsteel’s song to become your Worlds 2023 champion!"),
    ("wired_001", "https://www.wired.com/story/israel-surveillance-state-out-of-control-west-bank/",
     "America/New_York", ["en"], "2023-11-07", "Intensified Israeli Surveillance Has Put the West Bank on Lockdown"),
    ("yna_co_kr", "https://en.yna.co.kr/view/AEN20190820002300325?section=nk/nk", "Asia/Seoul", ["en"], "2019-08-20",
     "N. Korea slams S. Korea for joint military drill, warns of consequences"),
]


def _place(folder: Path) -> Callable[[tuple[str, ...]], Path | None]:
    """tests/data/html/*.html and tests/data/txt/*.txt of the sdist, into ``folder``/html and ``folder``/txt."""
    def place(parts: tuple[str, ...]) -> Path | None:
        if len(parts) == 4 and parts[:2] == ("tests", "data") and parts[2] in ("html", "txt"):
            return folder / parts[2] / parts[3]
        return None
    return place


def write_set(folder: Path) -> tuple[Path, Path, list[str]]:
    """manifest.jsonl and truth.jsonl for the pages present; their paths and the stems missing."""
    manifest, truth, missing = [], [], []
    for stem, url, zone, languages, published, title in PAGES:
        page, text = folder / "html" / f"{stem}.html", folder / "txt" / f"{stem}.txt"
        if not (page.exists() and text.exists()):
            missing.append(stem)
            continue
        # No languages in the manifest: the page's language is for govpress to find (scored against ours).
        manifest.append({"file": f"html/{stem}.html", "timezone": zone} | ({"url": url} if url else {}))
        truth.append({"file": f"html/{stem}.html", "title": title, "published": published, "language": languages[0],
                      "body": text.read_text(encoding="utf-8"), "note": f"external: {CORPUS}"})
    return write_jsonl(folder / "manifest.jsonl", manifest), write_jsonl(folder / "truth.jsonl", truth), missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "bench" / "out" / "news")
    parser.add_argument("--sdist", type=Path, help="a saved newspaper4k source distribution (.tar.gz)")
    parser.add_argument("--verbose", action="store_true", help="every miss, per page")
    args = parser.parse_args()
    from govpress.eval import evaluate, format_report

    unpack(args.sdist or fetch_sdist(PACKAGE, args.dir), _place(args.dir))
    manifest, truth, missing = write_set(args.dir)
    if len(missing) == len(PAGES):
        print(f"no page of the set is under {args.dir}: nothing to score", file=sys.stderr)
        return 1
    print(f"== external news set ({CORPUS})" + (f"; not found: {', '.join(missing)}" if missing else ""))
    for line in format_report(evaluate(manifest, truth), verbose=args.verbose):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
