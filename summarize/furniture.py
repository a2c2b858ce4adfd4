"""Page furniture that survives cleaning and must never reach a summary.

Cleaning keeps the region of a page that reads as prose; inside it, and in articles that
arrive as plain text, remain lines a reader would never call part of the story: photo
captions and credits, embed and archive notices, share and sign-up prompts, "More:" link
lines, bylines, truncated teasers, and wire datelines glued to the first sentence. Every
rule here is a shape of such a line (what it does to the reader), not a list of phrases
from any particular site:

* a **call to action**: the sentence tells the reader to do something on the page (an
  imperative web verb opening the sentence: click, share, sign up, follow, subscribe...);
* a **credit or label**: a short run of capitalised words and a colon or a pipe before the
  text ("Photo:", "More:", "Updated |"), or a credit naming a picture agency;
* a **caption**: a line that is one short sentence with no finite verb of reporting
  ("Delegates in the old customs hall."; "The envoy speaks to reporters on Monday.") —
  news prose reports in the past tense or with an auxiliary; a caption describes a picture;
* a **truncated teaser**: text that ends in an ellipsis;
* a **note about the page itself**: the sentence talks about "this story", "this article",
  "this page", its updates, where it first appeared, or how readers' comments are moderated;
* a **request to the reader**: a sentence opening on "Please" outside a quotation;
* a **wire picture caption**: a sentence ending on the full date the picture was taken
  ("..., Tuesday, April 11, 2017."), or a credit "Name Surname/AGENCY" inside the text;
* **player controls**: a sentence opening on a video player's buttons ("CLOSE Skip ... Share");
* an **editor's note**: "The following is an excerpt of an article from ...", "Updated at 9:15
  a.m. to correct ...";
* a **pointer to other pages** or to the reporter: "X has the details", "click here", "A post
  shared by", the writer's biography, a name's pop-up card of linked headlines ("... MORE warned");
* the **page instructing its reader**: "If you are not a member, please consider subscribing.".

A live blog's time stamp ("10:45 AM PT:") before an entry is cut like a dateline.

A wire dateline glued to a sentence ("KYIV (Reuters) -", "GENEVA, March 3 (AFP) —",
"WASHINGTON —", with a byline before it or none), a heading run into the text ("Why it matters
The talks ...", "LIVE BLOG On Monday ..."), a picture's web credit or a paper's reference
numbers are not furniture to drop but a prefix to cut: :func:`prose_start` gives where the
sentence proper begins.
"""
from __future__ import annotations

import re

# Web verbs that open a prompt to the reader: the sentence is addressed to them, not about the news.
_CALL_TO_ACTION = re.compile(
    r"^(?:please\s+)?(?:click|tap|share|sign\s+up|subscribe|follow|like\s+us|join\s+us|email\s+this|"
    r"e-mail\s+this|download|watch|listen|read\s+(?:more|the\s+full|our|this)|see\s+(?:more|also|our)|"
    r"get\s+(?:\w+\s+){0,3}(?:newsletters?|app|alerts|emails|updates)\b|scroll|visit|register|log\s+in|support\s+us|"
    r"check\s+out|send\s+us|tell\s+us|let\s+us\s+know|don't\s+miss|never\s+miss|find\s+out\s+more|learn\s+more|"
    r"view\s+(?:all|more|comments?|gallery|galleries|photos?|slideshow|the\s+full|our|this))\b",
    re.IGNORECASE)
# The text speaks to the reader ("You'll also find...", "Your browser..."): a page's voice, not a report's.
_READER = re.compile(r"^(?:you|your|you'll|you're|you've|you\u2019ll|you\u2019re|you\u2019ve)\b", re.IGNORECASE)
# A clause telling the reader what to do, or what happens when they do something, on the page.
_CONDITIONS = frozenset("when if once before after".split())
_READER_CONDITION = re.compile(r"^(?:when|if|once|before|after)\s+you(?:'(?:re|ve)|\u2019(?:re|ve))?\s", re.IGNORECASE)
# What such an instruction is about: the page, the site, a link, a subscription, the sender.
_PAGE_WORDS = re.compile(r"\b(?:please|visit|click|tap|tweet|post|bookmark|page|site|website|browser|subscrib\w*|webmaster|"
                         r"contact\s+(?:us|our)|help\s+center|reuse|log\s+in|sign\s+in)\b", re.IGNORECASE)
