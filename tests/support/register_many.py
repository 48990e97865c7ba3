"""Worker for the concurrent-numbering test: registers N cases through the service layer.

Usage: python -m tests.support.register_many COUNT TAG
Prints one registration number per line. Runs against whatever DATABASE_URL /
MINQING_VAR_DIR the parent test set up (a real file or server, never :memory:).
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")

import django

django.setup()

from minqing.cases.services import case_register  # noqa: E402
from minqing.org.models import Level, Node  # noqa: E402


def main() -> None:
    count, tag = int(sys.argv[1]), sys.argv[2]
    village = Node.objects.filter(level=Level.VILLAGE).order_by("code").first()
    for i in range(count):
        case, created = case_register(
            actor=None,
            node=village,
            channel="hotline",
            nature="help",
            original_text=f"并发登记测试 {tag} {i}",
            reporter_name="测试",
            idempotency_key=f"{tag}-{i}",
        )
        assert created
        print(case.number, flush=True)


if __name__ == "__main__":
    main()
