from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cpd.site.demo import PASSWORD, demo_create


class Command(BaseCommand):
    help = "Create the demo trust, schools, staff and training. Safe to run more than once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo logins share a published password.",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off: their password is public. "
                "Use --force if this really is a demo site."
            )
        logins = demo_create()
        width = max(len(email) for email, _ in logins)
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in at /accounts/login/ with:"))
        for email, what in logins:
            self.stdout.write(f"  {email.ljust(width)}  {what}")
        self.stdout.write(f"Every demo password is: {PASSWORD}")
