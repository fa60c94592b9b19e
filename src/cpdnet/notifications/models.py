from django.db import models


class SentEmail(models.Model):
    """One email per event: the key makes a retried task a no-op instead of a second email."""

    key = models.CharField(max_length=120, unique=True)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.key} to {self.to}"
