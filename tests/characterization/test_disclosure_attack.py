"""The attack the disclosure layer must hold against, over the demo data.

As the analyst, request every table export the dashboard offers over three variables
(territory, zone, victim status): no filter, every single filter, every pair of filters, each
with each of the three cross-tabs. Then, knowing the method and its parameters (noise at most
±2, marker for a protected value under k), attack:

* differencing: a row total minus the other cells of its row, read from the filtered views;
* integer linear programming over every figure of every view at once (scipy's HiGHS).

A protected cell (true count 1..k-1, shown as the marker) is *recovered* when the attacker can
prove its exact value: every integer table consistent with all the figures gives it the same
value. None may be. The steward, asking the same views, gets the exact counts.

The attacker works on the joint counts of the three variables (the "atoms"); views filtered or
broken down by other variables involve other atoms and are not used here.
"""

from __future__ import annotations

import csv
import io
import itertools

import numpy as np
import pytest
from scipy.optimize import LinearConstraint, milp
from sqlalchemy import func, select

from app.characterization import disclosure, queries
from app.characterization.demo import demo_profiles
from app.characterization.models import Profile
from app.core.audit import AuditEntry
from tests.characterization.test_dashboard import as_user

URL = "/gestion/caracterizacion/exportar/tablas.csv"
VARS = ("territory", "zone", "victim")
CROSSES = (("territory", "zone"), ("territory", "victim"), ("zone", "victim"))
K = 5
D = disclosure.MAX_NOISE


@pytest.fixture
def demo(app, db, catalogs):
    assert demo_profiles() > 4000
    with app.test_request_context():
        codes = {v: queries.ordered_codes(v, queries.totals(v, queries.Filters())) for v in VARS}
    atoms = list(itertools.product(*(codes[v] for v in VARS)))
    truth = dict.fromkeys(atoms, 0)
    stmt = select(Profile.territory, Profile.zone, Profile.victim, func.count()).group_by(
        Profile.territory, Profile.zone, Profile.victim
    )
    for t, z, v, n in db.session.execute(stmt):
        truth[(t or "", z or "", v or "")] = n
    return codes, atoms, np.array([truth[a] for a in atoms])


def views(codes):
    """(filters, cross-tab) of every view: no filter with each cross-tab; each single filter with
    the cross-tab of the two other variables; each pair of filters (the one-way table of the
    third variable is already its full breakdown). Every export also carries the one-way totals
    of every variable."""
    for cross in CROSSES:
        yield {}, cross
    for v in VARS:
        other = tuple(x for x in VARS if x != v)
        for c in codes[v]:
            yield {v: c}, other
    for a, b in itertools.combinations(VARS, 2):
        for ca in codes[a]:
            for cb in codes[b]:
                yield {a: ca, b: cb}, None


def query(filters, cross):
    args = [f"f_{v}={c or '-'}" for v, c in filters.items()]
    args += [f"fila={cross[0]}", f"columna={cross[1]}"] if cross else []
    return URL + "?" + "&".join(args)


def read(response):
    """Published figures of an export: [(conditions {var: code}, text)] for our variables."""
    if response.status_code == 302:
        return None  # refused: a view over fewer than k records
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))[1:]
    out = []
    for table, var, code, _label, col_var, col_code, _cl, value, _hidden in rows:
        if table == "Totales" and var in VARS:
            out.append(({} if code == "TOTAL" else {var: code}, value))
        elif table == "Cruce":
            cond = {} if code == "TOTAL" else {var: code}
            if col_code != "TOTAL":
                cond[col_var] = col_code
            out.append((cond, value))
    return out


