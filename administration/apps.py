from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    """The client admin's workspace pages: agencies and engagements, privacy (retention,
    access requests, erasure) and the audit trail; the operators' admin of engagements. No
    models of its own: it writes public-schema rows through tenants' services and records
    each change in the client's audit trail."""

    name = "administration"
    verbose_name = "Workspace administration"
