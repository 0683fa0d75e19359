from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supporters.referrals"
    label = "referrals"
    verbose_name = "支援機関による紹介"
