"""A rule for documentation placeholders left in a config: text meant to be replaced on deploy."""

from __future__ import annotations

import re

from supervisor_tools.errors import Severity
from supervisor_tools.lint import commandline as cl
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule

E = Severity.ERROR

# Each form is one that documentation and deploy templates use and that a working value never
# has. Looser forms are left out because real configs use them on purpose: `example.com` (a
# dummy domain in development settings), `XXX`/`xxxx` (a masked secret), `$NAME` in upper case
# (an environment variable, which unexpanded-variable reports).
PLACEHOLDER = re.compile(
    r"<[A-Za-z][\w.-]*>"  # <project_dir>, <python_home>
    r"|#[A-Za-z][\w-]*#"  # #user#, #project-name#
    r"|\$\{[a-z][a-z0-9_]*\}"  # ${user}: lower case, unlike an environment variable
    r"|\{\{\s*[\w.]+\s*\}\}"  # {{ app_dir }}
    r"|(?<![\w.-])/?path/to(?![\w.-])"  # /path/to/app.sock, directory=/path/to
    r"|(?<![\w.-])/?your/"  # /your/log/path.log
    r"|(?<![\w.-])your(?:[_-][A-Za-z][\w-]*"  # your_project, your-domain.org
    r"|(?:domain|project|app|name|user|username|site|server|host|path|dir|home|password"
    r"|token|key|email)\w*)(?!\w)"  # yourdomain.com, yourproject
    r"|(?i:(?<!\w)(?:change|replace)[_-]?me(?!\w))"  # CHANGEME, change_me, REPLACE-ME
)
# In a shell script `${name}` is the shell's own variable, not a placeholder.
TEMPLATE_VARIABLE = re.compile(r"\$\{[a-z][a-z0-9_]*\}")


def _may_hold_one(text: str) -> bool:
    """A cheap test that every text PLACEHOLDER can match passes: the regex's look-behinds make
    it slow to run over a big conf.d where hardly any value holds a placeholder."""
    if "<" in text or "#" in text or "{" in text or "path/to" in text:
        return True
    lower = text.lower()
    return "your" in lower or "change" in lower or "replace" in lower


def placeholders(text: str, script: bool = False) -> list[str]:
    """The placeholders in `text`, each once, in order; `script` for shell script text."""
    found = [m.group(0) for m in PLACEHOLDER.finditer(text)]
    if script:
        found = [f for f in found if not TEMPLATE_VARIABLE.fullmatch(f)]
    return list(dict.fromkeys(found))


def is_template_variable(text: str) -> bool:
    """Whether `text` (like `${user}`) is a deploy template's variable rather than a shell's."""
    return TEMPLATE_VARIABLE.fullmatch(text) is not None


@rule("SV251", "placeholder-value", E, "a documentation placeholder left in a value",
      options=("command", "directory", "user", "stdout_logfile", "stderr_logfile", "logfile",
               "environment", "serverurl"))
def placeholder_value(ctx: Context, report: Report) -> None:
    """A value that still holds a placeholder from documentation or a deploy template
    (`<project_dir>`, `#user#`, `${user}`, `{{ app_dir }}`, `/path/to/...`,
    `/your/log/path.log`, `CHANGEME`) was copied before it was filled in: supervisord takes the
    text literally, so the user does not exist, the directory or log path is wrong, or the
    command is not found. Fill in the real value, or generate the file from the template
    before linting it.

    The forms are those no working value has. `example.com`, `xxxx` and upper-case `$NAME`
    are not reported: configs use a dummy domain or a masked secret on purpose, and an
    unexpanded environment variable is reported by unexpanded-variable. In a shell script
    (`sh -c '...'`) `${name}` is the shell's variable and is left alone. An option that a later
    line of the same section overrides is not reported.

    Failing:

        [program:worker]
        command = /home/#user#/app/bin/worker
        user = #user#
        directory = <project_dir>
        stdout_logfile = /your/log/path.log

    Passing:

        [program:worker]
        command = /home/deploy/app/bin/worker
        user = deploy
        directory = /home/deploy/app
        stdout_logfile = /var/log/worker.log
    """
    for ref, values, text in ctx.values():
        name = ref.section.name
        named = placeholders(name) if _may_hold_one(name) else []
        if named:
            report(ref.section.header.name_span,
                   f"the section name [{name}] holds the placeholder "
                   f"{', '.join(repr(p) for p in named)}; fill in the real name")
        if not _may_hold_one(text) or not PLACEHOLDER.search(text):
            continue  # nearly every section
        for opt, value in zip(ref.options, values, strict=True):
            if ctx.effective(name, opt.key) is not opt:
                continue
            found = _in_command(value) if opt.key == "command" else placeholders(value)
            if found:
                report(opt.value_span,
                       f"[{name}] {opt.key} holds the placeholder "
                       f"{', '.join(repr(p) for p in found)}; supervisord uses the text "
                       "literally: fill in the real value")


def _in_command(value: str) -> list[str]:
    found = placeholders(value)
    if not any(is_template_variable(f) for f in found):
        return found
    split = cl.words(value)
    if split is None:
        return found
    # `${name}` counts only outside the script of a `sh -c`, where no shell reads it
    scripts = cl.script_arguments([w.text for w in split])
    outside = "\0".join(w.text for i, w in enumerate(split) if i not in scripts)
    return [f for f in found if not is_template_variable(f) or f in outside]
