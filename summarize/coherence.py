"""What a sentence needs from the sentences around it to be understood, and what it tells.

An extract reads as stitched-together when a sentence leans on one that is not there:
"It calls Russia a long-term threat" after a sentence about something else, "Within hours
of the deadline" when no deadline was named, a quotation cut after its first sentence.
The rules here read linguistic signals only:

* **pointing back**: a sentence that opens on a personal or demonstrative pronoun, a
  connective ("But", "However", "Meanwhile", "In addition"), or a comparison with
  something said before ("Another", "The latter", "Both") depends on the sentence before it;
* **definite reference**: a sentence whose subject is "the" plus a common noun that its
  article has already introduced ("The deadline", "The official", "The move") depends on
  the earlier mention unless the summary has named that thing already;
* **quotations**: a sentence that opens a quotation left unclosed, or closes one it did not
  open, belongs with its neighbours until the quotation is whole;
* **preview**: a sentence that tells what is expected ("are due to", "will meet", "is
  expected to") rather than what happened; a story that also reports the outcome tells
  the outcome.
"""
from __future__ import annotations

import re

from summarize.sentences import split_words, stop_words

# Opening words that point back to a sentence before. "It"/"There" followed by a form of
# "be" and a clause (extraposition: "It is unclear whether...", "There are fears that...")
# open self-contained sentences and are handled apart.
_POINTING_WORDS = frozenset("""he she it they him her his its their them theirs this that these those such
but however also and yet still meanwhile instead then thus so moreover furthermore additionally nevertheless
nonetheless otherwise likewise similarly besides there or nor both neither either another others later earlier
afterwards afterward subsequently consequently hence therefore accordingly indeed now here
we us our ours you your i me my""".split())
_POINTING_PAIRS = frozenset({("the", "latter"), ("the", "former"), ("in", "addition"),
                             ("the", "two"), ("the", "same"), ("the", "other"), ("the", "pair"),
                             ("at", "the"), ("on", "the"), ("in", "turn"), ("even", "so"), ("as", "a"),
                             ("by", "contrast"), ("in", "contrast"), ("for", "his"), ("for", "her"),
                             ("for", "its"), ("for", "their"), ("after", "that"), ("after", "all"), ("since", "then"),
                             ("until", "then"), ("at", "that"), ("in", "response"), ("in", "return"),
                             ("to", "that"), ("despite", "this"), ("despite", "that"), ("because", "of")})
# For the pairs that only point back with a third word ("At the time", "On the other hand",
# "As a result", "Because of this").
_POINTING_TRIPLES = {("at", "the"): {"time", "same"}, ("on", "the"): {"other"},
                     ("as", "a"): {"result", "consequence"}, ("because", "of"): {"this", "that", "it"}}
_EXTRAPOSED = re.compile(
    r"^It\s+(?:is|was|remains|remained|seems|seemed|appears|appeared|has\s+been|had\s+been|will\s+be|would\s+be)"
    r"\s+(?:not\s+)?(?:yet\s+|still\s+|also\s+|now\s+|\w+ly\s+)?(?!(?:a|an|the|another|one|his|her|its|their)\b)"
    r"\w+\s+(?:that|whether|if|how|what|when|why|who|to)\b"
    r"|^There\s+(?:is|are|was|were|have\s+been|has\s+been|will\s+be|remains?)\b",
    re.IGNORECASE)
# A subject pronoun after a short opening phrase ("With two hits, they became...", "After
# the vote, he said...") points back as surely as one that opens the sentence, unless the
# phrase names someone it could stand for.
_AFTER_PHRASE = re.compile(r"^([^,;:]{3,80}),\s+(he|she|they|it|his|her|their|its|this|these|those)\s+(\w+)",
                           re.IGNORECASE)
