"""A real OpenID provider for the single sign-on tests: django-oauth-toolkit with OpenID
Connect on, in its own process and its own SQLite database (`serve.py`). Not a mock: the
platform's relying party talks to it over HTTP exactly as it would to Okta or Keycloak
(discovery, authorization code with PKCE, token endpoint, RS256-signed ID tokens, JWKS)."""
