"""Read and check a village's household ledger (.xlsx or .csv); the all-or-nothing write is
`households_import` (minqing.households.services.ledger).

Villages keep ledgers in Excel with their own headers; `DEFAULT_HEADERS` maps the usual
ones (身份证号 / 公民身份号码 / 证件号码 …) and a caller may pass its own mapping. A dry
run lists every bad row with the reason in Chinese; a real run writes nothing unless every
row is good, then bulk-inserts households and residents in one transaction.

ID numbers and household codes are unique across the whole database, so the check looks
them up in the whole registry (issue 12): a number or code registered inside the
uploader's scope is reported plainly, one registered outside it gets a fixed refusal that
says neither where nor whose, and every such refusal is audited so the county sees
probing. The refusal still tells that the number "cannot be imported" — the residual
signal of a unique registry, accepted by the issue.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from minqing.households.models import (
    PROFILE_FIELDS,
    Gender,
    Household,
    Relationship,
    Resident,
    Tag,
)
from minqing.lib.idcard import id_number_problem
from minqing.lib.masking import mask_id_number
from minqing.org.models import Node, User

FIELDS = ("household", "group", "address", "name", "relationship", "gender", "birth_date",
          "id_number", "phone", "party_member", "tags", *PROFILE_FIELDS)  # fmt: skip
DEFAULT_HEADERS: dict[str, tuple[str, ...]] = {
    "household": ("户编号", "户号", "户代码"),
    "group": ("村民小组", "小组", "组别", "组", "网格"),
    "address": ("住址", "家庭住址", "地址"),
    "name": ("姓名", "名字"),
    "relationship": ("与户主关系", "关系", "家庭关系"),
    "gender": ("性别",),
    "birth_date": ("出生日期", "出生年月"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "证件号码"),
    "phone": ("手机号码", "联系电话", "电话", "手机"),
    "party_member": ("是否党员", "党员", "政治面貌"),
    "tags": ("户类别", "四类对象", "重点户类型", "标签"),
    "basic_situation": ("基本情况", "家庭基本情况"),
    "economy": ("经济与就业", "就业情况", "经济来源"),
    "key_persons": ("重点人员",),
    "migrants": ("流动人口", "外出务工情况"),
    "hardship": ("困难情况", "家庭困难情况"),
}
PARTY_YES = frozenset({"是", "党员", "中共党员", "中共预备党员", "预备党员", "Y", "y", "1"})
TAG_SEPARATORS = re.compile(r"[、,，;；/\s]+")
REQUIRED = ("group", "name", "relationship", "id_number")
# The ledgers are in Chinese whatever the uploader's language: key on the Chinese source
# labels, fixed now, not on lazy labels that would translate (and cost a gettext) per row.
with translation.override(None):
    _LABELS = {str(label): value for value, label in Relationship.choices}
_RELATIONSHIPS = _LABELS | {
    "本人": Relationship.HEAD, "妻": Relationship.SPOUSE, "夫": Relationship.SPOUSE,
    "子": Relationship.CHILD, "女": Relationship.CHILD, "长子": Relationship.CHILD,
    "长女": Relationship.CHILD, "次子": Relationship.CHILD, "次女": Relationship.CHILD,
    "父亲": Relationship.PARENT, "母亲": Relationship.PARENT, "孙子": Relationship.GRANDCHILD,
    "孙女": Relationship.GRANDCHILD,
}  # fmt: skip


@dataclass
class ImportReport:
    rows: int = 0
    households: int = 0
    residents: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(source: str | Path | IO[bytes], filename: str = "") -> list[list[str]]:
    """Every row of the first sheet (xlsx) or the file (csv, UTF-8 or GB18030) as text."""
    name = str(source) if isinstance(source, str | Path) else filename
    data = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
        return [
            ["" if v is None else _cell(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV 文件。"))
    return [row for row in csv.reader(io.StringIO(text))]


def _cell(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns 13800000001 into 13800000001.0
    return str(value).strip()


def map_columns(header: list[str], mapping: dict[str, str] | None = None) -> dict[str, int]:
    """Field → column index, from an explicit mapping or the usual header names."""
    clean = [h.strip() for h in header]
    found: dict[str, int] = {}
    for name in FIELDS:
        wanted = (mapping or {}).get(name)
        candidates = (wanted,) if wanted else DEFAULT_HEADERS[name]
        for candidate in candidates:
            if candidate in clean:
                found[name] = clean.index(candidate)
                break
    return found


def _chunks(values: list[str]) -> list[list[str]]:
    # Batched lookups, never one query per row; SQLite caps the parameters per statement.
    size = min(5000, connection.features.max_query_params or 5000)
    return [values[i : i + size] for i in range(0, len(values), size)]


def _registered(
    model: type[Household | Resident], field: str, values: set[str], actor: User | None
) -> tuple[set[str], set[str]]:
    """(inside the actor's scope, outside it) of `values` already registered anywhere.

    The unique constraint spans the whole database, so the first lookup must too; what it
    finds outside the actor's scope is only ever reported as the fixed refusal.
    """
    found: set[str] = set()
    for chunk in _chunks(sorted(values)):
        found |= set(
            model._default_manager.filter(**{f"{field}__in": chunk}).values_list(field, flat=True)
        )
    if not found or actor is None:
        return found, set()
    visible: set[str] = set()
    for chunk in _chunks(sorted(found)):
        visible |= set(
            model.objects.for_user(actor)
            .filter(**{f"{field}__in": chunk})
            .values_list(field, flat=True)
        )
    return visible, found - visible


def parse_ledger(
    rows: list[list[str]],
    columns: dict[str, int],
    groups: dict[str, Node],
    village: Node,
    county_tags: dict[str, Tag],
    actor: User | None,
    report: ImportReport,
    refused: list[dict[str, Any]],
) -> tuple[dict[str, Household], list[tuple[Resident, str]], set[tuple[str, Tag]]]:
    def get(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    # First pass: every ID number and household code in the file, so that the registry
    # is asked once per batch and a number repeated in the file is flagged on every line.
    lines = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)]
    id_lines: dict[str, list[int]] = {}
    for number, row in lines:
        if id_number := get(row, "id_number").upper():
            id_lines.setdefault(id_number, []).append(number)
    file_codes = {code for _n, row in lines if (code := get(row, "household"))}
    ids_here, ids_elsewhere = _registered(Resident, "id_number", set(id_lines), actor)
    codes_here, codes_elsewhere = _registered(Household, "code", file_codes, actor)
    # Generated codes skip every code already used, in any scope or in the file: counting
    # the village's households would hand out a deleted household's successor again.
    taken = set(
        Household.objects.filter(code__startswith=village.code).values_list("code", flat=True)
    )
    serial = len(taken)
    taken |= file_codes
    # PostgreSQL refuses an over-long value at write time (a 500); SQLite would store it.
    limits = [
        (column, field.max_length, field.verbose_name)
        for column, field in (
            ("name", Resident._meta.get_field("name")),
            ("phone", Resident._meta.get_field("phone")),
            ("address", Household._meta.get_field("address")),
            ("household", Household._meta.get_field("code")),
        )
    ]

    households: dict[str, Household] = {}
    residents: list[tuple[Resident, str]] = []
    tags: set[tuple[str, Tag]] = set()
    current = ""
    for number, row in lines:
        problems = []
        name, id_number = get(row, "name"), get(row, "id_number").upper()
        relationship = _RELATIONSHIPS.get(get(row, "relationship"))
        group = groups.get(get(row, "group"))
        if not name:
            problems.append(_("姓名为空"))
        if group is None:
            problems.append(_("村民小组“%(g)s”不存在") % {"g": get(row, "group")})
        if relationship is None:
            problems.append(_("与户主关系“%(r)s”无法识别") % {"r": get(row, "relationship")})
        if id_number:
            if problem := id_number_problem(id_number):
                problems.append(problem.rstrip("。"))
            elif id_number in ids_elsewhere:
                problems.append(_("该身份证号无法导入，请联系上级核实"))
                refused.append({"line": number, "id_number": mask_id_number(id_number)})
            elif id_number in ids_here:
                problems.append(_("身份证号码已在档案中"))
            if len(id_lines[id_number]) > 1:
                both = "、".join(str(n) for n in id_lines[id_number])
                problems.append(_("身份证号码在文件中重复（第 %(lines)s 行）") % {"lines": both})
        if not id_number and get(row, "gender") not in ("男", "女"):
            problems.append(_("没有身份证号码时必须填写性别（男/女）"))
        row_tags = [t for t in TAG_SEPARATORS.split(get(row, "tags")) if t]
        unknown = [t for t in row_tags if t not in county_tags]
        if unknown:
            problems.append(_("户类别“%(t)s”不是本县(区)的标签") % {"t": "、".join(unknown)})
        for column, limit, label in limits:
            if len(get(row, column)) > limit:
                problems.append(_("%(f)s不能超过 %(n)d 个字符") % {"f": label, "n": limit})
        code = get(row, "household")
        if code in codes_elsewhere:
            problems.append(_("该户编号无法导入，请联系上级核实"))
            refused.append({"line": number, "household": code})
        elif code in codes_here:
            problems.append(_("户编号 %(c)s 已在档案中") % {"c": code})
        if not code and relationship == Relationship.HEAD:
            serial += 1
            while (code := f"{village.code}{serial:04d}") in taken:
                serial += 1
            taken.add(code)
        code = code or current
        if not code:
            problems.append(_("无法确定所属户（缺少户编号，且前面没有户主行）"))
        if problems:
            report.errors.append(
                _("第 %(n)d 行：%(p)s。") % {"n": number, "p": "；".join(problems)}
            )
            continue
        current = code
        if code not in households:
            address = get(row, "address") or f"{village.name}{group.name}"
            households[code] = Household(
                code=code, group=group, address=address, head_name=name, phone=get(row, "phone"),
                **dict.fromkeys(PROFILE_FIELDS, ""),
            )  # fmt: skip
        elif relationship == Relationship.HEAD:
            households[code].head_name = name
        household = households[code]
        for field_name in PROFILE_FIELDS:
            # The profile is per household: the first row that fills a field sets it.
            if not getattr(household, field_name):
                setattr(household, field_name, get(row, field_name)[:2000])
        tags |= {(code, county_tags[t]) for t in row_tags}
        residents.append((_resident(row, get, name, relationship, id_number), code))
    return households, residents, tags


def _resident(row: list[str], get: Any, name: str, relationship: str, id_number: str) -> Resident:
    gender = {"男": Gender.MALE, "女": Gender.FEMALE}.get(get(row, "gender"))
    birth = None
    if len(id_number) == 18:
        gender = gender or (Gender.MALE if int(id_number[16]) % 2 else Gender.FEMALE)
        birth = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    if get(row, "birth_date"):
        try:
            birth = dt.date.fromisoformat(get(row, "birth_date")[:10])
        except ValueError:
            pass  # the ID number already gave the date; a malformed cell is not fatal
    return Resident(
        name=name, relationship=relationship, gender=gender or Gender.MALE, birth_date=birth,
        id_number=id_number, phone=get(row, "phone"),
        is_party_member=get(row, "party_member") in PARTY_YES,
    )  # fmt: skip
