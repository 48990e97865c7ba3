"""Reads for contact cards: what a card shows, and a village's issuance figures.

A card lists the people a household can call — its group's leader and members, its linked
Party member(s), the group's liaison officers, the cadres assigned to it — with their posts,
duties and phones, the station's and center's phones and the county hotline. Those people
and numbers are published on the card by design. Residents' own data never is: the card
names the household head (on paper only) and nothing else about the household.

Every function here costs a fixed number of queries however many households it covers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from minqing.households.cards import card_url
from minqing.households.models import (
    ContactAssignment,
    ContactCard,
    GroupPost,
    GroupPostKind,
    Household,
    Liaison,
)
from minqing.households.privacy import network_phone_on_card
from minqing.households.rules import contact_rules_for
from minqing.org.models import Node, Unit, UnitKind
from minqing.org.scoping import under

# Long duty texts would crowd a card; the full text stays on the network pages.
DUTIES_ON_CARD = 40


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    post: str = ""  # a cadre's 职务 and unit
    duties: str = ""


@dataclass(frozen=True)
class Office:
    name: str
    phone: str


@dataclass
class Card:
    """Everything printed on one household's card."""

    token: str  # "" before the household's first card is made
    county: str
    township: str
    village: str
    group: str
    head_name: str  # "" on the public landing page
    household_code: str
    leaders: list[Contact] = field(default_factory=list)
    members: list[Contact] = field(default_factory=list)
    party_links: list[Contact] = field(default_factory=list)
    liaisons: list[Contact] = field(default_factory=list)
    cadres: list[Contact] = field(default_factory=list)
    station: Office | None = None
    center: Office | None = None
    hotline: str = ""

    @property
    def url(self) -> str:
        return card_url(self.token) if self.token else ""

    @property
    def place(self) -> str:
        return " ".join(p for p in (self.county, self.township, self.village, self.group) if p)

    @property
    def sections(self) -> list[tuple[str, list[Contact]]]:
        """(label, people) in the card's order, empty sections left out."""
        rows = [
            (_("组长"), self.leaders),
            (_("成员"), self.members),
            (_("联户党员"), self.party_links),
            (_("联络员"), self.liaisons),
            (_("联系干部"), self.cadres),
        ]
        return [(label, people) for label, people in rows if people]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DUTIES_ON_CARD else text[: DUTIES_ON_CARD - 1] + "…"


def build_cards(
    village: Node,
    households: Sequence[Household],
    *,
    with_head: bool = True,
    cards: dict[int, ContactCard] | None = None,
) -> list[Card]:
    """The cards of `households` (all in `village`, `group` loaded), in the given order.

    `village` needs `parent__parent` loaded. `cards` (by household id) saves the query for
    the households' current cards when the caller has them.
    """
    if not households:
        return []
    township = village.parent
    county = township.parent if township else None
    rules = contact_rules_for(county) if county is not None else None
    hotline = rules.hotline if rules is not None else ""
    # The card publishes the network's numbers when the county chose so (its purpose).
    shown = network_phone_on_card(rules.card_shows_network_phones if rules else True)
    ids = [h.pk for h in households]
    group_ids = {h.group_id for h in households}
    # Few households: name them; a whole village: filter by its groups (a short IN list).
    by_household = Q(household__in=ids) if len(ids) <= 200 else Q(household__group__in=group_ids)

    posts_by_group: dict[int, list[GroupPost]] = defaultdict(list)
    for post in GroupPost.objects.filter(group__in=group_ids).order_by("group_id", "kind", "id"):
        posts_by_group[post.group_id].append(post)
    links: dict[int, set[int]] = defaultdict(set)
    through = GroupPost.linked_households.through.objects.filter(
        grouppost__group__in=group_ids, grouppost__kind=GroupPostKind.PARTY_LINK
    )
    for post_id, household_id in through.values_list("grouppost_id", "household_id"):
        links[post_id].add(household_id)
    liaisons = Liaison.objects.active().filter(group__in=group_ids).order_by("group_id", "id")
    liaisons_by_group: dict[int, list[Contact]] = defaultdict(list)
    for liaison in liaisons:
        liaisons_by_group[liaison.group_id].append(
            Contact(liaison.name, shown(liaison.phone), "", _short(liaison.duties))
        )
    assignments = (
        ContactAssignment.objects.active()
        .filter(by_household, cadre__is_active=True)
        .select_related("cadre__unit")
        .order_by("assigned_at", "id")
    )
    cadres: dict[int, list[Contact]] = defaultdict(list)
    for a in assignments:
        cadre = a.cadre
        post = cadre.post or cadre.get_rank_display() or cadre.get_role_display()
        if cadre.unit is not None:
            post = f"{cadre.unit.short_name or cadre.unit.name} {post}".strip()
        duties = _short(a.note) or str(_("联系本户"))
        cadres[a.household_id].append(Contact(cadre.get_full_name(), cadre.phone, post, duties))
    offices = Unit.objects.filter(
        Q(kind=UnitKind.STATION, node=village) | Q(kind=UnitKind.CENTER, node=township)
    ).order_by("id")
    station = center = None
    for unit in offices:
        office = Office(unit.name, unit.phone)
        if unit.kind == UnitKind.STATION and station is None:
            station = office
        elif unit.kind == UnitKind.CENTER and center is None:
            center = office
    if cards is None:
        cards = {c.household_id: c for c in ContactCard.objects.current().filter(by_household)}

    result = []
    for h in households:
        people: dict[str, list[Contact]] = defaultdict(list)
        for post in posts_by_group[h.group_id]:
            if (
                post.kind == GroupPostKind.PARTY_LINK
                and links[post.pk]
                and h.pk not in links[post.pk]
            ):
                continue  # linked to other households of the group
            people[post.kind].append(Contact(post.name, shown(post.phone), "", _short(post.duties)))
        card = cards.get(h.pk)
        result.append(
            Card(
                token=card.token if card else "",
                county=county.name if county else "",
                township=township.name if township else "",
                village=village.name,
                group=h.group.name,
                head_name=h.head_name if with_head else "",
                household_code=h.code if with_head else "",
                leaders=people[GroupPostKind.LEADER],
                members=people[GroupPostKind.MEMBER],
                party_links=people[GroupPostKind.PARTY_LINK],
                liaisons=liaisons_by_group[h.group_id],
                cadres=cadres[h.pk],
                station=station,
                center=center,
                hotline=hotline,
            )
        )
    return result


