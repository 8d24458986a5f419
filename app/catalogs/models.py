"""Catalog models. Data elsewhere refers to entries by their stable `code`, never by row id."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

# Option lists and what they hold. `sensitive` lists are sensitive data (Ley 1581 de 2012).
LISTS = {
    "life_course": {"sensitive": False, "multi": False},
    "sex": {"sensitive": False, "multi": False},
    "gender_identity": {"sensitive": True, "multi": False},
    "sexual_orientation": {"sensitive": True, "multi": False},
    "ethnicity": {"sensitive": True, "multi": False},
    "disability": {"sensitive": True, "multi": True},
    "victim": {"sensitive": True, "multi": False},
    "campesino": {"sensitive": False, "multi": False},
    "migrant": {"sensitive": False, "multi": False},
    "zone": {"sensitive": False, "multi": False},
    "value_group": {"sensitive": False, "multi": False},
    "document_type": {"sensitive": False, "multi": False},
    "event_kind": {"sensitive": False, "multi": False},
    "petition_term": {"sensitive": False, "multi": False},
}
TERRITORY_KINDS = ("comuna", "corregimiento", "barrio", "vereda")


class CatalogEntry(db.Model):
    """One option of one list (e.g. list 'ethnicity', code '5', 'Negro(a), mulato(a)…')."""

    __tablename__ = "catalog_entry"
    __table_args__ = (UniqueConstraint("list_key", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_key: Mapped[str] = mapped_column(String(40), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label_es: Mapped[str] = mapped_column(String(255))
    label_en: Mapped[str] = mapped_column(String(255), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Edited by an admin in the UI: a later load-catalogs keeps the admin's labels and order.
    customized: Mapped[bool] = mapped_column(Boolean, default=False)
    extra: Mapped[dict] = mapped_column(JSON, default=dict)


class Territory(db.Model):
    """A comuna or corregimiento (parent None) or a barrio or vereda (parent set)."""

    __tablename__ = "territory"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))
    zone: Mapped[str] = mapped_column(String(10))  # "urbana" or "rural"
    subregion: Mapped[str] = mapped_column(String(80), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("territory.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)  # False: draft, to validate
    customized: Mapped[bool] = mapped_column(Boolean, default=False)

    parent: Mapped[Territory | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Territory]] = relationship(back_populates="parent", order_by="Territory.position")

    @property
    def label_es(self) -> str:
        return self.name

    label_en = label_es


class Office(db.Model):
    """A dependencia or secretaría of the entity."""

    __tablename__ = "office"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    acronym: Mapped[str] = mapped_column(String(40), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    customized: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def label_es(self) -> str:
        return self.name

    label_en = label_es


# What a cached form page depends on besides its own capability's rows (see app/core/cache.py).
CATALOG_MODELS = (CatalogEntry, Territory, Office)
