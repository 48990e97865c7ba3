"""Background jobs of 民情分析 model training, run by the task worker."""

from django.tasks import task

from minqing.textanalysis.models import ModelStatus, TextModel
from minqing.textanalysis.services.text_models import model_train, models_retrain_if_needed


@task
def train_model_task(model_id: int) -> dict[str, object]:
    row = TextModel.objects.select_related("county").filter(pk=model_id).first()
    if row is None or row.status not in {ModelStatus.QUEUED, ModelStatus.TRAINING}:
        return {"skipped": model_id}  # a re-delivered job for a finished version
    row = model_train(model=row)
    return {"model": row.pk, "status": row.status, "macro_f1": row.macro_f1}


@task
def retrain_models_task() -> dict[str, int]:
    """Daily: retrain a county's models once enough new confirmed data has arrived."""
    return {"queued": models_retrain_if_needed()}


@task
def warm_keyword_counts_task() -> dict[str, int]:
    """Nightly: count each county's keyword trends ahead of time, so no page waits for
    segmenting a year of matters (12 s cold for 20,000 matters, 75 ms once counted)."""
    from minqing.org.models import Level, Node
    from minqing.textanalysis.keywords import warm_keyword_counts

    return {
        county.code: warm_keyword_counts(county=county)
        for county in Node.objects.filter(level=Level.COUNTY)
    }
