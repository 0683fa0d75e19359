from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = "セキュリティアセスメント"

    def ready(self):
        from django.db.models import Exists

        from config.access import Role
        from config.navigation import (
            STAFF_ACCOUNT,
            MenuItem,
            StartPage,
            register_menu_item,
            register_role_probe,
            register_start_page,
        )

        from .models import Company

        def company_member(user_pk):
            return Exists(Company.members.through.objects.filter(user_id=user_pk))

        def uses_assessments(held) -> bool:
            # Companies and their experts; a new account may be a company about to start one.
            if held & {Role.COMPANY_MEMBER, Role.ENTRY_EXPERT, Role.STAFF}:
                return True
            return Role.SIGNED_IN in held and not held & {Role.ORGANISATION_MEMBER, STAFF_ACCOUNT}

        register_role_probe(Role.COMPANY_MEMBER, company_member)
        register_menu_item(MenuItem("アセスメント", "assessments:list", 70, uses_assessments, ("assessments:",)))
        register_start_page(StartPage(Role.COMPANY_MEMBER, "assessments:list", 40))
