// The shared contract: wire schemas, error envelope and reference data used by agent, server and dashboard.
export * from './report';
export * from './errors';
export * from './hresult';
export * from './catalog';
export * from './windows-names';
