from django import template

from ..models import Referral, ReferralStatus

register = template.Library()


@register.inclusion_tag("referrals/_panel.html")
def referrals_panel(user):
    """A short summary of the referrals addressed to ``user``, if they are an expert with an entry.

    Nothing for anyone else: the panel links to the inbox, which is the experts' own."""
    if not user.is_authenticated or not user.supporter_entries.exists():
        return {"shown": False}
    counts = Referral.objects.for_expert(user).status_counts()
    waiting = next(count for value, _, count in counts if value == ReferralStatus.REFERRED)
    return {"shown": True, "counts": counts, "waiting": waiting}
