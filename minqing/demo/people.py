"""Households and residents of one county, built as plain row tuples for fast bulk inserts.

This is the hot loop of the generator (millions of residents at province scale), so it
works on tuples rather than model instances and binds lookups to locals.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from django.db import connection

from minqing.demo import names
from minqing.demo.plan import PHONE_BLOCKS_PER_COUNTY, CountyPlan, NodePlan, PkAllocator
from minqing.lib.idcard import make_id_number

# The demo's fixed "today": ages count from it, so a rerun next year gives the same data.
REFERENCE_DATE = dt.date(2026, 1, 1)
# Households were registered during a (fictional) spring 2025 campaign, 09:00-17:00 Beijing.
_CAMPAIGN_START = dt.datetime(2025, 3, 3, 1, 0, tzinfo=dt.UTC)
_CAMPAIGN_SLOTS = [
    _CAMPAIGN_START + dt.timedelta(days=day, minutes=minute)
    for day in range(60)
    for minute in range(0, 480, 15)
]

HOUSEHOLD_FIELDS = (
    "id", "code", "group", "address", "head_name", "phone", "created_at", "updated_at",
)  # fmt: skip
RESIDENT_FIELDS = (
    "id", "household", "name", "relationship", "gender", "birth_date", "id_number", "phone",
)  # fmt: skip

# (relationship, surname, is_male, age)
Member = tuple[str, str, bool, int]


class People:
    """Names, phones and ID numbers for one county, unique within it (and phones globally)."""

    def __init__(self, rng: random.Random, county: CountyPlan, pks: PkAllocator) -> None:
        self.rng = rng
        self.pks = pks
        self.region = county.root.code[:6]
        self.phone_base = county.phone_block_base
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()
        ops = connection.ops
        # Adapt values once per backend (SQLite wants strings, PostgreSQL takes objects).
        self.adapt_date = ops.adapt_datefield_value
        self.created = [ops.adapt_datetimefield_value(t) for t in _CAMPAIGN_SLOTS]
        self.households: list[tuple[Any, ...]] = []
        self.residents: list[tuple[Any, ...]] = []

    # --- single values -------------------------------------------------------------------
    def phone(self) -> str:
        rng = self.rng
        while True:
            block = self.phone_base + rng.randrange(PHONE_BLOCKS_PER_COUNTY)
            number = f"{rng.choice(names.MOBILE_PREFIXES)}{block:04d}{rng.randrange(10000):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def surname(self) -> str:
        return self.rng.choices(names.SURNAMES, cum_weights=names.SURNAME_CUM_WEIGHTS)[0]

    def given_name(self, male: bool, birth_year: int) -> str:
        era = 0 if birth_year < 1970 else (1 if birth_year < 2000 else 2)
        chars = names.GIVEN_CHARS[era][male]
        choice = self.rng.choice
        # Mostly two characters; single-character names are commoner among the old.
        if self.rng.random() < (0.75 if era == 0 else 0.9):
            return choice(chars) + choice(chars)
        return choice(chars)

    def birth_date(self, age: int) -> dt.date:
        # Born in the year that makes them `age` on REFERENCE_DATE (1 January).
        start = dt.date(REFERENCE_DATE.year - age - 1, 1, 1)
        return start + dt.timedelta(days=self.rng.randrange(365))

    def id_number(self, birth: dt.date, male: bool) -> str:
        while True:
            # The 17th digit's parity is the sex: odd for men.
            sequence = self.rng.randrange(500) * 2 + (1 if male else 0)
            number = make_id_number(self.region, birth, sequence)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def person(self, male: bool, age: int) -> tuple[str, str]:
        """A staff member: (name, mobile)."""
        return self.surname() + self.given_name(male, REFERENCE_DATE.year - age), self.phone()

    # --- households ----------------------------------------------------------------------
    def fill_village(self, village: NodePlan) -> None:
        serial = 0
        for group in village.children:
            addresses = self._addresses(group)
            for _ in range(group.households):
                serial += 1
                code = f"{village.code}{serial:04d}"
                group.population += self._household(village, group.pk, code, next(addresses))
        if serial > 9999:
            raise ValueError(f"{village.name}: more than 9999 households do not fit the code")

    def _addresses(self, group: NodePlan) -> Iterator[str]:
        rng = self.rng
        if group.kind == "组":  # 清溪县石桥镇柳塘村三组27号
            prefix, number = group.full_name, 0
            while True:
                number += rng.randint(1, 3)
                yield f"{prefix}{number}号"
        # Urban grid: a street block of apartment buildings.
        village = group.parent
        assert village is not None
        street = f"{village.full_name}{rng.choice(names.ROAD_NAMES)}{rng.randint(1, 300)}号"
        estate = street + rng.choice(names.ESTATE_NAMES)
        taken: set[tuple[int, int, int]] = set()
        while True:
            flat = (
                rng.randint(1, 24),
                rng.randint(1, 4),
                rng.randint(1, 18) * 100 + rng.randint(1, 4),
            )
            if flat not in taken:  # one household per flat
                taken.add(flat)
                yield f"{estate}{flat[0]}栋{flat[1]}单元{flat[2]}室"

    def _members(self, village_surnames: tuple[str, ...]) -> list[Member]:
        rng = self.rng
        head_age = int(rng.triangular(22, 90, 56))
        head_male = rng.random() < (0.62 if head_age >= 75 else 0.8)
        surname = (
            rng.choice(village_surnames) if rng.random() < 0.35 else self.surname()
        )  # villages are often dominated by one or two clans
        members: list[Member] = [("head", surname, head_male, head_age)]
        married = rng.random() < (0.55 if head_age >= 75 else (0.88 if head_male else 0.45))
        # Children take their father's surname; a lone father's absent wife is taken as 3
        # years younger than him when placing the children's births.
        father_surname, mother_age = surname, head_age - 3 if head_male else head_age
        if married:
            gap = rng.randint(-2, 6)  # husbands are usually a few years older
            spouse_age = max(20, min(95, head_age - gap if head_male else head_age + gap))
            spouse_surname = self.surname()
            members.append(("spouse", spouse_surname, not head_male, spouse_age))
            if head_male:
                mother_age = spouse_age
            else:
                father_surname = spouse_surname
        if head_age < 30:
            children = rng.choices((0, 1, 2), (45, 45, 10))[0]
        elif head_age < 60:
            children = rng.choices((0, 1, 2, 3), (12, 38, 38, 12))[0]
        else:
            children = 1 if rng.random() < 0.3 else 0  # an adult child who stayed home
        for _ in range(children):
            age = mother_age - rng.randint(21, 38)
            if age >= 0:
                members.append(("child", father_surname, rng.random() < 0.52, age))
        if head_age < 50 and rng.random() < 0.3:  # young families living with parents
            father_age = head_age + rng.randint(23, 34)
            if father_age <= 92:
                members.append(("parent", surname, True, father_age))
            if rng.random() < 0.8:
                members.append(("parent", self.surname(), False, head_age + rng.randint(21, 32)))
        if head_age >= 52 and rng.random() < 0.35:
            # Left-behind grandchildren (留守儿童) whose parents work in the cities.
            for _ in range(rng.randint(1, 2)):
                age = rng.randint(0, min(17, head_age - 44))
                members.append(("grandchild", father_surname, rng.random() < 0.52, age))
        return members

    def _household(self, village: NodePlan, group_pk: int, code: str, address: str) -> int:
        """Append one household and its members; return how many members it has."""
        rng = self.rng
        household_pk = self.pks.take("household")
        head_name = head_phone = ""
        first = len(self.residents)
        add_resident = self.residents.append
        for relationship, surname, male, age in self._members(village.surnames):
            birth = self.birth_date(age)
            name = surname + self.given_name(male, birth.year)
            if relationship == "head":
                phone = self.phone()  # the household's contact number
                head_name, head_phone = name, phone
            elif age >= 16 and rng.random() < (0.9 if age <= 70 else 0.45):
                phone = self.phone()
            else:
                phone = ""
            add_resident(
                (
                    self.pks.take("resident"),
                    household_pk,
                    name,
                    relationship,
                    "M" if male else "F",
                    self.adapt_date(birth),
                    self.id_number(birth, male),
                    phone,
                )
            )
        created = rng.choice(self.created)
        self.households.append(
            (household_pk, code, group_pk, address, head_name, head_phone, created, created)
        )
        return len(self.residents) - first
