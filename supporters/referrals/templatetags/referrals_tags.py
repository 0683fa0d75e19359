from django import template

from ..models import Referral, ReferralStatus

register = template.Library()


@register.inclusion_tag("referrals/_panel.html")
def referrals_panel(user):
    """A short summary of the referrals addressed to ``user`` (an expert)."""
    counts = Referral.objects.for_expert(user).status_counts()
    waiting = next(count for value, _, count in counts if value == ReferralStatus.REFERRED)
    return {"counts": counts, "waiting": waiting}
