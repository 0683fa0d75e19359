"""A set of taxonomy terms stored as one integer bit set.

Storing multi-valued taxonomies as a bit set keeps every filter of the list a
predicate on one row (no joins, no DISTINCT), identical on SQLite and
PostgreSQL, and keeps the list page at a constant number of queries. See
docs/decisions/0002-term-sets-as-bit-sets.md.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from .taxonomy import Taxonomy


class TermSet(frozenset):
    """The slugs of a TermSetField, iterable in taxonomy order."""

    taxonomy: Taxonomy

    def __new__(cls, taxonomy: Taxonomy, slugs=()):
        obj = super().__new__(cls, slugs)
        obj.taxonomy = taxonomy
        return obj

    def ordered(self) -> list[str]:
        return [s for s in self.taxonomy.slugs if s in self]

    def labels(self) -> list[str]:
        return [self.taxonomy.label(s) for s in self.ordered()]

    def __str__(self):
        return "/".join(self.labels())


class TermSetField(models.BigIntegerField):
    description = "A set of taxonomy terms (bit set)"

    def __init__(self, *args, taxonomy: Taxonomy | None = None, **kwargs):
        self.taxonomy = taxonomy
        kwargs.setdefault("default", 0)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") == 0:
            del kwargs["default"]
        # The taxonomy is code, not schema: migrations need not track it.
        return name, path, args, kwargs

    @cached_property
    def validators(self):
        # A bit set is not a number anyone typed: BigIntegerField's range
        # validators would compare a TermSet with an int (model full_clean).
        return [*self.default_validators, *self._validators]

    def _to_set(self, value) -> TermSet:
        if isinstance(value, TermSet):
            return value
        if value in (None, ""):
            return TermSet(self.taxonomy)
        if isinstance(value, int):
            return self._from_mask(value)
        if isinstance(value, str):
            # Serialised form (fixtures, backups): comma-separated slugs.
            value = [slug for slug in value.split(",") if slug]
        unknown = [slug for slug in value if self.taxonomy.get(slug) is None]
        if unknown:
            raise ValidationError(f"{self.taxonomy.name}に不明な値があります: {', '.join(map(str, unknown))}")
        return TermSet(self.taxonomy, value)

    def _from_mask(self, mask: int) -> TermSet:
        """The set a stored mask means. Sets are immutable, so one is shared by
        every row with that mask (a page of the list reads ~120 of them)."""
        known = self.__dict__.setdefault("_sets", {})
        found = known.get(mask)
        if found is None:
            if len(known) >= 4096:
                known.clear()
            found = known[mask] = TermSet(self.taxonomy, self.taxonomy.from_mask(mask))
        return found

    def from_db_value(self, value, expression, connection):
        return self._to_set(value)

    def to_python(self, value):
        return self._to_set(value)

    def get_prep_value(self, value):
        if isinstance(value, int):
            return value
        return self.taxonomy.mask(self._to_set(value))

    def value_to_string(self, obj):
        return ",".join(self._to_set(self.value_from_object(obj)).ordered())

    def formfield(self, **kwargs):
        defaults = {
            "form_class": TermSetFormField,
            "taxonomy": self.taxonomy,
            "required": not self.blank,
        }
        defaults.update(kwargs)
        # BigIntegerField.formfield would add integer validators; skip to Field's.
        return models.Field.formfield(self, **defaults)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return TermSetExact
        return super().get_lookup(lookup_name)


class TermSetFormField(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, taxonomy: Taxonomy, **kwargs):
        for key in ("max_value", "min_value", "step_size", "coerce", "empty_value"):
            kwargs.pop(key, None)
        self.taxonomy = taxonomy
        super().__init__(choices=taxonomy.choices, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return self.taxonomy.from_mask(value)
        if isinstance(value, TermSet):
            return value.ordered()
        return value


class TermSetExact(models.lookups.Exact):
    def get_prep_lookup(self):
        return self.lhs.output_field.get_prep_value(self.rhs)


@TermSetField.register_lookup
class HasAny(models.Lookup):
    """``field__has_any=[slugs]``: the set shares at least one term."""

    lookup_name = "has_any"

    def get_prep_lookup(self):
        return self.lhs.output_field.get_prep_value(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs} & {rhs}) <> 0", [*lhs_params, *rhs_params]
