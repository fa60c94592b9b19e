from django.contrib import admin

from .models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """National staff keep the national question set and add a programme's own questions.

    Retire a question by unticking "is active": answered questions cannot be deleted, so
    start and end answers stay comparable.
    """

    list_display = ["text", "programme", "category", "display_order", "is_active"]
    list_filter = ["is_active", "category", ("programme", admin.EmptyFieldListFilter)]
    search_fields = ["text", "key", "programme__title"]
    autocomplete_fields = ["programme"]
    list_select_related = ["programme"]
    prepopulated_fields = {"key": ["text"]}
