"""Courses: content, learning and assessment."""
