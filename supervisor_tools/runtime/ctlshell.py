"""`svtool ctl`'s command line reader: one line at a time, or supervisorctl's interactive shell.

As supervisorctl 4.3.0 (itself a `cmd.Cmd`): with no command it shows `status`, then reads
commands at the `supervisor> ` prompt, one a line, answering each as the same command given on
the command line would; an empty line does nothing, `help` lists the commands, Tab completes
command, process and group names, and `quit`, `exit`, the end of input or Ctrl-C leave it. A
command given on the command line goes through the same reading of a line.
"""

from __future__ import annotations

import cmd
import contextlib
import xmlrpc.client
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from supervisor_tools.runtime.ctlclient import Unauthorized, Unreachable
from supervisor_tools.runtime.ctlsession import GENERIC, Session

Command = Callable[[Session, list[str]], None]
Runner = Callable[[Session, Command, list[str]], None]

LEAVING = ("quit", "exit", "EOF")
# what each command's arguments complete to (supervisorctl's `complete`)
TAKES_GROUPS = ("add", "remove", "update")
TAKES_PROCESSES = ("clear", "fg", "pid", "restart", "signal", "start", "status", "stop", "tail")


class Shell(cmd.Cmd):
    """Reads command lines; `run` calls a command with the one-shot commands' error handling."""

    def __init__(self, session: Session, commands: Mapping[str, Command], run: Runner,
                 vocab: Iterable[str], prompt: str = "supervisor") -> None:
        super().__init__()
        self.session = session
        self.commands = commands
        self.run = run
        self.prompt = f"{prompt}> "
        self.vocab = list(dict.fromkeys(["help", *sorted(vocab)]))  # as supervisorctl lists
        self._complete_info: list[dict[str, Any]] | None = None

    def emptyline(self) -> bool:
        return False  # cmd.Cmd would repeat the last command; supervisorctl does nothing

    def onecmd(self, line: str) -> bool:
        """Run one line; True when it asks to leave the shell."""
        name, arg, line = self.parseline(line)
        if not line:
            return self.emptyline()
        self._complete_info = None  # names may have changed: completion asks again
        self.lastcmd = line
        handler = self.commands.get(name) if name else None
        if handler is None:
            self.session.say(f"*** Unknown syntax: {line}")
            self.session.fail(GENERIC)
            return False
        self.run(self.session, handler, (arg or "").split())
        return name in LEAVING

    def postcmd(self, stop: bool, line: str) -> bool:
        if not stop:
            self.session.finish()  # in JSON mode, each command's results as they come
        return stop

    def completenames(self, text: str, *ignored: Any) -> list[str]:
        return [f"{name} " for name in self.vocab if name.startswith(text)]

    # typeshed has cmd.Cmd.complete return a list; readline's completers return one match
    def complete(self, text: str, state: int) -> str | None:  # type: ignore[override]
        """readline's completer: the `state`th match of `text` on the line being edited."""
        import readline

        matches = self.matches(readline.get_line_buffer(), text)
        return matches[state] if state < len(matches) else None

    def matches(self, line: str, text: str) -> list[str]:
        """What `text`, the word being typed at the end of `line`, may complete to."""
        words = line.split()
        if not words or (len(words) == 1 and not line.endswith(" ")) or words[0] == "help":
            return self.completenames(text)
        if words[0] in TAKES_GROUPS:
            groups = dict.fromkeys(info["group"] for info in self._infos())
            return [f"{g} " for g in groups if g.startswith(text)]
        if words[0] in TAKES_PROCESSES:
            names: list[str] = []
            for info in self._infos():
                if ":" in text or info["name"] != info["group"]:
                    names.append(f"{info['group']}:{info['name']}")
                    if f"{info['group']}:*" not in names:
                        names.append(f"{info['group']}:*")
                else:
                    names.append(info["name"])
            return [f"{n} " for n in names if n.startswith(text)]
        return []

    def _infos(self) -> list[dict[str, Any]]:
        # kept until the next command: readline asks again for every match it shows
        if self._complete_info is None:
            try:
                self._complete_info = list(self.session.call("getAllProcessInfo"))
            except (xmlrpc.client.Fault, Unreachable, Unauthorized):
                return []
        return self._complete_info


def interact(shell: Shell, history_file: str | None = None) -> None:
    """supervisorctl's shell: `status` first, then a prompt until quit, exit or end of input."""
    readline: Any
    try:
        import readline
    except ImportError:  # no line editing, no completion: the shell still reads lines
        readline = None
    if readline is not None:
        # "group:process", "group:*" and names with "-" complete as one word
        delims = readline.get_completer_delims()
        readline.set_completer_delims(delims.replace(":", "").replace("*", "").replace("-", ""))
        if history_file:
            with contextlib.suppress(OSError):  # a history is a convenience, not a must
                readline.read_history_file(history_file)
    try:
        shell.cmdqueue.append("status")
        shell.cmdloop()
    except KeyboardInterrupt:
        shell.session.say("")
    finally:
        if readline is not None and history_file:
            with contextlib.suppress(OSError):  # a history is a convenience, not a must
                readline.write_history_file(history_file)
