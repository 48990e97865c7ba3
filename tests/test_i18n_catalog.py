"""English works: every translatable string in templates and code has an English entry,
and the compiled catalog matches its source."""

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale/en/LC_MESSAGES/django.po"
MO = ROOT / "locale/en/LC_MESSAGES/django.mo"

# Literal strings in {% translate "…" %}, and in _("…") / gettext_lazy("…") in Python.
TEMPLATE_RE = re.compile(r"""{%\s*translate\s+(["'])(.+?)\1""")
PYTHON_RE = re.compile(r"""\b_\(\s*(["'])(.+?)\1\s*[,)]""")


def parse_po(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for block in text.split("\n\n"):
        msgctxt = re.search(r'^msgctxt "(.*)"', block, re.M)
        msgid = re.search(r'^msgid "(.*)"((?:\n".*")*)', block, re.M)
        msgstr = re.search(r'^msgstr "(.*)"((?:\n".*")*)', block, re.M)
        if not msgid or not msgstr:
            continue

        def join(m: re.Match[str]) -> str:
            return m.group(1) + "".join(re.findall(r'"(.*)"', m.group(2)))

        # Entries with a context are stored the way GNU gettext keys them: ctx EOT msgid.
        key = f"{msgctxt.group(1)}\x04{join(msgid)}" if msgctxt else join(msgid)
        entries[key] = join(msgstr)
    entries.pop("", None)
    return entries


def source_strings() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        found |= {m.group(2) for m in TEMPLATE_RE.finditer(path.read_text())}
    for path in (ROOT / "minqing").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        found |= {m.group(2) for m in PYTHON_RE.finditer(path.read_text())}
    return {s for s in found if re.search(r"[\u4e00-\u9fff]", s)}


def test_every_chinese_source_string_has_an_english_translation():
    entries = parse_po(PO.read_text())
    with_context = {k.split("\x04", 1)[1]: v for k, v in entries.items() if "\x04" in k}
    missing = sorted(
        s
        for s in source_strings()
        if not (entries.get(s.replace('"', '\\"')) or with_context.get(s.replace('"', '\\"')))
    )
    assert missing == [], f"run makemessages -l en and translate: {missing}"


def test_compiled_catalog_matches_the_po_file():
    entries = parse_po(PO.read_text())
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [k for k, v in entries.items() if "\\" not in k and compiled.gettext(k) != v]
    assert stale == [], "recompile: msgfmt -o locale/en/LC_MESSAGES/django.mo …django.po"
