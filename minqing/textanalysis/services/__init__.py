"""Writes of 民情分析, one module per entity; import them from here.

text_models  training requests, the training run (task worker), activation, retraining
examples     labelled-example import and staff's category confirmations
hotspots     the daily hot-spot refresh and marking a hot spot 已研判
urgency      seeding a county's urgency and 十必报 word lists
"""

from minqing.textanalysis.services.examples import (
    IMPORT_MAX_ROWS,
    ImportReport,
    category_confirm,
    examples_import,
)
from minqing.textanalysis.services.hotspots import (
    hotspot_mark_handled,
    hotspots_refresh,
    hotspots_refresh_all,
)
from minqing.textanalysis.services.text_models import (
    model_activate,
    model_request_training,
    model_train,
    models_retrain_if_needed,
)
from minqing.textanalysis.services.urgency import urgency_terms_ensure_default

__all__ = [
    "IMPORT_MAX_ROWS",
    "ImportReport",
    "category_confirm",
    "examples_import",
    "hotspot_mark_handled",
    "hotspots_refresh",
    "hotspots_refresh_all",
    "model_activate",
    "model_request_training",
    "model_train",
    "models_retrain_if_needed",
    "urgency_terms_ensure_default",
]
