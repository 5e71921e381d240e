"""django.contrib.admin's app, with the platform's admin site (tenants/admin_site.py) as
`admin.site`. A module of its own: app configs are imported before models are ready."""

from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    default_site = "tenants.admin_site.PlatformAdminSite"
