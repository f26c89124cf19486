"""relieve: gentle, model-based self-care for neck and upper-back muscle spasm.

The package informs and guides; it does not diagnose. The core (``relieve.model``,
``relieve.anatomy``, ``relieve.techniques``, ``relieve.assess``) does no I/O beyond
reading its own packaged data, so the CLI, the web app and the session store can all
call it directly.
"""

from .errors import RelieveError

__version__ = "0.1.0"
__all__ = ["RelieveError", "__version__"]