def harvest(browser, codes):
    """Every figure the browser gets, as {atom mask: (low, high, marker)} intervals."""
    figures: dict[bytes, list] = {}
    by_condition: dict[frozenset, tuple] = {}
    atoms = list(itertools.product(*(codes[v] for v in VARS)))

    def mask_of(cond):
        return np.array([all(a[VARS.index(v)] == c for v, c in cond.items()) for a in atoms], dtype=bool)

    def add(cond, low, high, marker):
        by_condition[frozenset(cond.items())] = (low, high, marker)
        mask = mask_of(cond)
        key = mask.tobytes()
        old = figures.get(key)
        figures[key] = [
            mask,
            max(low, old[1]) if old else low,
            min(high, old[2]) if old else high,
            marker or (old[3] if old else False),
        ]

    requests = 0
    for filters, cross in views(codes):
        if True:
            requests += 1
            published = read(browser.get(query(filters, cross)))
            if published is None:
                add(filters, 0, K - 1 + D, True)
                continue
            for cond, text in published:
                if any(cond.get(v, c) != c for v, c in filters.items()):
                    continue  # a breakdown contradicting the filter: an empty cell, also published
                cond = {**cond, **filters}
                if text == disclosure.MARKER:
                    add(cond, 0, K - 1 + D, True)
                else:
                    value = int(text)
                    add(cond, max(K, value - D), value + D, False)
    return list(figures.values()), by_condition, requests


def recoverable(constraints, truth, target):
    """Is the attacker sure of target·x? Look for an integer table fitting every figure with a
    different value of it (above, then below the true value)."""
    matrix = np.array([c[0] for c in constraints], dtype=float)
    low = np.array([c[1] for c in constraints], dtype=float)
    high = np.array([c[2] for c in constraints], dtype=float)
    true_value = float(target @ truth)
    for extra_low, extra_high in ((true_value + 1, np.inf), (-np.inf, true_value - 1)):
        a = np.vstack([matrix, target.astype(float)])
        result = milp(
            c=np.zeros(len(truth)),
            integrality=np.ones(len(truth)),
            constraints=LinearConstraint(a, np.append(low, extra_low), np.append(high, extra_high)),
            options={"time_limit": 20},
        )
        if result.status == 0:
            return False
    return True


def test_analyst_cannot_recover_any_protected_cell_steward_sees_exact(
    app, client, login_as, make_user, demo, db
):
    codes, atoms, truth = demo
    login_as("analyst")
    constraints, by_condition, requests = harvest(client, codes)
    assert requests > 250
    audited = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action.in_(("export", "view")))
    )
    assert audited == requests  # every export, and every refused one, leaves a trace

    # The published intervals hold the truth (the attacker's model is right).
    for mask, low, high, _marker in constraints:
        assert low <= truth[mask].sum() <= high
    protected = [
        (mask, low, high) for mask, low, high, marker in constraints if marker and 0 < truth[mask].sum() < K
    ]
    assert len(protected) > 15  # the demo has small cells: the attack has targets

    # Differencing: a total minus every other cell of its line (the attack: cabecera =
    # Palmitas total - rural - centro poblado), for every protected figure and every line it is on.
    attempts = 0
    for cond, (_low, _high, marker) in by_condition.items():
        cond = dict(cond)
        mask = np.array([all(a[VARS.index(v)] == c for v, c in cond.items()) for a in atoms])
        if not marker or not 0 < truth[mask].sum() < K:
            continue
        for var in cond:
            line = {v: c for v, c in cond.items() if v != var}
            total = by_condition.get(frozenset(line.items()))
            siblings = [
                by_condition.get(frozenset({**line, var: c}.items())) for c in codes[var] if c != cond[var]
            ]
            if total is None or total[2] or any(s is None or s[2] for s in siblings):
                continue
            attempts += 1
            low = max(0, total[0] - sum(s[1] for s in siblings))
            high = min(K - 1 + D, total[1] - sum(s[0] for s in siblings))
            assert high > low, f"differencing pinned {cond}"
    assert attempts > 0

    # Integer programming over every figure at once.
    pinned = [m for m, _l, _h in protected if recoverable(constraints, truth, m.astype(int))]
    assert pinned == []

    # The steward asking the same kind of views sees exact counts.
    steward = as_user(app, make_user("steward"))
    for filters in ({}, {"zone": "1"}, {"territory": codes["territory"][0], "victim": "1"}):
        for cross in CROSSES if not filters else (None,):
            for cond, text in read(steward.get(query(filters, cross))):
                if any(cond.get(v, c) != c for v, c in filters.items()):
                    continue
                cond = {**cond, **filters}
                mask = np.array([all(a[VARS.index(v)] == c for v, c in cond.items()) for a in atoms])
                assert text == str(truth[mask].sum())
