"""Global keywords a person may send at any time, in every shipped language.

A message is a keyword only when it is nothing but the keyword, give or take politeness:
"stop please" and "Stop. Thanks" count; "the bus stop is far" does not. The words of each
language are in content/words/, carried by the Lexicon.
"""

from __future__ import annotations

import re

from flows.lexicon import Lexicon
from flows.text import normalize
from flows.vocabulary import Keyword

_COMMAND = re.compile(r"^\s*/(\w+)(?:@\w+)?\s*$")


def detect_keyword(text: str | None, lexicon: Lexicon) -> Keyword | None:
    if not text or len(text) > 200:
        return None
    phrases = lexicon.keywords
    command = _COMMAND.match(text)
    if command:
        return phrases.get(normalize(command.group(1)))
    said = normalize(text).split()
    found: set[Keyword] = set()
    while said:
        # Longest first, so "stop all" wins over "stop" and "a person" over "person".
        for token in lexicon.tokens:
            size = len(token.split())
            if " ".join(said[:size]) == token:
                if token in phrases:
                    found.add(phrases[token])
                said = said[size:]
                break
        else:
            return None  # a word that is neither keyword nor politeness: an ordinary sentence
    return found.pop() if len(found) == 1 else None
