"""`manage.py rotate_personal_data`: rewrite every personal-data value and its lookup digest under
the current FIELD_ENCRYPTION_KEY (after a key change, with the old key in FIELD_ENCRYPTION_OLD_KEYS).

Set-based per chunk (bulk_update), attributed to the system in the change log, safe to run again.
Values no listed key can decrypt are left untouched and counted."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from portal.audit import audit_context
from portal.choices import AuditVia
from portal.fields import DigestField, EncryptedTextField, Undecryptable, digest


def personal_data_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if any(isinstance(f, EncryptedTextField) for f in model._meta.concrete_fields)
    ]


def rotate_model(model: type[models.Model], *, chunk: int = 2000) -> tuple[int, int]:
    """(rows rewritten, rows skipped because undecryptable) for one model."""
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    digests = [f for f in model._meta.concrete_fields if isinstance(f, DigestField)]
    names = [f.name for f in encrypted] + [f.name for f in digests]
    rewritten = skipped = 0
    last_pk = None
    while True:
        rows = model._default_manager.order_by("pk").only("pk", *names)
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        batch = list(rows[:chunk])
        if not batch:
            return rewritten, skipped
        last_pk = batch[-1].pk
        usable = []
        for row in batch:
            if any(isinstance(getattr(row, f.attname), Undecryptable) for f in encrypted):
                skipped += 1
                continue
            for f in digests:
                plain = getattr(row, f.source) or ""
                setattr(row, f.attname, digest(plain) if plain else "")
            usable.append(row)
        if usable:
            with transaction.atomic():
                model._default_manager.bulk_update(usable, names)
            rewritten += len(usable)


class Command(BaseCommand):
    help = "用当前 FIELD_ENCRYPTION_KEY 重新加密全部个人敏感信息并重算查找摘要（更换密钥后运行）"

    def handle(self, *args, **options):
        with audit_context(actor_id=None, via=AuditVia.SYSTEM, context="rotate_personal_data"):
            for model in personal_data_models():
                rewritten, skipped = rotate_model(model)
                self.stdout.write(f"{model._meta.verbose_name}：已重新加密 {rewritten} 条，无法解密跳过 {skipped} 条")
