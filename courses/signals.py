"""Signals host projects and integrations can listen to. Sent after commit, robustly: an
exception in a receiver is logged and never undoes or fails what was saved.

course_completed
    sender: Enrolment; kwargs: enrolment, attempt (the passing attempt). The learner has
    passed the knowledge check; the certificate is issued in the same transaction
    (``certificates.signals.certificate_issued`` follows).
"""

from django.dispatch import Signal

course_completed = Signal()
