"""The ``mockserver`` command: ``serve``, ``record``, ``replay``, ``import``, ``validate``,
``stubs``, ``schemas`` and their options.

An edge: may import any layer below; nothing imports it.
"""

from mockserver.cli.main import main

__all__ = ["main"]
