"""Safeguarding CPD: schools, people, requirements, compliance and audit."""
