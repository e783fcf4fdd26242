// The `aud` values Glomo's tools expect (glomo-mcp-server's tests and credential code, decision 0036): a merchant's
// secret key is for the external API, an MCP credential for the MCP server, which refuses the one for the other.
export const DEFAULT_API_AUDIENCE = 'glomo-external-api';
export const DEFAULT_MCP_AUDIENCE = 'glomo-mcp';
