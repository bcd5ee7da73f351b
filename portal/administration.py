"""系统管理: the city administrators' pages for users and the region tree (Capability.ADMINISTER).

The Django admin stays for emergencies; day-to-day, administrators manage here, with the
workspace floor (portal/workspace.py): every write goes through a service in portal/services.py
(`user_create`, `user_update`, `user_set_active`, `user_reset_password`, `user_unlock`,
`region_create`, `region_rename`, `region_move`), which checks the capability and the scope again.

Scope: an administrator manages the users whose jurisdiction lies inside their own jurisdiction
and the regions of that subtree; anything else answers 404 here (403 from a service). Carriers
have their own pages in the enterprises app (linked from the navigation). This module is part of
the floor: it names no app.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, TemplateView

from portal import services
from portal.administration_forms import (
    GENERATE,
    PasswordResetForm,
    RegionCreateForm,
    RegionMoveForm,
    RegionRenameForm,
    UserActiveForm,
    UserCreateForm,
    UserFilterSet,
    UserUpdateForm,
    parent_regions,
)
from portal.choices import RegionLevel
from portal.models import Region, User
from portal.permissions import Capability, CapabilityRequiredMixin, has_capability
from portal.scoping import RegionScopedQuerySet, region_visible_to
from portal.views import AutocompleteView, Column, ScopedListView
from portal.workspace import (
    ListExportMixin,
    WorkspaceCreateView,
    WorkspaceFormView,
    WorkspaceUpdateView,
    breadcrumb,
)

# The one-time display of a generated password: kept in the session until the user page shows it.
SHOWN_ONCE = "manage:generated-password"


def users_visible_to(user) -> QuerySet[User]:
    """The users an administrator manages: those whose jurisdiction is inside their own. Superusers
    are managed by superusers only."""
    if not has_capability(user, Capability.ADMINISTER):
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(is_superuser=False, jurisdiction__in=region_visible_to(user).values("id"))


def user_url(user: User) -> str:
    return reverse("portal:user-detail", args=[user.pk])


def _remember_password(request, user: User, password: str) -> None:
    request.session[SHOWN_ONCE] = {"user": user.pk, "password": password}


# --- users ---------------------------------------------------------------------------------------


class UserListView(ListExportMixin, ScopedListView):
    required_capability = Capability.ADMINISTER
    model = User
    filterset_class = UserFilterSet
    template_name = "portal/manage/user_list.html"
    select_related = ("jurisdiction",)
    title = "用户"
    create_url_name = "portal:user-create"
    create_capability = Capability.ADMINISTER
    columns = (
        Column("用户名", "username", link=True),
        Column("姓名", "full_name"),
        Column("角色", "get_role_display"),
        Column("管辖区域", "jurisdiction"),
        Column("启用", "is_active"),
        Column("最近登录", "last_login"),
    )

    def scoped_queryset(self) -> QuerySet:
        return users_visible_to(self.request.user).order_by("username")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        context["object_list"] = rows
        context["locked"] = services.locked_out_usernames([row.username for row in rows])
        context["breadcrumb"] = breadcrumb(("系统管理", None), ("用户", None))
        return context


class UserDetailView(LoginRequiredMixin, CapabilityRequiredMixin, DetailView):
    required_capability = Capability.ADMINISTER
    model = User
    template_name = "portal/manage/user_detail.html"
    context_object_name = "managed"  # `user` is the signed-in user in every template

    def get_queryset(self):
        return users_visible_to(self.request.user).select_related("jurisdiction")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        managed = self.object
        shown = self.request.session.get(SHOWN_ONCE)
        if shown and shown.get("user") == managed.pk:
            context["generated_password"] = shown["password"]
            del self.request.session[SHOWN_ONCE]
        context.update(
            title=str(managed),
            locked=managed.username in services.locked_out_usernames([managed.username]),
            is_self=managed.pk == self.request.user.pk,
            breadcrumb=breadcrumb(("用户", "portal:user-list"), (str(managed), None)),
            history_url=f"{reverse('portal:audit-search')}?table=portal_user&object_id={managed.pk}",
        )
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response["Cache-Control"] = "no-store"  # a generated password may be on the page
        return response


class _ManagedUserMixin:
    """Form pages on one user: looked up among the users the administrator manages (else 404)."""

    model: type[Model] = User
    object_kwarg = "user"
    list_url_name = "portal:user-list"
    request: Any
    object: Any

    def get_queryset(self) -> QuerySet:
        return users_visible_to(self.request.user)

    def get_success_url(self, result: Model) -> str:
        return user_url(result)  # type: ignore[arg-type]

    def get_cancel_url(self) -> str:
        return user_url(self.object) if self.object is not None else reverse("portal:user-list")

    def get_breadcrumb(self):
        items: list[tuple[str, str | None]] = [("用户", "portal:user-list")]
        if self.object is not None:
            items.append((str(self.object), user_url(self.object)))
        items.append((self.get_title(), None))
        return breadcrumb(*items)


class UserCreateView(_ManagedUserMixin, WorkspaceCreateView):
    required_capability = Capability.ADMINISTER
    form_class = UserCreateForm
    service = services.user_create
    title = "新增用户"
    add_another = False  # the page of the new user shows a generated password once

    def call_service(self, form) -> Model:
        data = self.service_data(form)
        generated = data.pop("password_mode") == GENERATE
        data.pop("password_confirm", None)
        if generated:
            data["password"] = services.generate_password()
        user = services.user_create(**data, acting_user=self.request.user)
        if generated:
            _remember_password(self.request, user, data["password"])
        return user


class UserUpdateView(_ManagedUserMixin, WorkspaceUpdateView):
    required_capability = Capability.ADMINISTER
    form_class = UserUpdateForm
    service = services.user_update
    title = "编辑用户"


class UserSetActiveView(_ManagedUserMixin, WorkspaceUpdateView):
    """启用 / 停用: a confirmation page with the reason (recorded in the change log)."""

    required_capability = Capability.ADMINISTER
    form_class = UserActiveForm
    service = services.user_set_active
    template_name = "portal/manage/user_set_active.html"

    def get_title(self) -> str:
        return "停用用户" if self.object is not None and self.object.is_active else "启用用户"

    @property
    def submit_label(self) -> str:  # type: ignore[override]
        return "确认" + self.get_title()[:2]

    @property
    def warning(self) -> str:
        if self.object is not None and self.object.is_active:
            return "停用后该用户不能再登录，已登录的会话随即失效；其记录和变更历史保留。"
        return ""

    @property
    def success_message(self) -> str:  # type: ignore[override]
        return "已" + self.get_title()[:2] + "：{object}"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}  # a plain form: no instance

    def call_service(self, form) -> Model:
        return services.user_set_active(
            user=self.object,
            active=not self.object.is_active,
            reason=form.cleaned_data["reason"],
            acting_user=self.request.user,
        )


class UserPasswordResetView(_ManagedUserMixin, WorkspaceUpdateView):
    required_capability = Capability.ADMINISTER
    form_class = PasswordResetForm
    service = services.user_reset_password
    title = "重置密码"
    submit_label = "重置密码"
    success_message = "已重置密码：{object}"
    warning = "本平台暂不能强制用户下次登录时修改密码：请把新密码当面或电话告知本人，并提醒其尽快自行修改。"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}

    def call_service(self, form) -> Model:
        password = form.cleaned_data["password"]
        generated = form.cleaned_data["password_mode"] == GENERATE
        if generated:
            password = services.generate_password()
        user = services.user_reset_password(user=self.object, password=password, acting_user=self.request.user)
        if generated:
            _remember_password(self.request, user, password)
        return user


class UserUnlockView(LoginRequiredMixin, CapabilityRequiredMixin, View):
    """POST: lift a lockout (too many failed logins); the user may sign in again at once."""

    required_capability = Capability.ADMINISTER
    http_method_names = ["post"]
    model = User

    def post(self, request, pk):
        managed = get_object_or_404(users_visible_to(request.user), pk=pk)
        cleared = services.user_unlock(user=managed, acting_user=request.user)
        if cleared:
            messages.success(request, f"已解除锁定：{managed}，可以重新登录")
        else:
            messages.info(request, f"{managed} 当前未被锁定")
        back = reverse("portal:user-list") if request.POST.get("next") == "list" else user_url(managed)
        return HttpResponseRedirect(back)


# --- regions ---------------------------------------------------------------------------------------

MOVABLE_LEVELS = (RegionLevel.STREET, RegionLevel.COMMUNITY)


class RegionListView(LoginRequiredMixin, CapabilityRequiredMixin, TemplateView):
    """The region tree of the administrator's jurisdiction down to streets (indented, with the
    number of communities); `?street=<id>` opens one street's communities."""

    required_capability = Capability.ADMINISTER
    template_name = "portal/manage/region_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visible = region_visible_to(self.request.user)
        rows = list(
            visible.exclude(level=RegionLevel.COMMUNITY)
            .annotate(community_count=Count("children", filter=Q(children__level=RegionLevel.COMMUNITY)))
            .order_by("path")
        )
        base = min((row.path.count("/") for row in rows), default=0)
        opened = self.request.GET.get("street", "")
        communities = []
        if opened.isdigit():
            communities = list(visible.filter(parent_id=int(opened), level=RegionLevel.COMMUNITY).order_by("path"))
        tree = []
        for row in rows:
            row.depth = row.path.count("/") - base
            row.indent = "\u3000" * row.depth * 2
            tree.append(row)
            if communities and row.pk == int(opened):
                for community in communities:
                    community.depth = row.depth + 1
                    community.indent = "\u3000" * community.depth * 2
                    community.community_count = 0
                    tree.append(community)
        context.update(
            title="行政区划",
            tree=tree,
            opened=int(opened) if communities else None,
            movable=MOVABLE_LEVELS,
            parents=(RegionLevel.DISTRICT, RegionLevel.STREET),
            breadcrumb=breadcrumb(("系统管理", None), ("行政区划", None)),
        )
        return context


