"""Every message in the source has a non-empty English translation.

Messages are extracted the way `make translations` does (babel.cfg; keywords _, gettext,
ngettext, _l, lazy_gettext) and looked up in translations/en/LC_MESSAGES/messages.po. A missing,
empty or fuzzy English entry fails the test, listing each one with where it comes from.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "ngettext": (1, 2), "lazy_ngettext": (1, 2)}


def _source_messages() -> dict:
    """msgid (str, or (singular, plural)) -> first 'file:line' where it appears."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)

    def only_source(dirpath: str) -> bool:
        try:
            rel = Path(dirpath).resolve().relative_to(ROOT).parts
        except ValueError:  # a link out of the tree (a shared node_modules): not our source
            return False
        return not rel or rel[0] in ("app", "templates")

    found: dict = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords=KEYWORDS,
        directory_filter=only_source,
        strip_comment_tags=True,
    ):
        if isinstance(message, tuple):
            message = tuple(m for m in message if m) if len(message) > 1 else message[0]
        if message:
            found.setdefault(message, f"{filename}:{lineno}")
    return found


def _translated(entry) -> bool:
    if entry is None or entry.fuzzy:
        return False
    strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
    return bool(strings) and all(s and s.strip() for s in strings)


def test_english_catalog_exists():
    assert PO.exists(), f"{PO} is missing: run `make translations` and translate it"


def test_every_source_message_has_an_english_translation():
    assert PO.exists(), f"{PO} is missing: run `make translations` and translate it"
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    messages = _source_messages()
    assert len(messages) > 100  # the extraction itself works
    missing = [
        f"  {where}: {msgid if isinstance(msgid, str) else msgid[0]!r}"
        for msgid, where in sorted(messages.items(), key=lambda kv: kv[1])
        if not _translated(catalog.get(msgid if isinstance(msgid, str) else msgid[0]))
    ]
    assert not missing, f"{len(missing)} messages without an English translation in {PO}:\n" + "\n".join(
        missing[:200]
    )
