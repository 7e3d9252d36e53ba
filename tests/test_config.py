from __future__ import annotations

import re
from pathlib import Path

import pytest

from conductor.config import Settings, load_settings
from conductor.errors import ConfigError


def test_defaults_are_the_embedded_sqlite_database() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite:///conductor.db"
    assert settings.zone.key == "America/Los_Angeles"


def test_a_toml_file_is_read_and_the_environment_wins_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conductor.toml").write_text(
        'database_url = "sqlite:///from-file.db"\ntimezone = "America/New_York"\n'
    )
    monkeypatch.setenv("CONDUCTOR_TIMEZONE", "America/Denver")
    settings = load_settings()
    assert settings.database_url == "sqlite:///from-file.db"
    assert settings.timezone == "America/Denver"


def test_conductor_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('default_region = "CA"\n')
    monkeypatch.setenv("CONDUCTOR_CONFIG", str(path))
    assert load_settings().default_region == "CA"
    monkeypatch.setenv("CONDUCTOR_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="CONDUCTOR_CONFIG"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value", "hint"),
    [
        ("CONDUCTOR_DATABASE_URL", "mysql://x", "sqlite:///"),
        ("CONDUCTOR_TIMEZONE", "Nowhere/Land", "IANA"),
    ],
)
def test_a_wrong_value_names_the_setting_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, hint: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert caught.value.setting == name
    assert hint in str(caught.value)


def test_an_unknown_setting_in_the_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "conductor.toml").write_text('databse_url = "sqlite:///typo.db"\n')
    with pytest.raises(ConfigError, match="DATABSE_URL"):
        load_settings()


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    documented = set(re.findall(r"`CONDUCTOR_([A-Z_]+)`", readme))
    for name in Settings.model_fields:
        assert name.upper() in documented, f"CONDUCTOR_{name.upper()} missing from README.md"


def test_a_setting_can_come_from_a_file_and_weak_secrets_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "key"
    secret.write_text("k" * 40 + "\n")
    monkeypatch.setenv("CONDUCTOR_SECRET_KEY_FILE", str(secret))
    assert load_settings().secret_key == "k" * 40
    monkeypatch.setenv("CONDUCTOR_SECRET_KEY", "changeme")
    with pytest.raises(ConfigError, match=r"CONDUCTOR_SECRET_KEY.*32 random"):
        load_settings()
