"""Admin for a county's 民情分析 settings and its urgency / 十必报 word list: the
administrator's own county only, every change audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minqing.kit.admin import CountyConfigAdmin
from minqing.org.models import Level, Node
from minqing.org.scoping import user_county_path
from minqing.textanalysis.models import InsightRules, UrgencyTerm
from minqing.textanalysis.services import urgency_terms_ensure_default
from minqing.textanalysis.urgency import DEFAULT_URGENCY_TERMS


@admin.register(InsightRules)
class InsightRulesAdmin(CountyConfigAdmin):
    """Hot-spot thresholds, similar-matter window, custom and stop words: defaults until saved."""

    list_display = [
        "county", "hotspot_window_days", "hotspot_min_cases", "hotspot_alert_heat",
        "similar_recent_days", "min_training_cases",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["county"]}),
        (
            gettext_lazy("热点"),
            {"fields": ["hotspot_window_days", "hotspot_min_cases", "hotspot_alert_heat"]},
        ),
        (gettext_lazy("相似事项与模型"), {"fields": ["similar_recent_days", "min_training_cases"]}),
        (
            gettext_lazy("分词(关键词趋势、热点)"),
            {
                "fields": ["custom_words", "stop_words"],
                "description": gettext_lazy(
                    "自定义词：本地地名、水库、企业等须作为一个词统计的词语，每行一个，"
                    "例如“东风水库”。停用词：不反映具体问题、不需统计的词，每行一个；"
                    "常用虚词和“希望”“反映”“问题”等已内置。"
                ),
            },
        ),
    ]


@admin.register(UrgencyTerm)
class UrgencyTermAdmin(CountyConfigAdmin):
    """Words that flag a matter as urgent or 十必报; the county edits, adds or switches off."""

    list_display = ["phrase", "must_report", "urgency", "reason", "active"]
    list_filter = ["must_report", "urgency", "active"]
    list_editable = ["active"]
    search_fields = ["phrase", "reason"]
    change_list_template = "admin/textanalysis/urgencyterm/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "ensure-defaults/",
                self.admin_site.admin_view(require_POST(self.ensure_defaults_view)),
                name="textanalysis_urgencyterm_ensure_defaults",
            ),
            *super().get_urls(),
        ]

    def _county(self, request: HttpRequest) -> Node | None:
        return Node.objects.filter(level=Level.COUNTY, path=user_county_path(request.user)).first()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        county = self._county(request)
        has_terms = county is not None and UrgencyTerm.objects.filter(county=county).exists()
        context = {
            **(extra_context or {}),
            "using_defaults": county is not None and not has_terms,
            "default_count": len(DEFAULT_URGENCY_TERMS),
            "can_ensure_defaults": county is not None and self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context=context)

    def ensure_defaults_view(self, request: HttpRequest) -> HttpResponse:
        county = self._county(request)
        if county is None or not self.has_add_permission(request):
            raise Http404
        created = urgency_terms_ensure_default(county=county, actor=request.user)  # type: ignore[arg-type]
        if created:
            messages.success(
                request,
                _("已按默认词表新增 %(n)d 个词语，可逐个修改或停用。") % {"n": created},
            )
        else:
            messages.info(request, _("默认词语本县均已具备，未新增。"))
        return HttpResponseRedirect(reverse("admin:textanalysis_urgencyterm_changelist"))
