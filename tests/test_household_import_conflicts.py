"""Issue 12 (4): the ledger import is neither an existence oracle nor a 500.

A village cadre's ledger naming an ID number (or a household code) registered outside the
cadre's scope is refused in the dry run with one fixed message that says nothing about
where the person lives, the refusal is audited, and no conflict — in the file, in the
registry, or one that appears between the check and the write — ever reaches the database
as an unhandled constraint error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import types

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import translation

from minqing.audit.models import Action, AuditEvent
from minqing.households.models import Household, Resident
from minqing.households.services import households_import, ledger
from minqing.lib.idcard import make_id_number
from minqing.lib.masking import mask_id_number

REFUSED = "该身份证号无法导入，请联系上级核实"
HEADER = ["户号", "组别", "家庭住址", "姓名", "与户主关系", "性别", "身份证号", "联系电话"]
OUTSIDE = ("H2", "H3", "HX")  # sibling village V2, township T2, the other county


def ident(seq: int, year: int = 1981) -> str:
    return make_id_number("330199", dt.date(year, 6, 7), seq)


def resident_of(county, key: str) -> Resident:
    return Resident.objects.get(household=county.households[key])


def row(name: str, id_number: str, relationship: str = "户主", code: str = "") -> list[str]:
    return [code, "一组", "东风村一组20号", name, relationship, "男", id_number, ""]


def counts() -> tuple[int, int]:
    return Household.objects.count(), Resident.objects.count()


def line_errors(report, line: int) -> list[str]:
    return [e for e in report.errors if e.startswith(f"第 {line} 行")]


def secrets_of(county, key: str) -> list[str]:
    """What a refusal must never show: the other resident's name, place and household."""
    household = county.households[key]
    village = household.group.parent
    places = [village.name] + ([village.parent.name] if village.parent != county.t1 else [])
    return [household.head_name, household.code, household.address, household.phone,
            resident_of(county, key).phone, *places]  # fmt: skip


@pytest.mark.parametrize("key", OUTSIDE)
def test_an_id_registered_outside_the_cadres_scope_is_refused_in_the_dry_run(county, key):
    elsewhere = resident_of(county, key).id_number
    rows = [HEADER, row("孙大山", ident(1)), row("钱某", elsewhere, "妻")]
    before = counts()

    checked = households_import(
        village=county.v1, rows=rows, actor=county.users["cadre"], dry_run=True
    )
    assert checked.errors == [f"第 3 行：{REFUSED}。"]
    committed = households_import(village=county.v1, rows=rows, actor=county.users["cadre"])
    assert committed.errors == [f"第 3 行：{REFUSED}。"]
    assert not committed.written
    assert counts() == before
    for secret in secrets_of(county, key):
        assert all(secret not in e for e in checked.errors + committed.errors), secret


def test_the_refusal_is_the_same_for_the_sibling_village_the_other_township_and_county(county):
    rows = [
        HEADER,
        *(row(f"某{i}", resident_of(county, k).id_number) for i, k in enumerate(OUTSIDE)),
    ]
    report = households_import(
        village=county.v1, rows=rows, actor=county.users["cadre"], dry_run=True
    )
    assert report.errors == [f"第 {n} 行：{REFUSED}。" for n in (2, 3, 4)]


def test_a_refusal_is_audited_with_the_masked_number_only(county):
    elsewhere = resident_of(county, "H2").id_number
    rows = [HEADER, row("孙大山", elsewhere)]
    households_import(village=county.v1, rows=rows, actor=county.users["cadre"], dry_run=True)
    event = AuditEvent.objects.get(action=Action.DENIED, actor=county.users["cadre"])
    # The line and masked number let the county follow up; the full number never lands.
    assert {"line": 2, "id_number": mask_id_number(elsewhere)} in event.changes["refused"]
    logged = str(event.changes) + event.note + event.object_repr + event.object_id
    assert elsewhere not in logged
    assert event.object_id == str(county.v1.pk)


