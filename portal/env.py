"""Small typed readers for settings taken from the environment (STYLE.md rule 7).

Every value can also come from a file, as container secrets are mounted: `NAME_FILE=/run/secrets/x`
stands for `NAME` (its content, without the trailing newline). Setting both is an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import overload

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str) -> str | None:
    """`NAME`, or the content of the file `NAME_FILE` names, or None when neither is set (an empty
    variable counts as unset next to a file, as compose files often pass `NAME: ${NAME:-}`)."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not path:
        return value
    if value:
        raise ImproperlyConfigured(f"环境变量 {name} 与 {name}_FILE 只能设置其一")
    try:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ImproperlyConfigured(f"无法读取 {name}_FILE 指向的文件 {path}：{exc.strerror}") from exc


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_required(name: str) -> str:
    value = _raw(name)
    if not value:
        raise ImproperlyConfigured(f"环境变量 {name} 未设置（生产环境必须提供）")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 应为 true/false，实际为 {value!r}")


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为 {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
