"""``python -m phbrefs``."""

from phbrefs.cli import main

main()
