"""A village cadre imports the village ledger in the browser's three steps; outsiders and
roles without registry rights cannot."""

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from minqing.households.models import Household
from minqing.lib.idcard import make_id_number


def ledger(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["户号", "所在组", "家庭住址", "姓名", "与户主关系", "性别", "身份证号", "联系电话"]
    )
    writer.writerows(rows)
    return SimpleUploadedFile("台账.csv", out.getvalue().encode("utf-8"), content_type="text/csv")


ID1 = make_id_number("330199", dt.date(1966, 5, 6), 31)
ROWS = [["", "一组", "东风村一组9号", "冯大勇", "户主", "男", ID1, "13600000031"]]


def test_cadre_uploads_maps_a_column_checks_and_imports(county, client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = client_for("cadre")
    response = client.post("/households/import/", {"village": county.v1.pk, "file": ledger(ROWS)})
    assert response.status_code == 302
    check_url = response["Location"]
    page = client.get(check_url)
    # "所在组" is not a header we know: the group column must be mapped by hand.
    assert "缺少必需的列" in page.text
    assert ID1 not in page.text  # the preview masks ID numbers
    mapping = {"map_group": "所在组", "map_name": "姓名", "map_relationship": "与户主关系",
               "map_id_number": "身份证号", "map_address": "家庭住址", "map_phone": "联系电话",
               "map_gender": "性别", "map_household": "户号"}  # fmt: skip
    checked = client.post(check_url, {**mapping, "commit": "0"})
    assert 'data-testid="check-ok"' in checked.text
    assert not Household.objects.filter(head_name="冯大勇").exists()
    done = client.post(check_url, {**mapping, "commit": "1"})
    assert done.status_code == 302
    assert Household.objects.get(head_name="冯大勇").group == county.g1a
    assert client.get(check_url).status_code == 404  # the file is gone after import


def test_other_users_cannot_use_an_uploaded_file(county, client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    response = client_for("cadre").post(
        "/households/import/", {"village": county.v1.pk, "file": ledger(ROWS)}
    )
    check_url = response["Location"]
    assert client_for("colleague").get(check_url).status_code == 404


def test_roles_without_registry_rights_and_outsiders_are_refused(
    county, client_for, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    assert client_for("township_staff").get("/households/import/").status_code == 404
    assert client_for("liaison").get("/households/import/").status_code == 404
    response = client_for("sibling").post(
        "/households/import/", {"village": county.v1.pk, "file": ledger(ROWS)}
    )
    assert response.status_code == 200  # the sibling village's cadre cannot pick 东风村
    assert "请选择村(社区)" in response.text
    assert not list(tmp_path.glob("imports/*"))


def test_abandoned_uploads_are_removed_after_a_day(settings, tmp_path):
    import os
    import time

    from minqing.households.import_views import KEEP_SECONDS, _folder, remove_stale_uploads

    settings.VAR_DIR = tmp_path
    old, fresh = _folder() / "1-old.csv", _folder() / "1-fresh.csv"
    old.write_text("x")
    fresh.write_text("x")
    past = time.time() - KEEP_SECONDS - 60
    os.utime(old, (past, past))
    assert remove_stale_uploads() == 1
    assert not old.exists()
    assert fresh.exists()
