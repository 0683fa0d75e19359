"""Django's password rules, said in natural Japanese (settings.AUTH_PASSWORD_VALIDATORS)."""

from django.contrib.auth import password_validation as django_rules


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    def get_error_message(self):
        return "パスワードが短すぎます。%(min_length)d文字以上にしてください。"

    def get_help_text(self):
        return f"{self.min_length}文字以上にしてください。"


class UserAttributeSimilarityValidator(django_rules.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return "パスワードがメールアドレスや氏名に似ています。推測されにくいものにしてください。"

    def get_help_text(self):
        return "メールアドレスや氏名に似たものは使えません。"


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_error_message(self):
        return "このパスワードはよく使われていて、推測されやすいため使えません。"

    def get_help_text(self):
        return "よく使われるパスワード(password、12345678 など)は使えません。"


class NumericPasswordValidator(django_rules.NumericPasswordValidator):
    def get_error_message(self):
        return "数字だけのパスワードは使えません。英字や記号も混ぜてください。"

    def get_help_text(self):
        return "数字だけのものは使えません。"
