"""Who may do what: the IPA staff group and its exact permissions.

The group is kept in step with this list after every ``migrate`` (a
post_migrate handler), so a new model's permissions are granted by adding
them here, and nothing else is ever granted by hand.
"""

from django.contrib.auth.models import Group, Permission

IPA_STAFF_GROUP = "IPA職員"

# "app_label.codename" of every permission IPA staff need. Apps append theirs.
IPA_STAFF_PERMISSIONS: list[str] = [
    "supporters.view_supporter",
    "supporters.change_supporter",
    # Seminars (issue D): events and their content, applications, surveys, follow-up.
    *[
        f"seminars.{action}_{model}"
        for model in (
            "event",
            "programmeitem",
            "speaker",
            "material",
            "faqentry",
            "survey",
            "question",
            "answercategory",
        )
        for action in ("view", "add", "change", "delete")
    ],
    "seminars.view_application",
    "seminars.change_application",
    "seminars.view_response",
    "seminars.view_answer",
    "seminars.change_answer",
    "seminars.view_reminder",
    "seminars.add_reminder",
    # Registration lifecycle (issue B): review, import, history, relay log.
    "supporters.add_supporter",
    "supporters.view_changerequest",
    "supporters.change_changerequest",
    "supporters.view_decision",
    "supporters.view_reminderlog",
    "supporters.view_contactmessage",
    "supporters.view_claimlink",
    "supporters.view_historicalsupporter",
    # Referrals (issue E): support organisations and their members.
    "referrals.view_organisation",
    "referrals.add_organisation",
    "referrals.change_organisation",
    "referrals.delete_organisation",
    "referrals.view_membership",
    "referrals.add_membership",
    "referrals.change_membership",
    "referrals.delete_membership",
    # The case flow (案件発生状況) and its CSV.
    "referrals.view_case",
    "referrals.view_referral",
    # Assessments (issue C): the ★3 catalogue versions; assessments read-only.
    *[
        f"assessments.{action}_{model}"
        for model in ("catalogueversion", "majorcategory", "middlecategory", "requirement", "criterion")
        for action in ("view", "add", "change")
    ],
    "assessments.view_company",
    "assessments.view_assessment",
    "assessments.view_improvementplan",
    # The mail outbox: see queued, sent and failed messages; send a failed one again.
    "config.view_outgoingmail",
    "config.change_outgoingmail",
]


def sync_staff_group(**kwargs) -> Group:
    """Create the IPA職員 group and give it exactly IPA_STAFF_PERMISSIONS."""
    group, _ = Group.objects.get_or_create(name=IPA_STAFF_GROUP)
    wanted = []
    for name in IPA_STAFF_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    group.permissions.set(wanted)
    return group
