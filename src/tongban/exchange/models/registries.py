"""The demo city's authoritative registries: records the registering agencies keep, distinct from
user accounts. The in-platform provider (``providers.internal``) answers from these tables."""

from __future__ import annotations

from django.db import models


class PopulationRecord(models.Model):
    """The population (household and residence) registry: one record per identity document."""

    id_type = models.CharField(max_length=24)
    id_number = models.CharField(max_length=20)
    nationality = models.CharField(max_length=2)
    name = models.CharField(max_length=100)
    latin_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=[("F", "F"), ("M", "M")])
    registered_address = models.CharField(max_length=200, blank=True)
    registered_district = models.CharField(max_length=6, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["id_type", "id_number", "nationality"], name="population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.id_type}:{self.id_number}"


class BusinessRecord(models.Model):
    """The business registry (market regulation)."""

    uscc = models.CharField(max_length=18, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    firm_type = models.CharField(max_length=32)
    legal_representative_id_number = models.CharField(max_length=20)
    registered_capital_yuan = models.BigIntegerField()
    established_on = models.DateField()
    status = models.CharField(max_length=16, default="operating")
    address = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.uscc


class SocialSecurityRecord(models.Model):
    """Social security contributions (human resources and social security)."""

    id_number = models.CharField(max_length=20)
    nationality = models.CharField(max_length=2, default="CN")
    employer_uscc = models.CharField(max_length=18)
    enrolled_on = models.DateField()
    months_contributed = models.PositiveIntegerField()
    status = models.CharField(max_length=16, default="active")

    class Meta:
        indexes = [models.Index(fields=["id_number", "nationality"], name="socialsecurity_person")]

    def __str__(self) -> str:
        return f"{self.id_number}@{self.employer_uscc}"


class TaxRecord(models.Model):
    """Tax compliance (taxation): for firms (by USCC) and persons (by ID number)."""

    taxpayer = models.CharField(max_length=24, unique=True, help_text="USCC or id_type:number[:nationality]")
    clearance = models.CharField(max_length=16, default="clear", help_text="clear or arrears")
    last_filing_on = models.DateField()
    arrears_yuan = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return self.taxpayer
