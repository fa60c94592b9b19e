from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpdnet.audit"
    verbose_name = "Audit trail"
