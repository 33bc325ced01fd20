"""Signals other apps and host projects can listen to. All are sent after commit, robustly:
a receiver's exception is logged (logger ``django.dispatch``) and never reaches the other
receivers, the task that sent it, or what was saved.

certificate_issued
    sender: Certificate; kwargs: certificate. A new certificate exists (its PDF may still be
    rendering).
certificate_revoked
    sender: Certificate; kwargs: certificate, actor, reason.
"""

from django.dispatch import Signal

certificate_issued = Signal()
certificate_revoked = Signal()
