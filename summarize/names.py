"""People's names in a story: who is introduced how, and when a name leans on an introduction.

A reader who meets "Tulowitzki said" or "Ms. Clifford" needs the sentence that said who
Troy Tulowitzki or Stephanie Clifford is; one who meets "Prodigy, one-half of Mobb Deep" after
Prodigy was named is told twice. :func:`name_forms` reads the story's full names (a first
name, perhaps an initial, a surname, accented letters and hyphens allowed);
:func:`unintroduced_surname` and :func:`introduced_again` read one sentence against what a
summary has told, and so, against what its own article told before it, do
:func:`unintroduced_first_name` ("Monica said"), :func:`ambiguous_surname` ("Mr. Smith" when
two Smiths are in the article) and :func:`unintroduced_role_name` ("Nanette", met before as
"his wife, Nanette,").
"""
from __future__ import annotations

import re
from typing import Sequence

from core.models import Article
from summarize import facts
from summarize.sentences import stop_words

# Possessive endings, so that "Apple's" and "Apple" are one word (and "Jews" stays "Jews").
POSSESSIVE = re.compile(r"['\u2019]s?$")


def name_forms(articles: Sequence[Article]) -> dict[str, set[str]]:
    """Surnames of the story's people: for each last word of a two-word name ("Troy Tulowitzki"),
    the first words it comes with.

    A word counts as a surname when most articles that use it introduce it with a first
    name: a sentence that then uses it alone ("Tulowitzki said") leans on the sentence that
    introduced the person. A name most articles use alone ("Prodigy", "Madonna") is not one.
    """
    forms: dict[str, set[str]] = {}
    full_first: dict[str, int] = {}
    # a word the story also writes in lower case is a common word capitalised in a title or a
    # heading ("Teen Invents Gadgets to Aid Alzheimer's Patients"), not a name
    common = {w for article in articles for w in _LOWER_WORD.findall(article.text or "")}
    stop = stop_words()
    for article in articles:
        text = article.text or ""
        firsts: dict[str, int] = {}
        for match in _FULL_NAME.finditer(text):
            first, last = match.groups()
            if _in_title_case(text, match.start()) or _CAPITALISED_BEFORE.search(text, 0, match.start()) \
                    and text[:match.start()].split()[-1].rstrip(".").lower() not in _TITLES:
                continue  # a headline's capitals ("Teen Invents Gadget to Aid Alzheimer's Patients")
            if first.lower() in _NOT_FIRST or last.lower() in _NOT_FIRST or first.lower() in stop \
                    or first.rstrip(".").lower() in common or last.lower() in common \
                    or last.endswith("s") and re.search(rf"\b{last[:-1]}\b", text):
                continue  # "Both Israel", "German Nazis" (a plural beside its singular): no person's name
            forms.setdefault(last, set()).add(first)
            firsts.setdefault(last, match.start(2))
        for last, at in firsts.items():
            alone = re.search(rf"\b{re.escape(last)}\b", text)
            full_first[last] = full_first.get(last, 0) + (1 if alone and alone.start() >= at else -1)
    return {last: firsts for last, firsts in forms.items() if full_first.get(last, 0) > 0}


