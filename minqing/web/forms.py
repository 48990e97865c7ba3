"""The staff sign-in form."""

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class StaffAuthenticationForm(AuthenticationForm):
    """The sign-in form, with the name's length actually checked.

    Django's form copies the user model's max_length onto the field after the field is
    built, so the length shows in the widget but no validator checks it: a 300-character
    name went on to authenticate() and broke the lockout record on PostgreSQL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(
            MaxLengthValidator(field.max_length, message=_("账号最多 %(limit_value)d 个字符。"))
        )
