"""Releases published as PDF files (parsers/pdf.py), through the generic parser as a source's pages reach it.

The files are made here with fpdf2's core fonts (Latin type: the text layer pypdf reads is the same whatever the
script): a ministry's letterhead, the headline in large type, a dateline, paragraphs over two pages with a running
header and page numbers, a word hyphenated across lines; and the files that cannot be read.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from fpdf import FPDF

from govpress.parsers import ParseContext, ParseError, parse

URL = "https://mfa.gov.example/files/pr_117.pdf"
TITLE = "Foreign Minister meets the Ambassador of Japan to discuss trade and investment cooperation"
PARAGRAPHS = [
    "On 2 October 2024, the Minister of Foreign Affairs received the newly appointed Ambassador of Japan, who presented "
    "copies of his credentials to the Ministry in accordance with the established procedure.",
    "The sides discussed the agenda of bilateral cooperation, including trade, investment, education and culture, and "
    "the schedule of upcoming political consultations between the two ministries next year.",
    "The Minister noted the steady growth of mutual trade and invited Japanese companies to take part in the "
    "industrial cooperation programmes and in the modernisation of the logistics infrastructure.",
] * 8


def release_pdf(*, headline_size: int = 16, dateline: str | None = "Minsk, 2 October 2024", letterhead: bool = True,
                created: datetime | None = datetime(2024, 10, 3, 9, 0, tzinfo=timezone.utc), hyphenate: bool = True) -> bytes:
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=25)
    if created is not None:
        pdf.set_creation_date(created)
    pdf.set_title("Microsoft Word - PR_2024_117.docx")

    def header_and_footer() -> None:
        pdf.set_auto_page_break(False)  # the footer sits in the bottom margin
        pdf.set_font("Helvetica", size=8)
        pdf.set_xy(10, 8)
        pdf.cell(0, 5, "Ministry of Foreign Affairs | Press release")
        pdf.set_xy(10, 285)
        pdf.cell(0, 5, f"Page {pdf.page_no()}")
        pdf.set_xy(10, 20)
        pdf.set_auto_page_break(True, margin=25)

    pdf.add_page()
    header_and_footer()
    if letterhead:
        pdf.set_font("Helvetica", size=10)
        pdf.cell(0, 6, "MINISTRY OF FOREIGN AFFAIRS - PRESS OFFICE", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.set_font("Helvetica", "B", headline_size)
    pdf.multi_cell(0, headline_size / 2, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=11)
    if dateline:
        pdf.cell(0, 7, dateline, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for index, paragraph in enumerate(PARAGRAPHS):
        if pdf.get_y() > 250:
            pdf.add_page()
            header_and_footer()
        if hyphenate and index == 1:
            # A word cut across two lines as a typesetter does: "coope-" / "ration".
            pdf.multi_cell(0, 6, "The sides discussed the agenda of bilateral coope-", new_x="LMARGIN", new_y="NEXT")
            pdf.multi_cell(0, 6, paragraph.replace("The sides discussed the agenda of bilateral cooperation", "ration"), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    data = bytes(pdf.output())
    if created is None:  # fpdf2 always writes one: blanked in place, so the file's offsets stay right
        data = re.sub(rb"/CreationDate\s*\(D:[^)]*\)", lambda m: b" " * len(m.group(0)), data)
    return data


def test_a_pdf_release_reads_as_its_reader_sees_it():
    release = parse(release_pdf(), URL, ParseContext(timezone="Europe/Minsk"))
    assert release.title == TITLE
    assert release.published_at == datetime(2024, 10, 1, 21, 0, tzinfo=timezone.utc) and release.published_precision == "day"
    assert release.language == "en" and release.parser == "generic"
    paragraphs = release.body_text.split("\n\n")
    assert paragraphs == PARAGRAPHS  # one paragraph each, across the page break, the hyphenated word whole again
    for chrome in ("MINISTRY OF FOREIGN AFFAIRS", "Press release", "Page 1", "Page 2", "Minsk, 2 October"):
        assert chrome not in release.body_text


def test_without_a_larger_headline_the_first_line_is_the_title_and_without_a_dateline_the_file_dates_it():
    release = parse(release_pdf(headline_size=11, dateline=None, letterhead=False), URL, ParseContext(timezone="UTC"))
    assert release.title.startswith("Foreign Minister meets the Ambassador of Japan")
    assert release.published_at == datetime(2024, 10, 3, 9, 0, tzinfo=timezone.utc)
    assert release.body_text.startswith("On 2 October 2024, the Minister")


def test_a_pdf_with_neither_date_line_nor_creation_date_has_no_date():
    release = parse(release_pdf(dateline=None, created=None), URL, ParseContext())
    assert release.title == TITLE and release.published_at is None


def test_a_pdf_without_text_an_encrypted_one_and_a_broken_one_are_parse_errors():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50)  # a drawing, no text: a scan has no text layer either
    with pytest.raises(ParseError, match="without text"):
        parse(bytes(pdf.output()), URL, ParseContext())
    locked = FPDF()
    locked.set_encryption(owner_password="owner", user_password="secret")
    locked.add_page()
    locked.set_font("Helvetica", size=11)
    locked.cell(0, 6, "A release behind a password.")
    with pytest.raises(ParseError, match="encrypted"):
        parse(bytes(locked.output()), URL, ParseContext())
    with pytest.raises(ParseError, match="unreadable PDF|without text"):
        parse(b"%PDF-1.7\n" + b"\x00garbage" * 200, URL, ParseContext())


def test_a_files_source_reads_its_pdf_files_with_the_document_parser(tmp_path):
    from govpress.archive import Archive
    from govpress.discover import list_files
    from govpress.pipeline import parse_job, parser_for, read_file_item
    from govpress.parsers import parse as parse_with
    from factories import make_source

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "pr_117.pdf").write_bytes(release_pdf())
    source = make_source(id="docs", kind="files", start_urls=[str(folder)], parser="document", timezone="Europe/Minsk")
    [item] = list_files(source, tmp_path).items
    result = read_file_item(item.url, Archive(tmp_path / "archive"), [folder.resolve()])
    assert result.outcome == "ok" and result.content_type == "application/pdf"
    job = parse_job(source, result, datetime(2024, 10, 5, tzinfo=timezone.utc))
    assert job.parser == parser_for(source, result) == "document"
    release = parse_with(job.body, job.url, job.context, job.parser)
    assert release.title == TITLE and release.parser == "document" and release.body_text.split("\n\n") == PARAGRAPHS
