"""``/.well-known/jwks.json``: the public half of the signing-key ring, for independent verifiers."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from tongban.core.keyring import get_keyring


@require_safe
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(get_keyring().public_jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response