def _in_title_case(text: str, at: int) -> bool:
    """Whether the line holding ``at`` is written in title case (most of its words capitalised)."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    words = re.findall(r"[A-Za-z][\w'-]*", text[start:end if end >= 0 else len(text)])
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


_LOWER_WORD = re.compile(r"\b[a-z][a-z'-]+\b")
# Capital and small letters of the Latin scripts ("Mauril Bélanger", "Łukasz Żak"): a name
# written with an accent is as much a name as one without.
_UP = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0141\u0160\u017b\u017d"
_LOW = "a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f"
# "Troy Tulowitzki", "Juan R. McCullum", "Sinead O'Connor": a first name, perhaps an initial, a surname.
_FULL_NAME = re.compile(rf"\b([{_UP}][{_LOW}]+\.?)[ \t]+(?:[{_UP}]\.[ \t]+)?((?:Mc|Mac|O['\u2019])?[{_UP}][{_LOW}]{{2,}}(?:-[{_UP}][{_LOW}]+)?)"
                        rf"(?![\w-])(?!(?:['\u2019]s)?[ \t]+[{_UP}])")
# A word of a sentence, from its first letter (an accented capital included).
_WORD = re.compile(r"[^\W\d_][\w'.\u2019-]*")
# A capitalised word right before a match, itself after a word (not opening its line or its
# sentence): the two words are part of a longer run of capitals, a heading's.
_CAPITALISED_BEFORE = re.compile(r"[\w,'\u2019][ \t]+[A-Z][\w'\u2019-]*\.?[ \t]+$")
# Capitalised words that open a sentence or name a title, month or day, or a caption's label
# glued to a name ("Photo Donald Trump"): never a first name.
_NOT_FIRST = frozenset("""the a an in on at for and but if when while after before as by from of to with this that
these those it he she they we his her their its our there here new north south east west former
one two three four five six seven eight nine ten
photo photos image images video file caption credit""".split()) | facts.CALENDAR
# "Mr", "Ms", "Dr" say nothing of who someone is: "Ms. Clifford" needs her introduction as
# much as "Clifford" does; "President", "Sen." or "Gov." tell the reader who is meant.
_HONORIFICS = frozenset("mr mrs ms dr miss mme".split())
_TITLES = frozenset("""sen sen. rep rep. gov gov. president minister prime premier
chancellor king queen prince princess pope judge justice general gen gen. secretary senator governor mayor
sir lord lady officer sheriff chief coach captain mp mep del sgt lt col adm det rev""".split())


def unintroduced_surname(text: str, known: set[str], forms: dict[str, set[str]]) -> str | None:
    """A surname the sentence uses alone ("Gilbert joins...") that the summary has not introduced."""
    words = _WORD.findall(text)
    named: set[str] = set()
    for k, word in enumerate(words):
        bare = POSSESSIVE.sub("", word.rstrip("."))  # "Duda's" -> "Duda"; "Jews" stays "Jews"
        if bare not in forms or bare.lower() in known or bare in named:
            continue
        back = k - 1
        if back > 0 and re.fullmatch(r"[A-Z]\.?", words[back]):
            back -= 1  # a middle initial: "Matthew G. Whitaker"
        before = words[back].rstrip(".") if k else ""
        if before and before[:1].isupper() and (before in forms[bare] or before.lower() in _TITLES):
            named.add(bare)  # the full name, or a title with the surname ("Mr Wong"), names the person here
            continue
        return bare
    return None


def introduced_again(text: str, summary: str, known: set[str], forms: dict[str, set[str]]) -> bool:
    """Whether the sentence introduces by full name someone the summary already named
    ("... Mr Wong ..." then "Singapore's prime minister, Lawrence Wong, ...")."""
    again = _INTRODUCED.match(text)
    if again and all(w.lower() in known for w in again.group(1).split()) and again.group(1) in summary:
        return True  # "Prodigy, the rapper ..." after the summary has named Prodigy
    for match in _FULL_NAME.finditer(text):
        first, last = match.groups()
        if last not in forms or last.lower() not in known \
                or first.lower() in _TITLES or first.lower().rstrip(".") in _HONORIFICS:
            continue
        if f"{first} {last}" not in summary or _APPOSITION.match(text, match.end()):
            return True  # named again in another form, or introduced again by who they are
    return False


# What introduces a person right after the name: "Daniel Kreiss, an assistant professor ...".
_APPOSITION = re.compile(r",\s+(?:a|an|the|who)\s")
# A sentence that opens on a name and who it is: "Prodigy, one-half of the duo, died ...".
_INTRODUCED = re.compile(r"^[\"\u201c]?([A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){0,2}),\s+"
                         r"(?:(?:a|an|the|one|one-half|half)\s|\d{1,3},)")


def _people(firsts: set[str]) -> set[str]:
    """The first names among a surname's companions: no title or honorific ("Mr.", "President")."""
    return {f for f in firsts if f.rstrip(".").lower() not in _TITLES and f.rstrip(".").lower() not in _HONORIFICS
            and not f.endswith(".")}


def _full_name(first: str, last: str) -> re.Pattern:
    """The pattern of one person's full name, a middle initial allowed."""
    return re.compile(rf"\b{re.escape(first)}\s+(?:[{_UP}]\.\s+)?{re.escape(last)}\b")


