"""Review: the queue of fields a person should look at, and corrections with their audit.

The queue holds every field in ``needs_review``, riskiest first: more failed
checks first, then lower confidence (then the order they were stored). A
correction is one transaction: the audit row (append-only), the field marked
``corrected`` (reprocessing never overwrites it, see records.store), the
record's data and review list brought in step, and, when the reviewer asks,
the printed spelling kept as an alias of the catalog entry the new value
names, so the matcher knows it on the next page it reads.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields as dc_fields
from typing import Any, Mapping

from django.db import transaction
from django.db.models import Q, QuerySet

from reconcile.paths import ancestors, split
from reconcile.types import HEADER_CODE_NAMES
from records.compare import group_of
from records.models import Correction, Field, Report
from records.store import report_columns

ORDER = ("-failed_checks", "confidence", "id")
NUMBER, TEXT, STRUCTURE = "number", "text", "structure"
_TOP_NUMBERS = frozenset({"ejercicio", "trimestre"})
_LISTS = frozenset({"rows", "signatarios", "lineas_accion"})


class CorrectionError(ValueError):
    """A value the field cannot take; the message says why, for the reviewer."""


# ---------------------------------------------------------------- the queue
def whole_number(text: str, *, max_digits: int | None = None) -> int | None:
    """``text`` as a whole number when it is ASCII digits only ('²' is a digit to ``isdigit``), at most
    ``max_digits`` of them; else None. What a query string or a form says is never trusted further."""
    ok = text.isascii() and text.isdigit() and (max_digits is None or len(text) <= max_digits)
    return int(text) if ok else None


@dataclass(frozen=True)
class QueueFilter:
    """What the reviewer narrowed the queue (or an export) to; empty means everything."""

    batch: int | None = None
    ramo: str = ""
    unidad: str = ""
    year: int | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> "QueueFilter":
        def number(key: str) -> int | None:  # anything but a whole number filters nothing
            return whole_number((query.get(key) or "").strip(), max_digits=18)  # a database integer holds it

        return cls(batch=number("batch"), ramo=(query.get("ramo") or "").strip()[:20],
                   unidad=(query.get("unidad") or "").strip()[:20], year=number("year"))

    def as_params(self) -> dict[str, str]:
        return {f.name: str(v) for f in dc_fields(self) if (v := getattr(self, f.name)) not in (None, "")}

    def reports(self, qs: QuerySet | None = None) -> QuerySet:
        """Reports that pass the filter."""
        qs = Report.objects.all() if qs is None else qs
        if self.batch is not None:
            qs = qs.filter(page__document__batch_id=self.batch)
        if self.ramo:
            qs = qs.filter(ramo_code=self.ramo)
        if self.unidad:
            qs = qs.filter(unidad_code=self.unidad)
        if self.year is not None:
            qs = qs.filter(ejercicio=self.year)
        return qs

    def fields(self) -> QuerySet:
        qs = Field.objects.filter(status=Field.Status.NEEDS_REVIEW)
        lookups = {"batch": "report__page__document__batch_id", "ramo": "report__ramo_code",
                   "unidad": "report__unidad_code", "year": "report__ejercicio"}
        for key, lookup in lookups.items():
            value = getattr(self, key)
            if value not in (None, ""):
                qs = qs.filter(**{lookup: value})
        return qs


def queue(flt: QueueFilter = QueueFilter()) -> QuerySet:
    """Fields waiting for a person, riskiest first."""
    return flt.fields().select_related("report__page__document").order_by(*ORDER)


def _after(field: Field) -> Q:
    """Everything that comes after ``field`` in the queue order (``ORDER``)."""
    fc, conf = field.failed_checks, field.confidence
    return (Q(failed_checks__lt=fc) | Q(failed_checks=fc, confidence__gt=conf)
            | Q(failed_checks=fc, confidence=conf, id__gt=field.id))


def next_item(flt: QueueFilter = QueueFilter(), after: Field | None = None) -> Field | None:
    """The item to show after ``after`` (skipped or just corrected): the next one in risk order,
    wrapping round to the riskiest so skipped items come back once the rest are done."""
    qs = queue(flt)
    if after is None:
        return qs.first()
    return qs.filter(_after(after)).first() or qs.exclude(pk=after.pk).first()


def position(flt: QueueFilter, field: Field) -> int:
    """1-based place of ``field`` among the waiting items."""
    return flt.fields().exclude(_after(field)).exclude(pk=field.pk).count() + 1


# ---------------------------------------------------------------- values
def value_kind(field: Field) -> str:
    """How a typed value is read: a whole number, text, or JSON for a list or row."""
    parts = split(field.path)
    if isinstance(field.value, (list, dict)) or (parts and isinstance(parts[-1], int) and parts[0] in _LISTS
                                                 and len(parts) == 2) or field.path in _LISTS:
        return STRUCTURE
    if field.path in _TOP_NUMBERS or group_of(field.path) == "numbers":
        return NUMBER
    return TEXT


def parse_value(field: Field, text: str | None) -> Any:
    """The typed text as the field's value; empty means "nothing printed" (null)."""
    text = (text or "").strip()
    if not text:
        return None
    kind = value_kind(field)
    if kind == NUMBER:
        digits = re.sub(r"[\s,]", "", text).removesuffix("%")
        if not re.fullmatch(r"-?\d+", digits):
            raise CorrectionError(f"«{text}» no es un número entero")
        return int(digits)
    if kind == STRUCTURE:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CorrectionError(f"esta parte del registro se escribe en JSON ({exc.msg})") from None
    return re.sub(r"\s+", " ", text)


