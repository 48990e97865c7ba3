"""Download one of a case's four paper forms as a PDF (seed 004)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from minqing.cases.models import Case
from minqing.cases.pdf import FORMS, render_case_pdf
from minqing.kit.guards import requires
from minqing.org.roles import Cap
from minqing.org.scoping import get_in_scope_or_404


@require_GET
@requires(Cap.VIEW_CASES)
def case_pdf(request: HttpRequest, number: str, form: str) -> HttpResponse:
    if form not in FORMS:
        raise Http404
    # Same scope as the case page: a case outside the user's territory is a 404 (and logged).
    case = get_in_scope_or_404(
        Case.objects.for_user(request.user).select_related(
            "node__parent__parent", "unit", "handler", "category", "created_by"
        ),
        request,
        number=number,
    )
    response = HttpResponse(render_case_pdf(case, form), content_type="application/pdf")
    # Inline so the browser opens its viewer (print from there); the RFC 5987 filename*
    # keeps the Chinese form name when the user saves the file.
    filename = f"{case.number}-{FORMS[form].short}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, filename)
    # Reporter details are printed (masked): keep copies out of shared caches.
    response["Cache-Control"] = "private, no-store"
    return response
