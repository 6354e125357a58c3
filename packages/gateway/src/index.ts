/**
 * `@memgar/gateway`: an OpenAI- and Anthropic-compatible enforcing proxy, and an MCP stdio proxy.
 * @packageDocumentation
 */
export { AddressPolicy } from './address-policy.js';
