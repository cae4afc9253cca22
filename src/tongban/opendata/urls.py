"""URLs of the open-data pages under the language prefix (``/<lang>/open-data/``); the DCAT
catalogue is served outside it, at ``/open-data/catalog.jsonld`` (tongban/urls.py)."""

from __future__ import annotations

from django.urls import path

from tongban.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:dataset_id>.csv", views.download, {"fmt": "csv"}, name="download_csv"),
    path("<slug:dataset_id>.json", views.download, {"fmt": "json"}, name="download_json"),
]
