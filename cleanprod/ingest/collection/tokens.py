"""API tokens for collection: create one with a random secret, find the token a secret belongs to."""

import hashlib
import secrets

from django.contrib.auth.models import User
from django.utils import timezone

from cleanprod.ingest.models import ApiToken
from cleanprod.organization.models import Site

SECRET_PREFIX = "cp_"  # noqa: S105 - a marker at the start of every token, not a secret
VISIBLE_CHARACTERS = 10  # of the secret, kept in clear as ApiToken.prefix


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(site: Site, name: str, user: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for the site; return it with its secret, which is stored nowhere and shown once."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        site=site,
        name=name,
        prefix=secret[:VISIBLE_CHARACTERS],
        token_hash=hash_secret(secret),
        created_by=user,
    )
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """Return the token with this secret (revoked or not), or None."""
    if not secret:
        return None
    return ApiToken.objects.select_related("site").filter(token_hash=hash_secret(secret)).first()


def revoke(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def mark_used(token: ApiToken) -> None:
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
