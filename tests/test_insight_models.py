"""A county's text models: labelled CSV import (all or nothing), training in the task worker
into numbered versions with their evaluation, rollback, and confirmed categories as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from minqing.audit.models import AuditEvent
from minqing.cases.models import Category, Channel, Nature
from minqing.cases.services import case_register, categories_ensure_default
from minqing.textanalysis import model_store
from minqing.textanalysis.models import (
    CategoryConfirmation,
    LabelledExample,
    ModelKind,
    ModelStatus,
    TextModel,
)
from minqing.textanalysis.services import (
    category_confirm,
    examples_import,
    model_activate,
    model_request_training,
)
from minqing.textanalysis.training import category_examples

FIXTURE = Path(__file__).parent / "fixtures" / "textanalysis" / "county_labelled.csv"


@pytest.fixture
def tree(county, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MINQING_MODEL_DIR = tmp_path / "models"
    categories_ensure_default(county=county.county, audit=False)
    return county


@pytest.fixture
def train(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Request training as the view does; the test task backend runs the job on commit."""

    def run(county, kind=ModelKind.CATEGORY, persona="county_admin"):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            row = model_request_training(
                county=county.county, kind=kind, actor=county.users[persona]
            )
        row.refresh_from_db()
        return row

    return run


def _import(county, data: bytes | None = None):  # type: ignore[no-untyped-def]
    return examples_import(
        county=county.county,
        data=data if data is not None else FIXTURE.read_bytes(),
        file_name="labelled.csv",
        actor=county.users["county_admin"],
    )


def test_import_stores_each_row_once_and_maps_labels_to_the_county_tree(tree) -> None:
    report = _import(tree)
    assert report.errors == []
    assert report.created == 36
    assert LabelledExample.objects.filter(county=tree.county).count() == 36
    roads = LabelledExample.objects.get(title="路灯坏了")
    assert roads.category.name == "村容村貌整治"
    again = _import(tree)
    assert (again.created, again.duplicates) == (0, 36)
    assert LabelledExample.objects.count() == 36
    assert AuditEvent.objects.filter(object_type="textanalysis.labelledexample").count() == 2


def test_a_single_unknown_label_imports_nothing_and_names_the_line(tree) -> None:
    data = FIXTURE.read_bytes() + "k999,,广场,晚上广场舞太吵,不存在的分类\n".encode()
    report = _import(tree, data)
    assert report.created == 0
    assert any("第 38 行" in e and "不存在的分类" in e for e in report.errors)
    assert not LabelledExample.objects.exists()


def test_import_reads_gbk_files_and_refuses_missing_columns(tree) -> None:
    gbk = FIXTURE.read_text(encoding="utf-8").encode("gb18030")
    assert _import(tree, gbk).created == 36
    report = _import(tree, b"id,text\n1,abc\n")
    assert report.created == 0
    assert "缺少列" in report.errors[0]


def test_training_runs_in_the_worker_and_versions_keep_their_evaluation(tree, train) -> None:
    _import(tree)
    first = train(tree)
    assert first.status == ModelStatus.READY, first.error
    assert first.active
    assert first.version == 1
    assert first.n_train == 36
    assert first.evaluation["method"] == "3-fold"  # fewer than 50 examples
    assert 0 <= first.evaluation["macro_f1"] <= 1
    assert (model_store.model_dir() / first.file_name).exists()

    second = train(tree)
    first.refresh_from_db()
    assert second.version == 2
    assert second.status == ModelStatus.READY
    assert second.active
    assert not first.active


def test_rolling_back_activates_the_earlier_version_and_is_audited(tree, train) -> None:
    _import(tree)
    admin = tree.users["county_admin"]
    first, _second = train(tree), train(tree)
    first.refresh_from_db()
    model_activate(model=first, actor=admin)
    active = TextModel.objects.get(county=tree.county, kind=ModelKind.CATEGORY, active=True)
    assert active.version == 1
    loaded = model_store.active_model(tree.county.pk, ModelKind.CATEGORY)
    assert loaded is not None
    assert loaded[0].pk == first.pk
    assert AuditEvent.objects.filter(
        object_type="textanalysis.textmodel", object_id=str(first.pk), action="update"
    ).exists()


def test_too_little_data_fails_with_a_chinese_reason(tree, train) -> None:
    row = train(tree, ModelKind.ROUTING)
    assert row.status == ModelStatus.FAILED
    assert not row.active
    assert "样本不足" in row.error


