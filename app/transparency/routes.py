from flask import render_template

from app.transparency import public, services


@public.route("/participa")
def participa():
    return render_template("transparency/participa.html", sections=services.sections())
