"""The JSON API (django-ninja): read access to sites, indicators, meter series and diagnoses.

Callers authenticate with the Django session, so a logged-in browser and the test client's
force_login both work. An anonymous call gets 401 in the common error shape. Every object is
fetched through cleanprod.api.lookups, which scopes it to the caller's sites.
"""

from ninja import NinjaAPI
from ninja.security import django_auth

from . import diagnosis, indicators, meters, sites
from .errors import install_error_handlers

# TODO(when API tokens are added for data collection): accept a token header next to the session.
api = NinjaAPI(
    title="cleanprod API",
    version="1",
    description="Read access to the sites, indicators, meter series and diagnoses of the caller's sites.",
    auth=django_auth,
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("", sites.router)
api.add_router("", indicators.router)
api.add_router("", meters.router)
api.add_router("", diagnosis.router)