# A hashtag or a handle belongs to a social-media embed, not to the report.
_HASHTAG = re.compile(r"(?:^|\s)#[A-Za-z]\w+")
_ACTION_OPENERS = frozenset("""please click tap share sign subscribe follow like join email e-mail download watch listen
read see get scroll visit register log support send tell let check don't don\u2019t never find learn view""".split())
# A box's label run into its text: two to five capitalised words before a capitalised verb.
_GLUED_LABEL = re.compile(r"^(?:[A-Z][\w'\u2019-]*\s+){2,5}(?=[A-Z][a-z])")
# A short label before a colon or a pipe: "Photo:", "MORE:", "Watch Video:", "Updated |".
# Up to four capitalised words; "The minister told reporters:" has lower-case words and stays.
_LABEL = re.compile(r"^[A-Z][\w'\u2019.&-]*(?:\s+(?:[A-Z&][\w'\u2019.&-]*|of|and|the|by|for)){0,3}\s*(?::\s|\|)")
# A pipe anywhere marks glued navigation or a caption joined to a headline.
_PIPE = re.compile(r"\s\|\s|^\||\|$")
# Credits for a picture or a video: agency names are the signal every publisher shares.
_CREDIT = re.compile(
    r"\b(?:photo|image|picture|video|graphic|illustration|footage)s?\s*(?:credit|courtesy|by|:|/)"
    r"|\((?:AP|AFP|Reuters|Getty|EPA|File)\b[^)]*(?:photo|image|/)[^)]*\)"
    r"|\b(?:Getty\s+Images|Shutterstock|iStock|AP\s+Photo|photo\s+illustration)\b"
    r"|\bfile\s+(?:photo|image|picture|footage)\b"
    r"|\b(?:image|photo|picture|video)\s+caption\b"
    r"|\bthis\s+(?:picture|photo|photograph|image|snapshot|selfie)\b"
    r"|(?-i:\((?:L|R|C|L-R|R-L|[^()]{0,30}\b(?:center|centre|left|right|row))\))"
    r"|(?-i:\b[A-Z][a-z]+\s+[A-Z][\w'-]+\s*/\s*(?:[A-Z]{2,}|The\s+[A-Z]))"
    r"|,\s+(?:far\s+)?(?:left|right|centre|center|top|bottom|second\s+from\s+(?:left|right))\s*,"
    r"|^(?:A|An|The|This|In\s+this)\s+(?:\w+\s+){0,2}(?:photo|image|picture|photograph|video)\s+"
    r"(?:from|of|taken|shows|showing|made|released|provided)\b"
    # a wire picture's caption naming its date: "In this May 3, 2031, photo, the envoy ..."
    r"|^In\s+this\s+(?=[^,]*\d)(?:[\w.]+,?\s+){1,4}(?:file\s+)?(?:photo|image|picture|photograph)s?,",
    re.IGNORECASE)
# Cheap first test for _CREDIT: one of these must be in the lower-cased text.
_CREDIT_HINTS = re.compile("photo|image|picture|video|graphic|illustration|footage|getty|shutterstock|istock|credit|"
                           "caption|courtesy|, (?:far )?(?:left|right|cent|top|bottom|second from)|[a-z] ?/ ?[a-z]|"
                           "\\((?:l|r|c|l-r|r-l)\\)|(?:center|centre|left|right|row)\\)")
