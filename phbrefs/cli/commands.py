"""The command modules, each with ``register(app)``; the order is the order of ``--help``."""

from phbrefs.cli import works

MODULES = [works]
