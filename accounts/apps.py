from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and sign-in"

    def ready(self) -> None:
        from accounts import sessions, two_factor
        from tenants.signin_steps import second_factor_rule_register

        sessions.connect_signals()
        second_factor_rule_register(two_factor.second_factor_required)