def unintroduced_first_name(text: str, known: set[str], before: str, forms: dict[str, set[str]],
                            article: str = "") -> str | None:
    """A first name the sentence uses alone ("Monica said ...") that its article introduced in a
    full name earlier (in ``before``, its text up to the sentence: "said Monica Conyers, the
    student's mother") and the summary has not named: the reader needs to know who Monica is.

    The full name must be the word's first use in the article and its surname one of the
    story's (``forms``) that the ``article`` also uses alone ("Conyers"): a word first met as
    part of a longer name ("Google" in "Google Maps") is a name of its own."""
    words = _WORD.findall(text)
    for k, word in enumerate(words):
        bare = POSSESSIVE.sub("", word.rstrip("."))
        if len(bare) < 3 or not bare[:1].isupper() or not bare[1:].islower() or bare.lower() in known \
                or bare.lower() in _NOT_FIRST or bare.lower() in _TITLES or bare.lower() in _HONORIFICS:
            continue
        if k and words[k - 1].lower() == "the":
            continue  # "the Capitol": a place or a body, not a person's first name
        following = [w for w in words[k + 1:k + 3] if not re.fullmatch(rf"[{_UP}]\.?", w)]
        if following and following[0][:1].isupper() or k and words[k - 1][:1].isupper():
            continue  # part of a longer name here ("Monica Conyers", "Southern California", "Mona Lisa")
        first = re.search(rf"\b{re.escape(bare)}\b", before)
        full = first and _FULL_NAME.match(before, first.start())
        if not full or full.group(1) != bare or full.group(2) not in forms or full.group(2).lower() in _TITLES:
            continue
        surname = full.group(2)
        alone = re.search(rf"(?<!{re.escape(bare)} )\b{re.escape(surname)}\b", article or before)
        if alone and not re.search(rf"\b{re.escape(surname.lower())}\b", before):
            return bare
    return None


def ambiguous_surname(text: str, summary: str, before: str, forms: dict[str, set[str]]) -> str | None:
    """A surname the sentence uses alone ("Mr. Smith approached ...") when its own article
    (``before``: its text up to the sentence) has introduced two or more people of that name
    and the summary has named another of them than the one meant: "Mr. Smith" after "Shimron
    Smith" reads as Shimron, though the article meant his brother Shawn. The one meant is the
    first the article named in full: its main person ("Devin Lima" before "his mom, Filomena
    Lima").
    (A surname the summary has not introduced at all is :func:`unintroduced_surname`'s.)"""
    words = _WORD.findall(text)
    for k, word in enumerate(words):
        bare = POSSESSIVE.sub("", word.rstrip("."))
        people = _people(forms.get(bare, set()))
        if len(people) < 2:
            continue
        previous = [w for w in words[max(0, k - 2):k] if not re.fullmatch(rf"[{_UP}]\.?", w)]
        if previous and previous[-1] in people:
            continue  # the full name here
        here = {first: found.start() for first in people for found in [_full_name(first, bare).search(before)]
                if found}
        if len(here) < 2 or _variants(list(here)):
            continue
        meant = min(here, key=here.get)
        told = {first for first in here if _full_name(first, bare).search(summary)}
        if told and meant not in told:
            return bare
    return None


def _variants(firsts: list[str]) -> bool:
    """Whether the first names may be spellings of one name ("Peter", "Peder"; "America",
    "American"): they differ in a single letter, or one is the other and one letter more
    ("Bob" and "Bobby" are two people)."""
    for i, a in enumerate(firsts):
        for b in firsts[i + 1:]:
            short, long = sorted((a, b), key=len)
            if len(long) - len(short) == 1 and long.startswith(short) \
                    or len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1:
                return True
    return False


# A person introduced by a role and a single name: "his wife, Nanette, filed for ...".
_ROLE_NAME = re.compile(rf"\b(?:his|her|their)\s+[a-z][\w'\u2019-]*(?:\s+[a-z][\w'\u2019-]*)?,\s+([{_UP}][{_LOW}]+),")


def unintroduced_role_name(text: str, known: set[str], before: str) -> str | None:
    """A name the sentence uses that its article introduced by a role earlier ("his wife,
    Nanette,", in ``before``) and the summary has not: "Nanette and the couple's daughters ..."."""
    introduced = {m.group(1) for m in _ROLE_NAME.finditer(before)}
    if not introduced:
        return None
    words = [POSSESSIVE.sub("", w.rstrip(".")) for w in _WORD.findall(text)]
    return next((w for k, w in enumerate(words) if w in introduced and w.lower() not in known
                 and not (k + 1 < len(words) and words[k + 1][:1].isupper())), None)
