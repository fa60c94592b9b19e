"""The import_schools management command and the `cpdnet import-schools` console entry point."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cpdnet.schools.models import School

from .gias_files import school_row, write_gias_csv, write_links_csv

PROJECT_DIR = Path(__file__).resolve().parents[4]


def _good_rows():
    return [
        school_row(100101, "Oakwood Primary School"),
        school_row(100102, "Beech Hill Academy"),
        school_row(
            100103,
            "Hillside High",
            **{"PhaseOfEducation (name)": "", "CensusSchoolType2019": "State-funded secondary"},
        ),
    ]


def _bad_rows():
    rows = _good_rows()
    rows[0]["EstablishmentName"] = "Oakwood Primary School RENAMED"
    rows[2]["NumberOfPupils"] = "99999999999999999999"  # line 4: too large for the database
    return rows


@pytest.mark.django_db
def test_the_command_prints_how_many_schools_were_created_updated_and_unchanged(tmp_path, capsys):
    rows = _good_rows()
    call_command("import_schools", str(write_gias_csv(tmp_path / "first.csv", rows)))
    first = capsys.readouterr().out
    rows[1]["NumberOfPupils"] = "999"
    call_command("import_schools", str(write_gias_csv(tmp_path / "second.csv", rows)))
    second = capsys.readouterr().out

    assert "3 rows: 3 created, 0 updated, 0 unchanged" in first
    assert "Phase was blank for 1 schools" in first
    assert "3 rows: 0 created, 1 updated, 2 unchanged" in second
    assert "Nothing changed" not in second


@pytest.mark.django_db
def test_the_command_says_so_when_nothing_changed(tmp_path, capsys):
    path = str(write_gias_csv(tmp_path / "edubasealldata.csv", _good_rows()))
    call_command("import_schools", path)
    capsys.readouterr()

    call_command("import_schools", path)

    output = capsys.readouterr().out
    assert "0 created, 0 updated, 3 unchanged" in output
    assert "Nothing changed: the register was up to date." in output


@pytest.mark.django_db
def test_a_bad_file_fails_the_command_with_its_line_and_nothing_imported(tmp_path):
    call_command("import_schools", str(write_gias_csv(tmp_path / "good.csv", _good_rows())))
    bad = write_gias_csv(tmp_path / "bad.csv", _bad_rows())

    with pytest.raises(CommandError) as raised:
        call_command("import_schools", str(bad))

    message = str(raised.value)
    assert message.startswith("bad.csv: line 4")
    assert "NumberOfPupils" in message
    assert "Nothing was imported" in message
    assert School.objects.get(urn=100101).name == "Oakwood Primary School"


@pytest.mark.django_db
def test_a_bad_links_file_is_the_file_the_command_names(tmp_path):
    register = write_gias_csv(tmp_path / "edubasealldata.csv", _good_rows())
    links = write_links_csv(
        tmp_path / "links_edubasealldata.csv", [(100101, "99999999999999999999", "Successor", "")]
    )

    with pytest.raises(CommandError) as raised:
        call_command("import_schools", str(register), "--links", str(links))

    message = str(raised.value)
    assert message.startswith("links_edubasealldata.csv: line 2, column 'LinkURN': ")
    assert "too large" in message
    assert "Nothing was imported" in message
    assert not School.objects.exists()


def _run_cpdnet(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - runs this project's own console entry point
        [sys.executable, "-m", "cpdnet", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def migrated_sqlite_env(tmp_path):
    """Environment for a `cpdnet` subprocess using a freshly migrated SQLite file."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cpdnet.settings",
        # This tree's code, even where the virtual environment has another checkout installed.
        "PYTHONPATH": str(PROJECT_DIR / "src"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cpdnet.sqlite3'}",
        "CPDNET_VAR_DIR": str(tmp_path / "var"),
    }
    migrated = _run_cpdnet("migrate", "--no-input", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def test_the_console_entry_point_imports_a_good_file_and_fails_on_a_bad_one(
    tmp_path, migrated_sqlite_env
):
    good = write_gias_csv(tmp_path / "good.csv", _good_rows())
    bad = write_gias_csv(tmp_path / "bad.csv", _bad_rows())

    imported = _run_cpdnet("import-schools", str(good), env=migrated_sqlite_env)
    refused = _run_cpdnet("import-schools", str(bad), env=migrated_sqlite_env)

    assert imported.returncode == 0, imported.stderr
    assert "3 rows: 3 created" in imported.stdout
    assert refused.returncode != 0
    assert "line 4" in refused.stderr
    assert "Nothing was imported" in refused.stderr
    assert "Traceback" not in refused.stderr
