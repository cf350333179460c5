"""The JSON API (django-ninja): read access to sites, indicators, meter series and diagnoses.

Callers authenticate with the Django session, so a logged-in browser and the test client's
force_login both work. An anonymous call gets 401 in the common error shape. Every object is
fetched through cleanprod.api.lookups, which scopes it to the caller's sites.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from cleanprod.ingest.collection import http as collection_http

from . import diagnosis, indicators, meters, sites
from .errors import install_error_handlers

# The collection endpoint authenticates with an API token instead (cleanprod.ingest.collection.http).
api = NinjaAPI(
    title="cleanprod API",
    version="1",
    description=(
        "Read access to the sites, indicators, meter series and diagnoses of the caller's sites, "
        "and a batch endpoint for meter readings authenticated with a site's API token."
    ),
    auth=django_auth,
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("", sites.router)
api.add_router("", indicators.router)
api.add_router("", meters.router)
api.add_router("", diagnosis.router)
api.add_router("", collection_http.router)
