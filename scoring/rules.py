"""Who may see what of an evaluation, and who may do what with it: the one policy.

Seeing an evaluation at all is scoped (``selectors.visible_evaluations``): its
owner, its assigned evaluators, executives, auditors and admins. What they see of
a visible one, and what they may do, is decided here and nowhere else; pages,
table cells, downloads, commands and mail ask these predicates.

- **Blind**: anyone assigned to score an evaluation (owners and admins included)
  whose scorecard is not submitted. The blind see no ranking, no totals, no ranks,
  no other evaluator's scores, and (while prices are sealed) no prices or TCOs,
  until they submit.
- **Duties are separated**: auditors read and never write or score; executives
  decide awards and never score; a deactivated user does nothing.
"""

import rules

from accounts.roles import is_admin, is_auditor, is_executive, is_procurement


@rules.predicate
def is_owner(user, evaluation) -> bool:
    return evaluation is not None and evaluation.owner_id == user.pk


@rules.predicate
def is_assigned(user, evaluation) -> bool:
    return evaluation is not None and evaluation.assignments.filter(evaluator_id=user.pk).exists()


@rules.predicate
def has_submitted(user, evaluation) -> bool:
    return (
        evaluation is not None
        and evaluation.assignments.filter(evaluator_id=user.pk, submitted_at__isnull=False).exists()
    )


@rules.predicate
def is_active(user) -> bool:
    return bool(getattr(user, "is_active", False))


# Assigned to score and not yet submitted: sees nothing of the results, whatever else they are.
is_blind = is_assigned & ~has_submitted

manages = is_admin | is_owner
# The results (ranking, totals, ranks, other evaluators' scores): those who run, decide or audit the
# evaluation, and evaluators once submitted; never anyone while blind.
sees_results = ~is_blind & (is_admin | is_owner | is_executive | is_auditor | is_assigned)
# The package and the history carry every evaluator's drafts: never for evaluators, nor for the blind.
reads_record = ~is_blind & (is_admin | is_owner | is_executive | is_auditor)
# Who may score: an active person assigned to it who neither audits nor decides.
may_score = is_active & is_assigned & ~is_auditor & ~is_executive
# An award is decided by an active executive who did not score it. A predicate, not only a permission:
# superusers pass every permission check, and an admin who is not an executive must not approve an award.
may_decide_award = is_active & is_executive & ~is_assigned

rules.add_perm("scoring.add_evaluation", is_active & (is_admin | is_procurement))
rules.add_perm("scoring.manage_evaluation", is_active & manages)
rules.add_perm("scoring.view_results", sees_results)
rules.add_perm("scoring.export_package", reads_record)
rules.add_perm("scoring.score_evaluation", may_score)
# An award is proposed by the owner and decided by an executive who did not score it.
rules.add_perm("scoring.propose_award", is_active & manages)
rules.add_perm("scoring.decide_award", may_decide_award)
rules.add_perm("scoring.unlock_evaluation", is_active & is_admin)
