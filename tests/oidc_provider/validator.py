from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """The ID token carries e-mail, whether it is verified, and the name. A person whose
    last name is "unverified" stands for an account whose e-mail the provider never checked."""

    oidc_claim_scope = None  # every claim goes in the ID token, whatever the scopes

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "name": user.first_name,
        }
