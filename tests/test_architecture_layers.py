"""The apps keep the layer order of minqing.layers: no import runs up a layer, the apps'
import graph has no circle, and no app imports another app's views.

Read from the source (AST), so nothing is imported or run: every `import` and `from ...
import` in every module under minqing/ (migrations aside) counts, at module level or inside
a function, and so does a dotted path in a string ("minqing.cases.urls" handed to include()
or import_string()).
There is no exception: an app that registers with a lower app's registry from its
AppConfig.ready() (notify.access, kit panel slots, cases.register_hooks, org.population)
imports that lower app, which is the allowed direction.
"""

from __future__ import annotations

import ast
import functools
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from minqing.layers import LAYERS, PROJECT, layer_of

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "minqing"
DOTTED = re.compile(r"^minqing(?:\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Import:
    path: Path  # the importing file
    line: int
    source: str  # the importing module's app
    target: str  # the imported module, dotted
    code: str  # the import as written

    @property
    def target_app(self) -> str:
        return app_of(self.target)

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.code}"


def app_of(module: str) -> str:
    """minqing.cases.views -> cases; the modules directly under minqing/ -> PROJECT."""
    parts = module.split(".")
    if len(parts) < 2 or (PACKAGE / f"{parts[1]}.py").is_file():
        return PROJECT
    return parts[1]


def names_a_module(dotted: str) -> bool:
    first = PACKAGE / dotted.split(".")[1]
    return first.is_dir() or first.with_suffix(".py").is_file()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imports_of(path: Path) -> list[Import]:
    text = path.read_text()
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(path))
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    source = app_of(module)
    found: list[Import] = []

    def add(node: ast.AST, target: str) -> None:
        if target == "minqing" or target.startswith("minqing."):
            code = " ".join(lines[node.lineno - 1 : node.end_lineno])
            found.append(Import(path, node.lineno, source, target, " ".join(code.split())))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            for alias in node.names:
                # The name may be a module (`from minqing.cases import views`) or a name
                # defined in one (`from minqing.cases.views import detail`): either way
                # the full path names the app and whether it is a views module.
                add(node, f"{origin}.{alias.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # Only a path to a module of ours: "minqing.serve" is a logger's name.
            if DOTTED.match(node.value) and names_a_module(node.value):
                add(node, node.value)
    return sorted(found, key=lambda imp: imp.line)


@functools.cache
def all_imports() -> list[Import]:
    return [imp for path in source_files() for imp in imports_of(path)]


def between_apps(imports: list[Import]) -> list[Import]:
    return [imp for imp in imports if imp.source != imp.target_app]


def is_views(target: str) -> bool:
    """minqing.cases.views, minqing.portal.board_views.publish, ..."""
    return any(part == "views" or part.endswith("_views") for part in target.split(".")[2:])


def test_every_app_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    placed = {app for layer in LAYERS for app in layer}
    assert apps - placed == set(), "place the new app in minqing.layers.LAYERS"
    assert placed - apps == set(), "minqing.layers.LAYERS names an app that does not exist"


def test_no_import_runs_up_a_layer():
    upward = [
        f"{imp}  ({imp.source} imports {imp.target_app}, a higher layer)"
        for imp in between_apps(all_imports())
        if layer_of(imp.target_app) > layer_of(imp.source)
    ]
    assert upward == [], "imports against minqing.layers:\n" + "\n".join(upward)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one app (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in sorted(edges.get(app, ())):
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == app:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for app in sorted(edges):
        if app not in index:
            visit(app)
    return found


def shortest_circle(edges: dict[str, set[str]], apps: list[str]) -> list[str]:
    """The shortest path from an app of `apps` back to itself (breadth first): the loop
    to name, of the many a large circle of apps holds."""
    best: list[str] = []
    for start in apps:
        paths = {start: [start]}
        queue = [start]
        while queue:
            app = queue.pop(0)
            for other in sorted(edges.get(app, ())):
                if other == start:
                    loop = [*paths[app], start]
                    if not best or len(loop) < len(best):
                        best = loop
                    queue = []
                    break
                if other in apps and other not in paths:
                    paths[other] = [*paths[app], other]
                    queue.append(other)
    return best


def test_the_app_import_graph_has_no_circle():
    edges: dict[str, set[str]] = defaultdict(set)
    by_edge: dict[tuple[str, str], dict[str, Import]] = defaultdict(dict)
    for imp in between_apps(all_imports()):
        edges[imp.source].add(imp.target_app)
        by_edge[imp.source, imp.target_app].setdefault(f"{imp.path}:{imp.line}", imp)
    report = []
    for component in cycles(edges):
        loop = shortest_circle(edges, component)
        report.append(f"circle of {', '.join(component)}: " + " -> ".join(loop))
        for source, target in itertools.pairwise(loop):
            found = list(by_edge[source, target].values())
            report.extend(f"  {imp}" for imp in found[:3])
            if len(found) > 3:
                report.append(f"  ... and {len(found) - 3} more imports of {target} in {source}")
    assert report == [], "\n".join(report)


def test_no_app_imports_another_apps_views():
    """Pages that combine apps are composed by panels, registries or in web, never by one
    app calling another's view. The project's URL conf wires every app's views."""
    found = [
        str(imp)
        for imp in between_apps(all_imports())
        if imp.source != PROJECT and is_views(imp.target)
    ]
    assert found == [], "imports of another app's views:\n" + "\n".join(found)


def test_the_checks_see_imports_of_every_kind(tmp_path, monkeypatch):
    """The reader finds top-level, deferred, relative and string imports, and the rules
    name the file, the line and the import."""
    fake = tmp_path / "minqing"
    for app in ("org", "web"):
        (fake / app).mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "org" / "__init__.py").write_text("")
    (fake / "settings.py").write_text("")
    module = fake / "org" / "selectors.py"
    module.write_text(
        "from minqing.cases import views\n"
        "import minqing.portal.models\n"
        "def later():\n"
        "    from ..households.models import Household\n"
        "    return 'minqing.web.views.home'\n"
        "from . import roles\n"
        "from minqing import settings\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    monkeypatch.setitem(globals(), "PACKAGE", fake)
    found = [(imp.line, imp.target, imp.target_app) for imp in imports_of(module)]
    assert found == [
        (1, "minqing.cases.views", "cases"),
        (2, "minqing.portal.models", "portal"),
        (4, "minqing.households.models.Household", "households"),
        (5, "minqing.web.views.home", "web"),
        (6, "minqing.org.roles", "org"),
        (7, "minqing.settings", PROJECT),
    ]
    first = imports_of(module)[0]
    assert str(first) == "minqing/org/selectors.py:1: from minqing.cases import views"
    assert layer_of(first.target_app) > layer_of(first.source)
    assert is_views(first.target)
    assert not is_views("minqing.cases.case_page.case_page")
    graph = {"org": {"cases"}, "cases": {"org", "lib", "web"}, "web": {"org"}}
    assert cycles(graph) == [["cases", "org", "web"]]
    assert shortest_circle(graph, ["cases", "org", "web"]) == ["cases", "org", "cases"]
