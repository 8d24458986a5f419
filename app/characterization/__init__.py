"""Characterisation of citizens and grupos de valor: the shared question set with consent,
unlinkable profile storage, dashboards with small-count suppression and exports."""


def register(app):
    from app.characterization import models  # noqa: F401
