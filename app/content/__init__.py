"""The course as data: the outline, lessons and exercises loaded from their files."""
