from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpps.audit"
    label = "audit"