_AFTER_PRONOUNS = ("he", "she", "they", "it", "his", "her", "their", "its", "this", "these", "those")
_AFTER_NEEDLES = tuple(f"{mark} {p} " for p in _AFTER_PRONOUNS for mark in (",", ",\u201d", ',"'))
# A speaker and a verb of saying, and nothing said: the rest of a quotation split off before it.
_ATTRIBUTION_ONLY = re.compile(
    r"^(?:[A-Z][\w.'\u2019-]*\s+){1,6}(?:said|says|charged|added|told\s+\w+|argued|insisted|claimed|"
    r"wrote|noted|explained|warned|stressed)(?:\s+(?:on|in|at|late|early|this)\s+[\w.]+(?:\s+[\w.]+)?)?\s*[.!]$")
# "Three of them ...", "Most of those ...": a part of people or things counted before.
_PART_OF = re.compile(r"^(?:\w+\s+){0,2}?(?:of|among)\s+(?:them|these|those|whom|which)\b", re.IGNORECASE)
# "The police said he had no record": a body or a group reports on "he" or "she", who was named
# in a sentence before (nothing before the pronoun names a person; "Officials believe they ..."
# and "The spokesman said he ..." speak of themselves).
_REPORTED_PRONOUN = re.compile(r"^([^,;:\"\u201c]{0,60}?)\b(?:said|say|told\s+\w+|added|believe|believed|"
                               r"think|thought)\s+(?:that\s+)?(?:he|she|his|her)\b")
_REPORTERS = frozenset("""police officials authorities prosecutors investigators officers witnesses sources
reports doctors relatives neighbors neighbours""".split())
# "On the first, ...", "For the latter, ...": a step through things listed before.
_STEP_OF_LIST = re.compile(r"^(?:On|In|For|As\s+for|Of)\s+the\s+(?:first|second|third|last|latter|former)\s*,",
                           re.IGNORECASE)
# "Though Yu and Soni have also kept it secret." with no clause of its own: "though" as "however".
_CONCESSIVE = re.compile(r"^(?:Though|Although)\b[^,;:]*[.!]?$")
# "One ..., the other ...": the two were introduced before.
_PAIR = re.compile(r"^One\b[^.;]{0,200}?\bthe\s+other\b")
_QUOTED = re.compile(r"[\"\u201c][^\"\u201d]*[\"\u201d]")
# A definite subject: "The deadline ...", "The official said ...", "The move comes ...".
_DEFINITE = re.compile(r"^The\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?")
# A definite speaker named only at the end: '..., the official added', '..., said the spokesman.'
# The official was introduced earlier in the article; without that sentence the reader
# meets "the official" out of nowhere.
_DEFINITE_SPEAKER = re.compile(
    r"(?:,|[\"\u201d])\s+the\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?\s+"
    r"(?:said|says|added|adds|told|noted|wrote|explained|stressed|warned|insisted|continued|reads|read|states|"
    r"stated|concluded|concludes|declared|declares)\b"
    r"|\b(?:said|says|added|noted|continued|reads|read|states|stated)\s+the\s+([a-z][\w-]*)(?:\s+([a-z][\w-]*))?\s*[.,;]")
ADJECTIVES = frozenset("""new old final first last latest former same other two three four main top senior next
previous current initial second whole full joint original recent earlier later""".split())
_QUOTE_OPEN = "\u201c\u00ab"
_QUOTE_CLOSE = "\u201d\u00bb"

# Future and expectation: what a preview of an event says instead of what happened.
_PREVIEW = re.compile(
    r"\b(?:is|are|was|were|'re|'s)\s+(?:\w+ly\s+)?(?:due|expected|set|scheduled|slated|poised|likely|going|"
    r"planning|preparing|hoping|aiming|about)\s+to\b"
    r"|\b(?:will|shall|'ll)\s+(?:\w+ly\s+)?(?:not\s+)?(?:meet|hold|sit|start|begin|open|resume|travel|visit|"
    r"attend|host|gather|convene|vote|sign|discuss|talk|decide|announce|hold|head|seek|be\s+held|take\s+place|"
    r"be\s+\w+ed)\b"
    r"|\b(?:plans?|intends?|hopes?|aims?)\s+to\s+(?:meet|hold|sign|visit|discuss|travel)\b"
    r"|\bahead\s+of\s+(?:the|a|next|this|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(?:upcoming|forthcoming|next\s+week's|tomorrow's)\b",
    re.IGNORECASE)
