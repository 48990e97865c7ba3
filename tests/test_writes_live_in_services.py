"""Every write lives in a `services` module (`services.py`, or a `services/` package).

A view, selector, task, form or helper that writes to the database — or opens a transaction —
is refused here, so the next write is made where the others are: named `<entity>_<verb>`,
keyword-only, audited, and owning its own transaction. Reads go to `selectors`.

What counts as a write, read from the source (no code is run):
- ORM calls that can only write or lock: `bulk_create`, `bulk_update`, `get_or_create`,
  `update_or_create`, `select_for_update`, and any `.create(...)`;
- `.update(...)` with keyword arguments only (a QuerySet's; `dict.update(other)` and
  `Counter.update(words)` pass the mapping positionally);
- `.save()` and `.delete()` without positional arguments (a model's or a QuerySet's;
  `cache.delete(key)`, `book.save(out)` and `model_store.save(row, obj)` pass some);
- `transaction.atomic`, called or as a decorator.
`super().save()` / `super().delete()` are a model's (or form's) own write path and are not
counted. Migrations are not scanned.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minqing"

ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create",
                 "select_for_update", "create"}  # fmt: skip

# Modules outside `services` that write on purpose, each with the reason it may. Keep this
# short: a new entry needs a reason as good as these.
ALLOWED: dict[str, str] = {
    # The demo loader fills a county with tens of thousands of rows in seconds by inserting
    # them in bulk, bypassing the services (and their per-row audit records) on purpose; one
    # bulk-load audit record covers the whole load. It still registers and moves its
    # matters through the case services where the loop itself is the point (demo/cases.py).
    "minqing/demo/generator.py": "demo bulk loader (and its reset)",
    "minqing/demo/network.py": "demo bulk loader: the liaison network",
    "minqing/demo/fieldwork.py": "demo bulk loader: diaries, visits, talk days",
    "minqing/demo/training.py": "demo bulk loader: labelled examples, first model rows",
    # The in-app channel's backend: its send() *is* the write of the Notification, run by
    # the delivery service inside the transaction that marks the outbox row sent.
    "minqing/notify/backends.py": "the in-app channel's delivery (called by outbox_deliver)",
    # django-axes calls the handler on every sign-in to clear the address's own failures:
    # the sign-in library's bookkeeping, not a write of ours.
    "minqing/web/lockout.py": "django-axes handler bookkeeping (LockoutHandler)",
}

# Receivers that are not the ORM although their method is called `save()`.
NOT_THE_ORM = {"canvas"}  # ReportLab canvases of the PDF modules


def _is_services(relative: str) -> bool:
    parts = relative.split("/")
    return parts[-1] == "services.py" or "services" in parts[:-1]


def _scanned() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and not _is_services(path.relative_to(ROOT).as_posix())
    )


def _receiver(call: ast.Call) -> ast.expr | None:
    return call.func.value if isinstance(call.func, ast.Attribute) else None


def _is_super(node: ast.expr | None) -> bool:
    return (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super"
    )


def _writes(call: ast.Call) -> str | None:
    """The write this call makes, or None."""
    if not isinstance(call.func, ast.Attribute):
        return None
    name, receiver = call.func.attr, call.func.value
    if name == "atomic" and isinstance(receiver, ast.Name) and receiver.id == "transaction":
        return "transaction.atomic"
    if name in ALWAYS_WRITES:
        return name
    if name == "update" and not call.args and call.keywords:
        return name
    if name in ("save", "delete") and not call.args and not _is_super(receiver):
        if isinstance(receiver, ast.Name) and receiver.id in NOT_THE_ORM:
            return None
        return name
    return None


def writes_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for every write in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (what := _writes(node)):
            found.append((node.lineno, what))
        # `@transaction.atomic` without parentheses is an attribute, not a call.
        decorators = getattr(node, "decorator_list", [])
        for decorator in decorators:
            if (
                isinstance(decorator, ast.Attribute)
                and decorator.attr == "atomic"
                and isinstance(decorator.value, ast.Name)
                and decorator.value.id == "transaction"
            ):
                found.append((decorator.lineno, "@transaction.atomic"))
    return sorted(found)


def test_no_module_outside_services_writes():
    offenders = []
    for path in _scanned():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED:
            continue
        for line, what in writes_in(path.read_text(encoding="utf-8")):
            offenders.append(f"{relative}:{line}: {what}")
    assert not offenders, (
        "Writes outside a services module (move them into the app's services, named "
        "<entity>_<verb>; or, for a reason as good as those in ALLOWED, list the module "
        "there):\n" + "\n".join(offenders)
    )


def test_every_allowed_module_still_writes():
    # An entry whose module no longer writes (or no longer exists) is stale: drop it.
    stale = [
        relative
        for relative in ALLOWED
        if not (ROOT / relative).exists() or not writes_in((ROOT / relative).read_text("utf-8"))
    ]
    assert not stale, f"ALLOWED lists modules that do not write: {stale}"


def test_the_scan_sees_writes_and_ignores_lookalikes():
    source = textwrap.dedent(
        """
        from django.db import transaction

        @transaction.atomic
        def a(case, counter, cache, canvas, book):
            case.save(update_fields=["status"])
            Case.objects.filter(pk=1).update(status="x")
            Case.objects.create(number="1")
            Case.objects.filter(pk=1).delete()
            with transaction.atomic():
                pass
            counter.update(["word"])
            cache.delete("key")
            canvas.save()
            book.save(out)
            super().save()
        """
    )
    assert [what for _line, what in writes_in(source)] == [
        "@transaction.atomic",
        "save",
        "update",
        "create",
        "delete",
        "transaction.atomic",
    ]
