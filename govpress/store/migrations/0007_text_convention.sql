-- The text convention of every parser in the column comments: what title, subtitle, lead and body_text hold
--
-- One convention for every parser (govpress/parsers/release.py, apply_text_convention): the lead is never
-- repeated at the top of body_text (body_text is what follows it), the title and subtitle are not repeated
-- as its first paragraphs, page chrome (share bars, "follow us", "see also" lines, photo credits, print
-- links, tag lists) never reaches it. Comments only: no data changes here; `govpress reparse` brings texts
-- stored under an older parser to the convention, as new versions.

COMMENT ON COLUMN releases.title IS 'Headline as the page shows it, one line, without the site''s name; whitespace-normalised, Unicode NFC.';
COMMENT ON COLUMN releases.subtitle IS 'Sub-headline, or the highlights listed under the headline (one per line); never the title again and never a sentence of the body''s first paragraph. NULL when the page has none.';
COMMENT ON COLUMN releases.lead IS 'The standfirst the publisher sets apart from the text (a lead block, a summary field, a bold opening paragraph, a description that is not just the body''s opening). Never repeated in body_text, which follows it: lead, then body_text, is the whole text once. NULL when the page has none (then body_text holds the whole text).';
COMMENT ON COLUMN releases.body_text IS 'The text that follows the lead (never the lead, title or subtitle again): paragraphs separated by exactly one blank line (a paragraph may hold single line breaks: list items, verse; *** is a section break), Unicode NFC, navigation, boilerplate and page chrome (share bars, "follow us" lines, "see also" links, photo credits, print links, tag lists) removed, words split across lines rejoined.';

COMMENT ON COLUMN release_versions.title IS 'Headline of this version (as releases.title).';
COMMENT ON COLUMN release_versions.subtitle IS 'Sub-headline or highlights of this version (as releases.subtitle); NULL when none.';
COMMENT ON COLUMN release_versions.lead IS 'Lead of this version, set apart from its body_text and never repeated in it (as releases.lead); NULL when none.';
COMMENT ON COLUMN release_versions.body_text IS 'Text of this version after its lead (the same convention as releases.body_text). A version written by a reparse (runs.flow = ''reparse'' for its run_id) may differ from the previous one only because an older parser followed an older convention.';

COMMENT ON COLUMN unique_releases.title IS 'Headline of the representative (as releases.title).';
COMMENT ON COLUMN unique_releases.lead IS 'Lead of the representative, never repeated in its body_text; NULL when none.';
COMMENT ON COLUMN unique_releases.body_text IS 'Text of the representative after its lead (as releases.body_text).';
