"""Who may do what in the MSP registry. Every logged-in role may read it."""

import rules

from accounts.roles import is_admin, is_procurement

can_edit_registry = is_admin | is_procurement

rules.add_perm("vendors.view_msp", rules.is_active)
rules.add_perm("vendors.add_msp", can_edit_registry)
rules.add_perm("vendors.change_msp", can_edit_registry)
rules.add_perm("vendors.archive_msp", can_edit_registry)
