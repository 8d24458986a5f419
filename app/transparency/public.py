from flask import render_template

from app.transparency import services


def participa():
    return render_template("transparency/participa.html", sections=services.sections())