def test_the_same_id_twice_in_the_file_fails_on_both_lines(county):
    twice = ident(5)
    rows = [HEADER, row("孙大山", ident(4)), row("钱小花", twice, "妻"),
            row("周老汉", ident(6)), row("周某", twice)]  # fmt: skip
    report = households_import(
        village=county.v1, rows=rows, actor=county.users["cadre"], dry_run=True
    )
    assert report.errors == [
        "第 3 行：身份证号码在文件中重复（第 3、5 行）。",
        "第 5 行：身份证号码在文件中重复（第 3、5 行）。",
    ]


def test_an_id_already_in_the_cadres_own_village_is_reported_plainly(county):
    own = resident_of(county, "H1b").id_number
    rows = [HEADER, row("孙大山", own)]
    report = households_import(
        village=county.v1, rows=rows, actor=county.users["cadre"], dry_run=True
    )
    assert report.errors == ["第 2 行：身份证号码已在档案中。"]
    assert not AuditEvent.objects.filter(action=Action.DENIED).exists()


def test_a_county_administrator_sees_the_plain_reason_for_a_resident_of_the_county(county):
    # V2 is inside the administrator's scope; the other county is not.
    rows = [HEADER, row("孙大山", resident_of(county, "H2").id_number),
            row("钱某", resident_of(county, "HX").id_number)]  # fmt: skip
    report = households_import(
        village=county.v1, rows=rows, actor=county.users["county_admin"], dry_run=True
    )
    assert report.errors == ["第 2 行：身份证号码已在档案中。", f"第 3 行：{REFUSED}。"]


def test_a_household_code_registered_elsewhere_is_neither_an_oracle_nor_a_500(county):
    outside = county.households["H2"].code
    own = county.households["H1a"].code
    rows = [HEADER, row("孙大山", ident(1), code=outside), row("钱某", ident(2), code=own)]
    before = counts()
    for dry_run in (True, False):
        report = households_import(
            village=county.v1, rows=rows, actor=county.users["cadre"], dry_run=dry_run
        )
        assert report.errors == [
            "第 2 行：该户编号无法导入，请联系上级核实。",
            f"第 3 行：户编号 {own} 已在档案中。",
        ]
        assert outside not in " ".join(report.errors)
    assert counts() == before


def test_a_generated_household_code_skips_codes_already_taken(county):
    # With 0001 gone, counting the village's households would hand out 0002 again.
    county.households["H1a"].delete()
    rows = [HEADER, row("孙大山", ident(1))]
    report = households_import(village=county.v1, rows=rows, actor=county.users["cadre"])
    assert report.ok, report.errors
    assert Household.objects.get(head_name="孙大山").code not in county.household_codes("H1b")


def test_cells_longer_than_the_registry_holds_are_bad_rows_not_a_500(county):
    rows = [
        HEADER,
        row("孙" * 41, ident(1)),
        ["X" * 25, "一组", "", "钱某", "户主", "男", ident(2), ""],
        ["", "一组", "", "周某", "户主", "男", ident(3), "1" * 21],
        ["", "一组", "址" * 201, "吴某", "户主", "男", ident(4), ""],
    ]
    before = counts()
    report = households_import(village=county.v1, rows=rows, actor=county.users["cadre"])
    assert [e[:6] for e in report.errors] == ["第 2 行：", "第 3 行：", "第 4 行：", "第 5 行："]
    assert counts() == before


def test_a_conflict_registered_between_the_dry_run_and_the_import_is_caught(county):
    newcomer = ident(7)
    rows = [HEADER, row("孙大山", ident(1)), row("钱某", newcomer, "妻")]
    cadre = county.users["cadre"]
    assert households_import(village=county.v1, rows=rows, actor=cadre, dry_run=True).ok
    Resident.objects.create(
        household=county.households["H2"], name="外村人", relationship="child", gender="F",
        id_number=newcomer,
    )  # fmt: skip
    before = counts()
    report = households_import(village=county.v1, rows=rows, actor=cadre)
    assert report.errors == [f"第 3 行：{REFUSED}。"]
    assert not report.written
    assert counts() == before


