"""`python -m minqing import_categories`: load a county's case categories.

import_categories --county CODE FILE [--replace] [--dry-run]
import_categories --county CODE --defaults
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.cases.services import categories_ensure_default, categories_import_csv
from minqing.org.models import PATH_WIDTH, Level, Node


class Command(BaseCommand):
    help = (
        "导入县(区)的事项分类：CSV 每列一级(一级分类,二级分类,三级分类)，或 --defaults "
        "补齐民情日记默认分类。Import a county's case categories from a CSV (one column per "
        "level, up to three), or add the default 民情日记 categories."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--county", required=True, help="县(区)区划代码(12 位或前 6 位) county code"
        )
        parser.add_argument("file", nargs="?", help="CSV 文件 (UTF-8, UTF-8 BOM or GB18030)")
        parser.add_argument(
            "--defaults", action="store_true", help="补齐民情日记默认分类 add missing defaults"
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="停用文件中没有的现有分类 deactivate categories missing from the file",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只检查并报告，不写入 check and report only"
        )

    def handle(
        self,
        *args: Any,
        county: str,
        file: str | None,
        defaults: bool,
        replace: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        node = _county(county)
        if defaults:
            if file or replace or dry_run:
                raise CommandError("--defaults 不能与 CSV 文件、--replace 或 --dry-run 同用。")
            created = categories_ensure_default(county=node)
            total = node.categories.count()
            self.stdout.write(
                f"{node.name} 民情日记默认分类：新增 {created} 个，现有分类共 {total} 个。"
            )
            return
        if not file:
            raise CommandError("请指定 CSV 文件，或使用 --defaults。")
        try:
            report = categories_import_csv(
                county=node, path_or_file=file, replace=replace, dry_run=dry_run
            )
        except OSError as error:
            raise CommandError(f"无法读取文件 {file}：{error.strerror or error}") from error
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())


def _county(code: str) -> Node:
    code = code.strip()
    lookup = {"code": code} if len(code) > PATH_WIDTH[Level.COUNTY] else {"path": code}
    try:
        return Node.objects.get(level=Level.COUNTY, **lookup)
    except Node.DoesNotExist:
        raise CommandError(f"没有区划代码为 {code} 的县(区)。") from None
