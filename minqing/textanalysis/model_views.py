"""The county's text models (county admin): versions with their evaluation, training on
request, rollback, labelled-example import; and the intake/case-page insight panels."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minqing.cases.models import Case, Category
from minqing.cases.permissions import can_act
from minqing.cases.services import case_update_details
from minqing.cases.workflow import Action
from minqing.kit.guards import requires
from minqing.org.models import Node, Unit
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404
from minqing.textanalysis.intake import case_insight, confirm_from_form, intake_insight
from minqing.textanalysis.models import (
    CategoryConfirmation,
    LabelledExample,
    ModelKind,
    TextModel,
)
from minqing.textanalysis.rules import county_of, insight_rules_for
from minqing.textanalysis.services import examples_import, model_activate, model_request_training

UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def _county(request: HttpRequest) -> Node:
    return county_of(request.user.node)  # type: ignore[union-attr,arg-type]


@requires(Cap.MANAGE_MODELS)
def models_page(request: HttpRequest) -> HttpResponse:
    county = _county(request)
    versions = TextModel.objects.filter(county=county).select_related("requested_by")
    confirmations = CategoryConfirmation.objects.filter(case__county=county).aggregate(
        n_total=Count("pk"),
        n_suggested=Count("pk", filter=Q(suggested__isnull=False)),
        n_accepted=Count("pk", filter=Q(suggested=F("category"))),
    )
    kinds = [
        (kind, label, [v for v in versions if v.kind == kind]) for kind, label in ModelKind.choices
    ]
    return render(
        request,
        "textanalysis/models.html",
        {
            "county": county,
            "kinds": kinds,
            "examples": LabelledExample.objects.filter(county=county).count(),
            "confirmations": confirmations,
            "rules": insight_rules_for(county),
        },
    )


@require_POST
@requires(Cap.MANAGE_MODELS)
def train(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ModelKind.values:
        raise Http404
    row = model_request_training(county=_county(request), kind=kind, actor=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("已提交训练：%(m)s。训练在后台进行，完成后本页显示评估结果。") % {"m": row},
    )
    return redirect("insight:models")


@require_POST
@requires(Cap.MANAGE_MODELS)
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(TextModel, pk=pk, county=_county(request))
    try:
        model_activate(model=model, actor=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已启用 %(m)s。") % {"m": model})
    return redirect("insight:models")


@require_POST
@requires(Cap.MANAGE_MODELS)
def import_examples(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的 CSV 文件。"))
        return redirect("insight:models")
    if upload.size and upload.size > UPLOAD_MAX_BYTES:
        messages.error(request, _("文件太大(超过 20 MB)，请分批导入。"))
        return redirect("insight:models")
    report = examples_import(
        county=_county(request),
        data=upload.read(),
        file_name=upload.name or "upload.csv",
        actor=request.user,  # type: ignore[arg-type]
    )
    if report.errors:
        shown = report.errors[:20]
        more = len(report.errors) - len(shown)
        text = "；".join(shown) + (_("……另有 %(n)s 处错误") % {"n": more} if more else "")
        messages.error(request, _("未导入任何样本：%(e)s") % {"e": text})
    else:
        messages.success(
            request,
            _("已导入 %(n)s 条标注样本(重复 %(d)s 条未重复导入)。")
            % {"n": report.created, "d": report.duplicates},
        )
    return redirect("insight:models")


@require_POST
@requires(Cap.REGISTER_CASE)
def suggest(request: HttpRequest) -> HttpResponse:
    """The intake panel, re-rendered as the clerk types (htmx)."""
    user = request.user
    node_id = request.POST.get("node", "")
    node = (
        Node.objects.for_user(user).filter(pk=int(node_id)).first() if node_id.isdigit() else None
    )
    households = [int(h) for h in request.POST.getlist("households") if h.isdigit()][:20]
    insight = intake_insight(
        user,  # type: ignore[arg-type]
        title=request.POST.get("title", "")[:120],
        text=request.POST.get("original_text", "")[:4000],
        node=node,
        households=households,
    )
    return render(request, "textanalysis/_intake_panel.html", {"insight": insight})


@requires(Cap.VIEW_CASES)
def case_panel(request: HttpRequest, number: str) -> HttpResponse:
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    insight = case_insight(request.user, case)  # type: ignore[arg-type]
    can_adopt = can_act(request.user, case, Action.NOTE)  # type: ignore[arg-type]
    # One click to route as suggested, when the viewer may assign and the unit is one the
    # action form would accept from them (the same scoped list).
    unit = insight.routing.unit if insight.routing else None
    can_assign = (
        unit is not None
        and case.unit_id != unit.pk
        and can_act(request.user, case, Action.ASSIGN)  # type: ignore[arg-type]
        and Unit.objects.for_user(request.user).filter(pk=unit.pk, receives_cases=True).exists()
    )
    return render(
        request,
        "textanalysis/_case_panel.html",
        {"insight": insight, "case": case, "can_adopt": can_adopt, "can_assign": can_assign},
    )


@require_POST
@requires(Cap.VIEW_CASES)
def adopt_category(request: HttpRequest, number: str) -> HttpResponse:
    """One click on the case page: take the suggested category (kept as training data)."""
    case = get_in_scope_or_404(Case.objects.for_user(request.user), request, number=number)
    if not can_act(request.user, case, Action.NOTE):  # type: ignore[arg-type]
        raise Http404
    raw = request.POST.get("category", "")
    category = get_object_or_404(
        Category, pk=int(raw) if raw.isdigit() else 0, county_id=case.county_id, active=True
    )
    case_update_details(
        case=case,
        actor=request.user,  # type: ignore[arg-type]
        category=category,
        then=lambda case: confirm_from_form(request, case),  # one transaction with the change
    )
    messages.success(request, _("分类已设为“%(c)s”。") % {"c": category.full_name})
    return redirect("cases:detail", number=number)
