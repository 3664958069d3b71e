"""Evidence commands: claim, finding, study, cerqual, framework and coding (import/export).

Each group lives in its own module; ``register`` adds them in the order ``--help`` lists them.
"""

from __future__ import annotations

import typer

from phbrefs.cli.evidence.cerqual import cerqual_app
from phbrefs.cli.evidence.claims import claim_app
from phbrefs.cli.evidence.coding import coding_app
from phbrefs.cli.evidence.findings import finding_app
from phbrefs.cli.evidence.frameworks import framework_app
from phbrefs.cli.evidence.studies import study_app


def register(app: typer.Typer) -> None:
    app.add_typer(claim_app, name="claim")
    app.add_typer(finding_app, name="finding")
    app.add_typer(study_app, name="study")
    app.add_typer(cerqual_app, name="cerqual")
    app.add_typer(framework_app, name="framework")
    app.add_typer(coding_app, name="coding")
