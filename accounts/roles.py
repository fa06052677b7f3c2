"""Roles and the levels of the union tree at which each may be held (DOMAIN.md §1)."""

from django.db import models


class Level(models.IntegerChoices):
    CITY = 1, "市级"
    COUNTY = 2, "县级"
    GRASSROOTS = 3, "基层"


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "经办人"
    REVIEWER = "reviewer", "审核人"
    FINANCE = "finance", "财务"
    AUDITOR = "auditor", "经审"
    ADMIN = "admin", "系统管理员"


ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.CASEWORKER: frozenset({Level.CITY, Level.COUNTY, Level.GRASSROOTS}),
    Role.REVIEWER: frozenset({Level.CITY, Level.COUNTY, Level.GRASSROOTS}),
    Role.FINANCE: frozenset({Level.CITY, Level.COUNTY}),
    Role.AUDITOR: frozenset({Level.CITY, Level.COUNTY}),
    Role.ADMIN: frozenset({Level.CITY}),
}
