"""consultations capability (to be built; see its issue)."""


def register(app):
    """Register blueprints, registry entries, CLI commands and demo steps."""
