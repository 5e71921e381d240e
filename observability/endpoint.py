"""GET /metrics for operators: a bearer token from METRICS_TOKEN, nothing else, opens it.

Sessions, API keys and the network a request comes from count for nothing here: a signed-in
person, a partner's key and an anonymous caller all get 401. Without METRICS_TOKEN the
endpoint does not exist (404). The worker's metrics server (observability.celery_signals)
checks the same token.
"""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from observability.metrics import exposition

METRICS_PATH = "/metrics"
AUTHENTICATE = 'Bearer realm="metrics"'


def bearer_token_matches(authorization: str | None, expected: str) -> bool:
    if not expected or not authorization:
        return False
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


def metrics_response(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if not token:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain")
    if not bearer_token_matches(request.headers.get("Authorization"), token):
        response = HttpResponse(
            "Metrics need the operators' bearer token.\n", status=401, content_type="text/plain"
        )
        response["WWW-Authenticate"] = AUTHENTICATE
        return response
    body, content_type = exposition()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
