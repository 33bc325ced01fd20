"""How the certificates app hears the floor below it: ``courses`` cannot import
``certificates``, so it announces a pass and this issues the certificate."""

from certificates.models import Certificate
from certificates.services import certificate_issue


def issue_on_course_passed(sender, *, enrolment, attempt, **kwargs) -> Certificate:
    """``courses.signals.course_passed``: issue the certificate in the same transaction."""
    return certificate_issue(enrolment=enrolment, score=attempt.score)
