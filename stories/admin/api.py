from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from stories.models import ApiToken
from stories.models.api import hash_key


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    autocomplete_fields = ("user",)
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None):
        # A token's owner and name are fixed once issued; only revoking changes it.
        if obj is not None:
            return ("user", "name", *self.readonly_fields)
        return self.readonly_fields

    def save_model(
        self, request: HttpRequest, obj: ApiToken, form: object, change: bool
    ) -> None:
        if change:
            return
        key = ApiToken.new_key()
        obj.prefix, obj.key_hash = key[:10], hash_key(key)
        obj.save()
        # The only time the key is shown (messages live in the session).
        messages.warning(request, f"API key for “{obj.name}”, shown only now: {key}")

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.message_user(request, f"Revoked {done} token(s).")
