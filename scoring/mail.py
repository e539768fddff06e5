"""The bid room's emails, each to one person: the invitation with a link to set a password (or to sign
in, for someone who already has one), and the receipt of a submitted bid with its SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from scoring.models import Addendum, CandidateStatus, Clarification, Invitation, Submission


def password_link(user) -> str:
    """A one-time link to set a password (Django's password-reset token: it expires after
    ``PASSWORD_RESET_TIMEOUT`` and stops working once a password is set)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return settings.SITE_URL + reverse("portal:welcome", args=[uid, default_token_generator.make_token(user)])


def _send(to: str, subject: str, template: str, context: dict) -> None:
    context = {"site_url": settings.SITE_URL, **context}
    EmailMessage(subject=subject, body=render_to_string(template, context), to=[to]).send()


def send_invitation(invitation_id: int) -> None:
    invitation = Invitation.objects.select_related(
        "account__user", "account__contact", "candidate__evaluation", "candidate__msp"
    ).get(pk=invitation_id)
    user = invitation.account.user
    if not user.is_active or not user.email:
        return
    evaluation = invitation.candidate.evaluation
    link = settings.SITE_URL + reverse("login") if user.has_usable_password() else password_link(user)
    _send(
        user.email,
        f"Invitation to bid: {evaluation.title}",
        "scoring/mail/invitation.txt",
        {"invitation": invitation, "evaluation": evaluation, "link": link, "has_password": user.has_usable_password()},
    )
    with transaction.atomic():
        invitation.mailed_at = timezone.now()
        invitation.save(update_fields=["mailed_at"])


def send_new_links(email: str) -> None:
    """A fresh link to set a password for each active bid-room person at ``email`` (someone whose first
    link expired, or who forgot the password); nobody else is mailed."""
    for user in User.objects.filter(email__iexact=email, is_active=True, msp_account__isnull=False):
        context = {"link": password_link(user), "person": user}
        _send(user.email, "Your link to the bid room", "scoring/mail/new_link.txt", context)


def send_receipt(submission_id: int) -> None:
    submission = Submission.objects.select_related("submitted_by", "candidate__evaluation", "candidate__msp").get(
        pk=submission_id
    )
    person = submission.submitted_by
    if person is None or not person.email:
        return
    _send(
        person.email,
        f"Receipt: your bid for {submission.candidate.evaluation.title}",
        "scoring/mail/receipt.txt",
        {"submission": submission, "evaluation": submission.candidate.evaluation, "person": person},
    )


def _bid_room_people(clarification: Clarification) -> list:
    """Who reads an answer (each with ``invitation_pk``, for the link to their own request): every invited
    MSP's people when it is published, the asker's when private."""
    invitations = Invitation.objects.filter(
        candidate__evaluation=clarification.evaluation,
        candidate__status=CandidateStatus.INVITED,
        account__user__is_active=True,
    ).select_related("account__user")
    if not clarification.is_published:
        invitations = invitations.filter(candidate=clarification.candidate)
    people = []
    for invitation in invitations:
        if invitation.account.user.email:
            invitation.account.user.invitation_pk = invitation.pk
            people.append(invitation.account.user)
    return people


def send_clarification(clarification_id: int, what: str) -> None:
    """A new question to the owner (who sees who asked), or an answer to the bid room's people, each alone."""
    clarification = Clarification.objects.select_related("evaluation__owner", "candidate__msp").get(pk=clarification_id)
    evaluation = clarification.evaluation
    context = {"clarification": clarification, "evaluation": evaluation}
    if what == "asked":
        if evaluation.owner.email:
            subject = f"A question from {clarification.candidate.msp.name}: {evaluation.title}"
            _send(evaluation.owner.email, subject, "scoring/mail/clarification_asked.txt", context)
        return
    subject = (
        f"Clarification {clarification.number}: {evaluation.title}"
        if clarification.is_published
        else f"An answer to your question: {evaluation.title}"
    )
    for person in _bid_room_people(clarification):
        _send(person.email, subject, "scoring/mail/clarification_answered.txt", {**context, "person": person})


def send_addendum(addendum_id: int) -> None:
    """An addendum to every person of every still-invited MSP, each alone; those who submitted before it
    are told their bid may need resubmitting."""
    addendum = Addendum.objects.select_related("evaluation").get(pk=addendum_id)
    evaluation = addendum.evaluation
    submitted = set(
        Submission.objects.filter(
            candidate__evaluation=evaluation, state="submitted", submitted_at__lt=addendum.issued_at
        ).values_list("candidate_id", flat=True)
    )
    invitations = Invitation.objects.filter(
        candidate__evaluation=evaluation, candidate__status=CandidateStatus.INVITED, account__user__is_active=True
    ).select_related("account__user")
    for invitation in invitations:
        person = invitation.account.user
        if person.email:
            context = {"addendum": addendum, "evaluation": evaluation, "person": person, "invitation": invitation,
                       "resubmit": invitation.candidate_id in submitted}  # fmt: skip
            _send(person.email, f"Addendum {addendum.number}: {evaluation.title}", "scoring/mail/addendum.txt", context)
