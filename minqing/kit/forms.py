"""Forms that fit a 360-px phone, and the one way a service's refusal reaches a form."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StyledFormMixin:
    """Bootstrap classes on every widget, so forms fit a phone without per-template work."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(field, forms.ModelChoiceField):
                field.empty_label = _("请选择")


def add_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form that was submitted: each message next to
    its field where the form has that field, the rest (and a message about no field) on top.

    Services check what only they can (scope, state, uniqueness) and raise with field names;
    the view shows the form again with the staff member's input and these messages."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
