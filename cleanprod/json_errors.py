"""The one error shape of the JSON endpoints: a stable code and a translated message."""

from typing import Any

from django.http import JsonResponse


def json_error(code: str, message: str, status: int, **details: Any) -> JsonResponse:
    """Return ``{"error": {"code": ..., "message": ..., **details}}`` with the HTTP status."""
    return JsonResponse({"error": {"code": code, "message": message, **details}}, status=status)
