#!/usr/bin/env python
"""Django's command-line utility for the standalone Safeguarding CPD site."""

from cpd.__main__ import main

if __name__ == "__main__":
    main()
