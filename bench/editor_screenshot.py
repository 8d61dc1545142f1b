"""Make docs/img/neovim-diagnostics-hover.png: Neovim, running `svtool lsp` on a broken
config, showing the diagnostics and an option's hover, as it looks in a terminal.

Neovim runs in a detached tmux session of a fixed size; once the server's diagnostics have
arrived and the hover window is open, the pane is captured with its colours, turned into HTML
and photographed by headless Chromium. Needs nvim (make neovim), tmux and /usr/bin/chromium.

    .venv/bin/python bench/editor_screenshot.py [OUTPUT.png]
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "docs" / "img" / "neovim-diagnostics-hover.png"
COLUMNS, ROWS = 104, 26
BROKEN = """\
[supervisord]
logfile=/var/log/supervisor/supervisord.log

[group:site]
programs=web,worker

[program:web]
command=/usr/bin/gunicorn app:app --bind 127.0.0.1:8000
autostart=maybe
stopsignal=TERMINATE
startsec=5
stopwaitsecs=30
"""
HOVER_LINE = 12  # stopwaitsecs: the hover opens below the diagnostics
# The editor's side: attach svtool lsp, show diagnostics as virtual text, then hover the
# option on line HOVER_LINE and signal that the screen is ready.
INIT_LUA = """\
vim.opt.number = true
vim.opt.signcolumn = "yes"
vim.opt.termguicolors = true
vim.opt.laststatus = 2
vim.cmd("highlight NormalFloat guibg=#2b3340 guifg=#e0e0e0")
vim.cmd("highlight SignColumn guibg=NONE")
vim.diagnostic.config({virtual_text = true, signs = true, underline = true})
local ready = os.getenv("SHOT_READY")
local done = false
local function attach()
local client = vim.lsp.start_client({
  name = "svtool", cmd = vim.fn.json_decode(os.getenv("SHOT_CMD")),
  root_dir = vim.fn.getcwd(),
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      if done then return end
      done = true
      vim.defer_fn(function()
        vim.api.nvim_win_set_cursor(0, {tonumber(os.getenv("SHOT_LINE")), 3})
        vim.lsp.buf.hover()
        vim.defer_fn(function()
          local fh = io.open(ready, "w"); fh:write("ready"); fh:close()
        end, 1500)
      end, 300)
    end,
  },
})
vim.lsp.buf_attach_client(0, client)
end
-- the file is read after this script: attach once it is the current buffer
vim.api.nvim_create_autocmd("VimEnter", {callback = attach})
"""

# the 16 terminal colours (xterm's defaults) and the 256-colour cube
BASIC = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
         "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]
FOREGROUND, BACKGROUND = "#d0d0d0", "#1c1c1c"


def xterm(index: int) -> str:
    if index < 16:
        return BASIC[index]
    if index < 232:
        index -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return rgb(steps[index // 36], steps[index // 6 % 6], steps[index % 6])
    grey = 8 + (index - 232) * 10
    return rgb(grey, grey, grey)


def rgb(red: int, green: int, blue: int) -> str:
    return f"#{red:02x}{green:02x}{blue:02x}"


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def ansi_to_html(text: str) -> str:
    """The pane's text with SGR colours as styled spans."""
    fg, bg, bold, reverse, italic, underline = None, None, False, False, False, False
    out: list[str] = []
    pos = 0
    for m in SGR.finditer(text + "\x1b[0m"):
        chunk = text[pos:m.start()]
        if chunk:
            f, b = (bg or BACKGROUND, fg or FOREGROUND) if reverse else (fg, bg)
            style = []
            if f:
                style.append(f"color:{f}")
            if b:
                style.append(f"background:{b}")
            if bold:
                style.append("font-weight:bold")
            if italic:
                style.append("font-style:italic")
            if underline:
                style.append("text-decoration:underline")
            out.append(f'<span style="{";".join(style)}">{html.escape(chunk)}</span>')
        pos = m.end()
        codes = [int(c) if c else 0 for c in re.split("[;:]", m.group(1))] or [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                fg, bg, bold, reverse, italic, underline = None, None, False, False, False, False
            elif c == 1:
                bold = True
            elif c == 3:
                italic = True
            elif c in (4, 21):
                underline = True
            elif c == 7:
                reverse = True
            elif c == 22:
                bold = False
            elif c == 23:
                italic = False
            elif c == 24:
                underline = False
            elif c == 27:
                reverse = False
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour, i = xterm(codes[i + 2]), i + 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = rgb(*codes[i + 2:i + 5])
                    i += 4
                else:
                    colour = None
                if c == 38:
                    fg = colour
                else:
                    bg = colour
            elif c == 39:
                fg = None
            elif c == 49:
                bg = None
            elif 30 <= c <= 37:
                fg = BASIC[c - 30]
            elif 40 <= c <= 47:
                bg = BASIC[c - 40]
            elif 90 <= c <= 97:
                fg = BASIC[c - 90 + 8]
            elif 100 <= c <= 107:
                bg = BASIC[c - 100 + 8]
            i += 1
    return "".join(out)


def page(body: str) -> str:
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: {BACKGROUND}; }}
pre {{ margin: 0; padding: 12px; color: {FOREGROUND}; background: {BACKGROUND};
       font: 15px/1.25 "DejaVu Sans Mono", "Liberation Mono", monospace; }}
</style></head><body><pre>{body}</pre></body></html>"""


def capture(work: Path) -> str:
    conf = work / "supervisord.conf"
    conf.write_text(BROKEN)
    (work / "init.lua").write_text(INIT_LUA)
    ready = work / "ready"
    server = json.dumps([sys.executable, "-m", "supervisor_tools", "lsp"])
    session = f"svtool-shot-{int(time.time())}"
    env = (f"SHOT_CMD='{server}' SHOT_READY='{ready}' SHOT_LINE={HOVER_LINE} "
           f"XDG_STATE_HOME='{work}' "
           f"XDG_DATA_HOME='{work}' TERM=tmux-256color")
    subprocess.run(["tmux", "-f", "/dev/null", "new-session", "-d", "-s", session,
                    "-x", str(COLUMNS), "-y", str(ROWS), "-c", str(work),
                    f"env {env} nvim --clean -u init.lua supervisord.conf"], check=True)
    try:
        subprocess.run(["tmux", "set-option", "-t", session, "-s", "terminal-overrides",
                        ",*:RGB"], check=True)
        deadline = time.monotonic() + 60
        while not ready.exists():
            if time.monotonic() > deadline:
                raise SystemExit("Neovim did not show the diagnostics within 60 s")
            time.sleep(0.2)
        done = subprocess.run(["tmux", "capture-pane", "-t", session, "-p", "-e"],
                              check=True, capture_output=True, text=True)
        return done.stdout
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    for tool in ("nvim", "tmux"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing (make neovim; apt-get install tmux)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        screen = capture(work)
        (work / "screen.html").write_text(page(ansi_to_html(screen.rstrip("\n"))))
        width, height = COLUMNS * 9 + 24, ROWS * 19 + 24
        subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--window-size={width},{height}",
                        f"--screenshot={output}", (work / "screen.html").as_uri()],
                       check=True, capture_output=True, timeout=120)
    print(output)


if __name__ == "__main__":
    main()
