"""Ops: one process supervisor for `make run`, `make run-prod` and the tests, the
PostgreSQL/Redis/nginx bootstrap, structured logs and our Rasa patches.

At the top of the import graph: it starts everything and nothing in `bot/` imports it. Besides
`actions/`, the only package that imports Rasa.
"""
