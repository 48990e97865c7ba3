"""Every URL that names an object answers 404 to everyone outside the object's scope.

The test walks the whole URL configuration (namespaced includes and the admin too). Each
pattern is either
- COVERED: its kwargs are filled with real objects of the fixture county's 东风村 (V1) or
  城关镇 (T1), built through the services, and it is requested as personas outside their
  scope — GET, and POST as well — expecting 404 (never 200, 302, 403 or 500), with the
  database unchanged afterwards; or
- on an allowlist: public pages (the portal, sign-in, the card's landing page…), and pages
  that name no object (lists, forms), which are requested by the outsiders too and must
  show nothing that identifies the objects.
A new URL pattern that is neither fails the test, so a new page gets its check with it.

The Django admin's object pages (change, history, delete, the user password page, "view on
site") are covered for every model of ours the admin registers, as the other county's
administrator: Django answers an object outside the admin's queryset the way it answers a
missing one (a redirect to the admin index, or 404), which is what is asserted.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from minqing.audit.models import AuditEvent
from minqing.cases.models import CaseRules, Category
from minqing.cases.services import attachment_add, case_register, supervision_open
from minqing.fieldwork.models import FieldworkRules
from minqing.fieldwork.services import (
    diary_follow_up_add,
    diary_record,
    photos_add,
    reception_record,
    talk_day_add,
    talk_item_add,
    visit_plan_create,
    visit_record,
)
from minqing.households.models import ContactRules, Tag
from minqing.households.services import (
    cards_ensure,
    contact_assign,
    group_post_add,
    liaison_appoint,
    tags_ensure_default,
)
from minqing.notify.models import Channel, Notification, Outbox
from minqing.notify.services import outbox_queue
from minqing.textanalysis.models import HotSpot, InsightRules, UrgencyTerm
from minqing.textanalysis.services import (
    hotspots_refresh,
    model_request_training,
    urgency_terms_ensure_default,
)
from tests.conftest import County

# --- who is outside ---------------------------------------------------------------------

# 西岭村's cadre (same township), 南湾村's cadre (other township), the other county's
# administrator and department handler.
OUTSIDE_VILLAGE = ("sibling", "other_township", "other_admin", "other_dept")
# A township-level object (at 城关镇 itself) is outside 西岭村's subtree too.
OUTSIDE_TOWNSHIP = OUTSIDE_VILLAGE
# A township page (the network map) is shown to the villages below it, each its part.
OUTSIDE_TOWNSHIP_PAGE = ("other_township", "other_admin", "other_dept")
# Records a county owns as a whole.
OUTSIDE_COUNTY = ("other_admin", "other_dept")
# Residents' records: the roles the household scoping excludes are outside too.
OUTSIDE_RESIDENTS = (*OUTSIDE_VILLAGE, "dept_handler", "deputy")
# A case not sent to the county department is outside its handler's scope.
OUTSIDE_CASE = (*OUTSIDE_VILLAGE, "dept_handler")
# A staff message is its addressee's only.
OUTSIDE_INBOX = ("colleague", "sibling", "township_staff", "county_admin", "other_admin")
# A place's own records at 东风村 itself: a liaison of one of its groups sits below it;
# the department's handler and the deputy have no part in a village's talk point, network
# or hot spots.
OUTSIDE_VILLAGE_RECORDS = (*OUTSIDE_VILLAGE, "liaison", "dept_handler", "deputy")
# A diary and a visit log are their author's (and their reviewers'): the colleague in the
# same village and the township's staff are outside too (seed 004 rule 4).
OUTSIDE_PERSONAL = (*OUTSIDE_VILLAGE_RECORDS, "colleague", "township_staff")
# Adding photos to a record is its author's only: the reviewers are outside too.
OUTSIDE_AUTHOR = (*OUTSIDE_PERSONAL, "county_admin", "county_supervisor")
# A deputies' office at 城关镇 (T1): its villages' people sit below it.
OUTSIDE_OFFICE = (*OUTSIDE_TOWNSHIP, "cadre", "colleague", "liaison")


# --- the objects ------------------------------------------------------------------------

WELL = [
    "老水井这几天水发浑，全组都靠水井饮水",
    "水井的水有怪味，不敢饮水，请检测水质",
    "水井旁边有人倒垃圾，污水流进水井，饮水不安全",
    "水井的水浑浊发黄，饮水让人担心",
]


@dataclass
class World:
    county: County
    objects: dict[str, Any] = field(default_factory=dict)
    # Text that identifies the objects: no outsider's page may show any of it. The
    # county's own records (a category's name) are seen county-wide: they are marked
    # separately, for the other county only.
    marks: list[str] = field(default_factory=list)
    county_marks: list[str] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.objects[key]


def _jpeg(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, format="JPEG")
    return out.getvalue()


def _upload(name: str, color: tuple[int, int, int]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _jpeg(color), content_type="image/jpeg")


def build_world(county: County, django_capture_on_commit_callbacks: Any) -> World:
    """One object of each kind in 东风村 (V1) or 城关镇 (T1), through the services."""
    u = county.users
    cadre, today = u["cadre"], timezone.localdate()
    h1a = county.households["H1a"]
    w = World(county=county)
    o = w.objects

    case, _ = case_register(
        actor=cadre, node=county.g1a, channel="hotline", nature="help",
        original_text="东风村一组的灌溉渠堵塞漫水，淹了几户的菜地", title="灌溉渠堵塞漫水甲九",
        reporter_name="柏反映", reporter_phone="13712340000",
    )  # fmt: skip
    o["case"] = case
    w.marks += [case.number, case.title, "柏反映"]
    o["attachment"] = attachment_add(
        case=case, upload=_upload("渠道现场甲九.jpg", (10, 200, 10)), actor=cadre
    )
    o["supervision"] = supervision_open(
        case=case, unit=county.center, actor=u["township_staff"], reason="督办灌溉渠甲九"
    )
    w.marks += ["渠道现场甲九", "督办灌溉渠甲九"]
    for i, text in enumerate(WELL):
        case_register(
            actor=None, node=[county.g1a, county.g1b][i % 2], channel="hotline", nature="help",
            original_text=text, reporter_name=f"村民{i}", reporter_phone=f"1372222{i:04d}",
            reported_at=timezone.now() - dt.timedelta(days=i, hours=1),
        )  # fmt: skip
    hotspots_refresh(county=county.county)
    o["hot_spot"] = HotSpot.objects.get(node=county.v1)

    o["household"] = h1a
    o["member"] = h1a.members.get()
    w.marks += [h1a.code, h1a.head_name]
    (o["contact"],), _held = contact_assign(
        actor=cadre, cadre=cadre, village=county.v1, households=[h1a], note="联系甲九"
    )
    o["liaison"] = liaison_appoint(
        actor=cadre, group=county.g1a, name="韩联络甲", phone="13755550001",
        background="old_party_member",
    )  # fmt: skip
    o["post"] = group_post_add(
        actor=cadre, group=county.g1a, kind="leader", name="秦组长甲", phone="13755550002"
    )
    o["card"] = cards_ensure(actor=cadre, households=[h1a])[h1a.pk]
    w.marks += ["韩联络甲", "秦组长甲", o["card"].token]

    entry, _ = diary_record(
        author=cadre, node=county.v1, date=today, category="economy",
        title="渠道清淤日记甲九", narrative="村民反映渠道淤塞甲九，组织清淤。", households=[h1a],
    )  # fmt: skip
    o["entry"] = entry
    o["follow_up"], _ = diary_follow_up_add(
        entry=entry, actor=cadre, date=today, text="清淤完成一半甲九"
    )
    visit, _ = visit_record(
        actor=cadre, node=county.v1, date=today, form="home", households=[h1a],
        heard="张家反映屋后山体裂缝甲九",
    )  # fmt: skip
    o["visit"] = visit
    o["plan"], _ = visit_plan_create(
        actor=cadre, visitor=cadre, node=county.v1, form="home", place="东风村委会",
        starts_at=timezone.now() + dt.timedelta(days=2), duty="入户走访甲九", public=False,
    )  # fmt: skip
    o["visit_photo"] = photos_add(
        visit=visit, entry=None, uploads=[_upload("山体裂缝甲九.jpg", (90, 90, 90))], actor=cadre
    )[0]
    o["entry_photo"] = photos_add(
        visit=None, entry=entry, uploads=[_upload("渠道淤塞甲九.jpg", (20, 20, 90))], actor=cadre
    )[0]
    w.marks += ["渠道清淤日记甲九", "清淤完成一半甲九", "屋后山体裂缝甲九", "入户走访甲九"]
    w.marks += ["山体裂缝甲九", "渠道淤塞甲九"]

    o["talk_day"], _ = talk_day_add(actor=cadre, village=county.v1, date=today)
    # The quarter's last opening is its evaluation day (评事日), which has a page of its own.
    type(o["talk_day"]).objects.filter(pk=o["talk_day"].pk).update(evaluation=True)
    o["talk_item"], _ = talk_item_add(
        actor=cadre, talk_day=o["talk_day"], text="路灯坏了三盏甲九", speaker="柏说事"
    )
    o["reception"], _ = reception_record(
        actor=u["deputy"], date=today, record_text="代表接待记录甲九", visitors=3
    )
    w.marks += ["路灯坏了三盏甲九", "柏说事", "代表接待记录甲九"]

    o["text_model"] = model_request_training(
        county=county.county, kind="category", actor=u["county_admin"]
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox_queue(
            channel=Channel.IN_APP, dedupe_key="scope-walk", subject="交办通知甲九",
            body="交办通知甲九的详情", user=cadre,
        )  # fmt: skip
    o["notification"] = Notification.objects.get(source__dedupe_key="scope-walk")
    o["outbox"] = Outbox.objects.get(dedupe_key="scope-walk")
    w.marks += ["交办通知甲九"]

    # The county's own records, for the admin's object pages.
    tags_ensure_default(county=county.county)
    urgency_terms_ensure_default(county=county.county, actor=None)
    o["tag"] = Tag.objects.filter(county=county.county).first()
    o["urgency_term"] = UrgencyTerm.objects.filter(county=county.county).first()
    o["category"] = Category.objects.create(county=county.county, code="JJ9", name="渠道甲九类")
    o["case_rules"] = CaseRules.objects.create(county=county.county)
    o["contact_rules"] = ContactRules.objects.create(county=county.county, hotline="9999-甲九")
    o["fieldwork_rules"] = FieldworkRules.objects.create(county=county.county)
    o["insight_rules"] = InsightRules.objects.create(county=county.county)
    o["audit_event"] = AuditEvent.objects.filter(actor=cadre).latest("id")
    w.county_marks += ["渠道甲九类", "9999-甲九"]
    return w


# --- the URL patterns -------------------------------------------------------------------

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Covered:
    kwargs: Kwargs
    outsiders: tuple[str, ...]


def post_data(w: World) -> dict[str, Any]:
    """One form that would do something on most of the POST views (a note on a case, a
    follow-up, a category, a supervision step, a reason to reveal…): an outsider's POST
    must fail on the scope, not on an empty form."""
    text = "越权提交的内容"
    return {
        "action": "note", "note": text, "reason": text, "text": text, "kind": "inquiry",
        "summary": text, "result": text, "date": timezone.localdate().isoformat(),
        "category": w["category"].pk, "open": "1", "comment": text, "speaker": text,
    }  # fmt: skip


def _case(w: World) -> dict[str, Any]:
    return {"number": w["case"].number}


def _pk(key: str) -> Kwargs:
    return lambda w: {"pk": w[key].pk}


def _code(key: str, name: str = "code") -> Kwargs:
    return lambda w: {name: getattr(w.county, key).code}


COVERED: dict[str, Covered] = {
    "org:node": Covered(_code("v1"), (*OUTSIDE_VILLAGE, "liaison")),
    "households:import_check": Covered(
        lambda w: {"token": w["upload_token"], "village": w.county.v1.code}, OUTSIDE_RESIDENTS
    ),
    "households:detail": Covered(lambda w: {"code": w["household"].code}, OUTSIDE_RESIDENTS),
    "households:tags": Covered(lambda w: {"code": w["household"].code}, OUTSIDE_RESIDENTS),
    "households:profile": Covered(lambda w: {"code": w["household"].code}, OUTSIDE_RESIDENTS),
    "households:reveal": Covered(
        lambda w: {"code": w["household"].code, "pk": w["member"].pk}, OUTSIDE_RESIDENTS
    ),
    "network:contacts": Covered(_code("v1", "village"), OUTSIDE_RESIDENTS),
    "network:assign": Covered(_code("v1", "village"), OUTSIDE_RESIDENTS),
    "network:end": Covered(_pk("contact"), OUTSIDE_RESIDENTS),
    "network:liaisons": Covered(_code("v1", "village"), OUTSIDE_VILLAGE_RECORDS),
    "network:appoint": Covered(_code("v1", "village"), OUTSIDE_VILLAGE_RECORDS),
    "network:add_post": Covered(_code("v1", "village"), OUTSIDE_VILLAGE_RECORDS),
    "network:letter": Covered(_pk("liaison"), OUTSIDE_VILLAGE_RECORDS),
    "network:dismiss": Covered(_pk("liaison"), OUTSIDE_VILLAGE_RECORDS),
    "network:remove_post": Covered(_pk("post"), OUTSIDE_VILLAGE_RECORDS),
    "network:map": Covered(_code("t1", "township"), OUTSIDE_TOWNSHIP_PAGE),
    "network:map_data": Covered(_code("t1", "township"), OUTSIDE_TOWNSHIP_PAGE),
    "network:map_pdf": Covered(_code("t1", "township"), OUTSIDE_TOWNSHIP_PAGE),
    "network:cards": Covered(_code("v1", "village"), OUTSIDE_RESIDENTS),
    "network:cards_pdf": Covered(_code("v1", "village"), OUTSIDE_RESIDENTS),
    "network:cards_issue": Covered(_code("v1", "village"), OUTSIDE_RESIDENTS),
    "network:cards_reissue": Covered(_code("v1", "village"), OUTSIDE_RESIDENTS),
    "portal:board_publish": Covered(_case, OUTSIDE_CASE),
    "portal:board_withdraw": Covered(_case, OUTSIDE_CASE),
    "diary:detail": Covered(_pk("entry"), OUTSIDE_PERSONAL),
    "diary:edit": Covered(_pk("entry"), OUTSIDE_PERSONAL),
    "diary:follow_up": Covered(_pk("entry"), OUTSIDE_PERSONAL),
    "diary:result": Covered(_pk("entry"), OUTSIDE_PERSONAL),
    "diary:raise_case": Covered(_pk("entry"), OUTSIDE_PERSONAL),
    "diary:review_entry": Covered(_pk("entry"), OUTSIDE_PERSONAL),
    "visits:detail": Covered(_pk("visit"), OUTSIDE_PERSONAL),
    "visits:to_case": Covered(_pk("visit"), OUTSIDE_PERSONAL),
    "visits:plan_cancel": Covered(_pk("plan"), (*OUTSIDE_VILLAGE, "liaison")),
    "talk:village": Covered(_code("v1"), OUTSIDE_VILLAGE_RECORDS),
    "talk:schedule": Covered(_code("v1"), OUTSIDE_VILLAGE_RECORDS),
    "talk:generate": Covered(_code("v1"), OUTSIDE_VILLAGE_RECORDS),
    "talk:add_day": Covered(_code("v1"), OUTSIDE_VILLAGE_RECORDS),
    "talk:rota": Covered(_code("v1"), OUTSIDE_VILLAGE_RECORDS),
    "talk:meetings": Covered(_code("v1"), OUTSIDE_VILLAGE_RECORDS),
    "talk:day": Covered(_pk("talk_day"), OUTSIDE_VILLAGE_RECORDS),
    "talk:item_add": Covered(_pk("talk_day"), OUTSIDE_VILLAGE_RECORDS),
    "talk:day_note": Covered(_pk("talk_day"), OUTSIDE_VILLAGE_RECORDS),
    "talk:evaluation": Covered(_pk("talk_day"), OUTSIDE_VILLAGE_RECORDS),
    "talk:item_sort": Covered(_pk("talk_item"), OUTSIDE_VILLAGE_RECORDS),
    "talk:item_case": Covered(_pk("talk_item"), OUTSIDE_VILLAGE_RECORDS),
    "talk:item_meeting": Covered(_pk("talk_item"), OUTSIDE_VILLAGE_RECORDS),
    "talk:reception": Covered(_pk("reception"), OUTSIDE_OFFICE),
    "talk:reception_case": Covered(_pk("reception"), OUTSIDE_OFFICE),
    "field_photo": Covered(_pk("visit_photo"), OUTSIDE_PERSONAL),
    "field_photo_add_visit": Covered(_pk("visit"), OUTSIDE_AUTHOR),
    "field_photo_add_entry": Covered(_pk("entry"), OUTSIDE_AUTHOR),
    "cases:track": Covered(_case, OUTSIDE_CASE),
    "cases:follow_up": Covered(lambda w: {**_case(w), "pk": w["supervision"].pk}, OUTSIDE_CASE),
    "cases:detail": Covered(_case, OUTSIDE_CASE),
    "cases:act": Covered(_case, OUTSIDE_CASE),
    "cases:attach": Covered(_case, OUTSIDE_CASE),
    "cases:edit": Covered(_case, OUTSIDE_CASE),
    "cases:reveal": Covered(_case, OUTSIDE_CASE),
    "cases:file": Covered(lambda w: {**_case(w), "pk": w["attachment"].pk}, OUTSIDE_CASE),
    "cases:pdf": Covered(lambda w: {**_case(w), "form": "collect"}, OUTSIDE_CASE),
    "insight:hot_detail": Covered(_pk("hot_spot"), OUTSIDE_VILLAGE_RECORDS),
    "insight:hot_handle": Covered(_pk("hot_spot"), OUTSIDE_VILLAGE_RECORDS),
    "insight:activate": Covered(_pk("text_model"), OUTSIDE_COUNTY),
    "insight:case_panel": Covered(_case, OUTSIDE_CASE),
    "insight:adopt_category": Covered(_case, OUTSIDE_CASE),
    "insight:similar_for_case": Covered(_case, OUTSIDE_CASE),
    "notify:read": Covered(_pk("notification"), OUTSIDE_INBOX),
}

# Pages anyone may open: they name no staff object, or name one publicly on purpose.
# THIS LIST MAY ONLY SHRINK: a page that shows staff or residents' records is no public page.
PUBLIC: dict[str, str] = {
    "login": "sign-in",
    "logout": "sign-out",
    "set_language": "language switch",
    "card_landing": "the contact card's QR page: public by design (the card is printed)",
    "track": "residents' status page: opened by number and secret query code",
    "portal:home": "residents' portal",
    "portal:submit": "residents' portal",
    "portal:track": "residents' portal: number and secret query code",
    "portal:rate": "residents' portal: number and secret query code",
    "portal:board": "public board",
    "portal:board_place": "public board of a place: published, anonymised posts only",
    "admin:login": "the admin's sign-in",
    "admin:logout": "the admin's sign-out",
    "admin:jsi18n": "the admin's translations",
}

# Pages that name no object: lists, forms and actions on the user's own things. The
# outsiders open them too, and none of the objects' identifying text may appear.
# THIS LIST MAY ONLY SHRINK: a new page that names an object belongs in COVERED.
NO_OBJECT: dict[str, str] = {
    "home": "dashboard",
    "password_change": "own password",
    "password_change_done": "own password",
    "org:tree": "tree from the user's node",
    "org:staff": "staff list",
    "households:list": "household list",
    "households:export": "household export (xlsx)",
    "households:import": "upload form: villages in scope",
    "network:index": "network overview",
    "diary:list": "own diary",
    "diary:new": "new entry form",
    "diary:review": "review queue",
    "diary:team": "who is behind",
    "diary:compile": "volume form",
    "visits:list": "visit log",
    "visits:new": "new visit form",
    "visits:plans": "visit plans",
    "visits:progress": "visit quotas",
    "talk:index": "talk points: sends a village cadre to their village",
    "talk:overview": "talk figures by village",
    "talk:receptions": "receptions",
    "talk:reception_new": "new reception form",
    "cases:queue": "work queue",
    "cases:list": "case list",
    "cases:register": "registration form",
    "cases:box": "suggestion-box session form",
    "cases:supervision": "tracked list",
    "insight:hot_list": "hot spots",
    "insight:keywords": "keyword trends",
    "insight:keywords_export": "keyword trends (xlsx)",
    "insight:models": "the user's county's models",
    "insight:train": "trains the user's own county's model; <kind> is no object",  # see below
    "insight:import_examples": "imports into the user's own county",
    "insight:suggest": "suggestions for posted text",
    "notify:list": "own inbox",
    "notify:read_all": "marks the user's own messages",
    "admin:index": "admin index",
    "admin:password_change": "own password",
    "admin:password_change_done": "own password",
    "admin:autocomplete": "the admin's autocomplete: answers from the admin's querysets",
    "admin:app_list": "admin app index",
    "admin:lockouts": "sign-in lockouts",
    "admin:textanalysis_urgencyterm_ensure_defaults": "adds to the admin's own county",
}

# The pages on NO_OBJECT with a URL argument, and why the argument names no object.
NO_OBJECT_ARGUMENTS = {
    "insight:train": "a model kind (category, routing, urgency)",
    "admin:app_list": "an app's label (the admin index of one app)",
}

# The admin's pages for models that are not ours (Django's groups, the lockout records,
# the task queue): no residents' data, and the admin is the county administrator's only.
THIRD_PARTY_ADMIN = ("auth", "axes", "django_tasks_database")

# Models of ours in the admin with no place and no county: nothing to scope.
ADMIN_UNPLACED = {"cases.holiday": "national public holidays and swapped working days"}

# The admin object built for each model of ours the admin registers.
ADMIN_OBJECTS: dict[str, Callable[[World], Any]] = {
    "org.node": lambda w: w.county.v1,
    "org.unit": lambda w: w.county.station,
    "org.user": lambda w: w.county.users["cadre"],
    "households.household": lambda w: w["household"],
    "households.tag": lambda w: w["tag"],
    "households.contactrules": lambda w: w["contact_rules"],
    "households.liaison": lambda w: w["liaison"],
    "households.grouppost": lambda w: w["post"],
    "cases.category": lambda w: w["category"],
    "cases.caserules": lambda w: w["case_rules"],
    "notify.outbox": lambda w: w["outbox"],
    "fieldwork.fieldworkrules": lambda w: w["fieldwork_rules"],
    "textanalysis.insightrules": lambda w: w["insight_rules"],
    "textanalysis.urgencyterm": lambda w: w["urgency_term"],
    "audit.auditevent": lambda w: w["audit_event"],
}
ADMIN_OBJECT_ROUTES = ("change", "history", "delete")


@dataclass(frozen=True)
class Route:
    route: str
    name: str  # "namespace:name", or "" for an unnamed pattern
    keys: tuple[str, ...]  # the kwargs the route takes


def walk(resolver: URLResolver | None = None, prefix: str = "", ns: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = (
                f"{ns}:{pattern.namespace}"
                if ns and pattern.namespace
                else (pattern.namespace or ns)
            )
            yield from walk(pattern, route, inner or "")
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{ns}:{pattern.name}" if ns and pattern.name else (pattern.name or "")
            keys = tuple(pattern.pattern.regex.groupindex)
            yield Route(route, name, keys)


def admin_model_of(route: Route) -> str | None:
    """The model label ("org.node") an admin model page belongs to, or None."""
    match = re.match(r"^admin/(\w+)/(\w+)/", route.route)
    if not match or not route.route.startswith("admin/") or match.group(1) == "r":
        return None
    label = f"{match.group(1)}.{match.group(2)}"
    return label if label in {m._meta.label_lower for m in admin.site._registry} else None


def classify(route: Route) -> str:
    """Where a pattern is handled, or "" when nowhere (the test then fails)."""
    if route.name in COVERED:
        return "covered"
    if route.name in PUBLIC:
        return "public"
    if route.name in NO_OBJECT:
        return "no object"
    if route.name == "admin:view_on_site" or route.name == "admin:auth_user_password_change":
        return "admin object"
    if route.name == "" and route.route == "admin/(?P<url>.*)$":
        return "public"  # the admin's catch-all: redirects to its sign-in or 404s
    label = admin_model_of(route)
    if label is not None:
        if label.split(".")[0] in THIRD_PARTY_ADMIN or label in ADMIN_UNPLACED:
            return "third party"
        if label in ADMIN_OBJECTS:
            return "admin object" if route.keys else "admin list"
    return ""


ROUTES = list(walk())


def test_every_url_pattern_is_covered_or_allowlisted() -> None:
    missing = [f"{r.route} ({r.name or 'unnamed'})" for r in ROUTES if not classify(r)]
    assert not missing, (
        "URL patterns with no out-of-scope check: add them to COVERED (they name an object) "
        f"or, if they truly name none, to NO_OBJECT / PUBLIC: {missing}"
    )


def test_the_allowlists_name_only_existing_patterns() -> None:
    names = {r.name for r in ROUTES}
    stale = [n for n in (*COVERED, *PUBLIC, *NO_OBJECT) if n not in names]
    assert not stale, f"no such URL pattern: {stale}"
    with_arguments = {r.name for r in ROUTES if r.name in NO_OBJECT and r.keys}
    assert with_arguments == set(NO_OBJECT_ARGUMENTS), "a page with an argument names an object"
    admin_models = {m._meta.label_lower for m in admin.site._registry}
    ours = {label for label in admin_models if label.split(".")[0] not in THIRD_PARTY_ADMIN}
    assert ours == set(ADMIN_OBJECTS) | set(ADMIN_UNPLACED)


# --- requesting them --------------------------------------------------------------------


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model of ours but the audit log (where denials are written)."""
    state = {}
    for model in apps.get_models():
        if model.__module__.startswith("minqing.") and model is not AuditEvent:
            state[model._meta.label] = sorted(
                model._base_manager.order_by().values_list(), key=repr
            )
    return state


