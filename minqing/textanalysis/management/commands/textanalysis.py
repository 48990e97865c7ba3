"""`python -m minqing textanalysis evaluate|crossval`: measure the category suggester.

evaluate --train A.csv --test B.csv [--taxonomy T.csv]   train on A, score on B
crossval --input A.csv [--folds 5] [--taxonomy T.csv]      stratified k-fold on A
hotspots --input M.csv [--top N] [--window-days D] [--json] top hot issues of a message file

evaluate and crossval print exactly one JSON object on stdout (hotspots a table, or one JSON
object with --json); problems go to stderr with exit code 2.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minqing.textanalysis.datasets import DatasetError, TaxonomyRow, read_messages, read_taxonomy
from minqing.textanalysis.evaluation import crossval, evaluate

TAXONOMY_HELP = "三级分类表 CSV(一级分类,二级分类,三级分类)，可选 optional category tree"


class Command(BaseCommand):
    help = (
        "评估留言分类模型：evaluate 用 A 训练、B 测试；crossval 做分层交叉验证。输出一个 JSON。"
        " Evaluate the message classifier (train/test or k-fold); prints one JSON object."
    )
    # No database is touched; skipping the checks keeps stdout/stderr to our own output.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("evaluate", help="训练集/测试集评估 train on A, test on B")
        ev.add_argument("--train", required=True, help="训练 CSV id,time,title,detail,label")
        ev.add_argument("--test", required=True, help="测试 CSV id,time,title,detail,label")
        ev.add_argument("--taxonomy", default=None, help=TAXONOMY_HELP)
        cv = sub.add_parser("crossval", help="分层 k 折交叉验证 stratified k-fold CV")
        cv.add_argument("--input", required=True, help="CSV id,time,title,detail,label")
        cv.add_argument("--folds", type=int, default=5, help="折数 number of folds (default 5)")
        cv.add_argument("--taxonomy", default=None, help=TAXONOMY_HELP)
        hot = sub.add_parser("hotspots", help="留言文件的热点 top hot issues of a message file")
        hot.add_argument("--input", required=True, help="CSV id,time,title,detail[,support,place]")
        hot.add_argument("--top", type=int, default=10, help="显示前 N 个 how many (default 10)")
        hot.add_argument("--window-days", type=int, default=14, help="窗口天数 (default 14)")
        hot.add_argument("--min-cases", type=int, default=3, help="最少件数 (default 3)")
        hot.add_argument("--json", action="store_true", help="输出 JSON print one JSON object")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "hotspots":
            self._hotspots(options)
            return
        try:
            taxonomy: list[TaxonomyRow] = (
                read_taxonomy(options["taxonomy"]) if options.get("taxonomy") else []
            )
            if action == "evaluate":
                result = evaluate(
                    read_messages(options["train"]), read_messages(options["test"]), taxonomy
                )
            else:
                result = crossval(read_messages(options["input"]), taxonomy, options["folds"])
        except (DatasetError, ValueError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _hotspots(self, options: dict[str, Any]) -> None:
        from minqing.textanalysis.hotspot_report import file_hotspots, format_file_hotspots

        if options["window_days"] < 1 or options["top"] < 1 or options["min_cases"] < 1:
            raise CommandError("--top, --window-days, --min-cases 须为正整数。", returncode=2)
        try:
            result = file_hotspots(
                options["input"], top=options["top"], window_days=options["window_days"],
                min_cases=options["min_cases"],
            )  # fmt: skip
        except DatasetError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(format_file_hotspots(result))
