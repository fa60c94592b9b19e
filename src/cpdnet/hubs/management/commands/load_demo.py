from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.template.defaultfilters import pluralize

from cpdnet.accounts.models import User
from cpdnet.accreditation.demo import load_demo_accreditation
from cpdnet.accreditation.demo_applying import load_demo_applying
from cpdnet.delivery.demo import load_demo_delivery
from cpdnet.delivery.materials_demo import finished_webinar_with_slides, load_demo_materials
from cpdnet.evaluation.demo import load_demo_evaluation
from cpdnet.events.demo import first_open_webinar, load_demo_audiences, load_demo_events
from cpdnet.funding.demo import load_demo_funding
from cpdnet.hubs.services import load_hubs
from cpdnet.insights.activity import DOMAIN as ACTIVITY_DOMAIN
from cpdnet.insights.activity import generate_activity, generated_users, iter_counts
from cpdnet.insights.demo import load_demo_targets
from cpdnet.insights.engagement import rebuild_engagement
from cpdnet.notifications.demo import load_demo_newsletters
from cpdnet.programmes.demo import load_demo_programmes, load_demo_sessions
from cpdnet.programmes.provision_demo import load_demo_provision
from cpdnet.schools.models import School

SCHOOLS_DEMO = Path(__file__).resolve().parents[3] / "schools" / "demo_data"
HUBS_DEMO = Path(__file__).resolve().parents[2] / "demo_data"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a published demo password, local data only


