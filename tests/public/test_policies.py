"""Policy pages render their text exactly (no stray formatting) in both languages."""


def test_accessibility_statement_mentions_zoom_to_200_percent(client, catalogs):
    html = client.get("/accesibilidad").get_data(as_text=True)
    assert "al 200 % sin perder contenido" in html
    assert "{}" not in html


def test_staff_role_is_shown_by_its_name(client, login_as):
    login_as("steward")
    assert "Rol: Custodia de datos personales" in client.get("/gestion/").get_data(as_text=True)