# Cheap first test for _PREVIEW: one of these must be in the lower-cased text.
_PREVIEW_HINTS = (" to ", "will ", "shall ", "'ll ", "ahead of", "upcoming", "forthcoming", "next week", "tomorrow")
# What happened: a past form of a verb of outcome or of reporting ("-ed" forms are checked apart).
_PAST = frozenset("""met held began ended broke left won lost made took sat spoke told said gave came went fell rose
struck reached yielded begun broken taken given come gone fallen risen""".split())
_LOWER_WORD = re.compile(r"[a-z]+")


_MIDDLE_CONNECTIVES = frozenset("""however nonetheless nevertheless meanwhile instead therefore moreover furthermore
likewise similarly consequently though""".split())
_ORDINAL = frozenset("first second third fourth finally lastly again secondly thirdly plus".split())
_OPENING_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")
_SPEAKER = frozenset("i me my we us our you your".split())
# "It's", "They're", "He'd": the pronoun is what counts.
_CLITIC = re.compile(r"['\u2019](?:s|re|d|ll|ve|m)$", re.IGNORECASE)


def _first_words(text: str, count: int) -> list[str]:
    """The first ``count`` words of a sentence, lower-cased and without clitics, past any opening quote or bracket."""
    opening = text.lstrip("\"'\u201c\u2018([-\u2013\u2014 ")[:20 * count]
    return [_CLITIC.sub("", w.lower()) for w in _OPENING_WORD.findall(opening)[:count]]


def points_back(text: str) -> bool:
    """Whether the sentence leans on one before it: a word pointing back opens it or its main clause,
    or it is all quotation with no one named as saying it."""
    stripped = text.strip().lstrip("([-\u2013\u2014 ")
    if _all_quoted(stripped):
        return True  # the speaker is named in a neighbouring sentence
    if _ATTRIBUTION_ONLY.match(stripped):
        return True  # "Sen. Ilse Aalto said on Sunday.": the words she said stand in the sentence before
    if _STEP_OF_LIST.match(stripped) or _CONCESSIVE.match(stripped):
        return True  # "On the first, ..." after a list; "Though X did Y." meaning "however"
    if _PAIR.match(stripped):
        return True  # "One former aide, X, ..., and the other, Y, ...": a pair introduced before
    if _PART_OF.match(stripped):
        return True  # "Three of them - two women and a man - ..."
    reported = _REPORTED_PRONOUN.match(stripped)
    if reported and _reporting_group(split_words(reported.group(1))):
        return True  # "The police said he had no criminal record": who "he" is, a sentence before told
    if stripped[:1] in "\"\u201c\u2018'":
        # Quoted speech first: its own "I" or "this" belong to the speaker; what matters is who
        # is named as saying it ("..., he said" leans on the sentence before; "..., Rutte said" does not).
        # The quotation's own first word counts too, save the speaker's "I", "we" and "you".
        close = _QUOTED.match(stripped)
        inner = stripped.lstrip("\"\u201c\u2018' ")
        if _first_words(inner, 1)[:1] and _first_words(inner, 1)[0] not in _SPEAKER \
                and _opens_on_pointer(inner):
            return True
        return bool(close) and _opens_on_pointer(stripped[close.end():].lstrip(",;: "), attribution=True)
    return _opens_on_pointer(stripped)


