"""Rules about a program's `command`: how supervisord splits it, and what it then runs."""

from __future__ import annotations

import re
from typing import NamedTuple

from supervisor_tools.errors import Severity, Span
from supervisor_tools.lint import commandline as cl
from supervisor_tools.lint.context import Context
from supervisor_tools.lint.rule import Report, rule
from supervisor_tools.lint.rules import placeholders as pl
from supervisor_tools.model.model import ProcessConfig
from supervisor_tools.syntax.ast import Option, ValueLine

E = Severity.ERROR
W = Severity.WARNING
I = Severity.INFO  # noqa: E741

PROGRAM_KINDS = ("program", "eventlistener", "fcgi-program")
SHELLISH = re.compile(r"[;&|<>$`~]")


class Command(NamedTuple):
    section: str
    option: Option
    process: ProcessConfig | None  # the first process built from the section, if any
    text: str  # the command after expansion when the model has it, else as written
    args: list[str] | None  # as supervisord splits `text`, None if it cannot (do not modify)
    script: str | None  # the script of a `sh -c '...'` command
    cut: ValueLine | None  # the line whose inline comment cuts the command as written

    @property
    def span(self) -> Span:
        return self.option.value_span


def _cut_by_comment(opt: Option) -> ValueLine | None:
    for line in opt.lines:
        if isinstance(line, ValueLine) and line.comment is not None:
            # only a command whose quotes do not close was cut inside them
            return line if cl.argv(opt.value) is None else None
    return None


def _command(section: str, option: Option, process: ProcessConfig | None) -> Command:
    command = process.command if process is not None else None
    # the model keeps no command when its expansion failed (reported by SV104)
    text = command if isinstance(command, str) else option.value
    args = cl.argv(text)
    script = cl.shell_script(args) if args else None
    return Command(section, option, process, text, args, script, _cut_by_comment(option))


def _commands(ctx: Context) -> list[Command]:
    procs: dict[Span, ProcessConfig] = {}
    for proc in ctx.processes():
        procs.setdefault(proc.source, proc)
    found: list[Command] = []
    for name, raw in ctx.raw.sections.items():
        if ctx.kind(name) not in PROGRAM_KINDS:
            continue
        opt = ctx.effective(name, "command")
        if opt is not None:
            found.append(_command(name, opt, procs.get(raw.headers[0].header.name_span)))
    return found


def commands(ctx: Context) -> list[Command]:
    """Each program-like section's command, split once for all the rules here."""
    return ctx.memo(_commands)


@rule("SV220", "command-cut-by-comment", E, "an inline ' ;' or ' #' cuts the command",
      options=("command",))
def command_cut_by_comment(ctx: Context, report: Report) -> None:
    """supervisord drops everything from a `;` or `#` that follows whitespace, even inside
    quotes: `bash -c 'a ; b'` becomes `bash -c 'a` and the program never starts. Write `;`
    without a space before it (`a; b`) or move the logic into a script.

    Failing:

        [program:job]
        command = bash -c 'cd /srv ; ./run'

    Passing:

        [program:job]
        command = bash -c 'cd /srv && ./run'
        directory = /srv
    """
    for cmd in commands(ctx):
        line = cmd.cut
        if line is None:
            continue
        assert line.comment is not None
        col = line.text.index(line.comment, line.value_span.end_col - 1) + 1
        span = Span(line.span.file, line.span.line, col, line.span.line,
                    col + len(line.comment.rstrip()))
        report(span, f"the inline comment {line.comment.strip()!r} cuts the command of "
                     f"[{cmd.section}]: supervisord runs {cmd.option.value!r}, whose quotes "
                     "do not close")


@rule("SV221", "command-unparsable", E, "a command supervisord cannot split (or an empty one)",
      options=("command",))
def command_unparsable(ctx: Context, report: Report) -> None:
    """supervisord splits `command` like a POSIX shell (without running one) when it starts the
    process; unbalanced quotes or an empty command make every start fail.

    Failing:

        [program:web]
        command = /usr/bin/web --title "my site

    Passing:

        [program:web]
        command = /usr/bin/web --title "my site"
    """
    for cmd in commands(ctx):
        if cmd.cut is not None:
            continue
        args = cmd.args
        if args is None:
            report(cmd.span, f"the command of [{cmd.section}] has an unbalanced quote; "
                             "supervisord cannot split it and every start fails")
        elif not args:
            report(cmd.option.key_span, f"the command of [{cmd.section}] is empty")


