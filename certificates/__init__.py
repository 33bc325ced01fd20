"""Certificates: issued records, PDFs, verification and evidence packs."""
