"""The open-data catalogue, its downloads and descriptor, and the feed (public, police too)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from cpps.common.disclosure import rule_text, small_cell_threshold
from cpps.common.spreadsheets import csv_response
from cpps.jurisdictions.selectors import jurisdiction_get
from cpps.publishing import selectors
from cpps.publishing.feeds import JurisdictionFeed

JSON_OPTIONS = {"ensure_ascii": False, "indent": 1}
feed = require_safe(JurisdictionFeed())


@require_safe
def catalogue(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = jurisdiction_get(slug=slug)
    context = {
        "jurisdiction": jurisdiction,
        "datasets": selectors.dataset_list(jurisdiction=jurisdiction),
        "license": selectors.open_data_license(),
        "threshold": small_cell_threshold(),
        "rule": rule_text(),
    }
    return render(request, "publishing/catalogue.html", context)


@require_safe
def dataset_csv(request: HttpRequest, slug: str, name: str) -> HttpResponseBase:
    dataset = selectors.dataset_get(jurisdiction=jurisdiction_get(slug=slug), name=name)
    return csv_response(selectors.dataset_table(dataset), filename=f"{slug}-{name}.csv")


@require_safe
def dataset_json(request: HttpRequest, slug: str, name: str) -> JsonResponse:
    dataset = selectors.dataset_get(jurisdiction=jurisdiction_get(slug=slug), name=name)
    return JsonResponse(selectors.dataset_document(dataset), json_dumps_params=JSON_OPTIONS)


@require_safe
def datapackage(request: HttpRequest, slug: str) -> JsonResponse:
    descriptor = selectors.datapackage(
        jurisdiction=jurisdiction_get(slug=slug),
        absolute=request.build_absolute_uri,
        csv_url=lambda name: reverse("publishing:dataset_csv", args=[slug, name]),
    )
    return JsonResponse(descriptor, json_dumps_params=JSON_OPTIONS)
