"""gunicorn settings used by `python -m minqing serve`.

Each worker builds its similar-matters indexes (textanalysis/similar_index.py) in a
background thread as soon as the application is loaded, so the first clerk to type after a
restart gets ranked look-alikes at once instead of the fallback list.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger("minqing.serve")


def warm_in_background() -> threading.Thread:
    def build() -> None:
        from django.db import connection

        from minqing.textanalysis.similar_index import warm

        try:
            warm()
        except Exception:  # a failed warm-up only means the first lookup builds the index
            log.exception("similar-matters index warm-up failed")
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=build, name="similar-index-warm", daemon=True)
    thread.start()
    return thread


def post_worker_init(worker: Any) -> None:  # gunicorn hook: Django is set up by now
    warm_in_background()
