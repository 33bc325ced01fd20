"""Signals host projects and integrations can listen to.

course_passed
    sender: Enrolment; kwargs: enrolment, attempt. Sent with ``send`` *inside* the
    transaction that completes the enrolment, so a receiver's writes commit or roll back
    with it, and its exception fails the submission. The certificates app issues the
    certificate here (a receiver returns what it issued). Host projects should prefer
    ``course_completed``.

Those below are sent after commit, robustly: an exception in a receiver is logged and
never undoes or fails what was saved.

course_completed
    sender: Enrolment; kwargs: enrolment, attempt (the passing attempt). The learner has
    passed the knowledge check; the certificate is issued in the same transaction
    (``certificates.signals.certificate_issued`` follows).
"""

from django.dispatch import Signal

course_passed = Signal()
course_completed = Signal()
