from django.contrib import admin

from .models import Target
from .services import delete_target, save_target


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["network", "phase", "academic_year", "rate", "updated_at"]
    list_filter = ["network", "phase", "academic_year"]
    list_select_related = ["network"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        save_target(target=obj, by=request.user)

    def delete_model(self, request, obj):
        delete_target(target=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for target in queryset.select_related("network"):
            delete_target(target=target, by=request.user)
