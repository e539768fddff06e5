"""Needs assessments: the guide's questions answered before an evaluation starts."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from scoring import guide
from scoring.models import (
    NeedsAssessment,
    RequirementTemplate,
)

logger = logging.getLogger(__name__)


def requirements_for(compliance: Iterable[str]) -> list[RequirementTemplate]:
    """The library's requirements that serve the buyer's compliance needs (HIPAA → BAA …)."""
    wanted = {item.casefold() for item in compliance}
    return [t for t in RequirementTemplate.objects.filter(active=True) if t.compliance.casefold() in wanted]


def profile_of(assessment: NeedsAssessment) -> guide.Profile:
    return guide.Profile(
        employees=assessment.employees,
        devices=assessment.devices,
        it_staff=assessment.it_staff,
        it_staff_annual_cost=assessment.it_staff_annual_cost,
        heavy_compliance=assessment.heavy_compliance,
        answers=frozenset(assessment.answers),
    )


@transaction.atomic
def assessment_create(*, created_by: AbstractBaseUser, **fields: Any) -> NeedsAssessment:
    known = {*guide.FULLY_MANAGED_INDICATORS, *guide.CO_MANAGED_INDICATORS, *guide.CO_MANAGED_TRIGGERS}
    known |= set(guide.CO_MANAGED_WARNINGS)
    unknown = set(fields.get("answers", [])) - known
    if unknown:
        raise ValidationError({"answers": f"Unknown answers: {', '.join(sorted(unknown))}."})
    assessment = NeedsAssessment(created_by=created_by, recommended="", **fields)
    assessment.recommended = guide.assess(profile_of(assessment)).recommended
    assessment.full_clean()
    assessment.save()
    return assessment