def test_a_chinese_ledger_imports_whatever_the_uploaders_language(county):
    # Found on the way: relationship labels were matched in the uploader's language, so
    # an English-speaking uploader's "户主" was "not recognised" on every line.
    rows = [HEADER, row("孙大山", ident(1)), row("孙小宝", ident(2, 2005), "子女")]
    with translation.override("en"):
        report = households_import(village=county.v1, rows=rows, actor=county.users["cadre"])
    assert report.ok, report.errors
    assert report.residents == 2


def _race(monkeypatch, county, id_number: str) -> None:
    """Another import registers `id_number` in V2 after the check, just before the write."""
    real_atomic = transaction.atomic
    fired = []

    def atomic(*args, **kwargs):
        if not fired:
            fired.append(True)
            Resident.objects.create(
                household=county.households["H2"], name="外村人", relationship="child",
                gender="F", id_number=id_number,
            )  # fmt: skip
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(ledger, "transaction", types.SimpleNamespace(atomic=atomic))


def test_a_conflict_at_write_time_rolls_everything_back_with_a_chinese_error(county, monkeypatch):
    raced = ident(8)
    rows = [HEADER, row("孙大山", ident(1)), row("钱某", raced, "妻"), row("周某", ident(9))]
    before_households = Household.objects.count()
    _race(monkeypatch, county, raced)
    report = households_import(village=county.v1, rows=rows, actor=county.users["cadre"])
    assert not report.written
    assert f"第 3 行：{REFUSED}。" in report.errors
    assert any("未导入任何数据" in e for e in report.errors)
    assert Household.objects.count() == before_households
    assert not Resident.objects.filter(name__in=["孙大山", "钱某", "周某"]).exists()


# --- Through the pages ------------------------------------------------------------------


def _upload(client, county, rows) -> str:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    file = SimpleUploadedFile("台账.csv", out.getvalue().encode("utf-8"), content_type="text/csv")
    response = client.post("/households/import/", {"village": county.v1.pk, "file": file})
    assert response.status_code == 302
    return response["Location"]


MAPPING = {"map_household": "户号", "map_group": "组别", "map_address": "家庭住址",
           "map_name": "姓名", "map_relationship": "与户主关系", "map_gender": "性别",
           "map_id_number": "身份证号", "map_phone": "联系电话"}  # fmt: skip


@pytest.mark.parametrize("key", OUTSIDE)
def test_the_check_page_refuses_an_outside_id_and_a_forced_commit_is_no_500(
    county, client_for, settings, tmp_path, key
):
    settings.VAR_DIR = tmp_path
    client = client_for("cadre")
    check_url = _upload(client, county, [row("孙大山", resident_of(county, key).id_number)])
    before = counts()
    page = client.get(check_url)
    assert page.status_code == 200
    assert REFUSED in page.text
    assert 'data-testid="commit"' not in page.text
    forced = client.post(check_url, {**MAPPING, "commit": "1"})
    assert forced.status_code == 200
    assert REFUSED in forced.text
    for secret in secrets_of(county, key):
        assert secret not in page.text, secret
        assert secret not in forced.text, secret
    assert counts() == before


def test_the_import_page_reports_a_conflict_at_write_time_without_a_500(
    county, client_for, settings, tmp_path, monkeypatch
):
    settings.VAR_DIR = tmp_path
    client = client_for("cadre")
    raced = ident(8)
    check_url = _upload(client, county, [row("孙大山", ident(1)), row("钱某", raced, "妻")])
    assert 'data-testid="commit"' in client.post(check_url, {**MAPPING, "commit": "0"}).text
    _race(monkeypatch, county, raced)
    before_households = Household.objects.count()
    done = client.post(check_url, {**MAPPING, "commit": "1"})
    assert done.status_code == 200
    assert REFUSED in done.text
    assert "未导入任何数据" in done.text
    assert Household.objects.count() == before_households
    assert client.get(check_url).status_code == 200  # the file stays for a corrected retry
