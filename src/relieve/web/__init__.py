"""The local web app (``relieve serve``): a FastAPI app over the library.

Presentation only, like the CLI: every route is a few lines over ``import relieve``
(assess, plan, next_question, muscles, muscle_card), the guided-session state machine
(``relieve.sessions``) and the store (``relieve.store``). Safety, validation and the
clinical rules stay in the library; here they become HTTP answers: a ``RelieveError``
is 422 naming each bad field, ``ReferralRequired`` on a plan is 409 with the refer
object.

``create_app(database_url=None, time_scale=1.0)`` builds the app; uvicorn loads it
by name (``relieve.web:create_app``), so the command line never imports this package.
"""

from ._app import create_app

__all__ = ["create_app"]
