"""Where the pseudonymisation key comes from (wres.pseudonymise.load_key): the environment
variable, else a key file made on first use, owner-only; a key too short to be secret is refused."""

from __future__ import annotations

import stat

import pytest

from wres.errors import ConfigError
from wres.pseudonymise import KEY_ENVIRONMENT_VARIABLE, load_key


@pytest.fixture
def no_key_in_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(KEY_ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "wres" / "pseudonymisation.key"


def test_the_first_use_makes_an_owner_only_key_file_and_later_uses_read_it(no_key_in_environment):
    key = load_key()
    path = no_key_in_environment
    assert path.read_bytes().strip() == key and len(key) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_key() == key


def test_the_environment_variable_wins_over_the_key_file(no_key_in_environment, monkeypatch):
    load_key()
    monkeypatch.setenv(KEY_ENVIRONMENT_VARIABLE, "e" * 32)
    assert load_key() == b"e" * 32


@pytest.mark.parametrize("short", ["x", "y" * 31, "  " + "z" * 30 + "  "])
def test_a_key_too_short_to_be_secret_is_refused(no_key_in_environment, monkeypatch, short):
    monkeypatch.setenv(KEY_ENVIRONMENT_VARIABLE, short)
    with pytest.raises(ConfigError, match="fewer than 32 characters"):
        load_key()


def test_a_short_key_file_is_refused(no_key_in_environment):
    no_key_in_environment.parent.mkdir(parents=True)
    no_key_in_environment.write_text("short\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="fewer than 32 characters"):
        load_key()


def test_a_key_file_inside_a_repository_is_refused(no_key_in_environment, tmp_path):
    repository = tmp_path / "project"
    (repository / ".git").mkdir(parents=True)
    inside = repository / "secrets" / "pseudo.key"
    with pytest.raises(ConfigError, match="inside the repository"):
        load_key(inside)
    assert not inside.exists()
    outside = tmp_path / "keys" / "pseudo.key"
    assert len(load_key(outside)) == 64 and outside.exists()
