"""Importing a village ledger: usual Chinese headers, every bad row reported in Chinese,
all or nothing, xlsx and csv."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from minqing.households.importer import read_rows
from minqing.households.models import Household, Resident
from minqing.households.services import households_import
from minqing.lib.idcard import make_id_number

HEADER = ["户号", "组别", "家庭住址", "姓名", "与户主关系", "性别", "身份证号", "联系电话"]


def ident(seq: int, year: int = 1970) -> str:
    return make_id_number("330199", dt.date(year, 3, 4), seq)


def ledger(county, extra_rows=()):
    return [
        HEADER,
        ["", "一组", "东风村一组8号", "孙大山", "户主", "男", ident(11), "13700000011"],
        ["", "一组", "", "钱小花", "妻", "女", ident(12, 1972), ""],
        ["", "二组", "东风村二组3号", "周老汉", "户主", "", ident(13, 1950), ""],
        ["", "二组", "", "周小宝", "孙子", "男", "", ""],
        *extra_rows,
    ]


def test_clean_ledger_imports_households_and_members(county):
    report = households_import(village=county.v1, rows=ledger(county), actor=None)
    assert report.ok, report.errors
    assert (report.households, report.residents) == (2, 4)
    sun = Household.objects.get(head_name="孙大山")
    assert sun.group == county.g1a
    assert set(sun.members.values_list("name", flat=True)) == {"孙大山", "钱小花"}
    zhou = Resident.objects.get(name="周老汉")
    assert (zhou.gender, zhou.birth_date) == ("M", dt.date(1950, 3, 4))  # read from the ID


def test_bad_rows_are_listed_and_nothing_is_written(county):
    bad_id = ident(21)[:-1] + ("0" if ident(21)[-1] != "0" else "1")
    rows = ledger(county, [
        ["", "九组", "", "吴某", "户主", "男", ident(20), ""],
        ["", "一组", "", "郑某", "户主", "男", bad_id, ""],
        ["", "一组", "", "王某", "表亲", "男", ident(22), ""],
        ["", "一组", "", "赵某", "户主", "男", ident(11), ""],
    ])  # fmt: skip
    before = Resident.objects.count()
    report = households_import(village=county.v1, rows=rows, actor=None)

    def reported(row: int, reason: str) -> bool:
        return any(f"第 {row} 行" in e and reason in e for e in report.errors)

    assert reported(6, "村民小组“九组”不存在")
    assert reported(7, "校验位不正确")
    assert reported(8, "无法识别")
    assert reported(9, "在文件中重复")
    assert not report.written
    assert Resident.objects.count() == before


def test_person_already_in_the_registry_is_a_duplicate(county):
    existing = Resident.objects.get(household=county.households["H1a"])
    rows = [HEADER, ["", "一组", "", "张建国", "户主", "男", existing.id_number, ""]]
    report = households_import(village=county.v1, rows=rows, actor=None)
    assert "身份证号码已在档案中" in report.errors[0]


def test_dry_run_checks_without_writing(county):
    report = households_import(village=county.v1, rows=ledger(county), actor=None, dry_run=True)
    assert report.ok
    assert not report.written
    assert not Household.objects.filter(head_name="孙大山").exists()


def test_xlsx_ledger_with_numbers_as_numbers(county, tmp_path):
    book = Workbook()
    sheet = book.active
    for row in ledger(county):
        sheet.append(row)
    sheet["H2"] = 13700000011  # Excel stores the phone as a number
    path = tmp_path / "台账.xlsx"
    book.save(path)
    rows = read_rows(path)
    assert rows[1][7] == "13700000011"
    assert households_import(village=county.v1, rows=rows, actor=None).ok


def test_gb18030_csv_through_the_command(county, tmp_path, capsys):
    buffer = io.StringIO()
    import csv

    csv.writer(buffer).writerows(ledger(county))
    path = tmp_path / "台账.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))
    call_command("import_households", "--village", county.v1.code, str(path))
    assert "2 户，4 人" in capsys.readouterr().out
    with pytest.raises(CommandError, match="导入失败"):
        call_command(
            "import_households", "--village", county.v1.code, str(path)
        )  # again: duplicates


def test_party_members_tags_and_profile_columns_are_imported(county):
    from minqing.households.services import tags_ensure_default

    tags_ensure_default(county=county.county)
    rows = [
        [*HEADER, "政治面貌", "户类别", "困难情况"],
        ["", "一组", "东风村一组8号", "孙大山", "户主", "男", ident(11), "", "中共党员",
         "困难户、老党员", "长期患病"],
        ["", "一组", "", "钱小花", "妻", "女", ident(12, 1972), "", "群众", "", ""],
    ]  # fmt: skip
    report = households_import(village=county.v1, rows=rows, actor=None)
    assert report.ok, report.errors
    sun = Household.objects.get(head_name="孙大山")
    assert set(sun.tags.values_list("code", flat=True)) == {"hardship", "old_party_member"}
    assert sun.hardship == "长期患病"
    assert list(sun.members.filter(is_party_member=True).values_list("name", flat=True)) == [
        "孙大山"
    ]


def test_an_unknown_household_type_is_a_bad_row(county):
    rows = [[*HEADER, "户类别"], ["", "一组", "", "孙大山", "户主", "男", ident(11), "", "五保户"]]
    report = households_import(village=county.v1, rows=rows, actor=None)
    assert not report.ok
    assert any("第 2 行" in e and "“五保户”不是本县(区)的标签" in e for e in report.errors)
    assert not Household.objects.filter(head_name="孙大山").exists()
