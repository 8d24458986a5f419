"""One disclosure-control layer: every count of people or participations by group that leaves
the database for anyone but the data steward goes through here.

Method: the cell-key method of the Australian Bureau of Statistics' TableBuilder (Thompson,
Broadfoot & Elazar 2013, "Methodology for the automatic confidentialisation of statistical
outputs from remote servers at the Australian Bureau of Statistics"). In plain words:

* Every profile record carries a **record key**, a random whole number from 0 to 255 drawn once
  when the record is written (`Profile.record_key`, `new_record_key()`), never changed, never shown.
* A table cell's **cell key** is the sum of the record keys of the records it counts, modulo
  256 (`SUM(record_key)` computed in SQL next to `COUNT(*)`).
* A fixed **perturbation table** (`noise()`) turns (count, cell key) into a small noise of
  -2, -1, 0, +1 or +2 (probabilities 10 %, 20 %, 40 %, 20 %, 10 %: zero mean, variance 1.2). The
  same records always give the same cell key and so the same noise: asking again, or asking for
  the same cell through another filter, another cross-tab or an export, gives the same number.
  Subtracting two views therefore gives the difference of two noisy numbers, not a hidden count.
* A cell whose count or protected value is under k (5 by default, `PARTICIPA_SUPPRESSION_K`),
  zero included, is shown as one **marker** (`MARKER`, "x"). A shown zero would tell a reader
  that a neighbouring marker holds at least one person; hiding zeros too means a marker only
  ever says "0 to k - 1 after protection".
* A filtered view whose protected total is under k is **refused** (`ViewRefused`): no table at all.
* Totals are their own cells (their own key and noise): they may differ by a few from the sum of
  the cells shown. Say so next to the table (`note()`).

The steward (permission `suppression.bypass`) sees exact counts (`Viewer.exact`); every other
role and the public get protected ones, and each page says which in one sentence (`note()`).

Counts that come pre-aggregated without records (running tallies, for example) use
`hashed_cell_key()`: a keyed hash of the cell's identity and count stands in for the sum of
record keys, so the same published cell always gets the same noise.

API for capabilities and reports (import from `app.characterization.disclosure`):

    viewer = viewer_for(current_user)          # or PUBLIC for public pages and open data
    value = protect(n, cell_key, viewer)       # int shown, or None for the marker
    shown = protect_table({code: (n, key)}, viewer)       # {code: int | None}
    text = display(value)                      # "1.234" or "x"
    note(viewer), legend(viewer)               # the sentences every protected page shows
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, has_app_context, has_request_context
from flask_babel import gettext as _

K = TypeVar("K", bound=Hashable)

KEY_RANGE = 256  # record keys and cell keys are 0..255
MAX_NOISE = 2
# Noise -> how many of the 256 table entries carry it (10 %, 20 %, 40 %, 20 %, 10 % of 256,
# rounded so the table is symmetric: zero mean).
NOISE_SHARES = {-2: 26, -1: 51, 0: 102, 1: 51, 2: 26}
COUNT_STEP = 151  # how the table row moves with the count (coprime with 256)
MARKER = "x"
BYPASS_PERMISSION = "suppression.bypass"


def _table() -> tuple[int, ...]:
    """The fixed perturbation table: 256 noises in a fixed, published order (seed 2013)."""
    entries = [noise for noise, share in NOISE_SHARES.items() for _ in range(share)]
    assert len(entries) == KEY_RANGE and sum(entries) == 0
    random.Random(2013).shuffle(entries)
    return tuple(entries)


PTABLE = _table()


def new_record_key() -> int:
    """A fresh random record key (the column default of `Profile.record_key`)."""
    return secrets.randbelow(KEY_RANGE)


def noise(n: int, cell_key: int) -> int:
    """The noise the perturbation table gives a cell of `n` records with key `cell_key`."""
    return PTABLE[(int(cell_key) + COUNT_STEP * int(n)) % KEY_RANGE]


def hashed_cell_key(*identity) -> int:
    """A cell key for a count kept pre-aggregated (no record keys): a keyed hash of the cell's
    identity (include its count), fixed for the installation's secret key."""
    secret = (current_app.config.get("SECRET_KEY") or "participa") if has_app_context() else "participa"
    text = "\x1f".join(str(part) for part in identity).encode()
    return hmac.new(str(secret).encode(), text, hashlib.sha256).digest()[0]