# The text speaks about the page it is on: corrections, updates, where it first appeared.
_ABOUT_PAGE = re.compile(
    r"\bthis\s+(?:story|article|post|page|report|piece|video|gallery|slideshow)\s+"
    r"(?:has\s+been|was|is|first|originally|will\s+be|contains|includes|appeared|may)\b"
    r"|\b(?:first|originally)\s+(?:appeared|published)\s+(?:in|on|at)\b"
    r"|\b(?:\w+ed|shown|seen|given)\s+(?:here|below|above)\b|^(?:below|above)\s+(?:is|are|you)\b"
    r"|\b(?:see|read|visit|check\s+out)\s+(?:this|our|the\s+full)\s+(?:\w+\s+)?(?:article|story|page|post|link|site)"
    r"|\b(?:video|gallery|slideshow|clip|photos)\s*,?\s+(?:above|below)\b"
    r"|\bcontributed\s+(?:to\s+)?this\s+(?:report|story|article)\b"
    r"|\b(?:has|have|with)\s+(?:the\s+(?:latest|details|full\s+story)|more)(?:\s+(?:on|from|details)\b[^.]{0,60})?\.?$"
    r"|^(?:the\s+following\s+(?:is|was|are)\b|editor['\u2019]?s\s+note\b)"
    r"|\b(?:an?\s+)?(?:excerpt|extract)\s+(?:of|from)\s+(?:an?\s+|the\s+|his\s+|her\s+)?(?:\w+\s+)?(?:article|book|essay|story|interview|column|report)\b"
    r"|\bsign\s+up\s+(?:for|to)\b|\b(?:our|free|daily|weekly)\s+(?:\w+\s+)?newsletters?\b"
    r"|\b(?:enable|enabled)\s+javascript\b|\b(?:use\s+(?:of\s+)?cookies|cookie\s+(?:policy|settings))\b"
    r"|\b(?:all\s+rights\s+reserved|copyright\s+\d{4}|\u00a9)"
    r"|\bcomments?\s+(?:\S+\s+){0,10}?(?:will|may|might|can)\s+be\s+(?:hidden|removed|deleted|moderated|reviewed)\b",
    re.IGNORECASE)
# Cheap first test for _ABOUT_PAGE.
_ABOUT_PAGE_HINTS = re.compile("this |first|original|contributed|here|below|above|see |read |visit|check out|latest|more|"
                               "following|editor|excerpt|extract|details|full story|"
                               "sign up|newsletter|javascript|cookie|rights reserved|copyright|\u00a9|comment")
# Notes of the page about itself, its player, its updates and its writer (apart from _ABOUT_PAGE,
# so that each is searched only where its own hints are).
_PAGE_NOTES = re.compile(
    # a player's or a page's own notice: "The transcript could not be loaded.", a newsletter's blurb
    r"\b(?:video|transcript|player|content|page|comments?)\b[^.]{0,40}\b(?:could\s*not|cannot|can't|failed\s+to)\s+"
    r"(?:be\s+)?(?:load|play|display)"
    r"|,\s+delivered\s+(?:to\s+your\s+inbox|(?:each\s+|every\s+)?(?:weekday|week|day|morning|evening)\w*"
    r"(?:\s+(?:morning|afternoon|evening)s?)?)\.?$"
    r"|\bclick\s+here\b|^continue\s+reading\b|^an?\s+(?:post|photo|video|tweet)\s+shared\s+by\b"
    # a correction or update notice: "Updated at 9:15 a.m. to correct ...", "Update, May 3, 12:03 PT: ..."
    r"|^(?:updated?|corrected|correction|clarification)\b,?\s+(?:[^.]{0,40}?\d{1,2}[:.]\d{2}|(?:at|on)\s[^.]{0,40}?\bto\s+"
    r"(?:correct|reflect|include|add|clarify|remove)\b)"
    # the writer's biography and address: "Ana Lind is a Lake Courier staff writer.", "Reach her at ..."
    r"|\bis\s+an?\s+(?:[\w'\u2019.-]+\s+){0,5}(?:staff|contributing|freelance|senior)\s+(?:writer|reporter|photographer)\.?$"
    r"|^(?:contact|reach|email|e-mail)\s+(?:him|her|them|the\s+(?:writer|author|reporter))\s+at\b",
    re.IGNORECASE)
_PAGE_NOTES_HINTS = re.compile("could ?not|cannot|can't|failed to|delivered|click here|continue reading|shared by|updat|"
                               "correct|clarif|staff|contributing|freelance|senior|contact|reach|mail")
