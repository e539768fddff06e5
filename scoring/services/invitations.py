"""Inviting an MSP's people to the bid room: each chosen registry contact becomes a user of the MSP role
tied to its MSP, and gets an email of its own with a link to set a password (Django's password-reset
tokens). Nobody inside the buying company can be made an MSP user."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import MSP as MSP_ROLE
from scoring.models import Bid, BidOpening, Candidate, Invitation, Status
from scoring.services.common import enqueue
from scoring.services.locking import ensure_writable
from vendors.models import Contact, MspAccount

logger = logging.getLogger(__name__)

OPEN_FOR_INVITATIONS = (Status.DRAFT, Status.COLLECTING_BIDS)


def _refusal(contact: Contact, candidate: Candidate) -> str | None:
    """Why ``contact`` can't be invited for ``candidate``, in words; None if they can."""
    if contact.msp_id != candidate.msp_id:
        return f"{contact.name} is not a contact of {candidate.msp.name}"
    if not contact.active:
        return f"{contact.name} is no longer an active contact"
    if not contact.email:
        return f"{contact.name} has no email address in the registry"
    account = MspAccount.objects.filter(contact=contact).select_related("user").first()
    if account is not None:
        return None if account.user.is_active else f"{contact.name}'s bid-room account is deactivated"
    holders = User.objects.filter(email__iexact=contact.email)
    if holders.filter(msp_account__isnull=True).exists():
        return f"{contact.email} belongs to a person of the buying company, who can't bid"
    if holders.exists():
        return f"{contact.email} is already the bid-room address of another MSP's person"
    if User.objects.filter(username__iexact=contact.email).exists():
        return f"{contact.email} is already someone's user name"
    return None


def _account_for(contact: Contact) -> MspAccount:
    """The contact's bid-room account, created (no usable password yet) on their first invitation."""
    account = MspAccount.objects.filter(contact=contact).first()
    if account is not None:
        return account
    first, _, last = contact.name.partition(" ")
    user = User(username=contact.email.lower(), email=contact.email, first_name=first[:150], last_name=last[:150])
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=MSP_ROLE))
    account = MspAccount(user=user, msp_id=contact.msp_id, contact=contact)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def bid_room_invite(
    *, candidate: Candidate, contacts: Iterable[Contact], by: AbstractBaseUser, mail: bool = True
) -> list[Invitation]:
    """Invite ``contacts`` of the candidate MSP to the bid room; each gets their own email once this
    commits (unless ``mail`` is off: the demo, which prints its people's passwords). All or nothing: a
    contact who can't be invited refuses the whole lot, naming them."""
    evaluation = candidate.evaluation
    ensure_writable(evaluation)
    if evaluation.status not in OPEN_FOR_INVITATIONS:
        raise ValidationError("Bids are no longer collected for this evaluation: nobody new can be invited.")
    if evaluation.bids_due is None:
        raise ValidationError("Set the day bids are due first: the bid room closes at its end.")
    if evaluation.bids_due < timezone.localdate():
        raise ValidationError("Bids were due before today: move the bids-due day to invite anyone new.")
    if not candidate.is_invited:
        raise ValidationError(f"{candidate.msp.name} has {candidate.get_status_display().lower()}.")
    if BidOpening.objects.filter(evaluation=evaluation).exists():
        raise ValidationError("The bids were opened: the bid room is closed, and nobody new can be invited.")
    if Bid.objects.filter(evaluation=evaluation, msp_id=candidate.msp_id).exists():
        raise ValidationError(f"The bid from {candidate.msp.name} is recorded already: it has nothing to submit.")
    contacts = list({contact.pk: contact for contact in contacts}.values())
    if not contacts:
        raise ValidationError({"contacts": "Choose at least one contact with an email address."})
    refused = [why for contact in contacts if (why := _refusal(contact, candidate))]
    if refused:
        raise ValidationError({"contacts": [f"{why}." for why in refused]})
    added = []
    for contact in contacts:
        account = _account_for(contact)
        if Invitation.objects.filter(candidate=candidate, account=account).exists():
            continue
        invitation = Invitation(candidate=candidate, account=account, invited_by=by)
        invitation._history_user = by
        invitation.save()
        added.append(invitation)
    for invitation in added if mail else []:
        transaction.on_commit(lambda pk=invitation.pk: queue_invitation_mail(pk))
    return added


def queue_invitation_mail(invitation_id: int) -> None:
    """Hand the invitation's email to the workers; if the broker can't take it, the invitation stays
    unmailed (the candidates page says so, and offers to send it again)."""
    from scoring.tasks import mail_invitation

    enqueue(mail_invitation, invitation_id)


def bid_room_resend(*, invitation: Invitation) -> None:
    """Send the invitation's email again (a new link: the old one may have expired)."""
    if not invitation.account.user.is_active:
        raise ValidationError("This person's bid-room account is deactivated.")
    transaction.on_commit(lambda: queue_invitation_mail(invitation.pk))


def bid_room_new_link(*, email: str) -> None:
    """Email a fresh link to set a password to the bid-room person at ``email``, if there is one. The
    address is looked up by the worker, so the page answers alike, and as fast, whether or not it is known."""
    from scoring.tasks import mail_new_link

    enqueue(mail_new_link, email.strip())
