import calendar
from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def school_year_start(on: date) -> date:
    """1 September of the school year that contains the date (England's school year)."""
    return date(on.year if on.month >= 9 else on.year - 1, 9, 1)


def school_today(school) -> date:
    """Today where the school is: what its rules (due, overdue, leaving dates, who is on
    the staff) count from. Learners' own pages, across their schools, use the site's
    ``TIME_ZONE``."""
    return timezone.localdate(timezone=ZoneInfo(school.timezone))
