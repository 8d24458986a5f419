"""Improvement and action plans: Plan → PlanAction → PlanTask, follow-up reports per period and
office, and findings with the improvement actions they trigger.

Offices are stored as catalog **codes** (`app.catalogs`), next to the original free text the plan
came with (`*_text`), so an imported table keeps what the entity wrote.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import time
from app.extensions import db

UNITS = ("percentage", "number")
KINDS = ("improvement", "action")
ACCUMULATIONS = ("cumulative", "per_period")
QUARTERS = [[1, 3], [4, 6], [7, 9], [10, 12]]


class Plan(db.Model):
    """An improvement plan (plan de mejoramiento) or action plan (plan de acción) for one year, or
    a multi-year plan (e.g. a ten-year public-policy strategic plan) running from `year` to
    `end_year` with yearly targets per task.

    **Follow-up periods** are numbered over the whole plan: with quarters, period 1–4 are the
    quarters of `year`, 5–8 those of `year + 1`, and so on (`period_span`). A one-year plan keeps
    1–4, so every report, reminder and follow-up sheet uses one number per period."""

    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("name", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(
        String(255), default=""
    )  # English version (optional): app.core.ui.localized
    year: Mapped[int] = mapped_column(Integer, index=True)
    # Last year of a multi-year plan (None: the plan covers `year` only).
    end_year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), default="improvement")
    owner_office: Mapped[str] = mapped_column(String(40), index=True)
    owner_office_text: Mapped[str] = mapped_column(String(500), default="")
    objective: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    process: Mapped[str] = mapped_column(String(255), default="")
    subprocess: Mapped[str] = mapped_column(String(255), default="")
    plan_date: Mapped[date | None] = mapped_column(Date)
    # Document control block of the entity's format (Cartago: NIT, code MESG-AS-F17, version…)
    entity_name: Mapped[str] = mapped_column(String(255), default="")
    entity_nit: Mapped[str] = mapped_column(String(40), default="")
    document_code: Mapped[str] = mapped_column(String(60), default="")
    document_version: Mapped[str] = mapped_column(String(20), default="")
    approved_on: Mapped[date | None] = mapped_column(Date)
    # Follow-up periods as month ranges [[1, 3], [4, 6], …]; quarters by default.
    periods: Mapped[list] = mapped_column(JSON, default=lambda: [list(p) for p in QUARTERS])
    # Annual analysis written by the owner office (conclusions; figures are computed).
    analysis: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    source: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=time.now, onupdate=time.now)

    offices: Mapped[list[PlanOffice]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanOffice.position"
    )
    actions: Mapped[list[PlanAction]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanAction.position"
    )
    findings: Mapped[list[PlanFinding]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanFinding.id"
    )

    @property
    def participating_codes(self) -> list[str]:
        return [o.office_code for o in self.offices]

    @property
    def years(self) -> list[int]:
        return list(range(self.year, max(self.year, self.end_year or self.year) + 1))

    @property
    def multi_year(self) -> bool:
        return len(self.years) > 1

    @property
    def period_count(self) -> int:
        """Follow-up periods over the whole plan."""
        return len(self.periods) * len(self.years)

    def period_span(self, period: int) -> tuple[int, int, int]:
        """(year, first month, last month) of follow-up period `period` (1-based over the plan)."""
        per_year = len(self.periods)
        start, end = self.periods[(period - 1) % per_year]
        return self.year + (period - 1) // per_year, start, end

    def year_periods(self, year: int) -> list[int]:
        """The plan-wide numbers of the follow-up periods of `year`."""
        if year not in self.years:
            return []
        first = (year - self.year) * len(self.periods) + 1
        return list(range(first, first + len(self.periods)))

    def period_name(self, period: int) -> str:
        """'II' in a one-year plan; '2027-II' in a multi-year plan."""
        roman = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
        per_year = len(self.periods)
        local = (period - 1) % per_year + 1
        label = roman[local - 1] if local <= len(roman) else str(local)
        return f"{self.period_span(period)[0]}-{label}" if self.multi_year else label

    @property
    def years_label(self) -> str:
        return f"{self.year}–{self.end_year}" if self.multi_year else str(self.year)

    @property
    def tasks(self) -> list[PlanTask]:
        return [t for a in self.actions for t in a.tasks]


class PlanOffice(db.Model):
    """An office taking part in the plan's formulation (dependencias participantes)."""

    __tablename__ = "plan_office"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="offices")