def candidate_value(field: Field, number: int) -> Any:
    """The value of candidate ``number`` (1-based, as shown)."""
    if not 1 <= number <= len(field.candidates or []):
        raise CorrectionError(f"no hay candidato {number}")
    return field.candidates[number - 1]["value"]


# ---------------------------------------------------------------- corrections
@dataclass(frozen=True)
class Outcome:
    correction: Correction
    alias: str | None = None  # the spelling the catalog learned, if any
    entry: Any = None  # the catalog row it was added to


def _put(data: dict, path: str, value: Any) -> None:
    """Write ``value`` at ``path``, creating what is missing on the way; a path one past the end of a
    list (a row that may be missing) appends, and accepting nothing there (None) leaves the list."""
    parts = split(path)
    node: Any = data
    try:
        for part, nxt in zip(parts, parts[1:]):
            if isinstance(node, list) and part == len(node):
                node.append({} if isinstance(nxt, str) else [])
            elif isinstance(node, dict) and node.get(part) is None:
                node[part] = {} if isinstance(nxt, str) else []
            node = node[part]
        last = parts[-1]
        if isinstance(node, list) and last == len(node):
            if value is not None:
                node.append(value)
            return
        node[last] = value
    except (KeyError, IndexError, TypeError):
        raise CorrectionError(f"el registro no tiene lugar para {path}") from None


def still_flagged(report: Report) -> list[str]:
    """The report's review list after a change: a path stays while a field at or under it still waits,
    or while no field stands for it at all (a doubt about the page as a whole)."""
    statuses = list(report.fields.values_list("path", "status"))
    covered = {a for path, _ in statuses for a in ancestors(path)}
    waiting = {a for path, s in statuses if s == Field.Status.NEEDS_REVIEW for a in ancestors(path)}
    return [p for p in report.needs_review if p in waiting or p not in covered]


@transaction.atomic
def apply_correction(field: Field, user, value: Any, reason: str = "", keep_alias: bool = False) -> Outcome:
    """Record what a reviewer decided for one field, and everything that follows from it, at once."""
    field = Field.objects.select_for_update().get(pk=field.pk)
    report = Report.objects.select_for_update().get(pk=field.report_id)
    data = report.data
    _put(data, field.path, value)
    alias, entry = (_learn_alias(field, report, value) if keep_alias else (None, None))
    if alias:
        reason = f"{reason}; se guardó «{alias}» como variante de {entry.kind} {entry.code or entry.name}"
    correction = Correction.objects.create(field=field, user=user, old_value=field.value, new_value=value,
                                           reason=reason.strip("; "))
    field.value, field.status = value, Field.Status.CORRECTED
    field.save(update_fields=["value", "status"])
    before = report_columns(report.data)
    for key, val in report_columns(data).items():
        setattr(report, key, val)
    report.data = data
    report.needs_review = still_flagged(report)
    report.save()
    if report_columns(data) != before:
        from records.rescans import link_rescans  # the same report may now be a re-scan of another

        link_rescans(report)
    return Outcome(correction, alias, entry)


# ---------------------------------------------------------------- learned aliases
def catalog_slot(path: str) -> tuple[str, str, str] | None:
    """(catalog kind, "code" or "name", path of the printed name) for a field the catalog names."""
    parts = split(path)
    if len(parts) == 2 and parts[0] in HEADER_CODE_NAMES and parts[1] in ("code", "name"):
        return parts[0], parts[1], f"{parts[0]}.name"
    if len(parts) == 3 and parts[0] == "lineas_accion" and parts[2] in ("code", "name"):
        return "linea_accion", parts[2], f"lineas_accion[{parts[1]}].name"
    if len(parts) == 3 and parts[0] == "rows":
        row = f"rows[{parts[1]}]"
        slots = {"number": ("accion", "code"), "descripcion": ("accion", "name"),
                 "unidad_medida": ("unidad_medida", "name")}
        if parts[2] in slots:
            kind, key = slots[parts[2]]
            return kind, key, f"{row}.unidad_medida" if kind == "unidad_medida" else f"{row}.descripcion"
    if len(parts) == 3 and parts[0] == "signatarios" and parts[2] == "nombre":
        return "persona", "name", path
    return None


def alias_offer(field: Field) -> str | None:
    """The printed text a correction of this field may teach the catalog (None: nothing to offer).

    The catalog's aliases are spellings of names: correcting a code offers the printed name of the
    same pair, which is what the matcher compares (codes are matched digit by digit)."""
    slot = catalog_slot(field.path)
    if slot is None:
        return None
    name_path = slot[2]
    raw = field.raw if name_path == field.path else (
        Field.objects.filter(report_id=field.report_id, path=name_path).values_list("raw", flat=True).first())
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _parents(report: Report) -> tuple[str, ...]:
    d = report.data
    fin = (d.get("finalidad") or {}).get("code") or ""
    fun = (d.get("funcion") or {}).get("code") or ""
    return tuple(p for p in (report.ramo_code, report.unidad_code, fin, f"{fin}.{fun}" if fin and fun else "") if p)


def _learn_alias(field: Field, report: Report, value: Any):
    """Add the printed spelling to the catalog entry ``value`` names; (alias, entry) or (None, None)."""
    from reconcile.catalog_db import add_alias, find_entry

    slot, printed = catalog_slot(field.path), alias_offer(field)
    if slot is None or printed is None or value in (None, ""):
        return None, None
    kind, key, _ = slot
    entry = find_entry(kind, year=report.ejercicio, parents=_parents(report),
                       **({"code": str(value)} if key == "code" else {"name": str(value)}))
    if entry is None:
        return None, None
    alias = add_alias(entry, printed)
    return (alias, entry) if alias else (None, None)