def test_a_tampered_model_file_is_not_loaded(tree, train) -> None:
    _import(tree)
    row = train(tree)
    (model_store.model_dir() / row.file_name).write_bytes(b"not the worker's file")
    model_store._cache.clear()
    assert model_store.active_model(tree.county.pk, ModelKind.CATEGORY) is None


def test_confirmed_cases_become_training_data_under_their_top_category(tree) -> None:
    leaf = Category.objects.get(county=tree.county, name="饮水难")
    case, _ = case_register(
        actor=tree.users["cadre"], node=tree.g1a, channel=Channel.HOTLINE, nature=Nature.HELP,
        original_text="组里的水井抽不上水了", reporter_name="张建国",
    )  # fmt: skip
    category_confirm(case=case, category=leaf, actor=tree.users["cadre"], suggested_code="05")
    confirmation = CategoryConfirmation.objects.get(case=case)
    assert confirmation.accepted is False  # suggested the root, staff chose the leaf
    assert confirmation.suggested.code == "05"
    messages = category_examples(tree.county)
    assert [(m.detail, m.label) for m in messages] == [("组里的水井抽不上水了", "05")]
    category_confirm(case=case, category=None, actor=tree.users["cadre"])
    assert category_examples(tree.county) == []


def test_models_page_is_for_the_county_admin_only(tree, client_for) -> None:
    admin = client_for("county_admin")
    assert admin.get("/insight/models/").status_code == 200
    for persona in ("township_staff", "cadre", "county_supervisor", "dept_handler"):
        assert client_for(persona).get("/insight/models/").status_code == 404
        assert client_for(persona).post("/insight/models/train/category/").status_code == 404
    assert not TextModel.objects.exists()


def test_admin_imports_trains_and_rolls_back_from_the_page(
    tree, client_for, django_capture_on_commit_callbacks
) -> None:
    admin = client_for("county_admin")
    with FIXTURE.open("rb") as f:
        admin.post("/insight/models/import/", {"file": f})
    assert LabelledExample.objects.count() == 36
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            admin.post("/insight/models/train/category/")
    page = admin.get("/insight/models/").content.decode()
    assert "v2" in page
    assert "v1" in page
    assert "启用此版本" in page
    first = TextModel.objects.get(version=1)
    admin.post(f"/insight/models/{first.pk}/activate/")
    first.refresh_from_db()
    assert first.active
    other = client_for("other_admin")
    assert other.post(f"/insight/models/{first.pk}/activate/").status_code == 404


def test_the_daily_job_retrains_only_when_enough_new_data_arrived(tree, train) -> None:
    from minqing.textanalysis.services import models_retrain_if_needed

    _import(tree)
    from minqing.textanalysis.models import InsightRules

    InsightRules.objects.create(county=tree.county, min_training_cases=30)
    assert models_retrain_if_needed() == 1  # the category model: 36 examples, no version yet
    assert TextModel.objects.filter(kind=ModelKind.CATEGORY).count() == 1
    TextModel.objects.update(status=ModelStatus.READY, n_train=36)
    assert models_retrain_if_needed() == 0  # nothing new since v1


def test_a_version_stuck_in_the_queue_or_in_training_does_not_block_the_county(
    tree, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt

    from django.utils import timezone

    _import(tree)
    long_ago = timezone.now() - dt.timedelta(hours=3)
    lost = TextModel.objects.create(
        county=tree.county, kind=ModelKind.CATEGORY, version=1, created_at=long_ago
    )
    # A queued version whose job was lost is queued again (and now trained).
    with django_capture_on_commit_callbacks(execute=True):
        again = model_request_training(county=tree.county, kind=ModelKind.CATEGORY, actor=None)
    assert again.pk == lost.pk
    lost.refresh_from_db()
    assert lost.status == ModelStatus.READY
    # A version left "training" by a dead worker is written off and a new one trains.
    dead = TextModel.objects.create(
        county=tree.county, kind=ModelKind.CATEGORY, version=2, created_at=long_ago,
        status=ModelStatus.TRAINING,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        fresh = model_request_training(county=tree.county, kind=ModelKind.CATEGORY, actor=None)
    dead.refresh_from_db()
    fresh.refresh_from_db()
    assert dead.status == ModelStatus.FAILED
    assert "超时" in dead.error
    assert fresh.version == 3
    assert fresh.status == ModelStatus.READY
