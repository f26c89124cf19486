"""The ``relieve`` command line: presentation only, a thin shell over the library.

One module per command group (``model`` commands in ``_main``, ``assess``, ``plan``);
``main(argv)`` is the entry point and what the tests call in-process.
"""

from ._main import DISCLAIMER, EXIT_USAGE, build_parser, main

__all__ = ["DISCLAIMER", "EXIT_USAGE", "build_parser", "main"]
