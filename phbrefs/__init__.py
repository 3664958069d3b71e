"""phbrefs: a literature and evidence manager for evidence reviews.

The public Python API: ``Library`` (``phbrefs.library``), ``WorkRecord`` (``phbrefs.records``) and
the errors in ``phbrefs.errors``. Heavy modules are imported only when used.
"""

__version__ = "0.1.0"
