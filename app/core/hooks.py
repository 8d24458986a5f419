"""Declared hooks: the only way capabilities offer something to each other.

Each hook is declared here once, with the signature its providers implement and a docstring that
says who provides it and who calls it (pretix's documented signals are the model). A capability
connects a provider in its `register(app)` with `registry.get(app).add_hook(NAME, fn)`; a caller
uses `registry.get().call(NAME, *args)` and gets the providers' results, lists flattened and
`None` skipped. Connecting to an undeclared name, or a provider whose parameters do not match the
declaration, fails at start-up, so a misspelt hook cannot silently do nothing.

Links between capabilities are stored one way: by the other capability's integer id in a column
of the linking capability's own table (e.g. `plan_action_event.event_id`), never a foreign key
across capabilities, and resolved for display through `event_summary` / `topic_summary`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hook:
    name: str
    params: tuple[str, ...]  # positional parameters a provider takes, in order
    returns: str  # what each provider returns (documentation, checked by tests of the providers)
    doc: str

    def check(self, fn: Callable) -> None:
        """Refuse a provider whose positional parameters differ in number from the declaration."""
        try:
            sig = inspect.signature(fn)
        except (TypeError, ValueError):  # builtins, C functions: nothing to check
            return
        positional = [
            p
            for p in sig.parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
        ]
        has_varargs = any(p.kind == p.VAR_POSITIONAL for p in sig.parameters.values())
        if len(positional) != len(self.params) and not has_varargs:
            raise TypeError(
                f"hook {self.name!r} providers take ({', '.join(self.params)}); "
                f"{getattr(fn, '__qualname__', fn)!r} takes {len(positional)} parameter(s)"
            )


HOOKS: dict[str, Hook] = {}


def declare(name: str, params: tuple[str, ...], returns: str, doc: str) -> Hook:
    hook = Hook(name, params, returns, doc)
    HOOKS[name] = hook
    return hook


def get(name: str) -> Hook:
    try:
        return HOOKS[name]
    except KeyError:
        raise LookupError(f"hook {name!r} is not declared in app/core/hooks.py") from None


EVENT_OPTIONS = declare(
    "event_options",
    (),
    "[(event_id, label)]",
    "Events a piece of content may link to. Provided by events; used by consultations, ballot, surveys, "
    "plans.",
)
EVENT_SUMMARY = declare(
    "event_summary",
    ("event_id",),
    '{"id", "title", "title_en", "url", "starts_at", "kind"} or None',
    "One linked event for display. Provided by events; used by anyone showing a linked event.",
)
EVENT_PAGE_SECTIONS = declare(
    "event_page_sections",
    ("event_id",),
    '[{"title", "items": [{"text", "url"}]}]',
    "Sections other capabilities add to an event's public page (topics it answers, questions, the "
    "survey link, plan actions). Provided by consultations, ballot, surveys, plans; used by events.",
)
AFTER_SIGN_IN = declare(
    "after_sign_in",
    ("event_id", "batch"),
    '[{"text", "url"}]',
    "Called at each attendance signature with the RowBatch that stores it: rows added to the batch are "
    "stored with the signature, all or none, and must not link to the attendee. Provided by surveys "
    "(one-time right to answer); used by events' confirmation page.",
)
TOPIC_OPTIONS = declare(
    "topic_options",
    (),
    "[(topic_id, label)]",
    "Public consultation topics other content may answer. Provided by consultations; used by plans.",
)
TOPIC_SUMMARY = declare(
    "topic_summary",
    ("topic_id",),
    '{"id", "title", "url", "consultation"} or None',
    "One linked consultation topic for display. Provided by consultations; used by plans.",
)
TOPIC_LINKS = declare(
    "topic_links",
    ("topic_id",),
    '[{"text", "url"}]',
    "Links shown on a topic's page to what answers it. Provided by plans; used by consultations.",
)
CHARACTERIZATION_OBJECTS = declare(
    "characterization_objects",
    (),
    '[{"capability", "object_id", "label", "date"}]',
    "Objects whose participants answered the characterisation, for the dashboard's filters and the "
    "demo. Provided by events, consultations, ballot, surveys; used by characterisation.",
)
TRANSPARENCY_ITEMS = declare(
    "transparency_items",
    ("section",),
    '[{"title", "url", "text"}]',
    "Public results for one subsection of the transparency menu's section 6 (diagnostico, planeacion, "
    "consulta, colaboracion, rendicion, control). Provided by every capability with public results; "
    "used by transparency.",
)
SCHEDULED_JOBS = declare(
    "scheduled_jobs",
    (),
    '{"name", "run", "every"} (or a list of them)',
    "Recurring work run from the job queue's scheduler (`run()` takes no arguments; `every` is in "
    "seconds, overridable with PARTICIPA_SCHEDULE): notices, the privacy purge, the profile buffer "
    "flush, plan reminders. Provided by any package; used by app.core.jobs.",
)
