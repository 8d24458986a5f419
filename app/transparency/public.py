from flask import render_template

from app.transparency import queries


def participa():
    return render_template("transparency/participa.html", sections=queries.sections())
