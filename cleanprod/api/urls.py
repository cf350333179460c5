"""URL patterns of the API, mounted at /api/ by cleanprod.urls.

LoginRequiredMiddleware would redirect API calls to the login page, so every API view is
marked login_not_required. The operations return a 401 JSON error to an anonymous caller
themselves, and the OpenAPI schema and docs page contain no site data.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _

from cleanprod.json_errors import json_error

from .api import api

app_name = "api"


@login_not_required
def unknown_endpoint(request: HttpRequest) -> JsonResponse:
    return json_error("not_found", _("No API endpoint at %(path)s; see /api/docs.") % {"path": request.path}, 404)


def _api_patterns() -> list[URLPattern | URLResolver]:
    patterns, _app_name, namespace = api.urls
    assert namespace == app_name, "the ninja docs page reverses URLs in the namespace api.urls_namespace"
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns


urlpatterns = [*_api_patterns(), re_path(r"^", unknown_endpoint, name="unknown-endpoint")]
