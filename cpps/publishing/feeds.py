"""A jurisdiction's Atom feed (RFC 4287) of what was published: results, panels drawn,
commitments' public changes. Built with Django's syndication framework."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cpps.common.opendata import Announcement
from cpps.jurisdictions.models import Jurisdiction
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.publishing.selectors import feed_entries


class JurisdictionFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Jurisdiction:
        self.host = request.get_host().split(":")[0] or "localhost"
        return jurisdiction_get(slug=kwargs["slug"])

    def title(self, obj: Jurisdiction) -> str:
        return _("%(name)s: what was published") % {"name": obj.name}

    def subtitle(self, obj: Jurisdiction) -> str:
        return _(
            "Results published, panels drawn by lot and commitments' changes, as the public "
            "record has them."
        )

    def link(self, obj: Jurisdiction) -> str:
        return reverse("processes:jurisdiction_home", args=[obj.slug])

    def feed_url(self, obj: Jurisdiction) -> str:
        return reverse("publishing:feed", args=[obj.slug])

    def feed_guid(self, obj: Jurisdiction) -> str:
        return f"tag:{self.host},2025:{obj.slug}"

    def author_name(self, obj: Jurisdiction) -> str:
        return obj.name

    def items(self, obj: Jurisdiction) -> list[tuple[Jurisdiction, Announcement]]:
        return [(obj, entry) for entry in feed_entries(jurisdiction=obj)]

    def item_title(self, item: tuple[Jurisdiction, Announcement]) -> str:
        return item[1].title

    def item_description(self, item: tuple[Jurisdiction, Announcement]) -> str:
        return item[1].summary or item[1].title

    def item_link(self, item: tuple[Jurisdiction, Announcement]) -> str:
        return item[1].url

    def item_guid(self, item: tuple[Jurisdiction, Announcement]) -> str:
        jurisdiction, entry = item
        return f"tag:{self.host},2025:{jurisdiction.slug}:{entry.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: tuple[Jurisdiction, Announcement]) -> datetime:
        return item[1].updated

    def item_updateddate(self, item: tuple[Jurisdiction, Announcement]) -> datetime:
        return item[1].updated
