"""Staff accounts: users, roles, login with throttling, password changes, user admin."""


def register(app):
    from flask_babel import lazy_gettext as _l

    from app.accounts import cli, exports, staff, staff_downloads  # noqa: F401
    from app.accounts.blueprint import BLUEPRINTS
    from app.accounts.models import User
    from app.core import registry
    from app.extensions import db, login_manager

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.cli.commands["participa"].add_command(cli.create_user)

    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Ingresa con tu cuenta de funcionario para ver esa página.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        """The session carries "id:token"; a session whose token was replaced (logout, password
        change, deactivation, role change) no longer loads anyone."""
        uid, _sep, token = (user_id or "").partition(":")
        user = db.session.get(User, int(uid)) if uid.isdigit() and len(uid) < 12 else None
        if user is None or not user.active or not token or not user.session_matches(token):
            return None
        return user

    registry.get(app).add_nav(
        registry.NavItem(
            "accounts.users",
            lambda: _l("Usuarios y roles"),
            area="staff",
            permission="users.manage",
            order=91,
        ),
        registry.NavItem(
            "accounts.audit_log",
            lambda: _l("Registro de auditoría"),
            area="staff",
            permission="audit.view",
            order=92,
        ),
        registry.NavItem(
            "downloads.index", lambda: _l("Mis descargas"), area="staff", permission="content.view", order=93
        ),
    )
    registry.get(app).demo.append((10, "staff users", cli.demo_users))
    from app.accounts import retention

    retention.register(registry.get(app))

    from app.catalogs.usage import register_usage_checker

    register_usage_checker(app, _office_usage)


def _office_usage(kind: str, list_key: str | None, code: str) -> int:
    """Users assigned to an office: deleting it would silently widen an editor's reach."""
    if kind != "office":
        return 0
    from sqlalchemy import func, select

    from app.accounts.models import user_office
    from app.catalogs.models import Office
    from app.extensions import db

    return (
        db.session.scalar(
            select(func.count())
            .select_from(user_office)
            .join(Office, Office.id == user_office.c.office_id)
            .where(Office.code == code)
        )
        or 0
    )