def shown_text(response: Any) -> str:
    """What a response shows: HTML/JSON as text, a spreadsheet's cells (shared strings)."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(n).decode("utf-8", "replace")
                for n in archive.namelist()
                if n.endswith(".xml")
            )
    return content.decode("utf-8", "replace")


@pytest.fixture
def world(county: County, settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    w = build_world(county, django_capture_on_commit_callbacks)
    ledger = "户号,所在组,家庭住址,姓名,与户主关系,性别\n,一组,东风村一组9号,冯大勇,户主,男\n"
    response = client_as(county, "cadre").post(
        "/households/import/",
        {"village": county.v1.pk, "file": SimpleUploadedFile("台账.csv", ledger.encode())},
    )
    w.objects["upload_token"] = response["Location"].rstrip("/").split("/")[-2]
    return w


def client_as(county: County, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(county.users[persona])
    return client


def _url(route: Route, kwargs: dict[str, Any]) -> str:
    return reverse(route.name, kwargs=kwargs)


def test_object_urls_answer_404_out_of_scope(world: World) -> None:
    """GET and POST as each outsider: 404 every time, and nothing written."""
    clients = {p: client_as(world.county, p) for c in COVERED.values() for p in c.outsiders}
    before = database_state()  # after signing in, which notes the time on the account
    data = post_data(world)
    leaks = []
    for route in ROUTES:
        spec = COVERED.get(route.name)
        if spec is None:
            continue
        url = _url(route, spec.kwargs(world))
        for persona in spec.outsiders:
            client = clients[persona]
            got = client.get(url).status_code
            if got != 404 and got != 405:  # 405: a POST-only view, tried below
                leaks.append(f"GET {url} as {persona}: {got}")
            posted = client.post(url, data).status_code
            if posted != 404 and not (posted == 405 and got == 404):  # 405: GET-only
                leaks.append(f"POST {url} as {persona}: {posted}")
    assert not leaks, "answered other than 404 out of scope:\n" + "\n".join(leaks)
    assert database_state() == before, "a refused request changed the database"


def test_object_urls_send_anonymous_visitors_to_sign_in(world: World) -> None:
    client = Client()
    before = database_state()
    wrong = []
    for route in ROUTES:
        spec = COVERED.get(route.name)
        if spec is None:
            continue
        url = _url(route, spec.kwargs(world))
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, post_data(world))
        redirected = response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        )
        if not (redirected or response.status_code == 404):
            wrong.append(f"{url}: {response.status_code}")
    assert not wrong, wrong
    assert database_state() == before


def test_a_child_is_reached_only_through_its_own_parent(world: World) -> None:
    """A page named by a parent and a child (a case's file, a household's member, a case's
    supervision) refuses a child of another parent, even one the user may see."""
    county = world.county
    outsider = county.users["other_township"]
    own_case, _ = case_register(
        actor=outsider, node=county.g3, channel="hotline", nature="help",
        original_text="南湾村的桥栏杆松了", reporter_name="南湾人",
    )  # fmt: skip
    own_file = attachment_add(
        case=own_case, upload=_upload("桥栏杆.jpg", (1, 2, 3)), actor=outsider
    )
    mixed = [
        ("other_township", "cases:file", {"number": own_case.number, "pk": world["attachment"].pk}),
        ("other_township", "cases:file", {"number": world["case"].number, "pk": own_file.pk}),
        (
            "other_township",
            "households:reveal",
            {"code": county.households["H3"].code, "pk": world["member"].pk},
        ),
        (
            "county_supervisor",
            "cases:follow_up",
            {"number": own_case.number, "pk": world["supervision"].pk},
        ),
    ]
    clients = {persona: client_as(county, persona) for persona, _n, _k in mixed}
    before = database_state()
    for persona, name, kwargs in mixed:
        url = reverse(name, kwargs=kwargs)
        response = clients[persona].get(url)
        if response.status_code == 405:
            response = clients[persona].post(url, post_data(world))
        assert response.status_code == 404, (persona, url, response.status_code)
    assert database_state() == before


NO_OBJECT_OUTSIDERS = ("sibling", "other_township", "other_admin", "other_dept")


def test_pages_without_an_object_show_nothing_of_the_objects_to_outsiders(world: World) -> None:
    case, household = world["case"], world["household"]
    searches = [{"q": case.number}, {"q": household.code}, {"q": household.head_name}]
    for persona in NO_OBJECT_OUTSIDERS:
        client = client_as(world.county, persona)
        marks = world.marks + (world.county_marks if persona in OUTSIDE_COUNTY else [])
        for route in ROUTES:
            if route.name not in NO_OBJECT or route.keys:
                continue
            # Plain, and searching for the objects by number, code and name.
            for query in ({}, *searches):
                response = client.get(reverse(route.name), query)
                assert response.status_code < 500, (route.name, persona)
                text = shown_text(response)
                # (a search box may echo the words searched for)
                shown = [m for m in marks if m in text and m not in query.values()]
                assert not shown, f"{route.route} {query} shows {shown} to {persona}"
        # The admin's pages of models that are not ours: Django's own permission rows,
        # which no role holds, keep them closed.
        for model in admin.site._registry:
            if model._meta.app_label in THIRD_PARTY_ADMIN:
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
                assert client.get(url).status_code in (302, 403), (url, persona)
        # The admin's lists, for the other county's administrator (others are sent away).
        for label in ADMIN_OBJECTS:
            app_label, model_name = label.split(".")
            response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
            text = shown_text(response)
            shown = [mark for mark in marks if mark in text]
            assert not shown, f"admin list of {label} shows {shown} to {persona}"


def test_admin_object_pages_answer_as_if_missing_to_the_other_county(world: World) -> None:
    """The other county's administrator gets what a missing object gets: the admin index
    (change, history, delete) or a 404 (password page, "view on site"); POST changes
    nothing."""
    client = client_as(world.county, "other_admin")
    before = database_state()
    index = reverse("admin:index")
    leaks = []
    for label, build in ADMIN_OBJECTS.items():
        obj = build(world)
        app_label, model_name = label.split(".")
        for page in ADMIN_OBJECT_ROUTES:
            url = reverse(f"admin:{app_label}_{model_name}_{page}", args=[obj.pk])
            for method in (client.get, client.post):
                response = method(url, {"post": "yes"} if method == client.post else {})
                missing = response.status_code == 302 and response["Location"] == index
                if not (missing or response.status_code in (403, 404)):
                    leaks.append(f"{method.__name__.upper()} {url}: {response.status_code}")
        content_type = ContentType.objects.get_for_model(obj)
        url = reverse("admin:view_on_site", args=[content_type.pk, obj.pk])
        if client.get(url).status_code != 404:
            leaks.append(f"GET {url}: {client.get(url).status_code}")
    cadre = world.county.users["cadre"]
    url = reverse("admin:auth_user_password_change", args=[cadre.pk])
    for method in (client.get, client.post):
        if (status := method(url).status_code) != 404:
            leaks.append(f"{method.__name__.upper()} {url}: {status}")
    assert not leaks, "admin pages of another county's objects:\n" + "\n".join(leaks)
    assert database_state() == before


def test_the_in_scope_user_does_get_the_pages(world: World) -> None:
    """The check above means something: the objects' own people are answered 200."""
    u = world.county
    for name, persona in [
        ("cases:detail", "cadre"),
        ("households:detail", "cadre"),
        ("diary:detail", "cadre"),
        ("visits:detail", "cadre"),
        ("talk:day", "cadre"),
        ("talk:reception", "deputy"),
        ("insight:hot_detail", "township_staff"),
        ("network:liaisons", "cadre"),
        ("field_photo", "cadre"),
    ]:
        url = reverse(name, kwargs=COVERED[name].kwargs(world))
        assert client_as(u, persona).get(url).status_code == 200, name
    # And the outsiders' form is one that works inside: a note on the case, a step of
    # supervision, a follow-up in the diary.
    case, entry = world["case"], world["entry"]
    for name, persona, rows in [
        ("cases:act", "cadre", case.events),
        ("cases:follow_up", "township_staff", world["supervision"].actions),
        ("diary:follow_up", "cadre", entry.follow_ups),
    ]:
        before = rows.count()
        url = reverse(name, kwargs=COVERED[name].kwargs(world))
        assert client_as(u, persona).post(url, post_data(world)).status_code == 302, name
        assert rows.count() == before + 1, name
    admin_client = client_as(u, "county_admin")
    for label, build in ADMIN_OBJECTS.items():
        app_label, model_name = label.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[build(world).pk])
        assert admin_client.get(url).status_code == 200, label
