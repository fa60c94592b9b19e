from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "cpdnet.evaluation"
    verbose_name = "Evaluation"