def public_card(token: str) -> Card | None:
    """The card behind a QR code, for anyone: None when unknown or voided. No resident data."""
    card = (
        ContactCard.objects.current()
        .filter(token=token)
        .select_related("household__group__parent__parent__parent")
        .first()
    )
    if card is None:
        return None
    village = card.household.group.parent
    return build_cards(village, [card.household], with_head=False, cards={card.household_id: card})[
        0
    ]


# --- Issuance ---------------------------------------------------------------------------


def village_households(village: Node) -> QuerySet[Household]:
    return Household.objects.filter(under(village, "group__path"))


_ISSUED = Q(cards__voided_at__isnull=True, cards__issued_at__isnull=False)
_PRINTED = Q(cards__voided_at__isnull=True, cards__printed_at__isnull=False)


@dataclass(frozen=True)
class Issuance:
    households: int
    issued: int
    printed: int
    target: int  # per cent, the county's configured goal

    @property
    def pending(self) -> int:
        return self.households - self.issued

    @property
    def rate(self) -> float | None:
        """Per cent of households holding an issued card, one decimal; None with no households."""
        if not self.households:
            return None
        return round(100 * self.issued / self.households, 1)

    @property
    def rate_label(self) -> str:
        """87.5 → "87.5%", 50.0 → "50%"; "—" with no households."""
        return "—" if self.rate is None else f"{self.rate:g}%"

    @property
    def meets_target(self) -> bool:
        return self.rate is not None and self.rate >= self.target


@dataclass(frozen=True)
class GroupIssuance(Issuance):
    code: str = ""
    name: str = ""


def village_issuance(village: Node, target: int) -> tuple[Issuance, list[GroupIssuance]]:
    """The village's figures and each group's, from one aggregate query.

    A household has at most one current card, so counting current issued cards over the
    household–card join counts households.
    """
    rows = (
        village_households(village)
        .values("group__code", "group__name")
        .annotate(
            n=Count("id", distinct=True),
            issued=Count("cards", filter=_ISSUED),
            printed=Count("cards", filter=_PRINTED),
        )
        .order_by("group__code")
    )
    groups = [
        GroupIssuance(
            households=r["n"],
            issued=r["issued"],
            printed=r["printed"],
            target=target,
            code=r["group__code"],
            name=r["group__name"],
        )
        for r in rows
    ]
    total = Issuance(
        households=sum(g.households for g in groups),
        issued=sum(g.issued for g in groups),
        printed=sum(g.printed for g in groups),
        target=target,
    )
    return total, groups


def issued_card_exists() -> Exists:
    return Exists(
        ContactCard.objects.filter(
            household=OuterRef("pk"), voided_at__isnull=True, issued_at__isnull=False
        )
    )


def households_without_card(village: Node) -> QuerySet[Household]:
    """The village's households without an issued current card, each with its current card's
    token and print time (None when no card has been made yet)."""
    current = ContactCard.objects.filter(household=OuterRef("pk"), voided_at__isnull=True)
    return (
        village_households(village)
        .filter(~issued_card_exists())
        .annotate(
            card_token=Subquery(current.values("token")[:1]),
            card_printed_at=Subquery(current.values("printed_at")[:1]),
        )
        .select_related("group")
        .order_by("code")
    )


def issued_cards(village: Node) -> QuerySet[ContactCard]:
    """Issuance records: the village's current issued cards, newest first."""
    return (
        ContactCard.objects.current()
        .filter(under(village, "household__group__path"), issued_at__isnull=False)
        .select_related("household__group", "issued_by")
        .order_by("-issued_at", "-id")
    )