def _reporting_group(words: list[str]) -> bool:
    """Whether the words before a verb of saying are a group or a body that names no one: a
    plural common noun last ("The police", "State officials"), no name past the first word."""
    if not words or any(w[:1].isupper() for w in words[1:]) or any(w.lower() in ("who", "which") for w in words):
        return False  # a name, or a relative clause: "An actress who has said she ..." speaks of herself
    head = words[-1]
    if len(words) == 1 and head[:1].isupper():
        return head.lower() in _REPORTERS  # "Police said he ...", not "Jones said he ..."
    return head.islower() and (head in _REPORTERS or head.endswith("s") and not head.endswith("ss")
                               and head not in stop_words())


def _opens_on_pointer(text: str, attribution: bool = False) -> bool:
    """Whether ``text`` opens on a pointing-back word, or its main clause does after a short phrase."""
    words = _first_words(text, 3)
    if not words:
        return False
    first = words[0]
    if attribution:
        return first in ("he", "she", "they", "it", "his", "her", "their", "its", "this", "that")
    if first in ("it", "there") and _EXTRAPOSED.match(text):
        return False
    if first in _POINTING_WORDS:
        return True
    if any(w in _MIDDLE_CONNECTIVES for w in _first_words(text, 6)[1:]):
        return True  # "The declaration nonetheless restated...": a contrast with what came before
    if first in _ORDINAL and text.lstrip("\"'\u201c\u2018([-\u2013\u2014 ")[len(first):len(first) + 1] == ",":
        return True  # "First, ...", "Finally, ...": a step in a sequence begun before
    if len(words) > 1 and (first, words[1]) in _POINTING_PAIRS:
        third = _POINTING_TRIPLES.get((first, words[1]))
        if third is None:
            return True
        return len(words) > 2 and words[2] in third
    lowered = text.lower()
    if not any(needle in lowered for needle in _AFTER_NEEDLES):
        return False
    unquoted = _QUOTED.sub(lambda m: " q," if m.group(0)[-2:-1] == "," else " q", text)
    phrase = _AFTER_PHRASE.match(unquoted)
    if phrase and not (phrase.group(2).lower() == "it" and phrase.group(3).lower() in ("is", "was")):
        # a name in the opening phrase may be what the pronoun stands for ("When Rutte arrived, he said")
        if not any(w[:1].isupper() for w in split_words(phrase.group(1))[1:]):
            return True
    return False


def _all_quoted(text: str) -> bool:
    """Whether the whole sentence is one quotation (no words of attribution outside the quotes)."""
    stripped = text.strip()
    if stripped[:1] not in "\"\u201c" or stripped[-1:] not in "\"\u201d":
        return False
    inner = stripped[1:-1]
    return '"' not in inner and "\u201c" not in inner and "\u201d" not in inner


def definite_heads(text: str) -> tuple[str, ...]:
    """The common nouns (or noun candidates) of a definite subject: "The deadline passed" -> ("deadline", "passed").

    A speaker named only by a definite common noun at the end ("..., the official added",
    "..., the statement reads") counts too: the article introduced that official before;
    in a sentence that opens on a quotation, only the speaker counts."""
    quoted = text.lstrip()[:1] in "\"\u201c"
    # a quotation's own "the" is its speaker's: who is quoted is what the reader must know
    match = None if quoted else _DEFINITE.match(text.lstrip("\"'\u201c\u2018([ "))
    if not match and " the " in text:
        match = _DEFINITE_SPEAKER.search(text)
    if not match:
        return ()
    words = [w for w in match.groups() if w]
    if words and words[0] in ADJECTIVES:
        words = words[1:]  # "The new goal": the noun is what was introduced
    return tuple(words)


