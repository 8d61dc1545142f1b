"""placeholder-value: the placeholder forms it knows, and where real configs have them."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_tools.lint.engine import lint_paths
from supervisor_tools.lint.rules.placeholders import placeholders
from tests.lint.fixtures import ROOT

WILD = ROOT.parent / "shared" / "wild-configs"


@pytest.mark.parametrize(("text", "found"), [
    ("/home/#user#/#project-name#/artisan", ["#user#", "#project-name#"]),
    ("<nodeshot_dir>/log/uwsgi.log", ["<nodeshot_dir>"]),
    ("/var/log/${user}_celery.log", ["${user}"]),
    ("{{ venv }}/bin/gunicorn", ["{{ venv }}"]),
    ("unix:///path/to/supervisord.sock", ["/path/to"]),
    ("/your/log/asgi.log", ["/your/"]),
    ("--domain yourdomain.com --app your_app", ["yourdomain", "your_app"]),
    ('SECRET="CHANGEME",OTHER="change-me"', ["CHANGEME", "change-me"]),
    # working values
    ("/var/log/supervisor/%(program_name)s.log", []),
    ('MAIL="<web@example.com>",HOME="${HOME}",TOKEN="xxxx"', []),
    ("/srv/yours/ok.log /srv/xpath/to/x /opt/flavour", []),
    ("nginx -g 'daemon off;' 2>&1 </dev/null", []),
])
def test_placeholder_forms(text: str, found: list[str]) -> None:
    assert placeholders(text) == found


def test_shell_variables_in_a_script_are_not_placeholders() -> None:
    assert placeholders("for f in ${files}; do :; done", script=True) == []


def test_on_real_configs_only_the_templates_are_reported() -> None:
    with open(WILD / "SOURCES.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == 172
    hit = set()
    for row in rows:
        entry = WILD / "cases" / row["case"] / row["entry"]
        if lint_paths([str(entry)], select=["SV251"]):
            hit.add(row["case"])
    # the four deploy templates the README names, and one `/your/log/asgi.log`
    assert hit == {"038", "062", "064", "065", "143"}


_FORMS = ["<dir>", "#user#", "${user}", "{{ app_dir }}", "/path/to", "path/to/x", "/your/",
          "your_project", "yourDomain", "CHANGEME", "Replace-Me", "change_me", "REPLACEME"]
_AROUND = st.text(st.sampled_from(" /._-=aAcdeghmnoprtuyYCRE0"), max_size=12)


@settings(max_examples=300)
@given(st.one_of(st.text(st.sampled_from("<>#{}$ /._-aAcdeghmnoprtuyYCRE0"), max_size=40),
                 st.tuples(_AROUND, st.sampled_from(_FORMS), _AROUND).map("".join)))
def test_the_quick_test_passes_every_text_the_pattern_matches(text: str) -> None:
    from supervisor_tools.lint.rules.placeholders import PLACEHOLDER, _may_hold_one

    if PLACEHOLDER.search(text):
        assert _may_hold_one(text), text
