"""Evidence coding: claims, findings linked to papers, study characteristics, GRADE-CERQual.

Modules: ``claims``, ``findings``, ``studies``, ``cerqual``, ``frameworks``, ``coding``
(spreadsheet/YAML/JSON round trip) and ``vocab`` (stances, concern and confidence levels,
designs). Every operation takes a ``Library`` and runs in its transactions; nothing here prints.
This package imports nothing heavy itself, so ``vocab`` stays cheap for the CLI.
"""
