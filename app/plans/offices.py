"""Tolerant matching of free-text office names to catalog office codes.

Plans arrive with offices written by hand, several in one cell and without separators:
"Departamento Adm de Planeación Secretaría de Gestión Humana y Atención a la Ciudadanía",
"Sec. de Planeación, Medio Ambiente y Desarrollo Economico". The matcher

1. normalises (lower case, no accents, punctuation out, abbreviations expanded: "adm" →
   "administrativo", "sec." → "secretaria"…, connectors "de", "la", "y"… dropped);
2. tries the whole text first (an office name may contain commas), then splits the text before
   each word that starts an office name ("Secretaría", "Departamento", "Gerencia",
   "Gobernación"…) unless it follows a connector ("… de la Secretaría" stays whole), and at
   commas that are followed by such a word;
3. matches each part by code, acronym, known alias, then by word overlap with the catalog names,
   tolerating typos ("Sevicios") word by word.

Parts that match nothing are *unknown* (reported to the person importing) unless they are a
known generic phrase ("Dependencias y entidades", "Administración Municipal"), which is kept in
the text and needs no office.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

CONNECTORS = {"de", "del", "la", "las", "el", "los", "y", "e", "a", "para", "en"}
ABBREVIATIONS = {
    "adm": "administrativo",
    "admin": "administrativo",
    "admon": "administracion",
    "sec": "secretaria",
    "secr": "secretaria",
    "dpto": "departamento",
    "depto": "departamento",
    "dep": "departamento",
    "gcia": "gerencia",
    "of": "oficina",
    "ofic": "oficina",
    "dir": "direccion",
    "subsec": "subsecretaria",
}
STARTERS = {
    "secretaria",
    "subsecretaria",
    "departamento",
    "gerencia",
    "gobernacion",
    "oficina",
    "direccion",
    "dependencias",
    "administracion",
    "alcaldia",
    "despacho",
    "unidad",
    "instituto",
    "personeria",
    "contraloria",
    "concejo",
    "sec",
    "dpto",
    "depto",
    "subsec",
}
# Words that only say where the office is; "Departamento Adm de Planeación Distrital" is the DAP.
NOISE = {"distrital", "municipal", "alcaldia", "medellin", "cartago"}
GENERIC_PHRASES = (
    "Dependencias y entidades",
    "Todas las dependencias",
    "Dependencias",
    "Administración Municipal",
    "Administración Distrital",
    "Todas las secretarías",
    "Entidades descentralizadas",
)
# Known variants seen in the entities' documents (normalised alias -> catalog code).
ALIASES = {
    "secretaria gestion humana atencion ciudadania": "SGHSC",
    "secretaria gestion humana servicio ciudadania": "SGHSC",
    "secretaria inclusion social familia": "SIS",
    "secretaria infraestructura": "SINF",
    "departamento administrativo planeacion": "DAP",
    "secretaria planeacion medio ambiente desarrollo economico": "SPMADE",
}
THRESHOLD = 0.6


def normalise(text: str) -> str:
    """'Sec. de Planeación, Medio Ambiente' -> 'secretaria planeacion medio ambiente'."""
    return " ".join(_words(text))


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _raw_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _strip_accents(text or "").lower())


def _words(text: str) -> list[str]:
    out = []
    for word in _raw_words(text):
        word = ABBREVIATIONS.get(word, word)
        if word not in CONNECTORS and word not in NOISE:
            out.append(word)
    return out


def split(text: str) -> list[str]:
    """Split a cell naming several offices into one part per office (original spelling kept)."""
    tokens = list(re.finditer(r"\S+", text or ""))
    parts: list[list[str]] = [[]]
    previous = ""
    for match in tokens:
        raw = match.group(0)
        word = (_raw_words(raw) or [""])[0]
        starts_office = word in STARTERS and raw[:1].isupper()
        if starts_office and parts[-1] and previous not in CONNECTORS:
            parts.append([])
        parts[-1].append(raw)
        words = _raw_words(raw)
        previous = words[-1] if words else previous
    out = []
    for words in parts:
        piece = " ".join(words).strip(" ,;/-")
        if piece.lower().endswith((" y", " e")):
            piece = piece[:-2].rstrip(" ,")
        if piece:
            out.append(piece)
    return out


@dataclass
class Match:
    """Result for one cell: matched codes in order, parts not matched, generic phrases."""

    codes: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    generic: list[str] = field(default_factory=list)


class OfficeMatcher:
    """Build once per import with the catalog offices: `OfficeMatcher([(code, name, acronym)])`."""

    def __init__(self, offices, aliases: dict[str, str] | None = None):
        self.by_code = {code.upper(): code for code, _n, _a in offices}
        self.by_acronym = {a.upper(): code for code, _n, a in offices if a}
        self.names = [(code, _words(name)) for code, name, _a in offices]
        self.exact = {" ".join(words): code for code, words in self.names}
        self._cache: dict[str, Match] = {}
        known = set(self.by_code.values())
        self.aliases = {k: v for k, v in {**ALIASES, **(aliases or {})}.items() if v in known}

    def match_exact(self, text: str) -> str | None:
        """Code, acronym, exact normalised name or known alias; no guessing."""
        stripped = (text or "").strip()
        if stripped.upper() in self.by_code:
            return self.by_code[stripped.upper()]
        if stripped.upper() in self.by_acronym:
            return self.by_acronym[stripped.upper()]
        key = normalise(stripped)
        return self.exact.get(key) or self.aliases.get(key)

    def match_one(self, text: str) -> str | None:
        """The catalog code for one office name (exact, then by word overlap), or None."""
        exact = self.match_exact(text)
        if exact:
            return exact
        words = normalise(text).split()
        if not words:
            return None
        best, best_score, tie = None, 0.0, False
        for code, name_words in self.names:
            score = _overlap(words, name_words)
            if score > best_score + 1e-9:
                best, best_score, tie = code, score, False
            elif abs(score - best_score) < 1e-9:
                tie = True
        if best is not None and best_score >= THRESHOLD and not tie:
            return best
        return None

    def match(self, text: str) -> Match:
        """Match a whole cell: one office, or several written one after another (cached per text)."""
        if text not in self._cache:
            self._cache[text] = self._match(text)
        cached = self._cache[text]
        return Match(list(cached.codes), list(cached.unknown), list(cached.generic))

    def _match(self, text: str) -> Match:
        result = Match()
        parts = split(text)
        whole = self.match_one(text) if len(parts) <= 1 else self.match_exact(text)
        if whole:
            result.codes.append(whole)
            return result
        if normalise(text) in GENERIC:
            result.generic.append(text.strip())
            return result
        for part in parts:
            code = self.match_one(part)
            if code:
                if code not in result.codes:
                    result.codes.append(code)
            elif normalise(part) in GENERIC:
                result.generic.append(part)
            elif normalise(part):
                result.unknown.append(part)
        return result


GENERIC = {normalise(p) for p in GENERIC_PHRASES}


def _same(a: str, b: str) -> bool:
    return a == b or (len(a) > 4 and len(b) > 4 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85)


def _overlap(words: list[str], name_words: list[str]) -> float:
    """Share of words in common (typo-tolerant), over the longer of the two names."""
    if not words or not name_words:
        return 0.0
    pool = list(name_words)
    common = 0
    for word in words:
        for index, candidate in enumerate(pool):
            if _same(word, candidate):
                common += 1
                del pool[index]
                break
    return common / max(len(words), len(name_words))


def propose_code(name: str, taken: set[str]) -> str:
    """A short upper-case code for a new office from its initials ('Gobernación de Antioquia' ->
    'GA'), made unique against `taken`."""
    initials = "".join(w[0] for w in _words(name)).upper()[:8] or "OF"
    code, n = initials, 2
    while code in taken:
        code, n = f"{initials}{n}", n + 1
    return code
