"""What the load test's writes left in the database (bench/load_hosts.py)."""

from seminars.models import Application


def stored_markers() -> set[str]:
    return set(Application.objects.filter(email__startswith="load-").values_list("email", flat=True))