class _ManagedRegionMixin:
    model: type[Model] = Region
    object_kwarg = "region"
    list_url_name = "portal:region-list"
    request: Any
    object: Any

    def get_queryset(self) -> QuerySet:
        return region_visible_to(self.request.user)

    def get_success_url(self, result: Model) -> str:
        return reverse("portal:region-list")

    def get_cancel_url(self) -> str:
        return reverse("portal:region-list")

    def get_breadcrumb(self):
        items: list[tuple[str, str | None]] = [("行政区划", "portal:region-list")]
        if self.object is not None:
            items.append((str(self.object), None))
        items.append((self.get_title(), None))
        return breadcrumb(*items)


class RegionCreateView(_ManagedRegionMixin, WorkspaceCreateView):
    required_capability = Capability.ADMINISTER
    form_class = RegionCreateForm
    service = services.region_create
    title = "新增街道乡镇、社区村"

    def get_form(self, data=None):
        initial = {}
        parent = self.request.GET.get("parent", "")
        if data is None and parent.isdigit():
            initial["parent"] = parent_regions(self.request.user).filter(pk=int(parent)).first()
        return self.form_class(data, initial=initial, **self.get_form_kwargs())


class RegionRenameView(_ManagedRegionMixin, WorkspaceUpdateView):
    required_capability = Capability.ADMINISTER
    form_class = RegionRenameForm
    service = services.region_rename
    title = "重命名"