class PlanAction(db.Model):
    """An action (acción de mejora / actividad) of a plan, with its tasks."""

    __tablename__ = "plan_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    title_en: Mapped[str] = mapped_column(
        Text, default=""
    )  # English version (optional): app.core.ui.localized
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Ids of events and consultation topics this action answers (other capabilities' ids).
    event_ids: Mapped[list] = mapped_column(JSON, default=list)
    topic_ids: Mapped[list] = mapped_column(JSON, default=list)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    tasks: Mapped[list[PlanTask]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="PlanTask.position"
    )
    finding: Mapped[PlanFinding | None] = relationship(
        back_populates="action", uselist=False, foreign_keys="PlanFinding.action_id"
    )


class PlanTask(db.Model):
    """A task with its schedule, deliverable, indicator, unit and goal."""

    __tablename__ = "plan_task"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_action.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    responsible_text: Mapped[str] = mapped_column(String(1000), default="")
    start_month: Mapped[int] = mapped_column(Integer)
    end_month: Mapped[int] = mapped_column(Integer)
    months: Mapped[list] = mapped_column(JSON, default=list)  # the months it runs, e.g. [3, 4, 5]
    deliverable: Mapped[str] = mapped_column(Text, default="")
    indicator_name: Mapped[str] = mapped_column(Text, default="")
    indicator_formula: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20), default="number")
    goal: Mapped[float | None] = mapped_column(Float)
    accumulation: Mapped[str] = mapped_column(String(20), default="cumulative")
    observations: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[PlanAction] = relationship(back_populates="tasks")
    targets: Mapped[list[PlanTaskTarget]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="[PlanTaskTarget.year, PlanTaskTarget.period]",
    )
    offices: Mapped[list[PlanTaskOffice]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="PlanTaskOffice.position"
    )
    reports: Mapped[list[PlanReport]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        order_by="[PlanReport.period, PlanReport.office_code]",
    )

    @property
    def office_codes(self) -> list[str]:
        return [o.office_code for o in self.offices]

    def year_target(self, year: int) -> float | None:
        return next((t.goal for t in self.targets if t.year == year and not t.period), None)

    def period_targets(self, year: int) -> dict[int, float]:
        """{local period: target} stated for periods within `year`."""
        return {t.period: t.goal for t in self.targets if t.year == year and t.period}

    @property
    def reporting_codes(self) -> list[str]:
        """Offices that report this task: its catalog offices, or the plan's owner office when the
        task names none the catalog knows (e.g. 'Administración Municipal')."""
        return self.office_codes or [self.action.plan.owner_office]


class PlanTaskTarget(db.Model):
    """A task's target for one year of a multi-year plan (`period` 0), or for one follow-up period
    within that year (`period` 1–n, local to the year) where the plan's layout states it.

    Targets follow the task's accumulation (see `progress`): a cumulative task's target is the value
    to reach by the end of that year (or period); a per-period task's target is what is done in that
    year (or period)."""

    __tablename__ = "plan_task_target"
    __table_args__ = (UniqueConstraint("task_id", "year", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    period: Mapped[int] = mapped_column(Integer, default=0)
    goal: Mapped[float] = mapped_column(Float)

    task: Mapped[PlanTask] = relationship(back_populates="targets")


class PlanTaskOffice(db.Model):
    """A responsible office of a task."""

    __tablename__ = "plan_task_office"

    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"), primary_key=True)
    office_code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    task: Mapped[PlanTask] = relationship(back_populates="offices")


class PlanReport(db.Model):
    """What one responsible office reports for one task in one follow-up period."""

    __tablename__ = "plan_report"
    __table_args__ = (UniqueConstraint("task_id", "period", "office_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("plan_task.id", ondelete="CASCADE"), index=True)
    period: Mapped[int] = mapped_column(Integer)  # 1-based index into plan.periods
    office_code: Mapped[str] = mapped_column(String(40), index=True)
    value: Mapped[float | None] = mapped_column(Float)
    progress_text: Mapped[str] = mapped_column(Text, default="")
    difficulties: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # URLs
    reported_by: Mapped[str] = mapped_column(String(255), default="")
    reported_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
    # Notes (progress text, difficulties, evidence) reach the public page only once an editor of
    # the plan's owner office approves them: "pending" → "approved" (or "returned" with a reason).
    review_state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str] = mapped_column(String(255), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)

    task: Mapped[PlanTask] = relationship(back_populates="reports")

    @property
    def has_notes(self) -> bool:
        return bool(self.progress_text or self.difficulties or self.evidence)


class PlanFinding(db.Model):
    """A follow-up finding (hallazgo); it may trigger an improvement action in the same plan,
    which is then followed like any other action."""

    __tablename__ = "plan_finding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("plan_task.id", ondelete="SET NULL"), index=True)
    period: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    found_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(255), default="")
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_action.id", ondelete="SET NULL"), index=True
    )

    plan: Mapped[Plan] = relationship(back_populates="findings")
    task: Mapped[PlanTask | None] = relationship()
    action: Mapped[PlanAction | None] = relationship(back_populates="finding", foreign_keys=[action_id])


class PlanReminder(db.Model):
    """A reminder e-mail sent to an office before a follow-up period closes (one per plan, period
    and office, so the daily job never sends it twice)."""

    __tablename__ = "plan_reminder"
    __table_args__ = (UniqueConstraint("plan_id", "period", "office_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    office_code: Mapped[str] = mapped_column(String(40))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    tasks: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=time.now)
