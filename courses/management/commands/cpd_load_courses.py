from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.content import ContentError, shipped_course_folders
from courses.services import courses_load
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
        "unchanged content changes nothing; changed content becomes a new version."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Course folders, or folders of them")

    def handle(self, *args, paths, **options):
        folders = (
            course_folders(paths or cpd_settings.COURSE_CONTENT_DIRS)
            if (paths or cpd_settings.COURSE_CONTENT_DIRS)
            else shipped_course_folders()
        )
        try:
            results = courses_load(folders=folders)
        except ContentError as exc:
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(
                f"Nothing was loaded: {len(exc.problems)} problem(s) found.\n{lines}"
            ) from exc
        for version, created in results:
            state = "new version" if created else "unchanged"
            self.stdout.write(f"{version.course.slug}: version {version.number} ({state})")
