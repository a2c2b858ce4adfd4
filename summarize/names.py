"""People's names in a story: who is introduced how, and when a name leans on an introduction.

A reader who meets "Tulowitzki said" or "Ms. Clifford" needs the sentence that said who
Troy Tulowitzki or Stephanie Clifford is; one who meets "Prodigy, one-half of Mobb Deep" after
Prodigy was named is told twice. :func:`name_forms` reads the story's full names (a first
name, perhaps an initial, a surname); :func:`unintroduced_surname` and
:func:`introduced_again` read one sentence against what a summary has told.
"""
from __future__ import annotations

import re
from typing import Sequence

from core.models import Article
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
# Capitalised words that open a sentence or name a title, month or day: never a first name.
_NOT_FIRST = frozenset("""the a an in on at for and but if when while after before as by from of to with this that
these those it he she they we his her their its our there here new north south east west former
one two three four five six seven eight nine ten
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday""".split())
# "Mr", "Ms", "Dr" say nothing of who someone is: "Ms. Clifford" needs her introduction as
# much as "Clifford" does; "President", "Sen." or "Gov." tell the reader who is meant.
_HONORIFICS = frozenset("mr mrs ms dr miss mme".split())
_TITLES = frozenset("""sen sen. rep rep. gov gov. president minister prime premier
chancellor king queen prince princess pope judge justice general gen gen. secretary senator governor mayor
sir lord lady officer sheriff chief coach captain""".split())


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


def unintroduced_first_name(text: str, known: set[str], forms: dict[str, set[str]]) -> str | None:
    """A first name the sentence uses alone ("Monica said ...") for a person of the story the
    summary has not named: the reader needs the full name (Monica who?) first."""
    firsts: set[str] = set()
    for companions in forms.values():
        firsts |= _people(companions)
    words = _WORD.findall(text)
    for k, word in enumerate(words):
        bare = POSSESSIVE.sub("", word.rstrip("."))
        if bare not in firsts or len(bare) < 3 or bare in forms or bare.lower() in known:
            continue
        following = [w for w in words[k + 1:k + 3] if not re.fullmatch(rf"[{_UP}]\.?", w)]
        if following and following[0][:1].isupper():
            continue  # the first name of a full name ("Monica Conyers")
        return bare
    return None


def ambiguous_surname(text: str, summary: str, before: str, forms: dict[str, set[str]]) -> str | None:
    """A surname the sentence uses alone ("Mr. Smith approached ...") that two or more people of
    the story share, when the summary has introduced another of them than the one meant, or
    several. The one meant is the first its own article (``before``: its text up to the
    sentence) introduced by full name; "Smith" after "Shimron Smith" reads as Shimron."""
    words = _WORD.findall(text)
    for k, word in enumerate(words):
        bare = POSSESSIVE.sub("", word.rstrip("."))
        people = _people(forms.get(bare, set()))
        if len(people) < 2:
            continue
        previous = [w for w in words[max(0, k - 2):k] if not re.fullmatch(rf"[{_UP}]\.?", w)]
        if previous and previous[-1] in people:
            continue  # the full name here
        told = {f for f in people if _full_name(f, bare).search(summary)}
        if not told:
            continue  # not introduced at all: :func:`unintroduced_surname`'s case
        found = [(m.start(), f) for f in people for m in [_full_name(f, bare).search(before)] if m]
        meant = min(found)[1] if found else None
        if len(told) > 1 or meant is not None and meant not in told:
            return bare
    return None


# A person introduced by a role and a single name: "his wife, Nanette, filed for ...".
_ROLE_NAME = re.compile(rf"\b(?:his|her|their)\s+[a-z][\w'\u2019-]*(?:\s+[a-z][\w'\u2019-]*)?,\s+([{_UP}][{_LOW}]+),")


def unintroduced_role_name(text: str, known: set[str], before: str) -> str | None:
    """A name the sentence uses that its article introduced by a role earlier ("his wife,
    Nanette,", in ``before``) and the summary has not: "Nanette and the couple's daughters ..."."""
    introduced = {m.group(1) for m in _ROLE_NAME.finditer(before)}
    if not introduced:
        return None
    return next((w for w in (POSSESSIVE.sub("", w.rstrip(".")) for w in _WORD.findall(text))
                 if w in introduced and w.lower() not in known), None)
