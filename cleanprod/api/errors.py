"""The API's error responses: the project's one JSON error shape with a stable code and a translated message.

Every failure the API reports, including ninja's own validation and authentication errors, is
turned into ``{"error": {"code": ..., "message": ...}}`` here, so clients branch on ``code`` and
show ``message``.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cleanprod.json_errors import json_error


class ErrorDetail(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    """The body of every API error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error that a view raises to return a response in the common error shape."""

    def __init__(self, code: str, message: str, status: int, **details: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details


class NotFound(ApiError):
    """An object that does not exist or belongs to a site the caller cannot see, with the same response for both."""

    def __init__(self, message: str) -> None:
        super().__init__("not_found", message, 404)


# Messages of the 400 errors, by the pydantic error type that the validators of
# cleanprod.api.periods raise or that pydantic itself uses. Each message is formatted with
# the error's context and ``parameter``, the name of the query parameter concerned.
VALIDATION_MESSAGES: dict[str, Promise] = {
    "missing": gettext_lazy("The query parameter %(parameter)s is missing; give it as YYYY-MM-DD."),
    "invalid_date": gettext_lazy("%(parameter)s=%(value)s is not a date; give it as YYYY-MM-DD, e.g. 2024-03-01."),
    "period_reversed": gettext_lazy("The last day %(end)s is before the first day %(start)s; swap the two dates."),
    "period_too_long": gettext_lazy(
        "The period from %(start)s to %(end)s has %(days)s days; choose at most %(max_days)s days."
    ),
}
# Codes of the pydantic error types that are not in VALIDATION_MESSAGES.
MISSING_PARAMETER = "missing_parameter"
INVALID_PARAMETER = "invalid_parameter"
MISSING_FIELD = "missing_field"
TOO_MANY_ITEMS = "too_many_items"
INVALID_JSON = "invalid_json"
# ninja raises HttpError(400) with this message (and in DEBUG the parser's reason) for a body that is not JSON.
NINJA_PARSE_ERROR = "Cannot parse request body"


def _body_error(kind: str, parameter: str, context: dict[str, str], reason: str) -> tuple[str, str]:
    """Return the code and message of a validation error in the JSON request body."""
    if kind == "missing":
        message = _(
            'The request body has no field %(parameter)s; send a JSON object such as {"%(parameter)s": [...]}.'
        ) % {"parameter": parameter}
        return MISSING_FIELD, message
    if kind == "too_long" and "max_length" in context:
        message = _(
            "The field %(parameter)s has %(actual)s items, but at most %(maximum)s are allowed per request; "
            "send them in several requests."
        ) % {
            "parameter": parameter,
            "actual": f"{int(context.get('actual_length', '0')):,}",
            "maximum": f"{int(context['max_length']):,}",
        }
        return TOO_MANY_ITEMS, message
    message = _("The field %(parameter)s of the request body is invalid: %(reason)s") % {
        "parameter": parameter or "?",
        "reason": reason,
    }
    return INVALID_PARAMETER, message


def validation_error_response(error: ValidationError) -> HttpResponse:
    """Return a 400 response with the stable code of the first validation error, and every error under ``errors``."""
    first = error.errors[0]
    kind = str(first.get("type", ""))
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if len(location) > 1 else ""
    context = {key: str(value) for key, value in (first.get("ctx") or {}).items()}
    params = {"parameter": parameter, **context}
    errors = [{"type": item.get("type"), "loc": item.get("loc"), "msg": item.get("msg")} for item in error.errors]

    if location and location[0] == "body":
        code, message = _body_error(kind, parameter, context, str(first.get("msg", "")))
        return json_error(code, message, 400, parameter=parameter, errors=errors)

    if kind == "missing":
        code = MISSING_PARAMETER
    elif kind in VALIDATION_MESSAGES:
        code = kind
    else:
        code = INVALID_PARAMETER

    if kind in VALIDATION_MESSAGES:
        message = str(VALIDATION_MESSAGES[kind]) % params
    else:
        message = _("The parameter %(parameter)s is invalid: %(reason)s") % {
            "parameter": parameter or "?",
            "reason": first.get("msg", ""),
        }
    return json_error(code, message, 400, parameter=parameter, errors=errors)


def on_invalid_json(request: HttpRequest) -> None:
    """Keep an unparsable body sent with a valid API token, so the collection page lists it."""
    from cleanprod.ingest.collection.http import keep_unparsable_body  # the API package does not import ingest early

    keep_unparsable_body(request)


def install_error_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default ``{"detail": ...}`` responses with the common error shape."""

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, error: ApiError) -> HttpResponse:
        return json_error(error.code, error.message, error.status, **error.details)

    @api.exception_handler(ValidationError)
    def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
        return validation_error_response(error)

    @api.exception_handler(AuthenticationError)
    def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        if request.path.startswith("/api/v1/"):
            message = _("Send an API token of the site in the header Authorization: Bearer <token>.")
        else:
            message = _("Log in to use the API.")
        return json_error("not_authenticated", message, 401)

    @api.exception_handler(Http404)
    def on_http_404(request: HttpRequest, error: Http404) -> HttpResponse:
        return json_error("not_found", _("The requested object does not exist on the sites you can see."), 404)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        # ninja raises HttpError mainly for a failed CSRF check (403) of a session-authenticated request.
        if error.status_code == 403:
            message = _("The CSRF check failed; send the X-CSRFToken header together with the session cookie.")
            return json_error("csrf_failed", message, 403)
        if error.status_code == 400 and str(error).startswith(NINJA_PARSE_ERROR):
            on_invalid_json(request)
            message = _(
                "The request body is not valid JSON; send a JSON object with Content-Type: application/json, "
                'e.g. {"readings": [{"meter": "E-01", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500}]}.'
            )
            return json_error(INVALID_JSON, message, 400)
        return json_error("request_rejected", str(error), error.status_code)
