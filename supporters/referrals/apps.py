from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "supporters.referrals"
    label = "referrals"
    verbose_name = "支援機関による紹介"

    def ready(self):
        from django.db.models import Exists

        from config.access import Role
        from config.navigation import MenuItem, StartPage, register_menu_item, register_role_probe, register_start_page

        from .models import Membership

        def member(user_pk):
            return Exists(Membership.objects.filter(user_id=user_pk))

        register_role_probe(Role.ORGANISATION_MEMBER, member)
        register_menu_item(
            MenuItem(
                "紹介案件",
                "referrals:case-list",
                60,
                lambda held: Role.ORGANISATION_MEMBER in held,
                ("referrals:case-list", "referrals:case-create", "referrals:case-detail", "referrals:shortlist"),
            )
        )
        register_menu_item(
            MenuItem(
                "紹介された相談",
                "referrals:inbox",
                61,
                lambda held: Role.ENTRY_EXPERT in held,
                ("referrals:inbox", "referrals:inbox-detail"),
            )
        )
        register_menu_item(MenuItem("紹介の状況", "referrals:flow", 85, lambda held: Role.STAFF in held))
        register_start_page(StartPage(Role.ORGANISATION_MEMBER, "referrals:case-list", 20))
