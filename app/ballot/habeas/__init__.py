"""Data-subject requests (habeas data, Ley 1581 de 2012 and Decreto 1377 de 2013) filed into the
urna virtual: a citizen's consulta (10 business days) or reclamo (15), with radicado, deadline,
notices and the answer workflow of the urna, and the data steward's lookup and erasure."""


def register(app, reg) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core import registry

    reg.add_nav(
        registry.NavItem(
            "ballot_staff.data_requests",
            lambda: _l("Solicitudes sobre datos personales"),
            area="staff",
            permission="data_requests.handle",
            order=93,
        )
    )
