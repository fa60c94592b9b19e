from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save


class AccreditationConfig(AppConfig):
    name = "cpdnet.accreditation"
    verbose_name = "PD Lead accreditation"

    def ready(self) -> None:
        from cpdnet.applications.services import register_acceptance_check
        from cpdnet.applications.signals import application_moved
        from cpdnet.programmes.services import register_facilitator_check

        from .applying import endorsement_refusal
        from .facilitators import check_facilitator
        from .services import on_application_moved

        application_moved.connect(on_application_moved, dispatch_uid="accreditation")
        # Accreditation adds its rules to the lower apps' registries, so that applications and
        # programmes never import it: a place needs the hub lead's endorsement, and a
        # facilitator must meet the programme's requirement.
        register_acceptance_check(endorsement_refusal)
        register_facilitator_check(check_facilitator)
        self._forget_register_pages_on_change()

    def _forget_register_pages_on_change(self) -> None:
        # The public register shows an accreditation, its holder's name and its hub's slug.
        from cpdnet.hubs.models import Hub

        from .models import Accreditation
        from .register_cache import forget_pages

        for model in (Accreditation, get_user_model(), Hub):
            for signal, when in ((post_save, "s"), (post_delete, "d")):
                signal.connect(
                    forget_pages, sender=model, dispatch_uid=f"register-{model.__name__}-{when}"
                )
