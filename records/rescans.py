"""Re-scans: a second record of a report already held is linked to the first one and flagged.

Archives scan the same paper twice (a better copy, a lost folder found again).
Two records of one report are recognised by what the page says, not by the
file's bytes: the same form, fiscal year, quarter, ramo and unidad ejecutora.
Modification forms carry no quarter (an area files several a year), so they are
never linked. The first record (lowest page id, i.e. submitted first) stays the
reference; every later one points at it through ``Report.rescan_of``. Linking
is recomputed for the whole group each time one of its pages is stored, so the
result does not depend on which worker finished first.
"""
from __future__ import annotations

from records.models import Report

KEY_FIELDS = ("report_type", "ejercicio", "trimestre", "ramo_code", "unidad_code")


def rescan_key(report: Report) -> dict | None:
    key = {f: getattr(report, f) for f in KEY_FIELDS}
    if any(v in (None, "") for v in key.values()):
        return None
    return key


def _relink(key: dict) -> None:
    group = list(Report.objects.filter(**key).order_by("page_id").values_list("id", "rescan_of_id"))
    if not group:
        return
    first = group[0][0]
    if group[0][1] is not None:
        Report.objects.filter(pk=first).update(rescan_of=None)
    later = [rid for rid, link in group[1:] if link != first]
    if later:
        Report.objects.filter(pk__in=later).update(rescan_of=first)


def link_rescans(report: Report) -> Report:
    """Link ``report`` (just stored) and its group; undo links its new reading no longer supports."""
    key = rescan_key(report)
    followers = list(Report.objects.filter(rescan_of=report))
    if key is None:
        Report.objects.filter(pk=report.pk).update(rescan_of=None)
    else:
        _relink(key)
    for other in followers:
        other_key = rescan_key(other)
        if other_key != key:
            Report.objects.filter(pk=other.pk).update(rescan_of=None)
            if other_key:
                _relink(other_key)
    report.refresh_from_db(fields=["rescan_of"])
    return report
