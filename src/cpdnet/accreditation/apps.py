from django.apps import AppConfig


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
