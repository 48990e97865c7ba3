from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minqing.households.importer import read_rows
from minqing.households.services import households_import
from minqing.org.models import Level, Node


class Command(BaseCommand):
    help = "导入村(社区)户籍台账 (.xlsx/.csv)，全部成功或全部不导入；--dry-run 只检查"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--village", required=True, help="村(社区)的 12 位区划代码")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, village: str, file: str, dry_run: bool, **options: Any) -> None:
        node = Node.objects.filter(code=village, level=Level.VILLAGE).first()
        if node is None:
            raise CommandError(f"没有区划代码为 {village} 的村(社区)。")
        try:
            rows = read_rows(file)
        except (OSError, ValueError) as error:
            raise CommandError(f"无法读取文件：{error}") from error
        report = households_import(village=node, rows=rows, actor=None, dry_run=dry_run)
        if report.errors:
            raise CommandError("导入失败，未写入任何数据：\n" + "\n".join(report.errors[:200]))
        verb = "检查通过(未写入)" if dry_run else "导入完成"
        self.stdout.write(
            f"{verb}：{report.rows} 行，{report.households} 户，{report.residents} 人，"
            f"用时 {report.seconds:.2f} 秒。"
        )
