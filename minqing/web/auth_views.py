from django.contrib.auth import views as auth_views
from django.forms import Form
from django.http import HttpResponse

from minqing.audit.models import Action
from minqing.audit.services import record
from minqing.web.forms import StaffAuthenticationForm


class StaffLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    authentication_form = StaffAuthenticationForm


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        record(action=Action.PASSWORD, request=self.request, obj=self.request.user)
        return response