def subtree_counts(region: Region) -> list[tuple[str, int]]:
    """What moves with `region`: the regions of its subtree and, for every region-scoped model
    (enterprises, carriers, organizations, …, found through the app registry, so the floor names
    no app), the rows registered there; users by their jurisdiction. One COUNT per model."""
    counts = [("个区域（含自身）", region.subtree().count())]
    for model in apps.get_models():
        manager: Any = model._default_manager
        if not isinstance(manager.all(), RegionScopedQuerySet):
            continue
        number = manager.all().in_region(region).count()
        if number:
            counts.append((str(model._meta.verbose_name), number))
    users = User.objects.filter(jurisdiction__in=region.subtree().values("id")).count()
    if users:
        counts.append(("用户", users))
    return counts


class RegionMoveView(_ManagedRegionMixin, WorkspaceFormView):
    """调整隶属: choose the new district (street) → a confirmation page stating how many regions and
    records move → `portal.services.region_move`."""

    required_capability = Capability.ADMINISTER
    form_class = RegionMoveForm
    title = "调整隶属"
    submit_label = "下一步"
    success_message = "已调整隶属：{object}"
    confirm_template_name = "portal/manage/region_move_confirm.html"

    def get_queryset(self) -> QuerySet:
        return region_visible_to(self.request.user).filter(level__in=MOVABLE_LEVELS).select_related("parent")

    def get_object(self) -> Model:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user, "region": self.object}

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        if form.is_valid() and not form.cleaned_data["confirmed"]:
            new_parent = form.cleaned_data["new_parent"]
            try:
                self.object.check_parent(new_parent)
            except ValidationError as exc:
                form.add_service_errors(ValidationError({"new_parent": exc.messages}))
                return self.render_form(form)
            context = {
                "object": self.object,
                "new_parent": new_parent,
                "counts": subtree_counts(self.object),
                "form": form,
                "title": "确认调整隶属",
                "breadcrumb": self.get_breadcrumb(),
                "cancel_url": self.get_cancel_url(),
            }
            return render(request, self.confirm_template_name, context)
        return super().post(request, *args, **kwargs)

    def call_service(self, form) -> Model:
        try:
            moved = services.region_move(
                region=self.object, new_parent=form.cleaned_data["new_parent"], acting_user=self.request.user
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "parent" in exc.error_dict:
                raise ValidationError({"new_parent": exc.error_dict["parent"]}) from None
            raise
        messages.info(self.request, f"共 {moved.moved_count} 个区域随之调整")
        return moved.region


# --- pickers -----------------------------------------------------------------------------------


class RegionPickerView(AutocompleteView):
    """Every region of the administrator's jurisdiction (a user's jurisdiction)."""

    required_capability = Capability.ADMINISTER
    model = Region

    def get_queryset(self) -> QuerySet:
        return region_visible_to(self.request.user).select_related("parent")

    def search(self, queryset, text: str):
        return queryset.filter(Q(name__contains=text) | Q(code__startswith=text))

    def detail(self, obj) -> str:
        return f"{obj.get_level_display()} · {obj.code}{' · ' + obj.parent.name if obj.parent_id else ''}"


class ParentRegionPickerView(RegionPickerView):
    """Districts and streets: where a street or a community may be added."""

    def get_queryset(self) -> QuerySet:
        return parent_regions(self.request.user).select_related("parent")