class Command(BaseCommand):
    help = (
        "Load the demo: the real schools register shipped with cpdnet, the maths hubs and demo "
        "science partnerships with their areas, demo programmes with every hub's offerings, demo "
        "accounts and applications. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-activity",
            action="store_true",
            help="Do not generate the small set of made-up activity that fills the insights.",
        )
        parser.add_argument(
            "--reimport",
            action="store_true",
            help="Import the shipped schools file even when the register already has schools.",
        )

    def handle(self, *args, reimport: bool, without_activity: bool, verbosity: int, **options):
        if reimport or not School.objects.exists():
            call_command(
                "import_schools",
                SCHOOLS_DEMO / "schools_england.csv.gz",
                links=SCHOOLS_DEMO / "links_successors.csv.gz",
                verbosity=verbosity,
                stdout=self.stdout,
            )
        else:
            self.stdout.write("The schools register is already loaded (use --reimport to refresh).")
        hubs, areas = load_hubs(
            hubs_csv=HUBS_DEMO / "hubs.csv", areas_csv=HUBS_DEMO / "hub_areas.csv"
        )
        self.stdout.write(f"Loaded {hubs} hubs with {areas} area rows.")
        with transaction.atomic():
            if not User.objects.filter(email="national@example.org").exists():
                User.objects.create_superuser(
                    "national@example.org", DEMO_PASSWORD, full_name="Nadia National (demo)"
                )
        demo = load_demo_programmes()
        years = " and ".join(f"{year}/{(year + 1) % 100:02d}" for year in demo["years"])
        self.stdout.write(
            f"Loaded {demo['programmes']} programmes, {demo['offerings']} offerings "
            f"({demo['offerings_created']} new) in {years}, "
            f"{demo['accounts']} demo accounts and {demo['applications']} applications "
            f"({demo['applications_created']} new, from {demo['teachers']} made-up teachers)."
        )
        provision = load_demo_provision()
        self.stdout.write(
            f"Loaded {provision['providers']} new national providers, "
            f"{provision['offerings']} new national, college, school-led and multi-year "
            f"offerings and {provision['applications']} applications for them."
        )
        events = load_demo_events()
        letters = load_demo_newsletters()
        self.stdout.write(
            f"Loaded {events['registrations_created']} new webinar registrations "
            f"({events['open_webinars_with_places']} webinars open with places), "
            f"{letters['audiences']} newsletter audiences and {letters['subscribers']} subscribers"
            f"{' and sent one issue' if letters['issue_sent'] else ''}."
        )
        sessions = load_demo_sessions()
        self.stdout.write(
            f"Loaded {sessions['sessions']} sessions ({sessions['sessions_created']} new)."
        )
        delivery = load_demo_delivery()
        if delivery["attendance"] or delivery["resources"] or delivery["gap_tasks"]:
            self.stdout.write(
                f"Added {delivery['attendance']} attendance marks, {delivery['resources']} "
                f"resources and {delivery['gap_tasks']} gap tasks."
            )
        materials = load_demo_materials()
        slides_webinar = finished_webinar_with_slides()
        wider = load_demo_audiences(
            [webinar for webinar in (first_open_webinar(), slides_webinar) if webinar]
        )
        self.stdout.write(
            f"Added {materials['documents']} programme documents, {materials['materials']} "
            f"library materials reused {materials['reused']} times, and {wider} registrants "
            "from universities, industry and teacher training."
        )
        # After the sessions and attendance: certificate hours count attended sessions.
        evaluation = load_demo_evaluation()
        self.stdout.write(
            f"Added {evaluation['surveys']} surveys, {evaluation['session_feedback']} session "
            f"ratings, {evaluation['page_feedback']} page feedback answers and "
            f"{evaluation['certificates']} certificate{pluralize(evaluation['certificates'])}."
        )
        if not without_activity:
            self._generate_activity()
        money = load_demo_funding()
        self.stdout.write(
            f"Loaded {money['funds']} bursary funds a year, {money['schemes']} new bursary "
            f"schemes, {money['invoices']} new invoices, {money['bursaries']} new bursaries and a "
            f"payment run of {money['payments']} payments."
        )
        accreditation = load_demo_accreditation()
        self.stdout.write(
            f"Loaded PD Lead accreditation: {accreditation['candidacies']} candidacies in every "
            f"state and {accreditation['accreditations']} accredited PD Leads "
            "(assessor@example.org has assignments; moderator@example.org moderates)."
        )
        # After the accreditation demo: its cohorts' places get their evidence and endorsement.
        applying = load_demo_applying()
        self.stdout.write(
            f"Accreditation applications: {applying['evidence']} with new PD leadership "
            f"evidence, {applying['endorsements']} newly endorsed by their hub, "
            f"{applying['waiting']} waiting for an endorsement; {applying['requirements']} new "
            "facilitator requirements on PD Lead programmes."
        )
        self.stdout.write(f"Loaded {load_demo_targets()} engagement targets.")
        # The demo's applications went in with bulk inserts, which keep no rollup up to date.
        self.stdout.write(f"Rebuilt the engagement rollup: {rebuild_engagement()} rows.")
        self.stdout.write(
            f"Demo national staff account: national@example.org / {DEMO_PASSWORD} at /admin/"
        )
        self.stdout.write(
            "Other demo accounts, same password: hub@example.org, facilitator@example.org, "
            "approver@example.org, teacher@example.org, assessor@example.org, "
            "evaluator@example.org, provider@example.org, college.teacher@example.org, "
            "year.two@example.org, finance@example.org (national finance), bursar@example.org "
            "(the demo school's finance contact) (see src/cpdnet/programmes/demo_data/README.md)."
        )

    def _generate_activity(self) -> None:
        """A small, fixed-seed set of made-up activity (one hub per network, five years), so
        that dashboards and insights show a realistic year; once, as generated people."""
        if generated_users().exists():
            self.stdout.write("Generated activity is already loaded.")
            return
        summary = generate_activity(years=5, scale="small", seed=2026)
        self.stdout.write(
            f"Generated made-up activity in {summary.seconds:.0f} s (people at "
            f"@{ACTIVITY_DOMAIN}; docs/activity.md): "
            + ", ".join(f"{count:,} {name}" for name, count in iter_counts(summary))
            + "."
        )
