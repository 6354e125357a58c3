// `node --import <ts hooks> mcp-proxy-bin.ts -- <server command…>`: the proxy as a process, wired to
// stdio exactly as `memgar mcp-proxy` wires it, run from the TypeScript source.
import { createMcpStdioProxy } from '../src/index.js';

const at = process.argv.indexOf('--');
const [command = '', ...args] = process.argv.slice(at + 1);
const proxy = createMcpStdioProxy({ command, args, onNotice: (m) => process.stderr.write(`${m}\n`) });
process.exitCode = await proxy.run(process.stdin, process.stdout);
