from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "cpdnet.operations"
    verbose_name = "Operations (health, metrics, logs, read replica)"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from . import request_ids

        task_started.connect(request_ids.adopt_request_id, dispatch_uid="cpdnet-request-id")
        task_finished.connect(request_ids.forget_request_id, dispatch_uid="cpdnet-request-id")
