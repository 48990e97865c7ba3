"""`python -m minqing demo`: load the demo county and print its sign-in accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minqing.demo import generator
from minqing.demo.plan import SCALES


class Command(BaseCommand):
    help = "加载演示县(清溪县)数据并列出演示账号。Load the demo county and list its accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="county",
            help="small: tests (600 户); county: one county (30,000 户); "
            "province: 60 counties (2,100,000 户).",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data first, then rebuild"
        )

    def handle(self, *args: Any, seed: int, scale: str, reset: bool, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        generator.load(seed=seed, scale=scale, reset=reset, log=self._log)
        self._log("")
        # `make run` shows this table so a newcomer knows how to sign in.
        self._log(generator.format_accounts(generator.demo_accounts()))

    def _log(self, message: str) -> None:
        if self.verbosity < 1:  # -v 0 (the benchmarks) wants silence
            return
        self.stdout.write(message)
        # Progress should show up while a long load runs, even when output is piped.
        self.stdout.flush()
