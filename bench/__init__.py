"""``make bench``: the large case, served by gunicorn and measured (see ``bench/run.py``)."""
