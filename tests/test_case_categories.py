"""Case categories are county configuration: the 民情日记 defaults, a CSV import of up to
three levels (all or nothing), replace that switches off rather than deletes, the command,
and the administrator's admin page."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError

from minqing.audit.models import Action, AuditEvent
from minqing.cases.categories import DEFAULT_CATEGORIES
from minqing.cases.models import Category
from minqing.cases.services import categories_ensure_default, categories_import_csv
from minqing.demo.plan import FIRST_COUNTY_CODE
from minqing.org.models import Node

FIXTURE = Path(__file__).parent / "fixtures" / "categories_3level.csv"
HEADER = "一级分类,二级分类,三级分类\n"


def names(county: Node, **filters: object) -> list[str]:
    qs = Category.objects.filter(county=county, **filters).select_related("parent__parent")
    return [c.full_name for c in qs.order_by("sort", "code")]


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- defaults -----------------------------------------------------------------------------
def test_defaults_create_the_eight_diary_categories_with_their_items(county):
    created = categories_ensure_default(county=county.county)
    assert created == len(DEFAULT_CATEGORIES) == 48
    top = Category.objects.filter(county=county.county, depth=1).order_by("sort")
    assert [c.code for c in top] == [f"{n:02d}" for n in range(1, 9)]
    assert top[3].name == "农村矛盾纠纷"
    assert [c.name for c in top[3].children.order_by("sort")] == [
        "土地承包",
        "土地征收补偿费用分配",
        "用水纠纷",
        "村际邻里纠纷",
        "突发性事件",
    ]
    assert top[4].children.count() == 8
    assert "村容村貌整治 / 改厕" in names(county.county)
    assert not top[7].children.exists()  # 其他
    for child in Category.objects.filter(county=county.county, depth=2).select_related("parent"):
        assert child.code.startswith(child.parent.code + ".")
    assert not Category.objects.filter(county=county.other_county).exists()


def test_defaults_are_idempotent_and_respect_the_countys_changes(county):
    categories_ensure_default(county=county.county)
    assert categories_ensure_default(county=county.county) == 0
    Category.objects.filter(county=county.county, code="05.07").delete()
    Category.objects.filter(county=county.county, code="08").update(active=False)
    assert categories_ensure_default(county=county.county) == 1
    assert Category.objects.filter(county=county.county).count() == 48
    assert not Category.objects.get(county=county.county, code="08").active
    # One audit record per call that created something.
    assert AuditEvent.objects.filter(action=Action.BULK_LOAD).count() == 2


# --- CSV import ---------------------------------------------------------------------------
def test_csv_import_builds_three_levels_with_correct_parents(county):
    report = categories_import_csv(county=county.county, path_or_file=FIXTURE)
    assert report.ok, report.errors
    assert (report.rows, report.duplicate_rows) == (12, 1)
    assert dict(report.levels) == {1: 3, 2: 7, 3: 9}
    assert report.created.total() == 19
    # Tree order: parents first, siblings as they first appear, interleaved rows regrouped.
    assert names(county.county) == [
        "农业农村",
        "农业农村 / 农田水利",
        "农业农村 / 农田水利 / 灌溉渠道",
        "农业农村 / 农田水利 / 山塘水库",
        "农业农村 / 惠农补贴",
        "农业农村 / 惠农补贴 / 耕地地力保护补贴",
        "农业农村 / 惠农补贴 / 农机购置补贴",
        "农业农村 / 人居环境",
        "社会保障",
        "社会保障 / 养老保险",
        "社会保障 / 养老保险 / 城乡居民养老保险",
        "社会保障 / 养老保险 / 其他",
        "社会保障 / 医疗保障",
        "社会保障 / 医疗保障 / 其他",
        "交通出行",
        "交通出行 / 农村公路",
        "交通出行 / 农村公路 / 道路破损",
        "交通出行 / 农村公路 / 其他",
        "交通出行 / 客运班线",
    ]
    for category in Category.objects.filter(county=county.county).select_related("parent"):
        if category.parent is None:
            assert category.depth == 1
        else:
            assert category.depth == category.parent.depth + 1
            assert category.code.startswith(category.parent.code + ".")
    assert Category.objects.get(county=county.county, code="03.02").name == "客运班线"
    event = AuditEvent.objects.get(action=Action.BULK_LOAD)
    assert event.changes["created"] == 19
    assert event.changes["levels"] == {"1": 3, "2": 7, "3": 9}


def test_reimporting_the_same_file_changes_nothing(county):
    categories_import_csv(county=county.county, path_or_file=FIXTURE)
    before = list(Category.objects.values_list("pk", "code", "name", "sort", "active"))
    report = categories_import_csv(county=county.county, path_or_file=FIXTURE)
    assert (report.created.total(), report.unchanged, report.reactivated) == (0, 19, 0)
    assert list(Category.objects.values_list("pk", "code", "name", "sort", "active")) == before


@pytest.mark.parametrize("replace", [False, True])
def test_bad_csv_reports_row_numbers_and_writes_nothing(county, tmp_path, replace):
    categories_ensure_default(county=county.county)
    before = list(Category.objects.values_list("pk", "code", "active", "sort"))
    audits = AuditEvent.objects.count()
    bad = write(
        tmp_path,
        HEADER
        + "农业农村,农田水利,灌溉渠道\n"  # row 2 is fine
        + ",农田水利,山塘水库\n"  # row 3: level 1 missing
        + "农业农村,,山塘水库\n"  # row 4: level 2 missing
        + "农业农村,农田水利,灌溉渠道,东干渠\n"  # row 5: four levels
        + f"社会保障,{'长' * 81}\n",  # row 6: name too long
    )
    report = categories_import_csv(county=county.county, path_or_file=bad, replace=replace)
    assert not report.ok
    text = "\n".join(report.errors)
    assert "第 3、4 行：分类名称为空" in text
    assert "第 5 行：超过三级分类" in text
    assert "第 6 行：分类名称超过 80 个字" in text
    assert "未写入任何数据" in report.summary()
    assert list(Category.objects.values_list("pk", "code", "active", "sort")) == before
    assert AuditEvent.objects.count() == audits


def test_empty_file_and_header_only_file_are_errors(county, tmp_path):
    for text in ["", HEADER, "\n\n"]:
        report = categories_import_csv(county=county.county, path_or_file=write(tmp_path, text))
        assert report.errors == ["文件中没有分类数据。"]
    assert not Category.objects.exists()


def test_long_error_lists_are_shortened(county, tmp_path):
    bad = write(tmp_path, HEADER + ",没有一级\n" * 30)
    (message,) = categories_import_csv(county=county.county, path_or_file=bad).errors
    assert message.startswith("第 2、3、4、")
    assert "等 30 行" in message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_bom_gb18030_and_utf16_files_import(county, tmp_path, encoding):
    path = write(tmp_path, FIXTURE.read_text(encoding="utf-8"), encoding)
    report = categories_import_csv(county=county.county, path_or_file=path)
    assert report.ok, report.errors
    assert dict(report.levels) == {1: 3, 2: 7, 3: 9}
    assert Category.objects.filter(county=county.county, depth=1).first().name == "农业农村"
    assert not Category.objects.filter(name__contains="\ufeff").exists()


def test_uploaded_file_objects_and_excel_tab_separated_text_import(county):
    upload = io.BytesIO(FIXTURE.read_bytes())
    upload.name = "上传.csv"
    report = categories_import_csv(county=county.county, path_or_file=upload)
    assert (report.source, report.created.total()) == ("上传.csv", 19)
    tabbed = io.StringIO("一级分类\t二级分类\n城乡建设\t供水\n城乡建设\t供暖\n")
    report = categories_import_csv(county=county.other_county, path_or_file=tabbed)
    assert names(county.other_county) == ["城乡建设", "城乡建设 / 供水", "城乡建设 / 供暖"]


def test_a_file_without_header_and_with_stray_spaces_imports(county, tmp_path):
    path = write(tmp_path, " 城乡建设 ,  供水 \n\n城乡建设,供水,水压 不足\n")
    report = categories_import_csv(county=county.county, path_or_file=path)
    assert report.ok
    assert names(county.county) == ["城乡建设", "城乡建设 / 供水", "城乡建设 / 供水 / 水压 不足"]


def test_undecodable_file_is_an_error(county, tmp_path):
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\x00" * 10)
    report = categories_import_csv(county=county.county, path_or_file=path)
    assert report.errors == ["无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV 文件。"]


def test_replace_deactivates_missing_categories_instead_of_deleting(county, tmp_path):
    categories_ensure_default(county=county.county)
    report = categories_import_csv(county=county.county, path_or_file=FIXTURE, replace=True)
    assert (report.deactivated, report.created.total()) == (48, 19)
    assert Category.objects.filter(county=county.county).count() == 48 + 19
    assert names(county.county, active=True)[0] == "农业农村"
    # New codes continue after the defaults' so nothing a case points at changes meaning.
    assert Category.objects.get(county=county.county, name="农业农村").code == "09"
    smaller = write(tmp_path, HEADER + "农业农村,农田水利,灌溉渠道\n社会保障,养老保险\n")
    report = categories_import_csv(county=county.county, path_or_file=smaller, replace=True)
    assert (report.deactivated, report.unchanged, report.created.total()) == (14, 5, 0)
    assert names(county.county, active=True) == [
        "农业农村",
        "农业农村 / 农田水利",
        "农业农村 / 农田水利 / 灌溉渠道",
        "社会保障",
        "社会保障 / 养老保险",
    ]
    codes = dict(Category.objects.values_list("pk", "code"))
    report = categories_import_csv(county=county.county, path_or_file=FIXTURE, replace=True)
    assert (report.reactivated, report.created.total()) == (14, 0)
    assert dict(Category.objects.values_list("pk", "code")) == codes


def test_import_without_replace_adds_after_the_existing_categories(county):
    categories_ensure_default(county=county.county)
    report = categories_import_csv(county=county.county, path_or_file=FIXTURE)
    assert (report.deactivated, report.created.total()) == (0, 19)
    active = names(county.county, active=True)
    assert len(active) == 48 + 19
    assert active[0] == "农村经济发展"
    assert active[48] == "农业农村"


def test_dry_run_reports_but_writes_nothing(county):
    categories_ensure_default(county=county.county)
    audits = AuditEvent.objects.count()
    report = categories_import_csv(
        county=county.county, path_or_file=FIXTURE, replace=True, dry_run=True
    )
    assert (report.created.total(), report.deactivated) == (19, 48)
    assert "试导入(未写入)" in report.summary()
    assert Category.objects.filter(county=county.county, active=True).count() == 48
    assert Category.objects.count() == 48
    assert AuditEvent.objects.count() == audits


def test_categories_are_per_county(county):
    categories_import_csv(county=county.county, path_or_file=FIXTURE)
    assert not Category.objects.filter(county=county.other_county).exists()
    categories_ensure_default(county=county.other_county)
    categories_import_csv(county=county.county, path_or_file=FIXTURE, replace=True)
    assert Category.objects.filter(county=county.other_county, active=True).count() == 48
    # The same codes live side by side in two counties.
    assert Category.objects.filter(code="01").count() == 2


def test_categories_hang_only_off_a_county(county):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        categories_ensure_default(county=county.t1)


# --- the command --------------------------------------------------------------------------
def test_command_imports_a_file_and_prints_a_chinese_summary(county):
    out = io.StringIO()
    call_command("import_categories", "--county", county.county.code, str(FIXTURE), stdout=out)
    assert "导入完成" in out.getvalue()
    assert "一级 3 个、二级 7 个、三级 9 个" in out.getvalue()
    assert Category.objects.filter(county=county.county).count() == 19


def test_command_loads_defaults_by_six_digit_code(county):
    out = io.StringIO()
    call_command("import_categories", "--county", "330199", "--defaults", stdout=out)
    assert "新增 48 个" in out.getvalue()


def test_command_exits_non_zero_with_the_chinese_errors(transactional_db, county, tmp_path, capsys):
    # transactional_db: run_from_argv closes the connection on exit, as in real use.
    bad = write(tmp_path, HEADER + "甲,乙,丙,丁\n")
    with pytest.raises(CommandError, match="第 2 行：超过三级分类") as caught:
        call_command("import_categories", "--county", county.county.code, str(bad))
    assert caught.value.returncode != 0
    # The way an operator runs it: a non-zero exit status and the errors on stderr.
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(
            ["minqing", "import_categories", "--county", county.county.code, str(bad)]
        )
    assert exited.value.code != 0
    assert "第 2 行：超过三级分类" in capsys.readouterr().err
    assert not Category.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--county", "999999"], "没有区划代码为 999999 的县(区)"),
        (["--county", "330199"], "请指定 CSV 文件"),
        (["--county", "330199", "--defaults", "--replace"], "--defaults 不能"),
        (["--county", "330199", "/nonexistent/x.csv"], "无法读取文件"),
    ],
)
def test_command_refuses_bad_arguments(county, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_categories", *args)


# --- demo and admin -----------------------------------------------------------------------
def test_demo_counties_get_the_default_categories(db):
    call_command("demo", "--scale", "small", verbosity=0)
    demo_county = Node.objects.get(code=FIRST_COUNTY_CODE)
    assert Category.objects.filter(county=demo_county).count() == 48
    event = AuditEvent.objects.get(action=Action.BULK_LOAD)
    assert event.changes["category"] == 48


def test_county_admin_sees_and_edits_only_their_countys_categories(county, client_for):
    categories_ensure_default(county=county.county)
    categories_import_csv(county=county.other_county, path_or_file=FIXTURE)
    client = client_for("county_admin")
    page = client.get("/admin/cases/category/")
    assert page.status_code == 200
    assert "农村矛盾纠纷" in page.text
    assert "农业农村" not in page.text
    foreign = Category.objects.get(county=county.other_county, code="01")
    assert client.get(f"/admin/cases/category/{foreign.pk}/change/").status_code == 302

    parent = Category.objects.get(county=county.county, code="05")
    response = client.post(
        "/admin/cases/category/add/",
        {"parent": parent.pk, "code": "05.09", "name": "就业难", "sort": 95, "active": "on"},
    )
    assert response.status_code == 302, response.text
    added = Category.objects.get(county=county.county, code="05.09")
    assert (added.depth, added.parent, added.name) == (2, parent, "就业难")
    event = AuditEvent.objects.filter(action=Action.CREATE).latest("id")
    assert (event.object_type, event.actor) == ("cases.category", county.users["county_admin"])

    duplicate = client.post(
        "/admin/cases/category/add/", {"code": "05.09", "name": "重复", "sort": 1}
    )
    assert duplicate.status_code == 200
    assert "本县(区)已有该编码的分类" in duplicate.text
    # A parent from another county is not a valid choice.
    stolen = client.post(
        "/admin/cases/category/add/", {"parent": foreign.pk, "code": "99", "name": "x", "sort": 1}
    )
    assert stolen.status_code == 200
    assert not Category.objects.filter(county=county.county, code="99").exists()


def test_admin_delete_logs_the_category_and_its_children(county, client_for):
    categories_ensure_default(county=county.county)
    parent = Category.objects.get(county=county.county, code="04")
    response = client_for("county_admin").post(
        f"/admin/cases/category/{parent.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    deleted = AuditEvent.objects.filter(action=Action.DELETE, object_type="cases.category")
    assert deleted.count() == 6
    assert not Category.objects.filter(county=county.county, code__startswith="04").exists()


@pytest.mark.parametrize("persona", ["cadre", "county_supervisor", "dept_handler"])
def test_other_roles_cannot_open_the_category_admin(county, client_for, persona):
    response = client_for(persona).get("/admin/cases/category/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
