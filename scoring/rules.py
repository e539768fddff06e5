"""Who may do what with an evaluation.

Seeing one is scoped (``selectors.visible_evaluations``): owner, assigned
evaluators, executives, auditors and admins. Acting on a visible one:
"""

import rules

from accounts.roles import is_admin, is_auditor, is_executive, is_procurement


@rules.predicate
def is_owner(user, evaluation) -> bool:
    return evaluation is not None and evaluation.owner_id == user.pk


@rules.predicate
def is_assigned(user, evaluation) -> bool:
    return evaluation is not None and evaluation.assignments.filter(evaluator=user).exists()


@rules.predicate
def has_submitted(user, evaluation) -> bool:
    return evaluation is not None and evaluation.assignments.filter(evaluator=user, submitted_at__isnull=False).exists()


manages = is_admin | is_owner
# Executives, auditors, admins and the owner see results at once; an evaluator only after submitting.
sees_results = is_admin | is_owner | is_executive | is_auditor | (is_assigned & has_submitted)

rules.add_perm("scoring.add_evaluation", is_admin | is_procurement)
rules.add_perm("scoring.manage_evaluation", manages)
rules.add_perm("scoring.view_results", sees_results)
# The package carries every evaluator's drafts: never for evaluators.
rules.add_perm("scoring.export_package", is_admin | is_owner | is_executive | is_auditor)
rules.add_perm("scoring.score_evaluation", is_assigned)
# An award is proposed by the owner and decided by an executive who did not score it.
rules.add_perm("scoring.propose_award", manages)
# A predicate, not only a permission: superusers pass every permission check, and an admin who is
# not an executive must not approve an award.
may_decide_award = is_executive & ~is_assigned
rules.add_perm("scoring.decide_award", may_decide_award)
rules.add_perm("scoring.unlock_evaluation", is_admin)
