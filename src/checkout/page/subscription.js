// The hosted subscription page's script (plain browser JavaScript, no build step, served by this server only).
