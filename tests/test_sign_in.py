"""Sign-in: Chinese page, argon2 hashes, lockout after repeated failures, logout, timeout."""

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher

from minqing.audit.models import Action, AuditEvent
from minqing.org import services
from minqing.org.roles import Role
from tests.conftest import PASSWORD


def test_login_page_is_in_chinese(db, client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录您的账号" in response.text
    assert 'lang="zh-hans"' in response.text


def test_login_page_speaks_english_when_asked(db, client):
    response = client.get("/accounts/login/", headers={"accept-language": "en"})
    assert 'lang="en"' in response.text
    assert "Sign in to your account" in response.text


def test_sign_in_lands_on_home(county, client):
    response = client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_chinese_error(county, client):
    response = client.post("/accounts/login/", {"username": "cadre", "password": "nope"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.text


def test_passwords_are_hashed_with_argon2(county, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = services.staff_create(
        actor=None,
        username="newcadre",
        name="新干部",
        role=Role.VILLAGE_CADRE,
        node=county.v1,
        password="a-long-enough-secret",
    )
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("a-long-enough-secret")


def test_project_settings_put_argon2_first():
    # Read the module itself: the test suite swaps in a fast hasher for speed.
    from minqing import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_repeated_failures_lock_the_account_even_with_the_right_password(county, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cadre", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.text
    assert AuditEvent.objects.filter(action=Action.LOCKED_OUT, actor_username="cadre").exists()
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_account_does_not_lock_a_colleague(county, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "cadre", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "colleague", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(county, client):
    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.filter(action=Action.LOGOUT).exists()


def test_session_expires_after_idle_time():
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_activity_renews_the_session_at_most_once_a_minute(county, client, monkeypatch):
    import time

    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    clock = [1_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    client.get("/")
    first = client.session["_touched"]
    clock[0] += 30
    client.get("/")
    assert client.session["_touched"] == first  # no write within the minute
    clock[0] += 60
    client.get("/")
    assert client.session["_touched"] == first + 90  # renewed: the idle clock restarts


def test_idle_session_is_signed_out(county, client, settings):
    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    assert client.get("/").status_code == 302


def test_password_change_works_and_is_audited(county, client):
    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "river-stone-lantern-42",
            "new_password2": "river-stone-lantern-42",
        },
    )
    assert response.status_code == 302
    county.users["cadre"].refresh_from_db()
    assert county.users["cadre"].check_password("river-stone-lantern-42")
    assert AuditEvent.objects.filter(action=Action.PASSWORD).exists()


def test_weak_new_password_is_refused_in_chinese(county, client):
    client.post("/accounts/login/", {"username": "cadre", "password": PASSWORD})
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "密码" in response.text
    assert "太短" in response.text
