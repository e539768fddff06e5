"""An evaluation's pages, one module per aggregate.

Every page naming an evaluation goes through ``access.evaluation_view``: it fetches the
evaluation in the person's scope (404), checks the one policy of ``scoring.rules`` (403)
and the lock, then runs the view. A view runs a form, calls one service or one builder
(``scoring.pages``), and renders.
"""
