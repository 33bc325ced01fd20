from django.core import checks


@checks.register()
def weasyprint_libraries(app_configs, **kwargs):
    """WeasyPrint needs Pango; without HarfBuzz's subsetter it silently falls back to
    fontTools and every certificate takes about five times as long."""
    try:
        from weasyprint.text import ffi
    except OSError as exc:
        return [
            checks.Error(
                f"WeasyPrint cannot load its system libraries: {exc}",
                hint="Install Pango (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0).",
                id="certificates.E001",
            )
        ]
    if ffi.harfbuzz_subset is None or not ffi.harfbuzz.hb_version_atleast(4, 1, 0):
        return [
            checks.Warning(
                "HarfBuzz font subsetting is not available, so certificate PDFs are rendered "
                "about 5x more slowly.",
                hint="Install libharfbuzz-subset0 (Debian/Ubuntu) or harfbuzz (other systems).",
                id="certificates.W001",
            )
        ]
    return []
