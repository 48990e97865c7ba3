"""The server's half of offline drafts (static/js/drafts.js): capture forms carry a draft
name and a per-draft idempotency key, a resent draft is stored once, and the page shown
after a save tells the device which drafts to forget. The browser half is in
tests/browser/test_diary_drafts_in_browser.py."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.db.models import QuerySet
from django.utils import timezone

from minqing.fieldwork.models import DiaryEntry
from minqing.fieldwork.services import diary_record

KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')


def form_data(county, **over) -> dict:
    data = {
        "idempotency_key": "d" * 32,
        "date": timezone.localdate().isoformat(),
        "node": county.v1.pk,
        "category": "appearance",
        "title": "村口垃圾堆放",
        "narrative": "村口垃圾无人清运，气味很大。",
    }
    return data | over


def test_the_new_entry_form_is_a_draft_form_with_a_fresh_key_each_time(county, client_for):
    client = client_for("cadre")
    first, second = (client.get("/field/diary/new/").content.decode() for _ in range(2))
    assert 'data-draft="diary"' in first
    assert KEY.search(first)[1] != KEY.search(second)[1]
    assert 'src="/static/js/drafts.js"' in first


def test_pages_use_no_inline_scripts_or_handlers(county, client_for):
    """CSP allows 'self' only: an inline script or onclick= would be blocked."""
    client = client_for("cadre")
    entry, _ = diary_record(author=county.users["cadre"], node=county.v1,
                            date=timezone.localdate(), category="other", title="t",
                            narrative="n")  # fmt: skip
    pages = ["/field/diary/", "/field/diary/new/", f"/field/diary/{entry.pk}/",
             f"/field/diary/{entry.pk}/edit/", "/field/diary/compile/"]  # fmt: skip
    for url in pages:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


def test_a_resent_draft_lands_on_the_entry_already_stored(county, client_for):
    client = client_for("cadre")
    first = client.post("/field/diary/new/", form_data(county))
    resent = client.post("/field/diary/new/", form_data(county), follow=True)
    assert DiaryEntry.objects.count() == 1
    assert resent.redirect_chain[0][0] == first["Location"]
    assert "这篇日记已经保存过了" in resent.content.decode()


def test_two_sends_racing_with_one_key_store_one_entry(county):
    """The loser of the race finds no entry, fails on the unique key, and returns the winner's."""
    cadre = county.users["cadre"]
    kwargs = {"author": cadre, "node": county.v1, "date": timezone.localdate(),
              "category": "other", "title": "t", "narrative": "n",
              "idempotency_key": "e" * 32}  # fmt: skip
    winner, _ = diary_record(**kwargs)
    real_first = QuerySet.first
    calls = []

    def first(self):  # the loser's first look happens before the winner committed
        calls.append(self.model)
        return None if len(calls) == 1 else real_first(self)

    with mock.patch.object(QuerySet, "first", first):
        loser, created = diary_record(**kwargs)
    assert (loser, created) == (winner, False)
    assert DiaryEntry.objects.count() == 1


def test_the_page_after_a_save_clears_that_draft_only(county, client_for):
    client = client_for("cadre")
    response = client.post("/field/diary/new/", form_data(county))
    html = client.get(response["Location"]).content.decode()
    assert 'data-draft-clear="diary"' in html
    entry = DiaryEntry.objects.get()
    # Opening the entry later forgets nothing (a new draft may be in progress).
    assert "data-draft-clear" not in client.get(f"/field/diary/{entry.pk}/").content.decode()
    # Only plain draft names are echoed back.
    hostile = client.get(f'/field/diary/{entry.pk}/?saved="><b>x').content.decode()
    assert "data-draft-clear" not in hostile
    # Editing the entry is a draft of its own, cleared after that save.
    edit = client.get(f"/field/diary/{entry.pk}/edit/").content.decode()
    assert f'data-draft="diary-{entry.pk}"' in edit
    saved = client.post(f"/field/diary/{entry.pk}/edit/", form_data(county, title="新标题"))
    assert saved["Location"].endswith(f"?saved=diary-{entry.pk}")


@pytest.mark.parametrize(("form", "data"), [
    ("follow-up", {"text": "已联系环卫站"}),
    ("result", {"result": "垃圾已清运，设了两个垃圾桶。"}),
])  # fmt: skip
def test_follow_up_and_result_forms_keep_drafts_too(county, client_for, form, data):
    client = client_for("cadre")
    client.post("/field/diary/new/", form_data(county))
    entry = DiaryEntry.objects.get()
    name = {"follow-up": "diary-follow", "result": "diary-result"}[form]
    html = client.get(f"/field/diary/{entry.pk}/").content.decode()
    assert f'data-draft="{name}-{entry.pk}"' in html
    data = {"date": timezone.localdate().isoformat(), **data}
    response = client.post(f"/field/diary/{entry.pk}/{form}/", data)
    assert response["Location"].endswith(f"?saved={name}-{entry.pk}")