# Words that make a clause finite in reported news: auxiliaries, modals and the common
# irregular past forms; regular past forms end in -ed. A caption has none of them.
_FINITE = re.compile(
    r"\b(?:is|are|was|were|be|been|has|have|had|will|would|can|could|may|might|must|shall|should|"
    r"did|does|do|said|says|told|made|took|gave|went|came|got|found|left|met|held|began|won|lost|"
    r"ran|saw|put|set|sent|led|fell|rose|paid|kept|brought|thought|became|spoke|wrote|struck|"
    r"chose|broke|built|bought|caught|fought|sold|stood|shot|hit|cut|let|hurt|quit|spent|meant|"
    r"heard|felt|knew|grew|drew|flew|threw|showed|shown|seen|done|given|taken|\w{3,}ed|\w+n't)\b",
    re.IGNORECASE)

# A wire dateline: "KYIV (Reuters) -", "GENEVA, March 3 (AFP) —", "WASHINGTON —",
# "NEW YORK, NY (CNN) --", "(CNN) -", and the "Updated 5:02 PM ET" stamps glued before it.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'\u2019/-]{1,40}(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2})?(?:,\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*(?:\([A-Z][\w&.' -]{1,30}\)\s*[-\u2013\u2014]{0,2}|[-\u2013\u2014]{1,2})\s*(?=[\"\u201c'A-Z])"
    # a place in capitals and its state or country abbreviated, no agency and no dash: "ELM CITY, Ore. Police ..."
    r"|[A-Z]{3,}(?:[ '-][A-Z]{2,})*,\s+(?:[A-Z][a-z]{1,4}\.|[A-Z]\.[A-Z]\.)\s+(?=[\"\u201c]?[A-Z][a-z])"
    # two places joined by a slash: "ELM CITY/PORT ROYAL Officials ..."
    r"|[A-Z]{3,}(?:\s[A-Z]{2,})*(?:/[A-Z]{3,}(?:\s[A-Z]{2,})*)+\s+(?=[\"\u201c]?[A-Z][a-z])"
    r"|(?:[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}\s+)?\([A-Z][\w&.' -]{1,30}\)\s*(?:[-\u2013\u2014]{1,2}\s*)?"
    r"(?=[\"\u201c'A-Z])"
    r"|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+[\u2013\u2014]\s+(?=[\"\u201c'A-Z])"
    r"|[-\u2013\u2014]{1,2}\s+(?=[\"\u201c'A-Z])"
    # a heading in capitals ("LIVE BLOG", "COUNTDOWN TO 2031") before a sentence's opening word
    r"|(?=[A-Z\d&'\u2019/. -]*[A-Z]{3,})(?:[A-Z\d][A-Z\d&'\u2019/.-]*\s+){1,6}"
    r"(?=(?:The|A|An|In|On|At|For|As|After|When|While|It|He|She|They|This|But|Since|With|From|If)\s+\S*[a-z]))")
# The opening of a byline: "By Ana Lind", "By ANA LIND".
_BYLINE = re.compile(r"^By\s+(?=[A-Z])")
# A web address in capitals before the text is a picture's credit: "LAKEPHOTOS.COM A worker ...".
_ADDRESS_CREDIT = re.compile(r"^[A-Z\d][A-Z\d-]*(?:\.[A-Z\d-]+)*\.(?:COM|NET|ORG|TV|CO\.UK)\s+(?=[\"\u201c'A-Z])")
# Reference numbers left before a sentence by a scientific paper's citations: "12 , 14 Later work ...".
_CITATIONS = re.compile(r"^\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})+\s+(?=[A-Z][a-z])")


# A wire picture's caption ends on the day it was taken ("..., Tuesday, April 11, 2017.") or
# gives it in full mid-sentence ("... holds a sign Thursday, Oct. 3, 2013, in ...").
_CAPTION_DATE = re.compile(r",\s+(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+)?"
                           r"[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}\.?\s*(?:\([^)]*\))?$"
                           r"|\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+[A-Z][a-z]{2,8}\.?\s+"
                           r"\d{1,2},\s+\d{4},")
