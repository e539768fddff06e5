"""Who may see what of an evaluation, and who may do what with it: the one policy.

Seeing an evaluation at all is scoped (``selectors.visible_evaluations``): its
owner, its assigned evaluators, executives, auditors and admins. What they see of
a visible one, and what they may do, is decided here and nowhere else; pages,
table cells, downloads, commands and mail ask these predicates.

- **Blind**: anyone assigned to score an evaluation (owners and admins included)
  whose scorecard is not submitted. The blind see no ranking, no totals, no ranks,
  no other evaluator's scores, and (while prices are sealed) no prices or TCOs,
  until they submit.
  An owner who also scores recorded the bids, so knows their prices: they see prices
  (``view_prices``) but no results, and pages say they scored as the owner.
- While no scorecard of an evaluation is submitted, its "ranking" is a standing by price
  alone: pages label it so and call no bid the leader (``analysis`` stores ``scored``).
- **Duties are separated**: auditors read and never write or score; executives
  decide awards and never score; a deactivated user does nothing.
"""

import rules
from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Value

from accounts.roles import is_admin, is_auditor, is_executive, is_procurement


@rules.predicate
def is_owner(user, evaluation) -> bool:
    return evaluation is not None and evaluation.owner_id == user.pk


def viewer_annotations(user) -> dict:
    """Whether ``user`` is assigned to each evaluation of a queryset, and has submitted: read with the
    evaluation itself (two subqueries), so the predicates below ask the database nothing more.

    The view helper that fetches an evaluation for a request adds these (``views._evaluation``).
    """
    from .models import Assignment

    mine = Assignment.objects.filter(evaluation=OuterRef("pk"), evaluator_id=user.pk)
    return {
        "viewer_id": Value(user.pk, output_field=IntegerField()),
        "viewer_assigned": Exists(mine),
        "viewer_submitted": Exists(mine.filter(submitted_at__isnull=False)),
        "viewer_declared": Exists(mine.filter(declaration__isnull=False)),
    }


def _read_with(evaluation, user, name: str) -> bool | None:
    """What ``viewer_annotations`` read for this user, or None when the evaluation came without it."""
    if getattr(evaluation, "viewer_id", None) == user.pk:
        return getattr(evaluation, name, None)
    return None


@rules.predicate
def is_assigned(user, evaluation) -> bool:
    if evaluation is None:
        return False
    known = _read_with(evaluation, user, "viewer_assigned")
    if known is not None:
        return known
    return evaluation.assignments.filter(evaluator_id=user.pk).exists()


@rules.predicate
def has_submitted(user, evaluation) -> bool:
    if evaluation is None:
        return False
    known = _read_with(evaluation, user, "viewer_submitted")
    if known is not None:
        return known
    return evaluation.assignments.filter(evaluator_id=user.pk, submitted_at__isnull=False).exists()


@rules.predicate
def has_declared(user, evaluation) -> bool:
    if evaluation is None:
        return False
    known = _read_with(evaluation, user, "viewer_declared")
    if known is not None:
        return known
    return evaluation.assignments.filter(evaluator_id=user.pk, declaration__isnull=False).exists()


@rules.predicate
def is_locked(user, evaluation) -> bool:
    return evaluation is not None and evaluation.is_locked


@rules.predicate
def prices_unsealed(user, evaluation) -> bool:
    return evaluation is not None and not evaluation.sealed_prices


@rules.predicate
def is_active(user) -> bool:
    return bool(getattr(user, "is_active", False))


# Assigned to score and not yet submitted: sees nothing of the results, whatever else they are.
is_blind = is_assigned & ~has_submitted

manages = is_admin | is_owner
# The results (ranking, totals, ranks, other evaluators' scores): those who run, decide or audit the
# evaluation, and evaluators once submitted; never anyone while blind.
sees_results = ~is_blind & (is_admin | is_owner | is_executive | is_auditor | is_assigned)
# Prices and TCOs: open to everyone who sees the evaluation unless sealed; while sealed, to those who
# see the results and to those who record the bids (an owner who also scores knew the prices, and the
# record says so), never to a blind evaluator.
sees_prices = prices_unsealed | sees_results | (is_active & manages)
# The package and the history carry every evaluator's drafts: never for evaluators, nor for the blind.
reads_record = ~is_blind & (is_admin | is_owner | is_executive | is_auditor)
# Who may score: an active person assigned to it who neither audits nor decides.
may_score = is_active & is_assigned & ~is_auditor & ~is_executive
# An evaluator signs the declaration (no undeclared conflict, confidentiality) before first seeing the
# bids; the owner and admins, who record the bids, need not, nor anyone whose scorecard is submitted
# (a package's evaluators, who scored elsewhere), and nothing is asked of a closed evaluation.
must_declare = may_score & ~has_submitted & ~manages & ~has_declared & ~is_locked
# An award is decided by an active executive who did not score it. A predicate, not only a permission:
# superusers pass every permission check, and an admin who is not an executive must not approve an award.
may_decide_award = is_active & is_executive & ~is_assigned

rules.add_perm("scoring.add_evaluation", is_active & (is_admin | is_procurement))
rules.add_perm("scoring.manage_evaluation", is_active & manages)
rules.add_perm("scoring.view_results", sees_results)
rules.add_perm("scoring.view_prices", sees_prices)
rules.add_perm("scoring.export_package", reads_record)
rules.add_perm("scoring.score_evaluation", may_score)
# An award is proposed by the owner and decided by an executive who did not score it.
rules.add_perm("scoring.propose_award", is_active & manages)
rules.add_perm("scoring.decide_award", may_decide_award)
rules.add_perm("scoring.unlock_evaluation", is_active & is_admin)


def blind_annotation(user) -> Exists:
    """``is_blind`` for a queryset of evaluations (one subquery): the portfolio's rows, sorts and filters.

    The same rule as the predicate: ``user`` is assigned to the row's evaluation and has not submitted.
    """
    from .models import Assignment

    return Exists(Assignment.objects.filter(evaluation=OuterRef("pk"), evaluator_id=user.pk, submitted_at__isnull=True))


def opens_document(user, evaluation, document) -> bool:
    """Whether ``user``, who sees ``evaluation``, may open one of its bids' documents: a technical one
    (no prices) always, so evaluators read what they score; a commercial one (prices) as prices are seen
    (``view_prices``: sealed to a blind evaluator until they submit)."""
    return document.is_technical or can(user, "scoring.view_prices", evaluation)


def can(user, perm: str, evaluation=None) -> bool:
    """The policy's answer for ``perm`` on ``evaluation``, asked of the rules themselves.

    Every check on an evaluation goes through here, never ``user.has_perm``: Django lets a
    superuser through every ``has_perm``, and an admin assigned to score is as blind as anyone.
    """
    return rules.has_perm(perm, user, evaluation)


def blind_evaluations(user) -> QuerySet:
    """The ids of the evaluations ``user`` is blind on (``is_blind`` as a subquery), for read-only doors
    such as the admin's lists."""
    from .models import Assignment

    return Assignment.objects.filter(evaluator_id=user.pk, submitted_at__isnull=True).values("evaluation_id")
