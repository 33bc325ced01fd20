from cpd.conf import cpd_settings


def cpd(request) -> dict:
    return {"cpd_site_name": cpd_settings.SITE_NAME}
