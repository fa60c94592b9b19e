from django.apps import AppConfig
from django.db.models import signals


class InsightsConfig(AppConfig):
    name = "cpdnet.insights"
    verbose_name = "Reach, equity and impact"

    def ready(self) -> None:
        from cpdnet.applications.models import Application
        from cpdnet.applications.signals import school_confirmation_changed
        from cpdnet.programmes.models import Offering

        from . import engagement

        # Keep the engagement rollup in step with every application and offering change.
        uid = "insights-engagement"
        signals.pre_save.connect(engagement.application_changing, Application, dispatch_uid=uid)
        signals.pre_delete.connect(engagement.application_changing, Application, dispatch_uid=uid)
        signals.post_save.connect(engagement.application_saved, Application, dispatch_uid=uid)
        signals.post_delete.connect(engagement.application_deleted, Application, dispatch_uid=uid)
        school_confirmation_changed.connect(
            engagement.schools_confirmed_changed, Application, dispatch_uid=uid
        )
        signals.pre_save.connect(engagement.offering_changing, Offering, dispatch_uid=uid)
        signals.post_save.connect(engagement.offering_saved, Offering, dispatch_uid=uid)