# A link's label in capitals inside running text, the sentence going on in lower case after it:
# "Ana Lind Ana Maria LindLind wins vote Lind's aide quits MORE warned on Monday ...".
_LINK_LABEL = re.compile(r"\S\s+MORE\s+[a-z]+(?:ed|s)\b")
# A phrase ending on a full date: with no finite verb it describes a picture.
_DATED_SCENE = re.compile(r"\b(?:on|in)\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},\s+\d{4}\.?[\"'\u201d\u2019]?\s*$")
# A media player's controls read as words: "CLOSE Skip in Skip x Embed x Share", "Replay Video".
_PLAYER_WORDS = frozenset("close skip embed share replay play pause mute unmute autoplay fullscreen next "
                          "previous x copy link".split())
# A live blog's time stamp glued before an entry: "10:45 AM PT:", "9.12am:", "14:05 -".
_TIME_STAMP = re.compile(r"^(?:Updated?,?\s+(?:[A-Z][a-z]+\.?\s+\d{1,2},?\s+)?(?:at\s+)?)?"
                         r"\d{1,2}[:.]\d{2}\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:[A-Z]{1,4}T)?\s*[:\-\u2013\u2014|]+\s*"
                         r"(?=[\"\u201c'A-Z])")


_CONTROL_WORD = re.compile(r"^([A-Z]{4,})\s+(?=[A-Z][a-z])")

# A video's title and running time glued before the text: "Costs soar to new highs (3:40) As ...".
_VIDEO_TITLE = re.compile(r"^[^.!?()]{3,120}\(\d{1,2}:\d{2}(?::\d{2})?\)\s+(?=[\"\u201c'A-Z])")


def has_finite_verb(text: str) -> bool:
    """Whether a piece of text holds a finite verb of reported news (a caption, a label or a noun
    phrase holds none)."""
    return bool(_FINITE.search(text))


