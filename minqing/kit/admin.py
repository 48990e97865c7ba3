"""The base ModelAdmin: scoped querysets and choices, every save and delete audited."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from minqing.audit.services import record_change, record_delete, snapshot
from minqing.org.roles import Cap, has_cap
from minqing.org.scoping import user_county_path


class AdminOnlyPermissions:
    """Every admin page is the county administrator's; Django's per-model permission rows
    would only duplicate the role table."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_cap(request.user, Cap.USE_ADMIN)


class AuditedAdmin(AdminOnlyPermissions, admin.ModelAdmin):
    """Every save and delete made through the admin goes to the audit log."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = None
        if change and obj.pk:
            before = snapshot(type(obj)._default_manager.get(pk=obj.pk))
        super().save_model(request, obj, form, change)
        record_change(actor=request.user, obj=obj, before=before, request=request)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_delete(actor=request.user, obj=obj, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            record_delete(actor=request.user, obj=obj, request=request)
        super().delete_queryset(request, queryset)


class ScopedAdmin(AuditedAdmin):
    """Lists and forms through `for_user`, so the admin shows what the app would."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return self.model._default_manager.for_user(request.user)  # type: ignore[no-any-return]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        manager = db_field.related_model._default_manager
        if hasattr(manager, "for_user"):
            kwargs.setdefault("queryset", manager.for_user(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CountyConfigAdmin(AuditedAdmin):
    """Records a county owns through a `county` field (rules, tags): the admin's county only."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # The model's CountyQuerySet: the records of the county the user works in.
        return super().get_queryset(request).for_user(request.user)  # type: ignore[attr-defined,no-any-return]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "county":
            from minqing.org.models import Level, Node

            kwargs["queryset"] = Node.objects.filter(
                level=Level.COUNTY, path=user_county_path(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records nobody edits by hand (the audit log, the outbox): view only, for `view_cap`."""

    view_cap: Cap = Cap.USE_ADMIN

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_cap(request.user, self.view_cap)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_cap(request.user, self.view_cap)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
