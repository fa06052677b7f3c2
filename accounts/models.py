from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.roles import Level, Role
from core.models import TrackedModel, TrackedQuerySet


class Organisation(TrackedModel):
    """A union in the tree city → county-level → grassroots.

    `city` and `county` are the organisation's own path, denormalised into indexed
    foreign keys (a city points `city` at itself, a county `county` at itself), so that
    "this organisation and everything below it" is one indexed equality.
    """

    class Kind(models.TextChoices):
        CITY = "city", "市总工会"
        COUNTY = "county", "县（市、区）总工会"
        ZONE = "zone", "功能区工会"
        INDUSTRY = "industry", "产业工会"
        SYSTEM = "system", "系统工会"
        ENTERPRISE = "enterprise", "企事业单位工会"
        COMMUNITY = "community", "乡镇（街道、社区）工会"

    KIND_LEVEL = {
        Kind.CITY: Level.CITY,
        Kind.COUNTY: Level.COUNTY,
        Kind.ZONE: Level.COUNTY,
        Kind.INDUSTRY: Level.COUNTY,
        Kind.SYSTEM: Level.COUNTY,
        Kind.ENTERPRISE: Level.GRASSROOTS,
        Kind.COMMUNITY: Level.GRASSROOTS,
    }
    SCOPE_FIELDS = {Level.CITY: "city", Level.COUNTY: "county", Level.GRASSROOTS: "id"}

    code = models.CharField(
        "编码",
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z-]+$", "编码只能包含字母、数字和连字符。")],
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    city = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    county = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    policy_region = models.CharField(
        "政策地区", max_length=32, blank=True, help_text="市总工会填写，如 wuhu。"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "工会组织"
        verbose_name_plural = "工会组织"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=Level.CITY, parent__isnull=True)
                | models.Q(level__gt=Level.CITY, parent__isnull=False),
                name="organisation_root_is_city",
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self) -> str:
        return (self.city or self).policy_region


class UserQuerySet(TrackedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    SCOPE_FIELDS = {
        Level.CITY: "organisation__city",
        Level.COUNTY: "organisation__county",
        Level.GRASSROOTS: "organisation",
    }

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属组织",
    )

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.role_grants.all())

    def has_role(self, *roles: str) -> bool:
        return self.is_active and bool(self.roles.intersection(roles))


class RoleGrant(TrackedModel):
    user = models.ForeignKey(User, models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = "角色授予"
        verbose_name_plural = "角色授予"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