def player_controls(text: str) -> bool:
    """Whether a sentence opens on a media player's controls ("CLOSE Skip in Skip x Embed x Share ...")."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", text[:80])[:8]]
    return sum(w in _PLAYER_WORDS for w in words) >= 3


# A picture's credit in brackets with the text glued after it: "[Reuters] Libyan leader ...".
_GLUED_CREDIT = re.compile(r"[\[(](?:Reuters|AP|AFP|EPA|Getty(?:\s+Images)?|Associated\s+Press|"
                           r"[A-Z][\w. ]{0,30}/[A-Z][\w. ]{0,30})[\])]\s+(?=[\"\u201cA-Z][a-z])")
# A page's stamp before a pipe: "Updated |", "Exclusive |".
_PIPE_STAMP = re.compile(r"^[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+){0,2}\s*\|\s*(?=[\"\u201cA-Z])")
# Words that lead into a name inside a sentence ("in The Hague", "of The Times"): no headline ends on one.
_SMALL_WORDS = frozenset("""a an the in on at of to for from by with and or but as into onto near over under
about after before than that this its their his her our your""".split())
_OPENING_WORD = re.compile(r"^([A-Z][a-z]+)\b")


def glued_title(sentence: str) -> int:
    """Where the text begins after a headline glued to it without a stop, else 0: the text opens
    on the headline's own first word ("Monkeys learn to cover their eyes Monkeys at the zoo have
    ..."), after a lower-case word that is not a small word leading into a name ("in The Hague"),
    four to twenty words in, and five or more words remain."""
    first = _OPENING_WORD.match(sentence)
    if not first:
        return 0
    word = first.group(1)
    at = 0
    for again in re.finditer(rf"\s{word}\b", sentence):
        before = sentence[:again.start()].split()
        if before and before[-1].isalpha() and before[-1].islower() and before[-1] not in _SMALL_WORDS:
            at = again.start() + 1
            break
    if not at:
        return 0
    head, rest = sentence[:at], sentence[at:]
    if not 4 <= len(head.split()) <= 20 or "," in head or len(rest.split()) < 5:
        return 0
    return at


# A capitalised word that opens a sentence, standing after a lower-case word with no stop between:
# a heading run into its text ("Why it matters The talks ...", "... rescued off the coast A man ...").
_GLUED_OPENING = re.compile(r"(?<=[a-z\d%])\s+(?=(?:The|A|An|This|These|At|In|On|He|She|They)\s+[a-z])")
# Nouns that take a letter after them ("vitamin A", "type A", "plan A"): the letter is no sentence's opening.
_LETTER_NOUNS = frozenset("""vitamin hepatitis type plan group class grade tier category section part option
exhibit model series division block level gate terminal platform building wing row seat size flu strain
blood appendix schedule figure table team""".split())
# Words after an opening determiner that show it is no opening: "vitamin A levels were", "plan A is".
_NO_OPENING_AFTER = frozenset("is are was were has have had and or of to in on".split())


def glued_heading(sentence: str) -> int:
    """Where the text begins after a heading run into it without a stop ("Why it matters The talks
    resumed on Monday ..."), else 0.

    The heading is the sentence's first three to twenty words, outside any quotation; the text
    opens on a capitalised determiner, preposition or pronoun followed by a lower-case word,
    has a finite verb and six or more words, and ends on a stop. Of several such places the last is taken: a
    heading may follow another ("Continue reading the main story At the scene The ...").
    """
    at = 0
    if not sentence.rstrip("\"'\u201d\u2019) ").endswith((".", "!", "?")):
        return 0  # no sentence after the heading: a title run into its subtitle is the headline's to cut
    for match in _GLUED_OPENING.finditer(sentence):
        cut = match.end()
        head, rest = sentence[:cut].split(), sentence[cut:]
        if len(head) > 20:
            break
        words = rest.split()
        if len(head) < 3 or len(words) < 6 or words[1].lower() in _NO_OPENING_AFTER:
            continue
        if head[-1].lower() in _SMALL_WORDS or sum(sentence[:cut].count(q) for q in "\"\u201c\u201d") % 2:
            continue  # "... in The Hague", or a quotation left open
        if words[0] in ("A", "An") and (len(head) < 5 or head[-1].lower() in _LETTER_NOUNS):
            continue
        if has_finite_verb(rest):
            at = cut
    return at


def prose_start(sentence: str) -> int:
    """Where the sentence proper begins: after a glued wire dateline, else 0.

    The cut is kept only when what is left is still a sentence of some length, so a
    sentence opening on an upper-case acronym and a dash is left alone.
    """
    stamp = _TIME_STAMP.match(sentence)
    if stamp and len(sentence[stamp.end():].split()) >= 5:
        return stamp.end()
    video = _VIDEO_TITLE.match(sentence)
    if video and len(sentence[video.end():].split()) >= 5:
        return video.end()
    control = _CONTROL_WORD.match(sentence)
    if control and control.group(1).lower() in _PLAYER_WORDS and len(sentence[control.end():].split()) >= 5:
        return control.end()  # a player's button glued before the text: "CLOSE Bone-chilling cold ..."
    glued = glued_title(sentence) or glued_heading(sentence)
    if glued and not (":" in sentence[:glued] or "|" in sentence[:glued] or is_credit(sentence[:glued])):
        return glued  # (a caption's label or credit before the text keeps the caption whole: it is furniture)
    for prefix in (_ADDRESS_CREDIT, _CITATIONS):
        found = prefix.match(sentence)
        if found and len(sentence[found.end():].split()) >= 5:
            return found.end()  # a picture's web credit, or a paper's reference numbers, before the text
    credit = _GLUED_CREDIT.search(sentence)
    if credit and len(sentence[credit.end():].split()) >= 8:
        return credit.end()  # "... on protesters [Reuters] Libyan leader X has appeared ...": a caption, then the text
    stamp = _PIPE_STAMP.match(sentence)
    if stamp and len(sentence[stamp.end():].split()) >= 8 and not _CREDIT_HINTS.search(stamp.group(0).lower()):
        return stamp.end()  # "Updated | When the first humans left Africa ...": a page's stamp, then the text
    byline = _BYLINE.match(sentence)
    if byline:
        # a byline before a dateline: "By Ana Lind, Lake Wire BRILL (Lake Wire) - ..."
        for k, word in enumerate(re.finditer(r"\S+\s+", sentence[byline.end():byline.end() + 120])):
            after = byline.end() + word.end()
            if k == 0:
                continue  # a name has two words at least ("By Friday - the talks ..." is no byline)
            dated = prose_start(sentence[after:]) if _DATELINE.match(sentence[after:]) else 0
            if dated:
                return after + dated
    match = _DATELINE.match(sentence)
    if not match or match.end() == 0:
        return 0
    rest = sentence[match.end():]
    prefix = match.group(0)
    # an all-capitals place name or an agency in brackets (a lone acronym before a dash is
    # not a dateline), or a dash left over from one
    if not (re.search(r"[A-Z]{3,}|\(|\s[\u2013\u2014]\s", prefix) or not prefix.strip(" -\u2013\u2014")) \
            or len(rest.split()) < 5:
        return 0
    return match.end()


def is_furniture(sentence: str, alone_on_line: bool = False) -> bool:
    """Whether a sentence is page furniture rather than part of the story.

    ``alone_on_line`` tells that the sentence is the whole of its line (paragraph):
    only then can a short sentence without a finite verb be taken for a caption.
    """
    whole = sentence.strip()
    if whole[:1] in "([" and whole.rstrip(".")[-1:] in ")]" or whole[:1] == "[":
        return True  # an aside in brackets: a disclosure, a correction, an editor's note, a link
    text = whole.lstrip("\"'\u201c\u2018([-\u2013\u2014*\u2022 ")
    if not text:
        return True
    first = text.split(None, 1)[0].lower().rstrip(",:")
    if first.startswith("you") and _READER.match(text) or "#" in text and _HASHTAG.search(text):
        return True
    if first in _CONDITIONS and _READER_CONDITION.match(text) and _PAGE_WORDS.search(text) \
            and not any(q in whole for q in "\"\u201c\u201d"):
        return True  # "If you are not, please consider subscribing.": the page instructing its reader
    if first in _ACTION_OPENERS and _CALL_TO_ACTION.match(text):
        return True
    # A prompt glued after the label of its box ("Breaking News Emails Get breaking news alerts"):
    # a run of capitalised words, then an imperative web verb.
    glued = _GLUED_LABEL.match(text)
    if glued and text[glued.end():].split(None, 1)[0].lower() in _ACTION_OPENERS \
            and _CALL_TO_ACTION.match(text[glued.end():]):
        return True
    if first == "please" and whole[:1] not in "\"\u201c":
        return True  # outside a quotation, "Please ..." is the page asking something of its reader
    if (":" in text or "|" in text) and _LABEL.match(text) or "|" in text and _PIPE.search(text):
        return True
    lowered = text.lower()
    if text.rstrip("\"'\u201d\u2019)] ").endswith(("...", "\u2026")):
        return True  # a truncated teaser
    if _CREDIT_HINTS.search(lowered) and _CREDIT.search(text):
        return True
    if _ABOUT_PAGE_HINTS.search(lowered) and _ABOUT_PAGE.search(text) \
            or _PAGE_NOTES_HINTS.search(lowered) and _PAGE_NOTES.search(text):
        return True
    if _CAPTION_DATE.search(text.rstrip("\"'\u201d\u2019 ")) or player_controls(text):
        return True
    dated = text.rstrip(" .\"'\u201d\u2019")[-4:].isdigit() and _DATED_SCENE.search(text)
    if dated and not _FINITE.search(text[:dated.start()]):
        return True  # "The scene of the flood along Mill Street on July 29, 2031.": a picture's caption
    if " MORE " in text and _LINK_LABEL.search(text):
        return True  # a name's pop-up card of linked headlines run into the sentence

    if alone_on_line and len(text.split()) <= 16 and not _FINITE.search(text):
        return True
    return False


def is_credit(sentence: str) -> bool:
    """Whether a sentence is a picture credit or label ("Photo: ...", "(AP Photo/...)"): the line it
    sits on is a caption block, and the other sentences on that line describe a picture."""
    text = sentence.strip()
    lowered = text.lower()
    if not _CREDIT_HINTS.search(lowered):
        return False
    return bool(_CREDIT.search(text)) or bool(re.match(r"^(?:Photo|Image|Picture|Video|Credit|Caption)s?\b", text,
                                                       re.IGNORECASE))
