from django.apps import AppConfig


class AccreditationConfig(AppConfig):
    name = "cpdnet.accreditation"
    verbose_name = "PD Lead accreditation"

    def ready(self) -> None:
        # Accreditation adds its rules to the lower apps' registries, so that applications and
        # programmes never import it: a place needs the hub lead's endorsement, and a
        # facilitator must meet the programme's requirement.
        from cpdnet.applications.services import register_acceptance_check
        from cpdnet.programmes.services import register_facilitator_check

        from .applying import endorsement_refusal
        from .facilitators import check_facilitator

        register_acceptance_check(endorsement_refusal)
        register_facilitator_check(check_facilitator)
