"""Admin for a county's case categories: the administrator's own county only, audited.

Categories hang off the county node, not off a place in the tree, so `ScopedAdmin`'s
`for_user` (a subtree of paths) does not fit: the scope is "the county the user is in".
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _

from minqing.audit.services import record_change, record_delete, snapshot
from minqing.cases.categories import MAX_DEPTH
from minqing.cases.models import CaseRules, Category, Holiday
from minqing.kit.admin import AdminOnlyPermissions, AuditedAdmin, CountyConfigAdmin
from minqing.org.models import Level, Node
from minqing.org.scoping import NO_COUNTY, user_county_path


def _county_path(request: HttpRequest) -> str | None:
    path = user_county_path(request.user)
    return None if path == NO_COUNTY else path


class CategoryForm(forms.ModelForm):
    county: Node | None = None  # set per request by CategoryAdmin.get_form

    class Meta:
        model = Category
        fields = ["parent", "code", "name", "sort", "active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        parent: Category | None = cleaned.get("parent")
        instance: Category = self.instance
        if self.county is None:
            raise forms.ValidationError(_("您没有所属的县(区)，不能维护事项分类。"))
        if parent is not None and instance.pk:
            if parent.pk == instance.pk:
                self.add_error("parent", _("上级分类不能是它自己。"))
            elif parent.pk != instance.parent_id and instance.children.exists():
                # Moving a branch would change its depth and could make a loop.
                self.add_error("parent", _("有下级分类的分类不能改变上级分类。"))
        code = cleaned.get("code")
        # The county is not a form field, so the (county, code) constraint is checked here.
        taken = Category.objects.filter(county=self.county, code=code).exclude(pk=instance.pk)
        if code and taken.exists():
            self.add_error("code", _("本县(区)已有该编码的分类。"))
        return cleaned


@admin.register(Category)
class CategoryAdmin(AdminOnlyPermissions, admin.ModelAdmin):
    form = CategoryForm
    list_display = ["code", "name", "parent", "depth", "sort", "active"]
    list_filter = ["active", "depth"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    list_per_page = 200
    readonly_fields = ["depth"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Category]:
        return super().get_queryset(request).for_user(request.user)  # type: ignore[attr-defined,no-any-return]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "parent":
            # Only this county's categories, and only those that can still take a child.
            kwargs["queryset"] = self.get_queryset(request).filter(depth__lt=MAX_DEPTH)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            field.label_from_instance = lambda c: f"{c.code} {c.name}"
        return field

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        path = _county_path(request)
        form.county = Node.objects.filter(level=Level.COUNTY, path=path).first() if path else None
        return form

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        before = snapshot(Category.objects.get(pk=obj.pk)) if change and obj.pk else None
        if not change:
            obj.county = form.county
        obj.depth = obj.parent.depth + 1 if obj.parent else 1
        super().save_model(request, obj, form, change)
        record_change(actor=request.user, obj=obj, before=before, request=request)

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        self._record_deletes(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Category]) -> None:
        self._record_deletes(request, list(queryset))
        super().delete_queryset(request, queryset)

    def _record_deletes(self, request: HttpRequest, categories: list[Category]) -> None:
        # Children go with their parent (CASCADE); log them too, not just the one clicked.
        seen: set[int] = set()
        while categories:
            for category in categories:
                if category.pk not in seen:
                    seen.add(category.pk)
                    record_delete(actor=request.user, obj=category, request=request)
            categories = list(Category.objects.filter(parent__in=categories))


@admin.register(CaseRules)
class CaseRulesAdmin(CountyConfigAdmin):
    """Deadlines, reminders and supervision cadence: the county's own, defaults otherwise."""

    list_display = ["county", "normal_days", "important_days", "urgent_hours", "working_days"]


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    """Public holidays and swapped working days for deadlines counted in working days."""

    list_display = ["date", "name", "is_workday"]
    date_hierarchy = "date"
