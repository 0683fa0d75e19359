from django.apps import AppConfig


class SeminarsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "seminars"
    verbose_name = "セミナー"

    def ready(self):
        from config.access import Role
        from config.navigation import MenuItem, register_menu_item

        register_menu_item(
            MenuItem(
                "セミナー",
                "seminars:list",
                20,
                lambda held: True,
                ("seminars:list", "seminars:faq", "seminars:detail", "seminars:apply", "seminars:applied"),
            )
        )
        register_menu_item(MenuItem("セミナーの報告", "seminars:report", 86, lambda held: Role.STAFF in held))
