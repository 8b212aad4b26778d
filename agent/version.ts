// The agent's version as reported in Report v1 `device.agentVersion`.
import packageJson from '../package.json' with { type: 'json' };

export const AGENT_VERSION: string = packageJson.version;
