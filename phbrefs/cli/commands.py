"""The command modules, each with ``register(app)``; the order is the order of ``--help``."""

from phbrefs.cli import add, cite, db, demo, enrich, evidence, io, maintenance, names, tables, works

MODULES = [add, works, enrich, io, cite, evidence, tables, names, demo, maintenance, db]
