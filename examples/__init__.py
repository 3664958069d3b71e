"""Example libraries shipped with phbrefs (installed as ``phbrefs.examples``)."""
