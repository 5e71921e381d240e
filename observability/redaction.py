"""What must never reach a log line: secrets, and personal data in free text.

Two layers. Structured fields are built from safe parts only: URL names, opaque ids, status
codes, and query strings that keep the values of a short list of harmless parameters. Then
every string of every log line passes through `text_scrub`, a safety net for what code or a
library wrote into a message: API keys, bearer credentials, secret-named parameters, passwords
in URLs, query strings, e-mail addresses and the key values PostgreSQL quotes in constraint
errors. Pure functions, no Django: gunicorn's master process uses them too.
"""

import re
from urllib.parse import parse_qsl, urlencode

REDACTED = "[redacted]"
EMAIL_MARK = "[email]"

# Query parameters whose values stay readable in logs: enumerations, numbers and timestamps
# that help reading a request and cannot hold a secret or a person's data at that length.
# Every other value, a search term or a key sent where it does not belong, is redacted.
QUERY_VALUES_KEPT = frozenset(
    {
        "format",
        "limit",
        "order",
        "ordering",
        "page",
        "page_size",
        "scope",
        "sort",
        "stage",
        "status",
        "track",
        "updated_after",
    }
)
_KEPT_VALUE = re.compile(r"[A-Za-z0-9_.,:+-]{1,64}")
_SAFE_NAME = re.compile(r"[A-Za-z0-9_.\[\]-]{1,40}")
MAX_QUERY_PARAMETERS = 20

# Names that mark a secret wherever they show up as `name=value` or `"name": "value"`.
SECRET_NAMES = (
    r"[\w-]*(?:api[_-]?key|apikey|token|passw(?:or)?d|pwd|secret|signature|authorization"
    r"|session[_-]?id|csrf[\w-]*|access[_-]?key|private[_-]?key)|key|auth|sig"
)
_SECRET_ASSIGNMENT = re.compile(
    rf"(?i)\b({SECRET_NAMES})(\"?'?\s*[=:]\s*\"?'?)(?!\[redacted\]|bearer\b|basic\b)"
    rf"([^\s&\"',;}}\]]+)"
)
# Partner API keys read `ahk_<12 visible>_<secret>`: the visible prefix names the key in logs
# (it is stored in clear), the rest never appears. Anything else after `ahk_` is dropped whole.
_API_KEY = re.compile(r"\bahk_[A-Za-z0-9_-]+")
_API_KEY_SHAPE = re.compile(r"(ahk_[a-z0-9]{12})_[A-Za-z0-9_-]+")
_API_KEY_PREFIX = re.compile(r"ahk_[a-z0-9]{12}")
_CREDENTIALS = re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=-]+")
_URL_PASSWORD = re.compile(r"(://[^/\s:@]+):[^@\s/]+@")
_URL_QUERY = re.compile(r"((?:https?://[^\s/?#\"']+)?/[^\s?#\"'<>]*)\?([^\s\"'<>#]*)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# psycopg/PostgreSQL: 'DETAIL:  Key (email_normalized)=(jane@example.com) already exists.'
_CONSTRAINT_VALUES = re.compile(r"(Key \([^)]*\)=\().*?(\)(?: already exists| is not present|$))")


def query_redact(query_string: str) -> str:
    """A query string safe to log: values of QUERY_VALUES_KEPT stay when short and plain,
    every other value becomes [redacted]; odd parameter names are replaced as well."""
    if not query_string:
        return ""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    kept: list[tuple[str, str]] = []
    for name, value in pairs[:MAX_QUERY_PARAMETERS]:
        safe_name = name if _SAFE_NAME.fullmatch(name) else REDACTED
        if safe_name.lower() in QUERY_VALUES_KEPT and _KEPT_VALUE.fullmatch(value):
            kept.append((safe_name, value))
        else:
            kept.append((safe_name, REDACTED if value else ""))
    text = urlencode(kept, safe="[]:,+")
    if len(pairs) > MAX_QUERY_PARAMETERS:
        text += "&..."
    return text


def _api_key_redact(match: re.Match[str]) -> str:
    if _API_KEY_PREFIX.fullmatch(match.group(0)):
        return match.group(0)  # a prefix alone names a key and is no secret
    shaped = _API_KEY_SHAPE.fullmatch(match.group(0))
    return f"{shaped.group(1)}_{REDACTED}" if shaped else f"ahk_{REDACTED}"


def text_scrub(text: str) -> str:
    """Replace the shapes of secrets and personal data that can hide in free text."""
    if not text:
        return text
    text = _CREDENTIALS.sub(rf"\1\2{REDACTED}", text)
    text = _API_KEY.sub(_api_key_redact, text)
    text = _URL_PASSWORD.sub(rf"\1:{REDACTED}@", text)
    text = _URL_QUERY.sub(lambda m: f"{m.group(1)}?{query_redact(m.group(2))}", text)
    text = _SECRET_ASSIGNMENT.sub(rf"\1\2{REDACTED}", text)
    text = _CONSTRAINT_VALUES.sub(rf"\1{REDACTED}\2", text)
    return _EMAIL.sub(EMAIL_MARK, text)