# ------------------------------------------------------------------------------ who sees what


@dataclass(frozen=True)
class Viewer:
    """How figures are shown: exact (steward) or protected with threshold k."""

    exact: bool
    k: int

    @property
    def threshold(self) -> int | None:
        """k, or None for exact figures (the older `k_for` convention)."""
        return None if self.exact else self.k


def default_k() -> int:
    if has_app_context():
        return int(current_app.config.get("PARTICIPA_SUPPRESSION_K", 5))
    return 5


def sees_exact(user) -> bool:
    """Stewards (permission `suppression.bypass`) see exact figures; everyone else does not."""
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.can(BYPASS_PERMISSION))


def viewer_for(user=None) -> Viewer:
    """The viewer for `user`; without one inside a request, the logged-in user."""
    if user is None and has_request_context():
        from flask_login import current_user

        user = current_user
    return Viewer(exact=sees_exact(user), k=default_k())


def public() -> Viewer:
    """Public pages, open data and published reports: always protected."""
    return Viewer(exact=False, k=default_k())


def from_threshold(k: int | None) -> Viewer:
    """A viewer from the older convention (k None: exact)."""
    return Viewer(exact=True, k=default_k()) if not k else Viewer(exact=False, k=int(k))


# ------------------------------------------------------------------------------ protecting counts


def protect(n: int, cell_key: int, viewer: Viewer) -> int | None:
    """The figure `viewer` sees for a cell of `n` records with key `cell_key` (None: marker)."""
    n = int(n or 0)
    if viewer.exact:
        return n
    if n < viewer.k:
        return None
    value = n + noise(n, cell_key)
    return value if value >= viewer.k else None


def protect_table(cells: Mapping[K, tuple[int, int]], viewer: Viewer) -> dict[K, int | None]:
    """{key: (count, cell key)} -> {key: figure or None}."""
    return {key: protect(n, ckey, viewer) for key, (n, ckey) in cells.items()}


def total_of(cells: Mapping[K, tuple[int, int]]) -> tuple[int, int]:
    """(count, cell key) of the union of disjoint cells: counts add, keys add modulo 256."""
    n = sum(int(c[0]) for c in cells.values())
    return n, sum(int(c[1]) for c in cells.values()) % KEY_RANGE


def protect_hashed(n: int, viewer: Viewer, *identity) -> int | None:
    """`protect` for a pre-aggregated count, keyed by its identity (see `hashed_cell_key`)."""
    if viewer.exact:
        return int(n or 0)
    return protect(n, hashed_cell_key(*identity, int(n or 0)), viewer)


class ViewRefused(Exception):
    """A filtered view over fewer than k records (after protection): nothing is shown."""

    def message(self) -> str:
        return refused_message()


def refused_message(k: int | None = None) -> str:
    return _(
        "Esta combinación de filtros abarca menos de %(k)s participaciones, así que no mostramos "
        "ninguna cifra: podría señalar a alguien. Quita o amplía algún filtro.",
        k=k or default_k(),
    )


# ------------------------------------------------------------------------------ labels


def display(value: int | None) -> str:
    """Text for a figure: the marker for a protected cell, digits with thousands dots otherwise."""
    if value is None:
        return MARKER
    return f"{int(value):,}".replace(",", ".")


def note(viewer: Viewer) -> str:
    """The one plain sentence every page with figures shows."""
    if viewer.exact:
        return _(
            "Ves las cifras exactas porque tu rol custodia los datos personales; las demás personas "
            "ven cifras protegidas. No las publiques así."
        )
    return _(
        "Estas cifras están protegidas para que nadie pueda ser identificado: cada una lleva un "
        "pequeño ajuste fijo de hasta ±%(d)s y las menores de %(k)s se muestran como «%(m)s».",
        d=MAX_NOISE,
        k=viewer.k,
        m=MARKER,
    )


def legend(viewer: Viewer) -> str:
    """What the marker means (shown under every protected table)."""
    if viewer.exact:
        return ""
    return _(
        "«%(m)s»: cifra protegida, menos de %(k)s (cero incluido). Los totales se protegen aparte "
        "y pueden diferir en unas pocas unidades de la suma de sus partes.",
        m=MARKER,
        k=viewer.k,
    )
