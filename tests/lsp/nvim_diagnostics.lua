-- Headless Neovim as an LSP client of `svtool lsp`: attach to the current buffer, wait for
-- the server's diagnostics, write what Neovim holds for the buffer as JSON, and quit.
--   SVTOOL_LSP_CMD   the server command, JSON-encoded list (e.g. ["svtool", "lsp"])
--   SVTOOL_NVIM_OUT  where to write the diagnostics
local out = os.getenv("SVTOOL_NVIM_OUT")
local cmd = vim.fn.json_decode(os.getenv("SVTOOL_LSP_CMD"))
local buf = vim.api.nvim_get_current_buf()

local function finish(payload)
  local fh = io.open(out, "w")
  fh:write(vim.fn.json_encode(payload))
  fh:close()
  vim.cmd("qall!")
end

local config = {
  name = "svtool",
  cmd = cmd,
  root_dir = vim.fn.getcwd(),
  handlers = {
    ["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
      vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
      -- what Neovim itself now shows for the buffer
      local shown = {}
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        table.insert(shown, {lnum = d.lnum, col = d.col, code = d.code,
                             severity = d.severity, message = d.message})
      end
      finish({uri = result.uri, diagnostics = shown})
    end,
  },
}
if vim.lsp.start then
  vim.lsp.start(config)  -- Neovim 0.8 and later: start (or reuse) and attach to this buffer
else
  -- Neovim 0.7 (Debian 12): start the client, then attach the buffer
  vim.lsp.buf_attach_client(buf, vim.lsp.start_client(config))
end
vim.defer_fn(function() finish({error = "no diagnostics within 60 s"}) end, 60000)