def quote_balance(text: str) -> int:
    """+1 when the sentence opens a quotation it does not close, -1 when it closes one it did not open, else 0."""
    if '"' not in text and "\u201c" not in text and "\u201d" not in text and "''" not in text \
            and "``" not in text and "\u00ab" not in text and "\u00bb" not in text:
        return 0
    opens = sum(text.count(c) for c in _QUOTE_OPEN) + text.count("``")
    closes = sum(text.count(c) for c in _QUOTE_CLOSE) + text.count("''")
    if opens or closes:
        return (opens > closes) - (closes > opens)
    straight = text.count('"')
    if straight % 2 == 0:
        return 0
    stripped = text.strip()
    if stripped.startswith('"'):
        return 1
    if re.search(r"[.!?,]\"[)\]]?$", stripped):
        return -1
    # an odd quote in the middle: opens a quotation that runs past the sentence's end
    return 1 if stripped.rfind('"') > len(stripped) / 2 else -1


def is_preview(text: str) -> bool:
    """Whether the sentence tells what is expected to happen rather than what happened."""
    lowered = text.lower()
    return any(k in lowered for k in _PREVIEW_HINTS) and bool(_PREVIEW.search(text))


def tells_outcome(text: str) -> bool:
    """Whether the sentence reports something that happened (past or perfect), not only what is expected."""
    if is_preview(text):
        return False
    words = _LOWER_WORD.findall(text.lower())
    return any((w.endswith("ed") and len(w) > 4) or w in _PAST for w in words)


# ---- the writer's own voice -------------------------------------------------------------

# First and second person outside quotations: the writer speaking ("I", "we at the
# magazine", "our journey") or the reader addressed ("if you know your history"). A
# report's "our" may be everyone's ("our ancestors", "our bellies") when the sentence tells
# what a study or a source found.
_SINGULAR_VOICE = re.compile(r"\b(?:I|[Mm]e|[Mm]y|[Yy]ou|[Yy]our|[Yy]ou're|[Yy]ou'll)\b(?!\.)")
_PLURAL_VOICE = re.compile(r"\b(?:[Ww]e|us)\b(?!\.)")
_OUR = re.compile(r"\b[Oo]urs?\b")
_ATTRIBUTED = re.compile(r"\b(?:according\s+to|said|says|found|finds|discovered|suggests|shows|showed|reported|"
                         r"study|studies|research|researchers|scientists)\b")
# The reader told what to think or do: "Remember that ...", "Make no mistake: ...", "Imagine
# ...", "For instance, search for ... and the first link might be ...".
_ADDRESS = re.compile(r"^(?:Remember|Consider|Imagine|Note|Make\s+no\s+mistake|Don['\u2019]t\s+forget|Keep\s+in\s+mind)\b"
                      r"|^For\s+(?:example|instance),\s+(?:search|try|look|go|click|type|visit|watch|read|imagine|"
                      r"consider|take|ask|open|scroll)\b")
_QUOTATION_SPAN = re.compile(r"[\"\u201c\u2018][^\"\u201d\u2019]*(?:[\"\u201d\u2019]|$)")


def writer_voice(text: str, plural_only: bool = False) -> bool:
    """Whether a sentence speaks in the writer's own voice or to the reader, outside quotations.

    With ``plural_only`` only the first person plural counts ("we", "us", an "our" the
    sentence does not attribute to a study or a source): the test of a sentence of news
    prose (:func:`summarize.candidates.is_prose`), where "I" and "you" are left to the
    composition of the paragraph.
    """
    unquoted = _QUOTATION_SPAN.sub(" ", text)
    if _PLURAL_VOICE.search(unquoted) or _OUR.search(unquoted) and not _ATTRIBUTED.search(unquoted):
        return True
    return not plural_only and bool(_SINGULAR_VOICE.search(unquoted) or _ADDRESS.match(text.lstrip("\"\u201c ")))


# A noun phrase anywhere in a sentence that points at a thing told before: "these activities",
# "both articles", "the same path", "every demand on that list". ("that" only after a
# preposition, where it cannot open a clause.)
_POINTED = re.compile(
    r"\b(?:(?P<one>[Tt]his)|[Tt]hese|[Tt]hose|[Bb]oth|the\s+same|"
    r"(?:on|of|in|at|from|with|about|for|by|under|over|into|onto|against|behind|beyond)\s+(?P<that>that))"
    r"\s+(?P<first>[a-z][a-z-]+)(?:\s+(?P<second>[a-z][a-z-]+))?")
