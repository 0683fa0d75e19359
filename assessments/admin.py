from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from .models import (
    Assessment,
    CatalogueVersion,
    Company,
    Criterion,
    ImprovementPlan,
    MajorCategory,
    MiddleCategory,
    Requirement,
)


class MajorCategoryInline(admin.TabularInline):
    model = MajorCategory
    extra = 1
    show_change_link = True


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "is_current", "created_at"]
    inlines = [MajorCategoryInline]
    actions = ["duplicate"]

    @admin.action(description="選択した版を複製する(新しい版の下書き)", permissions=["add"])
    @transaction.atomic
    def duplicate(self, request, queryset):
        for version in queryset:
            name = f"{version.name}(複製 {timezone.localtime():%Y-%m-%d %H:%M:%S})"
            copy = version.duplicate(name)
            self.message_user(
                request,
                f"「{copy.name}」を作成しました。名称と内容を直し、「新しいアセスメントで使う」をチェックしてください。",
            )


class MiddleCategoryInline(admin.TabularInline):
    model = MiddleCategory
    extra = 1
    show_change_link = True


@admin.register(MajorCategory)
class MajorCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "version"]
    list_filter = ["version"]
    inlines = [MiddleCategoryInline]


class RequirementInline(admin.TabularInline):
    model = Requirement
    extra = 1
    show_change_link = True


@admin.register(MiddleCategory)
class MiddleCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "major"]
    list_filter = ["major__version"]
    inlines = [RequirementInline]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "middle", "version"]
    list_filter = ["version"]
    search_fields = ["code", "text"]
    inlines = [CriterionInline]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "employees", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only for staff: the participants' own pages are where work is done."""

    list_display = ["company", "expert", "stage", "catalogue", "created_at"]
    # Named: Django's own select_related() skips the nullable expert.
    list_select_related = ["company", "expert", "catalogue"]
    list_filter = ["stage", "catalogue"]
    search_fields = ["company__name", "expert__name", "expert__registration_no"]
    readonly_fields = [
        "company",
        "catalogue",
        "expert",
        "responsible_title",
        "responsible_name",
        "stage",
        "started_by",
        "created_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(admin.ModelAdmin):
    list_display = ["assessment", "revision", "created_on", "company_agreed_at", "expert_agreed_at"]
    readonly_fields = [
        "assessment",
        "revision",
        "created_on",
        "evaluation_summary",
        "company_agreed_at",
        "expert_agreed_at",
    ]

    def has_add_permission(self, request):
        return False