# A word that is nothing but a shell operator or redirection: `|`, `&&`, `;`, `>>`, `2>&1`, `<`
OPERATOR_WORD = re.compile(r"\|\|?|&&|;;?|\|&|&|(?:\d+|&)?(?:>>?|<<?|>\||<>)(?:&(?:\d+|-))?")
# a redirection glued to its target: `>/var/log/x.log`, `2>/dev/null`, `&>>out`
GLUED_REDIRECT = re.compile(r"(?:\d+|&)?(?:>>?|<)(?:&(?:\d+|-))?(?=[^<>&|;])")
# `$NAME`, `${NAME}`, `$(...)` and backquotes, where a shell would expand them
EXPANSION = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(|`")


def _shell_constructs(words: list[cl.Word]) -> list[str]:
    """Shell syntax a shell would read in this argv: only what is written outside quotes (and
    `$NAME` in a one-word double-quoted argument), never inside the script of a `sh -c`."""
    scripts = cl.script_arguments([w.text for w in words])
    found: list[str] = []
    last = len(words) - 1
    for i, word in enumerate(words):
        if i in scripts:
            continue
        bare = word.bare()  # quoted characters hidden
        if word.how.count("u") == len(word.text) and OPERATOR_WORD.fullmatch(word.text):
            if not (word.text == "&" and i == last):  # a trailing '&': daemonizing-command
                found.append(word.text)
            continue
        m = GLUED_REDIRECT.match(bare)
        if m and m.group(0) and not pl.placeholders(word.text):
            found.append(m.group(0))
        found.extend(op for op in ("&&", "||") if op in bare)
        if len(bare) > 1 and bare[-1] in ";|" and bare[:-1].strip("\0"):
            found.append(bare[-1])  # `a; b` or `a| b`
        # in double quotes a shell expands `$NAME` too; a quoted argument with spaces is a
        # command line for the program to run (its own shell expands it), not one value
        visible = word.bare("se") if " " not in word.text else bare
        found.extend(m.group(0) for m in EXPANSION.finditer(visible)
                     if not pl.is_template_variable(m.group(0)))
        if word.how.startswith("u") and word.text.startswith("~"):
            found.append("~")
    return list(dict.fromkeys(found))


@rule("SV223", "shell-syntax-in-command", W, "shell syntax in a command run without a shell",
      options=("command",))
def shell_syntax_in_command(ctx: Context, report: Report) -> None:
    """supervisord does not run `command` through a shell: it splits the line with Python's
    `shlex` (quotes group words and are removed) and runs the program with those arguments.
    Pipes, redirections, `&&`, `;`, `$VAR`, `$(...)` and `~` written outside quotes reach the
    program as literal arguments. Use supervisord's log options instead of redirections,
    `%(ENV_NAME)s` instead of `$NAME`, or run the line with `sh -c '...'`.

    Only what a shell would have read is reported: the script of `sh -c '...'` (also behind a
    wrapper such as `env`, `tini --`, `gosu user`, and the `-c` of `su`, `runuser`, `flock`) is
    shell code and is left alone, as is a quoted argument (`--on-exit='a && b'`, a command line
    for the program to run) and a `&` or `|` inside a word (`--url=http://h/?a=1&b=2`), which is
    an argument's text.

    Failing:

        [program:web]
        command = /usr/bin/web --home $HOME >> /var/log/web.log 2>&1

    Passing:

        [program:web]
        command = /usr/bin/web --home %(ENV_HOME)s
        stdout_logfile = /var/log/web.log
        redirect_stderr = true
    """
    for cmd in commands(ctx):
        if not cmd.args or not SHELLISH.search(cmd.text):
            continue  # most commands: nothing a shell would read
        split = cl.words(cmd.text)
        found = _shell_constructs(split) if split else []
        if found:
            what = ", ".join(repr(f) for f in found)
            reach = ("reaches the program as a literal argument" if len(found) == 1
                     else "reach the program as literal arguments")
            report(cmd.span, f"supervisord runs this command without a shell, so {what} {reach}")


# Words that open or close a compound command: bash forks for the commands inside one.
COMPOUND = frozenset({"if", "then", "else", "elif", "fi", "while", "until", "for", "do", "done",
                      "case", "esac", "{", "}", "function", "select", "!"})
# A last command that shows the long-running program is not the last one.
NOT_THE_PROGRAM = frozenset({"sleep", "wait", "true", "false", ":", "echo"})


def _without_substitutions(script: str) -> str:
    """`script` with each `$(...)` replaced by `x`: the commands inside run in a subshell and
    say nothing about the shell's own list."""
    out: list[str] = []
    i, n = 0, len(script)
    quote = ""
    while i < n:
        c = script[i]
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif script.startswith("$(", i):
            depth, j, inner = 1, i + 2, ""
            while j < n and depth:
                d = script[j]
                if inner:
                    inner = "" if d == inner else inner
                elif d in "'\"":
                    inner = d
                elif d == "(":
                    depth += 1
                elif d == ")":
                    depth -= 1
                j += 1
            out.append("x")
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _bash_execs_last(script: str) -> bool:
    """Whether bash (5.1 and later) runs the last command of `script` in its own place: a plain
    `a; b`, `a && b` or `a || b` list of simple commands, whose last one is the program."""
    script = _without_substitutions(script.replace("\\\n", " "))
    tokens = cl.shell_tokens(script)
    if not tokens:
        return False
    for tok in tokens:
        if tok in COMPOUND or tok.startswith("(") or (
                tok and set(tok) <= set(";&|<>") and tok not in (";", "&&", "||")):
            return False  # a compound command, a pipeline, a background job, a redirection
    units = [words for words, _ in cl.simple_commands(script)]
    last = units[-1] if units else []
    return bool(last) and cl.basename(last[0]) not in NOT_THE_PROGRAM


@rule("SV225", "shell-without-stopasgroup", I,
      "a shell wrapper whose children survive a stop", options=("command", "stopasgroup"))
def shell_without_stopasgroup(ctx: Context, report: Report) -> None:
    """With `sh -c '...'` running several commands, the shell stays the parent of the program
    it starts: supervisord's stop signal reaches the shell, which dies, and the program keeps
    running (holding its port, so the restart fails). Start the program with `exec` or set
    `stopasgroup=true` (which also implies `killasgroup`).

    Not reported where the shell hands its place to the program anyway: a single command (every
    shell execs it), and for bash a plain list (`a && b`, `a; b`, `X=$(...); b`) whose last
    command is the program, which bash 5.1 and later run with exec too. dash (`/bin/sh` on
    Debian and Ubuntu) does not, nor does bash for a pipeline, an `if`/`while` block, a
    background `&`, or when the last command is not the program (`prog && sleep 2`). What is
    left is a program that outlives its stop, so the rule stays in the default set (as info:
    a short job that ends by itself loses little).

    Failing:

        [program:job]
        command = sh -c 'cd /srv && ./job'

    Passing:

        [program:job]
        command = sh -c 'cd /srv && exec ./job'
    """
    for cmd in commands(ctx):
        script, args = cmd.script, cmd.args
        if script is None or not args or cmd.process is None or cmd.process.stopasgroup:
            continue
        units = [words for words, _ in cl.simple_commands(script)]
        tokens = cl.shell_tokens(script) or []
        if len(units) <= 1 and not (set(tokens) & {"|", "&&", "||", ";", "&"}):
            continue  # a single command: most shells exec it directly
        if re.search(r"(^|[;&|]\s*|\s)exec\s", script) or script.rstrip().endswith("&"):
            continue
        if cl.basename(args[0]) == "bash" and _bash_execs_last(script):
            continue
        report(cmd.span, "the stop signal reaches the shell, not the programs it starts; "
                         "use 'exec' for the last command or set stopasgroup=true")


@rule("SV226", "sudo-in-command", W, "sudo/su in a command instead of user=",
      options=("command", "user"))
def sudo_in_command(ctx: Context, report: Report) -> None:
    """`sudo` or `su` in front of a command puts another process between supervisord and the
    program (signals and exit codes go astray) and may prompt for a password. Use `user=`, with
    `HOME` and `USER` in `environment`: supervisord does not set them when it switches user,
    while `sudo -H`/`-i` did.

    Failing:

        [program:web]
        command = sudo -u www-data /usr/bin/web

    Passing:

        [program:web]
        command = /usr/bin/web
        user = www-data
    """
    for cmd in commands(ctx):
        args = cmd.args
        if args and cl.basename(args[0]) in ("sudo", "su", "runuser", "doas"):
            report(cmd.span, f"'{cl.basename(args[0])}' wraps the program; set user= in "
                             f"[{cmd.section}] instead (with HOME and USER in environment: "
                             "supervisord does not set them for user=)")

