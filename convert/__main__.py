"""``python -m convert``: the same as the ``protocol-convert`` command."""

from .cli import run

run()
