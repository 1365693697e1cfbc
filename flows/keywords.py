"""Global keywords a person may send at any time, in every shipped language.

A message is a keyword only when it is nothing but the keyword, give or take politeness:
"stop please" and "Stop. Thanks" count; "the bus stop is far" does not.
"""

from __future__ import annotations

import re
from enum import StrEnum

from flows.text import normalize


class Keyword(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"
    LANG = "lang"
    MENU = "menu"
    AGENT = "agent"


VOCABULARY: dict[Keyword, tuple[str, ...]] = {
    Keyword.STOP: (
        "stop",
        "stopp",
        "stopall",
        "stop all",
        "unsubscribe",
        "unsub",
        "cancel",
        "end",
        "quit",
        "optout",
        "opt out",
        "revoke",
        "arret",
        "arreter",
        "arrete",
        "arretez",
        "desabonner",
        "se desabonner",
        "desabonnement",
        "desinscrire",
        "annuler",
        "توقف",
        "قف",
        "ايقاف",
        "الغاء",
        "الغاء الاشتراك",
        "اوقف",
        "كفى",
    ),
    Keyword.START: (
        "start",
        "unstop",
        "subscribe",
        "resume",
        "restart",
        "commencer",
        "demarrer",
        "reprendre",
        "recommencer",
        "abonner",
        "ابدا",
        "بدء",
        "استئناف",
        "اشتراك",
    ),
    Keyword.HELP: ("help", "info", "aide", "aidez moi", "au secours", "مساعده", "ساعدني"),
    Keyword.LANG: (
        "lang",
        "language",
        "languages",
        "langue",
        "langues",
        "change language",
        "changer de langue",
        "changer langue",
        "لغه",
        "اللغه",
        "تغيير اللغه",
    ),
    Keyword.MENU: ("menu", "options", "قائمه", "القائمه"),
    Keyword.AGENT: (
        "agent",
        "human",
        "person",
        "a person",
        "talk to a person",
        "speak to a person",
        "speak to someone",
        "talk to someone",
        "staff",
        "humain",
        "une personne",
        "parler a quelqu un",
        "parler a une personne",
        "conseiller",
        "موظف",
        "شخص",
        "اريد التحدث مع شخص",
    ),
}

FILLER = (
    "please",
    "pls",
    "plz",
    "thanks",
    "thank you",
    "thx",
    "ok",
    "okay",
    "now",
    "sms",
    "messages",
    "merci",
    "svp",
    "stp",
    "s il vous plait",
    "s il te plait",
    "maintenant",
    "من فضلك",
    "لو سمحت",
    "شكرا",
    "الان",
)

_PHRASES: dict[str, Keyword] = {
    normalize(phrase): keyword for keyword, phrases in VOCABULARY.items() for phrase in phrases
}
_FILLER = {normalize(f) for f in FILLER}
# Longest first, so "stop all" wins over "stop" and "a person" over "person".
_TOKENS = sorted(list(_PHRASES) + list(_FILLER), key=lambda p: -len(p.split()))
_COMMAND = re.compile(r"^\s*/(\w+)(?:@\w+)?\s*$")


def detect_keyword(text: str | None) -> Keyword | None:
    if not text or len(text) > 200:
        return None
    command = _COMMAND.match(text)
    if command:
        return _PHRASES.get(normalize(command.group(1)))
    said = normalize(text).split()
    found: set[Keyword] = set()
    while said:
        for token in _TOKENS:
            size = len(token.split())
            if " ".join(said[:size]) == token:
                if token in _PHRASES:
                    found.add(_PHRASES[token])
                said = said[size:]
                break
        else:
            return None  # a word that is neither keyword nor politeness: an ordinary sentence
    return found.pop() if len(found) == 1 else None
