"""Deployment checks of the portal's own security settings (run by `manage.py check --deploy`,
which CI runs with production settings)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_encryption_key_check(app_configs, **kwargs):
    key = getattr(settings, "FIELD_ENCRYPTION_KEY", "") or ""
    problems = []
    if len(key) < 32:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEY 太短（至少 32 个字符的随机值）",
                hint="例如 python -c 'import secrets; print(secrets.token_urlsafe(48))'",
                id="portal.W001",
            )
        )
    if key and key == settings.SECRET_KEY:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEY 不应与 SECRET_KEY 相同",
                hint="个人信息的加密密钥应单独生成、单独保管",
                id="portal.W002",
            )
        )
    return problems
