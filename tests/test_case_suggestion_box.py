"""意见箱: all slips of one box opening are registered together, or none are."""

from minqing.cases.models import Case


def data(county, slips, key="box-1"):
    payload = {
        "idempotency_key": key,
        "node": county.g1a.pk,
        "box": "村委会门口",
        "opened_at": "2026-11-20T09:00",
        "opened_by": "赵村官",
        "slip-TOTAL_FORMS": str(len(slips)),
        "slip-INITIAL_FORMS": "0",
        "slip-MIN_NUM_FORMS": "0",
        "slip-MAX_NUM_FORMS": "50",
    }
    for i, (text, name, phone) in enumerate(slips):
        payload |= {
            f"slip-{i}-original_text": text,
            f"slip-{i}-reporter_name": name,
            f"slip-{i}-reporter_phone": phone,
            f"slip-{i}-nature": "suggestion",
        }
    return payload


def test_one_opening_registers_every_filled_slip(county, client_for):
    slips = [("建议村里装路灯", "", ""), ("", "", ""), ("垃圾站太远", "王大爷", "13900000009")]
    response = client_for("cadre").post("/cases/box/", data(county, slips))
    assert response.status_code == 302
    cases = list(Case.objects.order_by("number"))
    assert [c.original_text for c in cases] == ["建议村里装路灯", "垃圾站太远"]
    assert all(c.channel == "suggestion_box" for c in cases)
    assert cases[0].anonymous
    assert cases[1].reporter_name == "王大爷"
    assert "村委会门口" in cases[0].address


def test_resending_the_same_opening_creates_nothing_new(county, client_for):
    client = client_for("cadre")
    slips = [("建议村里装路灯", "", "")]
    client.post("/cases/box/", data(county, slips))
    client.post("/cases/box/", data(county, slips))
    assert Case.objects.count() == 1


def test_one_bad_slip_registers_none(county, client_for):
    slips = [("建议村里装路灯", "", ""), ("垃圾站太远", "王大爷", "not-a-phone")]
    response = client_for("cadre").post("/cases/box/", data(county, slips))
    assert response.status_code == 200
    assert "请输入有效的电话号码" in response.text
    assert Case.objects.count() == 0


def test_box_outside_scope_is_refused(county, client_for):
    payload = data(county, [("x 建议", "", "")]) | {"node": county.g2.pk}
    response = client_for("cadre").post("/cases/box/", payload)
    assert response.status_code == 200
    assert Case.objects.count() == 0
