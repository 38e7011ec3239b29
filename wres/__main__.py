"""``python -m wres``: the ``wres`` command."""

from wres.command import main

main()