_PREPOSITION_BEFORE = re.compile(r"\b(?:to|of|for|from|with|by|on|in|at|between|among)\s+$")
# Words after such a determiner that point at the moment of telling, not at a thing told.
_DEICTIC = frozenset("""year years week weeks month months morning afternoon evening night weekend time times
season summer winter spring fall autumn day days decade century era moment point stage past way kind sort
country nation world city town planet""".split())
# Words that follow "this"/"these"/"both"/"the same" as something other than a noun.
_NOT_NOUNS = frozenset("""is was are were has have had be been being will would could can may might must should
shall do does did not also the a an and or but to of in on at for with by from as than
who whom which what that when where while if all each such own very include includes included mean means seem seems seemed appear appears remain remains
come comes came make makes made go goes went one ones two three four five other others
he she it they we you i him her them us don didn doesn isn wasn aren weren won""".split())


def pointed_nouns(text: str) -> tuple[str, ...]:
    """The nouns a sentence points at as told before ("these activities", "both articles",
    "the same path", "on that list"), leaving out those of time ("this year", "the same day")."""
    if not any(w in text for w in ("his ", "hese ", "hose ", "oth ", " same ", " that ")):
        return ()
    found = []
    for match in _POINTED.finditer(text):
        noun = match.group("first")
        if (noun in ADJECTIVES or noun.endswith("ly")) and match.group("second"):
            noun = match.group("second")
        if noun in _DEICTIC or noun in _NOT_NOUNS or noun.endswith("ed") and len(noun) > 4:
            continue
        if match.group(0).startswith(("both", "Both")) and " and " in " ".join(text[match.start():].split()[:7]):
            continue  # "both boys and girls": the two named on the spot
        if match.group(0).startswith("both") and _PREPOSITION_BEFORE.search(text[:match.start()]):
            continue  # "according to both campaigns": the two sides of a story told, not two things listed
        if match.group(0).startswith(("those", "Those")) and noun.endswith("ing"):
            continue  # "those looking forward": people described on the spot
        if text[:match.start()].lower().count(noun[:-1] if noun.endswith("s") else noun):
            continue  # named earlier in the same sentence ("United Airlines ... both airlines")
        if match.group("one") and noun.endswith("s") and not noun.endswith(("ss", "us", "is")):
            continue  # "this means", "this comes": a verb after a demonstrative pronoun
        if noun == match.group("first") and match.group("second") in ("as", "of", "that", "which", "who"):
            continue  # "the same rules as", "those people who": introduced on the spot
        found.append(noun)
    return tuple(found)


# ---- a set-up for what follows ----------------------------------------------------------

# Words outside quotations that announce what the next sentences will give: "here are ten of
# the things he heard", "the following", "as follows", "read on", "see below".
_PROMISE = re.compile(r"\b(?:[Hh]ere\s+(?:are|is)|[Hh]ere['\u2019]s|as\s+follows|[Rr]ead\s+on|see\s+below|"
                      r"listed\s+below|below\s+(?:are|is))\b"
                      r"|\bthe\s+following(?!\s+(?:day|days|week|weeks|month|months|year|years|morning|"
                      r"afternoon|evening|night|season|weekend)\b)")


def promises(text: str) -> bool:
    """Whether a sentence sets up what its article goes on to give (a list, an example, a
    quotation): it ends on a colon or announces what follows ("here are ten of ...",
    "the following"). Without what follows, the paragraph ends on a promise."""
    if text.rstrip().endswith(":"):
        return True
    return bool(_PROMISE.search(_QUOTATION_SPAN.sub(" ", text)))
