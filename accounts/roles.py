"""The four roles (Django groups) and the predicates permissions are built from.

Superusers are admins and may do everything; the groups are created by a data
migration so every installation has them.
"""

from __future__ import annotations

import rules
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

PROCUREMENT = "Procurement"
EVALUATOR = "Evaluator"
EXECUTIVE = "Executive"
AUDITOR = "Auditor"
ROLES = (PROCUREMENT, EVALUATOR, EXECUTIVE, AUDITOR)
# People of a bidding MSP (the bid room): outsiders, who see their own invitations and bids only.
MSP = "MSP"
# Roles that never score: auditors read, executives decide, an MSP's people bid.
NEVER_SCORE = frozenset({AUDITOR, EXECUTIVE, MSP})

is_admin = rules.is_superuser
is_procurement = rules.is_group_member(PROCUREMENT)
is_evaluator = rules.is_group_member(EVALUATOR)
is_executive = rules.is_group_member(EXECUTIVE)
is_auditor = rules.is_group_member(AUDITOR)


def is_msp_user(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the person signs in for a bidding MSP: the bid room is all they may reach."""
    return bool(user.is_authenticated) and MSP in group_names(user)


def group_names(user: AbstractBaseUser) -> set[str]:
    """The user's group names, read once per request (the cache ``rules`` predicates share)."""
    if not hasattr(user, "_group_names_cache"):
        user._group_names_cache = set(user.groups.values_list("name", flat=True))
    return user._group_names_cache


def role_names(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    """The user's roles in display order; admins are listed as "Admin"."""
    if not user.is_authenticated:
        return []
    groups = group_names(user)
    found = (["Admin"] if user.is_superuser else []) + [role for role in ROLES if role in groups]
    return found + ([MSP] if MSP in groups else [])


def may_be_evaluator(user: AbstractBaseUser) -> bool:
    """Who may be assigned to score: an active person who neither audits nor decides awards.

    Auditors read and executives decide (the contract's separated duties); a deactivated
    user does nothing; people of a bidding MSP never score. Admins and Procurement may score.
    """
    return bool(user.is_active) and not (group_names(user) & NEVER_SCORE)


def may_own_evaluation(user: AbstractBaseUser) -> bool:
    """Who may own an evaluation (``load_evaluation --owner``): an active Procurement user or a superuser."""
    return bool(user.is_active) and (user.is_superuser or PROCUREMENT in group_names(user))
