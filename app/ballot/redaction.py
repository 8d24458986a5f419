"""Automatic removal of personal data from texts that go to the public archive.

It removes e-mail addresses, phone numbers, identity-document-like numbers and the citizen's
own name; the editor then reads and edits the result (names of third parties, addresses and
anything else identifying can only be caught by a person). `leftovers()` lists what still looks
personal, so publishing asks for an explicit confirmation.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
# Phones: Colombian mobiles (3xx xxx xxxx), landlines ((604) 444 4144), optional +57 prefix.
PHONE = re.compile(
    r"(?<![\w])(?:\+?57[\s\-.]?)?(?:\(?\d{3}\)?[\s\-.]?\d{3}[\s\-.]?\d{4}|\(?60\d\)?[\s\-.]?\d{2,3}[\s\-.]?\d{2}[\s\-.]?\d{2,3})(?![\w])"
)
# Document-like numbers: 6 to 12 digits, optionally grouped with dots or spaces (1.036.222.333).
DOCUMENT = re.compile(r"(?<![\w.,])(?:\d{1,3}(?:[.\s]\d{3}){2,3}|\d{6,12})(?![\w]|[.,]\d)")
DOC_WORDS = re.compile(
    r"\b(?:c\.?\s?c\.?|cédula|cedula|nit|pasaporte|t\.?\s?i\.?)\s*(?:n(?:o|úm|um)?\.?\s*|#\s*)?[\d.\s]{5,}",
    re.IGNORECASE,
)


def _name_pattern(name: str | None):
    words = [w for w in re.split(r"\s+", name or "") if len(w) >= 3]
    if not words:
        return None
    alternatives = [re.escape(name.strip())] + [
        re.escape(w) for w in sorted(set(words), key=len, reverse=True)
    ]
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


def redact(text: str | None, *, name: str | None = None) -> str:
    """`text` with e-mails, phones, document numbers and the given name replaced by markers."""
    if not text:
        return ""
    out = EMAIL.sub(_("[correo eliminado]"), text)
    out = DOC_WORDS.sub(_("[documento eliminado]"), out)
    out = PHONE.sub(_("[teléfono eliminado]"), out)
    out = DOCUMENT.sub(_("[número eliminado]"), out)
    pattern = _name_pattern(name)
    if pattern is not None:
        out = pattern.sub(_("[nombre eliminado]"), out)
    return out


def leftovers(text: str | None, *, name: str | None = None) -> list[str]:
    """Fragments of `text` that still look like personal data (e-mails, phones, numbers, the name)."""
    if not text:
        return []
    found: list[str] = []
    for pattern in (EMAIL, DOC_WORDS, PHONE, DOCUMENT, _name_pattern(name)):
        if pattern is not None:
            found.extend(m.group(0).strip() for m in pattern.finditer(text))
    return list(dict.fromkeys(found))
