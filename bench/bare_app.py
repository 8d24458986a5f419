"""The baseline for bench_foundation.py: a bare Flask app answering "hello" (gunicorn bare_app:app)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
