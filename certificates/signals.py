"""Signals other apps and host projects can listen to. All are sent after commit.

certificate_issued
    sender: Certificate; kwargs: certificate. A new certificate exists (its PDF may still be
    rendering).
certificate_revoked
    sender: Certificate; kwargs: certificate, actor, reason.
"""

from django.dispatch import Signal

certificate_issued = Signal()
certificate_revoked = Signal()
