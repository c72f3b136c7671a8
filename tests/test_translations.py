"""Every string the interface shows exists in Spanish, and the compiled catalogue is current."""

import os
import shutil
import subprocess
import sys

import polib
import pytest
from django.test import Client

from tests.conftest import REPO_ROOT

CATALOGUE = REPO_ROOT / "cpps" / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")


def catalogue_keys(path):
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural)
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is needed to extract strings"
)
def test_catalogue_holds_every_marked_string_in_the_code(tmp_path):
    shutil.copytree(
        REPO_ROOT / "cpps", tmp_path / "cpps", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "es",
            "--no-obsolete",
            "--ignore",
            "engines/*",
        ],
        cwd=tmp_path / "cpps",
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    extracted = catalogue_keys(tmp_path / "cpps" / "locale" / "es" / "LC_MESSAGES" / "django.po")
    missing = extracted - catalogue_keys(CATALOGUE)
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:10]}"


def test_every_entry_is_translated_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))
    assert catalogue.percent_translated() == 100, [
        entry.msgid for entry in catalogue.untranslated_entries()
    ][:10]
    assert not catalogue.fuzzy_entries()


def test_compiled_catalogue_matches_the_source():
    source = {
        (entry.msgid, entry.msgstr)
        for entry in polib.pofile(str(CATALOGUE))
        if not entry.msgid_plural
    }
    compiled = {
        (entry.msgid, entry.msgstr)
        for entry in polib.mofile(str(COMPILED))
        if not entry.msgid_plural
    }
    assert source == compiled, "run `make messages` to recompile"


@pytest.mark.django_db
def test_choosing_spanish_translates_the_page(chicago):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/j/chicago/"})
    assert response.status_code == 302
    page = client.get("/j/chicago/").content.decode()
    assert '<html lang="es">' in page
    assert "En qué están trabajando los residentes" in page
    assert "Saltar al contenido principal" in page


GETTEXT_NAMES = {"gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "_"}


def test_gettext_is_imported_only_under_names_makemessages_extracts():
    """`makemessages` finds strings marked `_()`, `gettext_lazy()` and the like, never under an
    alias such as `_lazy`, which would leave them out of the catalogue, untranslated."""
    aliased = []
    for path in (REPO_ROOT / "cpps").rglob("*.py"):
        for line in path.read_text().splitlines():
            if line.startswith("from django.utils.translation import") and " as " in line:
                name = line.rsplit(" as ", 1)[1].strip()
                if name not in GETTEXT_NAMES:
                    aliased.append(f"{path.relative_to(REPO_ROOT)}: {line}")
    assert aliased == []
