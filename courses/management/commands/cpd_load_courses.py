from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.loading import GUESS_PASS_LIMIT, CoursesRefused, courses_check, shipped_course_folders
from courses.loading.item_quality import percent
from courses.services import courses_publish
from cpd.conf import cpd_settings


def course_folders(paths) -> list[Path]:
    """Each path is a course folder (holding course.yaml) or a folder of course folders."""
    folders = []
    for path in map(Path, paths):
        if (path / "course.yaml").is_file() or not path.is_dir():
            folders.append(path)
        else:
            folders.extend(sorted(p for p in path.iterdir() if (p / "course.yaml").is_file()))
    return folders


class Command(BaseCommand):
    help = (
        "Validate and load course content folders. With no path, loads the shipped courses "
        "(or CPD_COURSE_CONTENT_DIRS). Nothing is written unless every file is valid; "
        "unchanged content changes nothing; changed content becomes a new version. "
        "Each knowledge check's guessing figures (how often someone who has read nothing "
        "passes on surface cues) are printed on standard error."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Course folders, or folders of them")
        parser.add_argument(
            "--strict",
            action="store_true",
            help=(
                "Refuse, rather than warn about, any course whose knowledge check a guesser "
                f"passes {percent(GUESS_PASS_LIMIT).replace('%', '%%')} of the time or more "
                "(as CPD_REFUSE_GUESSABLE_BANKS does)."
            ),
        )

    def handle(self, *args, paths, strict, **options):
        folders = (
            course_folders(paths or cpd_settings.COURSE_CONTENT_DIRS)
            if (paths or cpd_settings.COURSE_CONTENT_DIRS)
            else shipped_course_folders()
        )
        try:
            checked = courses_check(folders=folders, strict=strict)
        except CoursesRefused as exc:
            self._figures(exc.reports)
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"Nothing was loaded: {len(exc.problems)} problem(s) found.\n{lines}"
            ) from exc
        self._figures([course.report for course in checked])
        for course in checked:
            for warning in course.warnings:
                self.stderr.write(f"Warning: {warning}")
        for version, created in courses_publish(courses=checked):
            state = "new version" if created else "unchanged"
            self.stdout.write(f"{version.course.slug}: version {version.number} ({state})")

    def _figures(self, reports) -> None:
        if not reports:
            return
        self.stderr.write(
            "Chance that someone who has read nothing passes each knowledge check by "
            f"guessing (must be under {percent(GUESS_PASS_LIMIT)}):"
        )
        for report in reports:
            self.stderr.write(f"  {report}")
